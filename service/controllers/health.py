"""Liveness (`GET /health`, no I/O) and readiness (`GET /ready`: Redis answers, a worker was seen)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from service.errors import ErrorBody, NotReady, ServiceError
from service.schemas import HealthResponse
from service.tasks import TaskQueue

Check = tuple[bool, str]


async def check_redis(tasks: TaskQueue) -> Check:
    try:
        await tasks.ping()
    except ServiceError as exc:
        return False, f"unreachable ({exc.detail})"
    return True, "ok"


async def check_workers(tasks: TaskQueue) -> Check:
    within = f"{tasks.settings.worker_seen_within:g} s"
    try:
        seen = await tasks.workers_seen()
    except ServiceError:
        return False, "unknown (Redis unreachable)"
    if not seen:
        return False, f"no worker of queue {tasks.queue.name!r} seen in the last {within}"
    return True, f"{seen} seen in the last {within}"


class HealthController(Controller):
    """Probes for orchestrators and load balancers."""

    tags = ["health"]

    @get("/health", summary="Liveness", description="200 while the process serves HTTP; touches nothing.")
    async def health(self) -> HealthResponse:
        return HealthResponse()

    @get(
        "/ready",
        summary="Readiness",
        description="200 when Redis answers a PING and a worker of this queue was seen within "
        "WORKER_SEEN_WITHIN seconds; otherwise 503 naming what failed (`extra.checks`).",
        responses={
            503: ResponseSpec(ErrorBody, description="A dependency is missing.", generate_examples=False)
        },
    )
    async def ready(self, tasks: NamedDependency[TaskQueue]) -> HealthResponse:
        redis = await check_redis(tasks)
        workers = await check_workers(tasks) if redis[0] else (False, "unknown (Redis unreachable)")
        results = {"redis": redis, "workers": workers}
        checks = {name: text for name, (_, text) in results.items()}
        failed = [f"{name}: {text}" for name, (ok, text) in results.items() if not ok]
        if failed:
            raise NotReady(
                "not ready: " + "; ".join(failed),
                retry_after=tasks.settings.retry_after_seconds,
                checks=checks,
            )
        return HealthResponse(checks=checks)
