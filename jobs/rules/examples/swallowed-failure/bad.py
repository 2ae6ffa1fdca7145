import logging
import unittest

import pytest

from shop.orders import Order, submit

log = logging.getLogger(__name__)


def test_total_is_rounded():
    order = Order(items=[("pen", 1.005)])
    try:
        assert order.total == 1.01  # [swallowed-failure]
    except AssertionError:
        log.warning("rounding differs on this platform")


def test_submit_does_not_crash():
    try:
        submit(Order(items=[]))
    except Exception:  # [swallowed-failure]
        pass


def test_expects_rejection():
    try:
        submit(Order(items=None))
        assert False, "submit should reject a missing item list"  # [swallowed-failure]
    except Exception:
        pass


def test_checks_become_skips():
    order = Order(items=[("pen", 2)])
    try:
        assert order.total == 2
    except Exception:  # [swallowed-failure]
        pytest.skip("totals not supported here")


class TestRefund(unittest.TestCase):
    def test_refund(self):
        order = Order(items=[("pen", 2)])
        for _ in range(2):
            try:
                self.assertEqual(order.refund(), 2)  # [swallowed-failure]
            except:
                continue
