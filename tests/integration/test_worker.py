"""The SAQ task and worker on real Redis: results, deliberate failures, progress writes, the alive beat."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import msgspec
import pytest
from saq import Worker
from saq.job import TERMINAL_STATUSES, Job, Status
from saq.queue.redis import RedisQueue

from jobs.contracts import QualityAnalysisResponse
from jobs.errors import ConfigError
from jobs.settings import Settings
from jobs.tasks import TASK_NAME, JobReporter, workers_seen_key
from jobs.worker import WorkerSettings, make_worker_queue, worker_config, worker_settings_from_env
from service.tasks import task_response
from tests.conftest import REDIS_URL, delete_queue_keys, unique_queue_name

pytestmark = pytest.mark.integration

TEST_FILE = {"path": "tests/test_a.py", "content": "def test_a():\n    value = 1\n"}


@pytest.fixture
async def setup() -> AsyncIterator[tuple[WorkerSettings, RedisQueue]]:
    settings = WorkerSettings(
        core=Settings(redis_url=REDIS_URL), queue_name=unique_queue_name("worker"), beat_seconds=0.1
    )
    queue = make_worker_queue(settings)
    await queue.connect()
    yield settings, queue
    await queue.disconnect()
    delete_queue_keys(settings.queue_name)


@asynccontextmanager
async def running_worker(settings: WorkerSettings) -> AsyncIterator[Worker[Any]]:
    worker: Worker[Any] = Worker(**worker_config(settings, embedded=True))
    worker.SIGNALS = []
    await worker.queue.connect()
    task = asyncio.create_task(worker.start())
    try:
        yield worker
    finally:
        await worker.stop()
        await task
        await worker.queue.disconnect()


async def eventually(check: Callable[[], Awaitable[Any]], timeout_s: float = 10.0) -> Any:
    """Poll `check` until it returns something truthy (bounded)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if value := await check():
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"condition not met within {timeout_s} s")


async def finished(queue: RedisQueue, key: str) -> Job:
    async def done() -> Job | None:
        job = await queue.job(key)
        return job if job is not None and job.status in TERMINAL_STATUSES else None

    result: Job = await eventually(done)
    return result


async def enqueue(queue: RedisQueue, key: str, mode: str, **options: Any) -> None:
    request = {"files": [TEST_FILE], "mode": mode}
    job = await queue.enqueue(TASK_NAME, key=key, retries=3, timeout=60, request=request, **options)
    assert job is not None


async def test_the_result_is_the_analysis_and_a_rerun_recomputes_it(
    setup: tuple[WorkerSettings, RedisQueue],
) -> None:
    settings, queue = setup
    async with running_worker(settings):
        await enqueue(queue, "job-1", "fast")
        first = await finished(queue, "job-1")
        await enqueue(queue, "job-1", "fast")  # SAQ runs a finished key again (a retry does the same)
        second = await finished(queue, "job-1")
    assert first.status is Status.COMPLETE
    response = msgspec.convert(first.result, QualityAnalysisResponse)
    assert response.analysis_id == "job-1"
    assert response.issues
    assert second.result["issues"] == first.result["issues"]
    assert second.result["analysis_id"] == "job-1"
    assert task_response(first).status == "completed"


async def test_a_deliberate_failure_is_final_and_explained(setup: tuple[WorkerSettings, RedisQueue]) -> None:
    settings, queue = setup  # this worker has no LLM, and deep mode needs one
    async with running_worker(settings):
        await enqueue(queue, "job-deep", "deep")
        job = await finished(queue, "job-deep")
    assert job.status is Status.FAILED
    assert job.attempts == 1, "a deliberate error must not be retried"
    view = task_response(job)
    assert view.status == "failed"
    assert view.error is not None
    assert view.error.code == "llm_not_configured"
    assert "LLM_BASE_URL" in view.error.message
    assert "Traceback" not in view.error.message


async def test_a_worker_says_it_is_alive_and_leaves_when_stopped(
    setup: tuple[WorkerSettings, RedisQueue],
) -> None:
    settings, queue = setup
    key = workers_seen_key(settings.queue_name)
    async with running_worker(settings) as worker:
        await eventually(lambda: queue.redis.zscore(key, str(worker.id)))
    assert await queue.redis.zscore(key, str(worker.id)) is None


class CountingJob:
    """Counts `update()` calls of a real job."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.writes = 0
        self._update = job.update

    async def update(self, **changes: Any) -> None:
        self.writes += 1
        await self._update(**changes)


async def stored(queue: RedisQueue, key: str) -> Job:
    job = await queue.job(key)
    assert job is not None
    return job


async def test_progress_writes_are_throttled_and_the_last_one_always_lands(
    setup: tuple[WorkerSettings, RedisQueue],
) -> None:
    _, queue = setup
    await enqueue(queue, "job-progress", "fast")
    job = await stored(queue, "job-progress")
    counter = CountingJob(job)
    job.update = counter.update  # type: ignore[method-assign]
    reporter = JobReporter(job)
    for done in range(1, 101):
        await reporter.progress(done, 100)
    assert counter.writes <= 3
    latest = await stored(queue, "job-progress")
    assert latest.meta["progress"] == {"done": 100, "total": 100}
    assert latest.progress == 1.0


async def test_the_heartbeat_refreshes_a_running_job(setup: tuple[WorkerSettings, RedisQueue]) -> None:
    _, queue = setup
    await enqueue(queue, "job-beat", "fast", heartbeat=1)
    job = await stored(queue, "job-beat")
    counter = CountingJob(job)
    job.update = counter.update  # type: ignore[method-assign]
    async with JobReporter(job).heartbeat():
        await eventually(lambda: asyncio.sleep(0, result=counter.writes >= 2), timeout_s=5)
    assert (await stored(queue, "job-beat")).touched > 0


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"QUEUE_NAME": "has space"}, "QUEUE_NAME"),
        ({"WORKER_SWEEP_SECONDS": "0"}, "WORKER_SWEEP_SECONDS"),
        ({"WORKER_BEAT_SECONDS": "often"}, "WORKER_BEAT_SECONDS"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"WORKER_CONCURRENCY": "0"}, "WORKER_CONCURRENCY"),
    ],
)
def test_bad_worker_settings_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        worker_settings_from_env(env)
