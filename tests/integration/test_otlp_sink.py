"""Telemetry of a real child process, received over OTLP/HTTP by the loopback sink."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from telemetry.metrics import TOKEN_BUCKETS
from tests.fakes.otlp_sink import OTLPSink

pytestmark = pytest.mark.integration

# What a worker does, in miniature; prints what setup_telemetry decided. It ends with
# shutdown_telemetry (argv[1] == "shutdown") or, like a SIGTERM path, with flush_telemetry and
# os._exit, which skips every atexit hook. Exit status 3: the shutdown or flush timed out.
CHILD = """
import json, os, sys
from telemetry import setup_telemetry, shutdown_telemetry
from telemetry.setup import flush_telemetry
from telemetry.metrics import record_analysis, record_llm_call
from telemetry.tracing import chat_span, phase_span

telemetry = setup_telemetry("llt-worker")
with phase_span("analysis.llm"):
    with chat_span("gpt-test", "openai", "127.0.0.1", 9) as chat:
        chat.set_response(model="gpt-test", input_tokens=12, output_tokens=3)
record_llm_call("gpt-test", "openai", 12, 3, 0.2)
record_analysis("hybrid", 1.5)
print(json.dumps({"enabled": telemetry.enabled, "traces": telemetry.exports_traces,
                  "metrics": telemetry.exports_metrics}))
sys.stdout.flush()
if sys.argv[1] == "shutdown":
    sys.exit(0 if shutdown_telemetry() else 3)
os._exit(0 if flush_telemetry() else 3)
"""

# Well under the ~10 s a default OTLP exporter spends retrying a refused connection at exit.
CHILD_TIMEOUT_S = 9


def run_child(ending: str = "shutdown", **env: str) -> dict[str, Any]:
    """Run CHILD with a clean OTEL_* environment plus `env`; return its printed state."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, ending],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    state: dict[str, Any] = json.loads(done.stdout)
    return state


@pytest.mark.parametrize(
    ("extra_env", "service_name"),
    [
        pytest.param({}, "llt-worker", id="plain"),
        pytest.param(
            {"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip", "OTEL_SERVICE_NAME": "ops-chosen"},
            "ops-chosen",
            id="gzip-and-OTEL_SERVICE_NAME",
        ),
    ],
)
def test_sink_receives_the_child_spans_and_metrics(extra_env: dict[str, str], service_name: str) -> None:
    with OTLPSink() as sink:
        state = run_child(OTEL_EXPORTER_OTLP_ENDPOINT=sink.url, **extra_env)
        expected_metrics = {
            "gen_ai.client.token.usage",
            "gen_ai.client.operation.duration",
            "llt.analysis.duration",
        }
        sink.wait_for(lambda: len(sink.spans) >= 2 and expected_metrics <= sink.metric_names())

    assert state == {"enabled": True, "traces": True, "metrics": True}
    [(trace_id, _spans)] = sink.spans_by_trace().items()
    assert sink.span_tree(trace_id) == (
        f"analysis.llm [INTERNAL] ({service_name})\n  chat gpt-test [CLIENT] ({service_name})"
    )
    assert {received.resource["service.name"] for received in sink.metrics} == {service_name}
    [token_usage] = [m.metric for m in sink.metrics if m.metric.name == "gen_ai.client.token.usage"]
    assert list(token_usage.histogram.data_points[0].explicit_bounds) == list(TOKEN_BUCKETS)


def test_flush_delivers_everything_before_an_exit_that_skips_atexit() -> None:
    with OTLPSink() as sink:
        run_child("flush-then-os._exit", OTEL_EXPORTER_OTLP_ENDPOINT=sink.url)
        sink.wait_for(lambda: len(sink.spans) >= 2 and "llt.analysis.duration" in sink.metric_names())


def test_without_an_endpoint_nothing_is_exported_and_the_child_exits_promptly() -> None:
    state = run_child()  # the timeout is the bound on exit time

    assert state == {"enabled": True, "traces": False, "metrics": False}


def test_sdk_disabled_installs_nothing_even_with_an_endpoint() -> None:
    with OTLPSink() as sink:
        state = run_child(OTEL_EXPORTER_OTLP_ENDPOINT=sink.url, OTEL_SDK_DISABLED="true")

        assert state == {"enabled": False, "traces": False, "metrics": False}
        # The child has exited, so anything it exported has already been received.
        assert sink.spans == []
        assert sink.metrics == []
