import unittest


def lookup(key):
    return {"a": 1}.get(key)


def test_missing_key():
    assert lookup("zz") == None  # [suboptimal-assert]


def test_flag():
    enabled = lookup("a") == 1
    assert enabled == True  # [suboptimal-assert]


class TestLookup(unittest.TestCase):
    def test_value(self):
        self.assertTrue(lookup("a") == 1)  # [suboptimal-assert]

    def test_missing(self):
        self.assertEqual(lookup("zz"), None)  # [suboptimal-assert]

    def test_membership(self):
        self.assertTrue("a" in {"a": 1})  # [suboptimal-assert]

    def test_type(self):
        self.assertTrue(isinstance(lookup("a"), int))  # [suboptimal-assert]

    def test_absent(self):
        self.assertFalse(lookup("zz") is not None)  # [suboptimal-assert]
