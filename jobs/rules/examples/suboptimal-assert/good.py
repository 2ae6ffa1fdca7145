import unittest


def lookup(key):
    return {"a": 1}.get(key)


def test_missing_key():
    assert lookup("zz") is None


def test_false_not_none():
    # `is False` deliberately tells False from None and 0: never rewritten to `not x`
    assert (lookup("a") == 2) is False


def test_eq_with_none_is_the_subject():
    # tests of the comparison operators compare with None on purpose
    assert lookup("a") != None


class TestLookup(unittest.TestCase):
    def test_equal(self):
        self.assertEqual(lookup("a"), 1)

    def test_not_equal_uses_eq(self):
        # assertNotEqual would call __ne__; assertFalse(a == b) exercises __eq__
        self.assertFalse(lookup("a") == 2)

    def testInequality(self):
        self.assertTrue(lookup("a") != 2)
