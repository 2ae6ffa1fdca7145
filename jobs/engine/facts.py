"""Facts the parser extracts from one batch of test files; rules read these and nothing else.

One `ast` walk per function fills every index below, so rules never walk trees themselves for the
common questions (which calls, which checks, which names are read or written).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from enum import StrEnum


class CheckKind(StrEnum):
    """How a test checks something."""

    ASSERT = "assert"  # the `assert` statement
    UNITTEST = "unittest"  # self.assertX(...) / self.fail(...)
    RAISES = "raises"  # pytest.raises / warns / deprecated_call / assertRaises*
    MOCK = "mock"  # mock.assert_called_once_with(...) and friends
    FAIL = "fail"  # pytest.fail(...)
    HELPER = "helper"  # a call to a helper that asserts, or an assert-like name


@dataclass(slots=True)
class Check:
    """One check inside a function; `conditional` when it sits under if/for/while/try/match."""

    kind: CheckKind
    node: ast.AST
    name: str
    conditional: bool


@dataclass(slots=True)
class CallFact:
    """A call with its dotted callee name (`time.sleep`, `self.assertEqual`, `mock.patch`)."""

    node: ast.Call
    name: str
    in_raises_block: bool
    in_assert: bool

    @property
    def last(self) -> str:
        return self.name.rsplit(".", 1)[-1]


@dataclass(slots=True)
class Decorator:
    """A decorator with its dotted name (`pytest.mark.parametrize`, `patch`, `unittest.skip`)."""

    node: ast.expr
    name: str

    @property
    def call(self) -> ast.Call | None:
        return self.node if isinstance(self.node, ast.Call) else None

    def kwarg(self, key: str) -> ast.expr | None:
        call = self.call
        if call is None:
            return None
        return next((kw.value for kw in call.keywords if kw.arg == key), None)


@dataclass(slots=True)
class FunctionFacts:
    """A function or method with everything one walk of its body found.

    Nested functions, lambdas and classes keep their own checks: an assert belongs to the function
    it is written in. Reads (`loads`) are collected through nested scopes, since a closure that
    reads a variable uses it.
    """

    name: str
    node: ast.FunctionDef | ast.AsyncFunctionDef
    class_name: str | None
    decorators: list[Decorator]
    params: list[str]
    checks: list[Check] = field(default_factory=list)
    calls: list[CallFact] = field(default_factory=list)
    asserts: list[ast.Assert] = field(default_factory=list)
    stores: dict[str, list[ast.AST]] = field(default_factory=dict)  # every binding, any form
    assigned: dict[str, list[ast.stmt]] = field(default_factory=dict)  # plain `name = value` statements
    loads: dict[str, int] = field(default_factory=dict)
    attr_loads: set[str] = field(default_factory=set)  # self.<name> reads
    attr_stores: dict[str, ast.AST] = field(default_factory=dict)  # self.<name> = ...
    withs: list[ast.With | ast.AsyncWith] = field(default_factory=list)
    trys: list[ast.Try] = field(default_factory=list)
    control: list[ast.AST] = field(default_factory=list)  # if/for/while/match/comprehension/ternary
    returns: list[ast.Return] = field(default_factory=list)
    yields: list[ast.Yield | ast.YieldFrom] = field(default_factory=list)
    awaits: list[ast.Await] = field(default_factory=list)
    globals_declared: list[ast.Global] = field(default_factory=list)
    expr_statements: list[ast.Expr] = field(default_factory=list)
    nested_functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=list)
    local_helpers: dict[str, FunctionFacts] = field(default_factory=dict)  # defs nested in the body

    @property
    def line(self) -> int:
        return self.node.lineno

    @property
    def is_async(self) -> bool:
        return isinstance(self.node, ast.AsyncFunctionDef)

    @property
    def body(self) -> list[ast.stmt]:
        return self.node.body

    def decorator(self, *names: str) -> Decorator | None:
        """The first decorator whose dotted name ends with one of `names` (matching whole parts)."""
        for deco in self.decorators:
            if any(deco.name == n or deco.name.endswith("." + n) for n in names):
                return deco
        return None


@dataclass(slots=True)
class ClassFacts:
    """A class holding tests (a `Test*` class or a `unittest.TestCase` subclass)."""

    name: str
    node: ast.ClassDef
    bases: list[str]
    is_unittest: bool
    decorators: list[Decorator]
    methods: dict[str, FunctionFacts] = field(default_factory=dict)

    @property
    def has_unknown_bases(self) -> bool:
        """True when a base class may add helpers we cannot see (anything but object/TestCase)."""
        return any(b not in {"object", "TestCase", "unittest.TestCase"} for b in self.bases)


@dataclass(slots=True)
class TestFacts:
    """A test: a collected function or method."""

    fn: FunctionFacts
    cls: ClassFacts | None
    parametrize_names: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.fn.name

    @property
    def qualname(self) -> str:
        return f"{self.cls.name}.{self.fn.name}" if self.cls else self.fn.name

    @property
    def line(self) -> int:
        return self.fn.line

    @property
    def is_unittest(self) -> bool:
        return self.cls is not None and self.cls.is_unittest


@dataclass(slots=True)
class FixtureFacts:
    """A pytest fixture (`@pytest.fixture` in any form, or the legacy `yield_fixture`)."""

    name: str  # the name tests request (the `name=` argument wins over the function name)
    fn: FunctionFacts
    decorator: Decorator
    scope: str
    autouse: bool
    cls: ClassFacts | None

    @property
    def line(self) -> int:
        return self.fn.line

    @property
    def is_generator(self) -> bool:
        return bool(self.fn.yields)


@dataclass(slots=True)
class ModuleFacts:
    """One parsed file."""

    path: str
    source: str
    lines: list[str]
    tree: ast.Module
    tests: list[TestFacts] = field(default_factory=list)
    fixtures: list[FixtureFacts] = field(default_factory=list)
    helpers: dict[str, FunctionFacts] = field(default_factory=dict)  # module-level non-test functions
    classes: list[ClassFacts] = field(default_factory=list)
    imports: dict[str, str] = field(default_factory=dict)  # local name -> dotted origin
    fixture_requests: set[str] = field(default_factory=set)  # names requested in this module
    dynamic_fixture_requests: bool = False  # getfixturevalue(<non-literal>) seen
    module_marks: list[Decorator] = field(default_factory=list)  # pytestmark = [...]
    suppressions: dict[int, frozenset[str] | None] = field(default_factory=dict)  # None = all codes

    @property
    def is_conftest(self) -> bool:
        return self.path.replace("\\", "/").rsplit("/", 1)[-1] == "conftest.py"

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""


@dataclass(slots=True)
class Unparsed:
    """A file we could not turn into facts, with the reason; it becomes one finding."""

    path: str
    code: str  # syntax-error | unreadable-file
    message: str
    line: int
    column: int


@dataclass(slots=True)
class BatchFacts:
    """Every file of one analysis; cross-file questions (fixtures, helpers) are answered here."""

    modules: list[ModuleFacts]
    unparsed: list[Unparsed]
    fixture_requests: set[str] = field(default_factory=set)
    fixtures_by_name: dict[str, list[FixtureFacts]] = field(default_factory=dict)
    asserting_helpers: set[str] = field(default_factory=set)  # helper names whose body checks
    async_functions: set[str] = field(default_factory=set)  # names of async defs in the batch
    dynamic_fixture_requests: bool = False
