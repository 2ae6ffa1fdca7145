"""Assertion family: tests that check nothing, or check something that cannot be false."""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Iterator
from typing import Any

from jobs.engine.facts import FunctionFacts, TestFacts
from jobs.rules._util import (
    delete_line,
    is_literal,
    is_pure,
    literal,
    replace_line,
    same,
    statement_blocks,
    unittest_call,
    without_docstring,
)
from jobs.rules.registry import Hit, RuleContext, hit, rule

# Names that say "this test checks that nothing raises" on purpose (real-suite precision, pattern 4).
NO_RAISE_INTENT = re.compile(
    r"smoke|no_?raise|not_?raise|doesnt_?raise|no_?error|no_?exception|no_?crash|not_?crash|"
    r"doesnt_?crash|does_?not_?fail|no_?fail|runs?_?without|import",
    re.IGNORECASE,
)
EQUALITY_HINTS = re.compile(
    r"eq|equal|compar|same|hash|order|sort|cmp|reflex|identity|ident|ne_|_ne|lt|gt", re.I
)
# Tests that say they repeat a check (idempotence, twice, again) do so on purpose.
REPEAT_ON_PURPOSE = re.compile(r"idempot|repeat|twice|again", re.I)
IN_PLACE_NONE = frozenset(
    {"sort", "append", "extend", "insert", "remove", "clear", "update", "reverse", "add"}
)
COMPARE_OPS: dict[type[ast.cmpop], Callable[[Any, Any], object]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: operator.contains(b, a),
    ast.NotIn: lambda a, b: not operator.contains(b, a),
}


def is_empty_body(fn: FunctionFacts) -> bool:
    return all(
        isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        for s in without_docstring(fn.body)
    )


def _may_check_elsewhere(test: TestFacts, ctx: RuleContext) -> bool:
    """A check we cannot see may exist: an inherited helper, a checking fixture, an xfail(raises=)."""
    fn = test.fn
    if test.cls is not None:
        known = {name for name, method in test.cls.methods.items() if not method.checks}
        if any(c.name.startswith("self.") and c.name.split(".")[1] not in known for c in fn.calls):
            return True  # an inherited or assigned helper (`self.check = partial(...)`) we cannot see
    for param in fn.params:
        for fixture in ctx.batch.fixtures_by_name.get(param, ()):
            if fixture.fn.checks:
                return True
    xfail = fn.decorator("xfail")
    return xfail is not None and xfail.kwarg("raises") is not None


NO_RAISE_WORDS = re.compile(r"raise|crash|exception|error|smoke|should ?n[o']t fail|does ?n[o']t fail", re.I)


def _says_no_raise(test: TestFacts, ctx: RuleContext) -> bool:
    """The test's docstring or comments say that not raising is what it checks."""
    node = test.fn.node
    docstring = ast.get_docstring(node) or ""
    if NO_RAISE_WORDS.search(docstring):
        return True
    lines = ctx.module.lines[node.lineno - 1 : node.end_lineno]
    return any("#" in line and NO_RAISE_WORDS.search(line.split("#", 1)[1]) for line in lines)


@rule(
    "missing-assertion",
    severity="warning",
    scope="test",
    message="test checks nothing: it passes whenever the code does not raise; assert on the result",
    aliases=("unknown-test",),
)
def missing_assertion(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a test with no check of any kind: no `assert`, no `self.assert*`, no
    `pytest.raises`/`warns`/`fail`, no mock `assert_*` call and no call to a helper that checks.

    Why it matters: such a test passes whatever the code returns; it only fails when something raises.

    Use instead: assert on the value or state the test is about. When "does not raise" is the point,
    say so in the name (`test_parse_does_not_raise`) and the rule turns into a gentle note.
    """
    fn = test.fn
    if fn.checks or is_empty_body(fn) or _may_check_elsewhere(test, ctx):
        return
    intent = (
        NO_RAISE_INTENT.search(fn.name)
        or fn.decorator("given")
        or "benchmark" in fn.params
        or _says_no_raise(test, ctx)
    )
    if intent:
        yield hit(
            fn.node,
            "test only checks that nothing raises; if that is the intent, keep it, "
            "otherwise assert on the result",
            severity="info",
        )
    else:
        yield hit(fn.node)


@rule(
    "empty-test",
    severity="error",
    scope="test",
    message="test body is empty: it always passes; write the test or delete it",
)
def empty_test(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a test whose body is only `pass`, `...` or a docstring.

    Why it matters: it is reported as passing although it tests nothing, so the suite looks more
    complete than it is.

    Use instead: write the test, or mark it `@pytest.mark.skip(reason="...")` until it exists.
    """
    if is_empty_body(test.fn) and not test.fn.decorator("skip", "abstractmethod"):
        yield hit(test.fn.node)


def _check_statements(block: list[ast.stmt]) -> Iterator[tuple[int, ast.stmt]]:
    for index, stmt in enumerate(block):
        if isinstance(stmt, ast.Assert) or (
            isinstance(stmt, ast.Expr) and unittest_call(stmt.value, *_UNITTEST_ASSERTS) is not None
        ):
            yield index, stmt


_UNITTEST_ASSERTS = (
    "assertEqual", "assertNotEqual", "assertTrue", "assertFalse", "assertIs", "assertIsNot",
    "assertIsNone", "assertIsNotNone", "assertIn", "assertNotIn", "assertIsInstance",
    "assertNotIsInstance", "assertAlmostEqual", "assertNotAlmostEqual", "assertGreater",
    "assertGreaterEqual", "assertLess", "assertLessEqual", "assertRegex", "assertNotRegex",
    "assertCountEqual", "assertDictEqual", "assertListEqual", "assertSetEqual", "assertTupleEqual",
    "assertSequenceEqual", "assertMultiLineEqual", "assertEquals",
)  # fmt: skip


@rule(
    "redundant-assertion",
    severity="warning",
    scope="test",
    message="this assertion repeats an identical one above with nothing in between that could change "
    "its outcome; delete it or check something else",
    fix="delete the repeated line",
    aliases=("duplicate-assert",),
)
def redundant_assertion(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: an assertion identical to an earlier one in the same block when only other
    assertions stand between them and it calls nothing that could change state.

    Why it matters: the repeat can never fail where the first passed; it usually hides a copy-paste
    slip where a different value was meant to be checked.

    Use instead: delete the repeat, or assert the value you meant. Repeating an assert after an action
    (`client.get(b)`) is a second check and is not flagged, nor are tests whose names say they repeat
    on purpose (idempotence, "twice", "again").
    """
    if len(test.fn.checks) < 2 or REPEAT_ON_PURPOSE.search(test.qualname) or not _has_twin(test, ctx):
        return
    for block in statement_blocks(test.fn):
        seen: dict[str, ast.stmt] = {}
        last_index = -1
        for index, stmt in _check_statements(block):
            pure = _reads_only(stmt)
            if index != last_index + 1 or not pure:
                seen.clear()  # something that may change state stands in between
            last_index = index
            key = ast.dump(stmt)
            if pure and key in seen:
                yield hit(stmt, suggestion=delete_line("delete the repeated assertion"))
            if pure:
                seen.setdefault(key, stmt)


def _has_twin(test: TestFacts, ctx: RuleContext) -> bool:
    """Cheap pre-check on source text: do two checks of the test read the same, whitespace aside?"""
    lines = ctx.module.lines
    seen: set[str] = set()
    for check in test.fn.checks:
        node = check.node
        text = "".join(lines[node.lineno - 1 : node.end_lineno]).split("#", 1)[0]  # type: ignore[attr-defined]
        key = "".join(text.split())
        if key in seen:
            return True
        seen.add(key)
    return False


def _reads_only(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Assert):
        return is_pure(stmt)
    call = stmt.value  # type: ignore[attr-defined]
    return all(is_pure(a) for a in [*call.args, *(k.value for k in call.keywords)])


def _compare_always_true(node: ast.Compare, test: TestFacts) -> bool:
    if len(node.ops) != 1:
        return False
    left, right, op = node.left, node.comparators[0], node.ops[0]
    ok_l, lv = literal(left)
    ok_r, rv = literal(right)
    if ok_l and ok_r and type(op) in COMPARE_OPS:
        try:
            return bool(COMPARE_OPS[type(op)](lv, rv))
        except TypeError:
            return False
    if _len_at_least_zero(left, op, right):
        return True
    if isinstance(op, ast.Eq | ast.Is | ast.LtE | ast.GtE) and same(left, right):
        return _literal_name(left, test)
    return False


def _literal_name(node: ast.expr, test: TestFacts) -> bool:
    """A local name the test binds only to a literal: comparing it with itself tests nothing.

    Attributes, calls and other names are left alone: `obj == obj`, `x.prop is x.prop` and
    `id(a) == id(a)` test `__eq__`, caching or identity on purpose (real-suite precision, pattern 1).
    """
    if not isinstance(node, ast.Name) or EQUALITY_HINTS.search(test.qualname):
        return False
    bindings = test.fn.assigned.get(node.id, [])
    stores = test.fn.stores.get(node.id, [])
    return (
        bool(bindings)
        and len(bindings) == len(stores)
        and all(isinstance(b, ast.Assign) and is_literal(b.value) for b in bindings)
    )


def _len_at_least_zero(left: ast.expr, op: ast.cmpop, right: ast.expr) -> bool:
    is_len = isinstance(left, ast.Call) and getattr(left.func, "id", "") == "len"
    return is_len and isinstance(op, ast.GtE) and isinstance(right, ast.Constant) and right.value == 0


def _always_true(expr: ast.expr, test: TestFacts) -> str | None:
    """Why `assert expr` cannot fail, or None."""
    if isinstance(expr, ast.Constant):
        return "asserts a truthy constant" if expr.value else None
    if isinstance(expr, ast.Tuple) and expr.elts:
        return "a non-empty tuple is always true; a message was probably meant"
    if isinstance(expr, ast.Compare) and _compare_always_true(expr, test):
        return "the comparison is true whatever the code under test does"
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not) and isinstance(expr.operand, ast.Call):
        func = expr.operand.func
        if isinstance(func, ast.Attribute) and func.attr in IN_PLACE_NONE:
            return f"`.{func.attr}()` returns None, so `not ...` is always true"
    truthy_operand = any(isinstance(v, ast.Constant) and v.value for v in getattr(expr, "values", ()))
    if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or) and truthy_operand:
        return "one operand of `or` is a truthy constant"
    is_isinstance = isinstance(expr, ast.Call) and getattr(expr.func, "id", "") == "isinstance"
    if is_isinstance and len(expr.args) == 2 and getattr(expr.args[1], "id", "") == "object":  # type: ignore[attr-defined]
        return "everything is an instance of object"
    return None


def _unittest_always_true(call: ast.Call, test: TestFacts) -> str | None:
    name = call.func.attr  # type: ignore[attr-defined]
    args = call.args
    if not args:
        return None
    ok, value = literal(args[0])
    if name in {"assertTrue", "assert_"} and ok and value:
        return "asserts a truthy constant"
    if name == "assertFalse" and ok and not value:
        return "asserts that a falsy constant is false"
    if name == "assertIsNone" and ok and value is None:
        return "asserts that None is None"
    if name == "assertIsNotNone" and ok and value is not None:
        return "asserts that a constant is not None"
    self_compare = (
        name in {"assertEqual", "assertEquals", "assertIs"} and len(args) >= 2 and same(args[0], args[1])
    )
    if self_compare and (ok or _literal_name(args[0], test)):
        return "compares a value with itself"
    return None


@rule(
    "trivial-assertion",
    severity="error",
    scope="test",
    message="assertion is always true: it cannot fail; assert on a value the code under test produces",
    aliases=("redundant-assertion (smell catalogue)",),
)
def trivial_assertion(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: an assertion that holds whatever the code does: `assert True`, `assert 1 == 1`,
    `assert (x, "msg")`, `assert len(x) >= 0`, `assert not items.sort()`, `assertTrue(True)`,
    `assertEqual(a, a)` outside tests of equality itself.

    Why it matters: the test reports a pass that proves nothing; a tuple assert is a classic slip
    where a message was meant and the real condition is never checked.

    Use instead: assert on the result of the code under test; for a tuple, drop the parentheses:
    `assert x, "msg"`.
    """
    for node in test.fn.asserts:
        reason = _always_true(node.test, test)
        if reason is None:
            continue
        suggestion = None
        if isinstance(node.test, ast.Tuple) and len(node.test.elts) == 2 and node.msg is None:
            cond, msg = (ast.unparse(e) for e in node.test.elts)
            suggestion = replace_line(
                ctx.module, node, f"assert {cond}, {msg}", "assert the condition with a message"
            )
        elif isinstance(node.test, ast.Constant):
            suggestion = delete_line("delete the assertion that cannot fail")
        yield hit(
            node,
            f"assertion cannot fail: {reason}; assert on a value the code produces",
            suggestion=suggestion,
        )
    for check in test.fn.checks:
        call = unittest_call(check.node, "assertTrue", "assert_", "assertFalse", "assertIsNone",
                             "assertIsNotNone", "assertEqual", "assertEquals", "assertIs")  # fmt: skip
        if call is not None and (reason := _unittest_always_true(call, test)) is not None:
            yield hit(call, f"assertion cannot fail: {reason}; assert on a value the code produces")
