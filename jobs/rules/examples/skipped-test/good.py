import sys

import pytest


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths only")
def test_paths():
    assert "/".join(["a", "b"]) == "a/b"


def test_optional_dependency():
    numpy = pytest.importorskip("numpy")
    assert numpy.zeros(1)[0] == 0


def test_guarded():
    if sys.version_info < (3, 11):
        pytest.skip("needs 3.11")
    assert sys.version_info >= (3, 11)
