import unittest

import pytest

from shop.parse import ParseError, parse_items, parse_price


def test_legacy_form():
    pytest.raises(ParseError, parse_price, "abc")  # [raises-form-issues]


def test_list_in_message():
    with pytest.raises(ParseError, match="expected one of [1, 2]"):  # [raises-form-issues]
        parse_items("[3]")


def test_union_in_message():
    with pytest.raises(TypeError, match="expected int | None"):  # [raises-form-issues]
        parse_price(3.5)


def test_question_in_message():
    with pytest.raises(ParseError, match="did you mean 'price'?"):  # [raises-form-issues]
        parse_price("prise")


class TestParse(unittest.TestCase):
    def test_regex_argument(self):
        with self.assertRaisesRegex(ParseError, "bad item (qty)"):  # [raises-form-issues]
            parse_items("pen:-1")
