"""Metric instruments of the project, created on first use, and one function per measurement.

Instruments come from the global meter, so they follow the provider `setup_telemetry` installs
(before that, and with `OTEL_SDK_DISABLED=true`, they are no-ops). Histogram buckets are given as
advice (`explicit_bucket_boundaries_advisory`): the GenAI ones are those of the semantic
conventions. Attributes are low-cardinality only: never ids, paths or content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Final

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Counter, Histogram, Meter, ObservableGauge, Observation

from telemetry.attributes import (
    ANALYSIS_MODE,
    ERROR_TYPE,
    GEN_AI_OPERATION_CHAT,
    GEN_AI_OPERATION_NAME,
    GEN_AI_PROVIDER_NAME,
    GEN_AI_REQUEST_MODEL,
    GEN_AI_TOKEN_TYPE,
    GEN_AI_TOKEN_TYPE_INPUT,
    GEN_AI_TOKEN_TYPE_OUTPUT,
    METRIC_ANALYSIS_DURATION,
    METRIC_GEN_AI_OPERATION_DURATION,
    METRIC_GEN_AI_TOKEN_USAGE,
    METRIC_LLM_ERRORS,
    METRIC_QUEUE_DEPTH,
    METRIC_SUBMISSIONS,
    METRIC_TASKS,
    SERVER_ADDRESS,
    SERVER_PORT,
    SUBMISSION_KIND,
    TASK_STATUS,
    drop_none,
)

METER_NAME: Final = "llt"
# gen_ai.client.token.usage: powers of 4, 1 … 67108864.
TOKEN_BUCKETS: Final = tuple(float(4**i) for i in range(14))
# gen_ai.client.operation.duration: seconds, doubling from 0.01 to 81.92.
LLM_DURATION_BUCKETS_S: Final = (
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
)  # fmt: skip
# llt.analysis.duration: seconds, from a one-file fast run to a deep run of a large suite.
ANALYSIS_DURATION_BUCKETS_S: Final = (
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Instruments:
    token_usage: Histogram
    llm_duration: Histogram
    analysis_duration: Histogram
    llm_errors: Counter
    tasks: Counter
    submissions: Counter


def _meter() -> Meter:
    return metrics.get_meter(METER_NAME)


@cache
def _instruments() -> _Instruments:
    meter = _meter()
    return _Instruments(
        token_usage=meter.create_histogram(
            METRIC_GEN_AI_TOKEN_USAGE,
            unit="{token}",
            description="Tokens used per LLM call, by token type.",
            explicit_bucket_boundaries_advisory=TOKEN_BUCKETS,
        ),
        llm_duration=meter.create_histogram(
            METRIC_GEN_AI_OPERATION_DURATION,
            unit="s",
            description="Duration of LLM calls, retries included.",
            explicit_bucket_boundaries_advisory=LLM_DURATION_BUCKETS_S,
        ),
        analysis_duration=meter.create_histogram(
            METRIC_ANALYSIS_DURATION,
            unit="s",
            description="Duration of one analysis, by mode.",
            explicit_bucket_boundaries_advisory=ANALYSIS_DURATION_BUCKETS_S,
        ),
        llm_errors=meter.create_counter(
            METRIC_LLM_ERRORS,
            unit="{error}",
            description="LLM calls that failed after their retries, and malformed answers, by error type.",
        ),
        tasks=meter.create_counter(METRIC_TASKS, unit="{task}", description="Finished tasks, by status."),
        submissions=meter.create_counter(
            METRIC_SUBMISSIONS, unit="{submission}", description="Accepted submissions, sync or async."
        ),
    )


def record_llm_call(
    model: str,
    provider: str,
    input_tokens: int | None,
    output_tokens: int | None,
    duration_s: float,
    error_type: str | None = None,
    server_address: str | None = None,
    server_port: int | None = None,
) -> None:
    """Record one finished LLM call: token usage (when known) and duration (with `error.type`)."""
    attributes = drop_none(
        {
            GEN_AI_OPERATION_NAME: GEN_AI_OPERATION_CHAT,
            GEN_AI_PROVIDER_NAME: provider,
            GEN_AI_REQUEST_MODEL: model,
            SERVER_ADDRESS: server_address,
            SERVER_PORT: server_port,
        }
    )
    instruments = _instruments()
    tokens = {GEN_AI_TOKEN_TYPE_INPUT: input_tokens, GEN_AI_TOKEN_TYPE_OUTPUT: output_tokens}
    for token_type, count in tokens.items():
        if count is not None:
            instruments.token_usage.record(count, {**attributes, GEN_AI_TOKEN_TYPE: token_type})
    if error_type is not None:
        attributes[ERROR_TYPE] = error_type
    instruments.llm_duration.record(duration_s, attributes)


def record_llm_error(error_type: str) -> None:
    """Count one LLM failure by type: a call that failed after its retries, or a malformed answer."""
    _instruments().llm_errors.add(1, {ERROR_TYPE: error_type})


def record_analysis(mode: str, duration_s: float) -> None:
    """Record the wall time of one analysis in `mode` (fast, hybrid, deep)."""
    _instruments().analysis_duration.record(duration_s, {ANALYSIS_MODE: mode})


def record_task_outcome(status: str) -> None:
    """Count one task that reached a terminal status (complete, failed, aborted)."""
    _instruments().tasks.add(1, {TASK_STATUS: status})


def record_submission(kind: str) -> None:
    """Count one accepted submission, `sync` or `async` (`SUBMISSION_KIND_*`)."""
    _instruments().submissions.add(1, {SUBMISSION_KIND: kind})


class _QueueDepthSource:
    callback: Callable[[], int] | None = None


def register_queue_depth(callback: Callable[[], int]) -> None:
    """Report `callback()` as the observable gauge `llt.queue.depth` at every collection.

    The callback runs synchronously on the metric export thread, outside any event loop, so it
    must not touch Redis: pass a function returning a value cached by a background task (e.g. the
    last `await queue.count("queued")`). Calling again replaces the callback.
    """
    _QueueDepthSource.callback = callback
    _queue_depth_gauge()


@cache
def _queue_depth_gauge() -> ObservableGauge:
    return _meter().create_observable_gauge(
        METRIC_QUEUE_DEPTH,
        callbacks=[_observe_queue_depth],
        unit="{job}",
        description="Jobs waiting in the queue.",
    )


def _observe_queue_depth(_options: CallbackOptions) -> Iterable[Observation]:
    callback = _QueueDepthSource.callback
    return [] if callback is None else [Observation(callback())]
