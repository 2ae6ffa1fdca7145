"""`[tool.llt]` configuration, CLI overrides and `# llt: ignore` suppressions."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from jobs.engine.config import EngineConfig, config_from_table, load_project_config
from jobs.engine.run import analyze_sources, enabled_rules
from jobs.errors import ConfigError
from jobs.rules import REGISTRY

PYPROJECT = """
    [project]
    name = "analysed"

    [tool.llt]
    select = ["trivial-assertion", "missing-assertion"]
    extend-select = ["unused-variable"]
    ignore = ["missing-assertion"]

    [tool.llt.severity]
    trivial-assertion = "info"

    [tool.llt.thresholds.assertion-roulette]
    max-asserts = 5

    [tool.pytest.ini_options]
    xfail_strict = true
"""


def write_pyproject(folder: Path, text: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def codes_by_line(source: str, config: EngineConfig | None = None) -> dict[int, set[str]]:
    _, issues = analyze_sources([("test_cfg.py", textwrap.dedent(source))], config)
    found: dict[int, set[str]] = {}
    for issue in issues:
        found.setdefault(issue.line, set()).add(issue.code)
    return found


# --------------------------------------------------------------------------- [tool.llt]


def test_tool_llt_is_read_from_the_nearest_pyproject_above_the_analysed_path(tmp_path: Path) -> None:
    write_pyproject(tmp_path, PYPROJECT)
    nested = tmp_path / "tests" / "unit"
    nested.mkdir(parents=True)
    config = load_project_config(nested)
    assert config.select == frozenset({"trivial-assertion", "missing-assertion"})
    assert config.extend_select == frozenset({"unused-variable"})
    assert config.ignore == frozenset({"missing-assertion"})
    assert config.severity == {"trivial-assertion": "info"}
    assert config.threshold("assertion-roulette", "max-asserts", 3) == 5
    assert config.threshold("assertion-roulette", "other", 3) == 3  # unset names keep their default
    assert config.xfail_strict


def test_selection_from_the_project_config_decides_which_rules_run(tmp_path: Path) -> None:
    write_pyproject(tmp_path, PYPROJECT)
    config = load_project_config(tmp_path)
    assert config.is_enabled("trivial-assertion", default=True)
    assert config.is_enabled("unused-variable", default=True)  # extend-select adds to select
    assert not config.is_enabled("missing-assertion", default=True)  # ignore wins over select
    assert not config.is_enabled("redundant-assertion", default=True)  # select replaces the defaults
    assert {r.code for r in enabled_rules(config)} == {"trivial-assertion", "unused-variable"}


def test_a_per_rule_severity_changes_the_reported_severity(tmp_path: Path) -> None:
    write_pyproject(tmp_path, PYPROJECT)
    config = load_project_config(tmp_path)
    _, issues = analyze_sources([("test_cfg.py", "def test_a():\n    assert True\n")], config)
    assert [(i.code, i.severity) for i in issues] == [("trivial-assertion", "info")]
    _, default_issues = analyze_sources([("test_cfg.py", "def test_a():\n    assert True\n")])
    assert ("trivial-assertion", "error") in {(i.code, i.severity) for i in default_issues}


def test_a_pyproject_without_tool_llt_gives_the_defaults(tmp_path: Path) -> None:
    write_pyproject(tmp_path, '[project]\nname = "x"\n')
    config = load_project_config(tmp_path)
    assert config == EngineConfig()
    assert config.is_enabled("trivial-assertion", default=True)
    assert not config.is_enabled("some-opt-in-rule", default=False)


def test_a_pyproject_that_is_not_toml_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    path = write_pyproject(tmp_path, "[tool.llt\nselect = \n")
    with pytest.raises(ConfigError, match="cannot read it as TOML") as info:
        load_project_config(tmp_path)
    assert str(path) in info.value.message


def test_defaults_extend_select_all_and_ignore() -> None:
    defaults = EngineConfig()
    assert defaults.is_enabled("on-by-default", default=True)
    assert not defaults.is_enabled("opt-in", default=False)
    extended = EngineConfig(extend_select=frozenset({"opt-in"}))
    assert extended.is_enabled("opt-in", default=False)
    assert extended.is_enabled("on-by-default", default=True)  # extend keeps the defaults
    everything = EngineConfig(select=frozenset({"ALL"}), ignore=frozenset({"noisy"}))
    assert everything.is_enabled("opt-in", default=False)
    assert not everything.is_enabled("noisy", default=True)


# --------------------------------------------------------------------------- CLI overrides


def test_cli_select_replaces_the_project_selection_and_cli_ignore_adds_to_it() -> None:
    project = config_from_table({"select": ["trivial-assertion"], "ignore": ["unused-variable"]})
    cli = project.with_cli(["missing-assertion"], ["redundant-assertion"])
    assert cli.select == frozenset({"missing-assertion"})
    assert cli.ignore == frozenset({"unused-variable", "redundant-assertion"})
    assert not cli.is_enabled("trivial-assertion", default=True)
    assert cli.is_enabled("missing-assertion", default=True)


def test_cli_without_flags_keeps_the_project_config() -> None:
    project = config_from_table(
        {
            "select": ["trivial-assertion"],
            "ignore": ["unused-variable"],
            "severity": {"trivial-assertion": "info"},
        }
    )
    assert project.with_cli(None, None) == project
    assert project.with_cli([], []) == project


# --------------------------------------------------------------------------- validation


def test_unknown_codes_anywhere_are_a_config_error_naming_each_of_them() -> None:
    config = config_from_table(
        {
            "select": ["trivial-assertion", "no-such-rule"],
            "extend-select": ["also-missing"],
            "ignore": ["ignored-typo"],
            "severity": {"severity-typo": "info"},
            "thresholds": {"threshold-typo": {"max": 1}},
        }
    )
    with pytest.raises(ConfigError) as info:
        config.validate(REGISTRY)
    message = info.value.message
    for code in ("no-such-rule", "also-missing", "ignored-typo", "severity-typo", "threshold-typo"):
        assert code in message
    assert "trivial-assertion" not in message


def test_known_codes_and_all_validate() -> None:
    config = config_from_table({"select": ["ALL"], "ignore": ["trivial-assertion"]})
    assert config.validate(REGISTRY) is config
    with pytest.raises(ConfigError, match="not-a-rule"):
        config.with_cli(["not-a-rule"], None).validate(REGISTRY)


@pytest.mark.parametrize(
    "table",
    [
        {"severity": {"trivial-assertion": "critical"}},
        {"severity": {"trivial-assertion": 3}},
        {"severity": "error"},
    ],
    ids=["unknown-level", "number", "not-a-table"],
)
def test_bad_severity_values_are_a_config_error(table: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="error, warning, info"):
        config_from_table(table)


def test_bad_selections_and_thresholds_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="select must be a list"):
        config_from_table({"select": "trivial-assertion"})
    with pytest.raises(ConfigError, match="ignore must be a list"):
        config_from_table({"ignore": [1]})
    with pytest.raises(ConfigError, match="numbers"):
        config_from_table({"thresholds": {"assertion-roulette": {"max-asserts": "five"}}})


# --------------------------------------------------------------------------- # llt: ignore

# Line 3 gets two findings: the repeated assert is redundant and trivial.
SUPPRESSED = """\
def test_a():
    assert True
    assert True{comment}

def test_b():
    assert True
"""


def test_without_a_comment_the_repeated_line_has_two_findings() -> None:
    found = codes_by_line(SUPPRESSED.format(comment=""))
    assert {"trivial-assertion", "redundant-assertion"} <= found[3]
    assert "trivial-assertion" in found[2]
    assert "trivial-assertion" in found[6]


def test_ignore_with_a_code_suppresses_only_that_code_on_that_line() -> None:
    found = codes_by_line(SUPPRESSED.format(comment="  # llt: ignore[trivial-assertion]"))
    assert "trivial-assertion" not in found[3]
    assert "redundant-assertion" in found[3]
    assert "trivial-assertion" in found[2]  # other lines are unaffected
    assert "trivial-assertion" in found[6]


def test_ignore_with_several_codes_suppresses_each_of_them() -> None:
    found = codes_by_line(
        SUPPRESSED.format(comment="  # llt: ignore[trivial-assertion, redundant-assertion]")
    )
    assert not {"trivial-assertion", "redundant-assertion"} & found.get(3, set())
    assert "trivial-assertion" in found[2]


def test_bare_ignore_suppresses_every_code_on_that_line_only() -> None:
    found = codes_by_line(SUPPRESSED.format(comment="  # llt: ignore"))
    assert 3 not in found
    assert "trivial-assertion" in found[2]
    assert "trivial-assertion" in found[6]


def test_ignoring_another_code_does_not_suppress_the_finding() -> None:
    found = codes_by_line(SUPPRESSED.format(comment="  # llt: ignore[unused-variable]"))
    assert {"trivial-assertion", "redundant-assertion"} <= found[3]
