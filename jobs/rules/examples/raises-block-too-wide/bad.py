import unittest

import pytest

from shop.orders import Order, OrderError


def test_cancel_twice():
    with pytest.raises(OrderError):  # [raises-block-too-wide]
        order = Order(items=[("pen", 1)])
        order.cancel()
        order.cancel()


def test_cancel_state_is_checked_too_late():
    order = Order(items=[("pen", 1)])
    with pytest.raises(OrderError):
        order.cancel(reason=None)
        assert order.status == "open"  # [raises-block-too-wide]


def test_loop_inside():
    with pytest.raises(OrderError):  # [raises-block-too-wide]
        for qty in (1, 0, -1):
            Order(items=[("pen", qty)]).validate()


class TestOrders(unittest.TestCase):
    def test_refund(self):
        with self.assertRaises(OrderError):  # [raises-block-too-wide]
            order = Order(items=[])
            order.refund()


def test_expected_assertion_still_too_wide():
    with pytest.raises(AssertionError):  # [raises-block-too-wide]
        order = Order()
        order.check()
        assert order.total == 1
