import unittest

import pytest


def test_parse_rejects_garbage():
    try:
        int("x")
    except ValueError:
        return
    assert False, "int() accepted garbage"  # [fail-idiom]


def test_unreachable_branch():
    mode = "fast"
    if mode not in {"fast", "slow"}:
        assert 0  # [fail-idiom]
    if mode == "broken":
        pytest.fail()  # [fail-idiom]


class TestLoader(unittest.TestCase):
    def test_loader(self):
        loaded = {"a": 1}
        if "a" not in loaded:
            self.fail()  # [fail-idiom]
        if loaded["a"] != 1:
            assert False, "wrong value"  # [fail-idiom]
