"""Assertion-quality family: checks that exist but are weak, misplaced, unreachable or misspelt."""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Callable, Iterator
from decimal import Decimal

from jobs.contracts import Suggestion
from jobs.engine.facts import Check, CheckKind, FunctionFacts, ModuleFacts, TestFacts
from jobs.rules._util import delete_line, literal, single_line, statement_blocks
from jobs.rules.registry import Hit, RuleContext, hit, rule

# --------------------------------------------------------------------------- shared helpers

# Test names that say "this only checks it does not raise / only checks the shape" on purpose.
SMOKE_INTENT = re.compile(
    r"smoke|no_?raise|not_?raise|doesnt_?raise|no_?error|no_?exception|no_?crash|not_?crash|"
    r"doesnt_?crash|does_?not_?fail|no_?fail|runs?_?without|import|sanity",
    re.IGNORECASE,
)
TERMINAL_CALLS = frozenset(
    {"pytest.fail", "pytest.skip", "pytest.xfail", "pytest.exit", "self.fail", "self.skipTest"}
)
FAILING_CALLS = frozenset({"pytest.fail", "pytest.skip", "pytest.xfail", "self.fail", "self.skipTest"})
UNITTEST_ASSERT = re.compile(r"^(assert[A-Z_]\w*|fail\w*)$")


def _call_name(node: ast.AST) -> str:
    """`pytest.fail` for a call `pytest.fail(...)`, '' for anything else (no import resolution)."""
    if not isinstance(node, ast.Call):
        return ""
    parts: list[str] = []
    func: ast.AST = node.func
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
        return ".".join(reversed(parts))
    return ""


def _terminal_call(stmt: ast.stmt, names: frozenset[str]) -> bool:
    return isinstance(stmt, ast.Expr) and _call_name(stmt.value) in names


def _is_terminal(stmt: ast.stmt) -> bool:
    """After this statement nothing else in its block runs."""
    if isinstance(stmt, ast.Return | ast.Raise | ast.Continue | ast.Break):
        return True
    return _terminal_call(stmt, TERMINAL_CALLS)


def _fails(stmt: ast.stmt) -> bool:
    """The statement ends the test as failed or skipped (never as a silent pass)."""
    if isinstance(stmt, ast.Assert):
        return _falsy_constant(stmt.test)
    return isinstance(stmt, ast.Raise) or _terminal_call(stmt, FAILING_CALLS)


def _span(node: ast.AST) -> tuple[int, int]:
    start = getattr(node, "lineno", 0)
    return start, getattr(node, "end_lineno", start) or start


def _checks_in(fn: FunctionFacts, stmt: ast.stmt) -> list[Check]:
    start, end = _span(stmt)
    return [c for c in fn.checks if start <= getattr(c.node, "lineno", 0) <= end]


def _edit(module: ModuleFacts, node: ast.AST, edits: list[tuple[int, int, str]]) -> str | None:
    """The line of a one-line `node` with byte-column ranges replaced; None when it spans lines."""
    if single_line(module, node) is None:
        return None
    raw = module.line_text(getattr(node, "lineno", 0)).encode("utf-8")
    for start, end, text in sorted(edits, reverse=True):
        raw = raw[:start] + text.encode("utf-8") + raw[end:]
    return raw.decode("utf-8", errors="replace")


def _replace_stmt(module: ModuleFacts, node: ast.AST, new: str, description: str) -> Suggestion | None:
    """Replace a one-line statement in place, keeping its indentation and any trailing comment."""
    start, end = getattr(node, "col_offset", 0), getattr(node, "end_col_offset", 0) or 0
    line = _edit(module, node, [(start, end, new)])
    return None if line is None else Suggestion(type="replace", new_text=line, description=description)


def _text(module: ModuleFacts, node: ast.AST) -> str:
    """The source text of a one-line node (byte offsets), falling back to unparse."""
    line = getattr(node, "lineno", 0)
    if line and getattr(node, "end_lineno", line) == line:
        raw = module.line_text(line).encode("utf-8")
        return raw[node.col_offset : node.end_col_offset].decode("utf-8", errors="replace")  # type: ignore[attr-defined]
    return ast.unparse(node)


def _unittest_method(node: ast.AST) -> tuple[str, ast.Call] | None:
    """(`assertEqual`, call) for `self.assertEqual(...)`."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "self"
    ):
        return node.func.attr, node
    return None


def _single_compare(node: ast.AST) -> tuple[ast.expr, ast.cmpop, ast.expr] | None:
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        return node.left, node.ops[0], node.comparators[0]
    return None


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _bool_const(node: ast.AST) -> bool | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return node.value
    return None


def _builtin_call(node: ast.AST, *names: str) -> ast.Call | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
        return node
    return None


def _words(name: str) -> list[str]:
    """`test_parseHTTPDate` -> ['test', 'parse', 'http', 'date']."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


# --------------------------------------------------------------------------- always-truthy-operand


def _always_truthy(expr: ast.expr) -> str | None:
    """Why `expr` is truthy whatever it holds (tuples and constants are trivial-assertion's)."""
    if isinstance(expr, ast.Lambda):
        return "a lambda is always truthy; call it"
    if isinstance(expr, ast.GeneratorExp):
        return "a generator object is always truthy; wrap it in all(...) or any(...)"
    if isinstance(expr, ast.JoinedStr):
        if any(isinstance(v, ast.Constant) and v.value for v in expr.values):
            return "an f-string with literal text is never empty"
        return None
    if isinstance(expr, ast.List | ast.Set) and any(not isinstance(e, ast.Starred) for e in expr.elts):
        kind = "list" if isinstance(expr, ast.List) else "set"
        return f"a non-empty {kind} display is always truthy"
    if isinstance(expr, ast.Dict) and any(k is not None for k in expr.keys):
        return "a non-empty dict display is always truthy"
    return None


@rule(
    "always-truthy-operand",
    severity="error",
    scope="test",
    message="assertion on a value that is always truthy (lambda, generator, f-string, non-empty "
    "list/dict/set): it cannot fail; assert on what the value holds",
    aliases=("F631", "PLW0129"),
)
def always_truthy_operand(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `assert` (or `self.assertTrue`) on an object that is truthy whatever it
    contains: a lambda, a generator expression, an f-string with literal text, or a list, set or
    dict display with at least one element. Tuples and constants belong to trivial-assertion.

    Why it matters: `assert (x > 0 for x in xs)` or `assert [result == 3]` always passes; the
    condition inside is never checked.

    Use instead: assert the condition itself: `assert all(x > 0 for x in xs)`, `assert result == 3`,
    `assert f(...)` instead of `assert lambda: f(...)`.
    """
    for node in test.fn.asserts:
        reason = _always_truthy(node.test)
        if reason is not None:
            yield hit(node, f"assertion cannot fail: {reason}")
    for check in test.fn.checks:
        found = _unittest_method(check.node)
        if found and found[0] in {"assertTrue", "assert_"} and found[1].args:
            reason = _always_truthy(found[1].args[0])
            if reason is not None:
                yield hit(found[1], f"assertion cannot fail: {reason}")


# --------------------------------------------------------------------------- fail-idiom


def _falsy_constant(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and not expr.value


@rule(
    "fail-idiom",
    severity="info",
    scope="test",
    message="`assert False` used to fail the test: use pytest.fail(reason) / self.fail(reason), "
    "which also survive `python -O`",
    fix="replace `assert False, msg` with `pytest.fail(msg)` or `self.fail(msg)`",
    aliases=("PT015", "B011", "PT016"),
)
def fail_idiom(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `assert False` / `assert 0` / `assert None` written to fail a test on purpose,
    and `pytest.fail()` / `self.fail()` called without a reason.

    Why it matters: `assert False` disappears under `python -O` and reads like a broken assertion;
    a failure without a reason tells the reader nothing about what went wrong.

    Use instead: `pytest.fail("why this must not happen")` in pytest tests, `self.fail("...")` in a
    `TestCase`.
    """
    module = ctx.module
    unittest_style = test.is_unittest
    has_pytest = "pytest" in module.imports
    for node in test.fn.asserts:
        if not _falsy_constant(node.test):
            continue
        reason = _text(module, node.msg) if node.msg is not None else '"..."'
        target = "self.fail" if unittest_style else "pytest.fail"
        suggestion = None
        if node.msg is not None and (unittest_style or has_pytest):
            suggestion = _replace_stmt(module, node, f"{target}({reason})", f"fail with {target}")
        message = f"`assert {_text(module, node.test)}` used as a failure: use `{target}({reason})`"
        yield hit(node, message, suggestion=suggestion)
    for call in test.fn.calls:
        if call.name in {"pytest.fail", "self.fail"} and not call.node.args and not call.node.keywords:
            yield hit(call.node, f"`{call.name}()` without a reason: say why the test fails")


# --------------------------------------------------------------------------- weak-assertion

# Lookups that return None to say "not found": `is not None` on them is the real check.
OPTIONAL_LOOKUPS = frozenset(
    {
        "match", "search", "fullmatch", "get", "getattr", "find", "find_spec", "findtext", "lookup",
        "which", "gettz", "getenv", "get_loader", "getfixturevalue", "first", "peek", "pop", "poll",
        "wait", "receive", "recv", "get_nowait", "to_specifier_set", "resolve", "locate",
    }
)  # fmt: skip
PLAIN_TYPES = frozenset({"dict", "list", "str", "int", "float", "bytes", "tuple", "set", "object", "bool"})
WEAK_INTENT = {
    "not None": re.compile(r"none|exist|present|not_null|notnull|is_set|defined|available|found", re.I),
    "non-empty": re.compile(r"empty|any|some|exist|present|nonzero|non_zero|len|count", re.I),
    "type": re.compile(
        r"type|instance|class|subclass|isinstance|kind|protocol|dict|list|str|int|bytes|cast|conver|coerc",
        re.I,
    ),
}


def _callee_last(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _non_empty_len(left: ast.expr, op: ast.cmpop, right: ast.expr) -> ast.expr | None:
    """The measured value of `len(x) > 0` / `len(x) >= 1` / `len(x) != 0` / `0 < len(x)`."""
    if (call := _builtin_call(left, "len")) is not None and isinstance(right, ast.Constant) and call.args:
        value = right.value
        if (isinstance(op, ast.Gt | ast.NotEq) and value == 0) or (isinstance(op, ast.GtE) and value == 1):
            return call.args[0]
    if (call := _builtin_call(right, "len")) is not None and isinstance(left, ast.Constant) and call.args:
        return call.args[0] if isinstance(op, ast.Lt) and left.value == 0 else None
    return None


def _result_subject(node: ast.expr, fn: FunctionFacts, check: ast.AST) -> bool:
    """`node` is what the code under test returned, and nothing else looks at it.

    A call, or a local bound once to a call and read only by this check. Optional lookups
    (`re.match`, `.get`) are excluded: for them `is not None` is the real check. A local the test
    goes on to use is a guard before further work, not the test's last word.
    """
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return _result_subject(node.value, fn, check)  # `result["id"]`: a field of the result
    if isinstance(node, ast.Call):
        last = _callee_last(node)
        lookup = last in OPTIONAL_LOOKUPS or last.startswith(("get", "find", "try_", "maybe_"))
        return not lookup and _builtin_call(node, "len", "str") is None
    if isinstance(node, ast.Name):
        stores = fn.stores.get(node.id, ())
        assigned = fn.assigned.get(node.id, ())
        if len(stores) != 1 or len(assigned) != 1:
            return False
        value = getattr(assigned[0], "value", None)
        if not isinstance(value, ast.expr) or not _result_subject(value, fn, check):
            return False
        return fn.loads.get(node.id, 0) == _name_loads(check, node.id)
    return False


def _weak_expr(expr: ast.expr, fn: FunctionFacts, check: ast.AST) -> str | None:
    """Which weak category an asserted expression falls in, or None when it checks something."""
    parts = _single_compare(expr)
    if parts is not None:
        left, op, right = parts
        if isinstance(op, ast.IsNot) and _is_none(right) and _result_subject(left, fn, check):
            return "not None"
        measured = _non_empty_len(left, op, right)
        if measured is not None and _result_subject(measured, fn, check):
            return "non-empty"
        return None
    call = _builtin_call(expr, "isinstance")
    if call is not None and len(call.args) == 2:
        return _weak_type(call.args[0], call.args[1], fn, check)
    return None


def _weak_type(subject: ast.expr, types: ast.expr, fn: FunctionFacts, check: ast.AST) -> str | None:
    """`isinstance(result, dict)`: a builtin type says little; a specific class is often the point."""
    names = types.elts if isinstance(types, ast.Tuple) else [types]
    if all(isinstance(t, ast.Name) and t.id in PLAIN_TYPES for t in names):
        return "type" if _result_subject(subject, fn, check) else None
    return None


def _weak_unittest(name: str, call: ast.Call, fn: FunctionFacts) -> str | None:
    args = call.args
    if name == "assertIsNotNone" and args:
        return "not None" if _result_subject(args[0], fn, call) else None
    if name == "assertIsInstance" and len(args) >= 2:
        return _weak_type(args[0], args[1], fn, call)
    if name in {"assertTrue", "assert_"} and args:
        return _weak_expr(args[0], fn, call)
    if (
        name in {"assertGreater", "assertNotEqual"}
        and len(args) >= 2
        and (measured := _builtin_call(args[0], "len")) is not None
        and measured.args
        and isinstance(args[1], ast.Constant)
        and args[1].value == 0
    ):
        return "non-empty" if _result_subject(measured.args[0], fn, call) else None
    return None


WEAK_MESSAGES = {
    "not None": "the test's only check is `is not None`: almost any result passes; assert the expected value",
    "non-empty": "the test's only check is that the result is non-empty: assert what it contains",
    "type": "the test's only check is the result's builtin type: assert its value too",
}


def _checks_elsewhere(test: TestFacts, ctx: RuleContext) -> bool:
    """A fixture the test requests checks too, or an inherited helper may."""
    for param in test.fn.params:
        if any(f.fn.checks for f in ctx.batch.fixtures_by_name.get(param, ())):
            return True
    return test.fn.decorator("xfail") is not None


@rule(
    "weak-assertion",
    severity="warning",
    scope="test",
    message="the test only checks that its result is not None, non-empty or of a builtin type: "
    "almost any result passes; assert the expected value",
    aliases=("C6",),
)
def weak_assertion(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a test whose every check is weak and looks at what the code under test
    returned: `assert result is not None`, `assert len(result) > 0`, `assert isinstance(result,
    dict)` (a builtin type), and the unittest spellings (`assertIsNotNone`, `assertIsInstance`,
    `assertGreater(len(x), 0)`). Not flagged: optional lookups (`re.match(...) is not None`,
    `.get(...)`), attributes, a specific class in `isinstance` (dispatch and union tests check
    exactly that), a value the test goes on to use (a guard), tests named for what they check
    (`test_returns_dict`, `test_not_none`), smoke and import tests, and tests whose fixtures check.

    Why it matters: nearly any wrong result still passes; such tests give coverage without
    catching regressions.

    Use instead: assert the expected value (`assert result == {"id": 1}`), or add a check on the
    content next to the shape check.
    """
    fn = test.fn
    checks = fn.checks
    if not checks or len(checks) > 3 or SMOKE_INTENT.search(test.qualname):
        return
    categories: list[str] = []
    for check in checks:
        category = None
        if check.kind is CheckKind.ASSERT and isinstance(check.node, ast.Assert):
            category = _weak_expr(check.node.test, fn, check.node)
        elif check.kind is CheckKind.UNITTEST and (found := _unittest_method(check.node)):
            category = _weak_unittest(found[0], found[1], fn)
        if category is None:
            return
        categories.append(category)
    if _checks_elsewhere(test, ctx):
        return
    if any(WEAK_INTENT[c].search(test.qualname) for c in categories):
        return
    yield hit(checks[0].node, WEAK_MESSAGES[categories[0]])


# --------------------------------------------------------------------------- assertion-never-runs


@rule(
    "assertion-never-runs",
    severity="error",
    scope="test",
    message="this check sits after a return/raise/fail/skip in the same block and never runs; move it "
    "before, or delete it",
    aliases=("C20", "C43"),
)
def assertion_never_runs(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: an assertion (or any other check) that follows a `return`, `raise`,
    `continue`, `break`, `pytest.fail/skip/xfail()` or `self.fail/skipTest()` in the same block.

    Why it matters: the check is dead code: the test reports a pass (or a skip) without ever
    evaluating it, so the reader believes something is verified that is not.

    Use instead: move the check before the statement that ends the block, or delete it. To skip a
    test, use `@pytest.mark.skip(reason=...)` rather than an early `pytest.skip()`.
    """
    fn = test.fn
    if not fn.checks or not _may_end_early(fn, ctx.module):
        return
    for block in statement_blocks(fn):
        for index, stmt in enumerate(block[:-1]):
            if not _is_terminal(stmt):
                continue
            dead = [c for later in block[index + 1 :] for c in _checks_in(fn, later)]
            if dead:
                more = f" (and {len(dead) - 1} more after it)" if len(dead) > 1 else ""
                skipped = _terminal_call(stmt, frozenset({"pytest.skip", "self.skipTest"}))
                yield hit(
                    dead[0].node,
                    f"this check{more} never runs: it follows {_terminal_name(stmt)} in the same block",
                    severity="warning" if skipped else None,  # a skipped test is not a false pass
                )
            break


def _terminal_name(stmt: ast.stmt) -> str:
    if _terminal_call(stmt, frozenset({"pytest.skip", "self.skipTest"})):
        return "an unconditional skip"
    if isinstance(stmt, ast.Expr):
        return f"`{_call_name(stmt.value)}()` on line {stmt.lineno}"
    return f"the `{type(stmt).__name__.lower()}` on line {stmt.lineno}"


def _may_end_early(fn: FunctionFacts, module: ModuleFacts) -> bool:
    """A cheap pre-check: the function has some statement after which its block stops."""
    if fn.returns or any(c.name in TERMINAL_CALLS for c in fn.calls):
        return True
    start, end = _span(fn.node)
    text = "\n".join(module.lines[start:end])
    return "raise" in text or "continue" in text or "break" in text


# --------------------------------------------------------------------------- conditional-assertion

ENV_CONDITION = re.compile(
    r"\b(sys\.platform|sys\.version_info|sys\.implementation|os\.name|platform\.|PY\d|PYPY|"
    r"IS_[A-Z_]+|[A-Z_]*WINDOWS|[A-Z_]*LINUX|[A-Z_]*MACOS|[A-Z_]*DARWIN|HAS_[A-Z_]+|"
    r"sys\.flags|sys\.maxsize|find_spec|hasattr|__version__|VERSION)",
)
NEVER_EMPTY = frozenset({"dir"})
GROWERS = ("append", "extend", "add", "update", "insert", "setdefault")
# Builtins and itertools that only reshape their input: iterating them is iterating the input.
RESHAPERS = frozenset(
    {
        "range", "enumerate", "zip", "sorted", "reversed", "list", "tuple", "set", "frozenset", "dict",
        "map", "filter", "iter", "product", "permutations", "combinations", "combinations_with_replacement",
        "pairwise", "chain", "groupby", "islice", "zip_longest", "repeat", "cycle", "items", "keys",
        "values", "from_iterable", "fromkeys", "len", "str", "repr", "int", "float", "bool", "print",
        "isinstance", "getattr", "hasattr", "type", "id", "next", "min", "max", "sum", "abs", "round",
        "any", "all",
    }
)  # fmt: skip


def _root_name(node: ast.AST) -> str | None:
    """`G` for `G`, `G.nodes`, `G.nodes()`, `G[0].x`; `self` for `self.cases`."""
    while True:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            node = node.func.value
        else:
            return None


class _Paths:
    """Does every path through a block run a check (or fail or skip the test)?

    A loop counts when what it iterates is the author's data, not the result of the code under test:
    literals, module constants, class attributes, test parameters (fixtures and parametrize cases),
    names the test also feeds as input to a call, and reshapings of those (`sorted`, `zip`, `product`).
    The same holds for an `if` whose condition reads only such data, or the platform and version.
    """

    def __init__(self, fn: FunctionFacts, module: ModuleFacts) -> None:
        self.fn = fn
        self.check_lines = {getattr(c.node, "lineno", 0) for c in fn.checks}
        self.module_names = _module_names(module)
        self.imports = module.imports
        self.loop_iters: dict[str, ast.expr] = {}
        for node in fn.control:
            if isinstance(node, ast.For | ast.AsyncFor):
                for target in ast.walk(node.target):
                    if isinstance(target, ast.Name):
                        self.loop_iters.setdefault(target.id, node.iter)
        self.inputs: set[str] | None = None
        self.culprit: ast.stmt | None = None

    def _input_names(self) -> set[str]:
        """Names passed as arguments to a call that is not a reshaping builtin: the test's input."""
        if self.inputs is None:
            found: set[str] = set()
            check_nodes = {id(c.node) for c in self.fn.checks}
            for call in self.fn.calls:
                if call.last in RESHAPERS or id(call.node) in check_nodes or call.in_assert:
                    continue
                for arg in [*call.node.args, *(k.value for k in call.node.keywords)]:
                    root = _root_name(arg.value if isinstance(arg, ast.Starred) else arg)
                    if root is not None:
                        found.add(root)
            self.inputs = found
        return self.inputs

    def data(self, node: ast.AST, depth: int = 0) -> bool:
        """True when `node` is the author's data (see the class docstring)."""
        if depth > 6:
            return False
        if isinstance(node, ast.Constant | ast.List | ast.Tuple | ast.Set | ast.Dict):
            ok, value = literal(node)
            if ok:
                return bool(value)
            if isinstance(node, ast.Dict):
                return any(k is not None for k in node.keys)
            if isinstance(node, ast.Constant):
                return False
            return any(not isinstance(e, ast.Starred) for e in node.elts)
        if isinstance(node, ast.Call):
            last = _callee_last(node)
            if last in NEVER_EMPTY:
                return True
            if last == "range":
                return self._range(node)
            if last in RESHAPERS:
                receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
                parts = [a for a in node.args if not isinstance(a, ast.Starred | ast.Lambda)]
                if receiver is not None and last in {"items", "keys", "values", "from_iterable"}:
                    parts.append(receiver)
                if last in {"map", "filter"} and parts:
                    parts = parts[1:]
                return bool(parts) and all(self.data(p, depth + 1) for p in parts)
            if isinstance(node.func, ast.Attribute):  # `G.edges()` on input data is data
                root = _root_name(node.func.value)
                return root is not None and root not in self.imports and self.data(node.func.value, depth + 1)
            return False
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.data(node.left, depth + 1) or self.data(node.right, depth + 1)
        if isinstance(node, ast.IfExp):
            return self.data(node.body, depth + 1) and self.data(node.orelse, depth + 1)
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            first = node.generators[0]  # later generators iterate what the first one yields
            return not first.ifs and self.data(first.iter, depth + 1)
        if isinstance(node, ast.Attribute | ast.Subscript):
            root = _root_name(node)
            return root is not None and root not in self.imports and self._data_name(root, depth + 1)
        if isinstance(node, ast.Name):
            return self._data_name(node.id, depth)
        return False

    def _range(self, call: ast.Call) -> bool:
        """`range(3)`, `range(1, n + 1)`, `range(len(G))` on input: the author's counts, not results."""
        values = [literal(a) for a in call.args]
        if values and all(ok for ok, _ in values):
            nums = [v for _, v in values]
            start, stop = (0, nums[0]) if len(nums) == 1 else (nums[0], nums[1])
            return isinstance(start, int) and isinstance(stop, int) and stop > start
        return bool(call.args) and all(self._count(a) for a in call.args)

    def _count(self, node: ast.AST) -> bool:
        for child in ast.walk(node):
            if isinstance(child, ast.Call):
                if _callee_last(child) != "len" or not child.args or not self.data(child.args[0], 1):
                    return False
            elif isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
                assigned = self.fn.assigned.get(child.id, ())
                if any(isinstance(getattr(a, "value", None), ast.Call) for a in assigned):
                    return False
        return True

    def _built(self, name: str, assigned: list[ast.stmt]) -> bool:
        """`expected = []` then `expected.append(...)`: a collection the author builds by hand."""
        if not all(isinstance(getattr(a, "value", None), ast.List | ast.Set | ast.Dict) for a in assigned):
            return False
        return any(c.name in {f"{name}.{m}" for m in GROWERS} for c in self.fn.calls)

    def _data_name(self, name: str, depth: int) -> bool:
        fn = self.fn
        if name in {"self", "cls"} or name in fn.params:
            return True
        stores = fn.stores.get(name, ())
        if not stores:
            return name in self.module_names
        if name in self.loop_iters and self.data(self.loop_iters[name], depth + 1):
            return True
        assigned = fn.assigned.get(name, [])
        base = [a for a in assigned if not isinstance(a, ast.AugAssign)]  # `+=` only grows it
        if len(assigned) == len(stores) and base and self._built(name, base):
            return True
        if (
            len(assigned) == len(stores)
            and base
            and all(
                isinstance(v := getattr(a, "value", None), ast.expr) and self.data(v, depth + 1) for a in base
            )
        ):
            return True
        return name in self._input_names()

    def data_condition(self, test: ast.expr) -> bool:
        if ENV_CONDITION.search(ast.unparse(test)):
            return True
        names = [n for n in ast.walk(test) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
        return all(
            n.id in BUILTIN_NAMES or self._data_name(n.id, 0) for n in names if not _is_callee(test, n)
        )

    def block(self, block: list[ast.stmt]) -> bool:
        return any(self.stmt(s) for s in block)

    def stmt(self, stmt: ast.stmt) -> bool:
        if _fails(stmt):
            return True
        if isinstance(stmt, ast.If):
            if self.block(stmt.body) and self.block(stmt.orelse):
                return True
            if any(_fails(s) for s in stmt.body) or any(_fails(s) for s in stmt.orelse):
                return True  # `if bad: pytest.fail()` is itself a check
            if self.data_condition(stmt.test):
                return self.block(stmt.body) or self.block(stmt.orelse)
            return self._miss(stmt)
        if isinstance(stmt, ast.For | ast.AsyncFor):
            if self.data(stmt.iter) and self.block(stmt.body):
                return True
            if stmt.orelse and self.block(stmt.orelse):
                return True
            return self._miss(stmt)
        if isinstance(stmt, ast.While):
            if isinstance(stmt.test, ast.Constant) and stmt.test.value and self.block(stmt.body):
                return True
            return (bool(stmt.orelse) and self.block(stmt.orelse)) or self._miss(stmt)
        if isinstance(stmt, ast.Try):
            if self.block(stmt.body) or self.block(stmt.finalbody):
                return True
            if any(_fails(s) for s in stmt.orelse):
                return True  # `try: act() except E: pass else: pytest.fail()` checks that E is raised
            return (bool(stmt.handlers) and all(self.block(h.body) for h in stmt.handlers)) or self._miss(
                stmt
            )
        if isinstance(stmt, ast.With | ast.AsyncWith):
            items = any(getattr(i.context_expr, "lineno", 0) in self.check_lines for i in stmt.items)
            return items or self.block(stmt.body)
        if isinstance(stmt, ast.Match):
            cases = stmt.cases
            wildcard = (
                bool(cases)
                and isinstance(cases[-1].pattern, ast.MatchAs)
                and cases[-1].pattern.pattern is None
            )
            return (wildcard and all(self.block(c.body) for c in cases)) or self._miss(stmt)
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return False
        start, end = _span(stmt)
        return any(start <= line <= end for line in self.check_lines)

    def _miss(self, stmt: ast.stmt) -> bool:
        """Remember the first compound statement that holds checks but does not always run them."""
        start, end = _span(stmt)
        if self.culprit is None and any(start <= line <= end for line in self.check_lines):
            self.culprit = stmt
        return False


BUILTIN_NAMES = frozenset(dir(builtins))


def _is_callee(expr: ast.expr, name: ast.Name) -> bool:
    return any(isinstance(n, ast.Call) and n.func is name for n in ast.walk(expr))


def _module_names(module: ModuleFacts) -> set[str]:
    names = set(module.imports)
    for stmt in module.tree.body:
        if isinstance(stmt, ast.Assign):
            names.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            names.add(stmt.target.id)
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(stmt.name)
    return names


def _culprit_message(stmt: ast.stmt | None) -> str | None:
    if isinstance(stmt, ast.For | ast.AsyncFor):
        text = ast.unparse(stmt.iter)
        text = text if len(text) <= 40 else text[:37] + "..."
        return (
            f"every check of this test runs inside the loop over `{text}`: when it is empty the test "
            "passes without checking anything; assert it is not empty first"
        )
    if isinstance(stmt, ast.If):
        text = ast.unparse(stmt.test)
        text = text if len(text) <= 40 else text[:37] + "..."
        return (
            f"every check of this test runs only when `{text}` holds: otherwise the test passes "
            "without checking anything; assert the condition, or add `else: pytest.fail(...)`"
        )
    return None


@rule(
    "conditional-assertion",
    severity="warning",
    scope="test",
    message="every check of this test is conditional (under if/for/while/try): on some paths the "
    "test passes without checking anything",
    aliases=("C1", "C21"),
)
def conditional_assertion(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a test that has checks, all of them inside a loop over a result of the code
    under test (which may be empty) or under an `if` on such a result without a checking `else`.
    Not flagged: loops over the author's data (literals, `range(3)`, module constants, class
    attributes, fixtures and parametrize values, names the test passes as input to a call), `if`/`else`
    pairs that check on both sides, `if bad: pytest.fail()`, conditions on the platform, the Python
    version or the test's parameters, handlers that fail or skip, and Hypothesis `@given` tests,
    whose properties hold vacuously by design.

    Why it matters: when the result is empty or the branch is not taken, the test passes without
    checking anything: a regression that empties the result makes the test greener, not red.

    Use instead: assert the precondition first (`assert items`, `assert len(rows) == 3`), add an
    `else: pytest.fail(...)`, or use `@pytest.mark.skipif` for environment conditions.
    """
    fn = test.fn
    checks = fn.checks
    if not checks or not all(c.conditional for c in checks) or fn.decorator("given"):
        return
    if SMOKE_INTENT.search(fn.name):
        return
    paths = _Paths(fn, ctx.module)
    if paths.block(fn.body):
        return
    node = paths.culprit or fn.node
    yield hit(node, _culprit_message(paths.culprit))


# --------------------------------------------------------------------------- unasserted-comparison


def _guarded_ranges(fn: FunctionFacts, module: ModuleFacts) -> list[tuple[int, int]]:
    """Line ranges where a statement may be the act that is expected to raise."""
    ranges: list[tuple[int, int]] = []
    for with_node in fn.withs:
        if any(
            c.kind is CheckKind.RAISES and c.node is i.context_expr
            for c in fn.checks
            for i in with_node.items
        ):
            ranges.append((with_node.body[0].lineno, _span(with_node)[1]))
    for try_node in fn.trys:
        if try_node.handlers:
            ranges.append((try_node.body[0].lineno, _span(try_node.body[-1])[1]))
    return ranges


# Plugins that compare what a test returns (pytest-mpl's `mpl_image_compare`, snapshot plugins).
RETURN_CONSUMING_MARK = re.compile(r"compare|snapshot|image|golden|baseline|regression", re.I)


def _plugin_marked(fn: FunctionFacts) -> bool:
    return any(
        ".mark." in d.name and RETURN_CONSUMING_MARK.search(d.name.rsplit(".", 1)[-1]) for d in fn.decorators
    )


def _self_compare(node: ast.Compare) -> bool:
    operands = [node.left, *node.comparators]
    return all(ast.dump(o) == ast.dump(operands[0]) for o in operands[1:])


@rule(
    "unasserted-comparison",
    severity="error",
    scope="test",
    message="comparison computed and thrown away: it checks nothing; put `assert` in front of it",
    fix="prefix the comparison with `assert`",
    aliases=("B015", "C39", "W0104"),
)
def unasserted_comparison(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a statement that is only a comparison (`result == 3` on its own line) outside
    a `pytest.raises`/`assertRaises` block or a `try` body, and a test function that returns a
    value (pytest ignores it, and warns).

    Why it matters: the comparison is evaluated and discarded, so the test passes whatever the
    values are; usually the `assert` keyword was forgotten. A returned comparison is the same slip.

    Use instead: `assert result == 3`. Inside `pytest.raises` a bare comparison is the act expected
    to raise and is not flagged.
    """
    fn = test.fn
    module = ctx.module
    ranges: list[tuple[int, int]] | None = None
    for stmt in fn.expr_statements:
        if not isinstance(stmt.value, ast.Compare):
            continue
        if ranges is None:
            ranges = _guarded_ranges(fn, module)
        if any(start <= stmt.lineno <= end for start, end in ranges):
            continue
        if _self_compare(stmt.value):
            continue  # `hash(x) == hash(x)` is run for what it exercises, not for its outcome
        suggestion = _replace_stmt(
            module, stmt, f"assert {_text(module, stmt.value)}", "assert the comparison"
        )
        yield hit(stmt, suggestion=suggestion)
    if fn.yields or _plugin_marked(fn):
        return
    for ret in fn.returns:
        value = ret.value
        if value is None or _is_none(value):
            continue
        if isinstance(value, ast.Compare | ast.BoolOp):
            suggestion = _replace_stmt(module, ret, f"assert {_text(module, value)}", "assert it instead")
            yield hit(ret, "the test returns a comparison instead of asserting it", suggestion=suggestion)
        else:
            yield hit(
                ret,
                "a test returns a value: pytest ignores it (and warns); assert on it instead",
                severity="warning",
            )


# --------------------------------------------------------------------------- composite-assertion


@rule(
    "composite-assertion",
    severity="info",
    scope="test",
    message="assertion combines several conditions: split it so a failure names the one that broke",
    enabled=False,
    aliases=("PT018",),
)
def composite_assertion(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `assert a and b` and `assert not (a or b)` (the pytest form; unittest
    `assertTrue(a and b)` is left to suboptimal-assert).

    Why it matters: when it fails, the report shows one long expression; split assertions name the
    condition that broke and read as a list of expectations.

    Use instead: one assertion per condition: `assert a` then `assert b` (or `assert not a` then
    `assert not b`). The split is always equivalent, since `and` stops at the first false part.
    """
    module = ctx.module
    for node in test.fn.asserts:
        expr = node.test
        negated = False
        if (
            isinstance(expr, ast.UnaryOp)
            and isinstance(expr.op, ast.Not)
            and isinstance(expr.operand, ast.BoolOp)
        ):
            if not isinstance(expr.operand.op, ast.Or):
                continue
            expr, negated = expr.operand, True
        elif not (isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.And)):
            continue
        message = "assertion combines several conditions: split it"
        if len(expr.values) <= 4:  # spell the split out only when it stays short
            parts = [f"assert {'not ' if negated else ''}{_paren(module, v, negated)}" for v in expr.values]
            split = "; ".join(parts)
            if len(split) <= 80 and "\n" not in split:
                message += f" into `{split.replace('; ', '` and `')}`"
        yield hit(node, message)


def _paren(module: ModuleFacts, node: ast.expr, negated: bool) -> str:
    text = _text(module, node)
    if negated and isinstance(node, ast.Compare | ast.BoolOp | ast.IfExp | ast.NamedExpr):
        return f"({text})"
    return text


# --------------------------------------------------------------------------- suboptimal-assert

ASSERT_TRUE_COMPARE: dict[type[ast.cmpop], str] = {
    ast.Eq: "assertEqual", ast.NotEq: "assertNotEqual", ast.Is: "assertIs", ast.IsNot: "assertIsNot",
    ast.In: "assertIn", ast.NotIn: "assertNotIn", ast.Lt: "assertLess", ast.LtE: "assertLessEqual",
    ast.Gt: "assertGreater", ast.GtE: "assertGreaterEqual",
}  # fmt: skip
# `assertFalse(a == b)` is not `assertNotEqual(a, b)`: one calls `__eq__`, the other `__ne__`.
ASSERT_FALSE_COMPARE: dict[type[ast.cmpop], str] = {
    ast.Is: "assertIsNot", ast.IsNot: "assertIs", ast.In: "assertNotIn", ast.NotIn: "assertIn",
}  # fmt: skip
# Tests of comparison operators compare with None/True on purpose (precision research, pattern 1).
OPERATOR_TEST_WORDS = frozenset(
    {"eq", "equal", "equality", "equals", "inequality", "unequal", "ne", "compare", "comparison",
     "comparisons", "cmp", "hash", "ordering", "lt", "gt", "le", "ge", "dunder", "richcmp", "operator",
     "operators", "singleton"}
)  # fmt: skip


def _suboptimal_unittest(
    module: ModuleFacts, name: str, call: ast.Call, operator_test: Callable[[], bool]
) -> tuple[str, Suggestion | None] | None:
    """(message, suggestion) for a unittest call with a more specific form."""
    args = call.args
    func = call.func
    assert isinstance(func, ast.Attribute)
    name_start = func.end_col_offset - len(func.attr)  # type: ignore[operator]
    if name in {"assertTrue", "assertFalse"} and args and not call.keywords:
        arg = args[0]
        parts = _single_compare(arg)
        table = ASSERT_TRUE_COMPARE if name == "assertTrue" else ASSERT_FALSE_COMPARE
        better: str | None = None
        new_args = ""
        if parts is not None and type(parts[1]) in table and not operator_test():
            left, op, right = parts
            better = table[type(op)]
            if isinstance(op, ast.Is | ast.IsNot) and _is_none(right):
                positive = isinstance(op, ast.Is) == (name == "assertTrue")
                better = "assertIsNone" if positive else "assertIsNotNone"
                new_args = _text(module, left)
            else:
                new_args = f"{_text(module, left)}, {_text(module, right)}"
        elif (inst := _builtin_call(arg, "isinstance")) is not None and len(inst.args) == 2:
            better = "assertIsInstance" if name == "assertTrue" else "assertNotIsInstance"
            new_args = f"{_text(module, inst.args[0])}, {_text(module, inst.args[1])}"
        if better is None:
            return None
        new_line = _edit(
            module,
            call,
            [
                (name_start, func.end_col_offset or 0, better),
                (arg.col_offset, arg.end_col_offset or 0, new_args),
            ],
        )
        suggestion = _replace_text(new_line, f"use self.{better}")
        return (
            f"`{name}({_text(module, arg)})`: use `self.{better}(...)`, whose failure shows the values",
            suggestion,
        )
    if (
        name in {"assertEqual", "assertNotEqual", "assertEquals"}
        and len(args) >= 2
        and (_is_none(args[0]) or _is_none(args[1]))
        and not operator_test()
    ):
        first, second = args[0], args[1]
        if _is_none(first) or _is_none(second):
            other = second if _is_none(first) else first
            better = "assertIsNone" if name != "assertNotEqual" else "assertIsNotNone"
            new_line = _edit(
                module,
                call,
                [
                    (name_start, func.end_col_offset or 0, better),
                    (first.col_offset, second.end_col_offset or 0, _text(module, other)),
                ],
            )
            return f"`{name}(x, None)`: use `self.{better}(x)`", _replace_text(new_line, f"use self.{better}")
    return None


def _replace_text(new_line: str | None, description: str) -> Suggestion | None:
    if new_line is None:
        return None
    return Suggestion(type="replace", new_text=new_line, description=description)


SINGLETON_OPS: dict[type[ast.cmpop], str] = {ast.Eq: "is", ast.NotEq: "is not"}


def _suboptimal_plain(module: ModuleFacts, node: ast.Assert) -> tuple[str, Suggestion | None] | None:
    parts = _single_compare(node.test)
    if parts is None:
        return None
    left, op, right = parts
    if type(op) not in SINGLETON_OPS:
        return None
    if _is_none(right) or _bool_const(right) is not None:
        singleton = right
    elif _is_none(left) or _bool_const(left) is not None:
        singleton = left
    else:
        return None
    word = SINGLETON_OPS[type(op)]
    op_text = "==" if isinstance(op, ast.Eq) else "!="
    shown = repr(getattr(singleton, "value", None))
    new_line = _edit(module, node, [(left.end_col_offset or 0, right.col_offset, f" {word} ")])
    if new_line is not None and f" {word} " not in new_line:
        new_line = None
    message = f"`{op_text} {shown}`: compare with `{word} {shown}`"
    if _bool_const(singleton) is not None:
        message += " (stricter: only the bool itself passes, not 1 or 1.0)"
    return message, _replace_text(new_line, f"compare with `{word}`")


@rule(
    "suboptimal-assert",
    severity="info",
    scope="test",
    message="a more specific assertion exists (assertEqual, assertIsNone, assertIn, `is None`) and "
    "reports failures better",
    fix="rewrite to the specific assertion",
    aliases=("C34", "E711", "E712"),
)
def suboptimal_assert(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `self.assertTrue(a == b)` (use `assertEqual`), `assertTrue(x in y)`
    (`assertIn`), `assertTrue(isinstance(x, T))` (`assertIsInstance`), `assertFalse(a == b)`,
    `assertEqual(x, None)` (`assertIsNone`), and in plain asserts `x == None` / `x == True` /
    `x == False` (compare singletons with `is`). `assert x is False` is never flagged: it
    deliberately tells False from None and 0; `assertFalse(a == b)` is not flagged either (it
    exercises `__eq__`, while `assertNotEqual` would call `__ne__`), and neither are singleton
    comparisons in tests of the comparison operators themselves (`test_eq_none`).

    Why it matters: `assertTrue(a == b)` fails with "False is not true" and hides both values;
    the specific assertion prints them. `== None` can be fooled by a custom `__eq__`.

    Use instead: the specific assertion, e.g. `self.assertEqual(a, b)`, `self.assertIsNone(x)`,
    `assert x is None`, `assert flag is True`.
    """
    module = ctx.module
    cache: list[bool] = []

    def operator_test() -> bool:
        if not cache:
            cache.append(bool(OPERATOR_TEST_WORDS.intersection(_words(test.qualname))))
        return cache[0]

    for node in test.fn.asserts:
        found = _suboptimal_plain(module, node)
        if found is not None and not operator_test():
            yield hit(node, found[0], suggestion=found[1])
    for check in test.fn.checks:
        method = _unittest_method(check.node)
        if method is None:
            continue
        found = _suboptimal_unittest(module, method[0], method[1], operator_test)
        if found is not None:
            yield hit(method[1], found[0], suggestion=found[1])


# --------------------------------------------------------------------------- float-exact-equality

NUMERIC_FUNCS = frozenset(
    {"sum", "fsum", "mean", "median", "stdev", "variance", "sqrt", "exp", "log", "log10", "log2",
     "sin", "cos", "tan", "atan", "atan2", "pow", "hypot", "dot", "norm", "average", "std", "var",
     "prod", "cumsum", "interp", "integrate", "trapz", "trapezoid", "divide", "true_divide"}
)  # fmt: skip


def _inexact_float(node: ast.AST) -> float | None:
    """The value of a float literal that binary floating point cannot hold exactly (0.1, 1e-3)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        node = node.operand
    if not isinstance(node, ast.Constant) or not isinstance(node.value, float):
        return None
    value = node.value
    if value != value or value in {float("inf"), float("-inf")}:
        return None
    return value if Decimal(repr(value)) != Decimal(value) else None


def _computed(node: ast.AST, fn: FunctionFacts, depth: int = 0) -> bool:
    """The value comes out of float arithmetic (a division, a product, a numeric function)."""
    if isinstance(node, ast.BinOp):
        return not (literal(node)[0])
    if isinstance(node, ast.Call):
        return _callee_last(node) in NUMERIC_FUNCS
    if isinstance(node, ast.Name) and depth == 0:
        assigned = fn.assigned.get(node.id)
        if assigned and len(fn.stores.get(node.id, ())) == 1:
            value = getattr(assigned[0], "value", None)
            return value is not None and _computed(value, fn, 1)
    return False


def _float_pair(a: ast.expr, b: ast.expr, fn: FunctionFacts) -> float | None:
    for lit, other in ((a, b), (b, a)):
        value = _inexact_float(lit)
        if value is not None and _computed(other, fn):
            return value
    return None


@rule(
    "float-exact-equality",
    severity="warning",
    scope="test",
    message="exact `==` between computed float arithmetic and a decimal literal binary floats cannot "
    "hold: use pytest.approx(...) or assertAlmostEqual",
    aliases=("C8",),
)
def float_exact_equality(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `==`/`!=` (or `assertEqual`) between a float literal that binary floating
    point cannot represent exactly (`0.1`, `2.3`, `1e-3`) and a value computed by float arithmetic
    in the test: a `+ - * /` expression, `sum()`/`math.*`/`statistics.*`-style calls, or a name
    bound once to one of those. Stored values (`Model(x=0.1).x == 0.1`) are exact and not flagged.

    Why it matters: `0.1 + 0.2 == 0.3` is False; such a test fails or passes depending on the
    order of operations, the platform and the library version.

    Use instead: `assert total == pytest.approx(0.3)` or `self.assertAlmostEqual(total, 0.3)`.
    """
    fn = test.fn
    for node in fn.asserts:
        parts = _single_compare(node.test)
        if parts is None or not isinstance(parts[1], ast.Eq | ast.NotEq):
            continue
        value = _float_pair(parts[0], parts[2], fn)
        if value is not None:
            yield hit(node, f"exact float comparison with {value!r}: use `pytest.approx({value!r})`")
    for check in fn.checks:
        method = _unittest_method(check.node)
        if method is None or method[0] not in {"assertEqual", "assertEquals", "assertNotEqual"}:
            continue
        args = method[1].args
        if len(args) >= 2 and (value := _float_pair(args[0], args[1], fn)) is not None:
            yield hit(method[1], f"exact float comparison with {value!r}: use `self.assertAlmostEqual`")


# --------------------------------------------------------------------------- sensitive-equality

RENDER_WORDS = (
    "str", "repr", "format", "render", "print", "display", "text", "message", "msg", "output", "dump",
    "serial", "show", "string", "pretty", "name", "doc", "help", "usage", "describ", "explain", "error",
    "exception", "warn", "unicode", "ascii", "fmt", "template", "html", "json", "yaml", "pickle",
)  # fmt: skip
EXCEPTION_NAMES = re.compile(r"^(e|ex|exc|err|error|exception|excinfo|exc_info|ei|cm|ctx|w|record)$")


def _rendering(node: ast.AST) -> str | None:
    """`str` for `str(obj)`, `f-string` for `f"{obj}"`, None when it is not a rendering of an object."""
    call = _builtin_call(node, "repr")  # str() of a value object (URL, Version) is its canonical form
    if call is not None and len(call.args) == 1:
        arg = call.args[0]
        root = arg
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and EXCEPTION_NAMES.match(root.id):
            return None  # exception messages are what the code under test promises
        if isinstance(arg, ast.Constant):
            return None
        return f"{_callee_last(call)}()"
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "__repr__"
        and not node.args
    ):
        return f"{node.func.attr}()"
    if isinstance(node, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in node.values):
        return "an f-string"
    return None


def _string_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


@rule(
    "sensitive-equality",
    severity="info",
    scope="test",
    message="compares the str()/repr() of an object to a literal: the test breaks when the "
    "rendering changes; compare the object's fields",
    enabled=False,
    aliases=("C18",),
)
def sensitive_equality(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `assert str(obj) == "..."`, `repr(obj) == "..."`, `obj.__str__() == "..."`,
    `f"{obj}" == "..."` and the `assertEqual` forms, in tests whose names are not about rendering
    (`test_repr`, `test_format_*`, `test_error_message` are exactly where such a check belongs).
    Exception messages (`str(exc)`) are left alone.

    Why it matters: the test now depends on formatting details (spacing, field order, float
    digits) that have nothing to do with the behaviour under test, so harmless changes break it.

    Use instead: compare the fields or the object itself: `assert obj.amount == 3`,
    `assert obj == Money(3, "EUR")`.
    """
    pairs: list[tuple[ast.AST, ast.expr, ast.expr]] = []
    for assert_node in test.fn.asserts:
        parts = _single_compare(assert_node.test)
        if parts is not None and isinstance(parts[1], ast.Eq):
            pairs.append((assert_node, parts[0], parts[2]))
    for check in test.fn.checks:
        method = _unittest_method(check.node)
        if method and method[0] in {"assertEqual", "assertEquals"} and len(method[1].args) >= 2:
            pairs.append((method[1], method[1].args[0], method[1].args[1]))
    for node, left, right in pairs:
        for rendered, other in ((left, right), (right, left)):
            kind = _rendering(rendered)
            if kind is not None and _string_literal(other):
                if any(w.startswith(RENDER_WORDS) for w in _words(test.qualname)):
                    return
                yield hit(node, f"compares {kind} of an object to a literal: compare its fields instead")
                break


# --------------------------------------------------------------------------- magic-number-test

PLAIN_NUMBERS = frozenset({-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 1000, 0.5})
WELL_KNOWN_ATTRS = re.compile(
    r"status|code|port|year|month|day|hour|minute|second|len|size|count|version|major|minor|micro"
)


def _magic(node: ast.AST) -> object | None:
    """A numeric literal that is not self-explaining."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _magic(node.operand)
        return -inner if isinstance(inner, int | float) and not isinstance(inner, bool) else None
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return node.value if node.value not in PLAIN_NUMBERS else None
    return None


def _context_name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call):
        return _callee_last(node)
    if isinstance(node, ast.Subscript):
        return _context_name(node.value)
    return ""


def _input_numbers(fn: FunctionFacts) -> set[object]:
    """Numbers the test writes outside its assertions and decorators: an asserted echo is explained."""
    asserted = {id(n) for a in fn.asserts for n in ast.walk(a)}
    found: set[object] = set()
    for node in ast.walk(fn.node):
        if isinstance(node, ast.Constant) and id(node) not in asserted:
            found.add(node.value)
    for deco in fn.decorators:
        found.update(n.value for n in ast.walk(deco.node) if isinstance(n, ast.Constant))
    return found


@rule(
    "magic-number-test",
    severity="info",
    scope="test",
    message="unexplained number in an assertion: name it, or derive it from the input",
    enabled=False,
    aliases=("PLR2004",),
)
def magic_number_test(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: an assertion that compares against a bare numeric literal other than the
    self-explaining ones (-1, 0 to 10, 100, 1000, 0.5, 1.0, 2.0), e.g. `assert total == 4217`, unless
    the other side names what it is (`status_code`, `port`, `year`, `len(...)`, `count`, `version`).

    Why it matters: a reader cannot tell where 4217 comes from or whether it is still right after
    a change; magic expected values are copied from the output rather than derived.

    Use instead: derive the value from the input (`assert total == price * quantity`) or name it
    (`EXPECTED_TOTAL_CENTS = 4217`).
    """
    inputs: set[object] | None = None
    for node in test.fn.asserts:
        parts = _single_compare(node.test)
        if parts is None:
            continue
        left, _, right = parts
        for number, other in ((right, left), (left, right)):
            value = _magic(number)
            if value is None or WELL_KNOWN_ATTRS.search(_context_name(other).lower()):
                continue
            if any(isinstance(n, ast.Constant) and n.value == value for n in ast.walk(other)):
                continue  # `Model(a=12).a == 12` echoes its own input
            if inputs is None:
                inputs = _input_numbers(test.fn)
            if value not in inputs and abs(value) not in inputs:  # type: ignore[arg-type]
                yield hit(node, f"unexplained number {value!r} in an assertion: name it or derive it")
                break


# --------------------------------------------------------------------------- assertion-roulette


def _messageless(fn: FunctionFacts) -> list[ast.AST]:
    found: list[ast.AST] = []
    for check in fn.checks:
        node = check.node
        if isinstance(node, ast.Assert):
            if node.msg is None:
                found.append(node)
        elif (
            check.kind is CheckKind.UNITTEST
            and isinstance(node, ast.Call)
            and not any(k.arg == "msg" for k in node.keywords)
            and len(node.args) < _msg_position(node)
        ):
            found.append(node)
    return found


def _msg_position(call: ast.Call) -> int:
    """How many positional arguments the assertion takes before its optional message."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    if name in {"assertTrue", "assertFalse", "assertIsNone", "assertIsNotNone", "assert_"}:
        return 2
    if name.startswith(("fail", "skip")):
        return 1
    if name in {"assertAlmostEqual", "assertNotAlmostEqual"}:
        return 4
    return 3


@rule(
    "assertion-roulette",
    severity="info",
    scope="test",
    message="many assertions without messages: when one fails it is hard to tell which expectation "
    "broke; add messages or split the test",
    enabled=False,
    thresholds={"max-asserts": 3},
    aliases=("Assertion Roulette", "D1"),
)
def assertion_roulette(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a test with more message-less assertions than the `max-asserts` threshold
    (default 3): `assert` statements without `, "msg"` and unittest assertions without `msg`.

    Why it matters: a long list of anonymous checks makes a failure report hard to relate to the
    expectation that broke, and usually means the test checks several behaviours at once.

    Use instead: split the test per behaviour (or parametrize it), or give the assertions short
    messages that say what is expected.
    """
    limit = ctx.threshold("max-asserts")
    found = _messageless(test.fn)
    if len(found) > limit:
        yield hit(test.fn.node, f"{len(found)} assertions without messages (more than {int(limit)}): "
                  "add messages or split the test")  # fmt: skip


# --------------------------------------------------------------------------- assert-statement-misuse


def _walrus_names(node: ast.AST) -> list[str]:
    return [
        n.target.id for n in ast.walk(node) if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name)
    ]


def _name_loads(node: ast.AST, name: str) -> int:
    return sum(
        1 for n in ast.walk(node) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
    )


def _constant_message(module: ModuleFacts, node: ast.Assert, msg: ast.Constant) -> Hit:
    """`assert f(), 42`: the message is the value a comparison was meant to check."""
    value = msg.value
    if value is True:
        new, what = f"assert {_text(module, node.test)}", "drop the `, True`"
    else:
        new, what = f"assert {_text(module, node.test)} == {_text(module, msg)}", f"compare with {value!r}"
    message = (
        "`, True` is the assertion message, not part of the check: drop it"
        if value is True
        else f"assertion message is {value!r}, not a string: a comparison (`== {value!r}`) was probably "
        "meant, so that value is never checked"
    )
    return hit(
        node,
        message,
        suggestion=_replace_stmt(module, node, new, what) if not isinstance(node.test, ast.Compare) else None,
    )


@rule(
    "assert-statement-misuse",
    severity="warning",
    scope="test",
    message="the assert statement is misused: its side effects vanish under `python -O` or its "
    "message is not a message",
    aliases=("RUF018", "RUF030", "RUF040"),
)
def assert_statement_misuse(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a walrus (`assert (n := count()) > 0`) whose name is used after the assert,
    `print(...)` as the assertion message, and a message that is a non-string constant.

    Why it matters: `python -O` strips asserts with everything in them, so a name bound inside one
    does not exist afterwards; `print()` returns None, so the failure carries no message (the text
    lands in captured stdout instead).

    Use instead: bind first, then assert (`n = count()` / `assert n > 0`); pass the text itself
    as the message: `assert ok, f"got {value}"`.
    """
    fn = test.fn
    lines = ctx.module.lines
    walrus_lines: dict[int, bool] = {}  # one search per line, however many asserts share it
    for node in fn.asserts:
        start, end = _span(node)
        for i in range(start - 1, min(end, len(lines))):
            if i not in walrus_lines:
                walrus_lines[i] = ":=" in lines[i]
        walrus = any(walrus_lines[i] for i in range(start - 1, min(end, len(lines))))
        for name in _walrus_names(node) if walrus else ():
            if fn.loads.get(name, 0) > _name_loads(node, name):
                yield hit(node, f"`{name}` is bound by a walrus inside an assert and used later: under "
                          "`python -O` it never exists; assign it before the assert")  # fmt: skip
                break
        msg = node.msg
        if msg is None:
            continue
        if _builtin_call(msg, "print") is not None:
            yield hit(node, "`print()` as the assertion message: it returns None, so the failure has no "
                      "message; pass the text itself")  # fmt: skip
        elif isinstance(msg, ast.Constant) and not isinstance(msg.value, str):
            yield _constant_message(ctx.module, node, msg)


# --------------------------------------------------------------------------- commented-out-assert

MOCK_ASSERT_RE = re.compile(
    r"\.assert_(?:called|not_called|any_call|has_calls|awaited|not_awaited|any_await|has_awaits)"
)


def _commented_assert(text: str) -> bool:
    stripped = text.strip()
    if not stripped.startswith("#"):
        return False
    body = stripped.lstrip("#").strip()
    if not body.startswith(("assert", "self.assert", "self.fail")) and not MOCK_ASSERT_RE.search(body):
        return False
    try:
        tree = ast.parse(body)
    except (SyntaxError, ValueError):
        return False
    if len(tree.body) != 1:
        return False
    stmt = tree.body[0]
    if isinstance(stmt, ast.Assert):
        return not isinstance(stmt.test, ast.Name) or stmt.msg is not None or "." in body or "(" in body
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        name = _call_name(stmt.value)
        last = name.rsplit(".", 1)[-1]
        return (name.startswith("self.") and bool(UNITTEST_ASSERT.match(last))) or (
            "." in name and last.startswith("assert_")
        )
    return False


def _trailing_comments_end(module: ModuleFacts, node: ast.AST, end: int) -> int:
    """Comments indented under the def right after its last statement belong to the test too."""
    indent = getattr(node, "col_offset", 0)
    lines = module.lines
    last = end
    while last < len(lines):
        text = lines[last]
        stripped = text.lstrip()
        if stripped and (not stripped.startswith("#") or len(text) - len(stripped) <= indent):
            break
        last += 1
    return last


@rule(
    "commented-out-assert",
    severity="info",
    scope="test",
    message="commented-out assertion: a disabled check; restore it, or delete the comment",
    fix="delete the commented-out assertion",
    aliases=("ERA001", "CC"),
)
def commented_out_assert(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a comment line inside a test that is valid code for an assertion once the `#`
    is removed: `# assert total == 3`, `# self.assertEqual(a, b)`, `# sender.assert_called_once()`.
    Prose such as `# assert that the cache is warm` does not parse and is not flagged.

    Why it matters: a check someone switched off (often because it failed) now silently does not
    run, and the test still looks like it verifies it.

    Use instead: restore the assertion and fix what it found, mark the test `xfail` with a reason,
    or delete the comment.
    """
    module = ctx.module
    start, end = _span(test.fn.node)
    end = _trailing_comments_end(module, test.fn.node, end)
    for number in range(start, min(end, len(module.lines)) + 1):
        text = module.lines[number - 1]
        if "assert" in text and _commented_assert(text):
            column = len(text) - len(text.lstrip())
            yield Hit(number, column, None, None, delete_line("delete the commented-out assertion"))


# --------------------------------------------------------------------------- unittest-style-assertion


def _testcase_names(fn: FunctionFacts, module: ModuleFacts) -> set[str]:
    """Local or module names bound to a `TestCase()` instance."""
    names: set[str] = set()
    sources: list[tuple[str, ast.AST | None]] = [
        (name, getattr(stmts[0], "value", None)) for name, stmts in fn.assigned.items()
    ]
    for stmt in module.tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            sources.append((stmt.targets[0].id, stmt.value))
    for name, value in sources:
        if isinstance(value, ast.Call) and _resolved(value, module).endswith("TestCase"):
            names.add(name)
    return names


def _resolved(call: ast.Call, module: ModuleFacts) -> str:
    name = _call_name(call)
    head, _, rest = name.partition(".")
    origin = module.imports.get(head)
    return (f"{origin}.{rest}" if rest else origin) if origin else name


def _classless_unittest(test: TestFacts, ctx: RuleContext) -> bool:
    """The test sits in a `Test*` class without bases whose own methods do not define the asserts."""
    cls = test.cls
    if cls is None or cls.bases or cls.node.keywords or cls.decorators:
        return False
    if re.search(r"mixin|base|abstract|common|shared", cls.name, re.I):
        return False
    for stmt in cls.node.body:
        if isinstance(stmt, ast.Assign) and any(getattr(t, "id", "") == "__test__" for t in stmt.targets):
            return False
    module_bases = {
        getattr(b, "id", getattr(b, "attr", ""))
        for c in ctx.module.tree.body
        if isinstance(c, ast.ClassDef)
        for b in c.bases
    }
    return cls.name not in module_bases


@rule(
    "unittest-style-assertion",
    severity="info",
    scope="test",
    message="unittest assertion method in a pytest-style test: use a plain `assert`",
    fix="rewrite as a plain assert",
    aliases=("PT009", "PT027"),
)
def unittest_style_assertion(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `self.assertEqual(...)` and friends in a `Test*` class with no base class
    at all (no TestCase, no mixin), where the method does not exist and the test errors with
    AttributeError; and pytest functions that borrow a `unittest.TestCase()` instance just to call
    its assertion methods (`tc = TestCase(); tc.assertEqual(a, b)`). Classes that look like mixins
    (`*Mixin`, `*Base`, `__test__ = False`, or used as a base in the module) are left alone.

    Why it matters: in a plain class the call fails with AttributeError instead of checking
    anything; borrowing a TestCase hides pytest's assertion rewriting, which shows both values.

    Use instead: `assert a == b`, `assert x is None`, `with pytest.raises(E):`; or make the class a
    `unittest.TestCase` if that is what was meant.
    """
    fn = test.fn
    module = ctx.module
    if test.cls is not None and not test.cls.is_unittest:
        if not _classless_unittest(test, ctx):
            return
        defined = set(test.cls.methods)
        for check in fn.checks:
            found = _unittest_method(check.node)
            if found and UNITTEST_ASSERT.match(found[0]) and found[0] not in defined:
                yield hit(found[1], f"`self.{found[0]}` in a class without TestCase: it raises "
                          "AttributeError; use a plain assert or subclass unittest.TestCase")  # fmt: skip
        return
    if test.cls is not None:
        return
    instances: set[str] | None = None
    for call in fn.calls:
        receiver, _, method = call.name.rpartition(".")
        if not receiver or not UNITTEST_ASSERT.match(method):
            continue
        if receiver.endswith("TestCase"):
            yield hit(call.node, _borrowed(method), suggestion=_plain_assert(module, fn, call.node, method))
            continue
        if instances is None:
            instances = _testcase_names(fn, module)
        if receiver in instances:
            yield hit(call.node, _borrowed(method), suggestion=_plain_assert(module, fn, call.node, method))


def _borrowed(method: str) -> str:
    return f"`{method}` borrowed from a TestCase instance in a pytest test: use a plain `assert`"


PLAIN_FORMS: dict[str, str] = {
    "assertEqual": "{0} == {1}", "assertNotEqual": "{0} != {1}", "assertTrue": "{0}",
    "assertFalse": "not {0}", "assertIs": "{0} is {1}", "assertIsNot": "{0} is not {1}",
    "assertIsNone": "{0} is None", "assertIsNotNone": "{0} is not None", "assertIn": "{0} in {1}",
    "assertNotIn": "{0} not in {1}", "assertIsInstance": "isinstance({0}, {1})",
    "assertLess": "{0} < {1}", "assertLessEqual": "{0} <= {1}", "assertGreater": "{0} > {1}",
    "assertGreaterEqual": "{0} >= {1}",
}  # fmt: skip
PLAIN_ARITY = {"assertTrue": 1, "assertFalse": 1, "assertIsNone": 1, "assertIsNotNone": 1}


def _plain_assert(module: ModuleFacts, fn: FunctionFacts, call: ast.Call, method: str) -> Suggestion | None:
    form = PLAIN_FORMS.get(method)
    if form is None or call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    arity = PLAIN_ARITY.get(method, 2)
    if len(call.args) != arity:
        return None
    parent = next((s for s in fn.expr_statements if s.value is call), None)
    if parent is None:
        return None
    simple = (
        ast.Name | ast.Attribute | ast.Constant | ast.Call | ast.Subscript | ast.List | ast.Tuple | ast.Dict
    )
    args = [_text(module, a) if isinstance(a, simple) else f"({_text(module, a)})" for a in call.args]
    return _replace_stmt(module, parent, "assert " + form.format(*args), "rewrite as a plain assert")
