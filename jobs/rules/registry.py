"""The rule registry: a rule is metadata plus one small pure function over parsed facts.

A check function takes its target (a test, a fixture or a module, per `scope`) and a `RuleContext`
and yields `Hit`s. Its docstring is the rule's documentation, in three labelled paragraphs:
"What it flags:", "Why it matters:" and "Use instead:". Example files live in
`jobs/rules/examples/<code>/{bad,good}.py`; bad lines carry `# [<code>]`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from jobs.contracts import Severity, Suggestion
from jobs.engine.config import EngineConfig
from jobs.engine.facts import BatchFacts, ModuleFacts

Scope = Literal["test", "fixture", "module"]
EXAMPLES = Path(__file__).parent / "examples"
CODE_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
DOC_SECTIONS = ("What it flags:", "Why it matters:", "Use instead:")


@dataclass(frozen=True, slots=True)
class Hit:
    """Where a rule fired; `message`/`severity` override the rule's defaults for this one hit."""

    line: int
    column: int
    message: str | None = None
    severity: Severity | None = None
    suggestion: Suggestion | None = None


def hit(
    node: ast.AST,
    message: str | None = None,
    *,
    severity: Severity | None = None,
    suggestion: Suggestion | None = None,
) -> Hit:
    """A hit at a node's first line and column."""
    return Hit(getattr(node, "lineno", 1), getattr(node, "col_offset", 0), message, severity, suggestion)


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a check may consult besides its target: the module, the batch and the config."""

    module: ModuleFacts
    batch: BatchFacts
    config: EngineConfig
    rule: Rule

    def threshold(self, name: str) -> float:
        """A threshold declared by the rule, as the project's config sets it."""
        return self.config.threshold(self.rule.code, name, self.rule.thresholds[name])


CheckFn = Callable[[Any, RuleContext], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: a stable kebab-case code, its family, severity, message, docs and check."""

    code: str
    family: str
    severity: Severity
    scope: Scope
    message: str
    check: CheckFn
    enabled: bool = True  # off by default: opt in with `select`/`extend-select`
    fix: str | None = None  # a one-line description of the mechanical fix, when there is one
    thresholds: dict[str, float] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()  # names other tools or our older service used for the same smell

    @property
    def docs(self) -> dict[str, str]:
        return parse_docs(self.check.__doc__ or "")

    @property
    def examples(self) -> Path:
        return EXAMPLES / self.code


REGISTRY: dict[str, Rule] = {}


def parse_docs(doc: str) -> dict[str, str]:
    """Split a rule docstring into its what / why / instead paragraphs."""
    text = " ".join(line.strip() for line in doc.strip().splitlines())
    keys = ("what", "why", "instead")
    out: dict[str, str] = {}
    for i, label in enumerate(DOC_SECTIONS):
        start = text.find(label)
        if start < 0:
            continue
        start += len(label)
        ends = [text.find(lbl, start) for lbl in DOC_SECTIONS[i + 1 :]]
        end = min([e for e in ends if e >= 0], default=len(text))
        out[keys[i]] = text[start:end].strip()
    return out


def rule(
    code: str,
    *,
    severity: Severity,
    scope: Scope,
    message: str,
    enabled: bool = True,
    fix: str | None = None,
    thresholds: dict[str, float] | None = None,
    aliases: tuple[str, ...] = (),
) -> Callable[[CheckFn], CheckFn]:
    """Register the decorated function as the check of rule `code`."""

    def register(check: CheckFn) -> CheckFn:
        if not CODE_RE.match(code):
            raise ValueError(f"rule code {code!r} is not kebab-case")
        if code in REGISTRY:
            raise ValueError(f"rule code {code!r} is registered twice")
        family = check.__module__.rsplit(".", 1)[-1]
        REGISTRY[code] = Rule(
            code=code,
            family=family,
            severity=severity,
            scope=scope,
            message=message,
            check=check,
            enabled=enabled,
            fix=fix,
            thresholds=dict(thresholds or {}),
            aliases=aliases,
        )
        return check

    return register
