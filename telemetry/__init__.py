"""Telemetry of every LLT process: tracing, metrics, JSON logging and trace-context propagation.

Depends only on OpenTelemetry, loguru, msgspec and the standard library (plus Litestar's own
OpenTelemetry plugin in `telemetry.http`); nothing here imports `service` or `jobs`.

Modules: `attributes` (every name), `setup` (providers, `flush_telemetry`), `logging`
(`setup_logging`, `bind_request_id`), `tracing` (`phase_span`, `chat_span`,
`instrument_httpx_client`), `metrics` (`record_*`, `register_queue_depth`), `propagation` (SAQ
hooks), `http` (`litestar_otel_config`).

API process (before `Litestar(...)` is built)::

    setup_logging(settings.log_level, settings.log_format)
    setup_telemetry(SERVICE_NAME_API)
    app = Litestar(..., plugins=[OpenTelemetryPlugin(litestar_otel_config())], logging_config=None)
    queue.register_before_enqueue(inject_trace_context)
    register_queue_depth(lambda: cached_queue_depth)
    # lifespan finally: shutdown_telemetry()

SAQ worker (in the worker's `startup` hook, which runs in each process after any fork)::

    setup_logging(...); setup_telemetry(SERVICE_NAME_WORKER); instrument_httpx_client(ctx["http"])
    Worker(..., before_process=before_process, after_process=after_process)
    # shutdown hook: shutdown_telemetry()

CLI: `setup_telemetry(SERVICE_NAME_CLI)`; it exports only when an OTLP endpoint is configured.
"""

from telemetry.setup import setup_telemetry, shutdown_telemetry

__all__ = ["setup_telemetry", "shutdown_telemetry"]
