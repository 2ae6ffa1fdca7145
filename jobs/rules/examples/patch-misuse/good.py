from unittest import mock
from unittest.mock import patch

from shop.orders import Order, checkout


def test_checkout_uses_rate():
    with patch("shop.orders.current_rate", return_value=1.2):
        assert checkout(Order(total=10)).total == 12


def test_lambda_uses_its_argument():
    with patch("shop.orders.convert", lambda amount: amount * 2):
        assert checkout(Order(total=10)).total == 20


def test_side_effect_lambda(mocker):
    mocker.patch("shop.orders.now", side_effect=lambda: 0)
    assert checkout(Order(total=1)).created == 0


def test_monkeypatch_is_not_patch(monkeypatch):
    monkeypatch.setattr("shop.orders.now", lambda: 0)
    assert checkout(Order(total=1)).created == 0


@patch("shop.orders.mailer")
@patch("shop.orders.gateway")
@mock.patch("shop.orders.inventory")
def test_three_patches_are_fine(inventory, gateway, mailer):
    checkout(Order(total=5))
    gateway.charge.assert_called_once_with(5)
