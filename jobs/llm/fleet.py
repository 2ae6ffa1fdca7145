"""A concurrency limit that holds across every worker process and machine: a Redis semaphore.

`LLM_CONCURRENCY_SCOPE=fleet` swaps the per-process `LocalLimiter` for `RedisLimiter`, so that
`LLM_MAX_CONCURRENT_CALLS` bounds the calls of the whole fleet (four workers with a per-process
limit of 10 would otherwise send 40).

A slot is a member of one sorted set, scored by the Redis server time at which its lease expires.
Taking a slot is one Lua script (drop expired leases, then add ours if fewer than `limit` remain),
so it is atomic without locks. A holder renews its lease every `lease_seconds / 3`; a holder that
dies stops renewing and its slot comes back after at most `lease_seconds`. Waiters poll with a
short jittered delay and are woken early by a release notice on a list (BLPOP), so a freed slot is
taken within milliseconds. Redis time is used throughout, so clocks of the machines do not matter.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

from redis.asyncio import Redis

ACQUIRE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now_ms + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
  return 1
end
return 0
"""
RENEW = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  redis.call('ZADD', KEYS[1], now_ms + tonumber(ARGV[1]), ARGV[2])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
  return 1
end
return 0
"""
RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('LPUSH', KEYS[2], '1')
redis.call('LTRIM', KEYS[2], 0, 63)
redis.call('PEXPIRE', KEYS[2], 60000)
return 1
"""


class RedisLimiter:
    """At most `limit` slots held at once across every process sharing `name` on one Redis."""

    def __init__(self, redis: Redis, limit: int, *, name: str = "llm", lease_seconds: float = 30.0) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.redis = redis
        self.limit = limit
        self.lease_ms = int(lease_seconds * 1000)
        self.key = f"llt:limiter:{name}"
        self.wake_key = f"llt:limiter:{name}:released"
        self._acquire = redis.register_script(ACQUIRE)
        self._renew = redis.register_script(RENEW)
        self._release = redis.register_script(RELEASE)

    async def holders(self) -> int:
        """Slots held now (expired leases not yet swept may be counted)."""
        return int(await self.redis.zcard(self.key))

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        token = uuid.uuid4().hex
        await self._wait_for_slot(token)
        renewer = asyncio.create_task(self._keep_alive(token))
        try:
            yield
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
            await asyncio.shield(self._release(keys=[self.key, self.wake_key], args=[token]))

    async def _wait_for_slot(self, token: str) -> None:
        delay = 0.005
        while not await self._acquire(keys=[self.key], args=[self.limit, self.lease_ms, token]):
            # a release pushes a notice: wake at once when one comes, else retry after a short delay
            await self._wait_for_release(max(0.01, delay))
            delay = min(delay * 2, 0.25) * (0.5 + random.random())

    async def _wait_for_release(self, timeout: float) -> None:
        waiting: Awaitable[object] = self.redis.blpop([self.wake_key], timeout=timeout)  # type: ignore[assignment]
        await waiting

    async def _keep_alive(self, token: str) -> None:
        every = self.lease_ms / 3000
        while True:
            await asyncio.sleep(every)
            await self._renew(keys=[self.key], args=[self.lease_ms, token])
