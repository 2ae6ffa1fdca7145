"""Run every LLM review of an analysis in one pool: cache first, then bounded concurrent calls.

All calls of all files are started together; the client's limiter (`LLM_MAX_CONCURRENT_CALLS`)
bounds how many are in flight. A failed or malformed call is logged with its error type, counted,
and never blocks or sinks the others.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from loguru import logger

from jobs.contracts import QualityIssue
from jobs.engine.facts import BatchFacts
from jobs.errors import LLMCallError
from jobs.llm.answers import MalformedAnswerError, parse_answer
from jobs.llm.cache import AnswerCache, NullCache, cache_key
from jobs.llm.client import ChatResult, LLMClient
from jobs.llm.prompt import PROMPT_VERSION, ReviewRequest, build_messages
from jobs.settings import Settings
from telemetry.metrics import record_llm_call, record_llm_error
from telemetry.tracing import ChatSpan, chat_span

ProgressFn = Callable[[int, int], Awaitable[None] | None]
PROVIDER = "openai"


@dataclass(slots=True)
class ReviewTotals:
    """What the LLM phase did: findings plus the counts that go into the summary."""

    issues: list[QualityIssue] = field(default_factory=list)
    calls: int = 0
    failed: int = 0
    cached: int = 0
    dropped: int = 0
    done: int = 0


class Reviewer:
    """Owns the LLM client and the answer cache for one process."""

    def __init__(self, settings: Settings, client: LLMClient, cache: AnswerCache | None = None) -> None:
        self.settings = settings
        self.client = client
        self.cache = cache or NullCache()
        url = urlsplit(settings.llm_base_url or "")
        self._server = (url.hostname, url.port)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def review_all(
        self, requests: Sequence[ReviewRequest], batch: BatchFacts, progress: ProgressFn | None = None
    ) -> ReviewTotals:
        """Every request at once under the client's limit; progress after each one finishes."""
        totals = ReviewTotals()
        total = len(requests)
        started = time.perf_counter()
        logger.info("llm phase started", total_calls=total, limit=self.settings.llm_max_concurrent_calls)

        prompts = [build_messages(r, batch) for r in requests]
        keys = [cache_key(PROMPT_VERSION, self.settings.llm_model, m) for m in prompts]
        cached = await self.cache.get_many(keys)  # one round trip, not one per call

        async def one(request: ReviewRequest, messages: list[dict[str, str]], key: str) -> None:
            await self._review(request, messages, key, cached.get(key), totals)
            totals.done += 1
            if progress is not None:
                outcome = progress(totals.done, total)
                if inspect.isawaitable(outcome):
                    await outcome

        await asyncio.gather(*(one(r, m, k) for r, m, k in zip(requests, prompts, keys, strict=True)))
        logger.info(
            "llm phase finished",
            succeeded=totals.calls - totals.failed,
            failed=totals.failed,
            cached=totals.cached,
            elapsed_ms=round((time.perf_counter() - started) * 1000),
        )
        return totals

    async def _review(
        self,
        request: ReviewRequest,
        messages: list[dict[str, str]],
        key: str,
        content: str | None,
        totals: ReviewTotals,
    ) -> None:
        fresh = content is None
        if content is not None:
            totals.cached += 1
        else:
            totals.calls += 1
            content = await self._call(messages)
            if content is None:
                totals.failed += 1
                return
        try:
            parsed = parse_answer(content, request, min_confidence=self.settings.llm_min_confidence)
        except MalformedAnswerError:
            totals.failed += 1
            record_llm_error("malformed_answer")
            logger.warning("llm answer malformed", test=request.test.qualname, review=request.kind.value)
            return
        if fresh:
            await self.cache.set(key, content)
        totals.issues.extend(parsed.issues)
        totals.dropped += parsed.dropped

    async def _call(self, messages: list[dict[str, str]]) -> str | None:
        model = self.settings.llm_model
        host, port = self._server
        started = time.perf_counter()
        with chat_span(model, PROVIDER, host, port) as span:
            try:
                result = await self.client.chat(messages)
            except LLMCallError as exc:
                span.set_error(exc.kind)
                record_llm_error(exc.kind)
                record_llm_call(
                    model, PROVIDER, None, None, time.perf_counter() - started, exc.kind, host, port
                )
                logger.warning("llm call failed", model=model, error_type=exc.kind, error=exc.message)
                return None
            self._record(span, result)
            return result.content

    def _record(self, span: ChatSpan, result: ChatResult) -> None:
        span.set_response(
            model=result.model, input_tokens=result.input_tokens, output_tokens=result.output_tokens
        )
        span.set_slot_wait(result.slot_wait_ms)
        span.set_attempts(result.attempts)
        host, port = self._server
        # the provider's time (slot to answer, retries included); the wait for a slot is its own attribute
        record_llm_call(
            self.settings.llm_model, PROVIDER, result.input_tokens, result.output_tokens,
            result.latency_ms / 1000, None, host, port,
        )  # fmt: skip
        logger.info(
            "llm call",
            model=result.model,
            prompt_tokens=result.input_tokens,
            completion_tokens=result.output_tokens,
            total_tokens=result.total_tokens,
            latency_ms=round(result.latency_ms),
            slot_wait_ms=round(result.slot_wait_ms),
            attempts=result.attempts,
        )
