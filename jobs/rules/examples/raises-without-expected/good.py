import pytest

from shop.config import load_config
from shop.parse import ParseError, parse_price


def test_rejects_garbage():
    with pytest.raises(ParseError):
        parse_price("abc")


def test_match_only():
    with pytest.raises(match="invalid price"):
        parse_price("abc")


def test_check_only():
    with pytest.raises(check=lambda e: isinstance(e, ParseError)):
        parse_price("abc")


def test_keyword_class():
    with pytest.raises(expected_exception=ParseError):
        parse_price("abc")


def test_warns_with_match():
    with pytest.warns(match="legacy"):
        load_config({"legacy": True})


def test_outer_warns_absorbs_reemitted_warnings():
    with pytest.warns():
        with pytest.raises(ParseError):
            parse_price("abc")


def test_record_is_inspected():
    with pytest.warns() as record:
        load_config({"legacy": True})
    assert [str(w.message) for w in record] == ["legacy option"]
