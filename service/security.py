"""Who may call the API, from which browser origins, and how often.

- **API keys** (`API_KEYS`, comma-separated; unset = no authentication): every route except
  `/health`, `/ready` and the OpenAPI document under `/schema` needs `Authorization: Bearer <key>`.
  `/schema` stays open on purpose: it holds no data and no secret, and it is how a client learns
  that it must authenticate (the document declares the bearer scheme and the `401` of every
  protected operation). Settings keep only the SHA-256 digest of each key; a presented key is
  hashed and compared with `hmac.compare_digest` against *every* configured digest, never
  stopping at the first match or mismatch, so timing tells nothing about the keys. A refusal is a
  `401` in the usual error shape with `WWW-Authenticate: Bearer`, saying only whether the key was
  missing or not valid. Keys are never logged: the request log writes no headers.
- **CORS** (`CORS_ALLOW_ORIGINS`; unset = no CORS headers at all): Litestar's `CORSConfig`,
  exposing the headers a browser client needs to read (`Location`, `X-Request-ID`, the deprecation
  headers, `Retry-After`). Preflights are answered before authentication (browsers send no
  `Authorization` on them).
- **Rate limit** (`RATE_LIMIT_PER_MINUTE`; unset or 0 = off): Litestar's `RateLimitMiddleware`
  (fixed one-minute windows, in the memory of each API process), keyed by a hash of the API key,
  or by the client address when authentication is off or the key is missing or wrong (so key
  guessing is throttled per address too). Over the limit: `429` in the usual error shape with
  `Retry-After` and the `RateLimit-*` headers. `/health` and `/ready` are never limited.

Middleware order, outside in: rate limit → API key → route handler; the OpenTelemetry span,
request log, CORS and exception handling sit outside both (see `service.app`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final

from litestar.config.cors import CORSConfig
from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.base import ASGIMiddleware, DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig, RateLimitMiddleware, get_remote_address
from litestar.openapi.spec import (
    Components,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Reference,
    Schema,
    SecurityScheme,
)

from service.errors import ServiceError
from service.settings import ServiceSettings

if TYPE_CHECKING:
    from litestar import Litestar, Request
    from litestar.openapi.spec import OpenAPI, Operation
    from litestar.types import ASGIApp, Receive, Scope, Send

OPEN_PATHS: Final = ("^/health$", "^/ready$")  # probes: no key, no rate limit
SCHEMA_PATHS: Final = ("^/schema(?:/|$)",)  # the OpenAPI document and its viewers: no key
SECURITY_SCHEME: Final = "bearer"
STATE_CLIENT: Final = "llt_client"  # scope state: the authenticated key's id, or None
CHALLENGE: Final = 'Bearer realm="llt"'
EXPOSED_HEADERS: Final = ["Location", "X-Request-ID", "X-Deprecated", "X-Replacement", "Retry-After"]
ALLOWED_HEADERS: Final = ["Authorization", "Content-Type", "X-Request-ID"]
_BEARER: Final = re.compile(r"^[Bb][Ee][Aa][Rr][Ee][Rr] +(?P<token>\S+) *$")
_UNSET: Final = object()
_OPEN_TO_ALL: Final = re.compile("|".join((*OPEN_PATHS, *SCHEMA_PATHS)))


class Unauthorized(ServiceError):
    """No API key, or one that is not valid (401 with a `WWW-Authenticate` challenge)."""

    status_code = 401
    code = "unauthorized"

    def __init__(self, detail: str, *, invalid: bool) -> None:
        super().__init__(detail)
        self.challenge = f'{CHALLENGE}, error="invalid_token"' if invalid else CHALLENGE

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": self.challenge}


class RateLimited(ServiceError):
    """Over `RATE_LIMIT_PER_MINUTE` (429 with `Retry-After`)."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, detail: str, *, retry_after: int, limit_headers: dict[str, str]) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after
        self.limit_headers = limit_headers

    def headers(self) -> dict[str, str]:
        return {**self.limit_headers, "Retry-After": str(self.retry_after)}


def bearer_token(scope: Scope) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, else None."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"authorization":
            match = _BEARER.fullmatch(value.decode("latin-1"))
            return match["token"] if match else None
    return None


def key_matches(presented: bytes, digests: Iterable[bytes]) -> bool:
    """True when the digest `presented` is one of `digests`; compares with every one, always."""
    matched = False
    for digest in digests:
        matched |= hmac.compare_digest(digest, presented)
    return matched


def authenticated_client(scope: Scope, digests: tuple[bytes, ...]) -> str | None:
    """`key:<hash prefix>` for a valid key (checked once per request), else None."""
    state = scope.setdefault("state", {})
    cached = state.get(STATE_CLIENT, _UNSET)
    if cached is not _UNSET:
        return cached if isinstance(cached, str) else None
    token = bearer_token(scope) if digests else None
    client = None
    if token is not None:
        presented = hashlib.sha256(token.encode("latin-1")).digest()  # the header's bytes
        if key_matches(presented, digests):
            client = "key:" + presented.hex()[:16]
    state[STATE_CLIENT] = client
    return client


class ApiKeyMiddleware(ASGIMiddleware):
    """Refuse a request without a valid `Authorization: Bearer <key>` (open paths excluded)."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, digests: tuple[bytes, ...]) -> None:
        self.digests = digests
        # On the request path: the schema router's handlers have paths relative to /schema.
        self.should_bypass_for_scope = lambda scope: bool(_OPEN_TO_ALL.search(scope["path"]))

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if authenticated_client(scope, self.digests) is None:
            if bearer_token(scope) is None:
                raise Unauthorized(
                    "authentication required: send the header `Authorization: Bearer <API key>`",
                    invalid=False,
                )
            raise Unauthorized("the API key is not valid", invalid=True)
        await next_app(scope, receive, send)


class KeyedRateLimitMiddleware(RateLimitMiddleware):
    """Litestar's rate limit; over it, a `RateLimited` error (our error shape, `Retry-After`)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except TooManyRequestsException as exc:
            headers = dict(exc.headers or {})
            reset = headers.get(self.config.rate_limit_reset_header_key, "")
            retry_after = max(1, int(reset)) if reset.lstrip("-").isdigit() else 60
            raise RateLimited(
                f"more than {self.max_requests} requests in a minute (RATE_LIMIT_PER_MINUTE); "
                f"retry after {retry_after} s",
                retry_after=retry_after,
                limit_headers=headers,
            ) from None


def _client_identifier(digests: tuple[bytes, ...]) -> Callable[[Request[Any, Any, Any]], str]:
    def identify(request: Request[Any, Any, Any]) -> str:
        client = authenticated_client(request.scope, digests)
        return client or f"addr:{get_remote_address(request)}"

    return identify


def security_middleware(settings: ServiceSettings) -> list[DefineMiddleware | ASGIMiddleware]:
    """The rate limit and API key middleware that `settings` turn on (outermost first)."""
    middleware: list[DefineMiddleware | ASGIMiddleware] = []
    if settings.rate_limit_per_minute > 0:
        config = RateLimitConfig(
            rate_limit=("minute", settings.rate_limit_per_minute),
            exclude=list(OPEN_PATHS),
            identifier_for_request=_client_identifier(settings.api_key_hashes),
            middleware_class=KeyedRateLimitMiddleware,
        )
        middleware.append(config.middleware)
    if settings.api_key_hashes:
        middleware.append(ApiKeyMiddleware(settings.api_key_hashes))
    return middleware


def cors_config(settings: ServiceSettings) -> CORSConfig | None:
    """CORS for the configured origins; None (no CORS headers) when there are none."""
    if not settings.cors_allow_origins:
        return None
    return CORSConfig(
        allow_origins=list(settings.cors_allow_origins),
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
    )


# -- the OpenAPI document -------------------------------------------------------------------------


def _error_response(description: str, headers: dict[str, str]) -> OpenAPIResponse:
    return OpenAPIResponse(
        description=description,
        headers={
            name: OpenAPIHeader(description=text, schema=Schema(type=OpenAPIType.STRING))
            for name, text in headers.items()
        },
        content={"application/json": OpenAPIMediaType(schema=Reference("#/components/schemas/ErrorBody"))},
    )


def _operations(openapi: OpenAPI) -> Iterable[tuple[str, Operation]]:
    for path, item in (openapi.paths or {}).items():
        for method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
            operation = getattr(item, method, None)
            if operation is not None:
                yield path, operation


def _is_open(path: str) -> bool:
    return any(re.search(pattern, path) for pattern in OPEN_PATHS)


def document_security(openapi: OpenAPI, settings: ServiceSettings) -> None:
    """Declare the bearer scheme, the `401` and the `429` of the operations they apply to."""
    keys, limit = bool(settings.api_key_hashes), settings.rate_limit_per_minute > 0
    if keys:
        components = openapi.components if isinstance(openapi.components, Components) else Components()
        components.security_schemes = {
            **(components.security_schemes or {}),
            SECURITY_SCHEME: SecurityScheme(
                type="http",
                scheme="bearer",
                description="An API key from API_KEYS, sent as `Authorization: Bearer <key>`.",
            ),
        }
        openapi.components = components
    for path, operation in _operations(openapi):
        if _is_open(path):
            continue
        responses = operation.responses if operation.responses is not None else {}
        if keys:
            operation.security = [{SECURITY_SCHEME: []}]
            responses["401"] = _error_response(
                "No API key, or one that is not valid: send `Authorization: Bearer <key>`.",
                {"WWW-Authenticate": "Bearer challenge"},
            )
        if limit:
            responses["429"] = _error_response(
                f"More than {settings.rate_limit_per_minute} requests in a minute; retry after "
                "the Retry-After header's seconds.",
                {"Retry-After": "Seconds until the limit resets"},
            )
        operation.responses = responses


def openapi_security_hook(settings: ServiceSettings) -> Callable[[Litestar], None]:
    """An `on_startup` hook: `document_security` on the app's OpenAPI document, before it is served."""

    def hook(app: Litestar) -> None:
        if settings.api_key_hashes or settings.rate_limit_per_minute > 0:
            plugin: Any = app.plugins.get("OpenAPIPlugin")  # litestar._openapi.plugin.OpenAPIPlugin
            document_security(plugin.provide_openapi(), settings)

    return hook
