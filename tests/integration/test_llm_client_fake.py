"""LLMClient against the real fake LLM server over loopback HTTP, the fake itself, and RedisCache."""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio

from jobs.errors import LLMCallError
from jobs.llm.cache import RedisCache, cache_key
from jobs.llm.client import AttemptInfo, LLMClient, LocalLimiter
from jobs.settings import Settings
from tests.fakes.fake_llm import FINDINGS_MARKER, PROSE_AFTER, PROSE_BEFORE, FakeLLM

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/0"
API_KEY = "sk-fake-integration"
MESSAGES = [{"role": "user", "content": "review this test"}]


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with FakeLLM() as server:
        yield server


def settings(fake: FakeLLM, **values: Any) -> Settings:
    defaults: dict[str, Any] = {"llm_base_url": fake.base_url, "llm_api_key": API_KEY, "llm_timeout": 5.0}
    return Settings(**{**defaults, **values})


async def wait_for(fake: FakeLLM, condition: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """Poll the server's stats until `condition` holds (bounded)."""
    for _ in range(500):
        stats = fake.stats()
        if condition(stats):
            return stats
        await asyncio.sleep(0.01)
    raise AssertionError(f"the fake LLM never reached the expected state: {fake.stats()}")


async def test_never_more_than_the_limit_in_flight(fake: FakeLLM) -> None:
    fake.configure(latency=0.05, jitter=0.02, seed=1)
    limiter = LocalLimiter(5)

    async with LLMClient(settings(fake, llm_max_concurrent_calls=5), limiter=limiter) as client:
        results = await asyncio.gather(*(client.chat(MESSAGES) for _ in range(40)))

    stats = fake.stats()
    assert len(results) == 40
    assert (stats["requests"], stats["statuses"]) == (40, {"200": 40})
    assert stats["max_in_flight"] == 5
    assert limiter.max_in_flight == 5


async def test_limit_one_is_strictly_sequential(fake: FakeLLM) -> None:
    fake.configure(latency=0.02)

    async with LLMClient(settings(fake, llm_max_concurrent_calls=1)) as client:
        await asyncio.gather(*(client.chat(MESSAGES) for _ in range(6)))

    events = sorted(fake.stats()["events"], key=lambda e: e["arrival"])
    assert len(events) == 6
    assert all(later["arrival"] >= earlier["finish"] for earlier, later in itertools.pairwise(events))
    assert fake.stats()["max_in_flight"] == 1


async def test_retry_after_is_honoured(fake: FakeLLM) -> None:
    fake.configure(fail_first_n=1, retry_after=1)

    async with LLMClient(settings(fake)) as client:
        result = await client.chat(MESSAGES)

    first, second = fake.stats()["events"]
    assert (first["status"], second["status"], result.attempts) == (429, 200, 2)
    assert second["arrival"] - first["finish"] >= 1.0


async def test_retry_after_pauses_every_call_of_the_client(fake: FakeLLM) -> None:
    fake.configure(fail_first_n=1, retry_after=1)
    rate_limited = asyncio.Event()

    def on_attempt(info: AttemptInfo) -> None:
        if info.error_kind == "rate_limited":
            rate_limited.set()

    async with LLMClient(settings(fake), on_attempt=on_attempt) as client:
        first = asyncio.create_task(client.chat(MESSAGES))
        await rate_limited.wait()
        await asyncio.gather(first, client.chat(MESSAGES), client.chat(MESSAGES))

    limited, *later = fake.stats()["events"]
    assert (limited["status"], len(later)) == (429, 3)
    # the retry, and two calls that started after the 429 and never saw one themselves
    assert all(event["arrival"] - limited["finish"] >= 1.0 for event in later)


async def test_a_hanging_call_only_costs_its_own_timeout(fake: FakeLLM) -> None:
    fake.configure(hang_rate=1.0)
    config = settings(fake, llm_max_concurrent_calls=2, llm_timeout=0.5, llm_max_retries=0)

    async with LLMClient(config) as client:
        hanging = asyncio.create_task(client.chat(MESSAGES))
        await wait_for(fake, lambda s: s["in_flight"] == 1)
        fake.configure(hang_rate=0.0, latency=0.01)
        others = await asyncio.gather(*(client.chat(MESSAGES) for _ in range(5)))
        assert not hanging.done()
        with pytest.raises(LLMCallError) as caught:
            await hanging

    assert caught.value.kind == "timeout"
    assert len(others) == 5
    stats = await wait_for(fake, lambda s: s["disconnected"] == 1)
    assert stats["statuses"] == {"200": 5}


async def test_5xx_is_retried_then_succeeds(fake: FakeLLM) -> None:
    fake.configure(fail_first_n=2, fail_first_status=503)

    async with LLMClient(settings(fake), backoff_base_s=0.01) as client:
        result = await client.chat(MESSAGES)

    assert result.attempts == 3
    assert fake.stats()["statuses"] == {"200": 1, "503": 2}


async def test_5xx_after_the_retries_raises_server_error(fake: FakeLLM) -> None:
    fake.configure(rate_5xx=1.0, status_5xx=502)

    async with LLMClient(settings(fake, llm_max_retries=2), backoff_base_s=0.01) as client:
        with pytest.raises(LLMCallError) as caught:
            await client.chat(MESSAGES)

    assert caught.value.kind == "server_error"
    assert fake.stats()["requests"] == 3


async def test_a_body_that_is_not_a_completion_is_bad_response(fake: FakeLLM) -> None:
    fake.configure(broken_body_rate=1.0)

    async with LLMClient(settings(fake), backoff_base_s=0.01) as client:
        with pytest.raises(LLMCallError) as caught:
            await client.chat(MESSAGES)

    assert caught.value.kind == "bad_response"
    assert fake.stats()["requests"] == 2


async def test_malformed_content_is_returned_as_is(fake: FakeLLM) -> None:
    fake.configure(malformed_rate=1.0)

    async with LLMClient(settings(fake)) as client:
        result = await client.chat(MESSAGES)

    with pytest.raises(json.JSONDecodeError):
        json.loads(result.content)


async def test_usage_model_and_key_are_captured(fake: FakeLLM) -> None:
    content = "x" * 400
    fake.configure(script=['{"findings": []}'])

    async with LLMClient(settings(fake, llm_model="judge-1")) as client:
        result = await client.chat([{"role": "user", "content": content}])

    assert result.model == "judge-1"
    assert (result.input_tokens, result.output_tokens, result.total_tokens) == (100, 4, 104)
    assert fake.stats()["authorizations"] == [f"Bearer {API_KEY}"]


async def test_missing_usage_counts_zero(fake: FakeLLM) -> None:
    fake.configure(usage=False)

    async with LLMClient(settings(fake)) as client:
        result = await client.chat(MESSAGES)

    assert (result.input_tokens, result.output_tokens, result.total_tokens) == (0, 0, 0)


async def test_slot_wait_is_measured(fake: FakeLLM) -> None:
    fake.configure(latency=0.05)

    async with LLMClient(settings(fake, llm_max_concurrent_calls=1)) as client:
        first, second = await asyncio.gather(client.chat(MESSAGES), client.chat(MESSAGES))

    assert min(first.slot_wait_ms, second.slot_wait_ms) < 40
    assert max(first.slot_wait_ms, second.slot_wait_ms) >= 40


async def post_chat(http: httpx.AsyncClient, fake: FakeLLM, text: str = "hi") -> str:
    body = {"model": "m", "messages": [{"role": "user", "content": text}]}
    response = await http.post(f"{fake.base_url}/chat/completions", json=body)
    content: str = response.json()["choices"][0]["message"]["content"]
    return content


async def test_fake_scripts_answers_through_the_prompt(fake: FakeLLM) -> None:
    findings = '[{"line": 3, "code": "weak-assertion"}]'
    fake.configure(script=["first", "second"])

    async with httpx.AsyncClient() as http:
        answers = [await post_chat(http, fake) for _ in range(3)]
        scripted = await post_chat(http, fake, f"Review:\n{FINDINGS_MARKER} {findings}\nthanks")

    assert answers == ["first", "second", '{"findings": []}']
    assert json.loads(scripted) == {"findings": json.loads(findings)}


async def test_fake_fences_and_wraps_in_prose(fake: FakeLLM) -> None:
    fake.configure(fenced_rate=1.0, prose_rate=1.0)

    async with httpx.AsyncClient() as http:
        content = await post_chat(http, fake)

    assert content == PROSE_BEFORE + '```json\n{"findings": []}\n```' + PROSE_AFTER


async def test_fake_is_deterministic_with_a_seed() -> None:
    def statuses() -> list[int]:
        with FakeLLM(seed=42, rate_429=0.3, rate_5xx=0.3) as server, httpx.Client() as http:
            url = f"{server.base_url}/chat/completions"
            return [http.post(url, json={"messages": []}).status_code for _ in range(20)]

    first = statuses()
    assert first == statuses()
    assert {200, 429, 500} <= set(first)


async def test_fake_admin_endpoints(fake: FakeLLM) -> None:
    async with httpx.AsyncClient(base_url=fake.url) as http:
        configured = await http.post("/_fake/config", json={"latency": 0.01, "retry_after": None})
        refused = await http.post("/_fake/config", json={"no_such_knob": 1})
        await http.post("/v1/chat/completions", json={"messages": []})
        before = (await http.get("/_fake/stats")).json()
        await http.post("/_fake/reset")
        after = (await http.get("/_fake/stats")).json()
        models = (await http.get("/v1/models")).json()

    assert configured.json()["retry_after"] is None
    assert refused.status_code == 400
    assert (before["requests"], before["completed"], before["statuses"]) == (1, 1, {"200": 1})
    assert (after["requests"], after["events"], fake.app.state.config.latency) == (0, [], 0.01)
    assert models["data"][0]["id"] == "fake-llm"


def test_fake_runs_as_a_subprocess() -> None:
    command = [sys.executable, "-m", "tests.fakes.fake_llm", "--port", "0", "--fail-first-n", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    try:
        assert process.stdout is not None
        ready = process.stdout.readline().split()
        assert ready[0] == "READY"
        assert ready[1].startswith("http://127.0.0.1:")
        assert ready[1].endswith("/v1")
        url = f"{ready[1]}/chat/completions"
        statuses = [httpx.post(url, json={"messages": []}).status_code for _ in range(2)]
        assert statuses == [429, 200]
    finally:
        process.terminate()
        # uvicorn shuts down gracefully, then re-raises the signal it caught
        assert process.wait(timeout=10) in {0, -signal.SIGTERM}


@pytest.fixture
async def redis_cache() -> AsyncIterator[RedisCache]:
    client = redis.asyncio.Redis.from_url(REDIS_URL)
    prefix = f"llt:test:{uuid.uuid4().hex}:"
    yield RedisCache(client, ttl_seconds=60, prefix=prefix)
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


KEY = cache_key("p1", "m", MESSAGES)


async def test_redis_cache_round_trip_with_ttl(redis_cache: RedisCache) -> None:
    assert await redis_cache.get(KEY) is None

    await redis_cache.set(KEY, "answer ✓")

    assert await redis_cache.get(KEY) == "answer ✓"
    ttl = await redis_cache._redis.ttl(redis_cache.prefix + KEY)
    assert 0 < ttl <= 60


async def test_redis_cache_without_ttl_never_expires(redis_cache: RedisCache) -> None:
    redis_cache.ttl_seconds = 0

    await redis_cache.set(KEY, "answer")

    assert await redis_cache._redis.ttl(redis_cache.prefix + KEY) == -1


async def test_redis_errors_are_misses() -> None:
    client = redis.asyncio.Redis(host="127.0.0.1", port=1)  # nothing listens there
    cache = RedisCache(client, ttl_seconds=60, timeout_s=0.2)

    await cache.set(KEY, "answer")

    assert await cache.get(KEY) is None
    await client.aclose()


async def test_a_redis_that_never_answers_is_a_miss_after_the_timeout() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # accept and never answer
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = redis.asyncio.Redis(host="127.0.0.1", port=port)
    cache = RedisCache(client, ttl_seconds=60, timeout_s=0.1)
    started = time.monotonic()

    await cache.set(KEY, "answer")
    assert await cache.get(KEY) is None

    assert time.monotonic() - started < 2
    await client.aclose()
    server.close()
