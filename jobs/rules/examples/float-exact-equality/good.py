import pytest


class Model:
    def __init__(self, x):
        self.x = x


def mean(values):
    return sum(values) / len(values)


def test_mean_approx():
    assert mean([0.1, 0.2]) == pytest.approx(0.15)


def test_stored_value_is_exact():
    assert Model(x=0.1).x == 0.1


def test_representable_half():
    assert mean([0.25, 0.75]) == 0.5


def test_parsed():
    assert float("0.1") == 0.1


def test_literal_arithmetic():
    assert 0.5 + 0.25 == 0.75
