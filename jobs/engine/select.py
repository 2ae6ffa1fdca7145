"""Which tests the LLM should judge, and why: a pure, precise selector over parsed facts.

In hybrid mode a test goes to the LLM only when it carries a *judgement signal*: something static
rules can point at but cannot settle (is this sleep synchronisation? is this global counter an
order dependence? are four patches over-mocking? can these two tests be one parametrized test?).
Name similarity needs two shared words besides `test` and exactly one differing word, so short
names such as `test_add` never make every test look alike.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from jobs.contracts import QualityIssue
from jobs.engine.facts import BatchFacts, ModuleFacts, TestFacts
from jobs.engine.parse import dotted_name

SLEEP_CALLS = frozenset({"time.sleep", "asyncio.sleep", "trio.sleep", "anyio.sleep", "gevent.sleep"})
PATCH_NAMES = frozenset({"patch", "patch.object", "patch.dict", "patch.multiple"})
ENV_WRITERS = frozenset({"os.environ.update", "os.putenv", "os.environ.setdefault", "os.environ.pop"})
RESOURCE_CALLS = frozenset(
    {"open", "socket.socket", "socket.create_connection", "urllib.request.urlopen", "sqlite3.connect"}
)
MANY_CHECKS = 4
MANY_MOCKS = 3

# A rule finding that already settles what a signal would ask the LLM.
SETTLED_BY = {"truthiness": {"weak-assertion"}}


@dataclass(slots=True)
class Selection:
    """One test to review, the signals that got it selected, and a similar sibling if any."""

    module: ModuleFacts
    test: TestFacts
    signals: list[str] = field(default_factory=list)
    sibling: TestFacts | None = None


CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _name_words(name: str) -> list[str]:
    """Words of a test name, snake_case or camelCase (`testParseInvoice` -> parse, invoice)."""
    words = [w.lower() for part in name.split("_") for w in CAMEL.split(part)]
    return [w for w in words if w and w != "test"]


def similar_names(a: str, b: str) -> bool:
    """Names that differ in exactly one word and share at least two others."""
    wa, wb = _name_words(a), _name_words(b)
    if len(wa) != len(wb) or len(wa) < 3:
        return False
    differing = sum(x != y for x, y in zip(wa, wb, strict=True))
    return differing == 1


def _sleeps(test: TestFacts) -> bool:
    for call in test.fn.calls:
        if call.name in SLEEP_CALLS or (call.last == "sleep" and call.name.count(".") <= 1):
            args = call.node.args
            if not (args and isinstance(args[0], ast.Constant) and args[0].value == 0):
                return True
    return False


def _mutates_shared_state(test: TestFacts) -> bool:
    fn = test.fn
    if fn.globals_declared:
        return True
    if any(c.name in ENV_WRITERS for c in fn.calls):
        return True
    if "os" not in fn.loads and "environ" not in fn.loads:
        return False  # no write to os.environ is possible: skip the walk
    return any(
        isinstance(node, ast.Subscript)
        and isinstance(node.ctx, ast.Store | ast.Del)
        and dotted_name(node.value) in {"os.environ", "environ"}
        for node in ast.walk(fn.node)
    )


def _mock_count(test: TestFacts) -> int:
    patches = sum(
        1 for d in test.fn.decorators if d.name.split(".", 1)[-1] in PATCH_NAMES or d.name.endswith(".patch")
    )
    made = sum(
        1 for c in test.fn.calls if c.last in {"Mock", "MagicMock", "AsyncMock", "patch", "create_autospec"}
    )
    return patches + made


def _truthiness_only(test: TestFacts) -> bool:
    asserts = test.fn.asserts
    if not asserts or len(test.fn.checks) != len(asserts):
        return False
    return all(isinstance(a.test, ast.Name | ast.Call | ast.Attribute | ast.Subscript) for a in asserts)


def signals(test: TestFacts) -> list[str]:
    """The judgement questions a test raises, in a stable order."""
    fn = test.fn
    found: list[str] = []
    if _sleeps(test):
        found.append("sleep")
    if _mutates_shared_state(test):
        found.append("shared-state")
    if len(fn.checks) >= MANY_CHECKS:
        found.append("many-checks")
    if _mock_count(test) >= MANY_MOCKS:
        found.append("mocks")
    if _truthiness_only(test):
        found.append("truthiness")
    if fn.trys:
        found.append("exception-flow")
    if any(c.name in RESOURCE_CALLS or c.name.startswith(("requests.", "httpx.")) for c in fn.calls):
        found.append("external-resource")
    return found


def _siblings(tests: list[TestFacts]) -> dict[int, TestFacts]:
    """For each test (by index) the earlier test in the same class it may merge with."""
    found: dict[int, TestFacts] = {}
    for i, test in enumerate(tests):
        for earlier in tests[:i]:
            if earlier.cls is test.cls and similar_names(earlier.name, test.name):
                found[i] = earlier
                break
    return found


def select_tests(
    batch: BatchFacts,
    issues: Iterable[QualityIssue],
    *,
    everything: bool,
    only: set[tuple[str, str]] | None = None,
) -> list[Selection]:
    """Tests to send to the LLM; `everything` (deep mode) takes every test.

    `only` restricts the choice to (path, qualname) pairs, e.g. the tests a git diff touches.
    """
    settled: dict[tuple[str, int], set[str]] = {}
    for issue in issues:
        settled.setdefault((issue.file_path, issue.line), set()).add(issue.code)
    chosen: list[Selection] = []
    for module in batch.modules:
        siblings = _siblings(module.tests)
        for index, test in enumerate(module.tests):
            if only is not None and (module.path, test.qualname) not in only:
                continue
            codes = _codes_within(settled, module.path, test)
            found = [s for s in signals(test) if not (SETTLED_BY.get(s, set()) & codes)]
            sibling = siblings.get(index)
            if sibling is not None:
                found.append("similar-name")
            if found or everything:
                chosen.append(Selection(module=module, test=test, signals=found, sibling=sibling))
    return chosen


def _codes_within(settled: dict[tuple[str, int], set[str]], path: str, test: TestFacts) -> set[str]:
    end = test.fn.node.end_lineno or test.line
    codes: set[str] = set()
    for line in range(test.line, end + 1):
        codes |= settled.get((path, line), set())
    return codes
