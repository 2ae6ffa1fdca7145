"""Flakiness family: tests whose outcome depends on time, chance, the outside world or each other."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import PurePosixPath

from jobs.engine.facts import CallFact, Decorator, FixtureFacts, FunctionFacts, ModuleFacts, TestFacts
from jobs.engine.parse import dotted_name, resolve, string_value
from jobs.rules._util import delete_line, is_pure, statement_blocks
from jobs.rules.registry import Hit, RuleContext, hit, rule

SLEEPS = frozenset({"time.sleep", "asyncio.sleep", "trio.sleep", "anyio.sleep", "gevent.sleep"})
CLOCKS = frozenset(
    {
        "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today",
        "time.time", "time.time_ns", "django.utils.timezone.now", "pendulum.now", "pendulum.today",
        "arrow.now", "arrow.utcnow",
    }
)  # fmt: skip
UUIDS = frozenset({"uuid.uuid1", "uuid.uuid4"})
EQUALITY_OPS = (ast.Eq, ast.NotEq, ast.In, ast.NotIn)
RANDOM_SAFE = frozenset(
    {
        "seed", "Random", "SystemRandom", "getstate", "setstate", "default_rng", "RandomState",
        "Generator", "SeedSequence", "get_state", "set_state", "PCG64", "MT19937",
    }
)  # fmt: skip
RANDOM_SEEDS = frozenset({"random.seed", "numpy.random.seed"})
RANDOM_FACTORIES = frozenset({"random.Random", "numpy.random.default_rng", "numpy.random.RandomState"})
CLOCK_FIXTURES = frozenset(
    {"freezer", "time_machine", "frozen_time", "freeze_time", "mock_time", "fake_time"}
)
CLOCK_CONTROL = ("freeze_time", "travel", "freezegun", "time_machine", "libfaketime")
HTTP_MOCK_FIXTURES = frozenset(
    {
        "responses", "mocked_responses", "respx_mock", "httpx_mock", "requests_mock", "httpserver",
        "httpretty", "aioresponses", "vcr", "vcr_cassette", "mock_requests", "fake_server",
    }
)  # fmt: skip
HTTP_MOCK_NAMES = (
    "responses", "respx", "httpretty", "vcr", "requests_mock", "aioresponses", "pytest_httpserver",
    "mark.vcr", "mark.default_cassette", "betamax", "HTTMock", "httmock",
)  # fmt: skip
HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
URL_FUNCTIONS = frozenset({"urllib.request.urlopen", "urllib.urlopen", "urllib2.urlopen"})
LOOPBACK = re.compile(
    r"^https?://(?:[^@/]*@)?(?:localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0|[^/:]*\.localhost|testserver"
    r"|[^/:]*\.(?:test|invalid|example|local))(?::\d+)?(?:[/?#]|$)",
    re.IGNORECASE,
)
IO_METHODS = frozenset(
    {
        "open", "read_text", "read_bytes", "write_text", "write_bytes", "iterdir", "glob", "rglob", "stat",
        "touch", "mkdir", "unlink", "rmdir", "exists", "is_file", "is_dir",
    }
)  # fmt: skip
ABSOLUTE = re.compile(r"^(?:/|[A-Za-z]:[\\/]|\\\\)")
SUBPROCESS_CALLS = frozenset(
    {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output"}
)
RESTORING_CALLS = (".addCleanup", ".addfinalizer", ".undo", ".restore")
TEARDOWNS = frozenset({"tearDown", "teardown_method", "tearDownClass", "teardown_class"})
SNAPSHOT_FIXTURES = frozenset({"pytester", "testdir"})  # they restore cwd, sys.path and sys.modules
PATCHERS = ("patch", "patch.object", "patch.dict", "patch.multiple", "setattr", "setitem", "delattr")


# --------------------------------------------------------------------------- shared helpers


def _is_patcher(name: str) -> bool:
    return any(name == p or name.endswith("." + p) for p in PATCHERS)


def _patch_strings(fn: FunctionFacts, extra: list[Decorator]) -> list[str]:
    """String arguments of patch-like decorators and calls: the targets a test replaces."""
    nodes: list[ast.Call] = [
        d.call for d in [*fn.decorators, *extra] if d.call is not None and _is_patcher(d.name)
    ]
    nodes += [c.node for c in fn.calls if _is_patcher(c.name)]
    return [v for call in nodes for a in call.args if (v := string_value(a)) is not None]


def _scope_decorators(test: TestFacts, module: ModuleFacts) -> list[Decorator]:
    return [*module.module_marks, *(test.cls.decorators if test.cls else [])]


@cache
def _folder(path: str) -> PurePosixPath:
    return PurePosixPath(path.replace("\\", "/")).parent


def _fixtures_in_play(test: TestFacts, ctx: RuleContext) -> list[FixtureFacts]:
    """Fixtures that may run for this test: the requested and autouse fixtures of its own module and
    of the conftest.py files above it (names are not followed further through fixture chains)."""
    params = set(test.fn.params)
    here = _folder(ctx.module.path)
    found: list[FixtureFacts] = []
    for module in ctx.batch.modules:
        if module is not ctx.module:
            folder = _folder(module.path)
            if not module.is_conftest or (folder != here and folder not in here.parents):
                continue
        found += [f for f in module.fixtures if f.autouse or f.name in params]
    return found


def _any_patch(test: TestFacts, ctx: RuleContext, predicate: re.Pattern[str]) -> bool:
    """The test, its class, its module marks or a fixture in play patch a target matching `predicate`."""
    targets = _patch_strings(test.fn, _scope_decorators(test, ctx.module))
    for fixture in _fixtures_in_play(test, ctx):
        targets += _patch_strings(fixture.fn, [])
    return any(predicate.search(t) for t in targets)


def _uses(fn: FunctionFacts, decorators: list[Decorator], names: tuple[str, ...]) -> bool:
    """A decorator, with-item or call whose dotted name contains one of `names` as a part."""
    dotted = [d.name for d in [*fn.decorators, *decorators]] + [c.name for c in fn.calls]
    return any(n in name.split(".") or name.endswith("." + n) for name in dotted for n in names)


# --------------------------------------------------------------------------- sleepy-test


SLEEP_PATCH = re.compile(r"(^|\.)sleep$")


def _sleeps(fn: FunctionFacts) -> Iterator[CallFact]:
    for call in fn.calls:
        if call.name not in SLEEPS:
            continue
        args = call.node.args or [
            k.value for k in call.node.keywords if k.arg in {"secs", "seconds", "delay"}
        ]
        if args and isinstance(args[0], ast.Constant) and args[0].value in (0, 0.0):
            continue
        yield call


@rule(
    "sleepy-test",
    severity="warning",
    scope="test",
    message="test sleeps for a fixed time: it is slow and flaky; wait for the condition or control the clock",
    aliases=("timing-dependency",),
)
def sleepy_test(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a call in a test body to `time.sleep`, `asyncio.sleep`, `trio.sleep`,
    `anyio.sleep` or `gevent.sleep` with a non-zero delay. `sleep(0)` (a yield to the event loop),
    sleeps inside helper functions defined in the test, and tests where `sleep` itself is patched
    (a `mock.patch("time.sleep")` target is not a sleep) are left alone.

    Why it matters: a fixed sleep is a guess: too short and the test fails on a slow CI machine, too
    long and the whole suite pays for it on every run.

    Use instead: wait for the condition with a timeout (poll, an Event, a future), or control time
    with freezegun / time-machine / a fake clock.
    """
    found = list(_sleeps(test.fn))
    if not found or _any_patch(test, ctx, SLEEP_PATCH):
        return
    for call in found:
        yield hit(call.node, f"`{call.name}` with a fixed delay: wait for the condition or control the clock")


# --------------------------------------------------------------------------- nondeterministic-input


CLOCK_PATCH = re.compile(r"(^|\.)(time|datetime|date|now|utcnow|today|timezone|uuid\w*)$")


def _clock_controlled(test: TestFacts, ctx: RuleContext) -> bool:
    fn = test.fn
    if set(fn.params) & CLOCK_FIXTURES or _uses(fn, _scope_decorators(test, ctx.module), CLOCK_CONTROL):
        return True
    if any(_uses(f.fn, [], CLOCK_CONTROL) for f in _fixtures_in_play(test, ctx)):
        return True
    return _any_patch(test, ctx, CLOCK_PATCH)


def _is_unseeded_random(call: CallFact) -> bool:
    name = call.name
    head, _, last = name.rpartition(".")
    if name in RANDOM_FACTORIES:
        return not call.node.args and not call.node.keywords
    return head in {"random", "numpy.random"} and last not in RANDOM_SAFE


def _module_seeds(module: ModuleFacts) -> bool:
    functions: list[FunctionFacts] = [t.fn for t in module.tests] + [f.fn for f in module.fixtures]
    functions += list(module.helpers.values()) + [m for c in module.classes for m in c.methods.values()]
    if any(c.name in RANDOM_SEEDS for f in functions for c in f.calls):
        return True
    calls = [s.value for s in module.tree.body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)]
    return any(resolve(dotted_name(c.func), module.imports) in RANDOM_SEEDS for c in calls)


def _random_calls(test: TestFacts, ctx: RuleContext, candidates: list[CallFact]) -> list[CallFact]:
    fn = test.fn
    found = [c for c in candidates if _is_unseeded_random(c)]
    if not found or fn.decorator("given") or any(c.name in RANDOM_SEEDS for c in fn.calls):
        return []
    if any(c.name in RANDOM_SEEDS for f in _fixtures_in_play(test, ctx) for c in f.fn.calls):
        return []
    return [] if _module_seeds(ctx.module) else found


@rule(
    "nondeterministic-input",
    severity="warning",
    scope="test",
    message="test depends on an uncontrolled clock or random source: pin the value (freeze the clock, "
    "seed the generator)",
)
def nondeterministic_input(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: the wall clock (`datetime.now()`, `utcnow()`, `date.today()`, `time.time()`)
    or a fresh `uuid1()`/`uuid4()` compared for equality (`==`, `!=`, `in`) inside an `assert`
    (a clock read as a bound or inside a tolerance is fine), and calls to the global `random` (or
    legacy `numpy.random`) functions in a test when neither the test, a fixture it uses nor its
    module seeds them. Monotonic clocks (`monotonic`, `perf_counter`) measure and are fine; tests
    under freezegun / time-machine (decorator, context manager or fixture) or that patch the clock
    are left alone, and so are hypothesis `@given` tests.

    Why it matters: a clock compared for equality changes from run to run, so the test fails at a
    second boundary or at midnight (a warning). Random input is a note: the test only fails for an
    unlucky draw, and then the failure does not reproduce.

    Use instead: freeze the clock (`freezegun`, `time-machine`) or pass the time in; seed a local
    generator (`random.Random(1234)`) or use fixed data.
    """
    fn = test.fn
    clocks: list[CallFact] = []
    randoms: list[CallFact] = []
    for call in fn.calls:
        if call.in_assert and (call.name in CLOCKS or call.name in UUIDS):
            clocks.append(call)
        elif call.name.startswith(("random.", "numpy.random.")):
            randoms.append(call)
    if clocks and (compared := _equality_operands(fn)) and not _clock_controlled(test, ctx):
        for call in clocks:
            if id(call.node) in compared:
                yield hit(
                    call.node,
                    f"`{call.name}()` compared for equality in an assert: the expected value changes "
                    "from run to run; freeze the clock or compare against a value you control",
                )
    for call in _random_calls(test, ctx, randoms) if randoms else ():
        yield hit(
            call.node,
            f"unseeded `{call.name}` in a test: the input differs on every run, so a failure will "
            "not reproduce; seed a local generator (`random.Random(1234)`) or use fixed data",
            severity="info",
        )


def _equality_operands(fn: FunctionFacts) -> set[int]:
    """Ids of the nodes inside operands of `==`, `!=` and `in` in asserts. A clock read as a bound
    (`start <= stamp < now()`) or inside a tolerance (`abs(t - time()) < 1`) is not flaky."""
    found: set[int] = set()
    for node in fn.asserts:
        for compare in ast.walk(node.test):
            if isinstance(compare, ast.Compare) and all(isinstance(op, EQUALITY_OPS) for op in compare.ops):
                found.update(id(n) for side in [compare.left, *compare.comparators] for n in ast.walk(side))
    return found


# --------------------------------------------------------------------------- mystery-guest


def _absolute_literal(node: ast.expr | None) -> str | None:
    value = string_value(node)
    if value is None or not ABSOLUTE.match(value) or value.startswith("/dev/"):
        return None
    return value


def _file_guest(call: CallFact) -> str | None:
    node = call.node
    if call.name in {"open", "io.open", "codecs.open"} and node.args:
        return _absolute_literal(node.args[0])
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in IO_METHODS and isinstance(func.value, ast.Call):
        inner = func.value
        if dotted_name(inner.func).rsplit(".", 1)[-1] in {"Path", "PosixPath", "WindowsPath"} and inner.args:
            return _absolute_literal(inner.args[0])
    return None


def _url_guest(call: CallFact) -> str | None:
    if not call.name.startswith(("requests.", "httpx.", "urllib")):
        return None
    node = call.node
    head, _, verb = call.name.rpartition(".")
    if not ((head in {"requests", "httpx"} and verb in HTTP_VERBS) or call.name in URL_FUNCTIONS):
        return None
    if any(k.arg in {"transport", "app"} for k in node.keywords):
        return None
    index = 1 if verb == "request" else 0
    url_node = (
        node.args[index]
        if len(node.args) > index
        else next((k.value for k in node.keywords if k.arg == "url"), None)
    )
    url = string_value(url_node)
    if url is None or not url.lower().startswith(("http://", "https://")) or LOOPBACK.match(url):
        return None
    return url


def _http_mocked(test: TestFacts, ctx: RuleContext) -> bool:
    fn = test.fn
    if set(fn.params) & HTTP_MOCK_FIXTURES:
        return True
    if _uses(fn, _scope_decorators(test, ctx.module), HTTP_MOCK_NAMES):
        return True
    return _any_patch(
        test, ctx, re.compile(r"^(requests|httpx|urllib)|\.(get|post|urlopen|request|session)$")
    )


@rule(
    "mystery-guest",
    severity="warning",
    scope="test",
    message="test depends on an external resource it does not create: provide it in the test "
    "(tmp_path, a fixture file, a mocked HTTP server)",
)
def mystery_guest(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `open()` or `Path(...).read_text()`-style I/O on an absolute literal path
    (outside `/dev/`), and `requests`/`httpx`/`urlopen` calls to a literal http(s) URL that is not a
    loopback or reserved test host. Tests that mock HTTP (responses, respx, httpretty, vcr,
    pytest-httpserver, requests-mock, a `mock.patch` of the client) are left alone; so is `Path(...)`
    used as a value without I/O.

    Why it matters: the test passes only on machines that have that file or can reach that host,
    and fails for reasons that have nothing to do with the code under test.

    Use instead: write the file under `tmp_path` or ship it next to the tests
    (`Path(__file__).parent / "data"`); mock HTTP with responses/respx or serve it from
    pytest-httpserver.
    """
    fn = test.fn
    for call in fn.calls:
        path = _file_guest(call)
        if path is not None:
            yield hit(
                call.node,
                f"test reads the absolute path {path!r}: it exists only on some machines; "
                "use tmp_path or a file shipped with the tests",
            )
    urls = [(c, u) for c in fn.calls if (u := _url_guest(c)) is not None]
    if urls and not _http_mocked(test, ctx):
        for call, url in urls:
            yield hit(
                call.node,
                f"test calls the real network ({url}): mock it (responses, respx) or serve "
                "it locally (pytest-httpserver)",
            )


# --------------------------------------------------------------------------- shared-state-leak


def _subscript_of(node: ast.AST, module: ModuleFacts) -> str:
    if isinstance(node, ast.Subscript):
        return resolve(dotted_name(node.value), module.imports)
    return ""


STATE_CALLS = {
    "os.environ.update": ("os.environ", False),
    "os.environ.setdefault": ("os.environ", False),
    "os.putenv": ("os.environ", False),
    "os.environ.pop": ("os.environ", True),
    "os.environ.clear": ("os.environ", True),
    "os.unsetenv": ("os.environ", True),
    "sys.path.insert": ("sys.path", False),
    "sys.path.append": ("sys.path", False),
    "sys.path.extend": ("sys.path", False),
    "sys.path.remove": ("sys.path", True),
    "sys.path.pop": ("sys.path", True),
    "sys.modules.update": ("sys.modules", False),
    "sys.modules.pop": ("sys.modules", True),
    "os.chdir": ("os.chdir", True),
}


def _state_writes(fn: FunctionFacts, module: ModuleFacts) -> Iterator[tuple[ast.AST, str, bool]]:
    """(node, kind, may undo an earlier write) for every write to process-wide state in the test."""
    for call in fn.calls:
        if call.name in STATE_CALLS:
            yield call.node, *STATE_CALLS[call.name]
    if not ({"os", "environ", "sys", "modules"} & set(fn.loads)):
        return
    for node in _write_statements(fn):
        targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]  # type: ignore[attr-defined]
        for target in targets:
            kind = _subscript_of(target, module)
            if kind in {"os.environ", "sys.modules"}:
                yield node, kind, isinstance(node, ast.Delete)


def _write_statements(fn: FunctionFacts) -> Iterator[ast.stmt]:
    for block in statement_blocks(fn):
        for stmt in block:
            if isinstance(stmt, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
                yield stmt


def _global_writes(fn: FunctionFacts) -> Iterator[tuple[ast.AST, str, bool]]:
    for declared in fn.globals_declared:
        for name in declared.names:
            for index, node in enumerate(fn.stores.get(name, ())):
                yield node, f"global {name}", index > 0


def _restoring_text(test: TestFacts, ctx: RuleContext) -> str:
    """Source of every place that may undo a write: the test's finally blocks, the class teardown
    and the fixtures in play (a fixture that touches the same state saves and restores it)."""
    fn = test.fn
    texts = [ast.unparse(stmt) for t in fn.trys for stmt in t.finalbody]
    methods = test.cls.methods.values() if test.cls else ()
    texts += [ast.unparse(m.node) for m in methods if m.name in TEARDOWNS]
    texts += [ast.unparse(f.fn.node) for f in _fixtures_in_play(test, ctx)]
    if SNAPSHOT_FIXTURES & set(fn.params):
        texts.append("os.chdir sys.path sys.modules")
    return "\n".join(texts)


def _line(node: ast.AST) -> int:
    return getattr(node, "lineno", 0)


def _restored(kind: str, text: str) -> bool:
    if kind.startswith("global "):
        return re.search(rf"\b{re.escape(kind[7:])}\s*=", text) is not None
    key = {
        "os.environ": "environ",
        "sys.path": "sys.path",
        "sys.modules": "sys.modules",
        "os.chdir": "chdir",
    }[kind]
    return key in text


@rule(
    "shared-state-leak",
    severity="warning",
    scope="test",
    message="test changes process-wide state and does not restore it: later tests see the change; "
    "use monkeypatch (setenv, syspath_prepend, chdir, setitem) instead",
    aliases=("global-state",),
)
def shared_state_leak(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a test that writes `os.environ[...]` (or calls `os.environ.update/pop`,
    `os.putenv`, `del os.environ[...]`), assigns a `global`, changes `sys.path` or `sys.modules`, or
    calls `os.chdir`, without undoing it in a `finally` block of the test or in the class's
    tearDown. Tests that use `monkeypatch`, `mock.patch.dict` or register cleanups
    (`addCleanup`, `addfinalizer`) are left alone. Reported once per kind of state.

    Why it matters: the change outlives the test, so later tests pass or fail depending on which ran
    first, and under pytest-xdist or random ordering the suite flakes.

    Use instead: `monkeypatch.setenv`, `monkeypatch.syspath_prepend`, `monkeypatch.chdir`,
    `monkeypatch.setitem(sys.modules, ...)`, or `mock.patch.dict(os.environ, ...)`; they undo the
    change after the test.
    """
    fn = test.fn
    writes = sorted([*_state_writes(fn, ctx.module), *_global_writes(fn)], key=lambda w: _line(w[0]))
    if not writes or "monkeypatch" in fn.params:
        return
    names = [d.name for d in fn.decorators] + [c.name for c in fn.calls]
    if any(n.endswith(RESTORING_CALLS) or n.endswith("patch.dict") for n in names):
        return
    restoring = _restoring_text(test, ctx)
    reported: set[str] = set()
    for node, kind, removes in writes:
        if kind in reported or _restored(kind, restoring):
            continue
        reported.add(kind)
        if (not removes or kind == "os.chdir") and any(
            k == kind and undoes and _line(n) > _line(node) for n, k, undoes in writes
        ):
            continue  # undone later in the body (not on failure, but deliberately)
        yield hit(
            node,
            f"test changes {kind} and does not restore it: later tests see the change; "
            "use monkeypatch or restore it in a finally block",
        )


# --------------------------------------------------------------------------- missing-timeout


def _needs_timeout(call: CallFact) -> bool:
    name = call.name
    if name not in SUBPROCESS_CALLS and not (name.startswith("requests.") and name[9:] in HTTP_VERBS):
        return False
    return not any(k.arg == "timeout" or k.arg is None for k in call.node.keywords)


@rule(
    "missing-timeout",
    severity="info",
    scope="test",
    message="call can block forever: pass timeout= so a hang fails the test instead of stalling the run",
)
def missing_timeout(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: `subprocess.run/call/check_call/check_output` and `requests.get/post/...`
    called in a test without `timeout=` (or `**kwargs` that may carry one). Calls the test patches
    or that go to a mocked HTTP layer are left alone.

    Why it matters: a child process that waits for input or a server that never answers stalls the
    whole CI job until its global timeout, with no hint which test hung.

    Use instead: `subprocess.run([...], timeout=60)`, `requests.get(url, timeout=10)`.
    """
    fn = test.fn
    found = [c for c in fn.calls if _needs_timeout(c)]
    if not found:
        return
    patched = re.compile(r"^(subprocess|requests)\b|\.(run|call|check_call|check_output|get|post)$")
    if _any_patch(test, ctx, patched):
        return
    http_mocked = _http_mocked(test, ctx)
    for call in found:
        if call.name.startswith("requests.") and http_mocked:
            continue
        yield hit(call.node, f"`{call.name}` without timeout=: a hang stalls the run; pass timeout=")


# --------------------------------------------------------------------------- redundant-print


@rule(
    "redundant-print",
    severity="info",
    scope="test",
    message="print() in a test: nobody reads it on success; assert on the value, or log it",
    enabled=False,
    fix="delete the print",
    aliases=("print-statement",),
)
def redundant_print(test: TestFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a call to the builtin `print` in a test, except `print(..., file=...)` (output
    that is part of the test), a print inside `pytest.raises` (there it is the act that raises) and
    tests that capture output (`capsys`, `capfd`). Off by default.

    Why it matters: pytest swallows the output of passing tests, so the print is debugging residue;
    what it shows should usually be an assertion.

    Use instead: assert on the value; for diagnostics use logging (shown on failure) or an assert
    message.
    """
    fn = test.fn
    if {"capsys", "capfd", "capsysbinary", "capfdbinary"} & set(fn.params):
        return
    prints = [
        c
        for c in fn.calls
        if c.name == "print" and not c.in_raises_block and not any(k.arg == "file" for k in c.node.keywords)
    ]
    statements = {id(s.value): s for s in fn.body if isinstance(s, ast.Expr)} if prints else {}
    for call in prints:
        stmt = statements.get(id(call.node))
        fix = None
        one_line = stmt is not None and len(fn.body) > 1 and stmt.lineno == stmt.end_lineno
        if one_line and all(is_pure(a) for a in call.node.args):  # deleting it drops no side effect
            fix = delete_line("delete the print")
        yield hit(call.node, suggestion=fix)
