"""LLM_CONCURRENCY_SCOPE=fleet: one limit across worker processes, and a dead holder's slots return."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis

from jobs.llm.fleet import RedisLimiter
from tests.fakes.fake_llm import FakeLLM

pytestmark = pytest.mark.integration
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

CALLER = textwrap.dedent(
    """
    import asyncio, sys
    from redis.asyncio import Redis
    from jobs.llm.client import LLMClient
    from jobs.llm.fleet import RedisLimiter
    from jobs.settings import settings_from_env

    async def main(base_url, name, limit, calls):
        redis = Redis.from_url(sys.argv[5])
        limiter = RedisLimiter(redis, int(limit), name=name, lease_seconds=5)
        settings = settings_from_env({"LLM_BASE_URL": base_url, "LLM_MAX_CONCURRENT_CALLS": "10"})
        async with LLMClient(settings, limiter=limiter) as client:
            hello = [{"role": "user", "content": "hi"}]
            await asyncio.gather(*(client.chat(hello) for _ in range(int(calls))))
        await redis.aclose()

    asyncio.run(main(*sys.argv[1:5]))
    """
)
HOLDER = textwrap.dedent(
    """
    import asyncio, sys
    from contextlib import AsyncExitStack
    from redis.asyncio import Redis
    from jobs.llm.fleet import RedisLimiter

    async def main(name, limit, url):
        limiter = RedisLimiter(Redis.from_url(url), int(limit), name=name, lease_seconds=1)
        async with AsyncExitStack() as stack:
            for _ in range(int(limit)):
                await stack.enter_async_context(limiter.slot())
            print("HELD", flush=True)
            await asyncio.Event().wait()

    asyncio.run(main(*sys.argv[1:4]))
    """
)


async def take_one(limiter: RedisLimiter) -> None:
    async with limiter.slot():
        return


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with FakeLLM(latency=0.1) as server:
        yield server


def test_three_processes_share_one_limit(llm: FakeLLM) -> None:
    name = f"test-{uuid.uuid4().hex}"
    procs = [
        subprocess.Popen([sys.executable, "-c", CALLER, llm.base_url, name, "4", "15", REDIS_URL])
        for _ in range(3)
    ]
    codes = [p.wait(timeout=60) for p in procs]
    stats = llm.stats()
    assert codes == [0, 0, 0]
    assert stats["requests"] == 45
    assert stats["max_in_flight"] == 4  # saturated, never above


async def test_a_killed_holders_slots_come_back() -> None:
    name = f"test-{uuid.uuid4().hex}"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, name, "3", REDIS_URL], stdout=subprocess.PIPE, text=True
    )
    redis = Redis.from_url(REDIS_URL)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "HELD"
        limiter = RedisLimiter(redis, 3, name=name, lease_seconds=1)
        assert await limiter.holders() == 3
        with pytest.raises(TimeoutError):  # the holder renews its leases: nothing frees up
            await asyncio.wait_for(take_one(limiter), timeout=1.5)
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        async with asyncio.timeout(5), limiter.slot():  # leases lapse within 1 s of the kill
            assert await limiter.holders() == 1
    finally:
        if holder.poll() is None:
            holder.kill()
        await redis.delete(f"llt:limiter:{name}", f"llt:limiter:{name}:released")
        await redis.aclose()
