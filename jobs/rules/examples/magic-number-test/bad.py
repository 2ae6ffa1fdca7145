def price(quantity):
    return quantity * 1054 + 3


def test_price():
    assert price(4) == 4219  # [magic-number-test]


def test_discount():
    total = price(2) * 0.85
    assert total > 1794.3  # [magic-number-test]
