import pytest


@pytest.fixture
def sample_order():
    return {"id": 1}


@pytest.fixture
def order_factory():  # [unused-fixture]
    return {"id": 0}


def test_order(sample_order):
    assert sample_order["id"] == 1
