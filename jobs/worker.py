"""SAQ worker settings: `saq jobs.worker.settings --quiet` (or `llt worker`) runs the analyses.

`settings` is a function (the SAQ CLI calls it), so importing this module reads no environment and
opens nothing. Per worker process, the startup hook sets up logging and telemetry (after any
fork), builds one `Reviewer` (one LLM connection pool, the process or fleet limit, the Redis
answer cache) when `LLM_BASE_URL` is set, and starts the "worker seen" beat that `GET /ready` reads.

Settings (environment, read once; a bad value raises `ConfigError` naming the variable):
`QUEUE_NAME` (llt), `WORKER_SWEEP_SECONDS` (10: how often stuck jobs of dead workers are looked
for), `WORKER_BEAT_SECONDS` (5: how often the worker says it is alive), `LOG_LEVEL`, `LOG_FORMAT`,
plus everything in `jobs.settings` (`REDIS_URL`, `WORKER_CONCURRENCY`, `LLM_*`, ...).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any, Final, Literal

import msgspec
from loguru import logger
from redis.asyncio import Redis
from redis.exceptions import RedisError
from saq.job import Job
from saq.queue.redis import RedisQueue
from saq.types import SettingsDict

from jobs.errors import ConfigError
from jobs.llm.cache import RedisCache
from jobs.llm.factory import build_reviewer
from jobs.settings import Settings, settings_from_env
from jobs.tasks import DEFAULT_QUEUE_NAME, QUEUE_NAME_RE, TASK_NAME, analyze, dump_job, load_job
from jobs.tasks import workers_seen_key as _seen_key
from telemetry import setup_telemetry, shutdown_telemetry
from telemetry.attributes import SERVICE_NAME_WORKER
from telemetry.logging import setup_logging
from telemetry.metrics import record_task_outcome
from telemetry.propagation import after_process, before_process

LogFormat = Literal["json", "text"]
LOG_LEVELS: Final = ("TRACE", "DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL")

# A blocking dequeue is re-issued every DEQUEUE_TIMEOUT_S, so a socket timeout a little above it
# detects a Redis that vanished without closing the connection.
DEQUEUE_TIMEOUT_S: Final = 5.0
SOCKET_TIMEOUT_S: Final = 10.0
CONNECT_TIMEOUT_S: Final = 5.0
SEEN_RETENTION_S: Final = 3600
SHUTDOWN_REDIS_TIMEOUT_S: Final = 1.0
# SAQ starts the next dequeue as soon as one fails: the pause keeps a Redis outage from busy-looping.
DEQUEUE_ERROR_PAUSE_S: Final = 0.5
_JOB_CONTEXT_KEY: Final = "llt_job_log_context"


class WorkerSettings(msgspec.Struct, frozen=True, kw_only=True):
    """What a worker process needs. Env var in brackets."""

    core: Settings = msgspec.field(default_factory=Settings)  # jobs.settings: REDIS_URL, LLM_*, ...
    queue_name: str = DEFAULT_QUEUE_NAME  # QUEUE_NAME
    sweep_seconds: int = 10  # WORKER_SWEEP_SECONDS
    beat_seconds: float = 5.0  # WORKER_BEAT_SECONDS
    log_level: str = "INFO"  # LOG_LEVEL
    log_format: LogFormat = "json"  # LOG_FORMAT


def parse_queue_name(name: str, raw: str) -> str:
    if not QUEUE_NAME_RE.match(raw):
        raise ConfigError(f"{name} must be 1-64 letters, digits, '.', '_' or '-', got {raw!r}")
    return raw


def parse_log_level(name: str, raw: str) -> str:
    level = raw.upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"{name} must be one of {', '.join(LOG_LEVELS)}, got {raw!r}")
    return level


def parse_log_format(name: str, raw: str) -> str:
    if raw not in ("json", "text"):
        raise ConfigError(f"{name} must be json or text, got {raw!r}")
    return raw


def parse_number(lo: float, hi: float, *, whole: bool = False) -> Callable[[str, str], float | int]:
    """A parser for a number between `lo` and `hi` (a whole number when `whole`)."""

    def parse(name: str, raw: str) -> float | int:
        try:
            value: float | int = int(raw) if whole else float(raw)
        except ValueError:
            kind = "a whole number" if whole else "a number"
            raise ConfigError(f"{name} must be {kind}, got {raw!r}") from None
        if not lo <= value <= hi:
            raise ConfigError(f"{name} must be between {lo:g} and {hi:g}, got {value}")
        return value

    return parse


def read_env(
    env: Mapping[str, str], parsers: Mapping[str, tuple[str, Callable[[str, str], object]]]
) -> dict[str, object]:
    """Parse the variables of `parsers` that are set (empty counts as unset) into field values."""
    values: dict[str, object] = {}
    for var, (field, parse) in parsers.items():
        raw = env.get(var, "").strip()
        if raw:
            values[field] = parse(var, raw)
    return values


WORKER_PARSERS: Final[dict[str, tuple[str, Callable[[str, str], object]]]] = {
    "QUEUE_NAME": ("queue_name", parse_queue_name),
    "WORKER_SWEEP_SECONDS": ("sweep_seconds", parse_number(1, 3600, whole=True)),
    "WORKER_BEAT_SECONDS": ("beat_seconds", parse_number(0.1, 600)),
    "LOG_LEVEL": ("log_level", parse_log_level),
    "LOG_FORMAT": ("log_format", parse_log_format),
}


def worker_settings_from_env(env: Mapping[str, str] | None = None) -> WorkerSettings:
    """Worker settings from `env` (default: the process environment)."""
    env = os.environ if env is None else env
    values = read_env(env, WORKER_PARSERS)
    return WorkerSettings(core=settings_from_env(env), **values)  # type: ignore[arg-type]


class WorkerQueue(RedisQueue):
    """SAQ's Redis queue, pausing `DEQUEUE_ERROR_PAUSE_S` after a dequeue that failed.

    Each of SAQ's `concurrency` process loops issues its next dequeue as soon as the last one
    returns or raises, so while Redis refuses connections every loop would retry thousands of
    times a second (a whole CPU) until Redis is back.
    """

    async def dequeue(self, timeout: float = 0.0, poll_interval: float = 0.0) -> Job | None:
        try:
            return await super().dequeue(timeout, poll_interval)
        except (RedisError, OSError):
            await asyncio.sleep(DEQUEUE_ERROR_PAUSE_S)
            raise


def make_worker_queue(settings: WorkerSettings) -> RedisQueue:
    """The worker's queue: connect timeout, and socket timeouts that suit a blocking dequeue."""
    redis: Redis = Redis.from_url(
        settings.core.redis_url,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=SOCKET_TIMEOUT_S,
        socket_keepalive=True,
    )
    return WorkerQueue(redis, name=settings.queue_name, dump=dump_job, load=load_job)


async def mark_seen(redis: Redis, queue_name: str, worker_id: str) -> None:
    """Record that `worker_id` is alive now; forget workers not seen for an hour."""
    now = time.time()
    key = _seen_key(queue_name)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.zadd(key, {worker_id: now})
        pipe.zremrangebyscore(key, 0, now - SEEN_RETENTION_S)
        pipe.expire(key, SEEN_RETENTION_S)
        await pipe.execute()


class WorkerHooks:
    """The worker's lifecycle hooks; `embedded` = inside the API process (which owns logging)."""

    def __init__(self, settings: WorkerSettings, queue: RedisQueue, *, embedded: bool = False) -> None:
        self.settings = settings
        self.queue = queue
        self.embedded = embedded
        self._beat: asyncio.Task[None] | None = None

    async def startup(self, ctx: MutableMapping[str, Any]) -> None:
        if not self.embedded:
            setup_logging(self.settings.log_level, self.settings.log_format)
            setup_telemetry(SERVICE_NAME_WORKER)
        core, redis = self.settings.core, self.queue.redis
        ctx["reviewer"] = build_reviewer(core, RedisCache(redis, core.llm_cache_ttl_seconds), redis)
        worker_id = str(ctx["worker"].id)
        self._beat = asyncio.create_task(self._beat_forever(worker_id), name="worker seen")
        logger.info(
            "worker started",
            worker_id=worker_id,
            queue=self.queue.name,
            concurrency=self.settings.core.worker_concurrency,
            llm=self.settings.core.llm_enabled,
            pid=os.getpid(),
        )

    async def shutdown(self, ctx: MutableMapping[str, Any]) -> None:
        if self._beat is not None:
            self._beat.cancel()
            await asyncio.wait({self._beat}, timeout=SHUTDOWN_REDIS_TIMEOUT_S)
        reviewer = ctx.get("reviewer")
        if reviewer is not None:
            await reviewer.aclose()
        # bounded: a connection left mid-dequeue by the cancelled loops can stall for the whole
        # socket timeout, and a stopping worker must not hang its process
        with contextlib.suppress(RedisError, OSError, TimeoutError):
            async with asyncio.timeout(SHUTDOWN_REDIS_TIMEOUT_S):
                await self.queue.redis.zrem(_seen_key(self.queue.name), str(ctx["worker"].id))
        logger.info("worker stopped", worker_id=str(ctx["worker"].id))
        if not self.embedded:
            shutdown_telemetry()

    async def before_process(self, ctx: MutableMapping[str, Any]) -> None:
        job = ctx["job"]
        await before_process(ctx)
        bound = logger.contextualize(job_id=job.key, request_id=job.meta.get("request_id"))
        bound.__enter__()
        ctx[_JOB_CONTEXT_KEY] = bound
        logger.info("job started", attempt=job.attempts, function=job.function)

    async def after_process(self, ctx: MutableMapping[str, Any]) -> None:
        job = ctx["job"]
        status = job.status.value
        exception = ctx.get("exception")
        logger.info(
            "job finished",
            status=status,
            attempt=job.attempts,
            error_type=type(exception).__name__ if exception is not None else None,
        )
        if status in {"complete", "failed", "aborted"}:
            record_task_outcome(status)
        bound = ctx.pop(_JOB_CONTEXT_KEY, None)
        if bound is not None:
            bound.__exit__(None, None, None)
        await after_process(ctx)

    async def _beat_forever(self, worker_id: str) -> None:
        me = asyncio.current_task()
        # redis-py can swallow a cancellation that lands inside a command, so the loop also stops
        # once a cancellation has been requested, whether or not it was delivered
        while me is None or not me.cancelling():
            try:
                await mark_seen(self.queue.redis, self.queue.name, worker_id)
            except (RedisError, OSError) as exc:
                logger.warning("worker beat failed", error_type=type(exc).__name__)
            await asyncio.sleep(self.settings.beat_seconds)


def worker_config(settings: WorkerSettings | None = None, *, embedded: bool = False) -> SettingsDict[Any]:
    """The keyword arguments of `saq.Worker` for these settings."""
    settings = settings or worker_settings_from_env()
    queue = make_worker_queue(settings)
    hooks = WorkerHooks(settings, queue, embedded=embedded)
    return {
        "queue": queue,
        "functions": [(TASK_NAME, analyze)],
        "concurrency": settings.core.worker_concurrency,
        "startup": hooks.startup,
        "shutdown": hooks.shutdown,
        "before_process": hooks.before_process,
        "after_process": hooks.after_process,
        "timers": {"sweep": settings.sweep_seconds, "schedule": 1, "worker_info": 10, "abort": 1},
        "dequeue_timeout": DEQUEUE_TIMEOUT_S,
    }


def settings() -> SettingsDict[Any]:
    """Entry point of `saq jobs.worker.settings`: the worker configured from the environment."""
    return worker_config()
