"""Turn an LLM answer into findings: tolerant of form, strict about content.

Tolerant: code fences, prose around the JSON, a bare list, `issues` instead of `findings`, and the
usual synonyms of field names are accepted. Strict: every item is decoded with msgspec into a typed
struct; an item with an unknown code, no message, a line that is not a number or a confidence below
the threshold is dropped and counted, never trusted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import msgspec

from jobs.contracts import SEVERITIES, QualityIssue, Suggestion
from jobs.llm.prompt import ALLOWED_CODES, DEFAULT_SEVERITY, ReviewRequest
from jobs.rules import REGISTRY

FENCE_RE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
KEY_SYNONYMS = {
    "rule": "code", "type": "code", "id": "code", "smell": "code", "category": "code",
    "line_number": "line", "lineno": "line", "start_line": "line",
    "description": "message", "reason": "message", "explanation": "message", "issue": "message",
    "fix": "suggestion", "recommendation": "suggestion", "suggested_fix": "suggestion",
    "score": "confidence",
}  # fmt: skip
MAX_MESSAGE = 400
MERGEABLE = "mergeable-tests"
# Any code a review may report (an answer to one question may still name a smell of the other).
KNOWN_CODES = frozenset(code for codes in ALLOWED_CODES.values() for code in codes)
# Names other tools, older services and models use for smells we know under another code.
CODE_ALIASES = {
    **{a.lower(): r.code for r in REGISTRY.values() for a in r.aliases if r.code in KNOWN_CODES},
    "many-assertions": "assertion-roulette",
    "too-many-assertions": "assertion-roulette",
    "similar-tests": MERGEABLE,
    "duplicate-tests": MERGEABLE,
    "mergeable": MERGEABLE,
    "parametrize-candidate": MERGEABLE,
    "timing-dependency": "sleepy-test",
    "sleep": "sleepy-test",
    "global-state": "shared-state-leak",
    "order-dependency": "order-dependent-test",
    "test-order-dependency": "order-dependent-test",
    "excessive-mocking": "over-mocking",
    "weak-assert": "weak-assertion",
    "no-assertion": "missing-assertion",
    "missing-assert": "missing-assertion",
    "tautology": "self-fulfilling-oracle",
}


class AnswerFinding(msgspec.Struct, kw_only=True):
    """One finding as the model states it (line numbered within the test under review)."""

    code: str
    line: int
    message: str
    severity: str | None = None
    suggestion: str | None = None
    confidence: float = 1.0


class MalformedAnswerError(ValueError):
    """The answer holds no JSON we can read."""


@dataclass(frozen=True, slots=True)
class ParsedAnswer:
    issues: list[QualityIssue]
    dropped: int


def extract_json(text: str) -> Any:
    """The first JSON value in `text`: whole, inside a code fence, or embedded in prose."""
    candidates = [text.strip(), *(m.group(1).strip() for m in FENCE_RE.finditer(text))]
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    decoder = json.JSONDecoder()
    for match in re.finditer(r"[\[{]", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        # Prose may hold lists of its own ("lines [3, 4]"): a list of findings holds only objects.
        if isinstance(value, dict) or (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            return value
    raise MalformedAnswerError("the answer holds no JSON object")


def _items(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in ("findings", "issues", "results", "problems"):
            if isinstance(value.get(key), list):
                return list(value[key])
        if "code" in value or "rule" in value:
            return [value]
        if not value:
            return []
    raise MalformedAnswerError("the answer has no list of findings")


def _normalise(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    out: dict[str, Any] = {}
    for key, val in item.items():
        out.setdefault(KEY_SYNONYMS.get(str(key).lower(), str(key).lower()), val)
    return out


def _to_issue(finding: AnswerFinding, request: ReviewRequest) -> QualityIssue:
    line = request.first_line + finding.line - 1
    if not request.first_line <= line <= request.last_line:
        line = request.test.line  # the model misnumbered: anchor on the def line
    severity = (
        finding.severity if finding.severity in SEVERITIES else DEFAULT_SEVERITY.get(finding.code, "warning")
    )
    text = request.module.line_text(line)
    suggestion = None
    if finding.suggestion and finding.suggestion.strip():
        suggestion = Suggestion(
            type="replace", new_text=None, description=finding.suggestion.strip()[:MAX_MESSAGE]
        )
    return QualityIssue(
        file_path=request.module.path,
        line=line,
        column=len(text) - len(text.lstrip()),
        severity=severity,  # type: ignore[arg-type]
        code=finding.code,
        message=finding.message.strip()[:MAX_MESSAGE],
        detected_by="llm",
        suggestion=suggestion,
    )


def parse_answer(content: str, request: ReviewRequest, *, min_confidence: float) -> ParsedAnswer:
    """Findings of one answer; raises MalformedAnswerError when there is nothing to read at all."""
    issues: list[QualityIssue] = []
    dropped = 0
    for raw in _items(extract_json(content)):
        try:
            finding = msgspec.convert(_normalise(raw), AnswerFinding, strict=False)
        except msgspec.ValidationError:
            dropped += 1
            continue
        finding.code = canonical_code(finding.code)
        if (
            finding.code not in KNOWN_CODES
            or not finding.message.strip()
            or finding.confidence < min_confidence
        ):
            dropped += 1
            continue
        issues.append(_to_issue(finding, request))
        if finding.code == MERGEABLE and request.sibling is not None:
            issues.append(_mirror(issues[-1], request))
    return ParsedAnswer(issues, dropped)


def canonical_code(code: str) -> str:
    """Our code for a smell the model named another way (`similar-tests`, `timing_dependency`, ...)."""
    key = code.strip().lower().replace("_", "-").replace(" ", "-")
    return key if key in KNOWN_CODES else CODE_ALIASES.get(key, key)


def _mirror(issue: QualityIssue, request: ReviewRequest) -> QualityIssue:
    """A pair that can be merged is reported on both tests, each naming the other."""
    assert request.sibling is not None
    sibling = request.sibling.fn.node
    text = request.module.line_text(sibling.lineno)
    return msgspec.structs.replace(
        issue,
        line=sibling.lineno,
        column=len(text) - len(text.lstrip()),
        message=f"can be merged with `{request.test.qualname}` into one parametrized test",
    )
