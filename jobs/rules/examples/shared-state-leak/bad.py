import os
import sys

CACHE = None


def test_reads_proxy(client):
    os.environ["HTTP_PROXY"] = "http://proxy:3128"  # [shared-state-leak]
    assert client.proxy == "http://proxy:3128"


def test_plugin_import(tmp_path):
    sys.path.insert(0, str(tmp_path))  # [shared-state-leak]
    assert tmp_path.exists()


def test_runs_in_folder(tmp_path):
    os.chdir(tmp_path)  # [shared-state-leak]
    assert os.getcwd() == str(tmp_path)


def test_caches_result(compute):
    global CACHE
    CACHE = compute()  # [shared-state-leak]
    assert CACHE is not None
