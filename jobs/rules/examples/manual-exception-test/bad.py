import unittest

import pytest

from shop.parse import ParseError, parse_price


def test_rejects_letters():
    try:  # [manual-exception-test]
        parse_price("abc")
        pytest.fail("expected ParseError")
    except ParseError:
        pass


def test_error_names_the_input():
    try:  # [manual-exception-test]
        parse_price("12,5,0")
    except ParseError as exc:
        assert "12,5,0" in str(exc)


def test_else_clause():
    try:  # [manual-exception-test]
        parse_price("")
    except ParseError as exc:
        assert exc.position == 0
    else:
        pytest.fail("expected ParseError")


class TestParse(unittest.TestCase):
    def test_negative(self):
        try:  # [manual-exception-test]
            parse_price("-1")
            self.fail("negative prices are rejected")
        except ValueError:
            pass
