"""Litestar's OpenTelemetry plugin, configured for this service.

    app = Litestar(..., plugins=[OpenTelemetryPlugin(litestar_otel_config())], logging_config=None)

What the defaults get wrong and this config fixes: span names and `http.route` use route
templates (`GET /api/v1/tasks/{task_id}`), never raw paths; health probes are not traced (anchored
patterns: a bare `/health` would also drop `/healthz`); no INTERNAL `http send/receive` spans; an
unhandled exception is recorded as an event on the server span. The plugin emits
`http.server.request.duration` (seconds) once `OTEL_SEMCONV_STABILITY_OPT_IN=http` is set, which
`setup_telemetry` and this function both default.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Final

from litestar.plugins.opentelemetry import OpenTelemetryConfig
from litestar.utils import normalize_path
from opentelemetry import trace

from telemetry.attributes import HTTP_ROUTE
from telemetry.setup import SEMCONV_OPT_IN_ENV

if TYPE_CHECKING:
    from litestar.types import Scope

UNTRACED_PATHS: Final = ("^/health$", "^/ready$")


def litestar_otel_config() -> OpenTelemetryConfig:
    """The `OpenTelemetryConfig` for `OpenTelemetryPlugin`; uses the global providers."""
    os.environ.setdefault(SEMCONV_OPT_IN_ENV, "http")
    return OpenTelemetryConfig(
        exclude=list(UNTRACED_PATHS),
        exclude_spans=["receive", "send"],
        scope_span_details_extractor=route_template_extractor,
        after_exception_hook_handler=record_exception_on_current_span,
    )


def route_template_extractor(scope: Scope) -> tuple[str, dict[str, Any]]:
    """Span name `{METHOD} {route template}` and `http.route`; just the method when nothing routes."""
    method = str(scope.get("method", "")).strip()
    try:
        *_, template = scope["litestar_app"].asgi_router.handle_routing(
            path=normalize_path(scope["path"]), method=scope.get("method")
        )
    except Exception:  # 404 and 405: no route, so no template
        return method or "HTTP", {}
    return (f"{method} {template}" if method else template), {HTTP_ROUTE: template}


def record_exception_on_current_span(exc: Exception, _scope: Scope) -> None:
    """After-exception hook: add the exception event the plugin leaves out."""
    trace.get_current_span().record_exception(exc)
