import pytest


@pytest.fixture
def request():  # [fixture-shadowing]
    return {"path": "/"}


@pytest.fixture
def tmp_path():  # [fixture-shadowing]
    return "/tmp/data"


@pytest.fixture
def id():  # [fixture-shadowing]
    return 42


def test_uses(id):
    assert id == 42
