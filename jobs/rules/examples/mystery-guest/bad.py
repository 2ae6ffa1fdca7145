from pathlib import Path

import requests


def test_reads_config():
    with open("/etc/myapp/config.ini") as handle:  # [mystery-guest]
        assert "debug" in handle.read()


def test_fixture_file():
    text = Path("/home/ci/fixtures/users.json").read_text()  # [mystery-guest]
    assert text.startswith("[")


def test_remote_api():
    response = requests.get("https://api.github.com/repos/python/cpython", timeout=5)  # [mystery-guest]
    assert response.status_code == 200
