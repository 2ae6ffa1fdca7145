import logging
import sys

import pytest

from shop.parse import ParseError, parse_price


def test_rejects_letters():
    with pytest.raises(ParseError, match="abc"):
        parse_price("abc")


def test_wraps_errors_into_a_readable_failure():
    try:
        parse_price("1.00")
    except ParseError as exc:
        raise AssertionError(f"valid price rejected: {exc}") from exc


def test_handler_inspects_live_state():
    try:
        parse_price("abc")
    except ParseError as exc:
        assert sys.exc_info()[1] is exc


def test_logging_inside_handler(caplog):
    try:
        parse_price("abc")
    except ParseError as exc:
        logging.exception("bad price")
        assert exc.position == 0
    assert "bad price" in caplog.text


def test_fallback_assertion():
    try:
        assert parse_price("1") == 1
    except AssertionError as exc:
        assert "1.0" in str(exc)
