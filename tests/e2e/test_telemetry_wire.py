"""Telemetry over the wire: a real `llt serve` and a real `llt worker` export to a loopback OTLP sink.

One submission must arrive as ONE trace: the API's SERVER span (named by route template) → the
PRODUCER `publish {queue}` span → the worker's CONSUMER `process analyze` span → the phase spans →
one `chat {model}` CLIENT span per LLM call (GenAI attributes, tokens, slot wait) → the httpx
CLIENT span of that call. Each `GET /tasks/{task_id}` poll is a trace of its own. Both processes
stop on SIGTERM and flush on the way out, so everything has arrived once they have exited.

`pytest -s` prints the submission's trace tree.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.processes import LltProcesses
from tests.fakes.fake_llm import FakeLLM
from tests.fakes.otlp_sink import OTLPSink, ReceivedSpan
from tests.fakes.responders import reviewer_responder

pytestmark = pytest.mark.e2e

MODEL = "gpt-wire-test"
EXPORT_FAST = {
    "OTEL_BSP_SCHEDULE_DELAY": "100",  # ms between span batches
    "OTEL_METRIC_EXPORT_INTERVAL": "500",  # ms between metric exports
    "LOG_FORMAT": "json",
}
PHASES = ("analysis.parse", "analysis.rules", "analysis.select", "analysis.llm", "analysis.merge")
METRICS = {
    "gen_ai.client.token.usage",
    "gen_ai.client.operation.duration",
    "llt.analysis.duration",
    "llt.tasks",
    "llt.submissions",
    "llt.queue.depth",
    "http.server.request.duration",
}


def suite() -> list[dict[str, str]]:
    """Tests that hybrid mode sends to the LLM (a sleep, a global); unique, so no cached answer."""
    tag = uuid.uuid4().hex
    content = (
        "import time\n\nCOUNT = 0\n\n\n"
        f"def test_waits():\n    time.sleep(0.1)\n    assert '{tag}'\n\n\n"
        f"def test_counts():\n    global COUNT\n    COUNT += 1\n    assert COUNT == 1, '{tag}'\n"
    )
    return [{"path": "tests/test_wire.py", "content": content}]


def poll_until_done(
    client: httpx.Client, task_id: str, timeout_s: float = 20.0
) -> tuple[dict[str, Any], int]:
    """Poll `GET /tasks/{task_id}` until a terminal status; the last body and the number of polls."""
    deadline, polls = time.monotonic() + timeout_s, 0
    while time.monotonic() < deadline:
        response = client.get(f"/tasks/{task_id}")
        polls += 1
        body: dict[str, Any] = response.json()
        if body["status"] in {"completed", "failed"}:
            return body, polls
        time.sleep(0.05)
    raise AssertionError(f"task {task_id} did not finish in {timeout_s} s")


def only(spans: list[ReceivedSpan], name: str) -> ReceivedSpan:
    found = [span for span in spans if span.name == name]
    assert len(found) == 1, f"{len(found)} spans named {name!r}: {sorted(s.name for s in spans)}"
    return found[0]


def test_one_submission_is_one_trace_from_the_api_through_the_worker_to_the_llm(tmp_path: Path) -> None:
    with (
        OTLPSink() as sink,
        FakeLLM(latency=0.02, responder=reviewer_responder) as llm,
        LltProcesses(tmp_path, {"OTEL_EXPORTER_OTLP_ENDPOINT": sink.url, **EXPORT_FAST}, label="wire") as llt,
    ):
        worker_env = {"LLM_BASE_URL": llm.base_url, "LLM_MODEL": MODEL, "LLM_API_KEY": "sk-wire"}
        base_url = llt.start_api()
        llt.start_worker(worker_env)
        llt.wait_ready()
        with httpx.Client(base_url=base_url, timeout=10) as client:
            accepted = client.post("/quality/analyze-async", json={"files": suite(), "mode": "hybrid"})
            assert accepted.status_code == 202, accepted.text
            task_id = accepted.json()["task_id"]
            final, polls = poll_until_done(client, task_id)
        stopped = llt.stop_all()  # uvicorn re-raises the SIGTERM once it has shut down cleanly
        assert set(stopped.values()) <= {0, -signal.SIGTERM}, llt.output("api") + llt.output("worker")
        # Both processes have exited: whatever they flushed has been received.
        sink.wait_for(lambda: sink.metric_names() >= METRICS, timeout=2)

    assert final["status"] == "completed", final
    llm_calls = final["result"]["summary"]["llm_calls"]
    assert llm_calls == llm.stats()["requests"] > 0

    traces = sink.spans_by_trace()
    [submit] = [s for spans in traces.values() for s in spans if s.name == "POST /quality/analyze-async"]
    print(f"\ntrace {submit.trace_id}:\n{sink.span_tree(submit.trace_id)}")
    spans = traces[submit.trace_id]
    by_id = {span.span_id: span for span in spans}

    # HTTP server span of the API: the root, named by route template, stable HTTP attributes.
    assert (submit.kind, submit.service_name, submit.parent_span_id) == ("SERVER", "llt-api", "")
    assert submit.attributes["http.route"] == "/quality/analyze-async"
    assert submit.attributes["http.request.method"] == "POST"
    assert submit.attributes["http.response.status_code"] == 202

    # Enqueue (PRODUCER, in the API) → job (CONSUMER, in the worker).
    publish = only(spans, f"publish {llt.queue_name}")
    assert (publish.kind, publish.service_name) == ("PRODUCER", "llt-api")
    assert publish.parent_span_id == submit.span_id
    process = only(spans, "process analyze")
    assert (process.kind, process.service_name) == ("CONSUMER", "llt-worker")
    assert process.parent_span_id == publish.span_id
    assert process.attributes["messaging.message.id"] == task_id

    # Phase spans, children of the job span.
    phases = {name: only(spans, name) for name in PHASES}
    for phase in phases.values():
        assert (phase.kind, phase.service_name) == ("INTERNAL", "llt-worker")
        assert phase.parent_span_id == process.span_id
    assert phases["analysis.llm"].attributes["llt.analysis.llm_calls"] == llm_calls

    # One chat span per LLM call under analysis.llm, with the GenAI attributes; httpx under each.
    chats = [span for span in spans if span.name == f"chat {MODEL}"]
    assert len(chats) == llm_calls
    for chat in chats:
        attributes = chat.attributes
        assert (chat.kind, chat.service_name) == ("CLIENT", "llt-worker")
        assert chat.parent_span_id == phases["analysis.llm"].span_id
        assert attributes["gen_ai.operation.name"] == "chat"
        assert attributes["gen_ai.provider.name"] == "openai"
        assert attributes["gen_ai.request.model"] == attributes["gen_ai.response.model"] == MODEL
        assert attributes["gen_ai.usage.input_tokens"] > 0
        assert attributes["gen_ai.usage.output_tokens"] > 0
        assert attributes["llt.llm.slot_wait_ms"] >= 0
        [http_call] = [span for span in spans if span.parent_span_id == chat.span_id]
        assert (http_call.kind, http_call.service_name) == ("CLIENT", "llt-worker")
        assert http_call.attributes["http.request.method"] == "POST"
        assert http_call.attributes["http.response.status_code"] == 200

    # Nothing in the trace hangs off a span that is not in it.
    assert all(span.parent_span_id in by_id for span in spans if span is not submit)

    # Every poll is its own trace, named by the route template, never by the raw path.
    poll_roots = [s for trace in traces.values() for s in trace if s.name.startswith("GET /tasks")]
    assert len(poll_roots) == polls
    assert {(s.name, s.attributes["http.route"], s.parent_span_id) for s in poll_roots} == {
        ("GET /tasks/{task_id}", "/tasks/{task_id}", "")
    }
    assert len({s.trace_id for s in poll_roots} | {submit.trace_id}) == polls + 1
    assert not [s.name for trace in traces.values() for s in trace if task_id in s.name]

    # The metric names dashboards and alerts rely on, from the process that owns each.
    assert sink.metric_names() >= METRICS
    senders: Counter[tuple[str, str]] = Counter(
        (m.metric.name, str(m.resource["service.name"])) for m in sink.metrics
    )
    assert ("http.server.request.duration", "llt-api") in senders
    assert ("llt.submissions", "llt-api") in senders
    assert ("gen_ai.client.token.usage", "llt-worker") in senders
    assert ("llt.tasks", "llt-worker") in senders
