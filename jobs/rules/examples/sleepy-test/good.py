import asyncio
import time
from unittest import mock


async def test_yields_to_loop(bus):
    bus.publish("x")
    await asyncio.sleep(0)
    assert bus.pending == ["x"]


@mock.patch("time.sleep")
def test_backoff_waits(fake_sleep, client):
    client.retry()
    time.sleep(5)
    fake_sleep.assert_called_with(5)


def test_patched_with_monkeypatch(monkeypatch, client):
    monkeypatch.setattr(time, "sleep", lambda s: None)
    time.sleep(30)
    assert client.retry() == "ok"


def test_slow_callback_is_timed_out(runner):
    def slow():
        time.sleep(10)

    assert runner.run(slow, timeout=0.01) == "timeout"


def test_patch_target_named():
    with mock.patch("time.sleep") as fake:
        fake.assert_not_called()
