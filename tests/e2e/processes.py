"""Real `llt serve` and `llt worker` processes on a private queue, for end-to-end tests and benchmarks.

    with LltProcesses(tmp_path, {"LLM_BASE_URL": llm.base_url}) as llt:
        base_url = llt.start_api()
        llt.start_worker()
        llt.wait_ready()
        ...
        llt.stop_all()          # SIGTERM, then wait: each process flushes its telemetry on the way out
        llt.output("api")       # everything the process wrote on stdout and stderr

Each process starts from the current environment without any `LLM_*` or `OTEL_*` variable, plus
`REDIS_URL`, a queue name no other test uses and the `env` given (then the per-process `env`).
Whatever is still running at the end is stopped, and the queue's Redis keys are deleted.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

import httpx

from tests.conftest import REDIS_URL, delete_queue_keys, unique_queue_name

ROOT = Path(__file__).resolve().parents[2]
LLT = [sys.executable, "-m", "service.cli"]
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout_s: float, what: str) -> Any:
    """Poll `check` until it returns something truthy (bounded); connection errors count as not yet."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if value := check():
                return value
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def clean_environ() -> dict[str, str]:
    """The current environment without LLM and OpenTelemetry settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "OTEL_"))}


class LltProcesses:
    """Starts, stops and collects the output of `llt serve` / `llt worker` processes (a context manager)."""

    def __init__(self, log_dir: Path, env: dict[str, str] | None = None, *, label: str = "e2e") -> None:
        self.log_dir = log_dir
        self.queue_name = unique_queue_name(label)
        self.env = {
            **clean_environ(),
            "REDIS_URL": REDIS_URL,
            "QUEUE_NAME": self.queue_name,
            "WORKER_BEAT_SECONDS": "0.2",
            "WORKER_SEEN_WITHIN": "5",
            **(env or {}),
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.stopped: set[str] = set()
        self.base_url = ""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        try:
            self.stop_all()
        finally:
            delete_queue_keys(self.queue_name)

    def spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Run `llt *args` with its stdout and stderr going to `<log_dir>/<name>.log`."""
        with self.log_path(name).open("wb") as log:
            process = subprocess.Popen(
                [*LLT, *args], cwd=ROOT, env={**self.env, **(env or {})}, stdout=log, stderr=log
            )
        self.processes[name] = process
        return process

    def start_api(self, env: dict[str, str] | None = None, name: str = "api") -> str:
        """`llt serve` on a free port; returns its base URL once `GET /health` answers."""
        port = free_port()
        process = self.spawn(name, ["serve", "--port", str(port)], env)
        self.base_url = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"llt serve exited with {process.returncode}:\n{self.output(name)}")
            return httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200

        wait_for(healthy, START_TIMEOUT_S, "llt serve to answer")
        return self.base_url

    def start_worker(self, env: dict[str, str] | None = None, name: str = "worker") -> None:
        """`llt worker` (see `wait_ready` to know it is taking jobs)."""
        self.spawn(name, ["worker"], env)

    def wait_ready(self, workers: int = 1) -> None:
        """Wait until the API's `GET /ready` says Redis answers and `workers` workers are alive."""

        def ready() -> bool:
            for name, process in self.processes.items():
                if name not in self.stopped and process.poll() is not None:
                    raise AssertionError(f"{name} exited with {process.returncode}:\n{self.output(name)}")
            response = httpx.get(f"{self.base_url}/ready", timeout=2)
            return (
                response.status_code == 200
                and int(response.json()["checks"]["workers"].split()[0]) >= workers
            )

        wait_for(ready, START_TIMEOUT_S, f"{workers} worker(s) to be ready")

    def stop(self, name: str) -> int:
        """SIGTERM one process and wait for it (SIGKILL after STOP_TIMEOUT_S); its exit status."""
        process = self.processes[name]
        self.stopped.add(name)
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def stop_all(self) -> dict[str, int]:
        """Stop every process (in start order); name -> exit status."""
        return {name: self.stop(name) for name in list(self.processes)}

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def output(self, name: str) -> str:
        """All a process wrote on stdout and stderr so far."""
        return self.log_path(name).read_text(errors="replace")
