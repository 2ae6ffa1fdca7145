"""File contents, completions and API keys never reach a log line, a span or a metric.

A real `llt serve` and a real `llt worker` (and the `llt analyze` CLI) run at LOG_LEVEL=DEBUG with
a unique marker API key, analyse files carrying a unique content marker, and get LLM answers
carrying a unique completion marker. Everything the processes write (stdout and stderr) and
everything they export over OTLP (spans with their events, metrics, resources; compared as raw
protobuf bytes) is searched for the markers. The test proves it can fail: the fake LLM must have
received the key and the content from every path, and the completion must come back in the results.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.processes import ROOT, LltProcesses, clean_environ, wait_for
from tests.fakes.fake_llm import FakeLLM
from tests.fakes.otlp_sink import OTLPSink
from tests.fakes.responders import reviewer_responder

pytestmark = pytest.mark.e2e

# The unique parts; each is searched on its own, so a partly redacted value still counts as a leak.
CONTENT_TOKEN = uuid.uuid4().hex
KEY_TOKEN = uuid.uuid4().hex
COMPLETION_TOKEN = uuid.uuid4().hex
CONTENT_MARKER = f"content-marker-{CONTENT_TOKEN}"
API_KEY = f"sk-marker-{KEY_TOKEN}"
COMPLETION_MARKER = f"completion-marker-{COMPLETION_TOKEN}"
MARKERS = {"file content": CONTENT_TOKEN, "API key": KEY_TOKEN, "LLM completion": COMPLETION_TOKEN}
PATHS = ("async", "sync", "cli")


def source(path_tag: str) -> str:
    """A test file that hybrid mode sends to the LLM, with the content marker in a string literal."""
    return (
        "import time\n\n\n"
        "def test_waits():\n"
        "    time.sleep(0.1)\n"
        f"    secret = '{CONTENT_MARKER}-{path_tag}'\n"
        "    assert secret\n"
    )


class MarkingResponder:
    """`reviewer_responder` answers with the completion marker in each message; notes which paths it saw."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: set[str] = set()

    def __call__(self, request: dict[str, Any]) -> str:
        prompt = json.dumps(request.get("messages", []))
        with self.lock:
            self.seen.update(tag for tag in PATHS if f"{CONTENT_MARKER}-{tag}" in prompt)
        answer = json.loads(reviewer_responder(request))
        for finding in answer["findings"]:
            finding["message"] = f"{finding['message']} ({COMPLETION_MARKER})"
        return json.dumps(answer)


def leaks(where: str, text: str | bytes) -> list[str]:
    """`what in where` for every marker found in `text`."""
    haystack = text if isinstance(text, bytes) else text.encode()
    return [f"{what} in {where}" for what, token in MARKERS.items() if token.encode() in haystack]


def poll(client: httpx.Client, task_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        body: dict[str, Any] = client.get(f"/tasks/{task_id}").json()
        return body if body["status"] in {"completed", "failed"} else None

    result: dict[str, Any] = wait_for(done, 20, f"task {task_id}")
    return result


def run_cli(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_cli.py").write_text(source("cli"))
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "analyze", str(suite), "--format", "json", "--no-cache"],
        cwd=ROOT, env={**clean_environ(), **env}, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_no_marker_reaches_logs_spans_or_metrics(tmp_path: Path) -> None:
    responder = MarkingResponder()
    with (
        OTLPSink() as sink,
        FakeLLM(latency=0.01, responder=responder) as llm,
    ):
        env = {
            "LLM_BASE_URL": llm.base_url,
            "LLM_API_KEY": API_KEY,
            "LOG_LEVEL": "DEBUG",
            "LOG_FORMAT": "json",
            "OTEL_EXPORTER_OTLP_ENDPOINT": sink.url,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_METRIC_EXPORT_INTERVAL": "500",
        }
        with LltProcesses(tmp_path, env, label="privacy") as llt:
            base_url = llt.start_api()
            # First a job that fails in the worker (deep mode, but this worker has no LLM).
            llt.start_worker({"LLM_BASE_URL": ""}, name="worker-without-llm")
            llt.wait_ready()
            with httpx.Client(base_url=base_url, timeout=30) as client:
                files = [{"path": "tests/test_failed.py", "content": source("failed")}]
                accepted = client.post("/quality/analyze-async", json={"files": files, "mode": "deep"})
                assert accepted.status_code == 202, accepted.text
                done_failed = poll(client, accepted.json()["task_id"])
            llt.stop("worker-without-llm")
            llt.start_worker()
            llt.wait_ready()
            with httpx.Client(base_url=base_url, timeout=30) as client:
                files = [{"path": "tests/test_async.py", "content": source("async")}]
                accepted = client.post("/quality/analyze-async", json={"files": files, "mode": "hybrid"})
                assert accepted.status_code == 202, accepted.text
                done_async = poll(client, accepted.json()["task_id"])
                files = [{"path": "tests/test_sync.py", "content": source("sync")}]
                done_sync = client.post("/quality/analyze", json={"files": files, "mode": "hybrid"})
                refused = client.post("/quality/analyze-async", json={"files": files, "mode": "bogus"})
            llt.stop_all()  # SIGTERM: both processes flush their telemetry before exiting
            process_output = {name: llt.output(name) for name in llt.processes}
        cli = run_cli(tmp_path, {**env, "LLM_CACHE_DIR": str(tmp_path / "cache")})
        received = [(s.service_name, s.resource, s.span) for s in sink.spans]
        received_metrics = [(m.resource, m.metric) for m in sink.metrics]
        services = {name for name, _, _ in received}

    # The markers did go where they belong, so their absence below means something.
    assert (done_failed["status"], done_failed["error"]["code"]) == ("failed", "llm_not_configured")
    assert done_async["status"] == "completed", done_async
    assert done_sync.status_code == 200, done_sync.text
    assert refused.status_code == 400, refused.text
    assert cli.returncode in (0, 1), cli.stderr
    assert responder.seen == set(PATHS)
    assert llm.stats()["authorizations"] == [f"Bearer {API_KEY}"]
    for result in (done_async["result"], done_sync.json(), json.loads(cli.stdout)):
        assert any(COMPLETION_MARKER in issue["message"] for issue in result["issues"])
    assert services == {"llt-api", "llt-worker", "llt-cli"}
    assert received_metrics
    for name, output in process_output.items():
        assert '"level":"DEBUG"' in output, f"{name} did not log at DEBUG"
        assert '"msg":"request completed"' in output or '"msg":"job finished"' in output
    assert "DEBUG" in cli.stderr

    found = [leak for name, output in process_output.items() for leak in leaks(f"{name} output", output)]
    found += leaks("CLI stderr", cli.stderr)  # its stdout is the report, which shows the LLM's findings
    for service, resource, span in received:
        found += leaks(f"span {span.name!r} of {service}", span.SerializeToString() + repr(resource).encode())
    for resource, metric in received_metrics:
        found += leaks(f"metric {metric.name}", metric.SerializeToString() + repr(resource).encode())
    assert not sorted(set(found))


def test_the_leak_check_finds_a_marker(tmp_path: Path) -> None:
    """The search itself works: each marker, wherever it sits in a line, is found."""
    line = json.dumps({"msg": "x", "detail": f"prefix {API_KEY[:8]}…{KEY_TOKEN} {CONTENT_MARKER}-sync"})
    assert leaks("log", line) == ["file content in log", "API key in log"]
    assert leaks("span", COMPLETION_MARKER.encode()) == ["LLM completion in span"]
    assert leaks("log", tmp_path.as_posix()) == []
