import unittest


class TestCatalog(unittest.TestCase):
    def setUp(self):
        self.catalog = {"apple": 3, "pear": 5}
        self.currency = "EUR"

    def test_price(self):
        self.assertEqual(self.catalog["apple"], 3)

    def test_rounding(self):  # [test-maverick]
        self.assertEqual(round(2.675, 2), 2.67)
