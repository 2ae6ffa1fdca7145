"""Run the API (`serve`) and the SAQ worker (`run_worker`): what `llt serve` and `llt worker` call.

`serve` runs uvicorn with uvloop and httptools, without uvicorn's own logging config or access
log (our middleware writes one `request completed` line per request). With `with_worker`, an SAQ
worker runs inside the API process (development only; one process). With `workers > 1` uvicorn
spawns that many API processes, each building its app from the environment.

`run_worker` is the in-process equivalent of `saq jobs.worker.settings --quiet`: SIGINT/SIGTERM
stop it; a running job is cancelled and re-queued (SAQ's default), so another worker picks it up.
"""

from __future__ import annotations

from typing import Any

import msgspec
import uvicorn
import uvloop
from saq import Worker

from jobs.errors import ConfigError
from jobs.worker import WorkerSettings, worker_config, worker_settings_from_env
from service.app import create_app
from service.settings import get_service_settings
from telemetry.logging import setup_logging

APP_FACTORY = "service.app:create_app"


def serve(
    host: str | None = None, port: int | None = None, workers: int = 1, with_worker: bool = False
) -> None:
    """Serve the API until SIGINT/SIGTERM; host and port default to API_HOST and API_PORT."""
    settings = get_service_settings()
    if workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}")
    if with_worker and workers > 1:
        raise ConfigError("--with-worker runs everything in one process: use it with --workers 1")
    setup_logging(settings.log_level, settings.log_format)
    options: dict[str, Any] = {
        "host": host or settings.api_host,
        "port": settings.api_port if port is None else port,
        "loop": "uvloop",
        "http": "httptools",
        "log_config": None,
        "access_log": False,
        # longer than clients' keep-alive (httpx: 5 s), so the server never closes a connection
        # at the moment a client reuses it
        "timeout_keep_alive": 30,
        "lifespan": "on",
    }
    if workers > 1:
        uvicorn.run(APP_FACTORY, factory=True, workers=workers, **options)
        return
    worker = worker_settings_from_env() if with_worker else None
    uvicorn.run(create_app(settings, worker=worker), **options)


def run_worker(concurrency: int | None = None) -> None:
    """Run one SAQ worker until SIGINT/SIGTERM; `concurrency` overrides WORKER_CONCURRENCY."""
    settings = worker_settings_from_env()
    if concurrency is not None:
        if concurrency < 1:
            raise ConfigError(f"--concurrency must be at least 1, got {concurrency}")
        core = msgspec.structs.replace(settings.core, worker_concurrency=concurrency)
        settings = msgspec.structs.replace(settings, core=core)
    setup_logging(settings.log_level, settings.log_format)
    uvloop.run(_work(settings))


async def _work(settings: WorkerSettings) -> None:
    worker: Worker[Any] = Worker(**worker_config(settings))
    await worker.queue.connect()
    try:
        await worker.start()
    finally:
        await worker.queue.disconnect()
