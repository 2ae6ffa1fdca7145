"""`serve(with_worker=True)` as its own process: answers, analyses, logs JSON, stops fast on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import REDIS_URL, delete_queue_keys, unique_queue_name
from tests.e2e.processes import free_port, wait_for

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ONE = [{"path": "tests/test_a.py", "content": "def test_a():\n    value = 1\n"}]


def test_serve_with_an_embedded_worker(tmp_path: Path) -> None:
    port, queue_name = free_port(), unique_queue_name("serve")
    env = {
        **os.environ,
        "API_PORT": str(port),
        "QUEUE_NAME": queue_name,
        "REDIS_URL": REDIS_URL,
        "LOG_FORMAT": "json",
        "WORKER_BEAT_SECONDS": "0.2",
    }
    log_path = tmp_path / "serve.log"
    command = [sys.executable, "-c", "from service.serve import serve; serve(with_worker=True)"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            wait_for(lambda: client.get("/ready").status_code == 200, 20, "the API and its worker")
            task_id = client.post("/quality/analyze-async", json={"files": ONE, "mode": "fast"}).json()[
                "task_id"
            ]
            final = wait_for(
                lambda: (body := client.get(f"/tasks/{task_id}").json())["status"] == "completed" and body,
                10,
                "the analysis",
            )
        assert final["result"]["summary"]["total_files"] == 1
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        assert time.monotonic() - started < 3, "SIGTERM must stop the server and its embedded worker at once"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        delete_queue_keys(queue_name)

    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    assert lines, "the server wrote no log"
    assert all(
        {"ts", "level", "msg", "logger", "request_id", "trace_id", "span_id"} <= set(line) for line in lines
    )
    messages = [line["msg"] for line in lines]
    assert "worker started" in messages
    assert "api stopped" in messages
    assert not [line for line in lines if line["logger"] == "uvicorn.access"]
    completed = [line for line in lines if line["msg"] == "request completed"]
    assert any(line["route"] == "/tasks/{task_id}" and line["status_code"] == 200 for line in completed)
