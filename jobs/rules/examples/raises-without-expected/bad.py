import pytest

from shop.config import load_config
from shop.parse import parse_price


def test_rejects_garbage():
    with pytest.raises():  # [raises-without-expected]
        parse_price("abc")


def test_old_option_warns():
    with pytest.warns():  # [raises-without-expected]
        load_config({"legacy": True})
