import re

import pytest

from shop.parse import ParseError, parse_items, parse_price


def test_context_manager_form():
    with pytest.raises(ParseError):
        parse_price("abc")


def test_raw_and_escaped():
    with pytest.raises(ParseError, match=r"expected one of \[1, 2\]"):
        parse_items("[3]")


def test_re_escape():
    with pytest.raises(ParseError, match=re.escape("expected one of [1, 2]")):
        parse_items("[3]")


def test_intentional_regex():
    with pytest.raises(ParseError, match="^invalid price: .*$"):
        parse_price("abc")


def test_character_class_on_purpose():
    with pytest.raises(ParseError, match="[Ii]nvalid price"):
        parse_price("abc")


def test_plain_text():
    with pytest.raises(ParseError, match="invalid price 'abc'"):
        parse_price("abc")


def test_dot_is_harmless():
    with pytest.raises(ParseError, match="price must be > 0.0"):
        parse_price("-1")
