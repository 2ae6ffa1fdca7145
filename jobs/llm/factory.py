"""Build the LLM reviewer a process needs from its settings: limiter, client, cache, instrumentation."""

from __future__ import annotations

from redis.asyncio import Redis

from jobs.errors import ConfigError
from jobs.llm.cache import AnswerCache
from jobs.llm.client import Limiter, LLMClient
from jobs.llm.fleet import RedisLimiter
from jobs.llm.review import Reviewer
from jobs.settings import Settings
from telemetry.tracing import instrument_httpx_client


def build_reviewer(
    settings: Settings, cache: AnswerCache | None = None, redis: Redis | None = None
) -> Reviewer | None:
    """The reviewer, or None when no LLM is configured (fast mode still works then).

    With `LLM_CONCURRENCY_SCOPE=fleet` the limit is a Redis semaphore shared by every process.
    """
    if not settings.llm_enabled:
        return None
    limiter: Limiter | None = None
    if settings.llm_concurrency_scope == "fleet":
        if redis is None:
            raise ConfigError("LLM_CONCURRENCY_SCOPE=fleet needs Redis (REDIS_URL); this process has none")
        limiter = RedisLimiter(redis, settings.llm_max_concurrent_calls)
    client = LLMClient(settings, limiter=limiter)
    instrument_httpx_client(client.http)
    return Reviewer(settings, client, cache)
