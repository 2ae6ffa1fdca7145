import unittest


def test_sum():
    values = [85, 38]
    assert sum(values) == 123
    assert max(values) == 85
    assert sum(values) == 123  # [redundant-assertion]


class TestText(unittest.TestCase):
    def test_upper(self):
        self.assertEqual("a".upper(), "A")
        self.assertEqual("a".upper(), "A")  # [redundant-assertion]
