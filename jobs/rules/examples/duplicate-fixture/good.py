import pytest


@pytest.fixture
def admin_client():
    client = {"base_url": "http://localhost:8000", "timeout": 5}
    client["headers"] = {"Accept": "application/json"}
    return client


@pytest.fixture(scope="session")
def session_client():
    client = {"base_url": "http://localhost:8000", "timeout": 5}
    client["headers"] = {"Accept": "application/json"}
    return client


@pytest.fixture
def guest_client():
    client = {"base_url": "http://localhost:8000", "timeout": 5}
    client["headers"] = {"Accept": "text/html"}
    return client


@pytest.fixture
def one():
    return 1


@pytest.fixture
def uno():
    return 1
