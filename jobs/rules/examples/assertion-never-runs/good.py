import pytest


def test_guard_clause():
    values = [1, 2]
    if not values:
        pytest.skip("no values")
    assert sum(values) == 3


def test_return_at_the_end():
    values = [1, 2]
    assert values
    return


def test_nested_def_after_return():
    def check(v):
        assert v
        return
        # the helper's own dead code is the helper's business

    check(1)


def test_raise_in_branch():
    values = [1]
    if not values:
        raise AssertionError("empty")
    assert values == [1]
