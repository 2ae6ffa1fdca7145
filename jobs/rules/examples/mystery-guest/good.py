from pathlib import Path

import requests
import responses

HERE = Path(__file__).parent


def test_reads_shipped_file():
    with open(HERE / "data" / "config.ini") as handle:
        assert "debug" in handle.read()


def test_path_value_only():
    assert Path("/usr/lib/python3").parent == Path("/usr/lib")


def test_devnull():
    with open("/dev/null") as handle:
        assert handle.read() == ""


@responses.activate
def test_mocked_api():
    responses.add(responses.GET, "https://api.example.com/users", json=[])
    assert requests.get("https://api.example.com/users", timeout=5).json() == []


def test_local_server(live_server):
    assert requests.get("http://127.0.0.1:8000/health", timeout=5).ok


def test_httpserver(httpserver):
    httpserver.expect_request("/x").respond_with_json({})
    assert requests.get("https://api.github.com/x", timeout=5).ok
