"""The Redis answer cache under a burst: an analysis asks for all its answers at once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
import redis
import redis.asyncio

from jobs.llm.cache import RedisCache, cache_key
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.integration


def connections_named(name: str) -> int:
    """How many connections Redis has open for clients called `name` (CLIENT LIST)."""
    admin = redis.Redis.from_url(REDIS_URL)
    try:
        clients: list[dict[str, Any]] = admin.client_list()  # type: ignore[assignment]
        return sum(1 for client in clients if client.get("name") == name)
    finally:
        admin.close()


async def test_a_burst_of_lookups_shares_max_in_flight_connections_and_every_one_hits() -> None:
    name = f"llt-test-cache-{uuid.uuid4().hex[:8]}"
    client = redis.asyncio.Redis.from_url(REDIS_URL, client_name=name)
    prefix = f"llt:test:{uuid.uuid4().hex}:"
    cache = RedisCache(client, ttl_seconds=60, prefix=prefix, max_in_flight=4)
    keys = [cache_key("p1", "m", [{"role": "user", "content": f"test {i}"}]) for i in range(300)]
    try:
        await asyncio.gather(*(cache.set(key, f"answer {i}") for i, key in enumerate(keys)))
        answers = await asyncio.gather(*(cache.get(key) for key in keys))

        assert answers == [f"answer {i}" for i in range(len(keys))]
        assert 1 <= connections_named(name) <= 4
    finally:
        stored = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if stored:
            await client.delete(*stored)
        await client.aclose()


async def test_get_many_returns_every_stored_answer_and_skips_misses() -> None:
    client = redis.asyncio.Redis.from_url(REDIS_URL)
    prefix = f"llt:test:{uuid.uuid4().hex}:"
    cache = RedisCache(client, ttl_seconds=60, prefix=prefix)
    keys = [cache_key("p1", "m", [{"role": "user", "content": f"many {i}"}]) for i in range(450)]
    try:
        for i, key in enumerate(keys[::2]):
            await cache.set(key, f"answer {i}")
        found = await cache.get_many(keys)
        assert found == {key: f"answer {i}" for i, key in enumerate(keys[::2])}
    finally:
        await client.delete(*[prefix + key for key in keys])
        await client.aclose()


async def test_get_many_on_an_unreachable_redis_is_all_misses() -> None:
    client = redis.asyncio.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    cache = RedisCache(client, ttl_seconds=60, timeout_s=0.5)
    try:
        assert await cache.get_many([cache_key("p", "m", [])]) == {}
    finally:
        await client.aclose()
