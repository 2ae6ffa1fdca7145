"""`llt analyze` and `llt rules` as a user runs them: a real process, real files, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bench.corpora import real_corpus
from tests.fakes.fake_llm import FakeLLM
from tests.fakes.responders import reviewer_responder

pytestmark = pytest.mark.e2e

BAD = textwrap.dedent(
    """
    import time


    def test_total():
        assert True


    def test_waits():
        time.sleep(0.01)
        assert sum([1]) == 1
    """
)
CLEAN = textwrap.dedent(
    """
    def test_sum():
        assert sum([1, 2]) == 3
    """
)


def llt(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "OTEL_"))}
    base["LLM_CACHE_DIR"] = str(cwd / ".llm-cache")
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=cwd, env={**base, **(env or {})}, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_bad.py").write_text(BAD)
    (tests / "test_clean.py").write_text(CLEAN)
    (tests / "helpers.py").write_text("def test_not_collected():\n    pass\n")
    return tmp_path


def test_json_is_the_api_contract_with_paths_as_given(suite: Path) -> None:
    result = llt("analyze", "tests", "--format", "json", "--mode", "fast", cwd=suite)
    assert result.returncode == 1, result.stderr
    body = json.loads(result.stdout)
    assert set(body) == {"analysis_id", "summary", "issues"}
    assert {"total_files", "total_issues", "critical_issues"} <= set(body["summary"])
    assert body["summary"]["total_files"] == 2  # helpers.py is not a test file when walking
    issue = next(i for i in body["issues"] if i["code"] == "trivial-assertion")
    assert issue["file_path"] == os.path.join("tests", "test_bad.py")
    assert issue["line"] == BAD.splitlines().index("    assert True") + 1
    assert set(issue) == {
        "file_path",
        "line",
        "column",
        "severity",
        "code",
        "message",
        "detected_by",
        "suggestion",
    }
    assert issue["detected_by"] == "rule"


def test_exit_codes_follow_fail_on(suite: Path) -> None:
    assert llt("analyze", "tests", "--mode", "fast", cwd=suite).returncode == 1
    assert llt("analyze", "tests/test_clean.py", "--mode", "fast", cwd=suite).returncode == 0
    assert llt("analyze", "tests", "--mode", "fast", "--fail-on", "never", cwd=suite).returncode == 0
    warn_only = llt("analyze", "tests", "--mode", "fast", "--ignore", "trivial-assertion", cwd=suite)
    assert warn_only.returncode == 0
    assert llt("analyze", "tests", "--mode", "fast", "--ignore", "trivial-assertion", "--fail-on", "warning",
               cwd=suite).returncode == 1  # fmt: skip


def test_usage_errors_exit_2_with_a_message(suite: Path) -> None:
    missing = llt("analyze", "nope", cwd=suite)
    assert missing.returncode == 2
    assert "nope" in missing.stderr
    unknown = llt("analyze", "tests", "--select", "no-such-rule", cwd=suite)
    assert unknown.returncode == 2
    assert "no-such-rule" in unknown.stderr
    deep = llt("analyze", "tests", "--mode", "deep", cwd=suite)
    assert deep.returncode == 2
    assert "LLM_BASE_URL" in deep.stderr


def test_named_file_is_analysed_whatever_its_name(suite: Path) -> None:
    result = llt("analyze", "tests/helpers.py", "--format", "json", "--mode", "fast", cwd=suite)
    codes = {i["code"] for i in json.loads(result.stdout)["issues"]}
    assert "empty-test" in codes


def test_text_format_lines_and_summary(suite: Path) -> None:
    out = llt("analyze", "tests", "--mode", "fast", cwd=suite).stdout.splitlines()
    line = BAD.splitlines().index("    assert True") + 1
    assert any(
        o.startswith(f"{os.path.join('tests', 'test_bad.py')}:{line}:5: error trivial-assertion") for o in out
    )
    assert "issue(s) in 2 file(s)" in out[-1]


def test_sarif_has_rules_and_results(suite: Path) -> None:
    sarif = json.loads(llt("analyze", "tests", "--format", "sarif", "--mode", "fast", cwd=suite).stdout)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "trivial-assertion" in rule_ids
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    assert all(r["help"]["text"] for r in run["tool"]["driver"]["rules"])


def test_project_config_and_inline_suppression(suite: Path) -> None:
    (suite / "pyproject.toml").write_text(
        '[tool.llt]\nignore = ["sleepy-test"]\n[tool.llt.severity]\ntrivial-assertion = "info"\n'
    )
    body = json.loads(llt("analyze", "tests", "--format", "json", "--mode", "fast", cwd=suite).stdout)
    codes = {i["code"]: i["severity"] for i in body["issues"]}
    assert "sleepy-test" not in codes
    assert codes["trivial-assertion"] == "info"
    (suite / "tests" / "test_bad.py").write_text(
        BAD.replace("assert True", "assert True  # llt: ignore[trivial-assertion]")
    )
    body = json.loads(llt("analyze", "tests", "--format", "json", "--mode", "fast", cwd=suite).stdout)
    assert "trivial-assertion" not in {i["code"] for i in body["issues"]}


def test_broken_files_are_findings_not_crashes(suite: Path) -> None:
    (suite / "tests" / "test_syntax.py").write_text("def test_x(:\n    pass\n")
    (suite / "tests" / "test_binary.py").write_bytes(b"\x00\x01\x02binary")
    result = llt("analyze", "tests", "--format", "json", "--mode", "fast", cwd=suite)
    body = json.loads(result.stdout)
    by_file = {
        i["file_path"]: i["code"] for i in body["issues"] if i["code"] in {"syntax-error", "unreadable-file"}
    }
    assert by_file[os.path.join("tests", "test_syntax.py")] == "syntax-error"
    assert by_file[os.path.join("tests", "test_binary.py")] == "unreadable-file"
    assert any(i["code"] == "trivial-assertion" for i in body["issues"])  # the batch went on
    sarif = json.loads(llt("analyze", "tests", "--format", "sarif", "--mode", "fast", cwd=suite).stdout)
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "does not parse" in rules["syntax-error"]["shortDescription"]["text"]


def test_rules_lists_and_documents(suite: Path) -> None:
    listing = llt("rules", cwd=suite)
    assert listing.returncode == 0
    assert "missing-assertion" in listing.stdout
    one = llt("rules", "trivial-assertion", cwd=suite)
    assert "What it flags:" in one.stdout
    assert "Use instead:" in one.stdout
    assert llt("rules", "nope", cwd=suite).returncode == 2


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    with FakeLLM(latency=0.05, responder=reviewer_responder) as server:
        yield server


def test_hybrid_end_to_end_with_cache(suite: Path, fake_llm: FakeLLM) -> None:
    env = {"LLM_BASE_URL": fake_llm.base_url, "LLM_API_KEY": "sk-test-key"}
    cold = llt("analyze", "tests", "--format", "json", cwd=suite, env=env)
    body = json.loads(cold.stdout)
    calls = fake_llm.stats()["requests"]
    assert body["summary"]["llm_calls"] == calls > 0
    assert body["summary"]["mode"] == "hybrid"
    assert fake_llm.stats()["authorizations"] == ["Bearer sk-test-key"]
    warm = json.loads(llt("analyze", "tests", "--format", "json", cwd=suite, env=env).stdout)
    assert fake_llm.stats()["requests"] == calls
    assert warm["summary"]["llm_calls"] == 0
    assert warm["summary"]["llm_cached"] == calls
    llt("analyze", "tests", "--no-cache", cwd=suite, env=env)
    assert fake_llm.stats()["requests"] == 2 * calls


def test_whole_real_corpus_without_a_crash(tmp_path: Path) -> None:
    corpus = real_corpus()
    if corpus is None:
        pytest.skip("the pinned real corpus could not be fetched from the package index")
    result = llt("analyze", str(corpus), "--format", "json", "--mode", "fast", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    body = json.loads(result.stdout)
    broken = sorted(
        i["file_path"] for i in body["issues"] if i["code"] in {"syntax-error", "unreadable-file"}
    )
    assert len(broken) == 3
    assert all("/cattrs/" in path for path in broken)
    assert body["summary"]["total_files"] >= 700
