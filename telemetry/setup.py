"""Per-process OpenTelemetry setup: resource, tracer and meter providers, OTLP/HTTP export.

Call `setup_telemetry` once per process, after any fork and before building the Litestar app or
instrumenting an httpx client. Providers can be installed only once per process; later calls
return the same `Telemetry`.

Export is opt-in through the standard variables: spans go out over OTLP/HTTP only when
`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, metrics only when
`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` is set. The rest of the
exporter configuration (headers, compression, timeout, `OTEL_METRIC_EXPORT_INTERVAL`) is read by
the exporters themselves. Without an endpoint the SDK providers still exist, so spans get real
trace and span ids (log lines and W3C propagation keep correlating API and worker), but nothing
is exported and nothing waits on a collector at exit. `OTEL_SDK_DISABLED=true` installs nothing:
the OpenTelemetry API stays no-op.
"""

from __future__ import annotations

import importlib.metadata
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from loguru import logger
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter

from telemetry.attributes import SERVICE_INSTANCE_ID, SERVICE_NAME, SERVICE_VERSION

SEMCONV_OPT_IN_ENV: Final = "OTEL_SEMCONV_STABILITY_OPT_IN"
DEFAULT_TIMEOUT_MS: Final = 5000
_DISTRIBUTION: Final = "llt-quality"


def _installed_version() -> str:
    try:
        return importlib.metadata.version(_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0"


_VERSION: Final = _installed_version()


@dataclass(frozen=True, slots=True)
class Telemetry:
    """What `setup_telemetry` installed in this process.

    `tracer_provider` and `meter_provider` are None when `OTEL_SDK_DISABLED=true`.
    """

    service_name: str
    service_instance_id: str
    tracer_provider: TracerProvider | None
    meter_provider: MeterProvider | None
    exports_traces: bool
    exports_metrics: bool

    @property
    def enabled(self) -> bool:
        """True when the SDK providers are installed."""
        return self.tracer_provider is not None

    def add_span_exporter(self, exporter: SpanExporter) -> None:
        """Hand every span ended from now on to `exporter`, synchronously (meant for tests)."""
        if self.tracer_provider is not None:
            self.tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))

    def add_metric_reader(self, reader: MetricReader) -> None:
        """Let `reader` collect every instrument of this process (meant for tests)."""
        if self.meter_provider is not None:
            self.meter_provider.add_metric_reader(reader)


class _State:
    lock = threading.Lock()
    telemetry: Telemetry | None = None
    stopped = False


def setup_telemetry(
    service_name: str,
    *,
    version: str = _VERSION,
    span_exporter: SpanExporter | None = None,
    metric_reader: MetricReader | None = None,
) -> Telemetry:
    """Install the tracer and meter providers of this process, once; return what was installed.

    `service_name` is `llt-api` or `llt-worker`; a non-empty `OTEL_SERVICE_NAME` wins. Sets
    `OTEL_SEMCONV_STABILITY_OPT_IN=http` unless it is already set. A later call returns the first
    `Telemetry` unchanged, except that `span_exporter` / `metric_reader`, when given, are attached
    to it, so a test can observe a process whichever code set it up first.
    """
    with _State.lock:
        if _State.telemetry is None:
            _State.telemetry = _install(service_name, version)
        telemetry = _State.telemetry
    if span_exporter is not None:
        telemetry.add_span_exporter(span_exporter)
    if metric_reader is not None:
        telemetry.add_metric_reader(metric_reader)
    return telemetry


def shutdown_telemetry(timeout_ms: int = DEFAULT_TIMEOUT_MS) -> bool:
    """Flush and shut down the providers; wait at most `timeout_ms`. Later calls do nothing.

    For the Litestar lifespan `finally`, the SAQ worker shutdown hook and exit paths. Returns
    False when the time ran out (an unreachable collector); the process may still exit at once.
    """
    with _State.lock:
        telemetry = _State.telemetry
        if telemetry is None or _State.stopped or not telemetry.enabled:
            return True
        _State.stopped = True
    return _run_bounded(lambda: _shutdown(telemetry, timeout_ms), timeout_ms)


def flush_telemetry(timeout_ms: int = DEFAULT_TIMEOUT_MS) -> bool:
    """Export what is buffered now; wait at most `timeout_ms`; True when everything went out.

    Safe from a SIGTERM handler or a `finally` about to `os._exit`: the flush runs on a helper
    thread, so a lock held by the interrupted code cannot deadlock the caller, and the SDK's own
    flush (which ignores its timeout) cannot hold the caller longer than `timeout_ms`.
    """
    telemetry = _State.telemetry
    if telemetry is None or not telemetry.enabled:
        return True
    return _run_bounded(lambda: _flush(telemetry, timeout_ms), timeout_ms)


def _install(service_name: str, version: str) -> Telemetry:
    os.environ.setdefault(SEMCONV_OPT_IN_ENV, "http")
    name = os.environ.get("OTEL_SERVICE_NAME", "").strip() or service_name
    instance_id = f"{socket.gethostname()}-{os.getpid()}"
    if _sdk_disabled():
        return Telemetry(name, instance_id, None, None, exports_traces=False, exports_metrics=False)
    resource = Resource.create(
        {SERVICE_NAME: name, SERVICE_VERSION: version, SERVICE_INSTANCE_ID: instance_id}
    )
    exports_traces, exports_metrics = _endpoint_configured("TRACES"), _endpoint_configured("METRICS")
    tracer_provider = _tracer_provider(resource, exports_traces)
    meter_provider = _meter_provider(resource, exports_metrics)
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    return Telemetry(name, instance_id, tracer_provider, meter_provider, exports_traces, exports_metrics)


def _sdk_disabled() -> bool:
    return os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"


def _endpoint_configured(signal: str) -> bool:
    names = ("OTEL_EXPORTER_OTLP_ENDPOINT", f"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT")
    return any(os.environ.get(name, "").strip() for name in names)


def _tracer_provider(resource: Resource, export: bool) -> TracerProvider:
    provider = TracerProvider(resource=resource)
    if export:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def _meter_provider(resource: Resource, export: bool) -> MeterProvider:
    readers: list[MetricReader] = []
    if export:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter()))
    return MeterProvider(resource=resource, metric_readers=readers)


def _shutdown(telemetry: Telemetry, timeout_ms: int) -> bool:
    if telemetry.tracer_provider is not None:
        telemetry.tracer_provider.shutdown()
    if telemetry.meter_provider is not None:
        telemetry.meter_provider.shutdown(timeout_millis=timeout_ms)
    return True


def _flush(telemetry: Telemetry, timeout_ms: int) -> bool:
    traces_ok = telemetry.tracer_provider is None or telemetry.tracer_provider.force_flush(timeout_ms)
    metrics_ok = telemetry.meter_provider is None or telemetry.meter_provider.force_flush(timeout_ms)
    return traces_ok and metrics_ok


def _run_bounded(work: Callable[[], bool], timeout_ms: int) -> bool:
    """Run `work` on a daemon thread; wait at most `timeout_ms`; its result, or False on timeout."""
    outcome: list[bool] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception:
            logger.opt(exception=True).warning("telemetry flush or shutdown failed")
            outcome.append(False)

    worker = threading.Thread(target=run, name="telemetry-flush", daemon=True)
    worker.start()
    worker.join(timeout_ms / 1000)
    return bool(outcome) and outcome[0]
