"""OpenAI-compatible chat client: one bounded pool of calls, retries, and a pool-wide 429 pause.

`LLMClient.chat` posts to `{LLM_BASE_URL}/chat/completions` and returns the first choice's content
with token usage and timings. It never parses the content: turning an answer into findings is the
caller's job.

Concurrency and retries (design decisions):

- A call takes one slot from a `Limiter` before its first request and **holds it until it returns**,
  through every retry and every backoff sleep. So calls sending plus calls backing off never exceed
  the limit, and a storm of 429s slows the pool down instead of letting waiting calls pile on.
- A 429 with a `Retry-After` header (seconds or an HTTP date, capped at `LLM_RETRY_AFTER_CAP`) sets
  a shared "not before" instant on the client. Every call of this client waits for it before its next
  request, while still holding its slot: the whole pool pauses, and no extra slot is ever handed out.
- Retried: 429, 408, 409, 5xx, timeouts, connection errors; a 200 whose body is not an OpenAI chat
  completion ("bad_response") is retried once at most. Other 4xx are not retried. The delay is the
  server's `Retry-After` when given (on any retried status; only a 429's pauses the whole pool),
  otherwise exponential backoff with full jitter.
- After `LLM_MAX_RETRIES` retries the call raises `LLMCallError` with `kind` one of `rate_limited`,
  `server_error`, `timeout`, `connection`, `bad_response`, `client_error`.

`LLM_TIMEOUT` bounds each attempt as a whole (connect, send, wait, read). Nothing here logs or keeps
prompts, completions or the API key; the debug log line per attempt has status, kind and latency.
Telemetry hooks in through `on_attempt`, called once per attempt with an `AttemptInfo`.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Protocol

import httpx
import msgspec
from loguru import logger

from jobs.errors import ConfigError, LLMCallError
from jobs.settings import Settings

BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 8.0
BAD_RESPONSE_RETRIES = 1


class ChatResult(msgspec.Struct, frozen=True, kw_only=True):
    """One successful chat call.

    `latency_ms` runs from getting the slot to the answer (all attempts and backoff included);
    `slot_wait_ms` is the time spent waiting for the slot before that.
    """

    content: str
    model: str
    input_tokens: int
    output_tokens: int
    total_tokens: int
    latency_ms: float
    attempts: int
    slot_wait_ms: float


class AttemptInfo(msgspec.Struct, frozen=True, kw_only=True):
    """One HTTP attempt, as reported to `on_attempt`. Carries no content.

    `status_code` is None when no response came (timeout, connection error); `error_kind` is None on
    success; `retry_in_s` is the delay before the next attempt, None when no attempt follows.
    """

    attempt: int
    status_code: int | None
    error_kind: str | None
    latency_ms: float
    retry_in_s: float | None


class Limiter(Protocol):
    """Hands out concurrency slots; `slot()` is held for the whole life of one call."""

    def slot(self) -> AbstractAsyncContextManager[None]: ...


class LocalLimiter:
    """An in-process limiter on an `asyncio.Semaphore`, counting slots in use and the peak."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        self.limit = limit
        self.in_flight = 0
        self.max_in_flight = 0
        self._semaphore = asyncio.Semaphore(limit)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._semaphore:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                yield
            finally:
                self.in_flight -= 1


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` value (seconds or HTTP date); None when absent or unusable."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


class _Message(msgspec.Struct):
    content: str | None = None


class _Choice(msgspec.Struct):
    message: _Message


class _Usage(msgspec.Struct):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int | None = None


class _Completion(msgspec.Struct):
    choices: list[_Choice]
    model: str | None = None
    usage: _Usage | None = None


class _Answer(msgspec.Struct, frozen=True):
    status: int
    content: str
    model: str | None
    usage: _Usage


class _AttemptError(Exception):
    """One failed attempt; `detail` is safe to show (status or exception type, never content)."""

    def __init__(
        self, kind: str, detail: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.status = status
        self.retry_after = retry_after


def _status_kind(status: int) -> str:
    if status == 429:
        return "rate_limited"
    if status == 408:
        return "timeout"
    if status >= 500:
        return "server_error"
    return "client_error"


def _is_retryable(error: _AttemptError, bad_responses: int) -> bool:
    if error.kind == "bad_response":
        return bad_responses <= BAD_RESPONSE_RETRIES
    if error.kind == "client_error":
        return error.status == 409
    return True


def _decode_answer(status: int, body: bytes) -> _Answer:
    try:
        completion = msgspec.json.decode(body, type=_Completion)
    except msgspec.DecodeError:
        raise _AttemptError("bad_response", "the body is not an OpenAI chat completion") from None
    content = completion.choices[0].message.content if completion.choices else None
    if content is None:
        raise _AttemptError("bad_response", "the completion has no message content")
    return _Answer(status, content, completion.model, completion.usage or _Usage())


def _check_response(response: httpx.Response) -> _Answer:
    status = response.status_code
    if 200 <= status < 300:
        return _decode_answer(status, response.content)
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    raise _AttemptError(_status_kind(status), f"HTTP {status}", status=status, retry_after=retry_after)


class LLMClient:
    """Chat completions against one OpenAI-compatible endpoint, through one shared connection pool.

    `limiter` defaults to a `LocalLimiter` of `LLM_MAX_CONCURRENT_CALLS`, which also sizes the connection
    pool (a custom limiter must not allow more). `on_attempt` is called once per HTTP attempt; it must
    be cheap and must not raise. Backoff before retry n is uniform in
    [0, min(8 s, backoff_base_s * 2**(n-1))]. `sleep` and `rng` are seams for tests.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        limiter: Limiter | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        on_attempt: Callable[[AttemptInfo], None] | None = None,
        backoff_base_s: float = BACKOFF_BASE_S,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if not settings.llm_base_url:
            raise ConfigError("LLM_BASE_URL is not set, so there is no LLM to call")
        self._settings = settings
        self._url = settings.llm_base_url.rstrip("/") + "/chat/completions"
        self._limiter = LocalLimiter(settings.llm_max_concurrent_calls) if limiter is None else limiter
        self._on_attempt = on_attempt
        self._backoff_base_s = backoff_base_s
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._not_before = 0.0  # time.monotonic() instant before which no call of this client sends
        pool = settings.llm_max_concurrent_calls
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(settings.llm_timeout),
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            headers=self._headers(settings.llm_api_key),
        )

    @property
    def http(self) -> httpx.AsyncClient:
        """The underlying connection pool (for instrumentation; send requests through `chat`)."""
        return self._http

    async def __aenter__(self) -> LLMClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def chat(self, messages: list[dict[str, str]], *, temperature: float = 0.0) -> ChatResult:
        """Send one chat completion; raises `LLMCallError` once its retries are spent."""
        payload = self._payload(messages, temperature)
        requested = time.perf_counter()
        async with self._limiter.slot():
            slot_wait_ms = (time.perf_counter() - requested) * 1000
            return await self._call(payload, slot_wait_ms)

    @staticmethod
    def _headers(api_key: str | None) -> dict[str, str]:
        headers = {"content-type": "application/json", "accept": "application/json"}
        if api_key:
            headers["authorization"] = f"Bearer {api_key}"
        return headers

    def _payload(self, messages: list[dict[str, str]], temperature: float) -> bytes:
        body: dict[str, object] = {
            "model": self._settings.llm_model,
            "messages": messages,
            "temperature": temperature,
        }
        if self._settings.llm_json_mode:
            body["response_format"] = {"type": "json_object"}
        return msgspec.json.encode(body)

    async def _call(self, payload: bytes, slot_wait_ms: float) -> ChatResult:
        started = time.perf_counter()
        bad_responses = 0
        attempt = 0
        while True:
            attempt += 1
            await self._wait_for_pause()
            attempt_started = time.perf_counter()
            try:
                answer = await self._attempt(payload)
            except _AttemptError as error:
                bad_responses += error.kind == "bad_response"
                delay = self._retry_delay(error, attempt, bad_responses)
                self._report(attempt, error.status, error.kind, attempt_started, delay)
                if delay is None:
                    message = f"LLM call failed after {attempt} attempt(s): {error.detail}"
                    raise LLMCallError(message, error.kind) from None
                await self._back_off(error, delay)
                continue
            self._report(attempt, answer.status, None, attempt_started, None)
            return self._result(answer, attempt, started, slot_wait_ms)

    async def _attempt(self, payload: bytes) -> _Answer:
        timeout = self._settings.llm_timeout
        try:
            async with asyncio.timeout(timeout):
                response = await self._http.post(self._url, content=payload)
        except (TimeoutError, httpx.TimeoutException):
            raise _AttemptError("timeout", f"no answer within {timeout:g} s") from None
        except httpx.DecodingError:
            raise _AttemptError("bad_response", "the body could not be decoded") from None
        except httpx.TransportError as exc:
            raise _AttemptError("connection", type(exc).__name__) from None
        return _check_response(response)

    def _retry_delay(self, error: _AttemptError, attempt: int, bad_responses: int) -> float | None:
        if attempt > self._settings.llm_max_retries or not _is_retryable(error, bad_responses):
            return None
        if error.retry_after is not None:
            return min(error.retry_after, self._settings.llm_retry_after_cap)
        return self._rng.uniform(0.0, min(BACKOFF_CAP_S, self._backoff_base_s * 2 ** (attempt - 1)))

    async def _back_off(self, error: _AttemptError, delay: float) -> None:
        if error.kind == "rate_limited" and error.retry_after is not None:
            # The pool-wide pause; the next `_wait_for_pause` of this call waits it out.
            self._not_before = max(self._not_before, time.monotonic() + delay)
            return
        await self._sleep(delay)

    async def _wait_for_pause(self) -> None:
        """Wait until the pool-wide "not before" instant; wait again only if it moved meanwhile."""
        while True:
            target = self._not_before
            remaining = target - time.monotonic()
            if remaining <= 0:
                return
            await self._sleep(remaining)
            if self._not_before == target:
                return

    def _report(
        self, attempt: int, status: int | None, kind: str | None, started: float, retry_in: float | None
    ) -> None:
        latency_ms = (time.perf_counter() - started) * 1000
        logger.debug(
            "llm attempt {attempt}: status={status} kind={kind} latency_ms={latency_ms:.1f}",
            attempt=attempt,
            status=status,
            kind=kind,
            latency_ms=latency_ms,
        )
        if self._on_attempt is not None:
            info = AttemptInfo(
                attempt=attempt,
                status_code=status,
                error_kind=kind,
                latency_ms=latency_ms,
                retry_in_s=retry_in,
            )
            self._on_attempt(info)

    def _result(self, answer: _Answer, attempts: int, started: float, slot_wait_ms: float) -> ChatResult:
        usage = answer.usage
        total = usage.total_tokens
        return ChatResult(
            content=answer.content,
            model=answer.model or self._settings.llm_model,
            input_tokens=usage.prompt_tokens,
            output_tokens=usage.completion_tokens,
            total_tokens=usage.prompt_tokens + usage.completion_tokens if total is None else total,
            latency_ms=(time.perf_counter() - started) * 1000,
            attempts=attempts,
            slot_wait_ms=slot_wait_ms,
        )
