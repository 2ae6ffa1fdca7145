"""Which lines of a file a unified diff touches, on the new side."""

from __future__ import annotations

import re

from jobs.errors import InputError

HUNK_RE = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def _sections(diff: str) -> dict[str, list[str]]:
    """Lines of each file section, keyed by the `+++` path ('' when the diff has no headers)."""
    sections: dict[str, list[str]] = {}
    current = ""
    for line in diff.splitlines():
        if line.startswith("+++ "):
            path = line[4:].split("\t", 1)[0].strip()
            current = path[2:] if path.startswith(("a/", "b/")) else path
            sections.setdefault(current, [])
            continue
        sections.setdefault(current, []).append(line)
    return sections


def _lines_of(section: list[str]) -> set[int]:
    touched: set[int] = set()
    new_line = 0
    in_hunk = False
    for line in section:
        match = HUNK_RE.match(line)
        if match:
            new_line, in_hunk = int(match.group(1)), True
            continue
        if not in_hunk or line.startswith(("--- ", "diff ", "index ")):
            continue
        if line.startswith("+"):
            touched.add(new_line)
            new_line += 1
        elif line.startswith("-"):
            touched.add(max(new_line, 1))  # a deletion touches the line now standing there
        elif line.startswith("\\"):
            continue
        else:
            new_line += 1
    return touched


def changed_lines(diff: str, path: str) -> set[int]:
    """New-side line numbers that `diff` adds or changes in `path` (any section if none names it)."""
    if "@@" not in diff:
        raise InputError(f"{path}: git_diff is not a unified diff (no @@ hunk header)")
    sections = _sections(diff)
    normalised = path.replace("\\", "/")
    # The section naming this very file: the longest name that ends `path` at a `/` boundary, so
    # `conftest.py` does not also claim `tests/conftest.py`, nor `x.py` claim `test_x.py`.
    named = [n for n in sections if n and (normalised == n or normalised.endswith("/" + n))]
    chosen = [sections[max(named, key=len)]] if named else list(sections.values())
    touched: set[int] = set()
    for section in chosen:
        touched |= _lines_of(section)
    return touched
