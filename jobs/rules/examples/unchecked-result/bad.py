import unittest

import pytest

from shop.cli import main
from shop.parse import ParseError, parse_price


def test_rejects_garbage():
    with pytest.raises(ParseError) as exc_info:  # [unchecked-result]
        parse_price("abc")


def test_prints_summary(capsys):
    main(["summary"])
    out, err = capsys.readouterr()  # [unchecked-result]


def test_prints_help(capfd):
    main(["--help"])
    capfd.readouterr()  # [unchecked-result]


class TestParse(unittest.TestCase):
    def test_negative(self):
        with self.assertRaises(ValueError) as cm:  # [unchecked-result]
            parse_price("-1")
