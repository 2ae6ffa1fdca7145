"""git_diff narrowing in the static half: which findings a diff keeps."""

from __future__ import annotations

from jobs.contracts import FileInput
from jobs.engine.config import EngineConfig
from jobs.pipeline import analyze_static

CHANGED = """\
def test_touched():
    assert True


def test_untouched():
    assert True
"""
OTHER = """\
import pytest


@pytest.fixture
def unused():
    return 1


def test_other():
    assert True
"""
DIFF = "--- a/tests/test_a.py\n+++ b/tests/test_a.py\n@@ -2,1 +2,1 @@\n-    assert 1\n+    assert True\n"


def test_a_diff_keeps_its_touched_tests_and_every_finding_of_files_without_one() -> None:
    files = [
        FileInput(path="tests/test_a.py", content=CHANGED, git_diff=DIFF),
        FileInput(path="tests/test_b.py", content=OTHER),
        FileInput(
            path="tests/test_c.py", content="def test_x(:\n", git_diff=DIFF.replace("test_a", "test_c")
        ),
    ]
    result = analyze_static(files, EngineConfig())
    found = {(i.file_path, i.line, i.code) for i in result.issues}
    assert ("tests/test_a.py", 2, "trivial-assertion") in found
    assert ("tests/test_a.py", 6, "trivial-assertion") not in found  # in a test the diff does not touch
    assert ("tests/test_b.py", 5, "unused-fixture") in found  # no diff: the whole file is reported
    assert ("tests/test_b.py", 10, "trivial-assertion") in found
    assert any(path == "tests/test_c.py" and code == "syntax-error" for path, _, code in found)
    assert result.touched == {
        ("tests/test_a.py", "test_touched"),
        ("tests/test_b.py", "test_other"),
    }
