def test_eq_is_reflexive():
    money = object()
    assert money == money


def test_sum():
    assert sum([1, 2]) == 3


def test_flag_is_false_not_none():
    flag = bool(0)
    assert flag is False


def test_message(value=3):
    assert value > 0, "value must be positive"


def test_cached_attribute_is_identical(graph):
    assert id(graph.succ) == id(graph.succ)
    assert graph.version is graph.version


def test_bound_methods_compare_equal(thing):
    assert thing.method == thing.method
