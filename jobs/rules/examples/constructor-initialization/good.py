import unittest


class TestCart:
    def setup_method(self):
        self.items = []

    def test_empty(self):
        assert self.items == []


class TestInvoice(unittest.TestCase):
    def setUp(self):
        self.total = 0

    def test_total(self):
        self.assertEqual(self.total, 0)


class TestDataBuilder:
    """A helper that only looks like a test class: it holds no tests."""

    def __init__(self, rows):
        self.rows = rows

    def build(self):
        return list(self.rows)


class TestNotCollected:
    __test__ = False

    def __init__(self):
        self.ready = True

    def test_ready(self):
        assert self.ready
