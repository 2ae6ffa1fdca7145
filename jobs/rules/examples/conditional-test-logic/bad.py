import sys


def test_parse_all():
    for text, expected in [("1", 1), ("2", 2)]:  # [conditional-test-logic]
        assert int(text) == expected


def test_platform_result():
    result = "/".join(["a", "b"])
    if sys.platform == "win32":  # [conditional-test-logic]
        assert result == "a\\b"
    else:
        assert result == "a/b"
