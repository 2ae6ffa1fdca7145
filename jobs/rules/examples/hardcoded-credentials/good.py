import os

import pytest

EXAMPLE_KEY = "AKIAIOSFODNN7EXAMPLE"
password = "password"
token = "test-token"
secret = "x" * 32
api_key = "changeme-changeme-changeme"
FAKE_TOKEN = "dummy_0123456789abcdef"
TOKEN_URL = "https://auth.example.test/oauth/token"
JWT_IO_SAMPLE = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"


@pytest.fixture
def api_key_from_env():
    return os.environ.get("SERVICE_API_KEY") or pytest.skip("no SERVICE_API_KEY")


def test_basic_auth_header(client):
    headers = {"authorization": "Basic dXNlcm5hbWU6cGFzc3dvcmQ="}
    assert client.get("/", headers=headers).ok


def test_login(client):
    assert client.login(username="ada", password="correct horse battery staple")


def test_sequential_is_not_random(client):
    auth_token = "abcdefghijklmnop0123456789"
    assert client.check(auth_token)
