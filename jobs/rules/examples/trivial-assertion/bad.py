import unittest


def test_literal():
    total = sum([1, 2])
    assert total == 3
    assert True  # [trivial-assertion]
    assert 1 == 1  # [trivial-assertion]


def test_tuple_message(value=3):
    assert (value > 0, "value must be positive")  # [trivial-assertion]


def test_length():
    items = [3, 1]
    assert len(items) >= 0  # [trivial-assertion]
    assert not items.sort()  # [trivial-assertion]


class TestCase(unittest.TestCase):
    def test_true(self):
        self.assertTrue(True)  # [trivial-assertion]


def test_expected_value():
    expected = 3
    assert expected == expected  # [trivial-assertion]
