import subprocess
import sys
from unittest import mock

import requests
import responses


def test_cli_version():
    result = subprocess.run([sys.executable, "-m", "myapp", "--version"], capture_output=True, timeout=60)
    assert result.returncode == 0


def test_health(live_server):
    response = requests.get(live_server.url + "/health", timeout=10)
    assert response.ok


@mock.patch("subprocess.run")
def test_patched(fake_run):
    subprocess.run(["git", "status"])
    fake_run.assert_called_once()


@responses.activate
def test_mocked_http():
    responses.add(responses.GET, "http://svc/health", json={})
    assert requests.get("http://svc/health").ok


def test_forwarded_options(options):
    subprocess.run(["true"], **options)
