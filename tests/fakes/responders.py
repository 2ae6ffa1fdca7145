"""Answers for the fake LLM that behave like a (very) small reviewer, so findings are predictable.

`reviewer_responder` reads the numbered test under review from our prompt and reports:
- assertions review: `weak-assertion` on a line asserting only `is not None` or bare truthiness;
- design review: `sleepy-test` on a `time.sleep(...)` line, `shared-state-leak` on a `global` line,
  and `mergeable-tests` on the `def` line when the prompt shows a similar test.
Line numbers are the prompt's (1 = first decorator), as the real contract asks.
"""

from __future__ import annotations

import json
import re
from typing import Any

NUMBERED = re.compile(r"^\s*(\d+) \| (.*)$")


def _user_text(request: dict[str, Any]) -> str:
    users = [m for m in request.get("messages", []) if m.get("role") == "user"]
    content = users[-1].get("content", "") if users else ""
    return content if isinstance(content, str) else ""


def _numbered(text: str) -> list[tuple[int, str]]:
    """Numbered lines of the first code block only (the test under review)."""
    lines: list[tuple[int, str]] = []
    for raw in text.splitlines():
        match = NUMBERED.match(raw)
        if match:
            lines.append((int(match.group(1)), match.group(2).strip()))
        elif lines and raw.startswith("CODE "):
            break
    return lines


def _finding(code: str, line: int, message: str) -> dict[str, Any]:
    return {"code": code, "line": line, "severity": "warning", "message": message,
            "suggestion": "see the rule docs", "confidence": 0.9}  # fmt: skip


def _assertion_findings(lines: list[tuple[int, str]]) -> list[dict[str, Any]]:
    found = []
    for number, text in lines:
        if text.startswith("assert ") and (
            text.endswith("is not None") or re.fullmatch(r"assert [\w.\[\]\"'()]+", text)
        ):
            found.append(_finding("weak-assertion", number, "the check accepts almost any value"))
    return found


def _design_findings(text: str, lines: list[tuple[int, str]]) -> list[dict[str, Any]]:
    found = []
    for number, line in lines:
        if "time.sleep(" in line:
            found.append(_finding("sleepy-test", number, "a fixed sleep stands in for synchronisation"))
        if line.startswith("global "):
            found.append(_finding("shared-state-leak", number, "module state shared between tests"))
    if "similar test `" in text:
        other = text.split("similar test `", 1)[1].split("`", 1)[0]
        def_line = next((n for n, line in lines if line.startswith(("def ", "async def "))), 1)
        found.append(_finding("mergeable-tests", def_line, f"could be one parametrized test with {other}"))
    return found


def reviewer_responder(request: dict[str, Any]) -> str:
    text = _user_text(request)
    lines = _numbered(text)
    if text.startswith("Review the ASSERTIONS"):
        findings = _assertion_findings(lines)
    else:
        findings = _design_findings(text, lines)
    return json.dumps({"findings": findings})
