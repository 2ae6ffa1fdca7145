import unittest
from unittest import mock


class TestCatalog(unittest.TestCase):
    def setUp(self):
        self.catalog = {"apple": 3}

    def lookup(self, name):
        return self.catalog[name]

    def test_price(self):
        self.assertEqual(self.catalog["apple"], 3)

    def test_through_helper(self):
        self.assertEqual(self.lookup("apple"), 3)

    def test_passes_self_along(self):
        check_catalog(self)


class TestWithPatch(unittest.TestCase):
    def setUp(self):
        self.patcher = mock.patch("os.getcwd", return_value="/")
        self.patcher.start()

    def test_relies_on_patch(self):
        import os

        self.assertEqual(os.getcwd(), "/")


class TestInherited(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.shared = 1

    def setUp(self):
        self.local = 2

    def test_shared(self):
        self.assertEqual(self.shared, 1)


def check_catalog(case):
    case.assertIn("apple", case.catalog)
