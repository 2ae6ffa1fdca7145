import sys


def test_parse_one():
    assert int("1") == 1


def test_parse_two():
    assert int("2") == 2


class TestUser:
    def test_name(self):
        assert "ada".title() == "Ada"


class TestAdmin:
    def test_name(self):
        assert "root".upper() == "ROOT"


if sys.platform == "win32":

    def test_path():
        assert "\\" in "a\\b"

else:

    def test_path():
        assert "/" in "a/b"
