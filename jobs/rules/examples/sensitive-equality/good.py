import pytest


class Money:
    def __init__(self, amount, currency):
        self.amount = amount
        self.currency = currency

    def __repr__(self):
        return f"Money({self.amount}, {self.currency!r})"


def test_add_fields():
    total = Money(3, "EUR")
    assert total.amount == 3
    assert total.currency == "EUR"


def test_repr():
    # rendering is the behaviour under test here
    assert repr(Money(3, "EUR")) == "Money(3, 'EUR')"


def test_rejects_bad_amount():
    with pytest.raises(ValueError) as excinfo:
        raise ValueError("bad amount")
    assert repr(excinfo.value) == "ValueError('bad amount')"


def test_url_string_is_canonical():
    # str() of a value object (URL, Version, Path) is its canonical form
    url = "https://example.com"
    assert str(url) == "https://example.com"
