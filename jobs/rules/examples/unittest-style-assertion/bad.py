import unittest
from unittest import TestCase


def total(values):
    return sum(values)


class TestTotal:
    def test_total(self):
        self.assertEqual(total([1, 2]), 3)  # [unittest-style-assertion]


checker = TestCase()


def test_total_function():
    case = unittest.TestCase()
    case.assertEqual(total([1, 2]), 3)  # [unittest-style-assertion]
    checker.assertIn(3, [total([1, 2])])  # [unittest-style-assertion]
