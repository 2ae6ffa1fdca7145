import os
import sys
from unittest import mock

import pytest


def test_monkeypatched(monkeypatch, client):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy:3128")
    assert client.proxy == "http://proxy:3128"


@mock.patch.dict(os.environ, {"HTTP_PROXY": "http://proxy:3128"})
def test_patch_dict(client):
    os.environ["NO_PROXY"] = "localhost"
    assert client.proxy == "http://proxy:3128"


def test_restored_in_finally(tmp_path):
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert os.getcwd() == str(tmp_path)
    finally:
        os.chdir(old)


def test_pytester_restores(pytester):
    sys.path.insert(0, str(pytester.path))
    os.chdir(pytester.path)
    assert pytester.runpytest().ret == 0


@pytest.fixture
def saved_env():
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_fixture_restores(saved_env):
    os.environ["MODE"] = "test"
    assert os.environ["MODE"] == "test"


def test_reads_only():
    assert os.environ.get("HOME") is not None or sys.platform == "win32"
