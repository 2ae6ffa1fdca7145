import unittest
import warnings

import pytest

from shop.config import load_config
from shop.parse import parse_price


def test_rejects_garbage():
    with pytest.raises(Exception):  # [raises-too-broad]
        parse_price("abc")


def test_rejects_empty_tuple_form():
    with pytest.raises((ValueError, BaseException)):  # [raises-too-broad]
        parse_price("")


def test_call_form():
    pytest.raises(Exception, parse_price, "--")  # [raises-too-broad]


def test_old_option_warns():
    with pytest.warns(DeprecationWarning):  # [raises-too-broad]
        load_config({"legacy": True})


class TestConfig(unittest.TestCase):
    def test_missing_file(self):
        with self.assertRaises(Exception):  # [raises-too-broad]
            load_config("/nonexistent")
