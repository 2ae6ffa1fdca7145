"""The SAQ task that runs one analysis, and the names the API and the workers share.

The API enqueues `analyze` with the request as a plain dict (`request=`) and the task id as the
job key; the task decodes it, runs `run_analysis` with the worker's reviewer and returns the
`QualityAnalysisResponse` as plain data. The job key is the analysis id, so a retried job (after a
crash or a sweep) simply recomputes the same analysis: the task is idempotent.

While the analysis runs, a `JobReporter` owns every write to the stored job: progress
(`meta["progress"] = {"done", "total"}` and `job.progress`, at most ~4 writes a second), the
heartbeat that keeps SAQ's sweep from taking a live job for a dead one (SAQ's heartbeat is
manual: only `job.update()` refreshes it), and a safe `meta["error"] = {"message", "code"}` when
the analysis fails on purpose (the traceback SAQ keeps in `job.error` is never shown to a client).
A deliberate error (`LltError`, e.g. deep mode on a worker without an LLM) is not retried: the same
input would fail the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any, Final

import msgspec
from loguru import logger
from redis.exceptions import RedisError
from saq.job import Job
from saq.types import Context

from jobs.contracts import QualityAnalysisRequest
from jobs.errors import InputError, LltError
from jobs.llm.review import Reviewer
from jobs.pipeline import run_analysis

TASK_NAME: Final = "analyze"
DEFAULT_QUEUE_NAME: Final = "llt"
QUEUE_NAME_RE: Final = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

META_PROGRESS: Final = "progress"
META_ERROR: Final = "error"
META_REQUEST_ID: Final = "request_id"

PROGRESS_MIN_INTERVAL_S: Final = 0.25
MIN_BEAT_INTERVAL_S: Final = 0.5


class WorkerContext(Context, total=False):
    """SAQ's context plus what our worker startup adds (one per worker process)."""

    reviewer: Reviewer | None


def workers_seen_key(queue_name: str) -> str:
    """Redis sorted set of worker id → last time (epoch s) a worker of `queue_name` was alive."""
    return f"llt:workers:{queue_name}"


def dump_job(job: Mapping[Any, Any]) -> bytes:
    """SAQ `dump`: a job dict as JSON bytes."""
    return msgspec.json.encode(job)


def load_job(raw: bytes | str) -> Any:
    """SAQ `load`: JSON bytes back to a job dict."""
    return msgspec.json.decode(raw)


class JobReporter:
    """Every write of a running job to Redis goes through here, one at a time.

    Writes are best effort: a Redis blip while reporting progress must not fail the analysis
    (the result is written by SAQ at the end, and that one does fail loudly).
    """

    def __init__(self, job: Job, min_interval_s: float = PROGRESS_MIN_INTERVAL_S) -> None:
        self._job = job
        self._lock = asyncio.Lock()
        self._min_interval_s = min_interval_s
        self._last_write = 0.0

    async def begin(self) -> None:
        """Clear what an earlier attempt left in `meta` (progress, error)."""
        meta = {k: v for k, v in self._job.meta.items() if k not in {META_PROGRESS, META_ERROR}}
        await self._write(meta=meta, progress=0.0)

    async def progress(self, done: int, total: int) -> None:
        """Record `done` of `total` LLM calls; skipped when the last write was too recent."""
        now = time.monotonic()
        if done < total and now - self._last_write < self._min_interval_s:
            return
        self._last_write = now
        meta = {**self._job.meta, META_PROGRESS: {"done": done, "total": total}}
        await self._write(meta=meta, progress=done / total if total else 1.0)

    async def fail(self, error: LltError) -> None:
        """Store a message a client may see, and spend the remaining retries (it would fail again)."""
        self._job.retries = self._job.attempts
        meta = {**self._job.meta, META_ERROR: {"message": error.message, "code": error.code}}
        await self._write(meta=meta)

    @contextlib.asynccontextmanager
    async def heartbeat(self) -> AsyncIterator[None]:
        """Refresh the job's `touched` time every third of its heartbeat while the block runs."""
        if not self._job.heartbeat:
            yield
            return
        every = max(MIN_BEAT_INTERVAL_S, self._job.heartbeat / 3)
        beater = asyncio.create_task(self._beat(every), name=f"heartbeat {self._job.key}")
        try:
            yield
        finally:
            beater.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beater

    async def _beat(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            await self._write()

    async def _write(self, **changes: Any) -> None:
        async with self._lock:
            try:
                await self._job.update(**changes)
            except (RedisError, OSError) as exc:
                logger.warning("job update failed", job_id=self._job.key, error_type=type(exc).__name__)


def decode_request(request: Mapping[str, Any]) -> QualityAnalysisRequest:
    """The task's payload as the engine's request; InputError names what is wrong."""
    try:
        return msgspec.convert(request, QualityAnalysisRequest)
    except msgspec.ValidationError as exc:
        raise InputError(f"the stored request is not valid: {exc}") from None


async def analyze(ctx: WorkerContext, *, request: dict[str, Any]) -> dict[str, Any]:
    """SAQ task: analyse the files of `request`; returns a `QualityAnalysisResponse` as plain data."""
    job = ctx["job"]
    reporter = JobReporter(job)
    await reporter.begin()
    try:
        parsed = decode_request(request)
        async with reporter.heartbeat():
            response = await run_analysis(
                parsed, reviewer=ctx.get("reviewer"), progress=reporter.progress, analysis_id=job.key
            )
    except LltError as exc:
        await reporter.fail(exc)
        logger.warning("analysis refused", job_id=job.key, code=exc.code, error=exc.message)
        raise
    result: dict[str, Any] = msgspec.to_builtins(response)
    return result
