"""Spans from telemetry.tracing and telemetry.propagation, read back with an in-memory exporter."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from litestar import Litestar, get
from litestar.params import FromPath
from litestar.plugins.opentelemetry import OpenTelemetryPlugin
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from telemetry import setup_telemetry
from telemetry.attributes import ANALYSIS_FILES, ANALYSIS_LLM_CALLS, SPAN_ANALYSIS_LLM, SPAN_ANALYSIS_PARSE
from telemetry.http import litestar_otel_config
from telemetry.propagation import after_process, before_process, inject_trace_context
from telemetry.tracing import chat_span, instrument_httpx_client, phase_span, tracer


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    """An in-memory exporter attached to this process's provider, whoever installed it."""
    memory = InMemorySpanExporter()
    with pytest.MonkeyPatch.context() as env:
        for name in (
            "OTEL_SDK_DISABLED",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        ):
            env.delenv(name, raising=False)
        setup_telemetry("llt-test", span_exporter=memory)
    yield memory
    memory.shutdown()


@pytest.fixture
def spans(exporter: InMemorySpanExporter) -> Iterator[InMemorySpanExporter]:
    exporter.clear()
    yield exporter
    exporter.clear()


def only(spans: InMemorySpanExporter, name: str) -> ReadableSpan:
    [span] = [span for span in spans.get_finished_spans() if span.name == name]
    return span


def parent_id(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def fake_job(**overrides: Any) -> SimpleNamespace:
    """The attributes of saq.Job the hooks use."""
    fields: dict[str, Any] = {
        "function": "analyze",
        "key": "task-1",
        "attempts": 1,
        "meta": {},
        "queue": SimpleNamespace(name="llt"),
    }
    return SimpleNamespace(**{**fields, **overrides})


def test_chat_span_is_a_client_span_named_after_the_model_with_genai_attributes(
    spans: InMemorySpanExporter,
) -> None:
    with chat_span("gpt-x", "openai", "llm.internal", 8443) as chat:
        chat.set_slot_wait(12.5)
        chat.set_attempts(2)
        chat.set_response(
            model="gpt-x-2026",
            response_id="resp-1",
            finish_reasons=["stop"],
            input_tokens=40,
            output_tokens=7,
        )

    span = only(spans, "chat gpt-x")
    assert span.kind is SpanKind.CLIENT
    assert dict(span.attributes or {}) == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-x",
        "server.address": "llm.internal",
        "server.port": 8443,
        "llt.llm.slot_wait_ms": 12.5,
        "llt.llm.attempts": 2,
        "gen_ai.response.model": "gpt-x-2026",
        "gen_ai.response.id": "resp-1",
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.usage.input_tokens": 40,
        "gen_ai.usage.output_tokens": 7,
    }
    assert span.status.status_code is StatusCode.UNSET


def test_an_exception_leaving_chat_span_sets_error_type_status_and_event(spans: InMemorySpanExporter) -> None:
    with pytest.raises(TimeoutError), chat_span("gpt-x", "openai"):
        raise TimeoutError("read timed out")

    span = only(spans, "chat gpt-x")
    assert span.attributes is not None
    assert span.attributes["error.type"] == "TimeoutError"
    assert "server.address" not in span.attributes
    assert span.status.status_code is StatusCode.ERROR
    assert [event.name for event in span.events] == ["exception"]


def test_set_error_names_a_handled_failure_and_wins_over_the_exception_class(
    spans: InMemorySpanExporter,
) -> None:
    def call_with_a_bad_answer() -> None:
        with chat_span("gpt-x", "openai") as chat:
            chat.set_error("invalid_json")
            raise ValueError("bad body")

    with pytest.raises(ValueError):
        call_with_a_bad_answer()

    span = only(spans, "chat gpt-x")
    assert span.attributes is not None
    assert span.attributes["error.type"] == "invalid_json"
    assert span.status.status_code is StatusCode.ERROR


def test_phase_spans_nest_and_parent_the_chat_spans(spans: InMemorySpanExporter) -> None:
    with phase_span(SPAN_ANALYSIS_LLM, {ANALYSIS_LLM_CALLS: 1}) as llm_phase:
        with chat_span("gpt-x", "openai"):
            pass
        llm_phase.set_attribute(ANALYSIS_FILES, 2)

    phase, chat = only(spans, SPAN_ANALYSIS_LLM), only(spans, "chat gpt-x")
    assert phase.kind is SpanKind.INTERNAL
    assert dict(phase.attributes or {}) == {ANALYSIS_LLM_CALLS: 1, ANALYSIS_FILES: 2}
    assert parent_id(chat) == phase.context.span_id


def test_phase_span_records_an_exception_and_reraises_it(spans: InMemorySpanExporter) -> None:
    with pytest.raises(KeyError), phase_span(SPAN_ANALYSIS_PARSE, files=None):
        raise KeyError("x")

    span = only(spans, SPAN_ANALYSIS_PARSE)
    assert span.attributes is not None
    assert span.attributes["error.type"] == "KeyError"
    assert "files" not in span.attributes
    assert span.status.status_code is StatusCode.ERROR
    assert [event.name for event in span.events] == ["exception"]


async def run_in_fresh_context(ctx: dict[str, Any], job_body: Any) -> None:
    """What a SAQ worker does: hooks and job in a task that shares nothing with the producer."""

    async def process() -> None:
        await before_process(ctx)
        try:
            await asyncio.create_task(job_body())
        except Exception as exc:
            ctx["exception"] = exc
        finally:
            await after_process(ctx)

    await asyncio.create_task(process(), context=contextvars.Context())


async def test_job_consumer_span_continues_the_trace_of_the_enqueue(spans: InMemorySpanExporter) -> None:
    job = fake_job()
    with tracer().start_as_current_span("POST /api/v1/analyze", kind=SpanKind.SERVER):
        await inject_trace_context(job)

    async def job_body() -> None:
        with phase_span(SPAN_ANALYSIS_PARSE):
            pass

    await run_in_fresh_context({"job": job}, job_body)

    server, producer = only(spans, "POST /api/v1/analyze"), only(spans, "publish llt")
    consumer, phase = only(spans, "process analyze"), only(spans, SPAN_ANALYSIS_PARSE)
    assert "traceparent" in job.meta["otel"]
    assert producer.kind is SpanKind.PRODUCER
    assert consumer.kind is SpanKind.CONSUMER
    assert {s.context.trace_id for s in (server, producer, consumer, phase)} == {server.context.trace_id}
    assert parent_id(producer) == server.context.span_id
    assert parent_id(consumer) == producer.context.span_id
    assert parent_id(phase) == consumer.context.span_id
    assert dict(consumer.attributes or {}) == {
        "messaging.system": "saq",
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
        "messaging.destination.name": "llt",
        "messaging.message.id": "task-1",
        "saq.job.attempt": 1,
    }
    assert consumer.status.status_code is StatusCode.UNSET


async def test_a_failing_job_marks_its_consumer_span_as_error(spans: InMemorySpanExporter) -> None:
    async def job_body() -> None:
        raise RuntimeError("engine broke")

    await run_in_fresh_context({"job": fake_job(attempts=2)}, job_body)

    consumer = only(spans, "process analyze")
    assert parent_id(consumer) is None  # no carrier: a new trace
    assert consumer.attributes is not None
    assert consumer.attributes["saq.job.attempt"] == 2
    assert consumer.attributes["error.type"] == "RuntimeError"
    assert consumer.status.status_code is StatusCode.ERROR
    assert [event.name for event in consumer.events] == ["exception"]


async def test_after_process_without_before_process_does_nothing(spans: InMemorySpanExporter) -> None:
    await after_process({"job": fake_job()})

    assert spans.get_finished_spans() == ()


@get("/api/v1/tasks/{task_id:str}", sync_to_thread=False)
def read_task(task_id: FromPath[str]) -> dict[str, str]:
    return {"task_id": task_id}


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/boom", sync_to_thread=False)
def boom() -> None:
    raise RuntimeError("handler broke")


async def test_http_server_spans_use_route_templates_skip_probes_and_record_exceptions(
    spans: InMemorySpanExporter,
) -> None:
    app = Litestar(
        [read_task, health, boom], plugins=[OpenTelemetryPlugin(litestar_otel_config())], logging_config=None
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        for path in ("/api/v1/tasks/abc-123", "/health", "/boom", "/nowhere"):
            await client.get(path)

    finished = spans.get_finished_spans()
    assert sorted(span.name for span in finished) == ["GET", "GET /api/v1/tasks/{task_id}", "GET /boom"]
    task = only(spans, "GET /api/v1/tasks/{task_id}")
    assert task.kind is SpanKind.SERVER
    assert task.attributes is not None
    assert task.attributes["http.route"] == "/api/v1/tasks/{task_id}"
    failed = only(spans, "GET /boom")
    assert failed.status.status_code is StatusCode.ERROR
    assert [event.name for event in failed.events] == ["exception"]


async def test_an_instrumented_httpx_call_is_a_child_of_the_chat_span_and_carries_traceparent(
    spans: InMemorySpanExporter,
) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        instrument_httpx_client(client)
        with chat_span("gpt-x", "openai"):
            await client.post("http://llm.test/v1/chat/completions", json={})

    chat, http_call = only(spans, "chat gpt-x"), only(spans, "POST")
    assert http_call.kind is SpanKind.CLIENT
    assert parent_id(http_call) == chat.context.span_id
    trace_hex = format(chat.context.trace_id, "032x")
    assert seen[0].headers["traceparent"].split("-")[1] == trace_hex
