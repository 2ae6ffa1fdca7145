"""One analysis end to end: parse → rules → select → LLM → merge (design section 4).

`run_analysis` is what the SAQ task, the synchronous endpoint and the CLI all call, so the three
give the same result for the same files by construction.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from loguru import logger

from jobs.contracts import (
    FileInput,
    QualityAnalysisRequest,
    QualityAnalysisResponse,
    QualityIssue,
    QualitySummary,
)
from jobs.engine.config import EngineConfig
from jobs.engine.diff import changed_lines
from jobs.engine.facts import BatchFacts, TestFacts
from jobs.engine.parse import parse_batch
from jobs.engine.run import gc_paused, run_rules
from jobs.engine.select import Selection, select_tests
from jobs.errors import LLMUnavailableError
from jobs.llm.prompt import ReviewKind, ReviewRequest
from jobs.llm.review import ProgressFn, Reviewer, ReviewTotals
from telemetry import attributes as attr
from telemetry.metrics import record_analysis
from telemetry.tracing import phase_span

LLM_NOT_CONFIGURED = "LLM not configured (LLM_BASE_URL is unset): only the static rules ran"


@dataclass(frozen=True, slots=True)
class StaticResult:
    """The synchronous half: facts, rule findings and the tests a diff narrows the report to."""

    batch: BatchFacts
    issues: list[QualityIssue]
    touched: set[tuple[str, str]] | None  # (path, test qualname) a diff touches; None = all


Ranges = dict[str, list[tuple[int, int]]]  # path -> (first, last) lines of the tests a diff touches


def _touched_tests(
    batch: BatchFacts, files: Sequence[FileInput]
) -> tuple[set[tuple[str, str]] | None, Ranges]:
    """Tests whose lines (decorators included) a file's git_diff touches; files without one count whole."""
    diffs = {f.path: changed_lines(f.git_diff, f.path) for f in files if f.git_diff}
    if not diffs:
        return None, {}
    touched: set[tuple[str, str]] = set()
    ranges: Ranges = {}
    for module in batch.modules:
        lines = diffs.get(module.path)
        if lines is None:  # no diff for this file: all of it is reported
            touched |= {(module.path, t.qualname) for t in module.tests}
            continue
        spans = ranges.setdefault(module.path, [(line, line) for line in lines])
        for test in module.tests:
            first, last = _span(test)
            if any(first <= line <= last for line in lines):
                touched.add((module.path, test.qualname))
                spans.append((first, last))
    return touched, ranges


def _span(test: TestFacts) -> tuple[int, int]:
    node = test.fn.node
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return first, node.end_lineno or node.lineno


def _within_diff(issue: QualityIssue, ranges: Ranges) -> bool:
    """A finding on a changed line or inside a touched test; files without a diff, or that could not
    be parsed, keep every finding."""
    spans = ranges.get(issue.file_path)
    return spans is None or any(first <= issue.line <= last for first, last in spans)


def analyze_static(files: Sequence[FileInput], config: EngineConfig) -> StaticResult:
    """Parse and run the rules; with git diffs, keep only findings in the tests the diffs touch."""
    with gc_paused():
        with phase_span(attr.SPAN_ANALYSIS_PARSE, {attr.ANALYSIS_FILES: len(files)}) as span:
            batch = parse_batch([(f.path, f.content) for f in files])
            span.set_attribute(attr.ANALYSIS_TESTS, sum(len(m.tests) for m in batch.modules))
        with phase_span(attr.SPAN_ANALYSIS_RULES) as span:
            issues = run_rules(batch, config)
            span.set_attribute(attr.ANALYSIS_ISSUES, len(issues))
    touched, ranges = _touched_tests(batch, files)
    if touched is not None:
        issues = [i for i in issues if _within_diff(i, ranges)]
    return StaticResult(batch, issues, touched)


def review_requests(selections: Sequence[Selection], issues: Sequence[QualityIssue]) -> list[ReviewRequest]:
    """Two questions per selected test; the design question of a test with a similar sibling shows both."""
    requests: list[ReviewRequest] = []
    for sel in selections:
        end = sel.test.fn.node.end_lineno or sel.test.line
        known = tuple(i for i in issues if i.file_path == sel.module.path and sel.test.line <= i.line <= end)
        for kind in ReviewKind:
            sibling = sel.sibling if kind is ReviewKind.DESIGN else None
            requests.append(ReviewRequest(sel.module, sel.test, kind, tuple(sel.signals), sibling, known))
    return requests


def merge(rule_issues: Sequence[QualityIssue], llm_issues: Sequence[QualityIssue]) -> list[QualityIssue]:
    """Rule findings first; an LLM finding that repeats a finding on the same line and code is dropped."""
    seen = {(i.file_path, i.line, i.code) for i in rule_issues}
    merged = list(rule_issues)
    for issue in llm_issues:
        key = (issue.file_path, issue.line, issue.code)
        if key not in seen:
            seen.add(key)
            merged.append(issue)
    merged.sort(key=lambda i: (i.file_path, i.line, i.column, i.code, i.detected_by))
    return merged


def summarise(
    request: QualityAnalysisRequest,
    issues: Sequence[QualityIssue],
    static: StaticResult,
    totals: ReviewTotals,
    llm_status: str | None,
    started: float,
) -> QualitySummary:
    counts = {s: sum(1 for i in issues if i.severity == s) for s in ("error", "warning", "info")}
    tests = sum(len(m.tests) for m in static.batch.modules)
    return QualitySummary(
        total_files=len(request.files),
        total_issues=len(issues),
        critical_issues=counts["error"],
        errors=counts["error"],
        warnings=counts["warning"],
        infos=counts["info"],
        tests_analysed=tests if static.touched is None else len(static.touched),
        mode=request.mode,
        llm_calls=totals.calls,
        llm_failed=totals.failed,
        llm_cached=totals.cached,
        llm_dropped_items=totals.dropped,
        llm_status=llm_status,
        duration_ms=round((time.perf_counter() - started) * 1000),
    )


async def run_analysis(
    request: QualityAnalysisRequest,
    *,
    config: EngineConfig | None = None,
    reviewer: Reviewer | None = None,
    progress: ProgressFn | None = None,
    analysis_id: str | None = None,
) -> QualityAnalysisResponse:
    """Analyse the request's files in its mode; raises LLMUnavailableError for deep without an LLM."""
    started = time.perf_counter()
    analysis_id = analysis_id or uuid.uuid4().hex
    if request.mode == "deep" and reviewer is None:
        raise LLMUnavailableError(
            "mode 'deep' needs an LLM: set LLM_BASE_URL, or use mode 'fast' or 'hybrid'"
        )
    static = await asyncio.to_thread(analyze_static, request.files, config or EngineConfig())
    totals = ReviewTotals()
    llm_status = None
    if request.mode != "fast" and reviewer is None:
        llm_status = LLM_NOT_CONFIGURED
    elif request.mode != "fast" and reviewer is not None:
        with phase_span(attr.SPAN_ANALYSIS_SELECT) as span:
            selections = select_tests(
                static.batch, static.issues, everything=request.mode == "deep", only=static.touched
            )
            requests = review_requests(selections, static.issues)
            span.set_attribute(attr.ANALYSIS_TESTS, len(selections))
        with phase_span(attr.SPAN_ANALYSIS_LLM, {attr.ANALYSIS_LLM_CALLS: len(requests)}) as span:
            totals = await reviewer.review_all(requests, static.batch, progress)
            span.set_attribute(attr.ANALYSIS_LLM_FAILED, totals.failed)
    with phase_span(attr.SPAN_ANALYSIS_MERGE, {attr.ANALYSIS_ID: analysis_id}) as span:
        issues = merge(static.issues, totals.issues)
        summary = summarise(request, issues, static, totals, llm_status, started)
        span.set_attribute(attr.ANALYSIS_ISSUES, len(issues))
    record_analysis(request.mode, summary.duration_ms / 1000)
    logger.info(
        "analysis finished",
        analysis_id=analysis_id,
        files=summary.total_files,
        issues=summary.total_issues,
        critical=summary.critical_issues,
        mode=request.mode,
        llm_calls=summary.llm_calls,
        llm_failed=summary.llm_failed,
        duration_ms=summary.duration_ms,
    )
    return QualityAnalysisResponse(analysis_id=analysis_id, summary=summary, issues=issues)
