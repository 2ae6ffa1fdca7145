import unittest


def test_all_prices_positive():
    prices = [3, 5]
    assert (p > 0 for p in prices)  # [always-truthy-operand]


def test_total_in_list():
    total = sum([1, 2])
    assert [total == 3]  # [always-truthy-operand]


def test_callable_result():
    def compute():
        return 3

    assert lambda: compute() == 3  # [always-truthy-operand]


def test_formatted(name="ada"):
    assert f"hello {name}"  # [always-truthy-operand]


class TestMapping(unittest.TestCase):
    def test_keys(self):
        data = {"a": 1}
        self.assertTrue({"a": data["a"]})  # [always-truthy-operand]
