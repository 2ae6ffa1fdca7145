"""W3C trace context across SAQ: one trace from the HTTP request through the job to the LLM calls.

Wiring (SAQ is never imported here; jobs are read through their attributes)::

    queue.register_before_enqueue(inject_trace_context)          # API process
    Worker(queue, ..., before_process=before_process, after_process=after_process)

The carrier lives in `job.meta["otel"]`, which SAQ stores with the job (kwargs go to the task
function). `before_enqueue` runs before the job is written, so the context written there reaches
Redis. Retries reuse the stored carrier, so every attempt joins the original trace.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Final, Protocol

from opentelemetry import context, propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from telemetry.attributes import (
    ERROR_TYPE,
    MESSAGING_DESTINATION_NAME,
    MESSAGING_MESSAGE_ID,
    MESSAGING_OPERATION_NAME,
    MESSAGING_OPERATION_PROCESS,
    MESSAGING_OPERATION_PUBLISH,
    MESSAGING_OPERATION_TYPE,
    MESSAGING_OPERATION_TYPE_PROCESS,
    MESSAGING_OPERATION_TYPE_SEND,
    MESSAGING_SYSTEM,
    MESSAGING_SYSTEM_SAQ,
    SAQ_JOB_ATTEMPT,
    process_span_name,
    publish_span_name,
)
from telemetry.tracing import tracer

META_KEY: Final = "otel"
_SPAN_KEY: Final = "otel_span"
_TOKEN_KEY: Final = "otel_token"


class QueueLike(Protocol):
    """The part of `saq.Queue` the hooks read."""

    name: str


class JobLike(Protocol):
    """The part of `saq.Job` the hooks read and write."""

    function: str
    key: str
    attempts: int
    meta: dict[Any, Any]
    queue: QueueLike | None


async def inject_trace_context(job: JobLike) -> None:
    """`before_enqueue` hook: emit a PRODUCER span `publish {queue}` and store its context.

    The span covers the hook only (SAQ has no after-enqueue hook); it marks the hand-off so the
    CONSUMER span in the worker has the enqueue as its parent. It is emitted even when SAQ then
    drops the job as a duplicate `key`.
    """
    queue = _queue_name(job)
    attributes = _messaging_attributes(job, MESSAGING_OPERATION_TYPE_SEND, MESSAGING_OPERATION_PUBLISH)
    carrier: dict[str, str] = {}
    with tracer().start_as_current_span(
        publish_span_name(queue), kind=SpanKind.PRODUCER, attributes=attributes
    ):
        propagate.inject(carrier)
    if carrier:
        job.meta[META_KEY] = carrier


async def before_process(ctx: MutableMapping[str, Any]) -> None:
    """Worker `before_process` hook: start the CONSUMER span `process {function}` and make it current.

    The job function runs in a task copied from this context, so its spans are children.
    """
    job: JobLike = ctx["job"]
    parent = propagate.extract(job.meta.get(META_KEY) or {})
    span = tracer().start_span(
        process_span_name(job.function),
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes={
            **_messaging_attributes(job, MESSAGING_OPERATION_TYPE_PROCESS, MESSAGING_OPERATION_PROCESS),
            SAQ_JOB_ATTEMPT: job.attempts,
        },
    )
    ctx[_SPAN_KEY] = span
    ctx[_TOKEN_KEY] = context.attach(trace.set_span_in_context(span, parent))


async def after_process(ctx: MutableMapping[str, Any]) -> None:
    """Worker `after_process` hook: record the job's exception (if any), end the span, detach."""
    span = ctx.pop(_SPAN_KEY, None)
    if span is None:
        return
    exc = ctx.get("exception")
    if exc is not None:
        span.record_exception(exc)
        span.set_attribute(ERROR_TYPE, type(exc).__qualname__)
        span.set_status(Status(StatusCode.ERROR, type(exc).__qualname__))
    span.end()
    context.detach(ctx.pop(_TOKEN_KEY))


def _queue_name(job: JobLike) -> str:
    return job.queue.name if job.queue is not None else ""


def _messaging_attributes(job: JobLike, operation_type: str, operation_name: str) -> dict[str, str]:
    return {
        MESSAGING_SYSTEM: MESSAGING_SYSTEM_SAQ,
        MESSAGING_OPERATION_TYPE: operation_type,
        MESSAGING_OPERATION_NAME: operation_name,
        MESSAGING_DESTINATION_NAME: _queue_name(job),
        MESSAGING_MESSAGE_ID: job.key,
    }
