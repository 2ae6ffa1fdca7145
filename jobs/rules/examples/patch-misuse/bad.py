from unittest import mock
from unittest.mock import patch

from shop.orders import Order, checkout


def test_checkout_uses_rate():
    with patch("shop.orders.current_rate", lambda *args, **kwargs: 1.2):  # [patch-misuse]
        assert checkout(Order(total=10)).total == 12


def test_checkout_clock(mocker):
    mocker.patch("shop.orders.now", new=lambda: 0)  # [patch-misuse]
    assert checkout(Order(total=1)).created == 0


@patch("shop.orders.audit")
@patch("shop.orders.mailer")
@patch("shop.orders.gateway")
@mock.patch("shop.orders.inventory")
def test_checkout_everything(inventory, gateway, mailer, audit):  # [patch-misuse]
    checkout(Order(total=5))
    gateway.charge.assert_called_once_with(5)
