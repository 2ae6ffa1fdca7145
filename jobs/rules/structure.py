"""Structure family: tests that never run, are disabled, or are shaped so they hide what they test."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from jobs.engine.facts import ClassFacts, Decorator, FunctionFacts, ModuleFacts, TestFacts
from jobs.engine.parse import dotted_name, resolve
from jobs.rules._util import without_docstring
from jobs.rules.registry import Hit, RuleContext, hit, rule

DEFAULT_CLASS_NAMES = frozenset(
    {"MyTestCase", "ExampleUnitTest", "ExampleInstrumentedTest", "TestCase", "MyTest"}
)
SETUP_METHODS = ("setUp", "setup_method")
# unittest.TestCase API a test may call on self without touching setUp's fields.
UNITTEST_API = frozenset(
    {
        "subTest", "skipTest", "addCleanup", "enterContext", "id", "shortDescription", "maxDiff",
        "longMessage", "addTypeEqualityFunc", "doCleanups", "run", "debug", "countTestCases",
        "defaultTestResult", "failureException", "assertLogs", "assertNoLogs",
    }
)  # fmt: skip
RETRY_DECORATORS = frozenset({"flaky", "retry"})
SKIP_STATEMENT_CALLS = frozenset({"pytest.skip", "self.skipTest", "pytest.xfail", "pytest.importorskip"})


def _test_methods(cls: ClassFacts) -> list[FunctionFacts]:
    return [m for m in cls.methods.values() if m.name.startswith("test")]


def _sets_dunder_test_false(cls: ClassFacts) -> bool:
    for stmt in cls.node.body:
        if isinstance(stmt, ast.Assign) and any(getattr(t, "id", "") == "__test__" for t in stmt.targets):
            return True
    return False


def _all_decorators(module: ModuleFacts) -> Iterator[Decorator]:
    """The decorators of every test and test class, and the `pytestmark` marks."""
    for test in module.tests:
        yield from test.fn.decorators
    for cls in module.classes:
        yield from cls.decorators
    yield from module.module_marks


# --------------------------------------------------------------------------- never runs


@rule(
    "constructor-initialization",
    severity="error",
    scope="module",
    message="test class defines `__init__`: pytest does not collect it, so none of its tests run; "
    "use setup_method or a fixture",
)
def constructor_initialization(module: ModuleFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `__init__` in a class that holds tests. In a plain `Test*` class pytest
    refuses to collect the class (a warning scrolls by, every test in it silently never runs); in a
    `unittest.TestCase` subclass it works only as long as the signature matches TestCase's.

    Why it matters: a whole class of tests that never runs looks exactly like a class that passes.

    Use instead: `setup_method` or a fixture for pytest classes; `setUp` (or `setUpClass`) for
    unittest classes.
    """
    for cls in module.classes:
        init = cls.methods.get("__init__")
        if init is None or not _test_methods(cls) or _sets_dunder_test_false(cls):
            continue
        if cls.is_unittest:
            yield hit(
                init.node,
                "`__init__` in a TestCase: setting state here breaks when the runner "
                "builds the case; use setUp",
                severity="warning",
            )
        elif cls.has_unknown_bases:
            yield hit(
                init.node,
                f"`__init__` in `{cls.name}`: unless a base class is a unittest.TestCase, "
                "pytest does not collect this class and its tests never run; use setup_method",
                severity="warning",
            )
        elif cls.name.startswith("Test"):
            yield hit(init.node)


@rule(
    "uncollected-or-shadowed-test",
    severity="error",
    scope="module",
    message="test is defined again later with the same name: this definition never runs; rename one",
    aliases=("shadowed-test",),
)
def uncollected_or_shadowed_test(module: ModuleFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a test function or method defined twice with the same name in the same scope
    (module or class). Python keeps only the last definition, so the first is never collected.

    Why it matters: the first test is silently lost, usually after a copy-paste, and whatever it
    checked is no longer checked.

    Use instead: give each test its own name (or delete the stale copy).
    """
    last: dict[tuple[int, str], TestFacts] = {}
    for test in reversed(module.tests):
        key = (id(test.cls.node) if test.cls else 0, test.name)
        later = last.get(key)
        if later is not None:
            yield hit(
                test.fn.node,
                f"`{test.qualname}` is defined again on line {later.line}: this "
                "definition never runs; rename one of them",
            )
        last.setdefault(key, test)


@rule(
    "default-test-name",
    severity="info",
    scope="module",
    message="test class keeps a template name: name it after what it tests",
    aliases=("default-test",),
)
def default_test_name(module: ModuleFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a class holding tests named like a template or generator default
    (`MyTestCase`, `MyTest`, `ExampleUnitTest`, `ExampleInstrumentedTest`, `TestCase`).

    Why it matters: the name tells a reader (and a failure report) nothing about what broke, and
    `TestCase` also shadows `unittest.TestCase` in the module.

    Use instead: name the class after the unit under test: `TestInvoiceTotals`.
    """
    for cls in module.classes:
        if cls.name in DEFAULT_CLASS_NAMES and _test_methods(cls):
            yield hit(cls.node, f"test class `{cls.name}` keeps a template name: name it after what it tests")


# --------------------------------------------------------------------------- setUp usage


def _passes_self(fn: FunctionFacts) -> bool:
    for call in fn.calls:
        values = [*call.node.args, *(k.value for k in call.node.keywords)]
        if any(isinstance(v, ast.Name) and v.id == "self" for v in values):
            return True
    return False


def _reads(fn: FunctionFacts, cls: ClassFacts) -> set[str] | None:
    """The self attributes a test reads, through the class's own helpers; None when unknowable."""
    seen = {fn.name}
    stack = [fn]
    reads: set[str] = set()
    while stack:
        current = stack.pop()
        if _passes_self(current):
            return None
        for name in current.attr_loads:
            reads.add(name)
            method = cls.methods.get(name)
            if method is not None and name not in seen and name not in SETUP_METHODS:
                seen.add(name)
                stack.append(method)
    return reads


def _unknown(reads: set[str], cls: ClassFacts, fields: set[str]) -> bool:
    """A read of something that is neither a setUp field, a method here nor the unittest API."""
    return any(
        name not in fields
        and name not in cls.methods
        and name not in UNITTEST_API
        and not name.startswith(("assert", "fail"))
        for name in reads
    )


def _setup(cls: ClassFacts) -> tuple[FunctionFacts, set[str]] | None:
    setup = next((cls.methods[n] for n in SETUP_METHODS if n in cls.methods), None)
    if setup is None or not setup.attr_stores:
        return None
    return setup, set(setup.attr_stores)


def _plain_setup(setup: FunctionFacts) -> bool:
    """setUp only assigns fields (and calls the base setUp): no patch started, nothing else done."""
    for stmt in setup.expr_statements:
        value = stmt.value
        if isinstance(value, ast.Constant):
            continue
        if not (isinstance(value, ast.Call) and dotted_name(value.func).endswith(SETUP_METHODS)):
            return False
    return not any(c.last in {"start", "enter_context", "enterContext", "addCleanup"} for c in setup.calls)


@rule(
    "test-maverick",
    severity="info",
    scope="test",
    enabled=False,  # maintainability only (PyNose ships it off too)
    message="test uses none of the fields its class's setUp builds: it pays for a setup it ignores; "
    "move it to a class (or module) that fits it",
)
def test_maverick(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a test method in a class whose own `setUp`/`setup_method` assigns `self`
    fields, when the test (with the class helpers it calls) reads none of them. Tests that read
    other class state, call inherited helpers or pass `self` along are left alone.

    Why it matters: the setup runs for nothing before this test, slowing it down, and a failure in
    setup fails a test that never needed it; it usually means the test belongs elsewhere.

    Use instead: move the test to its own class or module, or build what it needs in the test.
    """
    cls = test.cls
    if cls is None or (found := _setup(cls)) is None or not _plain_setup(found[0]):
        return
    _, fields = found
    reads = _reads(test.fn, cls)
    if reads is None or reads & fields or _unknown(reads, cls, fields):
        return
    yield hit(
        test.fn.node,
        f"`{test.name}` reads none of the fields setUp builds "
        f"({', '.join(sorted(fields)[:4])}): move it to a class that fits it",
    )


@rule(
    "general-fixture",
    severity="info",
    scope="module",
    message="setUp builds a field that most tests of the class never use: build it where it is needed",
    enabled=False,
)
def general_fixture(module: ModuleFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a `self` field assigned in a class's own `setUp`/`setup_method` that fewer
    than half of the class's tests read (directly or through the class's helpers). Classes whose
    tests read state we cannot see (inherited helpers, `self` passed along) are skipped. Off by
    default: shared setup is often a deliberate trade-off.

    Why it matters: every test pays for setup that only a few need, and readers cannot tell which
    part of the fixture a test depends on.

    Use instead: build the rarely used parts in the tests (or a fixture) that need them, or split
    the class.
    """
    for cls in module.classes:
        found = _setup(cls)
        tests = _test_methods(cls)
        if found is None or len(tests) < 2 or cls.has_unknown_bases:
            continue
        setup, fields = found
        per_test = [_reads(t, cls) for t in tests]
        if any(r is None or _unknown(r, cls, fields) for r in per_test):
            continue
        for name in sorted(fields):
            users = sum(1 for r in per_test if r is not None and name in r)
            if users * 2 < len(tests):
                yield hit(
                    setup.attr_stores[name],
                    f"`self.{name}` is built for every test but {users} of "
                    f"{len(tests)} tests use it: build it where it is needed",
                )


# --------------------------------------------------------------------------- disabled tests


def _reason(call: ast.Call | None, *keys: str) -> bool | None:
    """True with a reason, False without one."""
    if call is None:
        return False
    value = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg in keys), None)
    if value is None:
        return False
    if isinstance(value, ast.Constant):
        return isinstance(value.value, str) and bool(value.value.strip())
    return True


def _skip_decorator(deco: Decorator) -> bool:
    return deco.name.endswith("mark.skip") or deco.name in {"unittest.skip", "unittest.case.skip"}


def _first_statement_skip(fn: FunctionFacts, module: ModuleFacts) -> tuple[ast.stmt, bool] | None:
    body = without_docstring(fn.body)
    if not body:
        return None
    first = body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Call):
        name = resolve(dotted_name(first.value.func), module.imports)
        if name in {"pytest.skip", "self.skipTest"}:
            return first, bool(_reason(first.value, "reason", "msg"))
    if isinstance(first, ast.Raise) and first.exc is not None:
        name = resolve(dotted_name(first.exc), module.imports)
        if name.endswith("SkipTest") or name == "pytest.skip.Exception":
            call = first.exc if isinstance(first.exc, ast.Call) else None
            return first, bool(_reason(call))
    return None


def _skips(module: ModuleFacts) -> Iterator[tuple[ast.AST, bool]]:
    for deco in _all_decorators(module):
        if _skip_decorator(deco):
            yield deco.node, bool(_reason(deco.call, "reason"))
    for test in module.tests:
        found = _first_statement_skip(test.fn, module)
        if found is not None:
            yield found


@rule(
    "skipped-test",
    severity="warning",
    scope="module",
    message="test is skipped unconditionally with no reason: it never runs and nobody knows why; "
    "fix and re-enable it, or give a reason",
    aliases=("ignored-test",),
)
def skipped_test(module: ModuleFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: an unconditional skip: `@pytest.mark.skip`, `@unittest.skip`, a
    `pytestmark = pytest.mark.skip`, or `pytest.skip()` / `self.skipTest()` / `raise SkipTest` as
    the first statement of a test. Without a reason it is a warning; with one, a note. Conditional
    skips (`skipif`, `skipUnless`, `importorskip`, a skip under an `if`) are not flagged.

    Why it matters: a skipped test is a check that silently stopped running; without a reason no
    one can tell when it may come back, so it rots.

    Use instead: fix the test and remove the skip; if it must wait, give a reason that names the
    issue, or use `skipif` with the real condition.
    """
    if "skip" not in module.source and "Skip" not in module.source:
        return
    for node, has_reason in _skips(module):
        if has_reason:
            yield hit(
                node,
                "test is skipped unconditionally: it never runs; fix and re-enable it, use "
                "skipif for a real condition, or delete it",
                severity="info",
            )
        else:
            yield hit(node)


def _xfail_marks(module: ModuleFacts) -> Iterator[ast.expr]:
    for deco in _all_decorators(module):
        if deco.name.endswith("mark.xfail"):
            yield deco.node
        if deco.name.endswith("parametrize") and deco.call is not None:
            for param in ast.walk(deco.call):
                if (
                    isinstance(param, ast.Call)
                    and param.keywords
                    and dotted_name(param.func).endswith("param")
                ):
                    for kw in param.keywords:
                        if kw.arg == "marks":
                            marks = (
                                kw.value.elts if isinstance(kw.value, ast.List | ast.Tuple) else [kw.value]
                            )
                            yield from (m for m in marks if dotted_name(m).endswith("mark.xfail"))


@rule(
    "non-strict-xfail",
    severity="info",
    scope="module",
    message="xfail without strict=True: if the test starts passing nobody notices; add strict=True "
    "or set xfail_strict = true in the pytest config",
    fix="add strict=True",
)
def non_strict_xfail(module: ModuleFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: an `xfail` mark (on a test, a class, `pytestmark` or a `pytest.param`) that
    does not set `strict`, while the project's pytest config does not set `xfail_strict = true`.
    Marks that set `strict=False` on purpose, or `run=False`, are left alone.

    Why it matters: a non-strict xfail turns an unexpected pass into a quiet XPASS, so a fixed bug
    keeps its stale xfail and a later regression of the same behaviour goes unnoticed.

    Use instead: `xfail_strict = true` under `[tool.pytest.ini_options]`, or `strict=True` on the
    mark.
    """
    if ctx.config.xfail_strict or "xfail" not in module.source:
        return
    for mark in _xfail_marks(module):
        call = mark if isinstance(mark, ast.Call) else None
        keywords = {k.arg: k.value for k in call.keywords} if call else {}
        run = keywords.get("run")
        if "strict" in keywords or (isinstance(run, ast.Constant) and run.value is False):
            continue
        yield hit(mark)


def _retry_name(deco: Decorator) -> bool:
    last = deco.name.rsplit(".", 1)[-1]
    return last in RETRY_DECORATORS or deco.name == "backoff.on_exception"


@rule(
    "retry-masks-flakiness",
    severity="warning",
    scope="module",
    message="test is retried on failure: a flaky failure is hidden instead of fixed; find and remove "
    "the source of non-determinism",
    aliases=("flaky-test",),
)
def retry_masks_flakiness(module: ModuleFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a test, test class or `pytestmark` decorated to rerun on failure:
    `@pytest.mark.flaky(...)` (pytest-rerunfailures), `@flaky` (flaky), `@retry` (tenacity,
    retrying), `@backoff.on_exception`.

    Why it matters: the rerun turns an intermittent failure into a pass, so a real race or order
    dependency, in the test or in the product, stays hidden and the suite gets slower.

    Use instead: find the non-determinism (sleeps, clocks, shared state, network) and remove it; if a
    retry is truly needed, keep it on the one unstable call, not on the test.
    """
    source = module.source
    if "flaky" not in source and "retry" not in source and "backoff" not in source:
        return
    for deco in _all_decorators(module):
        if _retry_name(deco):
            yield hit(
                deco.node,
                f"`@{deco.name}` reruns the test on failure: a flaky failure is hidden "
                "instead of fixed; remove the source of non-determinism",
            )


# --------------------------------------------------------------------------- shape of one test


def _code_lines(fn: FunctionFacts, module: ModuleFacts) -> int:
    body = without_docstring(fn.body)
    if not body:
        return 0
    end = fn.node.end_lineno or body[-1].lineno
    lines = (module.line_text(n).strip() for n in range(body[0].lineno, end + 1))
    return sum(1 for text in lines if text and not text.startswith("#"))


@rule(
    "verbose-test",
    severity="info",
    scope="test",
    message="test is long: split it into focused tests or move setup into fixtures and helpers",
    enabled=False,
    thresholds={"max-lines": 50},
)
def verbose_test(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a test whose body has more code lines (blank and comment lines aside, the
    docstring excluded) than the `max-lines` threshold, 50 by default. Off by default.

    Why it matters: a long test checks many things at once; when it fails, the report says little
    about which behaviour broke, and readers must trace the whole body.

    Use instead: split it into tests of one behaviour each; move arrangement into fixtures or
    builder helpers.
    """
    lines = _code_lines(test.fn, ctx.module)
    limit = ctx.threshold("max-lines")
    if lines > limit:
        yield hit(
            test.fn.node,
            f"test has {lines} lines of code (limit {limit:g}): split it or move setup into fixtures",
        )


@rule(
    "obscure-inline-setup",
    severity="info",
    scope="test",
    message="test builds many locals before it checks anything: move the setup into fixtures or helpers",
    enabled=False,
    thresholds={"max-locals": 10},
)
def obscure_inline_setup(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a test that assigns more distinct local names than the `max-locals` threshold
    (10 by default, PyNose's value). Off by default.

    Why it matters: a wall of inline setup hides which inputs matter for the behaviour under test,
    and the same setup gets copied from test to test.

    Use instead: move the arrangement into a fixture, a factory or a builder helper, and keep in the
    test only the values the check is about.
    """
    count = len(test.fn.assigned)
    limit = ctx.threshold("max-locals")
    if count > limit:
        yield hit(
            test.fn.node,
            f"test assigns {count} local names (limit {limit:g}): move the setup into fixtures or helpers",
        )


def _is_guard(node: ast.If, module: ModuleFacts) -> bool:
    """`if cond: pytest.skip(...)` / `return`: a guard, not test logic."""
    if node.orelse or len(node.body) != 1:
        return False
    stmt = node.body[0]
    if isinstance(stmt, ast.Return | ast.Continue | ast.Break):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        return resolve(dotted_name(stmt.value.func), module.imports) in SKIP_STATEMENT_CALLS
    return isinstance(stmt, ast.Raise) and dotted_name(stmt.exc or stmt).endswith("SkipTest")


def _logic(fn: FunctionFacts, module: ModuleFacts) -> list[ast.AST]:
    """Branches and loops that hold a check; ones that only build data are left alone."""
    lines = [getattr(c.node, "lineno", 0) for c in fn.checks]
    found: list[ast.AST] = []
    for node in fn.control:
        if not isinstance(node, ast.If | ast.While | ast.Match | ast.For | ast.AsyncFor):
            continue
        if isinstance(node, ast.If) and _is_guard(node, module):
            continue
        if any(node.lineno <= line <= (node.end_lineno or node.lineno) for line in lines):
            found.append(node)
    return found


@rule(
    "conditional-test-logic",
    severity="info",
    scope="test",
    message="test branches or loops around its checks: which path runs decides what is checked; "
    "split the cases or parametrize",
    enabled=False,
)
def conditional_test_logic(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `if`, `while`, `match` and `for` statements in a test that contain checks.
    Branches and loops that only build data, and `if ...: pytest.skip()` style guards, are left
    alone.
    Reported once per test, at the first such statement. Off by default.

    Why it matters: the checks that run depend on data at run time, so a test can pass while
    checking less than it seems, and a failure in a loop does not say which case broke.

    Use instead: one test per path, or `@pytest.mark.parametrize` over the cases the loop walks.
    """
    found = _logic(test.fn, ctx.module)
    if found:
        first = min(found, key=lambda n: getattr(n, "lineno", 0))
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        yield hit(first, f"test logic branches or loops around checks{more}: split the cases or parametrize")


# --------------------------------------------------------------------------- duplicate-test-code


def _normalise(node: ast.AST, out: list[str], constants: list[object]) -> None:
    if isinstance(node, ast.Constant):
        out.append("K")
        constants.append(node.value)
        return
    out.append(type(node).__name__)
    for name, value in ast.iter_fields(node):
        if name in {"ctx", "type_comment", "kind"}:
            continue
        if isinstance(value, ast.AST):
            _normalise(value, out, constants)
        elif isinstance(value, list):
            out.append("[")
            for item in value:
                if isinstance(item, ast.AST):
                    _normalise(item, out, constants)
                else:
                    out.append(repr(item))
            out.append("]")
        else:
            out.append(repr(value))


def _cheap_shape(test: TestFacts) -> tuple[object, ...]:
    """Tests that differ here cannot share a structure: only groups of two or more are normalised."""
    fn = test.fn
    body = without_docstring(fn.body)
    kinds = tuple(type(s).__name__ for s in body)
    return (id(test.cls.node) if test.cls else 0, kinds, tuple(fn.params), len(fn.calls), len(fn.checks))


def _structure_key(test: TestFacts) -> tuple[str, list[object]] | None:
    """The body with every constant replaced by a placeholder, and the constants in order."""
    out: list[str] = [repr(test.fn.params), str(test.fn.is_async)]
    constants: list[object] = []
    try:
        for stmt in without_docstring(test.fn.body):
            _normalise(stmt, out, constants)
    except RecursionError:
        return None
    return " ".join(out), constants


def _difference(
    a: TestFacts, a_constants: list[object], b: TestFacts, b_constants: list[object]
) -> str | None:
    """How two same-structure tests differ, or None when a parametrize table is not the answer."""
    differing = [
        (x, y) for x, y in zip(a_constants, b_constants, strict=True) if x != y or type(x) is not type(y)
    ]
    if any(isinstance(v, str) and "\n" in v for pair in differing for v in pair):
        return None  # embedded programs or documents: each test is its own scenario
    if differing:
        return "differing only in constants: merge them with parametrize"
    same_decorators = [ast.dump(d.node) for d in a.fn.decorators] == [
        ast.dump(d.node) for d in b.fn.decorators
    ]
    if not same_decorators:
        return None
    return "with an identical body: a copy-paste that lost its difference; fix it or delete the copy"


@rule(
    "duplicate-test-code",
    severity="info",
    scope="module",
    message="test has the same structure as another test, differing only in constants: merge them "
    "with @pytest.mark.parametrize",
    thresholds={"min-statements": 3},
    aliases=("similar-tests", "mergeable-tests"),
)
def duplicate_test_code(module: ModuleFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a test whose body has the same structure as an earlier test in the same
    module and class (same statements, calls, names and parameters) and differs only in its
    constants, when the body has at least `min-statements` statements (3 by default). Reported on
    the later test, naming the first.

    Why it matters: copies of one test drift apart as they are edited one by one, and each new case
    means another copy; the shared shape is a table of cases waiting to be written as one.

    Use instead: one test with `@pytest.mark.parametrize` over the differing values (or a
    `subTest` loop in unittest).
    """
    minimum = ctx.threshold("min-statements")
    groups: dict[tuple[object, ...], list[TestFacts]] = {}
    for test in module.tests:
        if len(without_docstring(test.fn.body)) >= minimum and not test.fn.decorator("given"):
            groups.setdefault(_cheap_shape(test), []).append(test)
    first: dict[tuple[tuple[object, ...], str], tuple[TestFacts, list[object]]] = {}
    for shape, tests in groups.items():
        for test in tests if len(tests) > 1 else ():
            found = _structure_key(test)
            if found is None:
                continue
            key, constants = found
            earlier, earlier_constants = first.setdefault((shape, key), (test, constants))
            if earlier is test or earlier.name == test.name:
                continue
            how = _difference(earlier, earlier_constants, test, constants)
            if how is not None:
                yield hit(
                    test.fn.node,
                    f"`{test.name}` has the same structure as `{earlier.name}` (line {earlier.line}), {how}",
                    severity="warning" if how.startswith("with an identical") else None,
                )
