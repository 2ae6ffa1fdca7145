import pytest

from shop.orders import Order, OrderError


def test_cancel_twice():
    order = Order()
    order.cancel()
    try:  # [exception-handling]
        order.cancel()
    except OrderError:
        pass
    assert order.cancelled


def test_guard():
    order = Order()
    if order.total < 0:
        raise ValueError("negative total")  # [exception-handling]
    assert order.total == 0
