import pytest


@pytest.mark.xfail(reason="rounding bug #88")  # [non-strict-xfail]
def test_rounding():
    assert round(2.675, 2) == 2.68


@pytest.mark.parametrize(
    "value",
    [
        1,
        pytest.param(2, marks=pytest.mark.xfail),  # [non-strict-xfail]
    ],
)
def test_odd(value):
    assert value % 2 == 1
