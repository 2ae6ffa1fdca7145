import unittest


def total(values):
    return sum(values)


def test_total():
    values = [1, 2]
    total(values) == 3  # [unasserted-comparison]


def test_total_returned():
    return total([1, 2]) == 3  # [unasserted-comparison]


def test_returns_value():
    result = total([1])
    return result  # [unasserted-comparison]


class TestTotal(unittest.TestCase):
    def test_chain(self):
        0 < total([1]) <= 1  # [unasserted-comparison]
