import unittest

import pytest


def test_parse_rejects_garbage():
    with pytest.raises(ValueError):
        int("x")


def test_unreachable_branch():
    mode = "fast"
    if mode not in {"fast", "slow"}:
        pytest.fail(f"unknown mode {mode}")


def test_flag_is_false_not_none():
    flag = bool(0)
    assert flag is False


def helper_never_called():
    # not a test: its asserts are out of scope
    assert False


class TestLoader(unittest.TestCase):
    def test_loader(self):
        loaded = {"a": 1}
        if "a" not in loaded:
            self.fail("key a missing")
