"""The API's side of the SAQ queue: submit an analysis, read or wait for a task, check readiness.

Every Redis call of a request is bounded (`REDIS_TIMEOUT`, socket timeouts, one quick retry), so a
Redis that is down or hanging turns into a 503 with `Retry-After` within about two seconds instead
of a hung request. Waiting for a task polls `queue.job()` (no pub/sub connection to keep alive).

Status mapping (design section 2): new/queued → pending; active and aborting → processing;
complete → completed; failed or aborted → pending while retries are left (SAQ will run it again),
failed once none are left. A client never sees `failed` for a job that is about to be retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Final

import msgspec
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from saq.job import Job, Status
from saq.queue.redis import RedisQueue

from jobs.contracts import QualityAnalysisResponse
from jobs.tasks import (
    META_ERROR,
    META_PROGRESS,
    META_REQUEST_ID,
    TASK_NAME,
    dump_job,
    load_job,
    workers_seen_key,
)
from service.errors import AnalysisFailed, QueueFull, RedisUnavailable, SyncWaitTimeout
from service.schemas import Progress, TaskError, TaskStatus, TaskStatusResponse
from service.settings import ServiceSettings

POLL_FIRST_S: Final = 0.05
POLL_MAX_S: Final = 0.5
API_REDIS_CONNECTIONS: Final = 64  # per API process
_PENDING: Final = {Status.NEW, Status.QUEUED}
_PROCESSING: Final = {Status.ACTIVE, Status.ABORTING}


def make_api_queue(settings: ServiceSettings) -> RedisQueue:
    """The API's queue: short connect and socket timeouts and a single immediate retry."""
    pool = BlockingConnectionPool.from_url(
        settings.core.redis_url,
        max_connections=API_REDIS_CONNECTIONS,  # a burst of requests waits for a connection (up to
        timeout=settings.redis_timeout,  # REDIS_TIMEOUT, then 503) instead of opening hundreds
        socket_connect_timeout=settings.redis_timeout,
        socket_timeout=settings.redis_timeout,
        retry=Retry(NoBackoff(), 1),
    )
    redis: Redis = Redis(connection_pool=pool)
    return RedisQueue(redis, name=settings.queue_name, dump=dump_job, load=load_job)


def client_status(job: Job) -> TaskStatus:
    """What a client sees for a SAQ status (see the module docstring)."""
    if job.status in _PENDING:
        return "pending"
    if job.status in _PROCESSING:
        return "processing"
    if job.status is Status.COMPLETE:
        return "completed"
    return "pending" if job.retryable else "failed"


def task_error(job: Job) -> TaskError:
    """A failed job's reason, without the traceback SAQ stores."""
    stored = job.meta.get(META_ERROR)
    if isinstance(stored, dict) and isinstance(stored.get("message"), str):
        return TaskError(message=stored["message"], code=str(stored.get("code", "analysis_failed")))
    if job.status is Status.ABORTED:
        return TaskError(
            message="the analysis was interrupted (its worker stopped responding) and no retries are left",
            code="aborted",
        )
    if "TimeoutError" in (job.error or ""):
        return TaskError(
            message=f"the analysis took longer than its {job.timeout} s limit (JOB_TIMEOUT_SECONDS)",
            code="timeout",
        )
    return TaskError(
        message="the analysis failed on our side; the worker log has the details", code="internal_error"
    )


def _progress(job: Job) -> Progress | None:
    stored = job.meta.get(META_PROGRESS)
    if (
        isinstance(stored, dict)
        and isinstance(stored.get("done"), int)
        and isinstance(stored.get("total"), int)
    ):
        return Progress(done=stored["done"], total=stored["total"])
    return None


def _created_at(job: Job) -> str:
    millis = job.queued or int(time.time() * 1000)
    return (
        datetime.fromtimestamp(millis / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def task_response(job: Job) -> TaskStatusResponse:
    """The wire view of a job."""
    status = client_status(job)
    result = None
    if status == "completed" and job.result is not None:
        result = msgspec.convert(job.result, QualityAnalysisResponse)
    return TaskStatusResponse(
        task_id=job.key,
        status=status,
        created_at=_created_at(job),
        progress=_progress(job),
        result=result,
        error=task_error(job) if status == "failed" else None,
    )


def is_task_id(value: str) -> bool:
    """True for the uuid strings we hand out as task ids (lower-case, hyphenated)."""
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


class TaskQueue:
    """Submit, read and wait for analyses on one SAQ queue, every Redis call bounded."""

    def __init__(self, queue: RedisQueue, settings: ServiceSettings) -> None:
        self.queue = queue
        self.settings = settings

    @contextlib.asynccontextmanager
    async def _redis(self) -> AsyncIterator[None]:
        """Bound the block by 1.5 x REDIS_TIMEOUT; any Redis trouble becomes a 503."""
        try:
            async with asyncio.timeout(self.settings.redis_timeout * 1.5):
                yield
        except (RedisError, OSError, TimeoutError) as exc:
            raise RedisUnavailable(
                f"the task store (Redis) is not answering ({type(exc).__name__}); try again shortly",
                retry_after=self.settings.retry_after_seconds,
            ) from exc

    async def submit(self, payload: dict[str, Any], *, request_id: str | None = None) -> Job:
        """Enqueue one analysis; QueueFull when `QUEUE_MAX_PENDING` jobs are already waiting."""
        core = self.settings.core
        async with self._redis():
            waiting = await self.queue.count("queued")
            if waiting >= self.settings.queue_max_pending:
                raise QueueFull(
                    f"{waiting} analyses are waiting, the limit is {self.settings.queue_max_pending} "
                    "(QUEUE_MAX_PENDING); retry after the Retry-After delay",
                    retry_after=self.settings.retry_after_seconds,
                )
            job = await self.queue.enqueue(
                TASK_NAME,
                key=str(uuid.uuid4()),
                timeout=core.job_timeout_seconds,
                heartbeat=self.settings.job_heartbeat_seconds,
                retries=core.job_retries,
                retry_delay=self.settings.job_retry_delay_seconds,
                retry_backoff=self.settings.job_retry_max_delay_seconds,
                ttl=core.task_ttl_seconds,
                meta={META_REQUEST_ID: request_id} if request_id else {},
                request=payload,
            )
        if job is None:  # a fresh uuid4 key cannot collide; SAQ returns None only for a duplicate
            raise RuntimeError("SAQ refused a new job key")
        return job

    async def get(self, task_id: str) -> Job | None:
        """The job of `task_id`, or None when it is unknown or expired."""
        if not is_task_id(task_id):
            return None
        async with self._redis():
            return await self.queue.job(task_id)

    async def wait(self, task_id: str, timeout_s: float) -> Job:
        """Poll until the task is completed or failed for good; SyncWaitTimeout after `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        delay = POLL_FIRST_S
        while True:
            job = await self.get(task_id)
            if job is None:
                raise AnalysisFailed(f"task {task_id} disappeared from the task store", task_id=task_id)
            if client_status(job) in {"completed", "failed"}:
                return job
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await asyncio.sleep(min(delay, remaining))
            delay = min(delay * 1.5, POLL_MAX_S)
        raise SyncWaitTimeout(
            f"the analysis did not finish within {timeout_s:g} s (SYNC_WAIT_TIMEOUT); "
            f"poll GET /tasks/{task_id} for the result",
            task_id=task_id,
            location=f"/tasks/{task_id}",
        )

    async def ping(self) -> None:
        """Raise RedisUnavailable unless Redis answers a PING in time."""
        async with self._redis():
            await self.queue.redis.ping()  # type: ignore[misc]  # redis-py types ping() as sync|async

    async def workers_seen(self) -> int:
        """How many workers of this queue said they were alive within `WORKER_SEEN_WITHIN`."""
        since = time.time() - self.settings.worker_seen_within
        async with self._redis():
            count: int = await self.queue.redis.zcount(workers_seen_key(self.queue.name), since, "+inf")
        return count

    async def depth(self) -> int:
        """Jobs waiting to start."""
        async with self._redis():
            return await self.queue.count("queued")
