"""Request logging and `X-Request-ID`, around routing and exception handling (so every response).

Each HTTP request gets exactly one `request started` and one `request completed` log line, both
carrying `request_id` (and, inside the OpenTelemetry server span, `trace_id`/`span_id`). The
completed line has the route template (`/tasks/{task_id:str}`), never the raw path, plus the
status code and duration. The request id is the client's `X-Request-ID` when it is a safe token
(`^[A-Za-z0-9._-]{1,64}$`), a new uuid4 hex otherwise; it is echoed on every response, errors
included, and is available to handlers as `request.state.request_id`.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import TYPE_CHECKING, Final

from litestar.enums import ScopeType
from loguru import logger

from telemetry.logging import bind_request_id

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER: Final = b"x-request-id"
REQUEST_ID_RE: Final = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
STATE_REQUEST_ID: Final = "request_id"


def request_id_from(scope: Scope) -> str:
    """The client's X-Request-ID when it is a safe token, else a new one."""
    for name, value in scope.get("headers", ()):
        if name.lower() == REQUEST_ID_HEADER:
            candidate = value.decode("latin-1")
            if REQUEST_ID_RE.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def _client(scope: Scope) -> str | None:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else None


class RequestLogMiddleware:
    """ASGI middleware: request id, one start line and one completion line per HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        scope.setdefault("state", {})[STATE_REQUEST_ID] = request_id
        status = {"code": 500}
        header = (REQUEST_ID_HEADER, request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        started = time.perf_counter()
        method = scope.get("method", "")
        with bind_request_id(request_id):
            logger.info("request started", method=method, path=scope["path"], client=_client(scope))
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                logger.info(
                    "request completed",
                    method=method,
                    route=scope.get("path_template") or scope["path"],
                    status_code=status["code"],
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    client=_client(scope),
                )
