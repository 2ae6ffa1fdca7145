"""LLMClient retry logic, Retry-After parsing and error kinds over httpx.MockTransport; FileCache."""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from jobs.errors import ConfigError, LLMCallError
from jobs.llm.cache import FileCache, NullCache, cache_key
from jobs.llm.client import AttemptInfo, LLMClient, LocalLimiter, parse_retry_after
from jobs.settings import Settings

MESSAGES = [{"role": "user", "content": "review this test"}]
Handler = Callable[[httpx.Request], httpx.Response]


def completion(content: str = '{"findings": []}', *, usage: dict[str, int] | None = None) -> httpx.Response:
    body: dict[str, Any] = {
        "id": "chatcmpl-1",
        "model": "served-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
    }
    if usage is not None:
        body["usage"] = usage
    return httpx.Response(200, json=body)


class Harness:
    """A client over a scripted MockTransport; sleeps are recorded, not slept."""

    def __init__(self, responses: list[httpx.Response] | Handler, **settings: Any) -> None:
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []
        self.attempts: list[AttemptInfo] = []
        self.limiter = LocalLimiter(2)
        self.in_flight_while_sleeping: list[int] = []
        self._responses = responses
        values: dict[str, Any] = {"llm_base_url": "http://llm.test/v1/", "llm_max_retries": 3, **settings}
        self.client = LLMClient(
            Settings(**values),
            limiter=self.limiter,
            transport=httpx.MockTransport(self._handle),
            on_attempt=self.attempts.append,
            sleep=self._sleep,
            rng=random.Random(7),
        )

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if callable(self._responses):
            return self._responses(request)
        return self._responses.pop(0)

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.in_flight_while_sleeping.append(self.limiter.in_flight)

    async def failure(self) -> LLMCallError:
        with pytest.raises(LLMCallError) as caught:
            await self.client.chat(MESSAGES)
        return caught.value


async def test_success_returns_content_model_and_usage() -> None:
    usage = {"prompt_tokens": 11, "completion_tokens": 5, "total_tokens": 16}
    harness = Harness([completion("the answer", usage=usage)])

    result = await harness.client.chat(MESSAGES)

    assert (result.content, result.model, result.attempts) == ("the answer", "served-model", 1)
    assert (result.input_tokens, result.output_tokens, result.total_tokens) == (11, 5, 16)
    assert result.slot_wait_ms >= 0
    assert result.latency_ms >= 0


async def test_missing_usage_counts_zero_tokens() -> None:
    result = await Harness([completion()]).client.chat(MESSAGES)

    assert (result.input_tokens, result.output_tokens, result.total_tokens) == (0, 0, 0)


async def test_request_has_url_key_model_and_json_mode() -> None:
    harness = Harness([completion()], llm_api_key="sk-unit", llm_model="m-1")

    await harness.client.chat(MESSAGES, temperature=0.2)

    request = harness.requests[0]
    assert str(request.url) == "http://llm.test/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-unit"
    assert json.loads(request.content) == {
        "model": "m-1",
        "messages": MESSAGES,
        "temperature": 0.2,
        "response_format": {"type": "json_object"},
    }


async def test_no_key_and_no_json_mode_send_neither() -> None:
    harness = Harness([completion()], llm_json_mode=False)

    await harness.client.chat(MESSAGES)

    request = harness.requests[0]
    assert "authorization" not in request.headers
    assert "response_format" not in json.loads(request.content)


async def test_429_retry_after_seconds_pauses_then_retries() -> None:
    harness = Harness([httpx.Response(429, headers={"Retry-After": "2"}), completion()])

    result = await harness.client.chat(MESSAGES)

    assert result.attempts == 2
    assert len(harness.sleeps) == 1
    assert 1.9 < harness.sleeps[0] <= 2.0


async def test_retry_after_is_capped() -> None:
    harness = Harness(
        [httpx.Response(429, headers={"Retry-After": "600"}), completion()], llm_retry_after_cap=3.0
    )

    await harness.client.chat(MESSAGES)

    assert 2.9 < harness.sleeps[0] <= 3.0


async def test_retry_after_pauses_the_whole_pool() -> None:
    harness = Harness([httpx.Response(429, headers={"Retry-After": "5"}), completion(), completion()])

    await harness.client.chat(MESSAGES)
    await harness.client.chat(MESSAGES)

    # The second call never saw a 429, yet it waited for the pause the first one set.
    assert len(harness.sleeps) == 2
    assert all(4.9 < s <= 5.0 for s in harness.sleeps)


async def test_429_without_retry_after_backs_off_with_full_jitter() -> None:
    harness = Harness([httpx.Response(429)] * 3 + [completion()])

    result = await harness.client.chat(MESSAGES)

    assert result.attempts == 4
    assert [0 <= s <= 0.5 * 2**i for i, s in enumerate(harness.sleeps)] == [True] * 3


async def test_backoff_is_capped() -> None:
    harness = Harness(lambda _: httpx.Response(500), llm_max_retries=10)

    await harness.failure()

    assert len(harness.sleeps) == 10
    assert max(harness.sleeps) <= 8.0


async def test_slot_is_held_while_backing_off() -> None:
    harness = Harness([httpx.Response(503), httpx.Response(503), completion()])

    await harness.client.chat(MESSAGES)

    assert harness.in_flight_while_sleeping == [1, 1]


@pytest.mark.parametrize(
    ("status", "kind"),
    [(429, "rate_limited"), (500, "server_error"), (503, "server_error"), (408, "timeout")],
)
async def test_retryable_status_fails_after_retries_with_kind(status: int, kind: str) -> None:
    harness = Harness(lambda _: httpx.Response(status), llm_max_retries=2)

    error = await harness.failure()

    assert error.kind == kind
    assert len(harness.requests) == 3
    assert "3 attempt" in error.message


async def test_409_is_retried() -> None:
    harness = Harness([httpx.Response(409), completion()])

    assert (await harness.client.chat(MESSAGES)).attempts == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_other_4xx_is_not_retried(status: int) -> None:
    harness = Harness(lambda _: httpx.Response(status, json={"error": {"message": "secret echo"}}))

    error = await harness.failure()

    assert error.kind == "client_error"
    assert len(harness.requests) == 1
    assert "secret echo" not in error.message


@pytest.mark.parametrize(
    ("exception", "kind"),
    [(httpx.ReadTimeout("slow"), "timeout"), (httpx.ConnectError("refused"), "connection")],
)
async def test_transport_errors_are_retried_with_kind(exception: Exception, kind: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exception

    harness = Harness(handler, llm_max_retries=1)

    error = await harness.failure()

    assert error.kind == kind
    assert len(harness.requests) == 2


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"result": "x"}', b'{"choices": []}', b'{"choices": [{"message": {}}]}'],
)
async def test_non_openai_body_is_bad_response_retried_once(body: bytes) -> None:
    harness = Harness(lambda _: httpx.Response(200, content=body), llm_max_retries=5)

    error = await harness.failure()

    assert error.kind == "bad_response"
    assert len(harness.requests) == 2


async def test_no_retries_means_one_attempt() -> None:
    harness = Harness(lambda _: httpx.Response(500), llm_max_retries=0)

    await harness.failure()

    assert len(harness.requests) == 1
    assert harness.sleeps == []


async def test_on_attempt_reports_every_attempt_without_content() -> None:
    harness = Harness([httpx.Response(500), completion()])

    await harness.client.chat(MESSAGES)

    first, second = harness.attempts
    assert (first.attempt, first.status_code, first.error_kind) == (1, 500, "server_error")
    assert first.retry_in_s == harness.sleeps[0]
    assert (second.attempt, second.status_code, second.error_kind, second.retry_in_s) == (2, 200, None, None)


async def test_limiter_counts_peak_in_flight() -> None:
    harness = Harness(lambda _: completion())

    for _ in range(3):
        await harness.client.chat(MESSAGES)

    assert (harness.limiter.in_flight, harness.limiter.max_in_flight) == (0, 1)


def test_limiter_needs_a_slot() -> None:
    with pytest.raises(ValueError):
        LocalLimiter(0)


def test_client_needs_a_base_url() -> None:
    with pytest.raises(ConfigError, match="LLM_BASE_URL"):
        LLMClient(Settings())


NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("3", 3.0),
        (" 1.5 ", 1.5),
        ("-4", 0.0),
        ("Thu, 01 Jan 2026 12:00:30 GMT", 30.0),
        ("Thu, 01 Jan 2026 11:59:00 GMT", 0.0),
        ("soon", None),
        ("nan", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


def test_cache_key_is_canonical_and_sensitive() -> None:
    base = cache_key("p1", "m", [{"role": "user", "content": "x"}])

    assert base == cache_key("p1", "m", [{"content": "x", "role": "user"}])
    assert len(base) == 64
    assert base != cache_key("p2", "m", [{"role": "user", "content": "x"}])
    assert base != cache_key("p1", "m2", [{"role": "user", "content": "x"}])
    assert base != cache_key("p1", "m", [{"role": "user", "content": "y"}])


KEY = cache_key("p1", "m", MESSAGES)


async def test_file_cache_round_trip_in_fanned_out_dirs(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache", ttl_seconds=60)

    assert await cache.get(KEY) is None
    await cache.set(KEY, "answer ✓")

    assert await cache.get(KEY) == "answer ✓"
    assert cache.path_for(KEY) == tmp_path / "cache" / KEY[:2] / KEY[2:4] / KEY
    assert os.listdir(cache.path_for(KEY).parent) == [KEY]  # no temp file left behind


async def test_file_cache_overwrites(tmp_path: Path) -> None:
    cache = FileCache(tmp_path, ttl_seconds=60)

    await cache.set(KEY, "old")
    await cache.set(KEY, "new")

    assert await cache.get(KEY) == "new"


async def test_file_cache_ignores_expired_entries(tmp_path: Path) -> None:
    cache = FileCache(tmp_path, ttl_seconds=60)
    await cache.set(KEY, "answer")
    old = time.time() - 61
    os.utime(cache.path_for(KEY), (old, old))

    assert await cache.get(KEY) is None
    assert await FileCache(tmp_path, ttl_seconds=0).get(KEY) == "answer"  # 0 = no expiry


async def test_file_cache_treats_corrupt_entries_as_misses(tmp_path: Path) -> None:
    cache = FileCache(tmp_path, ttl_seconds=60)
    await cache.set(KEY, "answer")
    cache.path_for(KEY).write_bytes(b"\xff\xfe\x00bad")

    assert await cache.get(KEY) is None


async def test_file_cache_ignores_write_failures(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = FileCache(blocker, ttl_seconds=60)

    await cache.set(KEY, "answer")

    assert await cache.get(KEY) is None


async def test_file_cache_refuses_keys_that_are_not_digests(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        await FileCache(tmp_path, ttl_seconds=60).get("../../etc/passwd")


async def test_null_cache_keeps_nothing() -> None:
    cache = NullCache()

    await cache.set(KEY, "answer")

    assert await cache.get(KEY) is None
