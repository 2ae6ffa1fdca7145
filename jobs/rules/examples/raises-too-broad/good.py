import unittest
import warnings

import pytest

from shop.config import load_config
from shop.parse import ParseError, parse_price


def test_specific_class():
    with pytest.raises(ParseError):
        parse_price("abc")


def test_broad_with_match():
    with pytest.raises(Exception, match="invalid price 'abc'"):
        parse_price("abc")


def test_broad_but_inspected():
    with pytest.raises(Exception) as exc_info:
        parse_price("abc")
    assert exc_info.type.__name__ == "ParseError"


def test_broad_with_check():
    with pytest.raises(Exception, check=lambda e: "abc" in str(e)):
        parse_price("abc")


def test_deprecation_with_match():
    with pytest.warns(DeprecationWarning, match="legacy"):
        load_config({"legacy": True})


def test_the_warning_is_emitted_by_the_test():
    with pytest.warns(Warning):
        warnings.warn("plain", Warning)


def test_acknowledged():
    with pytest.raises(Exception):  # noqa: B017
        parse_price(None)


def test_pytest_outcome_is_specific():
    with pytest.raises(pytest.fail.Exception):
        pytest.fail("boom")


class TestConfig(unittest.TestCase):
    def test_missing_file(self):
        with self.assertRaises(Exception) as cm:
            load_config("/nonexistent")
        self.assertIn("nonexistent", str(cm.exception))

    def test_regex(self):
        self.assertRaisesRegex(Exception, "nonexistent", load_config, "/nonexistent")


def test_outer_warns_absorbs_reemitted_warnings():
    with pytest.warns(DeprecationWarning):
        with pytest.warns(UserWarning, match="legacy"):
            load_config({"legacy": True})


def test_empty_block_fails_on_purpose():
    with pytest.raises(pytest.fail.Exception, match="DID NOT WARN"):
        with pytest.warns(UserWarning):
            pass
