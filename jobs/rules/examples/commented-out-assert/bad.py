import unittest
from unittest import mock


def total(values):
    return sum(values)


def test_total():
    values = [1, 2]
    assert total(values) == 3
    # assert total([]) == 0  # [commented-out-assert]


class TestTotal(unittest.TestCase):
    def test_total(self):
        sender = mock.Mock()
        sender.send(total([1]))
        # self.assertEqual(total([1, 1]), 2)  # [commented-out-assert]
        # sender.send.assert_called_once_with(1)  # [commented-out-assert]
        self.assertTrue(sender.send.called)
