"""Helpers for end-to-end fault tests (the processes themselves: `tests/e2e/processes.py`).

- `PrivateRedis`: a `redis-server` of the test's own on a free loopback port, with its data in a
  temporary directory, that the test may kill and start again (never the shared Redis on 6379).
- `json_log`: the JSON lines a process wrote to its log file.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

import redis

from tests.e2e.processes import free_port, wait_for


def json_log(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a log file (lines that are not JSON, e.g. a traceback, are skipped)."""
    lines = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines


class PrivateRedis:
    """A private `redis-server` on a free loopback port that a test may kill and restart.

    With `fsync="always"` every write is in the append-only file before Redis answers it, so a
    SIGKILL loses nothing that a client saw succeed; `fsync=None` runs without any persistence.
    """

    def __init__(self, data_dir: Path, *, fsync: str | None = "always") -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.binary = binary
        self.data_dir = data_dir
        self.fsync = fsync
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start (or restart) the server on the same port and data directory; returns once it answers."""
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("the private Redis is already running")
        persistence = ["--appendonly", "no"]
        if self.fsync is not None:
            persistence = ["--appendonly", "yes", "--appendfsync", self.fsync]
        command = [
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.data_dir),
            "--save", "", *persistence,
        ]  # fmt: skip
        self.starts += 1
        with (self.data_dir / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_for(self.answers, 10, "the private Redis to answer")

    def answers(self) -> bool:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except (redis.RedisError, OSError):
            return False
        finally:
            client.close()

    def freeze(self) -> None:
        """SIGSTOP: Redis keeps its connections open and answers nothing (a hung server)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        """SIGCONT after `freeze`."""
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL: a crash, with no chance to write anything more."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a frozen server handles no SIGTERM
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
