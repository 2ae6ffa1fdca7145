import pytest


@pytest.fixture
def database():
    return {}


@pytest.fixture
def user(database):
    database["user"] = 1
    return database["user"]


@pytest.fixture(autouse=True)
def reset_env(monkeypatch):
    monkeypatch.setenv("MODE", "test")


@pytest.fixture
def side_effect_only():
    return None


@pytest.fixture(name="client")
def client_fixture():
    return object()


@pytest.fixture
def dynamic_one():
    return 1


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.usefixtures("side_effect_only")
def test_user(user, client, request):
    assert user == 1
    assert client is not None
    assert request.getfixturevalue("dynamic_one") == 1
