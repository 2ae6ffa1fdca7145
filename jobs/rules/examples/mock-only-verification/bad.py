from unittest.mock import MagicMock

from shop.orders import Order, checkout


def test_checkout_charges_card():  # [mock-only-verification]
    gateway = MagicMock()
    checkout(Order(total=10), gateway)
    gateway.charge.assert_called_once_with(10)
    assert gateway.refund.call_count == 0
