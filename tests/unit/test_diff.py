"""`changed_lines`: the new-side lines a unified diff adds or changes in one file."""

from __future__ import annotations

import pytest

from jobs.engine.diff import changed_lines
from jobs.errors import InputError

ADDITION = """\
--- a/tests/test_a.py
+++ b/tests/test_a.py
@@ -1,3 +1,5 @@
 import pytest
+import os
+
 def test_a():
     assert 1
"""


def test_added_lines_are_numbered_on_the_new_side() -> None:
    # Context line 1 stays; the two added lines become lines 2 and 3.
    assert changed_lines(ADDITION, "tests/test_a.py") == {2, 3}


def test_a_changed_line_is_the_added_replacement() -> None:
    diff = """\
--- a/test_a.py
+++ b/test_a.py
@@ -10,3 +10,3 @@ def test_a():
     x = 1
-    assert x == 2
+    assert x == 1
     y = 2
"""
    assert changed_lines(diff, "test_a.py") == {11}


def test_a_pure_deletion_touches_the_line_now_standing_where_it_was() -> None:
    diff = """\
--- a/test_a.py
+++ b/test_a.py
@@ -4,4 +4,2 @@
 def test_a():
-    setup()
-    print("debug")
     assert run()
"""
    # Lines 5 and 6 were removed; what was line 7 is now line 5.
    assert changed_lines(diff, "test_a.py") == {5}


def test_every_hunk_counts_from_its_own_header() -> None:
    diff = """\
--- a/test_a.py
+++ b/test_a.py
@@ -2,2 +2,3 @@
 a
+b
 c
@@ -20,2 +21,3 @@
 x
+y
 z
\\ No newline at end of file
"""
    assert changed_lines(diff, "test_a.py") == {3, 22}


MULTI = """\
diff --git a/conftest.py b/conftest.py
index 1111111..2222222 100644
--- a/conftest.py
+++ b/conftest.py
@@ -1,2 +1,3 @@
 import pytest
+X = 1
 Y = 2
diff --git a/tests/conftest.py b/tests/conftest.py
index 3333333..4444444 100644
--- a/tests/conftest.py
+++ b/tests/conftest.py
@@ -10,3 +10,4 @@
 a
+b
+c
 d
diff --git a/tests/test_x.py b/tests/test_x.py
--- a/tests/test_x.py
+++ b/tests/test_x.py
@@ -30,2 +30,3 @@
 p
+q
 r
"""


def test_a_multi_file_diff_yields_only_the_section_of_the_requested_path() -> None:
    assert changed_lines(MULTI, "tests/test_x.py") == {31}
    assert changed_lines(MULTI, "tests/conftest.py") == {11, 12}
    assert changed_lines(MULTI, "conftest.py") == {2}


def test_the_nearest_section_wins_for_absolute_or_windows_paths() -> None:
    # `conftest.py` must not also claim `tests/conftest.py` because one name ends the other.
    assert changed_lines(MULTI, "/home/dev/repo/tests/conftest.py") == {11, 12}
    assert changed_lines(MULTI, "C:\\repo\\tests\\test_x.py") == {31}


def test_a_name_ending_another_name_without_a_slash_is_a_different_file() -> None:
    diff = """\
--- a/x.py
+++ b/x.py
@@ -1,1 +1,2 @@
 a
+b
--- a/test_x.py
+++ b/test_x.py
@@ -5,1 +5,2 @@
 c
+d
"""
    assert changed_lines(diff, "test_x.py") == {6}
    assert changed_lines(diff, "x.py") == {2}


def test_a_diff_without_file_headers_applies_to_the_file_it_comes_with() -> None:
    diff = "@@ -1,2 +1,3 @@\n a\n+b\n c\n"
    assert changed_lines(diff, "tests/test_any.py") == {2}


def test_a_diff_with_no_hunk_is_an_input_error_naming_the_file() -> None:
    with pytest.raises(InputError, match=r"tests/test_a\.py: git_diff is not a unified diff"):
        changed_lines("--- a/tests/test_a.py\n+++ b/tests/test_a.py\n", "tests/test_a.py")
    with pytest.raises(InputError):
        changed_lines("just some text", "test_a.py")
