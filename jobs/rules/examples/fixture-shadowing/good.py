import pytest


@pytest.fixture
def http_request():
    return {"path": "/"}


@pytest.fixture
def tmp_path(tmp_path):
    (tmp_path / "seed.txt").write_text("x")
    return tmp_path


@pytest.fixture
def user_id():
    return 42


@pytest.fixture
def client():
    return "overrides the conftest client on purpose"


def test_uses(user_id, http_request):
    assert user_id == 42 and http_request["path"] == "/"


@pytest.fixture
def cache():
    return {}


@pytest.fixture
def tmpdir(tmpdir_factory):
    return tmpdir_factory.mktemp("data")
