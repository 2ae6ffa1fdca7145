import pytest

CASES = [(1, 2), (2, 3)]


@pytest.mark.parametrize("value", range(500))
def test_one_big_table(value):
    assert value >= 0


@pytest.mark.parametrize("a", range(10))
@pytest.mark.parametrize("b", range(10))
def test_exactly_at_threshold(a, b):
    assert a + b >= 0


@pytest.mark.parametrize("pair", CASES)
def test_computed(pair):
    assert pair[0] < pair[1]


@pytest.mark.parametrize("data", [{"a": 1}, {"b": 2}, {"c": 3}])
def test_objects_without_ids_are_opt_in(data):
    assert len(data) == 1
