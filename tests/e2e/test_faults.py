"""Faults with real processes: `llt serve` and `llt worker` as children, a real fake LLM, real Redis.

1. LLM fault storms (429s, 5xx bursts, hangs past `LLM_TIMEOUT`, malformed answers): every job
   completes, `summary.llm_failed` counts exactly the calls that failed, and every rule finding of a
   fast-mode run of the same files is in the result.
2. Worker SIGKILLed with two analyses under way: both complete on another worker, each result is
   written once (one `complete` finish across all workers), each job ran at most twice, and the
   result equals an uninterrupted run's (no duplicated findings). `test_worker_kill.py` covers the
   single-job case.
3. Worker SIGTERMed with analyses running and one waiting: the running ones are re-queued at once
   (clients see `pending`, never `failed`) and a replacement worker completes all of them.
4. A private Redis (append-only file, `appendfsync always`) killed mid-run: the API answers 503
   within a bound while it is down, both the API and the worker recover without a restart once it
   is back, and the jobs submitted before the outage complete (the running one by the sweep).

Recovery timers are short (job heartbeat 3 s, sweep 1 s) so recovery takes seconds, not a minute;
the storms run without sweeps, so each of their analyses runs exactly once.
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx
import msgspec
import pytest
import redis

from tests.conftest import REDIS_URL
from tests.e2e.processes import LltProcesses, wait_for
from tests.e2e.support import PrivateRedis, json_log
from tests.fakes.fake_llm import FakeConfig, FakeLLM
from tests.fakes.responders import reviewer_responder

pytestmark = pytest.mark.e2e

TESTS_PER_FILE = 6
DEEP_CALLS = 2 * TESTS_PER_FILE  # deep mode asks two questions (assertions, design) of every test
LLM_MAX_RETRIES = 1
BASE_ENV = {
    "JOB_RETRY_DELAY_SECONDS": "0",
    "WORKER_BEAT_SECONDS": "0.2",
    "WORKER_SEEN_WITHIN": "2",
    "LLM_CACHE_TTL_SECONDS": "600",
    "LOG_FORMAT": "json",  # the tests read the workers' log lines
}
# Recovery in seconds: a job silent for 3 s is swept (its worker beats every 1 s), sweeps every 1 s.
FAST_TIMERS = {**BASE_ENV, "JOB_HEARTBEAT_SECONDS": "3", "WORKER_SWEEP_SECONDS": "1"}
# No sweep after start-up: an analysis of a storm runs exactly once, so the fake LLM's request
# counts belong to one attempt (a sweep could re-run a job whose beats a loaded machine delays).
NO_SWEEP = {**BASE_ENV, "JOB_HEARTBEAT_SECONDS": "30", "WORKER_SWEEP_SECONDS": "3600"}


def suite(tag: str) -> list[dict[str, str]]:
    """Six tests unique to `tag` (so no cached LLM answer applies), seven rule findings among them."""
    content = f'''import time


def test_total_{tag}():
    total = sum([1, 2])
    assert total == 3


def test_nothing_checked_{tag}():
    value = "{tag}"


def test_always_true_{tag}():
    assert True


def test_unused_{tag}():
    unused = "{tag}"
    assert len("{tag}") == 32


def test_sleepy_{tag}():
    time.sleep(0.01)
    assert "{tag}"


def test_weak_{tag}():
    result = "{tag}".upper()
    assert result is not None
'''
    return [{"path": f"tests/test_faults_{tag[:8]}.py", "content": content}]


@dataclass
class Tasks:
    """Submits analyses and polls them, remembering every status a client was shown."""

    client: httpx.Client
    seen: dict[str, list[str]] = field(default_factory=dict)

    def submit(self, files: list[dict[str, str]], mode: str) -> str:
        response = self.client.post("/quality/analyze-async", json={"files": files, "mode": mode})
        assert response.status_code == 202, response.text
        task_id: str = response.json()["task_id"]
        self.seen[task_id] = []
        return task_id

    def poll(self, task_id: str) -> dict[str, Any] | None:
        """The task's body, or None when the API cannot answer (e.g. 503 while Redis is down)."""
        response = self.client.get(f"/tasks/{task_id}")
        if response.status_code != 200:
            return None
        body: dict[str, Any] = response.json()
        self.seen[task_id].append(body["status"])
        return body

    def wait_final(self, task_ids: list[str], timeout_s: float) -> dict[str, dict[str, Any]]:
        """Poll until every task is completed or failed; returns the final bodies."""
        final: dict[str, dict[str, Any]] = {}

        def all_final() -> bool:
            for task_id in task_ids:
                if task_id not in final:
                    body = self.poll(task_id)
                    if body is not None and body["status"] in {"completed", "failed"}:
                        final[task_id] = body
            return len(final) == len(task_ids)

        wait_for(all_final, timeout_s, f"{len(task_ids)} analyses to finish")
        return final

    def never_failed(self, task_id: str) -> bool:
        return "failed" not in self.seen[task_id]


def rule_issues(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [issue for issue in result["issues"] if issue["detected_by"] == "rule"]


def issue_keys(result: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(i["file_path"], i["line"], i["column"], i["code"], i["detected_by"]) for i in result["issues"]]


def stored_job(redis_url: str, queue_name: str, task_id: str) -> dict[str, Any]:
    client = redis.Redis.from_url(redis_url)
    try:
        raw = cast("bytes | None", client.get(f"saq:job:{queue_name}:{task_id}"))
    finally:
        client.close()
    assert raw is not None, f"job {task_id} is not in Redis"
    job: dict[str, Any] = msgspec.json.decode(raw)
    return job


def job_events(*logs: Path) -> dict[str, Counter[str]]:
    """Per job id: how many `job started` and `job finished:<status>` lines all these logs hold."""
    events: dict[str, Counter[str]] = {}
    for log in logs:
        for line in json_log(log):
            if line.get("msg") == "job started":
                events.setdefault(line["job_id"], Counter())["started"] += 1
            elif line.get("msg") == "job finished":
                events.setdefault(line["job_id"], Counter())[f"finished:{line['status']}"] += 1
    return events


# 1. LLM fault storms ------------------------------------------------------------------------------


@dataclass
class StormService:
    tasks: Tasks
    llm: FakeLLM
    queue_name: str


@pytest.fixture(scope="module")
def storm_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StormService]:
    """One API and one worker process for every storm; the fake LLM is reconfigured per storm."""
    with FakeLLM() as llm:
        env = {
            **NO_SWEEP,
            "LLM_BASE_URL": llm.base_url,
            "LLM_MAX_CONCURRENT_CALLS": "10",
            "LLM_MAX_RETRIES": str(LLM_MAX_RETRIES),
            "LLM_TIMEOUT": "0.3",
            "WORKER_CONCURRENCY": "4",
        }
        with LltProcesses(tmp_path_factory.mktemp("storm"), env, label="storm") as llt:
            url = llt.start_api()
            llt.start_worker()
            llt.wait_ready()
            with httpx.Client(base_url=url, timeout=10) as client:
                yield StormService(Tasks(client), llm, llt.queue_name)


def _statuses(stats: dict[str, Any]) -> Counter[str]:
    return Counter({code: int(n) for code, n in stats["statuses"].items()})


STORMS = [
    pytest.param({}, id="healthy"),
    pytest.param({"rate_429": 0.7, "retry_after": 0.05, "seed": 1}, id="429-storm"),
    pytest.param({"rate_429": 1.0, "retry_after": 0.05}, id="429-every-attempt"),
    pytest.param(
        {"fail_first_n": DEEP_CALLS, "fail_first_status": 503, "rate_5xx": 0.3, "status_5xx": 502, "seed": 2},
        id="5xx-burst",
    ),
    pytest.param({"hang_rate": 0.5, "seed": 3}, id="hangs-past-LLM_TIMEOUT"),
    pytest.param({"malformed_rate": 1.0}, id="malformed-answers"),
]


@pytest.mark.parametrize("knobs", STORMS)
def test_llm_fault_storm_every_job_completes_and_counts_its_failed_calls(
    storm_service: StormService, knobs: dict[str, Any]
) -> None:
    llm, tasks = storm_service.llm, storm_service.tasks
    llm.configure(**{**msgspec.structs.asdict(FakeConfig()), **knobs})
    llm.reset()
    tags = [uuid.uuid4().hex for _ in range(2)]
    deep = [tasks.submit(suite(tag), "deep") for tag in tags]
    fast = [tasks.submit(suite(tag), "fast") for tag in tags]

    final = tasks.wait_final(deep + fast, 30)
    wait_for(lambda: llm.stats()["in_flight"] == 0, 5, "the fake LLM's last requests to end")
    stats = llm.stats()

    for task_id in deep + fast:
        assert final[task_id]["status"] == "completed", final[task_id]
        assert tasks.never_failed(task_id)
    for deep_id, fast_id in zip(deep, fast, strict=True):
        result, fast_result = final[deep_id]["result"], final[fast_id]["result"]
        assert len(fast_result["issues"]) == 7
        assert rule_issues(result) == fast_result["issues"], "a rule finding was lost to the LLM faults"
        assert stored_job(REDIS_URL, storm_service.queue_name, deep_id)["attempts"] == 1
        assert result["summary"]["llm_calls"] == DEEP_CALLS
    calls = sum(final[t]["result"]["summary"]["llm_calls"] for t in deep)
    failed = sum(final[t]["result"]["summary"]["llm_failed"] for t in deep)
    statuses = _statuses(stats)
    print(f"{knobs}: {calls} calls, {failed} failed, requests {dict(statuses)}, hung {stats['disconnected']}")
    # A call succeeds with exactly one 200 (when its answer parses): the others are the failed ones.
    if knobs.get("malformed_rate") == 1.0:
        assert failed == calls, "an unparseable answer is a failed call"
        assert stats["requests"] == calls, "a malformed answer is not asked again"
    else:
        assert failed == calls - statuses["200"], (failed, calls, stats["statuses"])
    if not knobs:
        assert failed == 0
        assert statuses == Counter({"200": calls})
    if knobs.get("rate_429") == 1.0:
        assert failed == calls
        assert stats["requests"] == calls * (1 + LLM_MAX_RETRIES), "every call used all its retries"
    if knobs.get("rate_429", 0) > 0:
        assert statuses["429"] > 0
    if "fail_first_n" in knobs:
        assert statuses["503"] == DEEP_CALLS
    if "hang_rate" in knobs:
        assert stats["disconnected"] > 0, "no request hung: the storm did not happen"


# 2. SIGKILL with two analyses under way -----------------------------------------------------------


def _under_way(tasks: Tasks, task_ids: list[str], done_at_least: int) -> bool:
    """Every task is running, and one has had `done_at_least` LLM calls answered.

    (The calls of analyses on one worker share its limit first come, first served, so the second
    analysis's calls wait for the first's.)
    """
    bodies = [tasks.poll(task_id) for task_id in task_ids]
    return all(body is not None and body["status"] == "processing" for body in bodies) and any(
        ((body or {}).get("progress") or {}).get("done", 0) >= done_at_least for body in bodies
    )


def test_sigkill_two_running_jobs_finish_elsewhere_with_one_result_each(tmp_path: Path) -> None:
    with FakeLLM(latency=0.2, responder=reviewer_responder) as llm:
        env = {
            **FAST_TIMERS,
            "LLM_BASE_URL": llm.base_url,
            "LLM_MAX_CONCURRENT_CALLS": "2",
            "WORKER_CONCURRENCY": "2",
        }
        with (
            LltProcesses(tmp_path, env, label="sigkill") as llt,
            httpx.Client(base_url=llt.start_api(), timeout=10) as client,
        ):
            tasks = Tasks(client)
            llt.start_worker(name="worker-a")
            llt.wait_ready(workers=1)
            tags = [uuid.uuid4().hex for _ in range(2)]
            running = [tasks.submit(suite(tag), "deep") for tag in tags]
            wait_for(lambda: _under_way(tasks, running, 2), 20, "both analyses to be under way on A")
            llm.configure(hang_rate=1.0)  # A's next calls hang: neither analysis can end before the kill
            llt.start_worker(name="worker-b")
            llt.wait_ready(workers=2)
            killed_at = time.monotonic()
            llt.processes["worker-a"].kill()
            llt.processes["worker-a"].wait(timeout=10)
            llm.configure(hang_rate=0.0)  # B gets the jobs only after the sweep, well after this
            assert all((tasks.poll(task_id) or {}).get("status") == "processing" for task_id in running)

            final = tasks.wait_final(running, 45)
            recovery_s = time.monotonic() - killed_at
            reference = tasks.submit(suite(tags[0]), "deep")  # the same files, uninterrupted
            uninterrupted = tasks.wait_final([reference], 20)[reference]
            attempts = {task: stored_job(REDIS_URL, llt.queue_name, task)["attempts"] for task in running}

    events = job_events(llt.log_path("worker-a"), llt.log_path("worker-b"))
    on_b = job_events(llt.log_path("worker-b"))
    for task_id in running:
        body = final[task_id]
        assert body["status"] == "completed", body
        assert tasks.never_failed(task_id)
        assert events[task_id]["finished:complete"] == 1, f"{task_id} was completed twice: {events[task_id]}"
        assert on_b[task_id]["finished:complete"] == 1, "worker B did not finish the job"
        assert events[task_id]["started"] <= 2, f"{task_id} ran more than twice: {events[task_id]}"
        assert attempts[task_id] <= 2
        keys = issue_keys(body["result"])
        assert len(keys) == len(set(keys)), "a finding appears twice in the result"
        assert body["result"]["summary"]["total_issues"] == len(keys)
        assert body["result"]["analysis_id"] == task_id
    assert issue_keys(final[running[0]]["result"]) == issue_keys(uninterrupted["result"])
    assert [i for i in uninterrupted["result"]["issues"] if i["detected_by"] == "llm"], (
        "the reference found nothing with the LLM: the comparison shows nothing"
    )
    print(f"recovery of 2 jobs after SIGKILL: {recovery_s:.1f} s")


# 3. SIGTERM with analyses running -----------------------------------------------------------------


def test_sigterm_requeues_running_jobs_and_a_replacement_finishes_all(tmp_path: Path) -> None:
    with FakeLLM(latency=0.2) as llm:
        env = {
            **FAST_TIMERS,
            "LLM_BASE_URL": llm.base_url,
            "LLM_MAX_CONCURRENT_CALLS": "2",
            "WORKER_CONCURRENCY": "2",
        }
        with (
            LltProcesses(tmp_path, env, label="sigterm") as llt,
            httpx.Client(base_url=llt.start_api(), timeout=10) as client,
        ):
            tasks = Tasks(client)
            llt.start_worker(name="worker-a")
            llt.wait_ready(workers=1)
            running = [tasks.submit(suite(uuid.uuid4().hex), "deep") for _ in range(2)]
            wait_for(lambda: _under_way(tasks, running, 1), 20, "both analyses to be under way on A")
            waiting = tasks.submit(suite(uuid.uuid4().hex), "deep")
            assert (tasks.poll(waiting) or {}).get("status") == "pending"

            assert llt.stop("worker-a") == 0
            after_stop = {task_id: tasks.poll(task_id) or {} for task_id in [*running, waiting]}
            for task_id, body in after_stop.items():
                assert body.get("status") == "pending", (task_id, body)

            llt.start_worker(name="worker-b")
            final = tasks.wait_final([*running, waiting], 30)

    for task_id, body in final.items():
        assert body["status"] == "completed", body
        assert tasks.never_failed(task_id), tasks.seen[task_id]
        assert body["result"]["summary"]["llm_failed"] == 0
    events = job_events(llt.log_path("worker-a"), llt.log_path("worker-b"))
    for task_id in running:
        assert events[task_id]["finished:queued"] == 1, f"A did not re-queue {task_id}: {events[task_id]}"
        assert events[task_id]["finished:complete"] == 1
    assert events[waiting]["started"] == 1


# 4. Redis killed and restarted mid-run ------------------------------------------------------------

HANG_GUARD_S = 3.0  # a request must never hang on a dead Redis; it answers 503 well before this


def _timed(call: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def _count(log: Path, msg: str) -> int:
    return sum(1 for line in json_log(log) if line.get("msg") == msg)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_redis_restart_mid_run_api_503s_then_both_recover_and_jobs_complete(tmp_path: Path) -> None:
    data = tmp_path / "redis"
    data.mkdir()
    store = PrivateRedis(data, fsync="always")
    store.start()
    try:
        with FakeLLM(latency=0.4) as llm:  # the deep analysis takes ~5 s: the outage lands in it
            env = {
                **FAST_TIMERS,
                "REDIS_URL": store.url,
                "LLM_BASE_URL": llm.base_url,
                "LLM_MAX_CONCURRENT_CALLS": "1",
                "WORKER_CONCURRENCY": "1",
            }
            with (
                LltProcesses(tmp_path, env, label="redis") as llt,
                httpx.Client(base_url=llt.start_api(), timeout=10) as client,
            ):
                llt.start_worker()
                api, worker = llt.processes["api"], llt.processes["worker"]
                tasks = Tasks(client)
                llt.wait_ready()
                slow = tasks.submit(suite(uuid.uuid4().hex), "deep")
                queued = [tasks.submit(suite(uuid.uuid4().hex), mode) for mode in ("fast", "hybrid")]
                wait_for(lambda: _under_way(tasks, [slow], 1), 20, "the deep analysis to be under way")

                store.freeze()  # first hung: connections stay open, nothing answers
                frozen = _timed(lambda: client.get(f"/tasks/{slow}"))
                store.thaw()
                body = tasks.poll(slow)
                assert body is not None, "the API did not recover from a hung Redis"
                assert body["status"] == "processing", "the analysis ended before the outage: too fast"

                store.kill()  # then gone: a crash, the port refuses connections
                submission = {"files": suite(uuid.uuid4().hex), "mode": "fast"}
                outage = [
                    _timed(lambda: client.get(f"/tasks/{slow}")),
                    _timed(lambda: client.get(f"/tasks/{queued[0]}")),
                    _timed(lambda: client.post("/quality/analyze-async", json=submission)),
                    _timed(lambda: client.get("/ready")),
                ]
                # The running analysis ends while Redis is away: its result cannot be stored.
                wait_for(
                    lambda: any(
                        line.get("msg") == "analysis finished" and line.get("analysis_id") == slow
                        for line in json_log(llt.log_path("worker"))
                    ),
                    15,
                    "the running analysis to end during the outage",
                )
                outage.append(_timed(lambda: client.get(f"/tasks/{slow}")))
                # Now the worker only waits for Redis: watch its CPU over ten of its failed beats.
                beats = _count(llt.log_path("worker"), "worker beat failed")
                cpu_before, window_started = _cpu_seconds(worker.pid), time.monotonic()
                wait_for(
                    lambda: _count(llt.log_path("worker"), "worker beat failed") >= beats + 10,
                    10,
                    "ten more failed beats",
                )
                idle_cpu = (_cpu_seconds(worker.pid) - cpu_before) / (time.monotonic() - window_started)
                assert client.get("/health").status_code == 200  # liveness touches no Redis

                store.start()
                wait_for(lambda: tasks.poll(slow) is not None, 10, "the API to answer again")
                final = tasks.wait_final([slow, *queued], 40)
                assert api.poll() is None, "the API died instead of recovering"
                assert worker.poll() is None, "the worker died instead of recovering"
                stored = stored_job(store.url, llt.queue_name, slow)
    finally:
        store.close()

    print(
        "503 during the outage in "
        + ", ".join(
            f"{r.request.method} {r.request.url.path}: {t * 1000:.0f} ms" for r, t in [frozen, *outage]
        )
    )
    for response, elapsed in [frozen, *outage]:
        assert response.status_code == 503, response.text
        assert response.headers.get("retry-after"), "a 503 must say when to retry"
        assert elapsed < HANG_GUARD_S, f"{response.request.url.path} hung {elapsed:.1f} s on a dead Redis"
    assert outage[0][0].json()["extra"]["code"] == "redis_unavailable"
    for task_id, body in final.items():
        assert body["status"] == "completed", body
        assert tasks.never_failed(task_id), tasks.seen[task_id]
    assert stored["attempts"] == 2, "the interrupted analysis runs again once, after the sweep"
    assert len(rule_issues(final[slow]["result"])) == 7
    # SAQ starts the next dequeue as soon as one fails: without a pause, a dead Redis spins a core.
    print(f"worker CPU while Redis was down: {idle_cpu:.0%}")
    assert idle_cpu < 0.25, f"the worker used {idle_cpu:.0%} of a CPU while waiting for Redis"
