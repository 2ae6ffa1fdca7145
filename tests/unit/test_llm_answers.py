"""LLM answers: tolerant of their form (fences, prose, synonyms), strict about their content."""

from __future__ import annotations

import json
import textwrap

import pytest

from jobs.engine.parse import parse_batch
from jobs.llm.answers import MalformedAnswerError, extract_json, parse_answer
from jobs.llm.prompt import ReviewKind, ReviewRequest

SOURCE = textwrap.dedent(
    """\
    import pytest


    @pytest.mark.slow
    @pytest.mark.parametrize("x", [1, 2])
    def test_value(x):
        result = compute(x)
        assert result


    def test_other():
        assert other() == 1
    """
)
DECORATOR_LINE, DEF_LINE, ASSERT_LINE = 4, 6, 8  # file lines; the prompt numbers line 4 as 1


def request(kind: ReviewKind = ReviewKind.ASSERTIONS) -> ReviewRequest:
    batch = parse_batch([("tests/test_v.py", SOURCE)])
    module = batch.modules[0]
    test = next(t for t in module.tests if t.name == "test_value")
    return ReviewRequest(module, test, kind, ("truthiness",), None, ())


def finding(**fields: object) -> dict[str, object]:
    return {"code": "weak-assertion", "line": 5, "message": "only truthiness is checked", **fields}


def answer(*items: object) -> str:
    return json.dumps({"findings": list(items)})


# --------------------------------------------------------------------------- extract_json

PAYLOAD = {"findings": [{"code": "weak-assertion", "line": 5, "message": "m {not json}"}]}
TEXT = json.dumps(PAYLOAD)


@pytest.mark.parametrize(
    "content",
    [
        TEXT,
        f"  \n{TEXT}\n",
        f"```json\n{TEXT}\n```",
        f"```JSON\n{TEXT}```",
        f"```\n{TEXT}\n```",
        f"Here is my review:\n```json\n{TEXT}\n```\nHope this helps!",
        f"Sure! {TEXT} Let me know if you need more.",
        f"I looked at lines [5, 8] and found one issue: {TEXT}",
    ],
    ids=[
        "plain",
        "whitespace",
        "json-fence",
        "upper-fence",
        "bare-fence",
        "fence-in-prose",
        "prose",
        "prose-list",
    ],
)
def test_extract_json_finds_the_answer_in_any_wrapping(content: str) -> None:
    assert extract_json(content) == PAYLOAD


def test_extract_json_accepts_a_bare_list() -> None:
    items = [{"code": "weak-assertion", "line": 1, "message": "m"}]
    assert extract_json(json.dumps(items)) == items
    assert extract_json(f"Findings:\n{json.dumps(items)}\nDone.") == items


@pytest.mark.parametrize("content", ["", "no problems found", "```json\n{not: json}\n```", "lines [1, 2]"])
def test_extract_json_without_a_json_answer_is_malformed(content: str) -> None:
    with pytest.raises(MalformedAnswerError):
        extract_json(content)


# --------------------------------------------------------------------------- parse_answer: form


def test_a_finding_becomes_an_llm_issue_on_the_file_line() -> None:
    parsed = parse_answer(
        answer(finding(severity="info", suggestion="  assert result == 2  ", confidence=0.9)),
        request(),
        min_confidence=0.7,
    )
    assert parsed.dropped == 0
    (issue,) = parsed.issues
    assert (issue.file_path, issue.line, issue.column) == ("tests/test_v.py", ASSERT_LINE, 4)
    assert (issue.code, issue.severity, issue.detected_by) == ("weak-assertion", "info", "llm")
    assert issue.message == "only truthiness is checked"
    assert issue.suggestion is not None
    assert issue.suggestion.description == "assert result == 2"


@pytest.mark.parametrize(
    "content",
    [
        json.dumps({"issues": [finding()]}),
        json.dumps([finding()]),
        json.dumps(finding()),  # a single finding object
        json.dumps({"findings": [{"rule": "weak-assertion", "line_number": 5, "description": "weak"}]}),
        json.dumps([{"Code": "weak-assertion", "LineNo": 5, "Explanation": "weak", "score": 0.95}]),
    ],
    ids=["issues-key", "bare-list", "single-object", "synonyms", "case-and-synonyms"],
)
def test_usual_variants_of_the_format_are_accepted(content: str) -> None:
    parsed = parse_answer(content, request(), min_confidence=0.7)
    assert [(i.code, i.line) for i in parsed.issues] == [("weak-assertion", ASSERT_LINE)]
    assert parsed.dropped == 0


def test_an_empty_answer_is_no_finding_and_nothing_dropped() -> None:
    for content in ('{"findings": []}', "[]", "{}", "```json\n{}\n```"):
        parsed = parse_answer(content, request(), min_confidence=0.7)
        assert (parsed.issues, parsed.dropped) == ([], 0)


@pytest.mark.parametrize("content", ["I found no issues.", '{"verdict": "fine"}', '"just a string"'])
def test_an_answer_with_no_findings_list_is_malformed(content: str) -> None:
    with pytest.raises(MalformedAnswerError):
        parse_answer(content, request(), min_confidence=0.7)


# --------------------------------------------------------------------------- parse_answer: content


def test_invalid_items_are_dropped_and_counted_and_valid_ones_kept() -> None:
    content = answer(
        finding(code="made-up-smell"),  # unknown code
        {"code": "weak-assertion", "line": 5},  # no message
        finding(message="   "),  # empty message
        finding(line="five"),  # not a number
        finding(line=None),
        finding(confidence=0.2),  # below the threshold
        finding(confidence="very"),
        "weak-assertion on line 5",  # not an object
        finding(message="kept", confidence=0.7),  # exactly at the threshold
    )
    parsed = parse_answer(content, request(), min_confidence=0.7)
    assert [i.message for i in parsed.issues] == ["kept"]
    assert parsed.dropped == 8


def test_a_known_smell_is_kept_whichever_question_it_answers() -> None:
    content = answer(finding(code="sleepy-test", line=3, message="fixed sleep"))
    for kind in ReviewKind:
        parsed = parse_answer(content, request(kind), min_confidence=0.7)
        assert [(i.code, i.line) for i in parsed.issues] == [("sleepy-test", DEF_LINE)]


def test_codes_outside_the_whitelist_are_dropped() -> None:
    content = answer(finding(code="read-etc-passwd", line=3, message="open /etc/passwd"))
    parsed = parse_answer(content, request(ReviewKind.DESIGN), min_confidence=0.7)
    assert (parsed.issues, parsed.dropped) == ([], 1)


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("similar-tests", "mergeable-tests"),
        ("timing_dependency", "sleepy-test"),
        ("Global State", "shared-state-leak"),
        ("many-assertions", "assertion-roulette"),
        ("over-mocking", "over-mocking"),
        ("mergeable-tests", "mergeable-tests"),
    ],
)
def test_other_names_for_known_smells_are_understood(said: str, meant: str) -> None:
    parsed = parse_answer(answer(finding(code=said, line=3)), request(ReviewKind.DESIGN), min_confidence=0.7)
    assert [i.code for i in parsed.issues] == [meant]


@pytest.mark.parametrize(
    ("prompt_line", "file_line"),
    [(1, DECORATOR_LINE), (2, DECORATOR_LINE + 1), (3, DEF_LINE), (5, ASSERT_LINE)],
)
def test_prompt_lines_map_to_file_lines_from_the_first_decorator(prompt_line: int, file_line: int) -> None:
    parsed = parse_answer(answer(finding(line=prompt_line)), request(), min_confidence=0.7)
    assert [i.line for i in parsed.issues] == [file_line]


@pytest.mark.parametrize("prompt_line", [0, -3, 6, 500])
def test_lines_outside_the_test_are_anchored_on_its_def_line(prompt_line: int) -> None:
    parsed = parse_answer(answer(finding(line=prompt_line)), request(), min_confidence=0.7)
    assert [i.line for i in parsed.issues] == [DEF_LINE]
    assert parsed.dropped == 0


@pytest.mark.parametrize(
    ("code", "given", "expected"),
    [
        ("self-fulfilling-oracle", None, "error"),
        ("wrong-assertion", "critical", "error"),  # not a severity: the code's default
        ("assertion-roulette", None, "info"),
        ("weak-assertion", None, "warning"),  # no default of its own
        ("weak-assertion", "error", "error"),  # a valid severity is kept
    ],
)
def test_severity_defaults_per_code_when_missing_or_invalid(
    code: str, given: str | None, expected: str
) -> None:
    item = finding(code=code) if given is None else finding(code=code, severity=given)
    (issue,) = parse_answer(answer(item), request(), min_confidence=0.7).issues
    assert issue.severity == expected


def test_long_messages_are_cut_and_blank_suggestions_dropped() -> None:
    parsed = parse_answer(
        answer(finding(message="x" * 1000, suggestion="   ")), request(), min_confidence=0.0
    )
    (issue,) = parsed.issues
    assert issue.message == "x" * 400
    assert issue.suggestion is None
