"""Answer cache: the raw content of an LLM answer, keyed by prompt version, model and messages.

The CLI uses `FileCache` (under `LLM_CACHE_DIR`), the service `RedisCache`, `--no-cache` `NullCache`.
A cache must never sink an analysis: every read problem is a miss, every write problem is ignored
(and logged at debug level, without the value). A `ttl_seconds` of 0 or less means no expiry.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from typing import Protocol

import msgspec
from loguru import logger
from redis.asyncio import Redis
from redis.exceptions import RedisError

KEY_FORMAT = "llt-llm-answer/1"
MGET_CHUNK = 200
_KEY_RE = re.compile(r"[0-9a-f]{64}")


def cache_key(prompt_version: str, model: str, messages: list[dict[str, str]]) -> str:
    """The sha256 hex digest of a canonical JSON encoding of what determines an answer."""
    canonical = msgspec.json.encode([KEY_FORMAT, prompt_version, model, messages], order="sorted")
    return hashlib.sha256(canonical).hexdigest()


class AnswerCache(Protocol):
    """Where answers are kept between calls; keys come from `cache_key`."""

    async def get(self, key: str) -> str | None: ...

    async def get_many(self, keys: list[str]) -> dict[str, str]: ...

    async def set(self, key: str, value: str) -> None: ...


async def _one_by_one(cache: AnswerCache, keys: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for key in keys:
        value = await cache.get(key)
        if value is not None:
            found[key] = value
    return found


def _text(raw: bytes | str | None) -> str | None:
    if isinstance(raw, bytes):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return raw


class NullCache:
    """Keeps nothing: every lookup misses."""

    async def get(self, key: str) -> str | None:
        return None

    async def get_many(self, keys: list[str]) -> dict[str, str]:
        return {}

    async def set(self, key: str, value: str) -> None:
        return None


class FileCache:
    """One UTF-8 file per key under `directory/ab/cd/<key>`, written atomically; age is the mtime."""

    def __init__(self, directory: str | os.PathLike[str], ttl_seconds: int) -> None:
        self.directory = Path(directory)
        self.ttl_seconds = ttl_seconds

    def path_for(self, key: str) -> Path:
        """Where `key` lives; refuses anything that is not a `cache_key` digest."""
        if not _KEY_RE.fullmatch(key):
            raise ValueError("a cache key is a sha256 hex digest from cache_key()")
        return self.directory / key[:2] / key[2:4] / key

    async def get(self, key: str) -> str | None:
        return await asyncio.to_thread(self._read, self.path_for(key))

    async def get_many(self, keys: list[str]) -> dict[str, str]:
        return await _one_by_one(self, keys)

    async def set(self, key: str, value: str) -> None:
        await asyncio.to_thread(self._write, self.path_for(key), value)

    def _read(self, path: Path) -> str | None:
        try:
            if self._expired(path.stat().st_mtime):
                return None
            return path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def _expired(self, mtime: float) -> bool:
        return self.ttl_seconds > 0 and time.time() - mtime > self.ttl_seconds

    @staticmethod
    def _write(path: Path, value: str) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(value.encode("utf-8"))
                os.replace(tmp, path)
            except BaseException:
                with suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            logger.debug("llm cache write failed: {error}", error=type(exc).__name__)


class RedisCache:
    """Answers in Redis under `prefix + key`, written with SETEX.

    Redis trouble is a miss, and so is a Redis slower than `timeout_s` (the client's own retries
    included): a cache lookup must never cost more than the call it saves.

    At most `max_in_flight` Redis calls run at once (waiting for a turn counts against `timeout_s`).
    An analysis looks up all its answers at once: unbounded, each lookup of the burst opened its own
    Redis connection, and the pool keeps them (measured: 600+ per worker with 8 analyses at once).
    """

    def __init__(
        self,
        redis: Redis,
        ttl_seconds: int,
        prefix: str = "llt:llm:",
        timeout_s: float = 1.0,
        max_in_flight: int = 32,
    ) -> None:
        self._redis = redis
        self.ttl_seconds = ttl_seconds
        self.prefix = prefix
        self.timeout_s = timeout_s
        self._turns = asyncio.Semaphore(max_in_flight)

    async def get(self, key: str) -> str | None:
        try:
            async with asyncio.timeout(self.timeout_s), self._turns:
                raw: bytes | str | None = await self._redis.get(self.prefix + key)
        except (RedisError, OSError) as exc:
            logger.debug("llm cache read failed: {error}", error=type(exc).__name__)
            return None
        return _text(raw)

    async def get_many(self, keys: list[str]) -> dict[str, str]:
        """Every answer of an analysis in a few MGETs (one round trip per MGET_CHUNK keys)."""
        found: dict[str, str] = {}
        for start in range(0, len(keys), MGET_CHUNK):
            chunk = keys[start : start + MGET_CHUNK]
            try:
                async with asyncio.timeout(self.timeout_s), self._turns:
                    values = await self._redis.mget([self.prefix + key for key in chunk])
            except (RedisError, OSError) as exc:
                logger.debug("llm cache read failed: {error}", error=type(exc).__name__)
                continue
            for key, raw in zip(chunk, values, strict=True):
                text = _text(raw)
                if text is not None:
                    found[key] = text
        return found

    async def set(self, key: str, value: str) -> None:
        try:
            async with asyncio.timeout(self.timeout_s), self._turns:
                await self._write(self.prefix + key, value)
        except (RedisError, OSError) as exc:
            logger.debug("llm cache write failed: {error}", error=type(exc).__name__)

    async def _write(self, name: str, value: str) -> None:
        if self.ttl_seconds > 0:
            await self._redis.setex(name, self.ttl_seconds, value)
        else:
            await self._redis.set(name, value)
