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
