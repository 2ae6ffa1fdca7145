import pytest


@pytest.fixture
def admin_client():
    client = {"base_url": "http://localhost:8000", "timeout": 5}
    client["headers"] = {"Accept": "application/json"}
    return client


@pytest.fixture
def api_client():  # [duplicate-fixture]
    """The same client under another name."""
    client = {"base_url": "http://localhost:8000", "timeout": 5}
    client["headers"] = {"Accept": "application/json"}
    return client


def test_clients(admin_client, api_client):
    assert admin_client == api_client
