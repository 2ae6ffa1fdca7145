"""Which rules run and how: `[tool.llt]` in the analysed project's pyproject.toml, plus CLI flags.

[tool.llt]
select = ["ALL"]                 # or a list of codes; default: the rules enabled by default
extend-select = ["assertion-roulette"]
ignore = ["redundant-print"]

[tool.llt.severity]
sleepy-test = "error"

[tool.llt.thresholds.assertion-roulette]
max-asserts = 5
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import msgspec

from jobs.contracts import SEVERITIES, Severity
from jobs.errors import ConfigError


class EngineConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Rule selection, severities and thresholds; the default runs every default-enabled rule."""

    select: frozenset[str] | None = None  # None = the defaults; "ALL" = every rule
    extend_select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = msgspec.field(default_factory=dict)
    thresholds: Mapping[str, Mapping[str, float]] = msgspec.field(default_factory=dict)
    xfail_strict: bool = False  # pytest's own `xfail_strict` setting of the analysed project

    def is_enabled(self, code: str, default: bool) -> bool:
        if code in self.ignore:
            return False
        if self.select is None:
            return default or code in self.extend_select
        return "ALL" in self.select or code in self.select or code in self.extend_select

    def threshold(self, code: str, name: str, default: float) -> float:
        return self.thresholds.get(code, {}).get(name, default)

    def with_cli(self, select: Iterable[str] | None, ignore: Iterable[str] | None) -> EngineConfig:
        """CLI `--select` replaces the selection; `--ignore` adds to the ignored codes."""
        return msgspec.structs.replace(
            self,
            select=frozenset(select) if select else self.select,
            ignore=self.ignore | frozenset(ignore or ()),
        )

    def validate(self, known: Iterable[str]) -> EngineConfig:
        """Raise ConfigError naming any code that no rule has."""
        known_set = set(known) | {"ALL"}
        named = set(self.select or ()) | self.extend_select | self.ignore | set(self.severity)
        named |= set(self.thresholds)
        unknown = sorted(named - known_set)
        if unknown:
            raise ConfigError(f"unknown rule code(s): {', '.join(unknown)} (see `llt rules`)")
        return self


def _codes(table: Mapping[str, Any], key: str) -> frozenset[str] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[tool.llt] {key} must be a list of rule codes")
    return frozenset(value)


def config_from_table(
    table: Mapping[str, Any], pytest_table: Mapping[str, Any] | None = None
) -> EngineConfig:
    """Build the config from a `[tool.llt]` table (already decoded TOML)."""
    severity = table.get("severity", {})
    if not isinstance(severity, dict) or any(v not in SEVERITIES for v in severity.values()):
        raise ConfigError("[tool.llt.severity] maps rule codes to one of: error, warning, info")
    thresholds = table.get("thresholds", {})
    numeric = (
        all(
            isinstance(v, dict) and all(isinstance(x, int | float) for x in v.values())
            for v in thresholds.values()
        )
        if isinstance(thresholds, dict)
        else False
    )
    if not numeric:
        raise ConfigError("[tool.llt.thresholds.<code>] tables map threshold names to numbers")
    xfail_strict = bool((pytest_table or {}).get("xfail_strict", False))
    return EngineConfig(
        select=_codes(table, "select"),
        extend_select=_codes(table, "extend-select") or frozenset(),
        ignore=_codes(table, "ignore") or frozenset(),
        severity=dict(severity),
        thresholds={k: dict(v) for k, v in thresholds.items()},
        xfail_strict=xfail_strict,
    )


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start`."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_project_config(start: Path) -> EngineConfig:
    """The `[tool.llt]` config of the project holding `start`, or the defaults."""
    path = find_pyproject(start)
    if path is None:
        return EngineConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it as TOML ({exc})") from None
    tool = data.get("tool", {})
    return config_from_table(tool.get("llt", {}), tool.get("pytest", {}).get("ini_options", {}))
