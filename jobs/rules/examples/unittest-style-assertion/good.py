import unittest


def total(values):
    return sum(values)


class TestTotal(unittest.TestCase):
    def test_total(self):
        self.assertEqual(total([1, 2]), 3)


class TotalChecksMixin:
    def test_total(self):
        self.assertEqual(total([1, 2]), 3)


class TestTotalMixin:
    def test_total(self):
        self.assertEqual(total([1, 2]), 3)


class TestShared:
    __test__ = False

    def test_total(self):
        self.assertEqual(total([1, 2]), 3)


class TestOwnHelpers:
    def assertTotal(self, values, expected):
        assert total(values) == expected

    def test_total(self):
        self.assertTotal([1, 2], 3)


class TestConcrete(TestTotalMixin, unittest.TestCase):
    pass


def test_plain():
    assert total([1, 2]) == 3
