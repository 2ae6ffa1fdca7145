import pytest


@pytest.fixture
def user():
    return {"name": "ada"}


def test_greeting(user=None):  # [test-param-default]
    assert user is None


def test_retries(attempts=3):  # [test-param-default]
    assert attempts > 0
