from unittest.mock import MagicMock

from shop.orders import Order, checkout


def test_checkout_charges_card_and_marks_paid():
    gateway = MagicMock()
    order = Order(total=10)
    checkout(order, gateway)
    gateway.charge.assert_called_once_with(10)
    assert order.status == "paid"


def test_only_state():
    order = Order(total=0)
    checkout(order, MagicMock())
    assert order.status == "free"
