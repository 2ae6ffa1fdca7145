"""Property-based tests: the parser and every rule survive any input (issue 6, input hardening).

Whatever a client sends, the static half of an analysis must answer: arbitrary text, generated
test modules built from test-ish snippets, nesting near and beyond Python's own limits, huge
literals and odd bytes. A file that does not parse becomes exactly one `syntax-error` or
`unreadable-file` issue; any other exception escaping the engine is a bug. Examples are bounded
and derandomized so CI is reproducible; every crash found so far is pinned with `@example`.
"""

from __future__ import annotations

import ast
import codecs
import re
import threading
from collections.abc import Callable, Sequence

import msgspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jobs.contracts import SEVERITIES, FileInput, QualityIssue
from jobs.engine.config import EngineConfig
from jobs.engine.facts import BatchFacts
from jobs.engine.parse import LONG_INT_ERROR, decode_source
from jobs.engine.run import analyze_sources
from jobs.pipeline import analyze_static
from jobs.rules import REGISTRY

EVERY_RULE = EngineConfig(select=frozenset({"ALL"}))
UNPARSED_CODES = frozenset({"syntax-error", "unreadable-file"})
KNOWN_CODES = frozenset(REGISTRY) | UNPARSED_CODES
NEEDS_TEXT = frozenset({"replace", "insert"})
PY_NEWLINE = re.compile(r"\r\n|\r|\n")  # what Python counts as a line break, unlike str.splitlines
HUGE_HEX = "0x" + "f" * 3600  # parses, but has more than 4,300 decimal digits: repr() raises ValueError
LONG_HEX = "0x" + "f" * 400  # long, yet printable


def fuzz(examples: int) -> Callable:
    """Bounded, reproducible hypothesis settings; no example database is written to the tree."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


def python_lines(source: str) -> list[str]:
    lines = PY_NEWLINE.split(source)
    return lines[:-1] if lines and lines[-1] == "" else lines


def check_issues(files: Sequence[tuple[str, str]], batch: BatchFacts, issues: list[QualityIssue]) -> None:
    """The invariants every analysis keeps, whatever its input."""
    sources = dict(files)
    line_counts = {path: len(python_lines(source)) for path, source in files}
    for issue in issues:
        assert issue.code in KNOWN_CODES, issue
        assert issue.severity in SEVERITIES, issue
        assert issue.message, issue
        assert issue.file_path in sources, issue
        assert 1 <= issue.line <= line_counts[issue.file_path] + 1, issue
        assert issue.column >= 0, issue
        if issue.suggestion is not None and issue.suggestion.type in NEEDS_TEXT:
            assert issue.suggestion.new_text is not None, issue
    for unparsed in batch.unparsed:
        mine = [i for i in issues if i.file_path == unparsed.path]
        assert len(mine) == 1, mine
        assert mine[0].code in UNPARSED_CODES, mine
    for module in batch.modules:
        assert not any(i.code == "syntax-error" for i in issues if i.file_path == module.path)
    msgspec.json.encode(issues)  # what the API sends back must serialise


def analyse(*sources: str) -> tuple[BatchFacts, list[QualityIssue]]:
    files = [(f"tests/test_f{n}.py", source) for n, source in enumerate(sources)]
    batch, issues = analyze_sources(files, EVERY_RULE)
    check_issues(files, batch, issues)
    return batch, issues


# --------------------------------------------------------------------------- a grammar of test modules

NAMES = st.sampled_from(
    ["x", "y", "value", "result", "data", "items", "client", "response", "mock_db", "tmp_path", "counter"]
)
SECRETS = st.sampled_from(
    [
        "AKIAIOSFODNN7EXAMPLE",
        "sk-live-0123456789abcdef0123456789abcdef",
        "ghp_" + "a1" * 18,
        "hunter2",
        "-----BEGIN RSA PRIVATE KEY-----",
        "xoxb-1234-5678-abcdef",
        "postgres://admin:s3cr3t@db.internal/prod",
        "eyJhbGciOiJIUzI1NiJ9.e30.sig",
        "/etc/passwd",
        "C:\\Users\\bob\\data.csv",
        "http://example.com/api",
        "\ud800 lone surrogate",
        "line\u2028separator\x0cform feed\x85next line",
    ]
)
STRINGS = st.one_of(SECRETS, st.text(max_size=12)).map(repr)
NUMBERS = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["0.1", "1e400", "1_000", "0b101", "0o17", "0xFF", "2j", "...", LONG_HEX]),
)
ATOMS = st.one_of(
    NAMES,
    NUMBERS,
    STRINGS,
    st.sampled_from(
        [
            "None",
            "True",
            "False",
            "self.value",
            "os.environ['HOME']",
            "datetime.now()",
            "random.random()",
            "time.time()",
            "uuid.uuid4()",
            "mock_db.query",
            "open('/tmp/data.txt').read()",
            "requests.get('http://example.com')",
            "b'\\x00\\xff'",
            "exc_info.value",
            "'raw\x0c\x1c\u2028\x85 separators'",
        ]
    ),
)
BINOPS = st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "@", "|", "&", "^", "<<", "and", "or"])
CMPOPS = st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "is", "is not", "in", "not in"])
FUNCS = st.sampled_from(
    [
        "f",
        "len",
        "str",
        "repr",
        "sorted",
        "isinstance",
        "pytest.approx",
        "mock.call",
        "compute",
        "self.helper",
    ]
)
FSTRING_PARTS = st.sampled_from(
    ["{x}", "{value!r}", "{x:>10}", "{data.attr}", "{len(items)}", "{x + 1:.2f}", "text"]
)


def _call(parts: tuple[str, list[str], list[tuple[str, str]]]) -> str:
    func, args, kwargs = parts
    return f"{func}({', '.join([*args, *(f'{k}={v}' for k, v in kwargs)])})"


def _extend(inner: st.SearchStrategy[str], awaits: bool) -> st.SearchStrategy[str]:
    pair = st.tuples(inner, inner)
    return st.one_of(
        st.tuples(inner, BINOPS, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, CMPOPS, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(FUNCS, st.lists(inner, max_size=3), st.lists(st.tuples(NAMES, inner), max_size=2)).map(
            _call
        ),
        inner.map(lambda e: f"({e}).attr"),
        pair.map(lambda t: f"({t[0]})[{t[1]}]"),
        st.lists(inner, max_size=4).map(lambda xs: f"[{', '.join(xs)}]"),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: f"({', '.join(xs)},)"),
        st.lists(pair, max_size=3).map(lambda ps: "{" + ", ".join(f"{k}: {v}" for k, v in ps) + "}"),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: "{" + ", ".join(xs) + "}"),
        inner.map(lambda e: f"(lambda q, *a, **k: {e})"),
        pair.map(lambda t: f"[{t[0]} for q in {t[1]}]"),
        pair.map(lambda t: f"{{q: {t[0]} for q in {t[1]} if q}}"),
        pair.map(lambda t: f"any({t[0]} for q in {t[1]})"),
        st.lists(FSTRING_PARTS, max_size=4).map(lambda ps: f"f'{''.join(ps)}'"),
        inner.map(lambda e: f"(q := {e})"),
        inner.map(lambda e: f"(not {e})"),
        inner.map(lambda e: f"(-{e})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        inner.map(lambda e: f"[*{e}]"),
        *([inner.map(lambda e: f"(await ({e}))")] if awaits else []),
    )


def _nested(levels: int, awaits: bool) -> st.SearchStrategy[str]:
    """Expressions up to `levels` deep, built level by level (cheaper to draw than st.recursive)."""
    exprs: st.SearchStrategy[str] = ATOMS
    for _ in range(levels):
        exprs = st.one_of(ATOMS, _extend(exprs, awaits))
    return exprs


ASYNC_EXPRS = _nested(2, awaits=True)
EXPRS = _nested(2, awaits=False)
EXCEPTIONS = st.sampled_from(
    ["ValueError", "Exception", "BaseException", "(KeyError, TypeError)", "AssertionError"]
)
ASSERT_SHAPES = st.sampled_from(
    [
        "assert {a}",
        "assert {a}, {s}",
        "assert {a} == {b}",
        "assert {a} == {a}",
        "assert {a} is None",
        "assert {a} is not None",
        "assert not {a}",
        "assert ({a}, {s})",
        "assert isinstance({a}, int)",
        "assert len({a}) == {n}",
        "assert {a} in {b}",
        "assert {a} == pytest.approx({n})",
        "assert {a} and {b}",
        "assert (q := {a})",
        "assert {a}, print({s})",
        "assert {a}, {n}",
        "assert str({a}) == {s}",
        "assert {a} == {n}",
        "assert {a} > 0 or True",
        "assert {n}",
        "assert {s}",
        "assert {a} == {b}, f'got {{x}}'",
    ]
)
UNITTEST_CALLS = st.sampled_from(
    [
        "self.assertEqual({a}, {b})",
        "self.assertEqual({a}, {a})",
        "self.assertTrue({a})",
        "self.assertFalse({a}, {s})",
        "self.assertIn({a}, {b})",
        "self.assertIsNone({a})",
        "self.assertAlmostEqual({a}, {n})",
        "self.assertRaises(ValueError, {a})",
        "self.assertRegex({a}, {s})",
        "self.assert_({a})",
        "self.assertEquals({a}, {b})",
        "self.fail({s})",
    ]
)
MOCK_CALLS = st.sampled_from(
    [
        "{name}.assert_called_once_with({a})",
        "{name}.assert_called()",
        "{name}.assert_not_called()",
        "{name}.assert_called_ones()",
        "{name}.called_once_with({a})",
        "{name}.assert_has_calls([mock.call({a})])",
        "{name}.return_value = {a}",
        "{name}.side_effect = {e}",
    ]
)
SIMPLE_STATEMENTS = st.sampled_from(
    [
        "{name} = {a}",
        "{name} += {n}",
        "{name}: int = {a}",
        "{name}, y = {a}",
        "self.{name} = {a}",
        "{a}",
        "print({a})",
        "time.sleep({n})",
        "{a} == {b}",
        "random.seed({n})",
        "os.environ['TOKEN'] = {s}",
        "pytest.fail({s})",
        "pytest.skip({s})",
        "pass",
        "return {a}",
        "return",
        "global counter",
        "nonlocal_value = {a}",
        "raise {e}({s})",
        "raise",
        "del {name}",
        "# assert {name} == {n}",
        "# self.assertEqual({name}, {n})",
        "{s}",
        "{name}.append({a})",
        "requests.get({s})",
        "subprocess.run(['ls'])",
        "logging.info({s})",
        "warnings.warn({s})",
    ]
)


@st.composite
def filled(draw: st.DrawFn, templates: st.SearchStrategy[str], is_async: bool) -> str:
    """A template with its holes filled: a and b expressions, s a string, n a number."""
    template = draw(templates)
    holes = {
        "a": ASYNC_EXPRS if is_async else EXPRS,
        "s": STRINGS,
        "n": NUMBERS,
        "name": NAMES,
        "e": EXCEPTIONS,
    }
    holes["b"] = holes["a"]
    return template.format(**{k: draw(v) for k, v in holes.items() if "{" + k + "}" in template})


def indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


@st.composite
def block(draw: st.DrawFn, depth: int, is_async: bool = False, max_size: int = 4) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, max_size))):
        lines += draw(statement(depth, is_async))
    return lines


@st.composite
def statement(draw: st.DrawFn, depth: int, is_async: bool) -> list[str]:
    kind = draw(st.integers(0, 12 if depth > 0 else 3))
    expr = ASYNC_EXPRS if is_async else EXPRS
    if kind == 0:
        return [draw(filled(ASSERT_SHAPES, is_async))]
    if kind == 1:
        return [draw(filled(UNITTEST_CALLS, is_async))]
    if kind == 2:
        return [draw(filled(MOCK_CALLS, is_async))]
    if kind == 3:
        line = draw(filled(SIMPLE_STATEMENTS, is_async))
        return [line, "pass"] if line.startswith("#") else [line]  # a block needs a statement
    inner = block(depth - 1, is_async)
    body = draw(inner)
    if kind == 4:
        match = draw(st.sampled_from(["", ", match=" + draw(STRINGS)]))
        head = draw(
            st.sampled_from(
                [
                    f"with pytest.raises({draw(EXCEPTIONS)}{match}) as exc_info:",
                    f"with pytest.warns(UserWarning{match}):",
                    f"with self.assertRaises({draw(EXCEPTIONS)}) as cm:",
                    "with self.assertLogs('app', level='INFO') as logs:",
                ]
            )
        )
        return [head, *indent(body)]
    if kind == 5:
        head = draw(
            st.sampled_from(
                [
                    f"with mock.patch({draw(STRINGS)}) as {draw(NAMES)}:",
                    f"with mock.patch.object({draw(NAMES)}, 'get', return_value={draw(expr)}):",
                    "with open('/tmp/out.txt', 'w') as fh, lock:",
                    "with (open('a') as a, open('b') as b):",
                    "with responses.RequestsMock() as rsps:",
                    "with freeze_time('2020-01-01'):",
                    *(["async with client.session() as s:"] if is_async else []),
                ]
            )
        )
        return [head, *indent(body)]
    if kind == 6:
        lines = ["try:", *indent(body)]
        for _ in range(draw(st.integers(0, 2))):
            handler = draw(
                st.sampled_from(["except:", f"except {draw(EXCEPTIONS)}:", "except Exception as e:"])
            )
            lines += [handler, *indent(draw(inner))]
        if len(lines) == 1 + len(body) or draw(st.booleans()):
            lines += ["finally:", *indent(draw(inner))]
        elif draw(st.booleans()):
            lines += ["else:", *indent(draw(inner))]
        return lines
    if kind == 7:
        head = draw(
            st.sampled_from(
                [
                    f"for {draw(NAMES)} in {draw(expr)}:",
                    f"for i, {draw(NAMES)} in enumerate({draw(expr)}):",
                    f"while {draw(expr)}:",
                    "while True:",
                    *([f"async for item in {draw(expr)}:"] if is_async else []),
                ]
            )
        )
        tail = ["else:", *indent(draw(inner))] if draw(st.booleans()) else []
        return [head, *indent(body + draw(st.sampled_from([[], ["break"], ["continue"]]))), *tail]
    if kind == 8:
        lines = [f"if {draw(expr)}:", *indent(body)]
        if draw(st.booleans()):
            lines += [f"elif {draw(expr)}:", *indent(draw(inner))]
        if draw(st.booleans()):
            lines += ["else:", *indent(draw(inner))]
        return lines
    if kind == 9:
        nested_async = draw(st.booleans())
        name = draw(st.sampled_from(["helper", "check", "_assert_ok", "test_inner", "verify_result"]))
        args = draw(st.sampled_from(["", "x", "x, *args, **kwargs", "x=1, /, y=2, *, z=3", "self"]))
        head = f"{'async ' if nested_async else ''}def {name}({args}):"
        return [head, *indent(draw(block(depth - 1, nested_async)))]
    if kind == 10:
        return [
            f"class {draw(st.sampled_from(['Inner', 'TestNested', 'Fake']))}"
            f"({draw(st.sampled_from(['', 'object']))}):",
            *indent(["attr = 1", "def method(self):", *indent(body)]),
        ]
    if kind == 11:
        return [
            f"match {draw(expr)}:",
            *indent(
                ["case 1 | 2:", *indent(body), "case {'k': v}:", "    pass", "case _:", *indent(draw(inner))]
            ),
        ]
    try_star = [f"except* {draw(st.sampled_from(['ValueError', 'TypeError']))}:", *indent(draw(inner))]
    return ["try:", *indent(body), *try_star]


PARAM_NAMES = st.lists(st.sampled_from(["a", "b", "expected", "value"]), min_size=1, max_size=3, unique=True)


@st.composite
def parametrize(draw: st.DrawFn) -> tuple[str, list[str]]:
    names = draw(PARAM_NAMES)
    width = len(names) + draw(st.sampled_from([0, 0, 0, 1, -1]))
    atoms = st.one_of(NUMBERS, STRINGS, st.sampled_from(["None", "True", "[1, 2]", "(1, 'a')", "{'k': 1}"]))
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        cells = [draw(atoms) for _ in range(max(width, 1))]
        row = cells[0] if width == 1 and draw(st.booleans()) else f"({', '.join(cells)})"
        if draw(st.integers(0, 4)) == 0:
            row = f"pytest.param({', '.join(cells)}, marks=pytest.mark.xfail, id={draw(STRINGS)})"
        rows.append(row)
    rows += draw(st.sampled_from([[], [rows[0]] if rows else []]))  # a duplicated case
    argnames = draw(st.sampled_from([repr(",".join(names)), repr(", ".join(names)), repr(names)]))
    ids = draw(st.sampled_from(["", ", ids=str", ", indirect=True", ", ids=['one', 'two']"]))
    return f"@pytest.mark.parametrize({argnames}, [{', '.join(rows)}]{ids})", names


DECORATORS = st.sampled_from(
    [
        "@pytest.mark.skip",
        "@pytest.mark.skip(reason='later')",
        "@pytest.mark.skipif(sys.platform == 'win32', reason='posix')",
        "@pytest.mark.xfail",
        "@pytest.mark.xfail(strict=False, reason='flaky')",
        "@pytest.mark.flaky(reruns=3)",
        "@pytest.mark.usefixtures('db', 'tmp_path')",
        "@pytest.mark.asyncio",
        "@pytest.mark.timeout(5)",
        "@mock.patch('app.service.client')",
        "@mock.patch.object(Service, 'call', return_value=1)",
        "@patch('app.clock.now')",
        "@unittest.skip('broken')",
        "@functools.wraps(f)",
        "@staticmethod",
        "@pytest.mark.parametrize",
        "@freeze_time('2020-01-01')",
    ]
)
FIXTURE_DECORATORS = st.sampled_from(
    [
        "@pytest.fixture",
        "@pytest.fixture()",
        "@pytest.fixture(scope='module')",
        "@pytest.fixture(scope='session', autouse=True)",
        "@pytest.fixture(params=[1, 2, 3])",
        "@pytest.fixture(params=[None, 'a'], ids=['none', 'a'])",
        "@pytest.fixture(name='renamed')",
        "@pytest.yield_fixture",
        "@fixture",
    ]
)


@st.composite
def gen_test_function(draw: st.DrawFn, method: bool) -> list[str]:
    is_async = draw(st.booleans())
    lines = draw(st.lists(DECORATORS, max_size=2))
    params = ["self"] if method else []
    if draw(st.booleans()):
        line, names = draw(parametrize())
        lines.append(line)
        params += names
    params += draw(
        st.lists(
            st.sampled_from(["tmp_path", "db", "client", "monkeypatch", "capsys", "renamed"]), max_size=2
        )
    )
    if draw(st.integers(0, 5)) == 0:
        params.append("retries=3")
    name = draw(
        st.sampled_from(["test_it", "test_1", "test_value_is_kept", "test", "testSomething", "test_it"])
    )
    lines.append(f"{'async ' if is_async else ''}def {name}({', '.join(dict.fromkeys(params))}):")
    if draw(st.integers(0, 3)) == 0:
        lines.append(f"    {draw(STRINGS)}")  # a docstring
    return lines + indent(draw(block(2, is_async)))


@st.composite
def fixture(draw: st.DrawFn, method: bool) -> list[str]:
    name = draw(st.sampled_from(["db", "client", "renamed", "unused_thing", "tmp_path"]))
    params = (["self"] if method else []) + draw(
        st.lists(st.sampled_from(["request", "tmp_path", "db"]), max_size=2)
    )
    setup = draw(block(1))
    ending = draw(st.sampled_from([["yield {a}", "{teardown}"], ["return {a}"], ["yield"], []]))
    tail = [line.format(a=draw(EXPRS), teardown=draw(statement(0, False))[0]) for line in ending]
    return [
        draw(FIXTURE_DECORATORS),
        f"def {name}({', '.join(dict.fromkeys(params))}):",
        *indent(setup + tail),
    ]


@st.composite
def gen_test_class(draw: st.DrawFn) -> list[str]:
    unittest_style = draw(st.booleans())
    base = draw(
        st.sampled_from(
            ["(unittest.TestCase)", "(TestCase)", "(BaseTest)"] if unittest_style else ["", "(object)"]
        )
    )
    lines = [
        *draw(st.lists(DECORATORS, max_size=1)),
        f"class {draw(st.sampled_from(['TestThing', 'TestOther', 'Helper']))}{base}:",
    ]
    body: list[str] = []
    if draw(st.booleans()):
        body.append(f"pytestmark = pytest.mark.usefixtures({draw(STRINGS)})")
    if draw(st.booleans()):
        body.append(f"shared = {draw(st.sampled_from(['[]', '{}', '0', 'None']))}")
    if unittest_style and draw(st.booleans()):
        body += ["@classmethod", "def setUpClass(cls):", "    cls.conn = connect()"]
        body += ["def setUp(self):", *indent(draw(block(1)))]
    for _ in range(draw(st.integers(0, 3))):
        member = draw(st.sampled_from(["test", "test", "fixture", "helper", "teardown"]))
        if member == "test":
            body += draw(gen_test_function(method=True))
        elif member == "fixture":
            body += draw(fixture(method=True))
        elif member == "helper":
            body += ["def check_result(self, value):", *indent(draw(block(1)))]
        else:
            body += ["def tearDown(self):", *indent(draw(block(0)))]
    return lines + indent(body or ["pass"])


HEADER = st.lists(
    st.sampled_from(
        [
            "import os",
            "import sys",
            "import time",
            "import random",
            "import unittest",
            "from unittest import TestCase, mock",
            "from unittest.mock import MagicMock, patch",
            "import pytest",
            "from pytest import fixture, raises",
            "import requests",
            "import subprocess",
            "from datetime import datetime",
            "from freezegun import freeze_time",
            "pytestmark = pytest.mark.slow",
            "pytestmark = [pytest.mark.usefixtures('db'), pytest.mark.skip]",
            "counter = 0",
            "CACHE = {}",
            "API_KEY = 'sk-live-0123456789abcdef0123456789abcdef'",
            "PASSWORD = 'hunter2'",
            "global counter",
            "if sys.version_info < (3, 8):\n    import mock",
        ]
    ),
    max_size=6,
)
ODD_LINE_ENDS = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"])
SEPARATORS = st.sampled_from(
    ["", "", "\x0c", "# \u2028 a comment with a unicode line separator", "# llt: ignore"]
)


@st.composite
def gen_modules(draw: st.DrawFn) -> str:
    parts: list[list[str]] = [draw(HEADER)]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["test", "test", "class", "fixture", "helper"]))
        if kind == "test":
            parts.append(draw(gen_test_function(method=False)))
        elif kind == "class":
            parts.append(draw(gen_test_class()))
        elif kind == "fixture":
            parts.append(draw(fixture(method=False)))
        else:
            parts.append(["def check_value(value, expected=None):", *indent(draw(block(1)))])
        parts.append([draw(SEPARATORS)])
    newline = draw(ODD_LINE_ENDS)
    text = newline.join(line for part in parts for line in part)
    return text + draw(st.sampled_from([newline, ""]))


def suppressed(source: str, lines: set[int]) -> str:
    """The same module with `# llt: ignore` appended to the given (Python) lines."""
    return "".join(
        text + ("  # llt: ignore" if number in lines else "") + end
        for number, (text, end) in enumerate(_split_keep(source), start=1)
    )


def _split_keep(source: str) -> list[tuple[str, str]]:
    out, start = [], 0
    for match in PY_NEWLINE.finditer(source):
        out.append((source[start : match.start()], match.group()))
        start = match.end()
    if start < len(source):
        out.append((source[start:], ""))
    return out


# --------------------------------------------------------------------------- (a) arbitrary text

TOKENS = st.sampled_from(
    [
        "def ", "test_x", "(", ")", ":", "\n", "    ", "\t", "assert ", "x", " == ", "1", "'", '"', '"""',
        "\\", "#", "# llt: ignore[", "]", "@pytest.fixture", "class ", "TestA", "self", ".", ",", "yield ",
        "with ", "pytest.raises(", "lambda", "async ", "await ", "\x00", "\x0c", "\r", "\u2028", "\ufeff",
        "0x", "f'{", "}", "[", "{", "*", "**", ":=", "->", "match ", "case ", "\ud800", "é", "\U0001d518",
    ]
)  # fmt: skip


@st.composite
def mutated_modules(draw: st.DrawFn) -> str:
    """A valid module with a few characters deleted, duplicated or replaced: mostly broken code."""
    text = draw(gen_modules())
    for _ in range(draw(st.integers(1, 3))):
        if not text:
            break
        at = draw(st.integers(0, len(text) - 1))
        op = draw(st.sampled_from(["delete", "dup", "replace"]))
        if op == "delete":
            text = text[:at] + text[at + 1 :]
        elif op == "dup":
            text = text[:at] + text[at] + text[at:]
        else:
            text = text[:at] + draw(TOKENS) + text[at + 1 :]
    return text


ARBITRARY_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(
        st.one_of(st.characters(), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)), max_size=100
    ),
    st.lists(TOKENS, max_size=60).map("".join),
    mutated_modules(),
)


@fuzz(100)
@given(ARBITRARY_TEXT)
@example("")
@example("\x00")
@example("def test_x(:\n")
@example("x = (\n")
@example('"""never closed\n\n\n')
@example("def test_x():\n")
@example("\ufeffdef test_x():\n    assert 1\n")
@example("\ud800")
@example("def test_x():\n\tif x:\n        assert 1\n")
@example("x = 1 \\")
@example("\x0c\x0c\x0c\n(")
def test_arbitrary_text_never_crashes(source: str) -> None:
    analyse(source)


# --------------------------------------------------------------------------- (b) generated test modules


@fuzz(100)
@given(gen_modules())
@example(f"def test_it():\n    assert x == {HUGE_HEX}\n")  # magic-number-test repr'd the value
@example(f"def test_it():\n    assert x, {HUGE_HEX}\n")  # assert-statement-misuse repr'd the message
@example(f"@pytest.mark.parametrize('a', [{HUGE_HEX}, 1])\ndef test_it(a):\n    assert a\n")  # ast.dump
@example("\x0c\ndef test_it():\n    assert 1 == 1\n")  # a form feed line
@example("# \u2028\ndef test_it():\n    assert 1 == 1\n")  # a line separator inside a comment
def test_generated_modules_parse_and_every_rule_answers(source: str) -> None:
    batch, _ = analyse(source)
    for unparsed in batch.unparsed:  # the grammar makes valid modules; only the huge int examples are refused
        assert (unparsed.code, unparsed.message) == ("unreadable-file", LONG_INT_ERROR), source
        assert HUGE_HEX in source


@fuzz(40)
@given(gen_modules())
@example("\x0c\ndef test_it():\n    assert 1 == 1\n")
@example("x = '\x1c'\ndef test_it():\n    assert 1 == 1\n")
@example("# \x85 \u2028 \u2029\r\ndef test_it():\r\n    time.sleep(1)\r\n")
def test_suppressing_the_reported_lines_silences_them(source: str) -> None:
    """Lines are Python's lines: a suppression comment applies to the line a finding names."""
    _, issues = analyse(source)
    batch, left = analyse(suppressed(source, {i.line for i in issues}))
    assert not batch.unparsed
    assert left == []


@fuzz(15)
@given(st.lists(gen_modules(), min_size=2, max_size=3), st.booleans())
def test_several_modules_through_the_pipeline(sources: list[str], with_diff: bool) -> None:
    diff = "@@ -1,2 +1,3 @@\n+import os\n x\n" if with_diff else None
    files = [FileInput(path=f"tests/test_m{n}.py", content=s, git_diff=diff) for n, s in enumerate(sources)]
    result = analyze_static(files, EVERY_RULE)
    check_issues([(f.path, f.content) for f in files], result.batch, result.issues)


# --------------------------------------------------------------------------- (c) deep nesting


def _blocks(head: str, depth: int, leaf: str = "assert x") -> str:
    lines = ["def test_deep():"]
    for level in range(depth):
        lines.append("    " * (level + 1) + head.format(n=level))
    lines.append("    " * (depth + 1) + leaf)
    return "\n".join(lines) + "\n"


def _excepts(depth: int) -> str:
    """The handlers closing `depth` nested `try:` blocks, innermost first."""
    return "".join("    " * (depth - k) + "except E: pass\n" for k in range(depth))


NESTINGS: dict[str, Callable[[int], str]] = {
    "parens": lambda n: "def test_deep():\n    assert " + "(" * n + "1" + ")" * n + " == 1\n",
    "lists": lambda n: "def test_deep():\n    assert x == " + "[" * n + "]" * n + "\n",
    "dicts": lambda n: "def test_deep():\n    assert x == " + "{'k': " * n + "1" + "}" * n + "\n",
    "calls": lambda n: "def test_deep():\n    assert " + "f(" * n + "x" + ")" * n + "\n",
    "call_chain": lambda n: "def test_deep():\n    assert f" + "()" * n + "\n",
    "subscripts": lambda n: "def test_deep():\n    assert x" + "[0]" * n + " == 1\n",
    "attributes": lambda n: "def test_deep():\n    mock_db" + ".child" * n + ".assert_called_once()\n",
    "plus": lambda n: "def test_deep():\n    assert " + " + ".join(["1"] * n) + " == 2\n",
    "and": lambda n: "def test_deep():\n    assert " + " and ".join(["x"] * n) + "\n",
    "compare": lambda n: "def test_deep():\n    assert " + " < ".join(["x"] * n) + "\n",
    "unary": lambda n: "def test_deep():\n    assert " + "-" * n + "1 == 1\n",
    "not": lambda n: "def test_deep():\n    assert " + "not " * n + "x\n",
    "lambdas": lambda n: "def test_deep():\n    f = " + "lambda: " * n + "1\n    assert f()\n",
    "ternary": lambda n: "def test_deep():\n    assert " + "x if y else " * n + "z\n",
    "comprehension": lambda n: "def test_deep():\n    assert " + "[" * n + "q for q in y" + "]" * n + "\n",
    "strings": lambda n: "def test_deep():\n    assert x == " + " ".join(["'a'"] * n) + "\n",
    "fstrings": lambda n: "def test_deep():\n    assert x == f'" + "{x}" * n + "'\n",
    "ifs": lambda n: _blocks("if x:", n),
    "withs": lambda n: _blocks("with open('f{n}') as f{n}:", n),
    "raises": lambda n: _blocks("with pytest.raises(ValueError):", n, "f()"),
    "fors": lambda n: _blocks("for i{n} in items:", n),
    "trys": lambda n: _blocks("try:", n, "pass\n" + _excepts(n)),
    "defs": lambda n: _blocks("def test_{n}():", n),
    "classes": lambda n: _blocks("class TestC{n}:", n, "def test_m(self): assert self"),
    "async": lambda n: _blocks("async def test_{n}():", n, "await x"),
}  # fmt: skip
LIMITS = {"parens": 250, "lists": 250, "dicts": 250, "calls": 250, "ifs": 110, "withs": 110, "raises": 110}
LIMITS |= {"fors": 110, "trys": 60, "defs": 110, "classes": 110, "async": 110}


@st.composite
def deep_sources(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(sorted(NESTINGS)))
    depth = draw(st.integers(1, LIMITS.get(kind, 4000)))
    return NESTINGS[kind](depth)


DEPTHS = [98, 99, 100, 101, 199, 200, 201, 1000, 3000]  # Python refuses 100 indented blocks, 200 parentheses


@pytest.mark.parametrize(
    ("kind", "depth"),
    [(k, d) for k in sorted(NESTINGS) for d in DEPTHS if d <= LIMITS.get(k, 4000) * 10],  # far past: skip
)
def test_nesting_at_and_beyond_pythons_limits_never_crashes(kind: str, depth: int) -> None:
    analyse(NESTINGS[kind](depth))


@fuzz(60)
@given(deep_sources())
def test_random_nesting_never_crashes(source: str) -> None:
    analyse(source)


def test_deep_nesting_in_a_worker_thread_never_crashes() -> None:
    """The service runs the analysis in a thread (`asyncio.to_thread`), whose stack is not the main one."""
    sources = [
        NESTINGS[kind](depth) for kind in sorted(NESTINGS) for depth in (98, 199, LIMITS.get(kind, 3000))
    ]
    failures: list[BaseException] = []

    def work() -> None:
        try:
            analyse(*sources)
        except BaseException as exc:  # reported in the main thread
            failures.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)
    assert not thread.is_alive()
    assert failures == []


# --------------------------------------------------------------------------- (d) huge literals


@pytest.mark.parametrize(
    "source",
    [
        "def test_big():\n    s = '" + "a" * 1_000_000 + "'\n    assert s == s\n",
        "def test_big():\n    assert x == '" + "é\\n" * 300_000 + "'\n",
        "def test_big():\n    data = [" + ", ".join(map(str, range(100_000))) + "]\n    assert data\n",
        "@pytest.mark.parametrize('a', [" + ", ".join(map(str, range(20_000))) + "])\ndef test_big(a): a\n",
        "def test_big():\n    assert x == {" + ", ".join(f"{i}: {i}" for i in range(50_000)) + "}\n",
        "def test_big():\n    assert x == b'" + "\\xff" * 250_000 + "'\n",
        "def test_big():\n    assert x  # " + "#" * 1_000_000 + "\n",
        "def test_big():\n" + "    assert x == 1\n" * 20_000,
        "def test_big():\n    assert x == " + HUGE_HEX + "\n",
        "def test_big():\n    assert x == " + "9" * 5000 + "\n",  # past the int digit limit: a syntax error
        "def test_big():\n    assert x == 1e" + "9" * 1000 + "\n",
    ],
    ids=[
        "1MB-string", "600k-escapes", "100k-list", "20k-parametrize", "50k-dict", "250k-bytes",
        "1MB-comment", "20k-asserts", "huge-hex", "huge-decimal", "huge-exponent",
    ],
)  # fmt: skip
def test_huge_literals_complete(source: str) -> None:
    analyse(source)


def test_an_int_literal_too_long_to_print_is_one_unreadable_file_issue_at_the_literal() -> None:
    _, issues = analyse(f"def test_big():\n    assert x == 1\n    assert y == {HUGE_HEX}\n")
    assert [(i.code, i.line, i.column, i.message) for i in issues] == [
        ("unreadable-file", 3, 16, LONG_INT_ERROR)
    ]
    _, issues = analyse(f"def test_big():\n    assert x == {LONG_HEX}\n")
    assert "unreadable-file" not in {i.code for i in issues}


# --------------------------------------------------------------------------- (e) bytes and encodings

BOMS = st.sampled_from(
    [b"", b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE]
)
COOKIES = st.sampled_from(
    [
        b"",
        b"# -*- coding: latin-1 -*-\n",
        b"# coding=utf-8\n",
        b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\n",
        b"# coding: utf-16\n",
        b"# coding: utf-7\n",
        b"# coding: no-such-codec\n",
        b"# coding: rot13\n",
        b"# coding: undefined\n",
        b"# coding: idna\n",
        b"# coding: unicode_escape\n",
        b"# coding: latin-1\n# coding: utf-8\n",
        b"\n\n# coding: latin-1\n",  # too late to count
    ]
)
BODIES = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(max_size=100).map(lambda t: t.encode("utf-16", "surrogatepass")),
    st.sampled_from(
        [b"x = '\xe9t\xe9'\n", b"def test_x():\n    assert '\xff'\n", b"\x00\x00", b"x = '\x80'\r\n"]
    ),
)


@fuzz(200)
@given(st.tuples(BOMS, COOKIES, BODIES).map(b"".join))
@example(b"\x00")
@example(codecs.BOM_UTF8 + b"# coding: latin-1\n")
@example(b"# coding: undefined\nx = 1\n")
@example(b"# coding: utf-7\n+AAA-\n")
@example(b"\xff\xfe")
def test_decode_source_gives_text_or_a_clear_value_error(data: bytes) -> None:
    result = _decode(data)
    if isinstance(result, ValueError):
        assert str(result)
    else:
        assert isinstance(result, str)
        analyse(result)


def _decode(data: bytes) -> str | ValueError:
    try:
        return decode_source(data)
    except ValueError as exc:  # any other exception escapes and fails the test
        return exc


def test_decoded_sources_round_trip_through_ast() -> None:
    """A sanity check of the grammar's idea of valid: a BOM and a latin-1 cookie still parse."""
    text = decode_source(codecs.BOM_UTF8 + b"def test_x():\n    assert 1\n")
    ast.parse(text)
    text = decode_source(b"# -*- coding: latin-1 -*-\ndef test_x():\n    assert x == '\xe9'\n")
    assert "é" in text
    ast.parse(text)
