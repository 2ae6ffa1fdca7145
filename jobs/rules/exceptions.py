"""Exception family: failures caught and dropped, and expected exceptions checked loosely or by hand."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from jobs.engine.facts import CheckKind, FunctionFacts, ModuleFacts, TestFacts
from jobs.engine.parse import dotted_name
from jobs.rules.registry import Hit, RuleContext, hit, rule

# --------------------------------------------------------------------------- shared helpers

PYTEST_EXPECT = frozenset({"raises", "warns", "deprecated_call"})
UNITTEST_RAISES = frozenset({"assertRaises", "assertRaisesRegex", "assertRaisesRegexp", "failUnlessRaises"})
UNITTEST_WARNS = frozenset({"assertWarns", "assertWarnsRegex"})
BROAD_RAISES = frozenset({"Exception", "BaseException"})
BROAD_WARNS = frozenset({"Warning", "UserWarning", "DeprecationWarning"})
BROAD_CODES = frozenset({"PT011", "PT030", "B017"})
WIDE_CODES = frozenset({"PT012", "PT031", "B908"})
# What a failing check raises: AssertionError, except pytest's own helpers, which raise `Failed`
# (a BaseException that `except Exception` does not catch).
PYTEST_FAILED = frozenset({"pytest.fail", "fail", "_pytest.outcomes.fail"})
# Exception types whose appearance in a raises() means the assertion itself is what should fail.
ASSERTION_TYPES = frozenset({"AssertionError", "Failed", "OutcomeException", "Exception"})
SKIP_CALLS = frozenset({"pytest.skip", "self.skipTest", "cls.skipTest", "unittest.skip", "skip"})
QUIET_CALLS = re.compile(
    r"^(print|warnings\.warn|traceback\.print_exc|(logging|log|logger|LOG|LOGGER)\.\w+)$"
)
FAIL_NAMES = frozenset({"pytest.fail", "fail", "self.fail", "cls.fail"})
OBSERVES_HANDLING = re.compile(r"exc_info|exception|format_exc|print_exc|from_current|exc_clear")


def _call_text(node: ast.AST) -> str:
    return dotted_name(node.func) if isinstance(node, ast.Call) else ""


def _expect_kind(name: str) -> str | None:
    """'raises' / 'warns' for a pytest or unittest expectation helper, by its resolved name."""
    head, _, last = name.rpartition(".")
    if (
        head in {"pytest", "_pytest.python_api", "_pytest.raises", "_pytest.recwarn"}
        and last in PYTEST_EXPECT
    ):
        return "raises" if last == "raises" else "warns"
    if head in {"self", "cls"}:
        if last in UNITTEST_RAISES:
            return "raises"
        if last in UNITTEST_WARNS:
            return "warns"
    return None


def _expect_call(node: ast.AST, ctx: RuleContext) -> tuple[ast.Call, str, str] | None:
    """(call, kind, resolved name) when `node` is a pytest/unittest raises or warns call."""
    if not isinstance(node, ast.Call):
        return None
    name = _resolve(dotted_name(node.func), ctx.module)
    kind = _expect_kind(name)
    return (node, kind, name) if kind else None


def _resolve(name: str, module: ModuleFacts) -> str:
    head, _, rest = name.partition(".")
    origin = module.imports.get(head)
    if origin is None:
        return name
    return f"{origin}.{rest}" if rest else origin


def _expected(call: ast.Call, name: str) -> ast.expr | None:
    """The expected exception/warning argument of a raises/warns call."""
    if name.endswith("deprecated_call"):
        return None
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    keys = {"expected_exception", "expected_warning", "exception"}
    return next((k.value for k in call.keywords if k.arg in keys), None)


def _type_names(node: ast.expr | None) -> list[str]:
    """The classes an expected-exception argument or except clause names, as written (dotted), with
    `builtins.` dropped and pytest's outcome aliases (`pytest.fail.Exception`) spelled `Failed`."""
    if node is None:
        return []
    if isinstance(node, ast.Tuple):
        return [n for e in node.elts for n in _type_names(e)]
    name = dotted_name(node) if isinstance(node, ast.Name | ast.Attribute) else ""
    name = name.removeprefix("builtins.")
    if name.endswith(("fail.Exception", "raises.Exception", ".Failed")):
        return ["Failed"]
    if name.endswith(("skip.Exception", ".Skipped")):
        return ["Skipped"]
    return [name or "?"]


def _kwarg(call: ast.Call, key: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == key), None)


NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


def _acknowledged(module: ModuleFacts, node: ast.AST, codes: frozenset[str]) -> bool:
    """The line already carries a `# noqa` for the same smell under another tool's code (ruff,
    flake8-pytest-style, bugbear): the maintainers looked at it and kept it."""
    line = getattr(node, "lineno", 0)
    match = NOQA.search(module.line_text(line))
    if match is None:
        return False
    listed = match.group("codes")
    return listed is None or bool(codes & {c.upper() for c in re.split(r"[\s,]+", listed) if c})


def _inside(node: ast.AST, stmts: list[ast.stmt]) -> bool:
    """True when `node` lies within the source span of the statement list."""
    if not stmts or not hasattr(node, "lineno"):
        return False
    first, last = stmts[0], stmts[-1]
    start = (node.lineno, node.col_offset)  # type: ignore[attr-defined]
    end = (getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)
    return start >= (first.lineno, first.col_offset) and end <= (
        last.end_lineno or 0,
        last.end_col_offset or 0,
    )


def _raises_blocks(
    fn: FunctionFacts, ctx: RuleContext
) -> Iterator[tuple[ast.With | ast.AsyncWith, ast.Call, str, str]]:
    """Every with-block whose context manager is a raises/warns expectation."""
    for block in fn.withs:
        for item in block.items:
            found = _expect_call(item.context_expr, ctx)
            if found is not None:
                yield block, *found
                break


# --------------------------------------------------------------------------- try/except analysis


def _catches(handler: ast.ExceptHandler) -> str | None:
    """'all' (bare/BaseException), 'exception' (Exception) or 'assertion' (AssertionError only)."""
    if handler.type is None:
        return "all"
    names = set(_type_names(handler.type))
    if "BaseException" in names:
        return "all"
    if "Exception" in names:
        return "exception"
    if "AssertionError" in names:
        return "assertion"
    return None


def _is_skip(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Expr):
        return _call_text(stmt.value) in SKIP_CALLS
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        target = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        return dotted_name(target).endswith(("SkipTest", "skip.Exception"))
    return False


def _is_quiet(stmt: ast.stmt) -> bool:
    """A statement that does nothing with the failure: pass, `...`, continue, log or print it."""
    if isinstance(stmt, ast.Pass | ast.Continue | ast.Break):
        return True
    if isinstance(stmt, ast.Return):
        return stmt.value is None or isinstance(stmt.value, ast.Constant)
    if isinstance(stmt, ast.Expr):
        if isinstance(stmt.value, ast.Constant):
            return True
        return bool(QUIET_CALLS.match(_call_text(stmt.value)))
    return False


def _handler_outcome(handler: ast.ExceptHandler) -> str | None:
    """'drop' when the handler body only drops the failure, 'skip' when it turns it into a skip."""
    body = handler.body
    if all(_is_quiet(s) for s in body):
        return "drop"
    if any(_is_skip(s) for s in body) and all(_is_quiet(s) or _is_skip(s) for s in body):
        return "skip"
    return None


def _raises_own(stmts: list[ast.stmt]) -> bool:
    """The try body raises on purpose (`raise X` written there): the handler catches its own exception."""
    return any(isinstance(n, ast.Raise) for s in stmts for n in ast.walk(s))


def _fails_if_nothing_raised(node: ast.Try, ctx: RuleContext) -> bool:
    """The try ends in a fail (or its else-clause fails): it is a hand-written 'expect an exception'."""
    tail = node.body[-1]
    return _is_fail(tail, ctx) or any(_is_fail(s, ctx) for s in node.orelse)


def _is_fail(stmt: ast.stmt, ctx: RuleContext) -> bool:
    if isinstance(stmt, ast.Assert):
        return isinstance(stmt.test, ast.Constant) and not stmt.test.value
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        target = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        return dotted_name(target).rsplit(".", 1)[-1] in {"AssertionError", "Failed"}
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        name = _resolve(dotted_name(stmt.value.func), ctx.module)
        return name in FAIL_NAMES or name == "_pytest.outcomes.fail"
    return False


def _failure_caught(kind: CheckKind, name: str, catches: str) -> bool:
    """Does a handler catching `catches` swallow the failure of this check?"""
    if catches == "all":
        return True
    raises_failed = kind is CheckKind.FAIL or (kind is CheckKind.RAISES and not name.startswith("assert"))
    return not raises_failed and name not in PYTEST_FAILED


@rule(
    "swallowed-failure",
    severity="error",
    scope="test",
    message="a failure inside this try is caught and dropped: the test passes anyway; "
    "let it propagate, or catch only the exception you expect",
)
def swallowed_failure(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a `try` in a test whose handler catches everything (bare `except`,
    `BaseException`, `Exception`) or `AssertionError` and then only passes, continues, returns,
    logs or skips, when (a) a check inside the `try` fails into that handler, or (b) the test has no
    other check, so nothing can ever fail it. A broad handler that turns a failing check inside the
    `try` into `pytest.skip` is flagged too (a warning). Handlers that re-raise, fail, assert or
    record the error, a try body that raises on purpose, a hand-written expect-exception
    (`else: pytest.fail(...)`), and skips guarding a setup probe (`try: import x` or
    `connect()` ... `except ...: pytest.skip()`) are left alone.

    Why it matters: the check's `AssertionError` (or any error of the code under test) is caught
    and thrown away, so the test reports a pass exactly when it should fail.

    Use instead: let failures propagate; catch only the specific exception an operation may
    legitimately raise, and use `pytest.raises` when the exception is the expected outcome.
    """
    fn = test.fn
    dropped: list[tuple[ast.Try, ast.ExceptHandler, str]] = []
    for node in fn.trys:
        if not node.handlers or _raises_own(node.body) or any(_is_fail(s, ctx) for s in node.orelse):
            continue
        for handler in node.handlers:
            catches = _catches(handler)
            outcome = _handler_outcome(handler)
            if catches is None or outcome is None:
                continue
            if outcome == "skip":  # skipping when a setup probe fails is the intent; a failed check is not
                if catches != "assertion" and any(_inside(c.node, node.body) for c in fn.checks):
                    yield hit(
                        handler,
                        "a broad `except` turns every failure in this try, failed checks included, "
                        "into a skip; catch only the exception that means 'not available here'",
                        severity="warning",
                    )
                break
            dropped.append((node, handler, catches))
            break
    if not dropped:
        return
    swallowed_checks: set[int] = set()
    for node, handler, catches in dropped:
        inner = [
            c for c in fn.checks if _inside(c.node, node.body) and _failure_caught(c.kind, c.name, catches)
        ]
        swallowed_checks.update(id(c.node) for c in inner)
        if inner:
            what = "`except:`" if handler.type is None else f"`except {ast.unparse(handler.type)}`"
            yield hit(
                inner[0].node,
                f"this check fails into {what}, which drops the failure: the test passes anyway; "
                "let the AssertionError propagate",
            )
    if any(id(c.node) not in swallowed_checks for c in fn.checks):
        return
    for node, handler, catches in dropped:
        if catches != "assertion" and not any(_inside(c.node, node.body) for c in fn.checks):
            yield hit(
                handler,
                "every error of the code in this try is caught and dropped, and the test checks "
                "nothing else: it cannot fail; let errors propagate or assert on the result",
            )


# --------------------------------------------------------------------------- hand-written expectations


def _reads(stmts: list[ast.stmt], name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for s in stmts for n in ast.walk(s))


def _observes_handling(handler: ast.ExceptHandler) -> bool:
    """The handler inspects the live exception state (`sys.exc_info()`, `traceback`, logging)."""
    for stmt in handler.body:
        for n in ast.walk(stmt):
            if isinstance(n, ast.Call) and OBSERVES_HANDLING.search(_call_text(n)):
                return True
    return False


def _asserting(stmts: list[ast.stmt], fn: FunctionFacts) -> bool:
    return any(_inside(c.node, stmts) and c.kind is not CheckKind.FAIL for c in fn.checks)


@rule(
    "manual-exception-test",
    severity="info",
    scope="test",
    message="expected exception tested with try/except; use `pytest.raises` (or `assertRaises`)",
    aliases=("PT017",),
)
def manual_exception_test(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a `try`/`except` written to expect an exception: the try body ends in
    `pytest.fail`/`self.fail`/`assert False` (or the `else:` fails), or the `except E as e:` handler
    asserts on the caught exception. When nothing fails if the code does not raise, the hit is a
    warning: that test passes whether or not the exception happens. Handlers that inspect the live
    handling state (`sys.exc_info()`, `traceback`, `logging.exception`) are left alone.

    Why it matters: the hand-written form is longer, easy to get wrong (a forgotten `fail` makes the
    test pass when nothing is raised; a broad `except` swallows the `fail` itself), and hides the
    intent.

    Use instead: `with pytest.raises(E, match="...") as exc_info:` and assert on `exc_info.value`
    after the block; in unittest, `with self.assertRaises(E) as cm:` and inspect `cm.exception`.
    """
    fn = test.fn
    for node in fn.trys:
        if not node.handlers or _raises_own(node.body):
            continue
        if any(_catches(h) == "all" or _observes_handling(h) for h in node.handlers):
            continue
        if _fails_if_nothing_raised(node, ctx):
            if not _tail_fail_swallowed(node, ctx):
                yield hit(node)
            continue
        for handler in node.handlers:
            if handler.name is None or _catches(handler) == "assertion" or _raises_own(handler.body):
                continue  # a handler that raises turns the error into a failure: nothing is expected
            if not _asserting(handler.body, fn) or not _reads(handler.body, handler.name):
                continue
            if any(isinstance(s, ast.Assign | ast.AugAssign) for s in handler.body):
                yield hit(node)  # a flag set here is probably asserted later: the expectation holds
            else:
                yield hit(
                    node,
                    "the except asserts on the exception, but nothing fails when no exception is "
                    "raised: the test passes then; use `pytest.raises`/`assertRaises`",
                    severity="warning",
                )
            break


def _tail_fail_swallowed(node: ast.Try, ctx: RuleContext) -> bool:
    """The try ends in an AssertionError-raising fail that a dropping handler catches (see
    swallowed-failure, which reports it)."""
    tail = node.body[-1]
    if not _is_fail(tail, ctx):
        return False
    pytest_fail = isinstance(tail, ast.Expr) and _resolve(_call_text(tail.value), ctx.module) in PYTEST_FAILED
    return not pytest_fail and any(
        _catches(h) in {"exception", "assertion"} and _handler_outcome(h) == "drop" for h in node.handlers
    )


@rule(
    "exception-handling",
    severity="info",
    scope="test",
    message="test handles or raises exceptions itself; let pytest report errors, and use "
    "`pytest.raises` for expected ones",
    enabled=False,
)
def exception_handling(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: every `try`/`except` and every `raise` written in a test (the catalogue's
    Exception Handling smell). Import guards (`except ImportError`), `try`/`finally` cleanup, a
    `raise` that is the act inside a `pytest.raises` block or part of a reported `try`, and
    `raise SkipTest` are left alone.

    Why it matters: exception logic in a test is test logic that can itself be wrong; pytest already
    reports an unexpected exception as an error with its traceback.

    Use instead: let unexpected exceptions propagate, and use `pytest.raises`/`assertRaises` for the
    expected ones.
    """
    fn = test.fn
    reported: list[list[ast.stmt]] = []  # a raise inside a reported try is part of that finding
    for node in fn.trys:
        if not node.handlers:
            continue
        names = {n for h in node.handlers for n in _type_names(h.type)}
        if names and names <= {"ImportError", "ModuleNotFoundError"}:
            continue
        reported.append(node.body)
        yield hit(node)
    covered = reported + [block.body for block, *_ in _raises_blocks(fn, ctx)]
    stack: list[ast.stmt] = list(fn.body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if isinstance(stmt, ast.Raise):
            if not _is_skip(stmt) and not any(_inside(stmt, body) for body in covered):
                yield hit(stmt)
            continue
        for child in ast.iter_child_nodes(stmt):
            if isinstance(child, ast.stmt):
                stack.append(child)
            elif isinstance(child, ast.ExceptHandler | ast.match_case):
                stack.extend(child.body)


# --------------------------------------------------------------------------- raises/warns usage


def _excinfo_read(block: ast.With | ast.AsyncWith, call: ast.Call, fn: FunctionFacts) -> bool:
    for item in block.items:
        if item.context_expr is call and isinstance(item.optional_vars, ast.Name):
            return fn.loads.get(item.optional_vars.id, 0) > 0
    return False


@rule(
    "raises-too-broad",
    severity="warning",
    scope="test",
    message="expects any Exception/Warning without `match=`: unrelated errors pass the check; "
    "name the specific type or add `match=`",
    aliases=("PT011", "PT030", "B017"),
)
def raises_too_broad(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `pytest.raises(Exception)`, `pytest.raises(BaseException)`,
    `self.assertRaises(Exception)`, and `pytest.warns(Warning | UserWarning | DeprecationWarning)` /
    `assertWarns` of those, with no `match=` and no `check=`. Not flagged when the result
    (`as exc_info`) is inspected afterwards, which narrows the check, when the block only raises or
    warns by itself (or is empty, to fail on purpose), or when a `warns` only absorbs what an inner
    expectation block re-emits.

    Why it matters: a typo, a wrong argument or any unrelated bug raises some Exception too, so the
    test keeps passing while the behaviour it was written for is broken.

    Use instead: the specific class (`pytest.raises(KeyError)`), or `match="..."` on the message, or
    inspect `exc_info.value` after the block; `assertRaisesRegex` in unittest.
    """
    fn = test.fn
    in_with: set[int] = set()
    for block, call, kind, name in _raises_blocks(fn, ctx):
        in_with.add(id(call))
        if not (_excinfo_read(block, call, fn) or _emits_itself(block.body) or _warning_sink(block, ctx)):
            yield from _broad(ctx.module, call, kind, name)
    for fact in fn.calls:
        call_kind = _expect_kind(fact.name)
        if call_kind and id(fact.node) not in in_with and len(fact.node.args) >= 2:
            yield from _broad(ctx.module, fact.node, call_kind, fact.name)  # call form


def _emits_itself(body: list[ast.stmt]) -> bool:
    """The block only raises or warns by itself (`raise X`, `warnings.warn(...)`), so nothing else
    can; an empty block (`pass`) exists only to fail on purpose under an outer expectation."""
    return _trivial(body) or all(
        isinstance(s, ast.Raise)
        or (isinstance(s, ast.Expr) and _call_text(s.value) in {"warnings.warn", "warn"})
        for s in body
    )


def _broad(module: ModuleFacts, call: ast.Call, kind: str, name: str) -> Iterator[Hit]:
    if any(k.arg in {"match", "check"} and not _is_none(k.value) for k in call.keywords):
        return
    if name.rsplit(".", 1)[-1].endswith(("Regex", "Regexp")):
        return
    broad = BROAD_RAISES if kind == "raises" else BROAD_WARNS
    names = _type_names(_expected(call, name))
    wide = [n for n in names if n in broad]
    if not wide or _acknowledged(module, call, BROAD_CODES):
        return
    if kind == "raises":
        yield hit(
            call,
            f"`{wide[0]}` accepts any exception: a typo or an unrelated bug passes this check too; "
            "expect the specific class or add `match=`",
        )
    else:
        yield hit(
            call,
            f"`{wide[0]}` without `match=` accepts any {wide[0]}, also one from another library; "
            "add `match=` or expect a narrower class",
            severity="info",
        )


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _warning_sink(block: ast.With | ast.AsyncWith, ctx: RuleContext) -> bool:
    """`with pytest.warns():` wrapping exactly another expectation block: it only absorbs the warnings
    the inner block re-emits, on purpose."""
    return len(block.body) == 1 and _nested_expect(block.body[0], ctx)


@rule(
    "raises-without-expected",
    severity="error",
    scope="test",
    message="`pytest.raises()` without an exception class, `match=` or `check=`: it cannot check "
    "anything; name the expected exception",
    aliases=("PT010", "PT029"),
)
def raises_without_expected(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `pytest.raises()` with no exception class and no `match=`/`check=` (an error
    at run time, so the block's code never runs), and `pytest.warns()` with no warning class and no
    `match=` (it accepts any warning at all: info). A bare `pytest.warns()` wrapped around another
    expectation block (to absorb the warnings it re-emits), one whose record is inspected afterwards,
    and one around code that only emits warnings itself are left alone.

    Why it matters: the call states no expectation: `raises()` errors before the code under test
    runs, and `warns()` passes on whatever unrelated warning happens to be emitted.

    Use instead: `pytest.raises(ValueError, match="...")`, `pytest.warns(DeprecationWarning,
    match="...")`.
    """
    fn = test.fn
    narrowed = {
        id(call)
        for block, call, _kind, _name in _raises_blocks(fn, ctx)
        if _warning_sink(block, ctx) or _excinfo_read(block, call, fn) or _emits_itself(block.body)
    }
    for fact in fn.calls:
        if fact.name not in {"pytest.raises", "pytest.warns"}:
            continue
        call = fact.node
        if call.args or any(k.arg is None for k in call.keywords) or id(call) in narrowed:
            continue
        keys = {k.arg for k in call.keywords}
        if keys & {"expected_exception", "expected_warning", "match", "check"}:
            continue
        if fact.name == "pytest.raises":
            yield hit(call)
        else:
            yield hit(
                call,
                "`pytest.warns()` without a warning class or `match=` accepts any warning; name the "
                "expected warning",
                severity="info",
            )


COMPOUND = (
    ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith, ast.Match,
)  # fmt: skip


def _is_check_stmt(stmt: ast.stmt, fn: FunctionFacts) -> bool:
    if isinstance(stmt, ast.Assert):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        return any(c.node is stmt.value and c.kind is not CheckKind.RAISES for c in fn.checks)
    return False


def _nested_expect(stmt: ast.stmt, ctx: RuleContext) -> bool:
    """A with-statement that is itself an expectation (`warns` around `raises`, `caplog`, ...)."""
    if not isinstance(stmt, ast.With | ast.AsyncWith):
        return False
    for item in stmt.items:
        expr = item.context_expr
        if _expect_call(expr, ctx) is not None:
            return True
        if dotted_name(expr).rsplit(".", 1)[-1] in {"assertLogs", "at_level", "catch_warnings"}:
            return True
    return False


@rule(
    "raises-block-too-wide",
    severity="info",
    scope="test",
    message="the raises block holds more than one statement: any of them may raise; keep only "
    "the call that should raise inside it",
    aliases=("PT012",),
)
def raises_block_too_wide(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a `pytest.raises`/`assertRaises` with-block holding more than one statement or
    a compound statement (`if`, `for`, `try`). When checks end the block after a call made for its
    exception, it is a warning: once that call raises, the checks never run. One act is not flagged:
    a single statement, class or function definition, a `with ctx():` around one statement, a loop
    with an empty body, an `if`/`elif` dispatch with one call per branch, or a trailing
    `assert False, "should have raised"`; nor are nested
    expectation blocks (`warns` around `raises`), blocks that raise on purpose, or `warns` blocks
    (a warning does not stop the block, so every statement in it runs).

    Why it matters: the test passes when the wrong statement raises (setup instead of the call under
    test), and assertions placed after the raising call are silently skipped.

    Use instead: do the setup before the block, keep exactly the raising call inside it, and assert
    on `exc_info.value` after the block.
    """
    fn = test.fn
    for block, call, kind, _name in _raises_blocks(fn, ctx):
        body = block.body
        while len(body) > 1 and _fail_idiom(body[-1]):
            body = body[:-1]  # `assert False, "should have raised"` is meant never to run
        if len(body) == 1 and (_nested_expect(body[0], ctx) or _single_act(body[0])):
            continue  # one act; a nested expectation block is judged on its own
        if _raises_own(body) or _emits_itself(body) or any(_nested_expect(s, ctx) for s in body):
            continue
        if _acknowledged(ctx.module, block, WIDE_CODES):
            continue
        if kind != "raises":
            continue  # a warning does not stop the block: every statement in it still runs
        late = _check_after_act(body, fn)
        if late is not None and not set(_type_names(_expected(call, ""))) & ASSERTION_TYPES:
            yield hit(
                late,
                "this check is inside the raises block after the call that should raise: when "
                "that call raises, the check never runs; move it after the block",
                severity="warning",
            )
        else:
            yield hit(block)


def _fail_idiom(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Assert):
        return isinstance(stmt.test, ast.Constant) and not stmt.test.value
    return isinstance(stmt, ast.Expr) and _call_text(stmt.value) in FAIL_NAMES


def _trivial(stmts: list[ast.stmt]) -> bool:
    return all(
        isinstance(s, ast.Pass)
        or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        or _fail_idiom(s)
        for s in stmts
    )


def _single_act(stmt: ast.stmt) -> bool:
    """One statement that is one act: a simple statement, a def/class, or a compound statement whose
    bodies are empty (`with ctx(): pass`, `for _ in gen: pass`, `match x: case P(): pass`)."""
    if not isinstance(stmt, COMPOUND):
        return True
    if isinstance(stmt, ast.With | ast.AsyncWith) and len(stmt.body) == 1:
        return _single_act(stmt.body[0])  # a context the act needs (`with app.app_context(): get()`)
    if isinstance(stmt, ast.If):  # a dispatch on a parameter: exactly one act runs on every path
        return all(len(b) == 1 and _single_act(b[0]) for b in (stmt.body, stmt.orelse) if b)
    blocks: list[list[ast.stmt]] = [getattr(stmt, "body", []), getattr(stmt, "orelse", [])]
    blocks += [h.body for h in getattr(stmt, "handlers", [])]
    blocks += [c.body for c in getattr(stmt, "cases", [])]
    return all(_trivial(b) for b in blocks)


def _check_after_act(body: list[ast.stmt], fn: FunctionFacts) -> ast.stmt | None:
    """The first check of the block's trailing checks when a discarded-value call (the act that should
    raise) comes before them; fail idioms (`assert False`, `pytest.fail`) are meant never to run."""
    tail: list[ast.stmt] = []
    for stmt in reversed(body):
        if not _is_check_stmt(stmt, fn):
            break
        tail.insert(0, stmt)
    tail = [s for s in tail if not _fail_idiom(s)]
    if not tail:
        return None
    before = body[: body.index(tail[0])]
    acts = [
        s
        for s in before
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call | ast.Await) and not _is_check_stmt(s, fn)
    ]
    return tail[0] if acts else None


# --------------------------------------------------------------------------- form issues

# A `[...]` holding spaces, commas or quotes reads as literal text (a list or repr), not a class.
LITERAL_BRACKETS = re.compile(r"(?<!\\)\[[^\]]*[ ,'\"][^\]]*\]")
LITERAL_PARENS = re.compile(r"(?<!\\)\((?![?])[^()|*+?\\]*\)")
LITERAL_QUESTION = re.compile(r"[\w'\"]\?(?=$|[\s'\".,:;])")
SPACED_BAR = re.compile(r" \| ")
REGEX_INTENT = re.compile(r"\.\*|\.\+|\\[dswbDSWB.()\[\]]|^\^|\$$|\(\?|\[[a-zA-Z0-9]-[a-zA-Z0-9]")


def _ambiguous_pattern(text: str) -> str | None:
    """Why a non-raw match pattern probably means its text literally, or None."""
    if REGEX_INTENT.search(text):
        return None
    if LITERAL_BRACKETS.search(text):
        return "`[...]` is a character class matching one character, not the bracketed text"
    if SPACED_BAR.search(text):
        return "`|` splits the pattern into alternatives, so either half alone matches"
    if LITERAL_PARENS.search(text):
        return "`(...)` is a group, so the parentheses themselves are not matched"
    if LITERAL_QUESTION.search(text):
        return "`?` makes the character before it optional instead of matching a question mark"
    return None


def _is_raw(module: ModuleFacts, node: ast.Constant) -> bool:
    text = module.line_text(node.lineno)[node.col_offset : node.col_offset + 3].lower()
    return text.startswith(("r", "br", "rb"))


def _pattern_arg(call: ast.Call, name: str) -> ast.expr | None:
    last = name.rsplit(".", 1)[-1]
    if last.endswith(("Regex", "Regexp")):
        return call.args[1] if len(call.args) >= 2 else _kwarg(call, "expected_regex")
    return _kwarg(call, "match")


@rule(
    "raises-form-issues",
    severity="info",
    scope="test",
    message="legacy `pytest.raises(E, func, *args)` call form; use `with pytest.raises(E):`",
    enabled=False,
    aliases=("PT032", "RUF061", "RUF043"),
)
def raises_form_issues(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: the legacy call form `pytest.raises(E, func, *args)` / `pytest.warns(W, func)` /
    `pytest.deprecated_call(func)`, and a `match=` (or `assertRaisesRegex`) pattern written as a
    plain string whose regex characters read as literal text: `[1, 2]` (a character class),
    ` | ` (alternatives), `f(x)` (a group), `ok?` (an optional character). Patterns that use regex
    on purpose (`.*`, `\\d`, anchors, ranges) are left alone.

    Why it matters: the call form hides which call is expected to raise behind a callable and its
    arguments; a pattern meant literally but read as a regex matches far more (or other) text than
    written, so the message check is weaker than it looks.

    Use instead: `with pytest.raises(E, match=...): func(*args)`; escape the pattern with
    `re.escape(...)` or write it as a raw string with the characters escaped (`r"\\[1, 2\\]"`).
    """
    for fact in test.fn.calls:
        name = fact.name
        kind = _expect_kind(name)
        if kind is None:
            continue
        call = fact.node
        legacy = 1 if name.endswith("deprecated_call") else 2
        if name.startswith(("pytest.", "_pytest.")) and len(call.args) >= legacy:
            yield hit(call)
        pattern = _pattern_arg(call, name)
        if (
            isinstance(pattern, ast.Constant)
            and isinstance(pattern.value, str)
            and not _is_raw(ctx.module, pattern)
        ):
            reason = _ambiguous_pattern(re.sub(r"\\.", "", pattern.value))
            if reason:
                yield hit(
                    pattern,
                    f"the pattern is a regex: {reason}; escape it (`re.escape`) or write a raw string "
                    "with the characters escaped",
                )


# --------------------------------------------------------------------------- unchecked evidence

CAPTURE_FIXTURES = frozenset({"capsys", "capfd", "capsysbinary", "capfdbinary"})


def _readouterr(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "readouterr"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in CAPTURE_FIXTURES
    )


def _last_statement(fn: FunctionFacts) -> ast.stmt:
    stmt = fn.body[-1]
    while isinstance(stmt, ast.With | ast.AsyncWith) and stmt.body:
        stmt = stmt.body[-1]
    return stmt


def _unpacked_unread(fn: FunctionFacts) -> Iterator[ast.Assign]:
    for stmt in fn.body:
        if (
            isinstance(stmt, ast.Assign)
            and _readouterr(stmt.value)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Tuple)
        ):
            names = [e.id for e in stmt.targets[0].elts if isinstance(e, ast.Name)]
            if names and all(n.startswith("_") or fn.loads.get(n, 0) == 0 for n in names):
                yield stmt


@rule(
    "unchecked-result",
    severity="warning",
    scope="test",
    message="captured evidence is never read: assert on it, or drop the capture",
)
def unchecked_result(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `with pytest.raises(...) as exc_info:` (or `assertRaises ... as cm`) whose
    name is never read (info), `out, err = capsys.readouterr()` where neither part is read, and a
    bare `capsys.readouterr()`/`capfd.readouterr()` as the test's last statement (warnings). A bare
    `readouterr()` earlier in a test clears the buffer on purpose and is left alone.

    Why it matters: the author captured the exception or the output to check it and never did: the
    check that was meant is missing.

    Use instead: assert on `exc_info.value` / on `captured.out`, or drop the `as` name or the
    capture.
    """
    fn = test.fn
    for block, call, kind, name in _raises_blocks(fn, ctx):
        field = "exception" if name.startswith(("self.", "cls.")) else "value"
        if kind == "warns":
            field = "warning" if name.startswith(("self.", "cls.")) else "list"
        for item in block.items:
            target = item.optional_vars
            if not (item.context_expr is call and isinstance(target, ast.Name)):
                continue
            if not target.id.startswith("_") and fn.loads.get(target.id, 0) == 0:
                what = "the exception" if kind == "raises" else "the warnings"
                read = f"`{target.id}.{field}`" if field != "list" else f"`{target.id}` (a list of warnings)"
                yield hit(
                    target,
                    f"`{target.id}` captures {what} but is never read: assert on {read}, or drop "
                    f"`as {target.id}`",
                    severity="info",
                )
    last = _last_statement(fn)
    if (
        isinstance(last, ast.Expr)
        and _readouterr(last.value)
        and "readouterr"
        not in {c.last for c in fn.calls if c.node is not last.value and c.node.lineno > last.lineno}
    ):
        yield hit(last, "the captured output is read and thrown away at the end of the test: assert on it")
    for stmt in _unpacked_unread(fn):
        yield hit(stmt, "the captured output is unpacked but never read: assert on it")
