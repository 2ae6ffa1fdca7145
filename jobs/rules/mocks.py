"""Mock family: mock checks that cannot fail, coroutines never awaited, patches and HTTP mocks misused."""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Iterator

from jobs.contracts import Suggestion
from jobs.engine.facts import BatchFacts, CheckKind, FixtureFacts, FunctionFacts, ModuleFacts, TestFacts
from jobs.engine.parse import MOCK_ASSERTS, dotted_name, resolve
from jobs.rules._util import single_line
from jobs.rules.registry import Hit, RuleContext, hit, rule

# --------------------------------------------------------------------------- what is a mock

MOCK_CLASSES = frozenset(
    {
        "Mock",
        "MagicMock",
        "AsyncMock",
        "NonCallableMock",
        "NonCallableMagicMock",
        "PropertyMock",
        "ThreadingMock",
    }
)
MOCK_MODULES = ("unittest.mock.", "mock.", "asynctest.", "pytest_mock.")
MOCKER_FIXTURES = frozenset({"mocker", "class_mocker", "module_mocker", "package_mocker", "session_mocker"})
# Prefixes Mock itself treats as misspelt assertions (it raises AttributeError for them, unless
# `unsafe=True`; `asert`/`aseert`/`assrt` only since Python 3.12).
ASSERT_PREFIXES = ("assert", "assret", "asert", "aseert", "assrt")
TYPO_PREFIXES = ("assert_", "assret", "asert", "aseert", "assrt")  # `assertEqual` is unittest's
# Names that look like mock assertions but are plain attribute lookups: on a Mock they return a new
# child Mock, which is truthy, so `assert m.called_once_with(1)` passes whatever happened.
LOOKALIKES = frozenset(
    {
        "called_once",
        "called_with",
        "called_once_with",
        "any_call",
        "has_calls",
        "not_called",
        "awaited",
        "awaited_once",
        "awaited_with",
        "awaited_once_with",
        "any_await",
        "has_awaits",
        "not_awaited",
    }
)
NO_ARG_ASSERTS = frozenset(
    {"assert_called", "assert_called_once", "assert_not_called", "assert_awaited", "assert_awaited_once",
     "assert_not_awaited"}
)  # fmt: skip
ATTRIBUTE_HINT = re.compile(r"called|_call|awaited|_await")
SETUP_METHODS = ("setUp", "asyncSetUp", "setup_method", "setup", "setUpClass", "setup_class")
SPEC_KEYS = frozenset({"spec", "spec_set", "autospec"})


def _resolved(call: ast.Call, module: ModuleFacts) -> str:
    return resolve(dotted_name(call.func), module.imports)


def _mock_source(name: str) -> bool:
    return name.startswith(MOCK_MODULES) or name.split(".", 1)[0] in MOCKER_FIXTURES


def _factory(call: ast.Call, module: ModuleFacts, *, in_with: bool) -> str | None:
    """'mock' / 'spec' when the call returns a Mock (spec'd or not), None otherwise.

    `Mock()`, `create_autospec(...)`, `mocker.patch(...)`, `mocker.spy(...)` and
    `patch(...).start()` return mocks; `patch(...)` itself does so only as a context manager, and
    not when it is given the replacement object (`new`).
    """
    name = _resolved(call, module)
    if not _mock_source(name):
        return None
    parts = name.split(".")
    mocker = parts[0] in MOCKER_FIXTURES
    if "dict" in parts or "multiple" in parts:
        return None
    specced = any(k.arg in SPEC_KEYS and not _falsy(k.value) for k in call.keywords)
    if parts[-1] in MOCK_CLASSES:
        return "spec" if specced or call.args else "mock"
    if parts[-1] in {"create_autospec", "spy"}:
        return "spec"
    if mocker and parts[-1] in {"stub", "async_stub"}:
        return "mock"
    if "patch" in parts:
        patch_call = call
        if (
            parts[-1] == "start"
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Call)
        ):
            patch_call = call.func.value
        elif not (mocker or in_with):
            return None  # a patcher object, not the mock
        if _patch_new(patch_call, "object" in parts) is not None:
            return None
        specced = any(k.arg in SPEC_KEYS and not _falsy(k.value) for k in patch_call.keywords)
        return "spec" if specced else "mock"
    return None


def _falsy(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and not node.value


def _patch_new(call: ast.Call, is_object: bool) -> ast.expr | None:
    """The replacement object given to patch (`new`), which is then used instead of a mock."""
    index = 2 if is_object else 1
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == "new"), None)


def _patch_decorators(decorators: list[ast.expr], module: ModuleFacts) -> tuple[int, list[str]]:
    """(number of patch decorators, kinds of the mocks they inject in argument order: the decorator
    nearest the function injects the first argument)."""
    total = 0
    kinds: list[str] = []
    for deco in reversed(decorators):
        if not isinstance(deco, ast.Call):
            continue
        name = _resolved(deco, module)
        parts = name.split(".")
        if not (name.startswith(MOCK_MODULES) and "patch" in parts):
            continue
        total += 1
        if "dict" in parts or "multiple" in parts or _patch_new(deco, "object" in parts) is not None:
            continue
        specced = any(k.arg in SPEC_KEYS and not _falsy(k.value) for k in deco.keywords)
        kinds.append("spec" if specced else "mock")
    return total, kinds


def _mocks(test: TestFacts, ctx: RuleContext) -> dict[str, str]:
    """Names in the test provably bound to a Mock, with 'mock' or 'spec' (spec'd mocks)."""
    fn, module = test.fn, ctx.module
    found: dict[str, str] = {}
    for name, statements in fn.assigned.items():
        for stmt in statements:
            value = getattr(stmt, "value", None)
            if isinstance(value, ast.Call) and (kind := _factory(value, module, in_with=False)):
                found[name] = kind
    for block in fn.withs:
        for item in block.items:
            expr, target = item.context_expr, item.optional_vars
            if not (isinstance(expr, ast.Call) and isinstance(target, ast.Name)):
                continue
            if kind := _factory(expr, module, in_with=True):
                found[target.id] = kind
    _, injected = _patch_decorators([d.node for d in fn.decorators], module)
    if test.cls is not None:
        injected += _patch_decorators([d.node for d in test.cls.decorators], module)[1]
        for method in SETUP_METHODS:
            setup = test.cls.methods.get(method)
            if setup is not None:
                found.update(_self_mocks(setup, module))
    params = [p for p in fn.params if p not in {"self", "cls"}]
    for param, kind in zip(params, injected, strict=False):
        found[param] = kind
    for param in params[len(injected) :]:
        for fixture in ctx.batch.fixtures_by_name.get(param, ()):
            if (kind := _fixture_mock(fixture, ctx.batch.modules)) is not None:
                found[param] = kind
    return found


def _self_mocks(setup: FunctionFacts, module: ModuleFacts) -> dict[str, str]:
    found: dict[str, str] = {}
    for stmt in setup.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            kind = _factory(stmt.value, module, in_with=False)
            for target in stmt.targets:
                if kind and isinstance(target, ast.Attribute) and dotted_name(target).startswith("self."):
                    found[dotted_name(target)] = kind
    return found


def _fixture_mock(fixture: FixtureFacts, modules: list[ModuleFacts]) -> str | None:
    """'mock'/'spec' when the fixture returns or yields a mock it builds."""
    module = next((m for m in modules if any(f is fixture for f in m.fixtures)), None)
    if module is None:
        return None
    fn = fixture.fn
    values = [r.value for r in fn.returns] + [y.value for y in fn.yields]
    for value in values:
        if isinstance(value, ast.Call):
            kind = _factory(value, module, in_with=False)
            if kind:
                return kind
        if isinstance(value, ast.Name):
            for stmt in fn.assigned.get(value.id, ()):
                inner = getattr(stmt, "value", None)
                if isinstance(inner, ast.Call) and (kind := _factory(inner, module, in_with=False)):
                    return kind
    for block in fn.withs:
        for item in block.items:
            target, expr = item.optional_vars, item.context_expr
            if not (isinstance(target, ast.Name) and isinstance(expr, ast.Call)):
                continue
            yielded = any(isinstance(v, ast.Name) and v.id == target.id for v in values)
            if yielded and (kind := _factory(expr, module, in_with=True)):
                return kind
    return None


def _receiver_kind(receiver: ast.expr, mocks: dict[str, str], module: ModuleFacts) -> str | None:
    """'mock'/'spec' for a provable mock (or a child of one), 'named' when only its name says mock."""
    text = dotted_name(receiver)
    if not text:
        return None
    for name, kind in mocks.items():
        if text == name or text.startswith(name + "."):
            return kind
    head, *rest = text.split(".")
    candidates = rest if head in module.imports or head in MOCKER_FIXTURES else [head, *rest]
    if any("mock" in part.lower() and part not in MOCKER_FIXTURES for part in candidates):
        return "named"
    return None


# --------------------------------------------------------------------------- mock-assertion-typo


def _closest(attr: str) -> str | None:
    match = difflib.get_close_matches(attr, sorted(MOCK_ASSERTS), n=1, cutoff=0.8)
    return match[0] if match else None


@rule(
    "mock-assertion-typo",
    severity="error",
    scope="test",
    message="this is not a Mock assertion: it checks nothing and passes silently; call the real "
    "`assert_*` method",
    aliases=("PGH005",),
)
def mock_assertion_typo(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: mock checks that do not check: an `assert_*`-like method that is not in the
    Mock API on a mock (`m.assert_called_ones()`, `m.asert_called_with()`); a look-alike without
    the `assert_` prefix (`m.called_once_with(1)`, `m.has_calls([...])`,
    `assert m.called_once_with(1)`); and a real assertion that is never called
    (`m.assert_called_once_with` without parentheses). Receivers are names bound from
    `Mock()`/`MagicMock()`/`AsyncMock()`/`create_autospec`/`patch(...)`/`mocker.patch(...)`,
    `@patch` arguments and mock fixtures; for the look-alikes also names containing "mock".

    Why it matters: on a Mock any unknown attribute is a new child Mock, which is truthy and
    accepts any call, so the line passes whatever the code did (misspelt `assert*` names raise
    AttributeError only on recent Python and without `unsafe=True`).

    Use instead: the real method, called: `m.assert_called_once_with(1)`,
    `m.assert_has_calls([...])`, `m.assert_called_once()`; use `spec`/`autospec` so typos fail.
    """
    fn, module = test.fn, ctx.module
    called_funcs: set[int] = set()
    candidates: list[tuple[ast.Call, ast.Attribute]] = []
    for fact in fn.calls:
        func = fact.node.func
        if not isinstance(func, ast.Attribute):
            continue
        called_funcs.add(id(func))
        attr = func.attr
        if attr in MOCK_ASSERTS or not (attr in LOOKALIKES or attr.startswith(TYPO_PREFIXES)):
            continue
        head = dotted_name(func.value).split(".", 1)[0]
        if head and head not in {"self", "cls"} and head not in module.imports:
            candidates.append((fact.node, func))
    checked = _checked_attributes(fn, module)
    mocks = _mocks(test, ctx) if candidates or any(a.attr in LOOKALIKES for a in checked) else {}
    for call, func in candidates:
        attr = func.attr
        kind = _receiver_kind(func.value, mocks, module)
        if kind is None:
            continue
        if attr.startswith(ASSERT_PREFIXES) and kind == "mock":
            better = _closest(attr)
            hint = f" (did you mean `{better}`?)" if better else ""
            yield hit(
                call,
                f"`{attr}` is not a Mock assertion{hint}: Mock raises AttributeError for it, or, with "
                "`unsafe=True` or before Python 3.12 for `asert`-style names, it passes silently",
                suggestion=_rename(module, fn, call, attr, better),
            )
        elif attr in LOOKALIKES:
            real = f"assert_{attr}"
            yield hit(
                call,
                f"`{attr}(...)` is not a Mock assertion: it returns a child Mock, which is truthy, so "
                f"nothing is checked; call `{real}(...)`",
                suggestion=_rename(module, fn, call, attr, real),
            )
    yield from _uncalled(fn, mocks, module, called_funcs, checked)


def _checked_attributes(fn: FunctionFacts, module: ModuleFacts) -> list[ast.Attribute]:
    """Mock-assertion and look-alike attributes read inside the test's checks (asserts and unittest
    assertion arguments); the source text is consulted first so most checks are never walked."""
    roots: list[ast.AST] = [a.test for a in fn.asserts]
    roots += [a for c in fn.checks if c.kind is CheckKind.UNITTEST for a in getattr(c.node, "args", [])]
    found: list[ast.Attribute] = []
    hinted: dict[int, bool] = {}  # one search per line, however many checks share it

    def has_hint(number: int) -> bool:
        if number not in hinted:
            hinted[number] = ATTRIBUTE_HINT.search(module.line_text(number)) is not None
        return hinted[number]

    for root in roots:
        first, last = getattr(root, "lineno", 0), getattr(root, "end_lineno", 0) or 0
        if not any(has_hint(n) for n in range(first, last + 1)):
            continue
        found += [
            n
            for n in ast.walk(root)
            if isinstance(n, ast.Attribute) and (n.attr in MOCK_ASSERTS or n.attr in LOOKALIKES)
        ]
    return found


def _rename(
    module: ModuleFacts, fn: FunctionFacts, call: ast.Call, attr: str, better: str | None
) -> Suggestion | None:
    """Rename the method on its line when the call is a whole one-line statement (`m.x(...)`, or
    `assert m.x(...)`, which becomes the bare call); the rest of the line is kept as written."""
    if better is None:
        return None
    statement: ast.stmt | None = next((s for s in fn.expr_statements if s.value is call), None)
    drop_assert = False
    if statement is None:
        statement = next((a for a in fn.asserts if a.test is call and a.msg is None), None)
        drop_assert = True
    if statement is None or single_line(module, statement) is None:
        return None
    text = module.line_text(statement.lineno)
    old = f".{attr}("
    if text.count(old) != 1:
        return None
    indent = text[: len(text) - len(text.lstrip())]
    body = text.strip().replace(old, f".{better}(")
    if drop_assert:
        if not body.startswith("assert "):
            return None
        body = body.removeprefix("assert ").lstrip()
    return Suggestion(type="replace", new_text=indent + body, description=f"call `{better}`")


def _uncalled(
    fn: FunctionFacts,
    mocks: dict[str, str],
    module: ModuleFacts,
    called: set[int],
    checked: list[ast.Attribute],
) -> Iterator[Hit]:
    """Mock assertions referenced without a call, and look-alike attributes read in a check."""
    for stmt in fn.expr_statements:
        value = stmt.value
        if isinstance(value, ast.Attribute) and value.attr in MOCK_ASSERTS:
            fix = None
            text = module.line_text(stmt.lineno)
            if (
                value.attr in NO_ARG_ASSERTS
                and single_line(module, stmt)
                and text.count(f".{value.attr}") == 1
            ):
                fix = Suggestion(
                    type="replace",
                    new_text=text.replace(f".{value.attr}", f".{value.attr}()"),
                    description="call the assertion",
                )
            yield hit(
                value,
                f"`{value.attr}` is referenced but never called, so nothing is checked; add the call "
                f"`{value.attr}(...)`",
                suggestion=fix,
            )
    for node in checked:
        if id(node) in called:
            continue
        if node.attr in MOCK_ASSERTS:
            yield hit(
                node,
                f"`{node.attr}` is not called: the bound method is truthy, so this passes whatever "
                f"happened; call `{node.attr}(...)` as a statement",
            )
        elif _receiver_kind(node.value, mocks, module):
            yield hit(
                node,
                f"`{node.attr}` is not a Mock attribute: it is a child Mock, which is truthy, so "
                f"this passes whatever happened; call `assert_{node.attr}(...)`",
            )


# --------------------------------------------------------------------------- mock-only-verification

MOCK_STATE = frozenset(
    {"called", "call_count", "call_args", "call_args_list", "mock_calls", "method_calls", "await_count",
     "await_args", "await_args_list"}
)  # fmt: skip


def _interaction_assert(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr in MOCK_STATE for n in ast.walk(node))


@rule(
    "mock-only-verification",
    severity="info",
    scope="test",
    message="the test only verifies mock interactions, never a result or state; assert on what the "
    "code returns or changes too",
    enabled=False,
)
def mock_only_verification(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a test whose every check is a mock assertion (`m.assert_called_once_with(...)`,
    `assert m.called`, `assert m.call_count == 2`), with at least one `assert_*` call. Opt-in: when
    sending the message or writing the row is the behaviour, interaction checks are the right ones.

    Why it matters: such a test pins how the code talks to its collaborators, not what it achieves:
    it breaks on harmless refactors and passes when the result is wrong.

    Use instead: also assert on the return value or the resulting state; keep interaction checks for
    side effects that are the point (an email sent, a payment captured).
    """
    checks = test.fn.checks
    if not any(c.kind is CheckKind.MOCK for c in checks):
        return
    for check in checks:
        if check.kind is CheckKind.MOCK:
            continue
        if check.kind is CheckKind.ASSERT and _interaction_assert(check.node):
            continue
        return
    yield hit(test.fn.node)


# --------------------------------------------------------------------------- async-not-awaited

ASYNCIO_COROUTINES = frozenset(
    {"asyncio.sleep", "asyncio.wait_for", "asyncio.wait", "asyncio.open_connection", "asyncio.start_server",
     "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell", "asyncio.to_thread"}
)  # fmt: skip
TRUTHY_UNITTEST = frozenset({"assertTrue", "assertIsNotNone", "assert_", "failUnless"})
VALUE_UNITTEST = frozenset(
    {"assertEqual", "assertEquals", "assertFalse", "assertIsNone", "assertIn", "assertIs"}
)


def _coroutine_call(node: ast.AST, test: TestFacts, ctx: RuleContext) -> str | None:
    """The name of the coroutine function `node` calls without awaiting, or None."""
    if not isinstance(node, ast.Call):
        return None
    func, module, fn = node.func, ctx.module, test.fn
    if isinstance(func, ast.Name):
        name = func.id
        local = fn.local_helpers.get(name) or module.helpers.get(name)
        if local is not None:
            return name if _coroutine_function(local) else None
        origin = module.imports.get(name)
        if origin is None:
            return None
        if origin in ASYNCIO_COROUTINES or _imported_async(origin, ctx.batch):
            return name
        return None
    if isinstance(func, ast.Attribute):
        if isinstance(func.value, ast.Name) and func.value.id == "self" and test.cls is not None:
            method = test.cls.methods.get(func.attr)
            return f"self.{func.attr}" if method is not None and _coroutine_function(method) else None
        name = resolve(dotted_name(func), module.imports)
        return name if name in ASYNCIO_COROUTINES else None
    return None


def _coroutine_function(fn: FunctionFacts) -> bool:
    """An undecorated `async def`: a decorator (`@async_to_sync`, `@asynccontextmanager`, ...) may
    turn it into something that is not a coroutine function."""
    return fn.is_async and not fn.decorators


def _imported_async(origin: str, batch: BatchFacts) -> bool:
    """`origin` (`pkg.mod.fetch`) names an `async def` of an analysed file whose path ends `pkg/mod.py`."""
    module_name, _, name = origin.rpartition(".")
    if not module_name or name not in batch.async_functions:
        return False
    suffix = "/" + module_name.replace(".", "/")
    for module in batch.modules:
        path = "/" + module.path.replace("\\", "/").removesuffix(".py").removesuffix("/__init__")
        if path.endswith(suffix):
            helper = module.helpers.get(name)
            return helper is not None and _coroutine_function(helper)
    return False


def _truthy_position(test_expr: ast.expr) -> Iterator[tuple[ast.expr, bool]]:
    """(operand, silent) pairs: operands whose truth the assert takes; silent when it always passes."""
    if isinstance(test_expr, ast.BoolOp):
        for value in test_expr.values:
            yield from _truthy_position(value)
    elif isinstance(test_expr, ast.UnaryOp) and isinstance(test_expr.op, ast.Not):
        yield test_expr.operand, False
    elif isinstance(test_expr, ast.Compare) and len(test_expr.ops) == 1:
        op, right = test_expr.ops[0], test_expr.comparators[0]
        silent = isinstance(op, ast.IsNot | ast.NotEq) and isinstance(right, ast.Constant)
        yield test_expr.left, silent
        yield right, isinstance(op, ast.IsNot | ast.NotEq) and isinstance(test_expr.left, ast.Constant)
    else:
        yield test_expr, True


@rule(
    "async-not-awaited",
    severity="warning",
    scope="test",
    message="coroutine function called without `await`: its code never runs; await it",
)
def async_not_awaited(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a test that calls a coroutine function without `await`, either as a statement
    or inside a check: `assert fetch_user(1)`, `self.assertTrue(client.ping())`. Coroutine functions
    are `async def`s of the same module or test class, nested in the test, imported from another
    analysed file, and `asyncio.sleep`/`wait_for`/... An assertion on the coroutine object's
    truth always passes (error); other uses are warnings. Calls handed to something else
    (`asyncio.run(main())`, `create_task(...)`, `x = fetch()`) are left alone.

    Why it matters: calling a coroutine function only creates a coroutine object; nothing inside it
    runs, and the object is truthy, so the assertion can never fail.

    Use instead: `assert await fetch_user(1)`, or `await client.ping()` in an async test; in a sync
    test, `asyncio.run(...)`.
    """
    fn = test.fn
    for stmt in fn.expr_statements:
        name = _coroutine_call(stmt.value, test, ctx)
        if name:
            yield hit(
                stmt.value,
                f"`{name}()` is a coroutine function called without `await`: its body never runs; "
                f"`await {name}(...)`",
            )
    for node in fn.asserts:
        for operand, silent in _truthy_position(node.test):
            name = _coroutine_call(operand, test, ctx)
            if name:
                yield _assert_hit(operand, name, silent)
    for check in fn.checks:
        call = check.node
        if check.kind is not CheckKind.UNITTEST or not isinstance(call, ast.Call) or not call.args:
            continue
        method = check.name
        if method not in TRUTHY_UNITTEST | VALUE_UNITTEST:
            continue
        for arg in call.args[:2]:
            name = _coroutine_call(arg, test, ctx)
            if name:
                yield _assert_hit(arg, name, method in TRUTHY_UNITTEST and arg is call.args[0])


def _assert_hit(node: ast.expr, name: str, silent: bool) -> Hit:
    if silent:
        return hit(
            node,
            f"the check tests the coroutine object `{name}()` returns, which is always truthy: it "
            f"passes without running the code; `await {name}(...)`",
            severity="error",
        )
    return hit(
        node,
        f"the check compares the coroutine object `{name}()` returns, not its result; `await {name}(...)`",
    )


# --------------------------------------------------------------------------- patch-misuse


def _lambda_ignores_args(node: ast.Lambda) -> bool:
    args = node.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    return not any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node.body))


def _patch_calls(test: TestFacts) -> Iterator[tuple[ast.Call, bool]]:
    """(call, is_object) for every patch/patch.object call in the test and its decorators."""
    named = [(c.node, c.name) for c in test.fn.calls]
    named += [(d.node, d.name) for d in test.fn.decorators if isinstance(d.node, ast.Call)]
    for call, name in named:
        if not name.endswith(("patch", "patch.object")):
            continue
        parts = name.split(".")
        if (parts[-1] == "patch" or parts[-2:] == ["patch", "object"]) and _mock_source(name):
            yield call, parts[-1] == "object"


@rule(
    "patch-misuse",
    severity="info",
    scope="test",
    message="patched with a lambda that ignores its arguments; use `return_value=` instead",
    enabled=False,
    thresholds={"max-patches": 3},
    aliases=("over-mocking", "PT008"),
)
def patch_misuse(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `patch("mod.fn", lambda *a: 42)` / `patch.object(obj, "fn", new=lambda: 42)` /
    `mocker.patch(..., new=lambda: ...)` where the lambda ignores its arguments (PT008), and a test
    with more than `max-patches` (default 3) stacked `@patch` decorators (over-mocking). Opt-in:
    both are maintainability findings.

    Why it matters: a lambda replacement records no calls, so the test cannot check how the patched
    function was used, and its signature silently differs from the original. A test that needs many
    patches mostly tests its mocks, and breaks on every refactor of the code under test.

    Use instead: `patch("mod.fn", return_value=42)` (plus `autospec=True`); for many patches, move
    the collaborators behind one injected dependency or a fixture, or test a smaller unit.
    """
    for call, is_object in _patch_calls(test):
        new = _patch_new(call, is_object)
        if isinstance(new, ast.Lambda) and _lambda_ignores_args(new):
            yield hit(new)
    limit = ctx.threshold("max-patches")
    total, _ = _patch_decorators([d.node for d in test.fn.decorators], ctx.module)
    if total > limit:
        yield hit(
            test.fn.node,
            f"{total} stacked patch decorators (more than {int(limit)}): the test mostly exercises its "
            "mocks; inject the collaborators or test a smaller unit",
        )


# --------------------------------------------------------------------------- inactive-http-mock

RESPONSES_REGISTER = frozenset(
    {"add", "get", "post", "put", "patch", "delete", "head", "options", "add_callback", "add_passthru",
     "upsert", "replace", "_add_from_file"}
)  # fmt: skip
RESPX_REGISTER = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "route", "add", "request"}
)
LIBRARIES = {"responses": RESPONSES_REGISTER, "respx": RESPX_REGISTER}


def _activates(fn: FunctionFacts, lib: str, module: ModuleFacts) -> bool:
    """The function activates the library's mock: decorator, `with`, or `start()`."""
    decorators = [d.name for d in fn.decorators]
    if any(d in {f"{lib}.activate", f"{lib}.mock"} or d.startswith(f"{lib}.mock.") for d in decorators):
        return True
    if any(c.name == f"{lib}.start" for c in fn.calls):
        return True
    return any(
        resolve(dotted_name(item.context_expr), module.imports).startswith(f"{lib}.")
        for w in fn.withs
        for item in w.items
    )


def _module_evidence(module: ModuleFacts, lib: str) -> bool:
    functions = [t.fn for t in module.tests] + [f.fn for f in module.fixtures]
    functions += [m for cls in module.classes for m in cls.methods.values()]
    return any(_activates(fn, lib, module) for fn in functions)


def _fixture_activates(fixture: FixtureFacts, lib: str, ctx: RuleContext) -> bool:
    module = next((m for m in ctx.batch.modules if any(f is fixture for f in m.fixtures)), None)
    return module is not None and _activates(fixture.fn, lib, module)


@rule(
    "inactive-http-mock",
    severity="warning",
    scope="test",
    message="HTTP mock registered but never activated: real requests are sent; decorate with "
    "`@responses.activate` (or use `with responses.RequestsMock()`)",
)
def inactive_http_mock(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `responses.add(...)` / `responses.get(...)` (and `respx.get(...)` /
    `respx.route(...)`) registered in a test that is not decorated with `@responses.activate`
    (`@respx.mock`), does not open `with responses.RequestsMock()` / `with respx.mock:` and does not
    call `start()`, when neither its class setup, an autouse fixture, nor a requested fixture
    activates the library and no requested fixture is named after it (`mocked_responses`,
    `respx_mock`). Only reported when the analysed files activate the library explicitly somewhere,
    so a suite that relies on an auto-activating plugin (pytest-responses) stays silent.

    Why it matters: without activation the registration changes nothing; the code under test sends
    real HTTP requests, so the test depends on the network and does not test what it claims.

    Use instead: `@responses.activate` on the test, a `with responses.RequestsMock() as rsps:` block
    (registering on `rsps`), or a fixture that activates it; for respx, `@respx.mock` or the
    `respx_mock` fixture.
    """
    fn, module = test.fn, ctx.module
    for lib, register in LIBRARIES.items():
        calls = [
            c
            for c in fn.calls
            if c.name.startswith(f"{lib}.") and c.name.count(".") == 1 and c.last in register
        ]
        calls = [c for c in calls if _module_name(c.node, lib, fn, module)]
        if not calls or _active(test, lib, ctx):
            continue
        if not any(_module_evidence(m, lib) for m in ctx.batch.modules):
            continue
        decorator = "@responses.activate" if lib == "responses" else "@respx.mock"
        yield hit(
            calls[0].node,
            f"`{calls[0].name}(...)` registers on the default `{lib}` mock, which this test never "
            f"activates: real requests are sent; add `{decorator}` or activate it in a fixture",
        )


def _module_name(call: ast.Call, lib: str, fn: FunctionFacts, module: ModuleFacts) -> bool:
    """The call's receiver is the imported library module, not a local or parameter of that name."""
    head = dotted_name(call.func).split(".", 1)[0]
    return module.imports.get(head) == lib and head not in fn.stores and head not in fn.params


def _active(test: TestFacts, lib: str, ctx: RuleContext) -> bool:
    fn, module = test.fn, ctx.module
    if _activates(fn, lib, module):
        return True
    if test.cls is not None:
        if any(d.name in {f"{lib}.activate", f"{lib}.mock"} for d in test.cls.decorators):
            return True
        for method in SETUP_METHODS:
            setup = test.cls.methods.get(method)
            if setup is not None and _activates(setup, lib, module):
                return True
    for param in fn.params:
        if lib in param.lower():
            return True
        if any(_fixture_activates(f, lib, ctx) for f in ctx.batch.fixtures_by_name.get(param, ())):
            return True
    return any(
        f.autouse and _fixture_activates(f, lib, ctx)
        for fixtures in ctx.batch.fixtures_by_name.values()
        for f in fixtures
    )
