"""Render an analysis for people and tools: text lines, the JSON contract, SARIF 2.1.0."""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import msgspec

from jobs.contracts import QualityAnalysisResponse, QualityIssue
from jobs.rules import REGISTRY

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def tool_version() -> str:
    try:
        return version("llt-quality")
    except PackageNotFoundError:
        return "0+unknown"


def render_json(response: QualityAnalysisResponse) -> str:
    """Exactly the `QualityAnalysisResponse` of the HTTP API."""
    return msgspec.json.format(msgspec.json.encode(response).decode(), indent=2)


def render_text(response: QualityAnalysisResponse, notes: Iterable[str] = ()) -> str:
    """One line per finding (`path:line:col: severity code message`) grouped by file, then a summary."""
    out: list[str] = []
    current = None
    for issue in response.issues:
        if issue.file_path != current:
            if current is not None:
                out.append("")
            current = issue.file_path
        source = " [llm]" if issue.detected_by == "llm" else ""
        where = f"{issue.file_path}:{issue.line}:{issue.column + 1}"
        out.append(f"{where}: {issue.severity} {issue.code} {issue.message}{source}")
    s = response.summary
    if out:
        out.append("")
    out.append(
        f"{s.total_issues} issue(s) in {s.total_files} file(s), {s.tests_analysed} test(s): "
        f"{s.errors} error(s), {s.warnings} warning(s), {s.infos} info; mode {s.mode}"
        + (
            f", {s.llm_calls} LLM call(s) ({s.llm_cached} cached, {s.llm_failed} failed)"
            if s.mode != "fast"
            else ""
        )
        + f", {s.duration_ms} ms"
    )
    if s.llm_status:
        out.append(f"note: {s.llm_status}")
    out.extend(f"note: {n}" for n in notes)
    return "\n".join(out)


# Findings about a file as a whole, reported by the engine rather than by a rule.
ENGINE_CODES = {
    "syntax-error": "the file does not parse as Python, so none of its tests can run or be analysed",
    "unreadable-file": "the file cannot be read as Python source (binary, undecodable or too deeply nested)",
}


def _sarif_rule(code: str) -> dict[str, Any]:
    rule = REGISTRY.get(code)
    if code in ENGINE_CODES:
        return {
            "id": code,
            "name": code,
            "shortDescription": {"text": ENGINE_CODES[code]},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["engine"]},
        }
    if rule is None:
        return {
            "id": code,
            "name": code,
            "shortDescription": {"text": f"{code} (judged by the LLM)"},
            "defaultConfiguration": {"level": "warning"},
            "properties": {"tags": ["llm"]},
        }
    docs = rule.docs
    help_text = "\n\n".join(f"{k}: {docs[k]}" for k in ("what", "why", "instead") if k in docs)
    return {
        "id": rule.code,
        "name": rule.code,
        "shortDescription": {"text": rule.message},
        "fullDescription": {"text": docs.get("what", rule.message)},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity], "enabled": rule.enabled},
        "properties": {"tags": [rule.family]},
    }


def _sarif_result(issue: QualityIssue, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": issue.code,
        "ruleIndex": index[issue.code],
        "level": SARIF_LEVEL[issue.severity],
        "message": {"text": issue.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": issue.file_path.replace("\\", "/")},
                    "region": {"startLine": issue.line, "startColumn": issue.column + 1},
                }
            }
        ],
        "properties": {"detectedBy": issue.detected_by},
    }
    if issue.suggestion is not None:
        result["properties"]["suggestion"] = msgspec.to_builtins(issue.suggestion)
    return result


def render_sarif(response: QualityAnalysisResponse) -> str:
    """SARIF 2.1.0 with one run, every rule that fired (with its docs) and every finding."""
    codes = sorted({i.code for i in response.issues})
    index = {code: n for n, code in enumerate(codes)}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "llt",
                        "version": tool_version(),
                        "rules": [_sarif_rule(c) for c in codes],
                    }
                },
                "results": [_sarif_result(i, index) for i in response.issues],
            }
        ],
    }
    return msgspec.json.format(msgspec.json.encode(log).decode(), indent=2)


def worst_at_or_above(issues: Iterable[QualityIssue], threshold: str) -> bool:
    """True when some finding's severity is at or above `threshold` (`never` is never reached)."""
    if threshold == "never":
        return False
    bar = SEVERITY_RANK[threshold]
    return any(SEVERITY_RANK[i.severity] >= bar for i in issues)
