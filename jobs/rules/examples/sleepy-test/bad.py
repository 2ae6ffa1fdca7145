import asyncio
import time
from time import sleep


def test_cache_expires(cache):
    cache.set("k", 1, ttl=1)
    time.sleep(1.1)  # [sleepy-test]
    assert cache.get("k") is None


def test_worker_done(worker):
    worker.start()
    sleep(2)  # [sleepy-test]
    assert worker.done


async def test_event_published(bus):
    bus.publish("x")
    await asyncio.sleep(0.5)  # [sleepy-test]
    assert bus.delivered == ["x"]
