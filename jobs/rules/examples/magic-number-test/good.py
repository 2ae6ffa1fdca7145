UNIT_CENTS = 1054


def price(quantity):
    return quantity * UNIT_CENTS + 3


def test_price_derived():
    assert price(4) == 4 * UNIT_CENTS + 3


def test_small_numbers():
    assert price(0) == 3


def test_echoed_input():
    order = {"quantity": 250}
    assert order["quantity"] == 250


def test_status(client=None):
    response = type("R", (), {"status_code": 404})()
    assert response.status_code == 404


def test_length():
    assert len("x" * 12) == 12
