"""A worker process killed with SIGKILL mid-analysis: a second worker process finishes the job.

Real processes (A: `python -m saq jobs.worker.settings --quiet`, B: `service.serve.run_worker`),
real Redis, the API on loopback and the fake LLM slow enough that the kill lands mid-run.
Recovery takes the job heartbeat (2 s) plus a sweep interval (1 s) plus SAQ's fixed 5 s abort
wait, then the rerun.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
import redis

from tests.conftest import REDIS_URL, LiveApi, unique_queue_name
from tests.fakes.fake_llm import FakeLLM

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SAQ_CLI = [sys.executable, "-m", "saq", "jobs.worker.settings", "--quiet"]
RUN_WORKER = [sys.executable, "-c", "from service.serve import run_worker; run_worker()"]
Spawn = Callable[[dict[str, str], str, list[str]], subprocess.Popen[bytes]]


def wait_for(check: Callable[[], Any], timeout_s: float, what: str) -> Any:
    """Poll `check` until it returns something truthy (bounded)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


@pytest.fixture
def spawn_worker(tmp_path: Path) -> Iterator[Spawn]:
    processes: list[subprocess.Popen[bytes]] = []

    def spawn(env: dict[str, str], name: str, command: list[str]) -> subprocess.Popen[bytes]:
        with (tmp_path / f"worker-{name}.log").open("wb") as log:
            process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log)
        processes.append(process)
        return process

    yield spawn
    for process in processes:
        if process.poll() is None:
            process.terminate()  # SIGTERM: a worker stops at once (its job, if any, is re-queued)
            process.wait(timeout=5)


def deep_suite(tests: int) -> list[dict[str, str]]:
    tag = uuid.uuid4().hex  # unique test bodies: no LLM answer comes from the cache
    body = "\n\n".join(
        f"def test_case_{i}():\n    value = '{tag}-{i}'\n    assert value\n" for i in range(tests)
    )
    return [{"path": "tests/test_kill.py", "content": body}]


def workers_seen(client: httpx.Client) -> int:
    response = client.get("/ready")
    if response.status_code != 200:
        return 0
    return int(response.json()["checks"]["workers"].split()[0])


def stored_attempts(queue_name: str, task_id: str) -> int:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        raw = client.get(f"saq:job:{queue_name}:{task_id}")
    finally:
        client.close()
    assert raw is not None
    return int(msgspec.json.decode(raw)["attempts"])


def test_a_sigkilled_workers_job_is_finished_by_another_worker(
    live_api: LiveApi, spawn_worker: Spawn
) -> None:
    queue_name = unique_queue_name("kill")
    with FakeLLM(latency=0.25) as llm:
        shared = {
            "REDIS_URL": REDIS_URL,
            "QUEUE_NAME": queue_name,
            "LLM_BASE_URL": llm.base_url,
            "LLM_MAX_CONCURRENT_CALLS": "1",
            "LLM_CACHE_TTL_SECONDS": "600",
        }
        api_env = {
            **shared,
            "JOB_HEARTBEAT_SECONDS": "2",
            "JOB_RETRY_DELAY_SECONDS": "0",
            "WORKER_SEEN_WITHIN": "2",
        }
        worker_env = {
            **shared,
            "WORKER_SWEEP_SECONDS": "1",
            "WORKER_BEAT_SECONDS": "0.2",
            "LOG_FORMAT": "text",
        }
        with httpx.Client(base_url=live_api(api_env, label="kill"), timeout=10) as client:
            first = spawn_worker(worker_env, "a", SAQ_CLI)
            wait_for(lambda: workers_seen(client) == 1, 20, "worker A to start")

            accepted = client.post("/quality/analyze-async", json={"files": deep_suite(8), "mode": "deep"})
            assert accepted.status_code == 202, accepted.text
            task_id = accepted.json()["task_id"]
            statuses: list[str] = []

            def status() -> dict[str, Any]:
                body: dict[str, Any] = client.get(f"/tasks/{task_id}").json()
                statuses.append(body["status"])
                return body

            def mid_run() -> bool:
                body = status()
                return body["status"] == "processing" and (body["progress"] or {}).get("done", 0) >= 2

            wait_for(mid_run, 20, "the analysis to be under way on worker A")
            spawn_worker(worker_env, "b", RUN_WORKER)
            wait_for(lambda: workers_seen(client) == 2, 20, "worker B to start")
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            assert status()["status"] == "processing"  # the job still looks active: nobody knows yet

            final = wait_for(
                lambda: (b := status())["status"] in {"completed", "failed"} and b, 45, "recovery"
            )

    assert final["status"] == "completed", final
    assert "failed" not in statuses
    assert final["result"]["analysis_id"] == task_id
    assert final["result"]["summary"]["total_issues"] == len(final["result"]["issues"])
    assert stored_attempts(queue_name, task_id) == 2
