import pytest


@pytest.fixture
def cart():
    return {"items": [], "total": 0}


@pytest.fixture
def legacy_catalog():
    return {"sku-1": 9.99}
