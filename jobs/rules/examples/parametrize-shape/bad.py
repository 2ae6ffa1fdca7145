import pytest


@pytest.mark.parametrize("value", [])  # [parametrize-shape]
def test_never_runs(value):
    assert value


@pytest.mark.parametrize("a", range(10))
@pytest.mark.parametrize("b", range(10))
@pytest.mark.parametrize("c", [1, 2])
def test_cross_product(a, b, c):  # [parametrize-shape]
    assert a + b + c >= 1
