import unittest


class TestOrders(unittest.TestCase):
    def setUp(self):
        self.order = {"id": 1, "lines": []}
        self.archive = [{"id": n} for n in range(10)]

    def test_new_order_is_empty(self):
        self.assertEqual(self.order["lines"], [])

    def test_archive(self):
        self.assertEqual(len(self.archive), 10)

    def test_both(self):
        self.assertNotIn(self.order, self.archive)


class TestSingle(unittest.TestCase):
    def setUp(self):
        self.unused = 1

    def test_only_one(self):
        self.assertTrue(True is not False)
