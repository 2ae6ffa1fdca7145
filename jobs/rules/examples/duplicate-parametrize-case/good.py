import pytest


@pytest.mark.parametrize("value", [1, 1.0, True])
def test_numeric_kinds(value):
    assert value == 1


@pytest.mark.parametrize(
    "flag",
    [
        pytest.param(1, marks=pytest.mark.skipif(True, reason="old platform")),
        pytest.param(1, marks=pytest.mark.xfail(reason="new platform")),
    ],
)
def test_platform_variants(flag):
    assert flag == 1


@pytest.mark.parametrize("obj", [object(), object()])
def test_distinct_objects(obj):
    assert obj is not None
