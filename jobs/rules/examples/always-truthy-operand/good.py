def test_all_prices_positive():
    prices = [3, 5]
    assert all(p > 0 for p in prices)


def test_total():
    total = sum([1, 2])
    assert total == 3


def test_name_rendered(name="ada"):
    # an f-string without literal text may be empty: that is a real check
    assert f"{name}"


def test_unpacked_list(items=()):
    # `[*items]` is empty when items is: a real check
    assert [*items]


def test_tuple_is_trivial_assertion_territory():
    assert (1, "left to trivial-assertion")
