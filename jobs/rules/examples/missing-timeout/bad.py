import subprocess
import sys

import requests


def test_cli_version():
    result = subprocess.run([sys.executable, "-m", "myapp", "--version"], capture_output=True)  # [missing-timeout]
    assert result.returncode == 0


def test_health(live_server):
    response = requests.get(live_server.url + "/health")  # [missing-timeout]
    assert response.ok
