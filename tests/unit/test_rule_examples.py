"""Every rule's bad example fires exactly on its marked lines and its good example is silent.

Driven by the registry: adding a rule (and its two example files) never needs an edit here.
"""

from __future__ import annotations

import re

import pytest

from jobs.engine.config import EngineConfig
from jobs.engine.run import analyze_sources
from jobs.rules import REGISTRY, Rule
from jobs.rules.registry import DOC_SECTIONS

MARKER = re.compile(r"#\s*\[([a-z0-9, -]+)\]")
RULES = sorted(REGISTRY.values(), key=lambda r: r.code)


def marked_lines(source: str, code: str) -> list[int]:
    lines = []
    for number, text in enumerate(source.splitlines(), start=1):
        match = MARKER.search(text)
        if match and code in {c.strip() for c in match.group(1).split(",")}:
            lines.append(number)
    return lines


def findings(rule: Rule, name: str) -> tuple[str, list[int]]:
    path = rule.examples / name
    source = path.read_text(encoding="utf-8")
    config = EngineConfig(select=frozenset({rule.code}))
    _, issues = analyze_sources([(f"{rule.code}/{name}", source)], config)
    assert {i.code for i in issues} <= {rule.code}, "only the selected rule may run"
    return source, sorted(i.line for i in issues)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_bad_example_fires_exactly_on_marked_lines(rule: Rule) -> None:
    source, lines = findings(rule, "bad.py")
    expected = marked_lines(source, rule.code)
    assert expected, f"{rule.code}/bad.py marks no line with # [{rule.code}]"
    assert lines == expected


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_good_example_is_silent(rule: Rule) -> None:
    _, lines = findings(rule, "good.py")
    assert lines == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_is_documented(rule: Rule) -> None:
    docs = rule.docs
    assert set(docs) == {"what", "why", "instead"}, f"docstring needs {DOC_SECTIONS}"
    assert all(len(text) > 20 for text in docs.values())
    assert rule.message
    assert "\n" not in rule.message
