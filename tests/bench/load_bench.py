"""Load and soak through the real API: two `llt worker` processes, the API, the fake LLM, real Redis.

Processes, private queue and clean-up come from `tests.bench.api_bench.ServiceStack`.

- `concurrent`: many analyses of the 38-file corpus submitted at once, each polled until it ends:
  completion rate, end-to-end p50/p95/max as the client saw it (poll every 0.5 s) and as the job
  record says (queued → completed, ms), queue wait, which worker ran what, LLM calls against the
  floor. Workers run WORKER_CONCURRENCY=8 analyses each and LLM_MAX_CONCURRENT_CALLS=10 per process
  (scope `process`: up to 20 calls in flight across the two workers). Scenarios:
  `fast_100` (rules only: 100 at once), `hybrid_unique_N` (every analysis has its own paths, so every
  LLM call really goes to the fake at 0.5 s; N=10 by default because 100 would sit on a floor of
  minutes, see `hybrid_100_uncached_floor_s`; LLT_BENCH_LOAD_HYBRID_N overrides) and
  `hybrid_cached_100` (100 at once of content whose answers one priming run put in the Redis cache).
- `soak`: 1,000 small fast-mode jobs submitted at a steady rate by 4 clients, all polled to the end,
  on fresh processes (two rounds of 500): VmRSS and open file descriptors of the API and each worker
  after a 48-job warm-up, halfway and at the end, growth in %, completions, and which TCP
  connections the processes hold (a Redis connection pool grows to its peak concurrency and stays).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import time
import uuid
from collections import Counter
from typing import Any, Final

import httpx

from tests.bench.api_bench import (
    LATENCY,
    SMALL,
    TRANSPORT_ERRORS,
    ServiceStack,
    corpus_files,
    floor_s,
    issue_set,
    percentiles,
    poll_until_done,
    proc_usage,
    tcp_sockets,
)

WORKERS: Final = 2
WORKER_CONCURRENCY: Final = 8
LIMIT: Final = 10  # per worker process
CONCURRENT: Final = 100
HYBRID_UNIQUE: Final = int(os.environ.get("LLT_BENCH_LOAD_HYBRID_N", "10"))
POLL_S: Final = 0.5
TASK_TIMEOUT_S: Final = 600.0
SOAK_JOBS: Final = 1000
SOAK_CLIENTS: Final = 4
SOAK_RATE_PER_S: Final = 40.0  # all clients together
SOAK_WARM_UP: Final = 48  # 12 per client
SOAK_POLL_S: Final = 0.2

Run = tuple[list[dict[str, Any]], float, Counter[int]]  # final task bodies, elapsed s, submit statuses
Usage = dict[str, dict[str, int]]


def _env() -> dict[str, str]:
    return {
        "WORKER_CONCURRENCY": str(WORKER_CONCURRENCY),
        "LLM_MAX_CONCURRENT_CALLS": str(LIMIT),
        "LLM_CONCURRENCY_SCOPE": "process",
    }


async def _analyse(
    client: httpx.AsyncClient, body: dict[str, Any], poll_s: float, submits: Counter[int]
) -> dict[str, Any]:
    """Submit `body` (retrying a 503 after its Retry-After) and poll it to the end; times in s."""
    started = time.perf_counter()
    while True:
        try:
            response = await client.post("/quality/analyze-async", json=body)
        except httpx.TransportError as exc:  # not repeated: the job may have been queued
            TRANSPORT_ERRORS[f"POST /quality/analyze-async: {type(exc).__name__}"] += 1
            return {"status": "submit_transport_error", "task_id": None}
        submits[response.status_code] += 1
        if response.status_code != 503:
            break
        await asyncio.sleep(float(response.headers.get("retry-after", "1")))
    if response.status_code != 202:
        return {"status": f"submit_{response.status_code}", "task_id": None}
    submit_s = time.perf_counter() - started
    task_id = response.json()["task_id"]
    final = await poll_until_done(client, task_id, poll_s, TASK_TIMEOUT_S)
    return {**final, "task_id": task_id, "submit_s": submit_s, "e2e_s": time.perf_counter() - started}


async def _run_all(base_url: str, bodies: list[dict[str, Any]], poll_s: float) -> Run:
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=len(bodies))
    submits: Counter[int] = Counter()
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        started = time.perf_counter()
        finals = await asyncio.gather(*(_analyse(client, body, poll_s, submits) for body in bodies))
        return list(finals), time.perf_counter() - started, submits


def _outcome(
    stack: ServiceStack, finals: list[dict[str, Any]], makespan: float, submits: Counter[int]
) -> dict[str, Any]:
    """Completion, latencies (client and job record), per-worker spread and result consistency."""
    statuses = Counter(str(f["status"]) for f in finals)
    done = [f for f in finals if f["status"] == "completed"]
    jobs = stack.stored_jobs([f["task_id"] for f in finals if f.get("task_id")])
    records = [j for j in jobs.values() if j.get("completed") and j.get("queued")]
    by_worker: dict[str, dict[str, int]] = {}
    for final in done:
        worker = str(jobs.get(final["task_id"], {}).get("worker_id"))
        row = by_worker.setdefault(worker, {"analyses": 0, "llm_calls": 0})
        row["analyses"] += 1
        row["llm_calls"] += int(final["result"]["summary"]["llm_calls"])
    issue_sets = {frozenset(issue_set(f["result"]["issues"])) for f in done}
    return {
        "submitted": len(finals),
        "submit_statuses": {str(k): v for k, v in sorted(submits.items())},
        "completed": len(done),
        "completion_rate": round(len(done) / len(finals), 4) if finals else None,
        "statuses": dict(statuses),
        "makespan_s": round(makespan, 2),
        "submit_client_s": percentiles([f["submit_s"] for f in finals if "submit_s" in f], (50, 95)),
        "e2e_client_s": percentiles([f["e2e_s"] for f in done], (50, 95)),
        "e2e_job_record_s": percentiles([(j["completed"] - j["queued"]) / 1000 for j in records], (50, 95)),
        "queue_wait_s": percentiles([(j["started"] - j["queued"]) / 1000 for j in records], (50, 95)),
        "run_s": percentiles([(j["completed"] - j["started"]) / 1000 for j in records], (50, 95)),
        "attempts": dict(Counter(str(j.get("attempts")) for j in jobs.values())),
        "retried_jobs_errors": dict(
            Counter(str(j.get("error")) for j in jobs.values() if (j.get("attempts") or 0) > 1)
        ),
        "by_worker": {f"worker_{i}": row for i, row in enumerate(by_worker.values())},
        "llm_calls": sum(row["llm_calls"] for row in by_worker.values()),
        "llm_cached": sum(int(f["result"]["summary"]["llm_cached"]) for f in done),
        "llm_failed": sum(int(f["result"]["summary"]["llm_failed"]) for f in done),
        "distinct_issue_sets": len(issue_sets),
    }


def _llm_floor(outcome: dict[str, Any]) -> dict[str, Any]:
    """Floors of the run: per worker (its calls over its own 10 slots) and if perfectly balanced."""
    per_worker = [floor_s(row["llm_calls"], LIMIT) for row in outcome["by_worker"].values()]
    return {
        "floor_s": max(per_worker, default=0.0),
        "balanced_floor_s": floor_s(outcome["llm_calls"], LIMIT * WORKERS),
        "wall_over_floor": round(outcome["makespan_s"] / max(per_worker), 3) if any(per_worker) else None,
    }


def _scenario(stack: ServiceStack, bodies: list[dict[str, Any]], poll_s: float = POLL_S) -> dict[str, Any]:
    stack.llm_reset()
    TRANSPORT_ERRORS.clear()
    finals, makespan, submits = asyncio.run(_run_all(stack.api_url or "", bodies, poll_s))
    outcome = _outcome(stack, finals, makespan, submits)
    outcome["client_transport_errors"] = dict(TRANSPORT_ERRORS)
    llm = stack.llm_stats()
    outcome["fake_llm"] = {"requests": llm["requests"], "max_in_flight": llm["max_in_flight"]}
    return outcome


def concurrent() -> dict[str, Any]:
    with ServiceStack("load", _env()) as stack:
        stack.start_fake_llm(LATENCY)
        stack.start_api()
        stack.start_workers(WORKERS, WORKER_CONCURRENCY)
        run_tag = uuid.uuid4().hex[:8]
        out: dict[str, Any] = {
            "files_per_analysis": len(corpus_files()),
            "workers": WORKERS,
            "worker_concurrency": WORKER_CONCURRENCY,
            "llm_limit": f"{LIMIT} per worker process (LLM_CONCURRENCY_SCOPE=process)",
            "latency_s": LATENCY,
            "client_poll_s": POLL_S,
        }
        fast = [{"files": corpus_files(f"bench-{run_tag}-f{i}/"), "mode": "fast"} for i in range(CONCURRENT)]
        out[f"fast_{CONCURRENT}"] = _scenario(stack, fast)

        unique = [
            {"files": corpus_files(f"bench-{run_tag}-u{i}/"), "mode": "hybrid"} for i in range(HYBRID_UNIQUE)
        ]
        row = _scenario(stack, unique)
        out[f"hybrid_unique_{HYBRID_UNIQUE}"] = {**row, **_llm_floor(row)}
        per_analysis = row["llm_calls"] / max(1, row["completed"])
        out[f"hybrid_{CONCURRENT}_uncached_floor_s"] = {
            "calls_per_analysis": per_analysis,
            "balanced_floor_s": floor_s(math.ceil(per_analysis * CONCURRENT), LIMIT * WORKERS),
            "note": f"why {CONCURRENT} uncached hybrid analyses are not run: this floor is over 3 minutes",
        }

        cached_files = corpus_files(f"bench-{run_tag}-cached/")
        priming = _scenario(stack, [{"files": cached_files, "mode": "hybrid"}], poll_s=0.05)
        cached = [{"files": cached_files, "mode": "hybrid"} for _ in range(CONCURRENT)]
        out[f"hybrid_cached_{CONCURRENT}"] = {
            **_scenario(stack, cached),
            "priming_run": {k: priming[k] for k in ("completed", "makespan_s", "llm_calls", "fake_llm")},
        }
        names = ["api", *(f"worker-{i}" for i in range(WORKERS))]
        out["usage_at_end"] = {name: proc_usage(stack.pid(name)) for name in names}
        out["tcp_sockets_at_end"] = _sockets(stack, names)
        out["log_problems"] = stack.log_problems()
    out["redis_keys_left"] = stack.keys_left
    return out


# --- soak -----------------------------------------------------------------------------------------


async def _soak_client(
    client: httpx.AsyncClient,
    count: int,
    interval_s: float,
    offset_s: float,
    results: list[dict[str, Any]],
    submits: Counter[int],
) -> None:
    """Submit `count` jobs, one every `interval_s` on a fixed schedule, each polled by its own task."""
    body = {"files": SMALL, "mode": "fast"}
    pollers: list[asyncio.Task[None]] = []

    async def follow(task_id: str, submitted: float) -> None:
        final = await poll_until_done(client, task_id, SOAK_POLL_S, TASK_TIMEOUT_S)
        results.append({**final, "task_id": task_id, "e2e_s": time.perf_counter() - submitted})

    start = time.perf_counter() + offset_s
    for i in range(count):
        delay = start + i * interval_s - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)  # pacing the submissions, not synchronisation
        submitted = time.perf_counter()
        try:
            response = await client.post("/quality/analyze-async", json=body)
        except httpx.TransportError as exc:
            TRANSPORT_ERRORS[f"POST /quality/analyze-async: {type(exc).__name__}"] += 1
            results.append({"status": "submit_transport_error", "task_id": None})
            continue
        submits[response.status_code] += 1
        if response.status_code == 202:
            pollers.append(asyncio.create_task(follow(response.json()["task_id"], submitted)))
        else:
            results.append({"status": f"submit_{response.status_code}", "task_id": None})
    await asyncio.gather(*pollers)


async def _soak(base_url: str, jobs: int, clients: int, rate: float) -> Run:
    results: list[dict[str, Any]] = []
    submits: Counter[int] = Counter()
    interval = clients / rate
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=20)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _soak_client(client, jobs // clients, interval, i * interval / clients, results, submits)
                for i in range(clients)
            )
        )
        return results, time.perf_counter() - started, submits


def _usage(stack: ServiceStack, names: list[str]) -> Usage:
    """Memory and fds once the benchmark client's connections to the API are closed."""
    api = stack.pid("api")
    stack.wait(lambda: tcp_sockets(api)["inbound"] == 0, "the API's client connections to close", 10)
    return {name: proc_usage(stack.pid(name)) for name in names}


def _sockets(stack: ServiceStack, names: list[str]) -> Usage:
    return {name: tcp_sockets(stack.pid(name)) for name in names}


def _growth(before: Usage, after: Usage) -> dict[str, dict[str, float]]:
    return {
        name: {
            f"{metric}_pct": round((after[name][metric] - value) / value * 100, 1) if value else 0.0
            for metric, value in metrics.items()
        }
        for name, metrics in before.items()
    }


def soak() -> dict[str, Any]:
    with ServiceStack("soak", {"WORKER_CONCURRENCY": str(WORKER_CONCURRENCY)}) as stack:
        stack.start_api()
        stack.start_workers(WORKERS, WORKER_CONCURRENCY)
        names = ["api", *(f"worker-{i}" for i in range(WORKERS))]
        at_start = _usage(stack, names)
        warm, _, _ = asyncio.run(_soak(stack.api_url or "", SOAK_WARM_UP, SOAK_CLIENTS, SOAK_RATE_PER_S))
        TRANSPORT_ERRORS.clear()
        before = _usage(stack, names)
        sockets_before = _sockets(stack, names)
        base = stack.api_url or ""
        results, elapsed, submits = asyncio.run(_soak(base, SOAK_JOBS // 2, SOAK_CLIENTS, SOAK_RATE_PER_S))
        halfway = _usage(stack, names)
        more, elapsed_2, submits_2 = asyncio.run(_soak(base, SOAK_JOBS // 2, SOAK_CLIENTS, SOAK_RATE_PER_S))
        results, elapsed, submits = results + more, elapsed + elapsed_2, submits + submits_2
        after = _usage(stack, names)
        sockets_after = _sockets(stack, names)
        done = [r for r in results if r["status"] == "completed"]
        jobs = stack.stored_jobs([r["task_id"] for r in results if r.get("task_id")])
        out: dict[str, Any] = {
            "jobs": len(results),
            "clients": SOAK_CLIENTS,
            "rate_per_s": SOAK_RATE_PER_S,
            "achieved_rate_per_s": round(len(results) / elapsed, 1),
            "elapsed_s": round(elapsed, 1),
            "submit_statuses": {str(k): v for k, v in sorted(submits.items())},
            "client_transport_errors": dict(TRANSPORT_ERRORS),
            "completed": len(done),
            "statuses": dict(Counter(str(r["status"]) for r in results)),
            "warm_up_completed": sum(1 for r in warm if r["status"] == "completed"),
            "e2e_client_ms": percentiles([r["e2e_s"] * 1000 for r in done], (50, 95, 99)),
            "e2e_job_record_ms": percentiles(
                [
                    j["completed"] - j["queued"]
                    for j in jobs.values()
                    if j.get("completed") and j.get("queued")
                ],
                (50, 95, 99),
            ),
            "attempts": dict(Counter(str(j.get("attempts")) for j in jobs.values())),
            "retried_jobs_errors": dict(
                Counter(str(j.get("error")) for j in jobs.values() if (j.get("attempts") or 0) > 1)
            ),
            "stored_jobs_before_cleanup": len(jobs),
            "usage_at_start": at_start,
            "usage_before": before,
            "usage_halfway": halfway,
            "usage_after": after,
            "growth": _growth(before, after),
            "growth_second_half": _growth(halfway, after),
            "growth_since_start": _growth(at_start, after),
            "tcp_sockets_before": sockets_before,
            "tcp_sockets_after": sockets_after,
            "note": "clients poll every 0.2 s (e2e_client_ms has that granularity; the job record has ms); "
            f"before = after a {SOAK_WARM_UP}-job warm-up, halfway = after {SOAK_JOBS // 2} jobs; "
            "RSS in kB (VmRSS), fds = entries of /proc/<pid>/fd, measured once the client's connections "
            "to the API are closed",
            "log_problems": stack.log_problems(),
        }
    out["redis_keys_left"] = stack.keys_left
    return out


def run() -> dict[str, Any]:
    return {"load_average_at_start": list(os.getloadavg()), "concurrent": concurrent(), "soak": soak()}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
