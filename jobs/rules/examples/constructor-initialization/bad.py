import unittest


class TestCart:
    def __init__(self):  # [constructor-initialization]
        self.items = []

    def test_empty(self):
        assert self.items == []


class TestInvoice(unittest.TestCase):
    def __init__(self, *args, **kwargs):  # [constructor-initialization]
        super().__init__(*args, **kwargs)
        self.total = 0

    def test_total(self):
        self.assertEqual(self.total, 0)
