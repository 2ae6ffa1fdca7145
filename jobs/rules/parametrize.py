"""Parametrize family: parameter tables that repeat a case, run nothing, or explode."""

from __future__ import annotations

import ast
import math
from collections.abc import Iterator

from jobs.engine.facts import Decorator, ModuleFacts, TestFacts
from jobs.rules._util import delete_line, is_literal
from jobs.rules.registry import Hit, RuleContext, hit, rule

SCALARS = (str, bytes, int, float, bool, type(None))


def _parametrizes(test: TestFacts, module: ModuleFacts) -> list[ast.Call]:
    """Every parametrize call that applies to the test: its own, its class's and `pytestmark`'s."""
    decorators: list[Decorator] = [*test.fn.decorators, *module.module_marks]
    if test.cls is not None:
        decorators += test.cls.decorators
    if not decorators:
        return []
    return [d.call for d in decorators if d.name.endswith("parametrize") and d.call is not None]


def _argvalues(call: ast.Call) -> ast.expr | None:
    if len(call.args) >= 2:
        return call.args[1]
    return next((k.value for k in call.keywords if k.arg == "argvalues"), None)


def _rows(call: ast.Call) -> list[ast.expr] | None:
    """The cases of a parametrize written as a list or tuple display; None when computed."""
    values = _argvalues(call)
    if isinstance(values, ast.List | ast.Tuple):
        return values.elts
    return None


def _is_param(node: ast.expr) -> ast.Call | None:
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "param":
            return node
    return None


def _row_key(row: ast.expr) -> str | None:
    """What makes a case a case (values and marks, not its id); None when not a literal row."""
    param = _is_param(row)
    if param is not None:
        if not all(is_literal(a) for a in param.args):
            return None
        marks = [ast.dump(k.value) for k in param.keywords if k.arg == "marks"]
        return "param:" + "|".join(ast.dump(a) for a in param.args) + "|" + "|".join(marks)
    if isinstance(row, ast.Starred) or not is_literal(row):
        return None
    return ast.dump(row)


def _own_line(module: ModuleFacts, node: ast.expr) -> bool:
    """The element sits alone on its line (with its comma), so deleting the line removes exactly it."""
    if node.lineno != node.end_lineno or node.end_col_offset is None:
        return False
    text = module.line_text(node.lineno)
    rest = text[node.end_col_offset :].strip().removeprefix(",").strip()
    return not text[: node.col_offset].strip() and (not rest or rest.startswith("#"))


@rule(
    "duplicate-parametrize-case",
    severity="warning",
    scope="test",
    message="this parametrize case repeats an earlier one: the test runs twice on the same input; "
    "delete it or change it to the case you meant",
    fix="delete the repeated case",
)
def duplicate_parametrize_case(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a row of a `@pytest.mark.parametrize` list that is identical (as written:
    `1` and `1.0` and `True` differ) to an earlier row of the same list. `pytest.param` rows count
    as the same case when their values and marks match, whatever their ids.

    Why it matters: the duplicate adds run time and no coverage, and is usually a copy-paste slip
    where a different case was meant, which then stays untested.

    Use instead: delete the repeated row or change it to the intended case.
    """
    for call in _parametrizes(test, ctx.module):
        rows = _rows(call)
        if not rows:
            continue
        has_ids = any(k.arg == "ids" and isinstance(k.value, ast.List | ast.Tuple) for k in call.keywords)
        seen: dict[str, ast.expr] = {}
        for row in rows:
            key = _row_key(row)
            if key is None:
                continue
            first = seen.setdefault(key, row)
            if first is row:
                continue
            fix = None
            if not has_ids and _own_line(ctx.module, row):
                fix = delete_line("delete the repeated case")
            yield hit(
                row,
                f"this case repeats the one on line {first.lineno}: the test runs twice on "
                "the same input; delete it or change it",
                suggestion=fix,
            )


def _case_count(call: ast.Call) -> int | None:
    rows = _rows(call)
    if rows is not None:
        return None if any(isinstance(r, ast.Starred) for r in rows) else len(rows)
    values = _argvalues(call)
    if isinstance(values, ast.Call) and getattr(values.func, "id", "") == "range":
        args = values.args
        if args and all(isinstance(a, ast.Constant) and isinstance(a.value, int) for a in args):
            try:
                return len(range(*(a.value for a in args)))  # type: ignore[attr-defined]
            except (TypeError, ValueError):
                return None
    return None


def _opaque(row: ast.expr) -> bool:
    """pytest names a case with a plain value by the value; anything else becomes `argname0`."""
    param = _is_param(row)
    values = param.args if param is not None else row.elts if isinstance(row, ast.Tuple) else [row]
    for value in values:
        if isinstance(value, ast.UnaryOp) and isinstance(value.operand, ast.Constant):
            continue
        if not (isinstance(value, ast.Constant) and isinstance(value.value, SCALARS)):
            return True
    return False


def _has_ids(call: ast.Call, rows: list[ast.expr]) -> bool:
    if any(k.arg == "ids" for k in call.keywords) or len(call.args) >= 4:
        return True
    params = [_is_param(r) for r in rows]
    return all(p is not None and any(k.arg == "id" for k in p.keywords) for p in params)


@rule(
    "parametrize-shape",
    severity="warning",
    scope="test",
    message="parametrize table has a problem in its shape (no cases, or too many combined cases)",
    thresholds={"max-cases": 100, "min-cases-without-ids": 0},
)
def parametrize_shape(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a `parametrize` with an empty list of cases (pytest then skips the test: it
    never runs, a warning); stacked `parametrize` decorators whose case counts multiply past
    `max-cases` (100 by default, a note); and, when the `min-cases-without-ids` threshold is set
    (off by default, 3 is a good value), a table of at least that many cases holding objects, lists
    or dicts but no `ids`, whose test ids become `arg0`, `arg1`, ...

    Why it matters: an empty table silently turns the test into a skip; a cross product of stacked
    tables multiplies run time for combinations nobody meant to test; opaque ids make a failure
    report unreadable.

    Use instead: fill the table or delete the test; list the combinations that matter explicitly;
    add `ids=[...]` or `pytest.param(..., id="...")`.
    """
    calls = _parametrizes(test, ctx.module)
    for call in calls:
        values = _argvalues(call)
        if isinstance(values, ast.List | ast.Tuple) and not values.elts:
            yield hit(
                values,
                "parametrize has no cases: pytest skips the test, so it never runs; add "
                "cases or delete the test",
                severity="warning",
            )
    counts = [c for c in (_case_count(call) for call in calls) if c]
    total = math.prod(counts)
    if len(counts) >= 2 and total > ctx.threshold("max-cases"):
        yield hit(
            test.fn.node,
            f"stacked parametrize decorators make {total} cases "
            f"({' x '.join(map(str, counts))}): list the combinations that matter",
            severity="info",
        )
    minimum = ctx.threshold("min-cases-without-ids")
    if minimum <= 0:
        return
    for call in calls:
        rows = _rows(call) or []
        if len(rows) >= minimum and not _has_ids(call, rows) and any(_opaque(r) for r in rows):
            yield hit(
                call,
                f"{len(rows)} cases without ids: failures will be reported as "
                "`arg0`, `arg1`, ...; add `ids=` or `pytest.param(..., id=...)`",
                severity="info",
            )
