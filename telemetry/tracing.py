"""Spans of the analysis: phase spans, GenAI `chat {model}` client spans, httpx instrumentation.

Usage in the engine::

    with phase_span(SPAN_ANALYSIS_LLM, {ANALYSIS_LLM_CALLS: len(calls)}):
        with chat_span(model, "openai", host, port) as chat:
            chat.set_slot_wait(waited_ms)
            ...  # the HTTP call
            chat.set_response(model=body.model, input_tokens=usage.prompt_tokens, ...)

An exception leaving either context manager is recorded on the span (event, ERROR status and
`error.type`) and re-raised. Never put prompts, completions or file contents in attributes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer
from opentelemetry.util.types import AttributeValue

from telemetry.attributes import (
    ERROR_TYPE,
    GEN_AI_OPERATION_CHAT,
    GEN_AI_OPERATION_NAME,
    GEN_AI_PROVIDER_NAME,
    GEN_AI_REQUEST_MODEL,
    GEN_AI_RESPONSE_FINISH_REASONS,
    GEN_AI_RESPONSE_ID,
    GEN_AI_RESPONSE_MODEL,
    GEN_AI_USAGE_INPUT_TOKENS,
    GEN_AI_USAGE_OUTPUT_TOKENS,
    LLM_ATTEMPTS,
    LLM_SLOT_WAIT_MS,
    SERVER_ADDRESS,
    SERVER_PORT,
    chat_span_name,
    drop_none,
)

if TYPE_CHECKING:
    import httpx

INSTRUMENTATION_SCOPE = "llt"


@cache
def tracer() -> Tracer:
    """The tracer of this project (it follows the provider installed by `setup_telemetry`)."""
    return trace.get_tracer(INSTRUMENTATION_SCOPE)


@contextmanager
def phase_span(
    name: str, attributes: Mapping[str, AttributeValue] | None = None, /, **attrs: AttributeValue
) -> Iterator[Span]:
    """Current INTERNAL span for one pipeline phase (`SPAN_ANALYSIS_*`).

    Attributes come from the mapping (dotted constants from `telemetry.attributes`) and from the
    keyword arguments; None values are dropped. Exceptions are recorded and re-raised.
    """
    merged = drop_none({**(attributes or {}), **attrs})
    with tracer().start_as_current_span(name, kind=SpanKind.INTERNAL, attributes=merged) as span:
        try:
            yield span
        except Exception as exc:
            span.set_attribute(ERROR_TYPE, type(exc).__qualname__)
            raise


@dataclass(slots=True)
class ChatSpan:
    """Handle on a live `chat {model}` span. Every setter ignores None values."""

    span: Span
    error_type: str | None = None

    def set_response(
        self,
        *,
        model: str | None = None,
        response_id: str | None = None,
        finish_reasons: Sequence[str] | None = None,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
    ) -> None:
        """Record what the provider answered (model, id, finish reasons, token usage)."""
        self.span.set_attributes(
            drop_none(
                {
                    GEN_AI_RESPONSE_MODEL: model,
                    GEN_AI_RESPONSE_ID: response_id,
                    GEN_AI_RESPONSE_FINISH_REASONS: list(finish_reasons) if finish_reasons else None,
                    GEN_AI_USAGE_INPUT_TOKENS: input_tokens,
                    GEN_AI_USAGE_OUTPUT_TOKENS: output_tokens,
                }
            )
        )

    def set_slot_wait(self, wait_ms: float) -> None:
        """Record how long the call waited for a concurrency slot (the semaphore)."""
        self.span.set_attribute(LLM_SLOT_WAIT_MS, wait_ms)

    def set_attempts(self, attempts: int) -> None:
        """Record how many HTTP attempts the call took (1 = no retry)."""
        self.span.set_attribute(LLM_ATTEMPTS, attempts)

    def set_error(self, error_type: str) -> None:
        """Mark the call failed with `error_type` (e.g. `timeout`, `429`, `invalid_json`)."""
        self.error_type = error_type
        self.span.set_attribute(ERROR_TYPE, error_type)
        self.span.set_status(Status(StatusCode.ERROR))


@contextmanager
def chat_span(
    model: str, provider: str, server_address: str | None = None, server_port: int | None = None
) -> Iterator[ChatSpan]:
    """Current CLIENT span `chat {model}` for one LLM call, with the required GenAI attributes.

    An exception leaving the block is recorded and, unless `set_error` already named the
    failure, its class name becomes `error.type`.
    """
    attributes = drop_none(
        {
            GEN_AI_OPERATION_NAME: GEN_AI_OPERATION_CHAT,
            GEN_AI_PROVIDER_NAME: provider,
            GEN_AI_REQUEST_MODEL: model,
            SERVER_ADDRESS: server_address,
            SERVER_PORT: server_port,
        }
    )
    with tracer().start_as_current_span(
        chat_span_name(model), kind=SpanKind.CLIENT, attributes=attributes
    ) as span:
        handle = ChatSpan(span)
        try:
            yield handle
        except Exception as exc:
            if handle.error_type is None:
                handle.set_error(type(exc).__qualname__)
            raise


def instrument_httpx_client(client: httpx.AsyncClient | httpx.Client) -> None:
    """Give `client` a CLIENT span per request and W3C `traceparent` injection.

    Call it after `setup_telemetry` (the HTTP semconv opt-in is read once). The span's `url.full`
    keeps the query string, so never put secrets in URLs.
    """
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor.instrument_client(client)
