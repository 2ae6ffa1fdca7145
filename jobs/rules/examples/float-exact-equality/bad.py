import unittest


def mean(values):
    return sum(values) / len(values)


def test_mean():
    assert mean([0.1, 0.2]) * 2 == 0.3  # [float-exact-equality]


def test_share():
    share = 1 / 3
    assert share == 0.333  # [float-exact-equality]


class TestMean(unittest.TestCase):
    def test_sum(self):
        self.assertEqual(sum([0.1, 0.2]), 0.3)  # [float-exact-equality]
