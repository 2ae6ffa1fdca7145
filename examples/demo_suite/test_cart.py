"""A small suite with the usual mistakes, to show what `llt analyze` reports."""

import time

import pytest


def add_item(cart, price):
    cart["items"].append(price)
    cart["total"] += price
    return cart


def test_add_item(cart):
    add_item(cart, 5)
    assert cart["total"] == 5
    assert True


def test_add_two_items(cart):
    add_item(cart, 5)
    add_item(cart, 7)
    assert len(cart["items"]) >= 0


def test_total_is_computed(cart):
    result = add_item(cart, 3)


def test_checkout_waits(cart):
    add_item(cart, 1)
    time.sleep(0.5)
    assert cart["total"] == 1
    assert cart["total"] == 1


def test_discount_rounding():
    price = 0.1 + 0.2
    assert price == 0.3


def test_rejects_negative_price(cart):
    try:
        add_item(cart, -1)
    except Exception:
        pass


def test_payment_token():
    token = "sk-live-4f9a8b7c6d5e4f3a2b1c0d9e"
    assert token.startswith("sk-")


class TestCartTotals:
    def test_totals(self, cart):
        snapshot = dict(cart)
        assert (cart["total"] == 0, "empty cart has no total")

    def test_not_written(self):
        pass


@pytest.mark.parametrize("price", [1, 2, 2])
def test_prices(cart, price):
    assert add_item(cart, price)["total"] == price
