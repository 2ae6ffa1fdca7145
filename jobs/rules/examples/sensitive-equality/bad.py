import unittest


class Money:
    def __init__(self, amount, currency):
        self.amount = amount
        self.currency = currency

    def __repr__(self):
        return f"Money({self.amount}, {self.currency!r})"


def add(a, b):
    return Money(a.amount + b.amount, a.currency)


def test_add():
    total = add(Money(1, "EUR"), Money(2, "EUR"))
    assert repr(total) == "Money(3, 'EUR')"  # [sensitive-equality]


def test_add_fstring():
    total = add(Money(1, "EUR"), Money(2, "EUR"))
    assert f"{total.amount} {total.currency}" == "3 EUR"  # [sensitive-equality]


class TestMoney(unittest.TestCase):
    def test_add(self):
        total = add(Money(1, "EUR"), Money(2, "EUR"))
        self.assertEqual(total.__repr__(), "Money(3, 'EUR')")  # [sensitive-equality]
