"""The LLM half of the pipeline against the real fake server: limits, faults, cache, modes, diffs."""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from jobs.contracts import FileInput, QualityAnalysisRequest, QualityAnalysisResponse
from jobs.llm.cache import FileCache
from jobs.llm.client import LLMClient
from jobs.llm.review import Reviewer
from jobs.pipeline import run_analysis
from jobs.settings import Settings, settings_from_env
from tests.fakes.fake_llm import FakeLLM
from tests.fakes.responders import reviewer_responder

pytestmark = pytest.mark.integration

SUITE = textwrap.dedent(
    """
    import time

    _COUNT = 0


    def test_waits_for_the_queue():
        time.sleep(0.01)
        assert sum([1, 2]) == 3


    def test_bumps_the_counter():
        global _COUNT
        _COUNT += 1
        assert _COUNT >= 1


    def test_parse_invoice_basic():
        assert int("1") == 1


    def test_parse_invoice_unicode():
        assert int("2") == 2


    def test_plain():
        assert True
    """
)


def many_files(count: int) -> list[FileInput]:
    return [FileInput(path=f"tests/test_{i:02d}.py", content=SUITE) for i in range(count)]


def settings_for(llm: FakeLLM, **env: str) -> Settings:
    return settings_from_env({"LLM_BASE_URL": llm.base_url, "LLM_MAX_RETRIES": "0", **env})


async def analyse(
    settings: Settings, files: list[FileInput], mode: str = "hybrid", **kwargs: object
) -> QualityAnalysisResponse:
    reviewer = Reviewer(settings, LLMClient(settings), kwargs.pop("cache", None))  # type: ignore[arg-type]
    try:
        request = QualityAnalysisRequest(files=files, mode=mode)  # type: ignore[arg-type]
        return await run_analysis(request, reviewer=reviewer, **kwargs)  # type: ignore[arg-type]
    finally:
        await reviewer.aclose()


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM(latency=0.05, responder=reviewer_responder) as server:
        yield server


async def test_never_more_calls_in_flight_than_the_limit(llm: FakeLLM) -> None:
    result = await analyse(settings_for(llm, LLM_MAX_CONCURRENT_CALLS="3"), many_files(4))
    stats = llm.stats()
    assert result.summary.llm_calls == stats["requests"] > 3
    assert stats["max_in_flight"] == 3


async def test_limit_one_is_strictly_sequential(llm: FakeLLM) -> None:
    await analyse(settings_for(llm, LLM_MAX_CONCURRENT_CALLS="1"), many_files(1))
    events = sorted(llm.stats()["events"], key=lambda e: e["arrival"])
    assert len(events) > 2
    for earlier, later in itertools.pairwise(events):
        assert later["arrival"] >= earlier["finish"]


async def test_llm_findings_are_mapped_to_file_lines(llm: FakeLLM) -> None:
    result = await analyse(settings_for(llm), many_files(1))
    by_code = {(i.code, i.line) for i in result.issues if i.detected_by == "llm"}
    lines = SUITE.splitlines()
    sleep_line = next(n for n, text in enumerate(lines, 1) if "time.sleep" in text)
    global_line = next(n for n, text in enumerate(lines, 1) if text.strip().startswith("global"))
    unicode_def = next(n for n, text in enumerate(lines, 1) if "def test_parse_invoice_unicode" in text)
    assert ("shared-state-leak", global_line) in by_code
    # the rules report the sleep too: the LLM's repeat on the same line is merged into one finding
    sleeps = [i for i in result.issues if (i.code, i.line) == ("sleepy-test", sleep_line)]
    assert len(sleeps) == 1
    basic_def = next(n for n, text in enumerate(lines, 1) if "def test_parse_invoice_basic" in text)
    assert ("mergeable-tests", unicode_def) in by_code
    assert ("mergeable-tests", basic_def) in by_code  # a mergeable pair is reported on both tests


async def test_hybrid_sends_only_tests_the_rules_cannot_settle(llm: FakeLLM) -> None:
    result = await analyse(settings_for(llm), many_files(1))
    prompts = result.summary.llm_calls
    # the sleep, the global and the later test of the similar pair, 2 questions each; test_plain is
    # settled by a rule and the first test of the pair is shown as context of the second
    assert prompts == 6
    assert any(i.code == "trivial-assertion" and i.detected_by == "rule" for i in result.issues)


async def test_deep_reviews_every_test_and_keeps_rule_findings(llm: FakeLLM) -> None:
    hybrid = await analyse(settings_for(llm), many_files(1), mode="hybrid")
    deep = await analyse(settings_for(llm), many_files(1), mode="deep")
    assert deep.summary.llm_calls == 5 * 2
    rule_findings = {(i.code, i.line) for i in hybrid.issues if i.detected_by == "rule"}
    assert rule_findings <= {(i.code, i.line) for i in deep.issues if i.detected_by == "rule"}


async def test_failed_calls_are_counted_and_do_not_sink_the_rest(llm: FakeLLM) -> None:
    llm.configure(rate_5xx=0.5, seed=7)
    result = await analyse(settings_for(llm), many_files(3))
    summary = result.summary
    assert 0 < summary.llm_failed < summary.llm_calls
    assert any(i.detected_by == "llm" for i in result.issues)
    assert sum(i.code == "trivial-assertion" for i in result.issues) == 3


async def test_a_hanging_call_costs_only_its_own_timeout(llm: FakeLLM) -> None:
    llm.configure(hang_rate=0.2, seed=3)
    result = await analyse(settings_for(llm, LLM_TIMEOUT="0.5"), many_files(2))
    stats = llm.stats()
    assert result.summary.llm_failed >= 1
    assert result.summary.llm_failed < result.summary.llm_calls
    finished = [e for e in stats["events"] if e["status"] == 200]
    assert len(finished) == result.summary.llm_calls - result.summary.llm_failed


async def test_malformed_and_wrapped_answers(llm: FakeLLM) -> None:
    llm.configure(fenced_rate=1.0, prose_rate=1.0)
    wrapped = await analyse(settings_for(llm), many_files(1))
    assert wrapped.summary.llm_failed == 0
    assert any(i.code == "sleepy-test" for i in wrapped.issues)
    llm.configure(fenced_rate=0.0, prose_rate=0.0, malformed_rate=1.0)
    broken = await analyse(settings_for(llm), many_files(1))
    assert broken.summary.llm_failed == broken.summary.llm_calls > 0
    assert not any(i.detected_by == "llm" for i in broken.issues)


async def test_cache_hit_makes_no_call(llm: FakeLLM, tmp_path: Path) -> None:
    settings = settings_for(llm)
    cold = await analyse(settings, many_files(2), cache=FileCache(tmp_path, 3600))
    calls_after_cold = llm.stats()["requests"]
    warm = await analyse(settings, many_files(2), cache=FileCache(tmp_path, 3600))
    assert llm.stats()["requests"] == calls_after_cold
    assert warm.summary.llm_calls == 0
    assert warm.summary.llm_cached == cold.summary.llm_calls
    assert [i.code for i in warm.issues] == [i.code for i in cold.issues]


async def test_progress_reaches_the_total(llm: FakeLLM) -> None:
    seen: list[tuple[int, int]] = []
    await analyse(settings_for(llm), many_files(2), progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] == len(seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


async def test_git_diff_narrows_report_and_calls(llm: FakeLLM) -> None:
    lines = SUITE.splitlines()
    global_line = next(n for n, text in enumerate(lines, 1) if text.strip().startswith("_COUNT += 1"))
    header = "--- a/tests/test_00.py\n+++ b/tests/test_00.py\n"
    diff = f"{header}@@ -{global_line},1 +{global_line},1 @@\n-x\n+ _COUNT += 1\n"
    files = [FileInput(path="tests/test_00.py", content=SUITE, git_diff=diff)]
    result = await analyse(settings_for(llm), files)
    assert result.summary.tests_analysed == 1
    assert result.summary.llm_calls == 2
    assert not any(i.code == "trivial-assertion" for i in result.issues)
    assert any(i.code == "shared-state-leak" for i in result.issues)


async def test_hybrid_without_llm_says_so() -> None:
    request = QualityAnalysisRequest(files=many_files(1), mode="hybrid")
    result = await run_analysis(request, reviewer=None)
    assert result.summary.llm_status is not None
    assert "LLM" in result.summary.llm_status
    assert result.summary.llm_calls == 0
