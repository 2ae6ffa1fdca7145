import json
from unittest import mock

import pytest


def check_roundtrip(value):
    assert json.loads(json.dumps(value)) == value


def test_roundtrip_via_helper():
    check_roundtrip({"a": 1})


def test_raises_is_a_check():
    with pytest.raises(ValueError):
        int("x")


def test_mock_assertion_is_a_check():
    sender = mock.Mock()
    sender.send("hi")
    sender.send.assert_called_once_with("hi")


def test_nested_helper():
    def verify(x):
        assert x > 0

    verify(len("abc"))


def test_numpy_style_helper():
    import numpy.testing as npt

    npt.assert_allclose([1.0], [1.0])


def test_pytester_lines(pytester):
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["*passed*"])


@pytest.mark.xfail(raises=ZeroDivisionError)
def test_xfail_with_raises():
    1 / 0


class TestWithUnknownBase(SomeProjectBase):  # noqa: F821
    def test_inherited_helper(self):
        self.check_payload({"id": 1})
