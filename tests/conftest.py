"""Shared fixtures: a real API server on loopback (uvicorn in a thread) on a private SAQ queue.

`live_api(env, worker=...)` starts `create_app()` with settings built from `env` only (plus
`REDIS_URL` and a queue name unique to this test session, so parallel runs never share jobs),
optionally with an SAQ worker inside, and returns its base URL. Everything it started is stopped
and the queue's Redis keys are deleted at the end of the test (or session, for `session_api`).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from unittest import mock

import pytest
import redis
import uvicorn

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
SESSION_TAG = uuid.uuid4().hex[:8]

LiveApi = Callable[..., str]


def unique_queue_name(label: str) -> str:
    """A queue name no other test or test session uses."""
    return f"llt-test-{SESSION_TAG}-{label}-{uuid.uuid4().hex[:6]}"


def delete_queue_keys(queue_name: str) -> None:
    """Remove every Redis key SAQ and our worker wrote for `queue_name`."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        for pattern in (f"saq:{queue_name}:*", f"saq:job:{queue_name}:*", f"llt:workers:{queue_name}"):
            keys = list(client.scan_iter(match=pattern, count=500))
            if keys:
                client.delete(*keys)
    finally:
        client.close()


@contextmanager
def serve_in_thread(app: object) -> Iterator[str]:
    """Serve the ASGI `app` on a free loopback port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="live-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _start(stack: ExitStack, env: dict[str, str], worker: bool, label: str) -> str:
    from jobs.worker import worker_settings_from_env
    from service.app import create_app
    from service.settings import service_settings_from_env

    full = {
        "REDIS_URL": REDIS_URL,
        "QUEUE_NAME": unique_queue_name(label),
        "LOG_FORMAT": "text",
        "LLM_CACHE_TTL_SECONDS": "600",  # answers the tests cache in Redis do not linger
        **env,
    }
    stack.callback(delete_queue_keys, full["QUEUE_NAME"])
    # One process runs many apps here: the first lifespan exit must not shut telemetry down for all.
    stack.enter_context(mock.patch("service.app.shutdown_telemetry", return_value=True))
    worker_settings = worker_settings_from_env(full) if worker else None
    app = create_app(service_settings_from_env(full), worker=worker_settings)
    return stack.enter_context(serve_in_thread(app))


@pytest.fixture
def live_api() -> Iterator[LiveApi]:
    """Factory: `live_api({"QUEUE_MAX_PENDING": "2"}, worker=False)` → base URL of a running API."""
    with ExitStack() as stack:

        def start(env: dict[str, str] | None = None, *, worker: bool = False, label: str = "api") -> str:
            return _start(stack, env or {}, worker, label)

        yield start


@pytest.fixture(scope="module")
def module_live_api() -> Iterator[LiveApi]:
    """`live_api` whose servers live until the end of the test module (shared, so: read-mostly)."""
    with ExitStack() as stack:

        def start(env: dict[str, str] | None = None, *, worker: bool = False, label: str = "api") -> str:
            return _start(stack, env or {}, worker, label)

        yield start
