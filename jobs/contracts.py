"""Wire shapes of an analysis, shared by the HTTP API, the SAQ task and the CLI.

Field names are a contract with an existing frontend (design section 2): add fields, never rename
or remove them.
"""

from __future__ import annotations

from typing import Literal

import msgspec

Mode = Literal["fast", "deep", "hybrid"]
Severity = Literal["error", "warning", "info"]
DetectedBy = Literal["rule", "llm"]
SuggestionType = Literal["replace", "delete", "insert"]

MODES: tuple[Mode, ...] = ("fast", "deep", "hybrid")
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


class FileInput(msgspec.Struct, kw_only=True):
    """One file of a submission; `git_diff` narrows the report to the tests it touches."""

    path: str
    content: str
    git_diff: str | None = None


class QualityAnalysisRequest(msgspec.Struct, kw_only=True):
    """What a client submits."""

    files: list[FileInput]
    mode: Mode = "hybrid"


class Suggestion(msgspec.Struct, kw_only=True):
    """A fix: `replace` the finding's line with `new_text`, `delete` it, or `insert` `new_text` before it."""

    type: SuggestionType
    new_text: str | None
    description: str


class QualityIssue(msgspec.Struct, kw_only=True):
    """One finding, on a 1-based line."""

    file_path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    detected_by: DetectedBy = "rule"
    suggestion: Suggestion | None = None


class QualitySummary(msgspec.Struct, kw_only=True):
    """Counts of one analysis. The first three fields are the original contract."""

    total_files: int
    total_issues: int
    critical_issues: int
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    tests_analysed: int = 0
    mode: Mode = "fast"
    llm_calls: int = 0
    llm_failed: int = 0
    llm_cached: int = 0
    llm_dropped_items: int = 0
    llm_status: str | None = None
    duration_ms: int = 0


class QualityAnalysisResponse(msgspec.Struct, kw_only=True):
    """The result of one analysis."""

    analysis_id: str
    summary: QualitySummary
    issues: list[QualityIssue]
