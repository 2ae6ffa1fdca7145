import asyncio
import unittest
from unittest.mock import AsyncMock


async def fetch_user(user_id):
    await asyncio.sleep(0)
    return {"id": user_id}


def load_config():
    return {"debug": False}


async def test_fetch_user():
    assert await fetch_user(1)
    user = await fetch_user(2)
    assert user["id"] == 2


def test_sync_runner():
    assert asyncio.run(fetch_user(1)) == {"id": 1}


async def test_task_is_awaited_later():
    task = asyncio.create_task(fetch_user(3))
    pending = fetch_user(4)
    assert (await task)["id"] == 3
    assert (await pending)["id"] == 4


async def test_sync_function_is_fine():
    assert load_config() == {"debug": False}


async def test_async_mock_call_is_not_a_coroutine_function():
    client = AsyncMock()
    client.get.return_value = 1
    assert await client.get() == 1


class TestUsers(unittest.IsolatedAsyncioTestCase):
    def helper(self):
        return [1]

    async def test_load(self):
        self.assertTrue(self.helper())


def async_to_sync(fn):
    return fn


@async_to_sync
async def fetch_sync(user_id):
    return {"id": user_id}


def test_decorated_async_def_may_be_sync():
    assert fetch_sync(1)
