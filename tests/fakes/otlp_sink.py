"""A real OTLP/HTTP receiver on loopback that decodes the spans and metrics exporters send.

    with OTLPSink() as sink:
        run_child(env={"OTEL_EXPORTER_OTLP_ENDPOINT": sink.url})
        sink.wait_for(lambda: "llt.tasks" in sink.metric_names())
        print(sink.span_tree(trace_id))

It accepts protobuf bodies on `/v1/traces` and `/v1/metrics` (plain or gzip) and answers 404
elsewhere. Everything received is kept in memory; `wait_for` blocks on a condition that every
request notifies, so tests never sleep.
"""

from __future__ import annotations

import gzip
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import Metric
from opentelemetry.proto.trace.v1.trace_pb2 import Span


def any_value(value: AnyValue) -> Any:
    """The Python value of an OTLP `AnyValue` (arrays become lists)."""
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [any_value(item) for item in value.array_value.values]
    return getattr(value, kind)


def attributes(pairs: Iterable[KeyValue]) -> dict[str, Any]:
    """A dict from a repeated `KeyValue` field."""
    return {pair.key: any_value(pair.value) for pair in pairs}


@dataclass(frozen=True)
class ReceivedSpan:
    """One decoded span and the resource attributes of the process that sent it."""

    resource: dict[str, Any]
    span: Span

    @property
    def service_name(self) -> str:
        """`service.name` of the sending process."""
        return str(self.resource.get("service.name", ""))

    @property
    def name(self) -> str:
        """Span name."""
        return self.span.name

    @property
    def kind(self) -> str:
        """`SERVER`, `CLIENT`, `INTERNAL`, `PRODUCER` or `CONSUMER`."""
        kind: str = Span.SpanKind.Name(self.span.kind)
        return kind.removeprefix("SPAN_KIND_")

    @property
    def trace_id(self) -> str:
        """Trace id in lower-case hex."""
        return self.span.trace_id.hex()

    @property
    def span_id(self) -> str:
        """Span id in lower-case hex."""
        return self.span.span_id.hex()

    @property
    def parent_span_id(self) -> str:
        """Parent span id in hex, empty for a root span."""
        return self.span.parent_span_id.hex()

    @property
    def attributes(self) -> dict[str, Any]:
        """Span attributes as a dict."""
        return attributes(self.span.attributes)


@dataclass(frozen=True)
class ReceivedMetric:
    """One decoded metric and the resource attributes of the process that sent it."""

    resource: dict[str, Any]
    metric: Metric


class OTLPSink:
    """OTLP/HTTP protobuf receiver on 127.0.0.1 with an ephemeral port; use as a context manager."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self.metrics: list[ReceivedMetric] = []
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Self:
        threading.Thread(target=self._server.serve_forever, name="otlp-sink", daemon=True).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def spans_by_trace(self) -> dict[str, list[ReceivedSpan]]:
        """Received spans grouped by trace id (hex), each group in start order."""
        with self._changed:
            spans = sorted(self.spans, key=lambda s: s.span.start_time_unix_nano)
        groups: dict[str, list[ReceivedSpan]] = defaultdict(list)
        for span in spans:
            groups[span.trace_id].append(span)
        return dict(groups)

    def span_tree(self, trace_id: str) -> str:
        """An indented tree of one trace, a line per span: `name [KIND] (service.name)`."""
        spans = self.spans_by_trace().get(trace_id, [])
        ids = {span.span_id for span in spans}
        children: dict[str, list[ReceivedSpan]] = defaultdict(list)
        for span in spans:
            children[span.parent_span_id if span.parent_span_id in ids else ""].append(span)
        lines: list[str] = []

        def walk(parent_id: str, depth: int) -> None:
            for span in children[parent_id]:
                lines.append(f"{'  ' * depth}{span.name} [{span.kind}] ({span.service_name})")
                walk(span.span_id, depth + 1)

        walk("", 0)
        return "\n".join(lines)

    def metric_names(self) -> set[str]:
        """Names of every metric received so far."""
        with self._changed:
            return {received.metric.name for received in self.metrics}

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Block until `predicate()` holds (checked after every request); AssertionError on timeout."""
        with self._changed:
            if not self._changed.wait_for(predicate, timeout):
                raise AssertionError(
                    f"OTLP sink: condition not met in {timeout} s; "
                    f"{len(self.spans)} spans, metrics {sorted(self.metric_names())}"
                )

    def _receive(
        self, path: str, body: bytes
    ) -> ExportTraceServiceResponse | ExportMetricsServiceResponse | None:
        """Store one export request; return the response message, or None for an unknown path."""
        if path == "/v1/traces":
            traces = ExportTraceServiceRequest.FromString(body)
            received_spans = [
                ReceivedSpan(attributes(rs.resource.attributes), span)
                for rs in traces.resource_spans
                for scope in rs.scope_spans
                for span in scope.spans
            ]
            self._store(self.spans, received_spans)
            return ExportTraceServiceResponse()
        if path == "/v1/metrics":
            metrics = ExportMetricsServiceRequest.FromString(body)
            received_metrics = [
                ReceivedMetric(attributes(rm.resource.attributes), metric)
                for rm in metrics.resource_metrics
                for scope in rm.scope_metrics
                for metric in scope.metrics
            ]
            self._store(self.metrics, received_metrics)
            return ExportMetricsServiceResponse()
        return None

    def _store(self, target: list[Any], items: list[Any]) -> None:
        with self._changed:
            target.extend(items)
            self._changed.notify_all()


def _handler_for(sink: OTLPSink) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            response = sink._receive(self.path, body)
            if response is None:
                self.send_response(404)
                self.end_headers()
                return
            out = response.SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, format: str, *args: Any) -> None:
            """Silence the per-request access log."""

    return Handler
