"""The headline: 38 files in hybrid mode against the fake LLM at 0.5 s, by concurrency limit.

Prints wall time, calls, max in flight, the floor ceil(calls / limit) x latency and wall/floor; then a
warm re-run with the answer cache; then limit 10 with 10 % 429s and 10 % 5xx.
"""

from __future__ import annotations

import asyncio
import json
import math
import tempfile
import time
from pathlib import Path
from typing import Any

from jobs.contracts import FileInput, QualityAnalysisRequest, QualityAnalysisResponse
from jobs.llm.cache import AnswerCache, FileCache
from jobs.llm.client import LLMClient
from jobs.llm.review import Reviewer
from jobs.pipeline import run_analysis
from jobs.settings import settings_from_env
from tests.bench.corpora import synthetic_corpus
from tests.fakes.fake_llm import FakeLLM
from tests.fakes.responders import reviewer_responder

LATENCY = 0.5
LIMITS = (1, 5, 10, 20)


def corpus_files() -> list[FileInput]:
    folder = synthetic_corpus() / "tests"
    return [FileInput(path=f"tests/{p.name}", content=p.read_text()) for p in sorted(folder.glob("*.py"))]


async def _run(
    base_url: str, limit: int, cache: AnswerCache | None = None, retries: int = 3
) -> tuple[float, QualityAnalysisResponse]:
    env = {"LLM_BASE_URL": base_url, "LLM_MAX_CONCURRENT_CALLS": str(limit), "LLM_MAX_RETRIES": str(retries),
           "LLM_RETRY_AFTER_CAP": "1"}  # fmt: skip
    settings = settings_from_env(env)
    reviewer = Reviewer(settings, LLMClient(settings), cache)
    started = time.perf_counter()
    try:
        result = await run_analysis(
            QualityAnalysisRequest(files=corpus_files(), mode="hybrid"), reviewer=reviewer
        )
    finally:
        await reviewer.aclose()
    return time.perf_counter() - started, result


def _row(llm: FakeLLM, limit: int, wall: float, result: QualityAnalysisResponse) -> dict[str, Any]:
    calls = result.summary.llm_calls
    floor = math.ceil(calls / limit) * LATENCY if calls else 0.0
    return {
        "limit": limit,
        "wall_s": round(wall, 2),
        "llm_calls": calls,
        "max_in_flight": llm.stats()["max_in_flight"],
        "floor_s": floor,
        "wall_over_floor": round(wall / floor, 3) if floor else None,
        "issues": result.summary.total_issues,
    }


def run() -> dict[str, Any]:
    out: dict[str, Any] = {"files": len(corpus_files()), "latency_s": LATENCY, "by_limit": []}
    with FakeLLM(latency=LATENCY, responder=reviewer_responder) as llm:
        for limit in LIMITS:
            llm.reset()
            wall, result = asyncio.run(_run(llm.base_url, limit))
            out["by_limit"].append(_row(llm, limit, wall, result))
        with tempfile.TemporaryDirectory() as cache_dir:
            llm.reset()
            asyncio.run(_run(llm.base_url, 10, FileCache(Path(cache_dir), 3600)))
            llm.reset()
            wall, warm = asyncio.run(_run(llm.base_url, 10, FileCache(Path(cache_dir), 3600)))
            out["warm_rerun"] = {
                "wall_s": round(wall, 3),
                "llm_calls": warm.summary.llm_calls,
                "cached": warm.summary.llm_cached,
                "server_requests": llm.stats()["requests"],
            }
        out["faults"] = _fault_run(llm)
    return out


def _fault_run(llm: FakeLLM) -> dict[str, Any]:
    """10 % 429 (Retry-After 1 s) and 10 % 5xx at limit 10; which findings survive."""
    llm.reset()
    _, clean = asyncio.run(_run(llm.base_url, 10))
    llm.configure(rate_429=0.1, rate_5xx=0.1, retry_after=1.0, seed=11)
    llm.reset()
    wall, faulty = asyncio.run(_run(llm.base_url, 10))
    stats = llm.stats()
    llm.configure(rate_429=0.0, rate_5xx=0.0)
    rule = {(i.file_path, i.line, i.code) for i in clean.issues if i.detected_by == "rule"}
    kept_rule = {(i.file_path, i.line, i.code) for i in faulty.issues if i.detected_by == "rule"}
    clean_llm = {(i.file_path, i.line, i.code) for i in clean.issues if i.detected_by == "llm"}
    faulty_llm = {(i.file_path, i.line, i.code) for i in faulty.issues if i.detected_by == "llm"}
    return {
        "limit": 10,
        "wall_s": round(wall, 2),
        "llm_calls": faulty.summary.llm_calls,
        "http_requests": stats["requests"],
        "statuses": stats["statuses"],
        "llm_failed": faulty.summary.llm_failed,
        "rule_findings_kept": f"{len(kept_rule & rule)}/{len(rule)}",
        "llm_findings_kept": f"{len(faulty_llm & clean_llm)}/{len(clean_llm)}",
        "completed": True,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
