"""One error hierarchy for the HTTP API and the one handler that turns any exception into a response.

Every error body has the same shape, `{status_code, detail, extra}`: `detail` is a sentence a
person can act on, `extra` is always an object with at least a stable `code` (plus `errors`,
`task_id`, `retry_after`, ... where they apply). Litestar's own errors (body validation, malformed
JSON, body too large, unknown route) go through the same handler and get the same shape and
friendlier wording. Anything unexpected is a 500 with a generic detail; its traceback goes to the
log only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    ClientException,
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    ValidationException,
)
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE
from loguru import logger

from jobs.contracts import MODES
from jobs.errors import InputError, LltError

KNOWN_CHOICES: Final[dict[str, tuple[str, ...]]] = {"mode": MODES}
_MISSING_FIELD = re.compile(r"Object missing required field `(?P<field>[^`]+)`")
_BAD_ENUM = re.compile(r"Invalid enum value (?P<value>.+)")
_WRONG_TYPE = re.compile(r"Expected `(?P<expected>[^`]+)`, got `(?P<got>[^`]+)`")
_TYPE_NAMES: Final = {
    "array": "a list",
    "object": "an object",
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "null": "null",
}


class ErrorBody(msgspec.Struct, kw_only=True):
    """The body of every error response."""

    status_code: int
    detail: str
    extra: dict[str, Any]


class ServiceError(Exception):
    """Base of the errors the API raises on purpose: an HTTP status, a stable code, a detail."""

    status_code = 500
    code = "internal_error"

    def __init__(
        self, detail: str, *, status_code: int | None = None, code: str | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
        if status_code is not None:
            self.status_code = status_code
        if code is not None:
            self.code = code

    def headers(self) -> dict[str, str]:
        return {}


class InvalidInput(ServiceError):
    """The request cannot be analysed as sent (400)."""

    status_code = 400
    code = "invalid_input"


class NotFound(ServiceError):
    """Unknown or expired task id, or no such endpoint (404)."""

    status_code = 404
    code = "not_found"


class TooLarge(ServiceError):
    """A file or the body is over its limit (413)."""

    status_code = 413
    code = "too_large"


class Unavailable(ServiceError):
    """We cannot take the request now; `Retry-After` says when to try again (503)."""

    status_code = 503
    code = "unavailable"

    def __init__(self, detail: str, *, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, retry_after=retry_after, **extra)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class QueueFull(Unavailable):
    """`QUEUE_MAX_PENDING` jobs are already waiting."""

    code = "queue_full"


class RedisUnavailable(Unavailable):
    """Redis did not answer in time."""

    code = "redis_unavailable"


class NotReady(Unavailable):
    """A dependency the API needs is missing (`/ready`)."""

    code = "not_ready"


class AnalysisFailed(ServiceError):
    """The analysis ran and failed; `extra.code` says why (500)."""

    code = "analysis_failed"


class SyncWaitTimeout(ServiceError):
    """The deprecated synchronous endpoint waited `SYNC_WAIT_TIMEOUT`; poll the task instead (504)."""

    status_code = 504
    code = "sync_wait_timeout"

    def headers(self) -> dict[str, str]:
        location = self.extra.get("location")
        return {"Location": location} if isinstance(location, str) else {}


def format_bytes(size: int) -> str:
    """`1.2 MB`, `980 kB`, `12 B` (decimal units, as the limits are set)."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.3g} MB"
    if size >= 1_000:
        return f"{size / 1_000:.3g} kB"
    return f"{size} B"


def humanize(key: str, message: str) -> tuple[str, str]:
    """One msgspec validation message as `(field path, what to do)`; "body" is the whole body."""
    key = "" if key == "data" else key  # Litestar names the body "data"
    if match := _MISSING_FIELD.fullmatch(message):
        return f"{key}.{match['field']}" if key else match["field"], "is required"
    if (match := _BAD_ENUM.fullmatch(message)) and key in KNOWN_CHOICES:
        return key, f"must be one of {', '.join(KNOWN_CHOICES[key])}, got {match['value']}"
    if match := _WRONG_TYPE.fullmatch(message):
        expected = _TYPE_NAMES.get(match["expected"], match["expected"])
        got = _TYPE_NAMES.get(match["got"], match["got"])
        return key or "body", f"must be {expected}, got {got}"
    if not key and message == "'data'":  # no body at all
        return "body", "is required: send a JSON object with `files`"
    return key or "body", message[:1].lower() + message[1:]


def _from_validation(exc: ValidationException) -> ServiceError:
    items = exc.extra if isinstance(exc.extra, list) else []
    errors = []
    for item in items:
        if isinstance(item, Mapping):
            key, message = humanize(str(item.get("key", "")), str(item.get("message", "")))
            errors.append({"key": key, "message": message})
    if not errors:
        return InvalidInput(f"request body: {exc.detail}")
    detail = "; ".join(f"{e['key']}: {e['message']}" for e in errors)
    return InvalidInput(detail, errors=errors)


def _from_http(request: Request[Any, Any, Any], exc: HTTPException) -> ServiceError:
    if isinstance(exc, ValidationException):
        return _from_validation(exc)
    if isinstance(exc, NotFoundException):
        return NotFound(f"no endpoint {request.method} {request.url.path}; the API is described at /schema")
    if isinstance(exc, MethodNotAllowedException):
        detail = f"{request.method} is not allowed on {request.url.path}"
        return ServiceError(detail, status_code=405, code="method_not_allowed")
    if exc.status_code == HTTP_413_REQUEST_ENTITY_TOO_LARGE:
        limit = request.app.state.settings.max_body_bytes
        return TooLarge(f"request body is over the {format_bytes(limit)} limit (MAX_BODY_BYTES)")
    if type(exc) is ClientException:  # raised while decoding the body
        reason = exc.detail.removeprefix("JSON is malformed: ")
        return InvalidInput(f"request body is not valid JSON ({reason[:1].lower() + reason[1:]})")
    return ServiceError(exc.detail, status_code=exc.status_code, code="http_error")


def to_service_error(request: Request[Any, Any, Any], exc: Exception) -> ServiceError:
    """Classify any exception; unexpected ones are logged with their traceback."""
    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, InputError):
        return InvalidInput(exc.message, code=exc.code)
    if isinstance(exc, LltError):
        return ServiceError(exc.message, code=exc.code)
    if isinstance(exc, HTTPException):
        return _from_http(request, exc)
    if isinstance(exc, RecursionError):  # msgspec decoding a body nested too deeply for its decoder
        return InvalidInput(
            "request body is nested too deeply to decode; send `files` as a flat list of objects",
            code="too_deep",
        )
    logger.opt(exception=exc).error("unhandled error", error_type=type(exc).__name__)
    return ServiceError("internal error: the request failed on our side; quote its X-Request-ID to report it")


def error_response(error: ServiceError, headers: Mapping[str, str] | None = None) -> Response[ErrorBody]:
    """The response for `error`, in the one error shape."""
    body = ErrorBody(
        status_code=error.status_code, detail=error.detail, extra={"code": error.code, **error.extra}
    )
    return Response(body, status_code=error.status_code, headers={**(headers or {}), **error.headers()})


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    """The app's only exception handler (registered for `Exception`).

    A route's `opt["error_headers"]` go on its error responses too (the deprecation headers).
    """
    route_handler = request.scope.get("route_handler")
    headers = route_handler.opt.get("error_headers") if route_handler is not None else None
    return error_response(to_service_error(request, exc), headers)
