import unittest


class TestCase(unittest.TestCase):
    """A project base class: it holds helpers, no tests."""

    def assertJson(self, value):
        self.assertIsInstance(value, dict)


class TestInvoiceTotals(TestCase):
    def test_sum(self):
        self.assertEqual(sum([1, 2]), 3)
