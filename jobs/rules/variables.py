"""Variable family: values a test computes and then ignores."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from jobs.engine.facts import TestFacts
from jobs.rules._util import replace_line
from jobs.rules.registry import Hit, RuleContext, hit, rule


def _named_in_string(name: str, test: TestFacts, ctx: RuleContext) -> bool:
    """A forward reference such as `'Node'` in a string annotation reads the name too."""
    node = test.fn.node
    text = "\n".join(ctx.module.lines[node.lineno - 1 : node.end_lineno])
    return re.search(rf"""['"]{re.escape(name)}\b""", text) is not None


@rule(
    "unused-variable",
    severity="warning",
    scope="test",
    message="variable is assigned but never used: assert on it, or drop the assignment",
    fix="drop the assignment and keep the call",
)
def unused_variable(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a local of a test (module function or method) that is assigned with
    `name = value` and never read afterwards, also not by a nested function. Names starting with
    `_`, unpacking targets and loop variables are left alone.

    Why it matters: a computed value nobody looks at is usually the check the author forgot to
    write; at best it is noise.

    Use instead: assert on the value, or call without binding it (`do_thing()`), or name it `_`.
    """
    fn = test.fn
    if "locals" in fn.loads or "vars" in fn.loads or fn.globals_declared:
        return
    for name, statements in fn.assigned.items():
        if name.startswith("_") or name in fn.loads or _named_in_string(name, test, ctx):
            continue
        first = statements[0]
        suggestion = None
        value = getattr(first, "value", None)
        if isinstance(first, ast.Assign) and len(first.targets) == 1 and isinstance(value, ast.Call):
            suggestion = replace_line(
                ctx.module, first, ast.unparse(value), "call without binding the result"
            )
        yield hit(first, f"`{name}` is assigned but never used: assert on it, or drop the assignment",
                  suggestion=suggestion)  # fmt: skip
