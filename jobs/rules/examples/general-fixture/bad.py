import unittest


class TestOrders(unittest.TestCase):
    def setUp(self):
        self.order = {"id": 1, "lines": []}
        self.archive = [{"id": n} for n in range(1000)]  # [general-fixture]

    def test_new_order_is_empty(self):
        self.assertEqual(self.order["lines"], [])

    def test_order_id(self):
        self.assertEqual(self.order["id"], 1)

    def test_archive_size(self):
        self.assertEqual(len(self.order), 2)
