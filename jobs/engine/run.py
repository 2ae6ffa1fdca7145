"""Run the enabled rules over a parsed batch and turn hits into sorted, suppressed issues."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from jobs.contracts import QualityIssue
from jobs.engine.config import EngineConfig
from jobs.engine.facts import BatchFacts, ModuleFacts
from jobs.engine.parse import MAX_SOURCE_NESTING_ERROR, parse_batch
from jobs.rules import REGISTRY, Rule
from jobs.rules.registry import Hit, RuleContext


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while thousands of ASTs are alive (design section 4: a 3x slow-down)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def enabled_rules(config: EngineConfig) -> list[Rule]:
    return [r for r in REGISTRY.values() if config.is_enabled(r.code, r.enabled)]


def _targets(rule: Rule, module: ModuleFacts) -> Sequence[object]:
    if rule.scope == "test":
        return module.tests
    if rule.scope == "fixture":
        return module.fixtures
    return (module,)


def _suppressed(module: ModuleFacts, line: int, code: str) -> bool:
    if line not in module.suppressions:
        return False
    codes = module.suppressions[line]
    return codes is None or code in codes


def _issue(module: ModuleFacts, rule: Rule, found: Hit, config: EngineConfig) -> QualityIssue:
    severity = config.severity.get(rule.code) or found.severity or rule.severity
    return QualityIssue(
        file_path=module.path,
        line=found.line,
        column=found.column,
        severity=severity,
        code=rule.code,
        message=found.message or rule.message,
        detected_by="rule",
        suggestion=found.suggestion,
    )


def _module_issues(
    module: ModuleFacts, batch: BatchFacts, config: EngineConfig, rules: list[Rule]
) -> list[QualityIssue]:
    issues: list[QualityIssue] = []
    seen: set[tuple[str, int, int]] = set()
    for rule in rules:
        ctx = RuleContext(module=module, batch=batch, config=config, rule=rule)
        for target in _targets(rule, module):
            for found in rule.check(target, ctx):
                key = (rule.code, found.line, found.column)
                if key in seen or _suppressed(module, found.line, rule.code):
                    continue
                seen.add(key)
                issues.append(_issue(module, rule, found, config))
    return issues


def run_rules(batch: BatchFacts, config: EngineConfig) -> list[QualityIssue]:
    """Every enabled rule over every module; unparsed files become one issue each."""
    rules = enabled_rules(config)
    issues = [
        QualityIssue(
            file_path=u.path,
            line=u.line,
            column=u.column,
            severity="error",
            code=u.code,
            message=u.message,
            detected_by="rule",
        )
        for u in batch.unparsed
    ]
    for module in batch.modules:
        try:
            issues.extend(_module_issues(module, batch, config, rules))
        except RecursionError:  # an expression too deep for a rule's recursive helpers
            issues.append(
                QualityIssue(
                    file_path=module.path, line=1, column=0, severity="error", code="unreadable-file",
                    message=MAX_SOURCE_NESTING_ERROR, detected_by="rule",
                )
            )  # fmt: skip
    issues.sort(key=lambda i: (i.file_path, i.line, i.column, i.code))
    return issues


def analyze_sources(
    files: Sequence[tuple[str, str]], config: EngineConfig | None = None
) -> tuple[BatchFacts, list[QualityIssue]]:
    """Parse and run the rules over (path, source) pairs: the whole static half of an analysis."""
    with gc_paused():
        batch = parse_batch(files)
        return batch, run_rules(batch, config or EngineConfig())
