"""The Litestar application: `create_app()` wires settings, telemetry, the queue and the controllers.

Middleware order, outside in: OpenTelemetry server span → request log and `X-Request-ID` →
CORS (when `CORS_ALLOW_ORIGINS` is set) → exception handling → routing → rate limit → API key
(`service.security`) → handler. The request log sits inside the span (its lines carry the trace id)
and outside routing and the exception handler, so a 404 for an unknown path or a 500 is logged
and carries the request id too.

Loop-bound clients (the Redis connection pool of the queue) are created in the lifespan, on the
loop that serves requests. With `worker=...` an SAQ worker runs inside this process (development
only: `llt serve --with-worker`); its signal handlers are disabled so the server's SIGTERM works.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any, Final, cast

from litestar import Litestar
from litestar._asgi.utils import wrap_in_exception_handler
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware._internal.cors import CORSMiddleware  # Litestar's own (public name deprecated)
from litestar.plugins.opentelemetry import OpenTelemetryPlugin
from litestar.types import ASGIApp
from loguru import logger
from saq import Worker
from saq.job import Job

from jobs.worker import WorkerSettings, worker_config
from service.controllers import AnalysisController, HealthController, MetaController
from service.errors import ServiceError, handle_exception
from service.middleware import RequestLogMiddleware
from service.openapi import openapi_config
from service.security import cors_config, openapi_security_hook, security_middleware
from service.settings import ServiceSettings, get_service_settings
from service.tasks import TaskQueue, make_api_queue
from telemetry import setup_telemetry, shutdown_telemetry
from telemetry.attributes import SERVICE_NAME_API
from telemetry.http import litestar_otel_config
from telemetry.logging import setup_logging
from telemetry.metrics import register_queue_depth
from telemetry.propagation import JobLike, inject_trace_context

QUEUE_DEPTH_EVERY_S: Final = 5.0


class LltLitestar(Litestar):
    """Litestar with the request-log middleware between the OpenTelemetry span and routing.

    Litestar builds that chain in `_create_asgi_handler` (exception handler around the router, the
    OpenTelemetry middleware around that); we insert one layer in the same place.
    """

    def _create_asgi_handler(self) -> ASGIApp:
        handler: ASGIApp = wrap_in_exception_handler(app=self.asgi_router)
        if self.cors_config:  # inside the request log: preflights are logged and carry X-Request-ID
            handler = CORSMiddleware(app=handler, config=self.cors_config)
        handler = RequestLogMiddleware(handler)
        try:
            otel: OpenTelemetryPlugin = self.plugins.get(OpenTelemetryPlugin)
        except KeyError:
            return handler
        wrapped: ASGIApp = otel.middleware(app=handler)
        return wrapped


class QueueDepth:
    """The waiting-jobs count for the `llt.queue.depth` gauge, refreshed in the background."""

    def __init__(self, tasks: TaskQueue) -> None:
        self.tasks = tasks
        self.value = 0

    def read(self) -> int:
        return self.value

    async def refresh_forever(self) -> None:
        while True:
            with contextlib.suppress(ServiceError):
                self.value = await self.tasks.depth()
            await asyncio.sleep(QUEUE_DEPTH_EVERY_S)


def _report_worker_exit(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (exc := task.exception()) is not None:
        logger.opt(exception=exc).error("embedded worker failed", error_type=type(exc).__name__)


@contextlib.asynccontextmanager
async def _embedded_worker(settings: WorkerSettings | None) -> AsyncIterator[None]:
    if settings is None:
        yield
        return
    worker: Worker[Any] = Worker(**worker_config(settings, embedded=True))
    worker.SIGNALS = []  # the server owns SIGINT/SIGTERM (stack.md 2.5)
    await worker.queue.connect()
    running = asyncio.create_task(worker.start(), name="embedded saq worker")
    running.add_done_callback(_report_worker_exit)
    try:
        yield
    finally:
        await worker.stop()
        with contextlib.suppress(Exception):  # already logged by _report_worker_exit
            await running
        await worker.queue.disconnect()


def _lifespan(settings: ServiceSettings, worker: WorkerSettings | None) -> Any:
    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        queue = make_api_queue(settings)
        await queue.connect()
        queue.register_before_enqueue(_inject_trace_context)
        app.state.tasks = tasks = TaskQueue(queue, settings)
        depth = QueueDepth(tasks)
        register_queue_depth(depth.read)
        refresher = asyncio.create_task(depth.refresh_forever(), name="queue depth")
        logger.info("api started", queue=settings.queue_name, embedded_worker=worker is not None)
        try:
            async with _embedded_worker(worker):
                yield
        finally:
            refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresher
            await queue.disconnect()
            logger.info("api stopped")
            shutdown_telemetry()

    return lifespan


async def _inject_trace_context(job: Job) -> None:
    """`before_enqueue` hook: the trace context goes into `job.meta` (SAQ's Job is a JobLike)."""
    await inject_trace_context(cast("JobLike", job))


def _provide_tasks(state: State) -> TaskQueue:
    tasks: TaskQueue = state.tasks
    return tasks


def _provide_settings(state: State) -> ServiceSettings:
    settings: ServiceSettings = state.settings
    return settings


def create_app(settings: ServiceSettings | None = None, *, worker: WorkerSettings | None = None) -> Litestar:
    """The API; `worker` runs an SAQ worker with those settings inside this process."""
    settings = settings or get_service_settings()
    setup_logging(settings.log_level, settings.log_format)
    logging.getLogger("uvicorn.access").disabled = True  # our middleware writes the request lines
    setup_telemetry(SERVICE_NAME_API)
    return LltLitestar(
        route_handlers=[AnalysisController, HealthController, MetaController],
        lifespan=[_lifespan(settings, worker)],
        dependencies={
            "tasks": Provide(_provide_tasks, sync_to_thread=False),
            "settings": Provide(_provide_settings, sync_to_thread=False),
        },
        exception_handlers={Exception: handle_exception},
        middleware=security_middleware(settings),
        cors_config=cors_config(settings),
        on_startup=[openapi_security_hook(settings)],
        plugins=[OpenTelemetryPlugin(litestar_otel_config())],
        openapi_config=openapi_config(),
        request_max_body_size=settings.max_body_bytes,
        state=State({"settings": settings}),
        logging_config=None,
    )
