import sys

import pytest


def test_build_data():
    rows = []
    for n in range(3):
        rows.append(n * 2)
    assert rows == [0, 2, 4]


def test_guarded():
    if sys.platform == "win32":
        pytest.skip("POSIX only")
    assert "/".join(["a", "b"]) == "a/b"


def test_comprehension():
    squares = [n * n for n in range(3)]
    assert squares == [0, 1, 4]


def test_branch_builds_data():
    if sys.platform == "win32":
        separator = "\\"
    else:
        separator = "/"
    assert separator.join(["a", "b"]).startswith("a")
