"""Fixture style family: fixtures and test signatures written in ways that mislead or do nothing."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from jobs.engine.facts import Decorator, FixtureFacts, FunctionFacts, ModuleFacts, TestFacts
from jobs.engine.parse import parametrize_names
from jobs.rules._util import replace_line, without_docstring
from jobs.rules.registry import Hit, RuleContext, hit, rule

# pytest's own fixtures; `request` is reserved and redefining it breaks every fixture.
# pytest's own fixtures whose replacement changes what tests rely on (`cache`, `doctest_namespace`
# and the `record_*` fixtures are left out: projects name fixtures so, or override them on purpose).
PYTEST_FIXTURES = frozenset(
    {
        "capfd", "capfdbinary", "caplog", "capsys", "capsysbinary", "monkeypatch", "pytestconfig",
        "pytester", "recwarn", "testdir", "tmp_path", "tmp_path_factory", "tmpdir", "tmpdir_factory",
    }
)  # fmt: skip
# Builtins a test body is likely to call; a fixture of that name hides them in every test requesting it.
SHADOWED_BUILTINS = frozenset(
    {
        "all", "any", "bool", "bytes", "callable", "dict", "dir", "filter", "float", "format", "getattr",
        "hasattr", "hash", "id", "input", "int", "isinstance", "iter", "len", "list", "map", "max", "min",
        "next", "object", "open", "print", "range", "repr", "round", "set", "sorted", "str", "sum",
        "super", "tuple", "type", "vars", "zip",
    }
)  # fmt: skip
PATCH_INJECTING = ("patch", "patch.object", "patch.multiple")


# --------------------------------------------------------------------------- fixture-style


def _with_comment(module: ModuleFacts, node: ast.AST, new: str) -> str:
    """`new` plus the trailing comment of the line being replaced, so a fix keeps it."""
    text = module.line_text(getattr(node, "lineno", 0))
    rest = text[getattr(node, "end_col_offset", len(text)) :].strip()
    return f"{new}  {rest}" if rest.startswith("#") else new


def _scope_suggestion(module: ModuleFacts, deco: Decorator) -> object:
    call = deco.call
    assert call is not None
    keywords = [k for k in call.keywords if k.arg != "scope"]
    if not keywords and not call.args:
        text = "@" + ast.unparse(call.func)
    else:
        text = "@" + ast.unparse(ast.Call(func=call.func, args=call.args, keywords=keywords))
    return replace_line(module, deco.node, _with_comment(module, deco.node, text), "drop the redundant scope")


def _decorator_hits(fixture: FixtureFacts, module: ModuleFacts) -> Iterator[Hit]:
    deco = fixture.decorator
    if deco.name.rsplit(".", 1)[-1] == "yield_fixture":
        line = module.line_text(deco.node.lineno)
        fixed = replace_line(
            module, deco.node, line.strip().replace("yield_fixture", "fixture", 1), "use @pytest.fixture"
        )
        yield hit(deco.node, "`yield_fixture` is a deprecated alias: use `@pytest.fixture`", suggestion=fixed)
    call = deco.call
    if call is None:
        return
    if any(isinstance(a, ast.Constant) for a in call.args):
        yield hit(
            call.args[0],
            "positional fixture arguments were removed in pytest 7: pass them by keyword (`scope=...`)",
            severity="warning",
        )
    scope = deco.kwarg("scope")
    if isinstance(scope, ast.Constant) and scope.value == "function":
        yield hit(
            scope,
            '`scope="function"` is the default: drop it',
            suggestion=_scope_suggestion(module, deco),  # type: ignore[arg-type]
        )


def _addfinalizer_hit(fn: FunctionFacts) -> Iterator[Hit]:
    """`request.addfinalizer(f)` as a plain statement followed only by the final return."""
    if fn.yields or "request" not in fn.params:
        return
    finalizers = [c for c in fn.calls if c.name == "request.addfinalizer"]
    if len(finalizers) != 1:
        return
    body = fn.body
    for index, stmt in enumerate(body):
        if isinstance(stmt, ast.Expr) and stmt.value is finalizers[0].node:
            rest = body[index + 1 :]
            if all(isinstance(s, ast.Return) for s in rest) and len(rest) <= 1:
                yield hit(
                    stmt,
                    "`request.addfinalizer` where a `yield` would do: yield the value and put the "
                    "teardown after the `yield`",
                )


def _needless_yield(fn: FunctionFacts, module: ModuleFacts) -> Iterator[Hit]:
    if len(fn.yields) != 1 or not fn.body:
        return
    last = fn.body[-1]
    if not (isinstance(last, ast.Expr) and last.value is fn.yields[0] and isinstance(last.value, ast.Yield)):
        return
    value = last.value.value
    new = "return" if value is None else f"return {ast.unparse(value)}"
    yield hit(
        last,
        "`yield` with no teardown after it: `return` the value instead",
        suggestion=replace_line(module, last, _with_comment(module, last, new), "return instead of yield"),
    )


@rule(
    "fixture-style",
    severity="info",
    scope="fixture",
    message="fixture is written in a deprecated or needlessly complex form; use the plain form",
    fix="rewrite the decorator or the yield as the message says",
)
def fixture_style(fixture: FixtureFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `@pytest.yield_fixture`, positional fixture arguments (`@pytest.fixture("module")`),
    a redundant `scope="function"`, `request.addfinalizer(...)` where the finalizer is registered
    right before the final `return` (a `yield` does the same), and a `yield` that is the last
    statement, with no teardown after it.

    Why it matters: each is noise a reader must decode; positional arguments fail outright on
    pytest 7 and later, and `yield_fixture` is a deprecated alias.

    Use instead: `@pytest.fixture(scope="module")`; `yield value` followed by the teardown; `return
    value` when there is nothing to tear down.
    """
    yield from _decorator_hits(fixture, ctx.module)
    yield from _addfinalizer_hit(fixture.fn)
    yield from _needless_yield(fixture.fn, ctx.module)


# --------------------------------------------------------------------------- duplicate-fixture


def _shape(fixture: FixtureFacts) -> tuple[object, ...]:
    """A cheap pre-key: fixtures with different shapes cannot be duplicates."""
    body = without_docstring(fixture.fn.body)
    span = (body[-1].end_lineno or 0) - body[0].lineno if body else -1
    return (len(body), span, fixture.scope, tuple(fixture.fn.params), fixture.fn.is_async)


def _key(fixture: FixtureFacts) -> str:
    call = fixture.decorator.call
    keywords = [k for k in call.keywords if k.arg != "name"] if call else []
    parts = [ast.dump(k) for k in keywords]
    parts += [ast.dump(s) for s in without_docstring(fixture.fn.body)]
    return "\n".join(parts)


def _substantial(fixture: FixtureFacts, min_nodes: float) -> bool:
    body = without_docstring(fixture.fn.body)
    if len(body) < 2:
        return False
    return sum(1 for s in body for n in ast.walk(s) if not isinstance(n, ast.expr_context)) >= min_nodes


@rule(
    "duplicate-fixture",
    severity="info",
    scope="module",
    message="fixture has the same body as another fixture: keep one and request it under one name",
    thresholds={"min-nodes": 15},
)
def duplicate_fixture(module: ModuleFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a fixture whose body (docstring and name aside), parameters, scope and
    decorator arguments are identical to a fixture defined earlier in the analysed files. Only
    bodies of at least two statements and a minimum size count (threshold `min-nodes`).

    Why it matters: two copies drift apart; a fix applied to one leaves the other wrong, and readers
    must compare them to learn they are the same.

    Use instead: keep one fixture, in the nearest `conftest.py` both users share, and request it
    under one name.
    """
    min_nodes = ctx.threshold("min-nodes")
    mine = [f for f in module.fixtures if _substantial(f, min_nodes)]
    if not mine:
        return
    shapes = {_shape(f) for f in mine}
    first_seen: dict[str, tuple[ModuleFacts, FixtureFacts]] = {}
    for other in ctx.batch.modules:
        for fixture in other.fixtures:
            if _shape(fixture) not in shapes or not _substantial(fixture, min_nodes):
                continue
            key = _key(fixture)
            earlier = first_seen.setdefault(key, (other, fixture))
            if other is module and earlier[1] is not fixture:
                yield hit(fixture.fn.node, _duplicate_message(fixture, *earlier))
        if other is module:
            return


def _duplicate_message(fixture: FixtureFacts, where: ModuleFacts, first: FixtureFacts) -> str:
    place = f"{where.path}:{first.line}"
    if first.name == fixture.name:
        return (
            f"fixture `{fixture.name}` is defined identically at {place}: "
            "move one copy to a conftest.py both can see"
        )
    return f"fixture `{fixture.name}` has the same body as `{first.name}` ({place}): keep one"


# --------------------------------------------------------------------------- unused-fixture-argument


def _injected_mocks(fn: FunctionFacts) -> int:
    """How many leading parameters `mock.patch` decorators fill (they come before fixtures)."""
    count = 0
    for deco in fn.decorators:
        name = deco.name
        if not any(name == p or name.endswith("." + p) for p in PATCH_INJECTING):
            continue
        call = deco.call
        if call is None or deco.kwarg("new") is not None:
            continue
        positional = 2 if name.endswith("patch.object") else 1
        if name.endswith("patch.multiple") or len(call.args) <= positional:
            count += 1
    return count


def _all_parametrized(test: TestFacts, module: ModuleFacts) -> set[str]:
    names = set(test.parametrize_names) | parametrize_names(module.module_marks)
    if test.cls is not None:
        names |= parametrize_names(test.cls.decorators)
    return names


@rule(
    "unused-fixture-argument",
    severity="info",
    scope="test",
    message="fixture parameter is never read: drop it, or request it with `@pytest.mark.usefixtures(...)`",
    enabled=False,
)
def unused_fixture_argument(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a pytest test parameter that names a fixture and is never read in the test
    body. Parametrize names (function, class or `pytestmark`), parameters filled by `mock.patch`
    decorators, hypothesis `@given` tests, unittest methods and modules with their own
    `pytest_generate_tests` are left alone. Off by default: large suites have thousands (Home
    Assistant counted about 13,400 when it added the same check).

    Why it matters: an unused parameter reads like a forgotten check; `usefixtures` says "needed
    for its effect" and keeps the signature to what the test reads.

    Use instead: `@pytest.mark.usefixtures("db")` on the test or class, and drop the parameter.
    """
    fn = test.fn
    if test.is_unittest or fn.decorator("given") or "locals" in fn.loads or "vars" in fn.loads:
        return
    if "pytest_generate_tests" in ctx.module.helpers:
        return
    skip = _all_parametrized(test, ctx.module) | {"self", "cls"}
    args = fn.node.args
    positional = [*args.posonlyargs, *args.args]
    if positional and positional[0].arg in {"self", "cls"}:
        positional = positional[1:]
    candidates = positional[_injected_mocks(fn) :] + args.kwonlyargs
    defaults = len(args.defaults)
    with_default = {a.arg for a in positional[len(positional) - defaults :]} if defaults else set()
    for arg in candidates:
        name = arg.arg
        if name in skip or name in fn.loads or name in with_default:
            continue
        yield hit(
            arg,
            f"fixture `{name}` is requested but never read: drop it, or if it is needed for its effect, "
            f"use `@pytest.mark.usefixtures({name!r})`",
        )


# --------------------------------------------------------------------------- fixture-shadowing


@rule(
    "fixture-shadowing",
    severity="warning",
    scope="fixture",
    message="fixture name shadows a pytest builtin fixture or a Python builtin: rename it",
)
def fixture_shadowing(fixture: FixtureFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a fixture named like one of pytest's own fixtures (`request`, `tmp_path`,
    `monkeypatch`, `capsys`, ...) unless it builds on the builtin (requests the same name or its
    `_factory`), and, as a note, a fixture named like a Python builtin a test may call (`id`,
    `type`, `input`, `list`, ...).
    Overriding one of your own fixtures in a closer conftest.py is a pytest feature and is not
    flagged.

    Why it matters: `request` is reserved, so redefining it breaks fixture resolution; replacing
    another builtin fixture silently changes it for every test below, and a fixture named `id` or
    `type` hides the builtin inside every test that requests it.

    Use instead: a distinct name (`tmp_dir_with_data`, `user_id`), or request the builtin fixture in
    your fixture and build on it.
    """
    name = fixture.name
    node = fixture.fn.node
    if name == "request":
        yield hit(
            node, "a fixture named `request` replaces pytest's reserved fixture: rename it", severity="error"
        )
    elif name in PYTEST_FIXTURES and not {name, f"{name}_factory"} & set(fixture.fn.params):
        yield hit(
            node,
            f"fixture `{name}` replaces pytest's builtin `{name}` for every test below it: "
            "rename it, or request the builtin and build on it",
        )
    names = {name, fixture.fn.name} if fixture.cls is None else {name}
    for name in sorted(names & SHADOWED_BUILTINS):
        yield hit(
            node,
            f"fixture `{name}` hides the builtin `{name}()` in every test that requests it: rename it",
            severity="info",
        )


# --------------------------------------------------------------------------- mark-misuse


def _empty_usefixtures(deco: Decorator) -> bool:
    if not deco.name.endswith("mark.usefixtures"):
        return False
    call = deco.call
    return call is None or (not call.args and not call.keywords)


@rule(
    "mark-misuse",
    severity="warning",
    scope="module",
    message="this mark has no effect here: remove it or move it to a test",
)
def mark_misuse(module: ModuleFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a pytest mark on a fixture (`usefixtures`, `asyncio`, `skip`, `parametrize`
    ... pytest ignores marks on fixtures and warns since 8.0), and `@pytest.mark.usefixtures()` with
    no fixture names, on a test, a class or in `pytestmark`.

    Why it matters: the author expected an effect (a fixture set up, an async fixture awaited, a
    skip) that never happens, so the setup the tests rely on may silently be missing.

    Use instead: in a fixture, request other fixtures as parameters; for async fixtures use
    `@pytest_asyncio.fixture`; list the fixture names in `usefixtures("db")` or delete it.
    """
    for fixture in module.fixtures:
        for deco in fixture.fn.decorators:
            if deco is fixture.decorator or ".mark." not in f".{deco.name}":
                continue
            mark = deco.name.rsplit(".", 1)[-1]
            advice = {
                "usefixtures": "request the fixture as a parameter of this fixture",
                "asyncio": "use `@pytest_asyncio.fixture` for async fixtures",
            }.get(mark, "put the mark on the tests instead")
            yield hit(deco.node, f"`@pytest.mark.{mark}` on a fixture has no effect: {advice}")
    decorators = [d for t in module.tests for d in t.fn.decorators]
    decorators += [d for c in module.classes for d in c.decorators] + module.module_marks
    for deco in decorators:
        if _empty_usefixtures(deco):
            yield hit(
                deco.node, "`usefixtures` with no fixture names has no effect: name the fixtures or remove it"
            )


# --------------------------------------------------------------------------- test-param-default


@rule(
    "test-param-default",
    severity="warning",
    scope="test",
    message="test parameter has a default: pytest passes no fixture for it, so the default is always "
    "used; drop the default or parametrize it",
)
def test_param_default(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a parameter of a pytest test that has a default value and is not a parametrize
    argname (of the test, its class or `pytestmark`). unittest methods are left alone.

    Why it matters: pytest does not treat a parameter with a default as a fixture request, so a
    fixture of that name is silently not injected and the test always runs with the default (a
    warning). With no fixture of that name it is a constant in disguise (a note).

    Use instead: drop the default to request the fixture, move the value into the body, or
    `@pytest.mark.parametrize` it.
    """
    if test.is_unittest:
        return
    args = test.fn.node.args
    positional = [*args.posonlyargs, *args.args]
    with_default = positional[len(positional) - len(args.defaults) :] if args.defaults else []
    with_default += [a for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
    if not with_default:
        return
    skip = _all_parametrized(test, ctx.module)
    fixtures = ctx.batch.fixtures_by_name
    for arg in with_default:
        name = arg.arg
        if name in skip:
            continue
        if name in fixtures or name in PYTEST_FIXTURES or name == "request":
            yield hit(arg, f"test parameter `{name}` has a default, so fixture `{name}` is not injected")
        else:
            message = f"test parameter `{name}` has a default: a constant in disguise; move it into the body"
            yield hit(arg, message + " or parametrize it", severity="info")
