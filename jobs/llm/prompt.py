"""Prompts for one LLM review of one test: versioned templates plus the code the test exercises.

A prompt shows the test with its decorators (numbered from 1), its class header, the fixtures it
requests and the helpers it calls when they are in the batch, and what the static rules already
reported. Code is wrapped in markers carrying a nonce derived from the code itself, so text inside
a test cannot fake the end of the data block.
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources

from jobs.contracts import QualityIssue
from jobs.engine.facts import BatchFacts, FixtureFacts, FunctionFacts, ModuleFacts, TestFacts

PROMPT_VERSION = "review-v1"
MAX_CONTEXT_LINES = 40  # per fixture or helper shown as context
MAX_CONTEXT_BLOCKS = 4


class ReviewKind(StrEnum):
    """The two questions asked of every selected test."""

    ASSERTIONS = "assertions"
    DESIGN = "design"


# The codes an answer may use, per review kind; anything else is dropped and counted.
ALLOWED_CODES: dict[ReviewKind, tuple[str, ...]] = {
    ReviewKind.ASSERTIONS: (
        "weak-assertion", "self-fulfilling-oracle", "wrong-assertion", "missing-assertion",
        "unchecked-result", "assertion-roulette", "eager-test", "sensitive-equality",
        "float-exact-equality",
    ),
    ReviewKind.DESIGN: (
        "sleepy-test", "order-dependent-test", "shared-state-leak", "nondeterministic-input",
        "mystery-guest", "missing-cleanup", "over-mocking", "eager-test", "conditional-test-logic",
        "mergeable-tests", "exception-handling",
    ),
}  # fmt: skip
DEFAULT_SEVERITY: dict[str, str] = {
    "missing-assertion": "warning",
    "wrong-assertion": "error",
    "self-fulfilling-oracle": "error",
    "mergeable-tests": "info",
    "eager-test": "info",
    "assertion-roulette": "info",
    "conditional-test-logic": "info",
    "exception-handling": "info",
}


def _template(name: str) -> str:
    return resources.files("jobs.llm").joinpath("prompts", name).read_text(encoding="utf-8")


SYSTEM_TEMPLATE = _template("system.md")
TASK_TEMPLATES = {kind: _template(f"{kind.value}.md") for kind in ReviewKind}


@dataclass(frozen=True, slots=True)
class ReviewRequest:
    """One LLM call: which test, which question, and what the prompt must show."""

    module: ModuleFacts
    test: TestFacts
    kind: ReviewKind
    signals: tuple[str, ...]
    sibling: TestFacts | None
    known: tuple[QualityIssue, ...]

    @property
    def first_line(self) -> int:
        """The file line numbered 1 in the prompt: the first decorator, or the `def`."""
        node = self.test.fn.node
        return min([node.lineno, *(d.lineno for d in node.decorator_list)])

    @property
    def last_line(self) -> int:
        return self.test.fn.node.end_lineno or self.test.fn.node.lineno


def _source(module: ModuleFacts, node: ast.AST, limit: int | None = None) -> list[str]:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])  # type: ignore[attr-defined]
    last = getattr(node, "end_lineno", None) or first
    lines = module.lines[first - 1 : last]
    if limit is not None and len(lines) > limit:
        lines = [*lines[:limit], "    ... (truncated)"]
    return lines


def _context_blocks(request: ReviewRequest, batch: BatchFacts) -> list[tuple[str, list[str]]]:
    """Fixtures the test requests and helpers it calls, found anywhere in the batch."""
    test, module = request.test, request.module
    blocks: list[tuple[str, list[str]]] = []
    if request.sibling is not None:
        blocks.append(
            (f"similar test `{request.sibling.qualname}`", _source(module, request.sibling.fn.node))
        )
    for param in test.fn.params:
        if (fixture := _visible_fixture(batch, request, param)) is not None:
            owner = _owner(batch, fixture.fn)
            blocks.append((f"fixture `{fixture.name}`", _source(owner, fixture.fn.node, MAX_CONTEXT_LINES)))
    for owner, fn in _called_helpers(request, batch):
        blocks.append((f"helper `{fn.name}`", _source(owner, fn.node, MAX_CONTEXT_LINES)))
    return blocks[:MAX_CONTEXT_BLOCKS]


def _called_helpers(request: ReviewRequest, batch: BatchFacts) -> list[tuple[ModuleFacts, FunctionFacts]]:
    """Helpers the test calls: its class's methods (and setUp), then its module's, then the batch's."""
    test, module = request.test, request.module
    called = {c.last for c in test.fn.calls}
    found: list[tuple[ModuleFacts, FunctionFacts]] = []
    if test.cls is not None:
        found += [(module, fn) for name, fn in test.cls.methods.items() if name in called or name == "setUp"]
    local = {name for name in called if name in module.helpers}
    found += [(module, module.helpers[name]) for name in sorted(local)]
    others = sorted((m for m in batch.modules if m is not module), key=lambda m: not m.is_conftest)
    for name in sorted(called - local):
        owner = next((m for m in others if name in m.helpers), None)
        if owner is not None:
            found.append((owner, owner.helpers[name]))
    return found


def _owner(batch: BatchFacts, fn: FunctionFacts) -> ModuleFacts:
    return next(m for m in batch.modules if any(f.fn is fn for f in m.fixtures))


def _folder(path: str) -> str:
    return path.replace("\\", "/").rpartition("/")[0]


def _visible_fixture(batch: BatchFacts, request: ReviewRequest, name: str) -> FixtureFacts | None:
    """The definition of fixture `name` the test sees, as pytest resolves it: the test's class, its
    module, the nearest conftest.py above it; only then one from elsewhere in the batch."""
    folder = _folder(request.module.path)

    def rank(fixture: FixtureFacts) -> tuple[int, int]:
        owner = _owner(batch, fixture.fn)
        if owner is request.module and fixture.cls is None:
            return (1, 0)
        if owner is request.module and fixture.cls is request.test.cls:
            return (0, 0)  # the test's own class; a fixture of another class ranks with strangers
        own = _folder(owner.path)
        if owner.is_conftest and (own in {"", folder} or folder.startswith(own + "/")):
            return (2, -len(own))
        return (3, 0)

    return min(batch.fixtures_by_name.get(name, ()), key=rank, default=None)


def _nonce(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def build_messages(request: ReviewRequest, batch: BatchFacts) -> list[dict[str, str]]:
    """The chat messages for one review; deterministic, so equal inputs hit the answer cache."""
    test, module = request.test, request.module
    numbered = [f"{i:>3} | {text}" for i, text in enumerate(_source(module, test.fn.node), start=1)]
    blocks = _context_blocks(request, batch)
    nonce = _nonce("\n".join([*numbered, *(line for _, lines in blocks for line in lines)]))
    opening, closing = f"<<<CODE {nonce}", f"CODE {nonce}>>>"
    parts = [f"file: {json.dumps(module.path)}", f"test under review: {test.qualname}"]  # a path is data too
    if test.cls is not None:
        bases = ", ".join(b for b in test.cls.bases if b)  # from the AST: the class line's comments stay out
        parts.append(f"class: class {test.cls.name}({bases}):" if bases else f"class: class {test.cls.name}:")
    parts += ["", opening, *numbered, closing]
    for title, lines in blocks:
        parts += ["", f"context, {title} (not under review):", opening, *lines, closing]
    if request.signals:
        parts += ["", f"why this test was selected: {', '.join(request.signals)}"]
    if request.known:
        first = request.first_line
        parts += ["", "already reported by static rules (do not repeat):"]
        parts += [f"- line {i.line - first + 1}: {i.code}" for i in request.known]
    task = TASK_TEMPLATES[request.kind].replace("{codes}", ", ".join(ALLOWED_CODES[request.kind]))
    return [
        {"role": "system", "content": SYSTEM_TEMPLATE.replace("{nonce}", nonce)},
        {"role": "user", "content": task + "\n\n" + "\n".join(parts)},
    ]
