"""Small AST helpers shared by rule families (pure functions, no state)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from jobs.contracts import Suggestion
from jobs.engine.facts import FunctionFacts, ModuleFacts

# Calls that read without changing anything: repeating them repeats the same check.
PURE_CALLS = frozenset(
    {
        # builtins that only read (not `hash`: a cached-hash test repeats it on purpose)
        "len", "sum", "max", "min", "sorted", "isinstance", "issubclass", "str", "repr", "int", "float",
        "bool", "list", "tuple", "set", "frozenset", "dict", "abs", "round", "type", "any", "all",
        "id", "bytes", "format", "callable", "ord", "chr", "divmod",
        # string methods; names that custom objects commonly give side effects (get, count, copy,
        # keys, index, find, exists, ...) are deliberately absent
        "upper", "lower", "strip", "lstrip", "rstrip", "startswith", "endswith", "title", "isoformat",
        "casefold", "isdigit", "isalpha", "isspace", "approx",
    }
)  # fmt: skip


def without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    """A function body without its leading docstring."""
    first = body[0] if body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return body[1:]
    return body


def statement_blocks(fn: FunctionFacts) -> Iterator[list[ast.stmt]]:
    """Every statement list of the function body, nested blocks included, nested defs excluded."""
    stack: list[list[ast.stmt]] = [fn.body]
    while stack:
        block = stack.pop()
        yield block
        for stmt in block:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            for name in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, name, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                    stack.append(inner)
            if isinstance(stmt, ast.Try):
                stack.extend(h.body for h in stmt.handlers)
            elif isinstance(stmt, ast.Match):
                stack.extend(case.body for case in stmt.cases)


def is_pure(node: ast.AST) -> bool:
    """True when evaluating `node` cannot change state: only pure calls, no await/walrus/yield."""
    for child in ast.walk(node):
        if isinstance(child, ast.Await | ast.NamedExpr | ast.Yield | ast.YieldFrom | ast.Lambda):
            return False
        if isinstance(child, ast.Call):
            func = child.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in PURE_CALLS:
                return False
    return True


def is_literal(node: ast.AST) -> bool:
    """A constant or a display made only of constants (`1`, `"a"`, `(1, 2)`, `[1]`, `-3`)."""
    return literal(node)[0]


LITERAL_NODES = (ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.UnaryOp, ast.BinOp)


def literal(node: ast.AST) -> tuple[bool, object]:
    """(True, value) for a literal expression, (False, None) otherwise."""
    if not isinstance(node, LITERAL_NODES):  # a cheap refusal before literal_eval
        return False, None
    if isinstance(node, ast.Constant):
        return True, node.value
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def same(a: ast.AST, b: ast.AST) -> bool:
    """Structural equality of two expressions (positions ignored)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, ast.Name):
        return bool(a.id == b.id)  # type: ignore[attr-defined]
    return ast.dump(a) == ast.dump(b)


def single_line(module: ModuleFacts, node: ast.AST) -> str | None:
    """The source line of a one-line statement, without its indentation; None when it spans lines."""
    line = getattr(node, "lineno", 0)
    if line == 0 or getattr(node, "end_lineno", line) != line:
        return None
    return module.line_text(line).strip()


def delete_line(description: str) -> Suggestion:
    return Suggestion(type="delete", new_text=None, description=description)


def replace_line(
    module: ModuleFacts, node: ast.AST, new_statement: str, description: str
) -> Suggestion | None:
    """Replace a one-line statement, keeping its indentation; None when it spans lines."""
    line = getattr(node, "lineno", 0)
    if single_line(module, node) is None:
        return None
    text = module.line_text(line)
    indent = text[: len(text) - len(text.lstrip())]
    return Suggestion(type="replace", new_text=indent + new_statement, description=description)


def unittest_call(node: ast.AST, *names: str) -> ast.Call | None:
    """`node` when it is a call `self.<one of names>(...)`."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in {"self", "cls"}
        and node.func.attr in names
    ):
        return node
    return None
