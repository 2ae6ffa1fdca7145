"""Turn test sources into facts: one `ast.parse` and one walk per file, no I/O.

`parse_batch` is the entry point. A file that does not parse becomes an `Unparsed` entry (one
finding later) and the rest of the batch goes on.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable, Iterator, Sequence

from jobs.engine.facts import (
    BatchFacts,
    CallFact,
    Check,
    CheckKind,
    ClassFacts,
    Decorator,
    FixtureFacts,
    FunctionFacts,
    ModuleFacts,
    TestFacts,
    Unparsed,
)

MOCK_ASSERTS = frozenset(
    {
        "assert_called",
        "assert_called_once",
        "assert_called_with",
        "assert_called_once_with",
        "assert_any_call",
        "assert_has_calls",
        "assert_not_called",
        "assert_awaited",
        "assert_awaited_once",
        "assert_awaited_with",
        "assert_awaited_once_with",
        "assert_any_await",
        "assert_has_awaits",
        "assert_not_awaited",
    }
)
RAISES_NAMES = frozenset(
    {
        "raises",
        "warns",
        "deprecated_call",
        "assertRaises",
        "assertRaisesRegex",
        "assertRaisesRegexp",
        "assertWarns",
        "assertWarnsRegex",
        "assertLogs",
        "assertNoLogs",
        "failUnlessRaises",
    }
)
# Calls that check something although they are not spelled `assert`: pytester's line matchers and
# the usual helper prefixes (the precision research, pattern 3).
CHECK_CALL_NAMES = frozenset({"fnmatch_lines", "re_match_lines", "no_fnmatch_line", "no_re_match_line"})
CHECK_PREFIXES = ("assert", "check_", "verify_", "expect_", "_assert", "_check", "_verify")
FIXTURE_DECORATORS = frozenset({"fixture", "yield_fixture"})
SUPPRESS_RE = re.compile(r"#\s*llt:\s*ignore(?:\[([^\]]*)\]|(?![\w-]))", re.IGNORECASE)
MAX_SOURCE_NESTING_ERROR = "the file is nested too deeply to analyse"
LONG_INT_ERROR = "an integer literal has too many digits to analyse (Python's int/str conversion limit)"
LONG_INT_RE = re.compile(r"0[xXoObB][0-9a-fA-F_]{500,}")  # decimal ones past the limit do not even parse
PY_NEWLINE_RE = re.compile(r"\r\n|\r|\n")  # Python's line breaks (str.splitlines adds \x0c, \u2028, ...)


# --------------------------------------------------------------------------- names


def dotted_name(node: ast.AST) -> str:
    """`a.b.c` for Name/Attribute chains, the callee's name for calls, '' for anything else."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return ".".join(reversed(parts)) if parts else ""
    return ".".join(reversed(parts))


def resolve(name: str, imports: dict[str, str]) -> str:
    """Replace the first part of a dotted name by what it was imported as."""
    if not name:
        return name
    head, _, rest = name.partition(".")
    origin = imports.get(head)
    if origin is None:
        return name
    return f"{origin}.{rest}" if rest else origin


def string_value(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


# --------------------------------------------------------------------------- decoding


def decode_source(data: bytes) -> str:
    """Decode file bytes as Python does (BOM, PEP 263 cookie); raises ValueError when impossible."""
    if b"\x00" in data:
        raise ValueError("the file holds NUL bytes: it looks binary, not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise ValueError(f"the file is not valid text in its declared encoding ({exc})") from None


# --------------------------------------------------------------------------- the function walk


class _Scan:
    """Fills one FunctionFacts from its body in a single recursive walk."""

    __slots__ = ("fn", "imports")

    def __init__(self, fn: FunctionFacts, imports: dict[str, str]) -> None:
        self.fn = fn
        self.imports = imports

    def run(self) -> None:
        node = self.fn.node
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default, False, False, False)
        for stmt in node.body:
            self.visit(stmt, False, False, False)

    def visit(self, node: ast.AST, cond: bool, raises: bool, in_assert: bool) -> None:
        fn = self.fn
        kind = type(node)
        if kind is ast.Name:
            assert isinstance(node, ast.Name)
            if isinstance(node.ctx, ast.Store):
                fn.stores.setdefault(node.id, []).append(node)
            else:
                fn.loads[node.id] = fn.loads.get(node.id, 0) + 1
            return
        if kind is ast.Constant:
            return
        if kind is ast.Attribute:
            assert isinstance(node, ast.Attribute)
            if isinstance(node.value, ast.Name) and node.value.id == "self":
                if isinstance(node.ctx, ast.Store):
                    fn.attr_stores.setdefault(node.attr, node)
                else:
                    fn.attr_loads.add(node.attr)
            self.visit(node.value, cond, raises, in_assert)
            return
        if kind is ast.Call:
            assert isinstance(node, ast.Call)
            self._call(node, cond, raises, in_assert)
        elif kind is ast.Assert:
            assert isinstance(node, ast.Assert)
            fn.asserts.append(node)
            fn.checks.append(Check(CheckKind.ASSERT, node, "assert", cond))
            self.visit(node.test, cond, raises, True)
            if node.msg is not None:
                self.visit(node.msg, cond, raises, True)
            return
        elif kind is ast.With or kind is ast.AsyncWith:
            assert isinstance(node, ast.With | ast.AsyncWith)
            self._with(node, cond, raises, in_assert)
            return
        elif kind is ast.Try or kind is ast.TryStar:
            assert isinstance(node, ast.Try | ast.TryStar)  # TryStar is no subclass of Try
            fn.trys.append(node)  # type: ignore[arg-type]
            for stmt in node.body:
                self.visit(stmt, cond, raises, in_assert)
            for handler in node.handlers:
                self.visit(handler, True, raises, in_assert)
            for stmt in node.orelse:
                self.visit(stmt, True, raises, in_assert)
            for stmt in node.finalbody:
                self.visit(stmt, cond, raises, in_assert)
            return
        elif kind in _BRANCHING:
            fn.control.append(node)
            self._branch(node, cond, raises, in_assert)
            return
        elif kind in _COMPREHENSIONS or kind is ast.IfExp:
            fn.control.append(node)
            for child in _children(node):
                self.visit(child, True, raises, in_assert)
            return
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef or kind is ast.Lambda:
            self._nested(node)
            return
        elif kind is ast.ClassDef:
            self._loads_only(node)  # a nested class reads names (bases, annotations, defaults)
            return
        elif kind is ast.Return:
            fn.returns.append(node)  # type: ignore[arg-type]
        elif kind is ast.Yield or kind is ast.YieldFrom:
            fn.yields.append(node)  # type: ignore[arg-type]
        elif kind is ast.Await:
            fn.awaits.append(node)  # type: ignore[arg-type]
        elif kind is ast.Expr:
            fn.expr_statements.append(node)  # type: ignore[arg-type]
        elif (kind is ast.Assign or kind is ast.AnnAssign or kind is ast.AugAssign) and not raises:
            self._assign(node)  # type: ignore[arg-type]  # inside pytest.raises the assignment is the act
        elif kind is ast.Global:
            fn.globals_declared.append(node)  # type: ignore[arg-type]
        for child in _children(node):
            self.visit(child, cond, raises, in_assert)

    def _call(self, node: ast.Call, cond: bool, raises: bool, in_assert: bool) -> None:
        fn = self.fn
        name = resolve(dotted_name(node.func), self.imports)
        fn.calls.append(CallFact(node, name, raises, in_assert))
        kind = classify_call(name)
        if kind is not None:
            fn.checks.append(Check(kind, node, name.rsplit(".", 1)[-1], cond))

    def _assign(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if isinstance(node, ast.AnnAssign) and node.value is None:
            return
        for target in targets:
            if isinstance(target, ast.Name):
                self.fn.assigned.setdefault(target.id, []).append(node)

    def _with(self, node: ast.With | ast.AsyncWith, cond: bool, raises: bool, in_assert: bool) -> None:
        self.fn.withs.append(node)
        body_raises = raises
        for item in node.items:
            self.visit(item.context_expr, cond, raises, in_assert)
            if item.optional_vars is not None:
                self.visit(item.optional_vars, cond, raises, in_assert)
            if is_raises_call(item.context_expr, self.imports):
                body_raises = True
        for stmt in node.body:
            self.visit(stmt, cond, body_raises, in_assert)

    def _branch(self, node: ast.AST, cond: bool, raises: bool, in_assert: bool) -> None:
        if isinstance(node, ast.If | ast.While):
            self.visit(node.test, cond, raises, in_assert)
        elif isinstance(node, ast.For | ast.AsyncFor):
            self.visit(node.target, cond, raises, in_assert)
            self.visit(node.iter, cond, raises, in_assert)
        elif isinstance(node, ast.Match):
            self.visit(node.subject, cond, raises, in_assert)
            for case in node.cases:
                for stmt in case.body:
                    self.visit(stmt, True, raises, in_assert)
            return
        for stmt in [*node.body, *node.orelse]:  # type: ignore[attr-defined]
            self.visit(stmt, True, raises, in_assert)

    def _loads_only(self, node: ast.AST) -> None:
        loads = self.fn.loads
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and not isinstance(child.ctx, ast.Store):
                loads[child.id] = loads.get(child.id, 0) + 1

    def _nested(self, node: ast.AST) -> None:
        """A nested def keeps its own checks; its reads count as reads of the enclosing test."""
        if isinstance(node, ast.Lambda):
            self._loads_only(node.body)
            return
        assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for deco in node.decorator_list:
            self._loads_only(deco)
        self._loads_only(node.args)
        inner = scan_function(node, None, self.imports)
        self.fn.nested_functions.append(node)
        self.fn.local_helpers[node.name] = inner
        for name, count in inner.loads.items():
            self.fn.loads[name] = self.fn.loads.get(name, 0) + count
        self.fn.attr_loads |= inner.attr_loads


_BRANCHING = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Match)
# Fields that never hold anything a rule reads: load/store contexts and operator tokens.
_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops", "type_comment"})
_CHILD_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}


def _children(node: ast.AST) -> Iterator[ast.AST]:
    """`ast.iter_child_nodes` without contexts and operators, with the field list cached per type."""
    kind = type(node)
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f not in _SKIPPED_FIELDS)
    for name in fields:
        value = getattr(node, name, None)
        if type(value) is list:
            for item in value:
                if isinstance(item, ast.AST):
                    yield item
        elif isinstance(value, ast.AST):
            yield value


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def classify_call(name: str) -> CheckKind | None:
    """Which kind of check a call is, by its resolved dotted name; None when it is no check."""
    last = name.rsplit(".", 1)[-1]
    if last in MOCK_ASSERTS:
        return CheckKind.MOCK
    if last in RAISES_NAMES:
        return CheckKind.RAISES
    if name in {"pytest.fail", "fail"}:
        return CheckKind.FAIL
    receiver = name.rsplit(".", 1)[0] if "." in name else ""
    if receiver in {"self", "cls"} and (
        last.startswith(("assert", "fail")) or last in {"failIf", "failUnless"}
    ):
        return CheckKind.UNITTEST
    if last in CHECK_CALL_NAMES or last.lower().startswith(CHECK_PREFIXES):
        return CheckKind.HELPER
    return None


def is_raises_call(node: ast.AST, imports: dict[str, str]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    return resolve(dotted_name(node.func), imports).rsplit(".", 1)[-1] in RAISES_NAMES


def scan_function(
    node: ast.FunctionDef | ast.AsyncFunctionDef, class_name: str | None, imports: dict[str, str]
) -> FunctionFacts:
    """Facts of one function from one walk of its body."""
    args = node.args
    params = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
    decorators = [Decorator(d, resolve(dotted_name(d), imports)) for d in node.decorator_list]
    fn = FunctionFacts(name=node.name, node=node, class_name=class_name, decorators=decorators, params=params)
    _Scan(fn, imports).run()
    return fn


# --------------------------------------------------------------------------- module level


def _imports(tree: ast.Module) -> dict[str, str]:
    table: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    table[alias.asname] = alias.name
                else:
                    head = alias.name.split(".", 1)[0]
                    table[head] = head
        elif isinstance(stmt, ast.ImportFrom) and stmt.module:
            for alias in stmt.names:
                table[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"
        elif isinstance(stmt, ast.If | ast.Try):  # guarded imports: `try: import x except ImportError`
            for inner in ast.walk(stmt):
                if isinstance(inner, ast.ImportFrom) and inner.module:
                    for alias in inner.names:
                        table.setdefault(alias.asname or alias.name, f"{inner.module}.{alias.name}")
    return table


def _fixture_decorator(fn: FunctionFacts) -> Decorator | None:
    for deco in fn.decorators:
        last = deco.name.rsplit(".", 1)[-1]
        if last in FIXTURE_DECORATORS and (
            deco.name.startswith(("pytest", "_pytest")) or deco.name in FIXTURE_DECORATORS
        ):
            return deco
    return None


def _make_fixture(fn: FunctionFacts, deco: Decorator, cls: ClassFacts | None) -> FixtureFacts:
    name = string_value(deco.kwarg("name")) or fn.name
    scope = string_value(deco.kwarg("scope")) or "function"
    autouse_node = deco.kwarg("autouse")
    autouse = isinstance(autouse_node, ast.Constant) and autouse_node.value is True
    return FixtureFacts(name=name, fn=fn, decorator=deco, scope=scope, autouse=autouse, cls=cls)


def _usefixtures(decorators: Iterable[Decorator]) -> set[str]:
    names: set[str] = set()
    for deco in decorators:
        if deco.name.endswith("usefixtures") and deco.call is not None:
            names.update(v for a in deco.call.args if (v := string_value(a)) is not None)
    return names


def parametrize_names(decorators: Iterable[Decorator]) -> set[str]:
    names: set[str] = set()
    for deco in decorators:
        if deco.name.endswith("parametrize") and deco.call is not None:
            first = deco.call.args[0] if deco.call.args else deco.kwarg("argnames")
            if (text := string_value(first)) is not None:
                names.update(part.strip() for part in text.split(",") if part.strip())
            elif isinstance(first, ast.List | ast.Tuple):
                names.update(v for e in first.elts if (v := string_value(e)) is not None)
    return names


def _module_marks(tree: ast.Module | ast.ClassDef, imports: dict[str, str]) -> list[Decorator]:
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets
        ):
            values = stmt.value.elts if isinstance(stmt.value, ast.List | ast.Tuple) else [stmt.value]
            return [Decorator(v, resolve(dotted_name(v), imports)) for v in values]
    return []


def _is_test_class(node: ast.ClassDef, bases: list[str]) -> bool:
    if node.name.startswith("Test"):
        return True
    return any("Test" in b.rsplit(".", 1)[-1] or b.endswith("Case") for b in bases)


def _is_unittest_class(bases: list[str], unittest_classes: set[str]) -> bool:
    return any(b.rsplit(".", 1)[-1].endswith("TestCase") or b in unittest_classes for b in bases)


def _suppressions(lines: Sequence[str]) -> dict[int, frozenset[str] | None]:
    found: dict[int, frozenset[str] | None] = {}
    for number, text in enumerate(lines, start=1):
        if "llt" not in text:
            continue
        match = SUPPRESS_RE.search(text)
        if match is None:
            continue
        codes = match.group(1)
        found[number] = None if codes is None else frozenset(c.strip() for c in codes.split(",") if c.strip())
    return found


class _ModuleBuilder:
    """Collects tests, fixtures, helpers and classes of one module."""

    def __init__(self, module: ModuleFacts) -> None:
        self.module = module
        self.unittest_classes: set[str] = set()

    def build(self) -> None:
        module = self.module
        for stmt in module.tree.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                self._function(stmt, None)
            elif isinstance(stmt, ast.ClassDef):
                self._class(stmt)
        module.fixture_requests |= _usefixtures(module.module_marks)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, cls: ClassFacts | None) -> None:
        module = self.module
        fn = scan_function(node, cls.name if cls else None, module.imports)
        if cls is not None:
            cls.methods[fn.name] = fn
        module.fixture_requests |= _usefixtures(fn.decorators)
        self._dynamic_requests(fn)
        deco = _fixture_decorator(fn)
        if deco is not None:
            module.fixtures.append(_make_fixture(fn, deco, cls))
            module.fixture_requests.update(p for p in fn.params if p not in {"self", "cls"})
            return
        if fn.name.startswith("test"):
            test = TestFacts(fn=fn, cls=cls, parametrize_names=parametrize_names(fn.decorators))
            module.tests.append(test)
            module.fixture_requests.update(
                p for p in fn.params if p not in {"self", "cls"} and p not in test.parametrize_names
            )
            return
        if cls is None:
            module.helpers[fn.name] = fn

    def _dynamic_requests(self, fn: FunctionFacts) -> None:
        for call in fn.calls:
            if call.last == "getfixturevalue" and call.node.args:
                value = string_value(call.node.args[0])
                if value is None:
                    self.module.dynamic_fixture_requests = True
                else:
                    self.module.fixture_requests.add(value)

    def _class(self, node: ast.ClassDef) -> None:
        module = self.module
        bases = [resolve(dotted_name(b), module.imports) for b in node.bases]
        decorators = [Decorator(d, resolve(dotted_name(d), module.imports)) for d in node.decorator_list]
        is_unittest = _is_unittest_class(bases, self.unittest_classes)
        if is_unittest:
            self.unittest_classes.add(node.name)
        collects = is_unittest or _is_test_class(node, bases)  # pytest collects every TestCase subclass
        cls = ClassFacts(node.name, node, bases, is_unittest, decorators)
        module.fixture_requests |= _usefixtures(decorators)
        module.fixture_requests |= _usefixtures(_module_marks(node, module.imports))  # class pytestmark
        if collects:
            module.classes.append(cls)
        for stmt in node.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                if collects:
                    self._function(stmt, cls)
                else:
                    self._non_test_method(stmt, cls)

    def _non_test_method(self, node: ast.FunctionDef | ast.AsyncFunctionDef, cls: ClassFacts) -> None:
        """Methods of helper classes: fixtures still count, everything else is a possible helper."""
        fn = scan_function(node, cls.name, self.module.imports)
        cls.methods[fn.name] = fn
        deco = _fixture_decorator(fn)
        if deco is not None:
            self.module.fixtures.append(_make_fixture(fn, deco, cls))
            self.module.fixture_requests.update(p for p in fn.params if p not in {"self", "cls"})
        self._dynamic_requests(fn)


def _unprintable_int(tree: ast.Module) -> ast.Constant | None:
    """A hex/octal/binary literal too long for repr(): rules would raise ValueError printing it."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and type(node.value) is int:
            try:
                repr(node.value)
            except ValueError:
                return node
    return None


def parse_module(path: str, source: str) -> ModuleFacts | Unparsed:
    """Facts of one file, or why there are none."""
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        line = exc.lineno or 1
        detail = exc.msg or "invalid syntax"
        return Unparsed(
            path, "syntax-error", f"the file does not parse: {detail}", line, (exc.offset or 1) - 1
        )
    except (ValueError, TypeError) as exc:
        return Unparsed(path, "unreadable-file", f"the file cannot be read as Python: {exc}", 1, 0)
    except (RecursionError, MemoryError):
        return Unparsed(path, "unreadable-file", MAX_SOURCE_NESTING_ERROR, 1, 0)
    if LONG_INT_RE.search(source) and (big := _unprintable_int(tree)) is not None:
        return Unparsed(path, "unreadable-file", LONG_INT_ERROR, big.lineno, big.col_offset)
    lines = PY_NEWLINE_RE.split(source) if "\r" in source else source.split("\n")
    if lines[-1] == "":
        lines.pop()  # like str.splitlines: no empty line after the last line break
    imports = _imports(tree)
    module = ModuleFacts(path=path, source=source, lines=lines, tree=tree, imports=imports)
    module.module_marks = _module_marks(tree, imports)
    module.suppressions = _suppressions(lines)
    try:
        _ModuleBuilder(module).build()
    except RecursionError:
        return Unparsed(path, "unreadable-file", MAX_SOURCE_NESTING_ERROR, 1, 0)
    return module


# --------------------------------------------------------------------------- batch level


def _asserting_helpers(modules: list[ModuleFacts]) -> set[str]:
    """Names of helper functions and methods that check something, directly or through each other."""
    candidates: dict[str, list[FunctionFacts]] = {}
    for module in modules:
        for fn in module.helpers.values():
            candidates.setdefault(fn.name, []).append(fn)
        for cls in module.classes:
            for fn in cls.methods.values():
                if not fn.name.startswith("test"):
                    candidates.setdefault(fn.name, []).append(fn)
    asserting = {name for name, fns in candidates.items() if any(f.checks for f in fns)}
    changed = True
    while changed:  # a helper that calls an asserting helper asserts too
        changed = False
        for name, fns in candidates.items():
            if name in asserting:
                continue
            if any(c.last in asserting for f in fns for c in f.calls):
                asserting.add(name)
                changed = True
    return asserting


def _add_helper_checks(fn: FunctionFacts, asserting: set[str]) -> None:
    for local in fn.local_helpers.values():
        _add_helper_checks(local, asserting)
    local_asserting = {name for name, f in fn.local_helpers.items() if f.checks}
    while more := {  # a nested helper that calls an asserting nested helper asserts too
        name
        for name, f in fn.local_helpers.items()
        if name not in local_asserting and any(c.last in local_asserting for c in f.calls)
    }:
        local_asserting |= more
    for call in fn.calls:
        if (call.last in asserting or call.last in local_asserting) and classify_call(call.name) is None:
            fn.checks.append(Check(CheckKind.HELPER, call.node, call.last, False))


def parse_batch(files: Sequence[tuple[str, str]]) -> BatchFacts:
    """Parse every (path, source) pair and resolve what crosses files: fixtures and helpers."""
    modules: list[ModuleFacts] = []
    unparsed: list[Unparsed] = []
    for path, source in files:
        result = parse_module(path, source)
        (unparsed if isinstance(result, Unparsed) else modules).append(result)  # type: ignore[arg-type]
    batch = BatchFacts(modules=modules, unparsed=unparsed)
    for module in modules:
        batch.fixture_requests |= module.fixture_requests
        batch.dynamic_fixture_requests |= module.dynamic_fixture_requests
        for fixture in module.fixtures:
            batch.fixtures_by_name.setdefault(fixture.name, []).append(fixture)
        for fn in module.helpers.values():
            if fn.is_async:
                batch.async_functions.add(fn.name)
    batch.asserting_helpers = _asserting_helpers(modules)
    for module in modules:
        for test in module.tests:
            _add_helper_checks(test.fn, batch.asserting_helpers)
        for fixture in module.fixtures:
            _add_helper_checks(fixture.fn, batch.asserting_helpers)
    return batch
