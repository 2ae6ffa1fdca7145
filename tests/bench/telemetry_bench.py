"""What telemetry costs: request latency with it on vs off, and the cost of one log line.

`requests`: real `llt serve` processes side by side: `on` exports spans and metrics over OTLP/HTTP
to a loopback sink (a process of its own, so decoding the exports does not compete with the timing
client); `off` and `off_again` run with `OTEL_SDK_DISABLED=true`. All log JSON at INFO to a file
(the request log middleware runs in each). One client sends sequential keep-alive requests,
rotating over the servers request by request (the order rotates too), so machine noise hits all
alike: `GET /modes` (routing, middleware, server span) and a one-file fast-mode
`POST /quality/analyze-async` (also the PRODUCER span and the trace context written into the job).
No worker runs; the queues are deleted at the end. Client wall times in ms, and `server_cpu_ms`, the
CPU time (all threads, exporters included) a server process spent per request, the figure least
disturbed by other load on the machine. `added_ms` is on - off (of the means, p50s and p99s, the
median of the differences of back-to-back requests, and server CPU); `noise_ms` is the same for
off_again - off, two identical servers: differences of that size are noise, not telemetry.

`log_line`: one `logger.info` with five event fields through `setup_logging(json)` into
`os.devnull`, with the OpenTelemetry patcher, outside any span and inside a recording span; a
stdlib `logging` line routed into loguru; a DEBUG call filtered out at INFO. CPU microseconds of
this process per call (CPU time, not wall time, so other load on the machine matters less).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import httpx
from loguru import logger
from opentelemetry.sdk.trace import TracerProvider

from telemetry.logging import setup_logging
from tests.e2e.processes import ROOT, LltProcesses

WARMUP: Final = 300
REQUESTS: Final = 2000
LOG_CALLS: Final = 20_000
LOG_REPEATS: Final = 5
CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK")
BODY: Final = {
    "files": [{"path": "tests/test_a.py", "content": "def test_a():\n    assert 1 == 1\n"}],
    "mode": "fast",
}
SERVER_ENV: Final = {
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "INFO",
    "QUEUE_MAX_PENDING": "10000000",  # no worker drains the queue
    "TASK_TTL_SECONDS": "600",
}
SINK_SCRIPT: Final = """
import json, sys
from tests.fakes.otlp_sink import OTLPSink
with OTLPSink() as sink:
    print(sink.url, flush=True)
    sys.stdin.read()
    print(json.dumps({"spans": len(sink.spans), "metrics": sorted(sink.metric_names())}), flush=True)
"""


@contextlib.contextmanager
def sink_process() -> Iterator[tuple[str, dict[str, Any]]]:
    """An OTLP sink in a child process: yields its URL and a dict filled with what it received."""
    child = subprocess.Popen(
        [sys.executable, "-c", SINK_SCRIPT],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    if child.stdin is None or child.stdout is None:
        raise RuntimeError("the sink process has no pipes")
    received: dict[str, Any] = {}
    try:
        yield child.stdout.readline().strip(), received
    finally:
        child.stdin.close()
        last = child.stdout.readline()
        child.wait(timeout=10)
        if last:
            received.update(json.loads(last))


def summary(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "mean_ms": round(statistics.fmean(ordered), 3),
        "p50_ms": round(ordered[len(ordered) // 2], 3),
        "p99_ms": round(ordered[int(len(ordered) * 0.99)], 3),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far, all threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def compare(
    servers: dict[str, tuple[httpx.Client, int]], send: Callable[[httpx.Client], httpx.Response], status: int
) -> dict[str, Any]:
    """Rotate `send` over the servers (client, pid); per mode wall and CPU; `on` and `off_again` vs `off`."""
    samples: dict[str, list[float]] = {mode: [] for mode in servers}
    cpu: dict[str, float] = {}
    modes = list(servers)
    for i in range(WARMUP + REQUESTS):
        if i == WARMUP:
            cpu = {mode: cpu_seconds(pid) for mode, (_, pid) in servers.items()}
        shift = i % len(modes)
        for mode in modes[shift:] + modes[:shift]:
            started = time.perf_counter()
            response = send(servers[mode][0])
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != status:
                raise RuntimeError(f"{mode}: {response.status_code} {response.text[:200]}")
            if i >= WARMUP:
                samples[mode].append(elapsed)
    cpu_ms = {mode: (cpu_seconds(pid) - cpu[mode]) * 1000 / REQUESTS for mode, (_, pid) in servers.items()}
    stats = {
        mode: {**summary(values), "server_cpu_ms": round(cpu_ms[mode], 3)} for mode, values in samples.items()
    }

    def versus_off(mode: str) -> dict[str, float]:
        pairs = [a - b for a, b in zip(samples[mode], samples["off"], strict=True)]
        return {
            "mean": round(stats[mode]["mean_ms"] - stats["off"]["mean_ms"], 3),
            "p50": round(stats[mode]["p50_ms"] - stats["off"]["p50_ms"], 3),
            "p99": round(stats[mode]["p99_ms"] - stats["off"]["p99_ms"], 3),
            "median_of_pairs": round(statistics.median(pairs), 3),
            "server_cpu": round(cpu_ms[mode] - cpu_ms["off"], 3),
        }

    return {**stats, "added_ms": versus_off("on"), "noise_ms": versus_off("off_again")}


def request_latency() -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="llt-bench-telemetry-") as tmp,
        sink_process() as (sink_url, received),
    ):
        off = {"OTEL_SDK_DISABLED": "true"}
        modes = {"on": {"OTEL_EXPORTER_OTLP_ENDPOINT": sink_url}, "off": off, "off_again": off}
        with contextlib.ExitStack() as stack:
            servers: dict[str, tuple[httpx.Client, int]] = {}
            for mode, env in modes.items():
                log_dir = Path(tmp) / mode
                log_dir.mkdir()
                llt = stack.enter_context(LltProcesses(log_dir, {**SERVER_ENV, **env}, label=f"bench-{mode}"))
                client = stack.enter_context(httpx.Client(base_url=llt.start_api(), timeout=10))
                servers[mode] = (client, llt.processes["api"].pid)
            results = {
                "GET /modes": compare(servers, lambda c: c.get("/modes"), 200),
                "POST /quality/analyze-async": compare(
                    servers, lambda c: c.post("/quality/analyze-async", json=BODY), 202
                ),
            }
        # Both servers have stopped (SIGTERM flushes); the sink reports once its stdin closes.
    requests = 2 * (WARMUP + REQUESTS)  # by the one exporting server
    return {
        "requests_per_route_and_mode": REQUESTS,
        "warmup": WARMUP,
        **results,
        "exported": {
            "spans": received.get("spans"),
            "per_request": round(received.get("spans", 0) / requests, 2),
        },
        "goal_added_ms": 1.0,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def _per_call_us(call: Callable[[], None]) -> float:
    """CPU microseconds per call: the median over LOG_REPEATS runs of LOG_CALLS calls."""
    runs = []
    for _ in range(LOG_REPEATS):
        started = time.process_time()
        for _ in range(LOG_CALLS):
            call()
        runs.append((time.process_time() - started) / LOG_CALLS * 1e6)
    return round(statistics.median(runs), 2)


def log_line_cost() -> dict[str, Any]:
    tracer = TracerProvider().get_tracer("bench")  # a recording span, without touching the global provider
    stdlib = logging.getLogger("litestar")

    def line() -> None:
        logger.info(
            "request completed", method="GET", route="/modes", status_code=200, duration_ms=1.23, client="x"
        )

    with open(os.devnull, "w") as devnull:
        setup_logging("INFO", "json", devnull)
        try:
            outside = _per_call_us(line)
            with tracer.start_as_current_span("bench"):
                inside = _per_call_us(line)
            routed = _per_call_us(lambda: stdlib.info("a stdlib line %s", "arg"))
            filtered = _per_call_us(lambda: logger.debug("filtered out", n=1))
        finally:
            setup_logging(os.environ.get("LOG_LEVEL", "WARNING"), "text", sys.stderr)
    return {
        "calls": LOG_CALLS,
        "json_line_us": outside,
        "json_line_in_span_us": inside,
        "stdlib_routed_line_us": routed,
        "debug_filtered_out_us": filtered,
    }


def run() -> dict[str, Any]:
    return {"requests": request_latency(), "log_line": log_line_cost()}
