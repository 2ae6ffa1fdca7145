import asyncio
import unittest


async def fetch_user(user_id):
    await asyncio.sleep(0)
    return {"id": user_id}


async def save_user(user):
    await asyncio.sleep(0)


async def test_fetch_user():
    assert fetch_user(1)  # [async-not-awaited]
    assert fetch_user(2) is not None  # [async-not-awaited]


async def test_save_user():
    save_user({"id": 1})  # [async-not-awaited]
    asyncio.sleep(0.1)  # [async-not-awaited]
    assert (await fetch_user(1))["id"] == 1


async def test_compares_the_coroutine():
    assert fetch_user(3) == {"id": 3}  # [async-not-awaited]


async def test_nested_helper():
    async def make():
        return 1

    assert make()  # [async-not-awaited]


class TestUsers(unittest.IsolatedAsyncioTestCase):
    async def load(self):
        return [1]

    async def test_load(self):
        self.assertTrue(self.load())  # [async-not-awaited]
