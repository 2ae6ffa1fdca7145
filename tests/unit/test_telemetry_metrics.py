"""Instruments from telemetry.metrics, read back with an in-memory metric reader."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from telemetry import setup_telemetry
from telemetry.metrics import (
    LLM_DURATION_BUCKETS_S,
    TOKEN_BUCKETS,
    record_analysis,
    record_llm_call,
    record_llm_error,
    record_submission,
    record_task_outcome,
    register_queue_depth,
)


@pytest.fixture(scope="module")
def reader() -> Iterator[InMemoryMetricReader]:
    """An in-memory reader attached to this process's meter provider, whoever installed it."""
    memory = InMemoryMetricReader()
    with pytest.MonkeyPatch.context() as env:
        for name in (
            "OTEL_SDK_DISABLED",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        ):
            env.delenv(name, raising=False)
        telemetry = setup_telemetry("llt-test", metric_reader=memory)
    yield memory
    assert telemetry.meter_provider is not None
    telemetry.meter_provider.remove_metric_reader(memory)


def points(reader: InMemoryMetricReader, name: str) -> list[Any]:
    """Data points of metric `name` (cumulative, so they include earlier tests of the process)."""
    data = reader.get_metrics_data()
    assert data is not None
    return [
        point
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
        if metric.name == name
        for point in metric.data.data_points
    ]


def point_with(reader: InMemoryMetricReader, name: str, attributes: dict[str, Any]) -> Any:
    """The one point of `name` whose attributes include `attributes`."""
    [point] = [p for p in points(reader, name) if attributes.items() <= dict(p.attributes).items()]
    return point


def test_llm_call_records_tokens_by_type_and_duration_with_semconv_buckets(
    reader: InMemoryMetricReader,
) -> None:
    record_llm_call("model-metrics-a", "openai", 120, 30, 0.7, server_address="llm.local", server_port=443)

    common = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "server.port": 443}
    model = {"gen_ai.request.model": "model-metrics-a"}
    tokens_in = point_with(reader, "gen_ai.client.token.usage", {**model, "gen_ai.token.type": "input"})
    assert common.items() <= dict(tokens_in.attributes).items()
    assert (tokens_in.sum, tokens_in.count) == (120, 1)
    assert tuple(tokens_in.explicit_bounds) == TOKEN_BUCKETS
    tokens_out = point_with(reader, "gen_ai.client.token.usage", {**model, "gen_ai.token.type": "output"})
    assert tokens_out.sum == 30
    duration = point_with(reader, "gen_ai.client.operation.duration", model)
    assert "error.type" not in duration.attributes
    assert duration.sum == pytest.approx(0.7)
    assert tuple(duration.explicit_bounds) == LLM_DURATION_BUCKETS_S


def test_failed_llm_call_records_duration_with_error_type_and_no_tokens(reader: InMemoryMetricReader) -> None:
    record_llm_call("model-metrics-b", "openai", None, None, 2.0, error_type="timeout")

    model = {"gen_ai.request.model": "model-metrics-b"}
    duration = point_with(reader, "gen_ai.client.operation.duration", model)
    assert duration.attributes["error.type"] == "timeout"
    tokens = points(reader, "gen_ai.client.token.usage")
    assert not [p for p in tokens if model.items() <= dict(p.attributes).items()]


def test_counters_and_analysis_duration_carry_their_attribute(reader: InMemoryMetricReader) -> None:
    record_llm_error("http_429")
    record_task_outcome("complete")
    record_submission("async")
    record_analysis("deep", 3.0)

    assert point_with(reader, "llt.llm.errors", {"error.type": "http_429"}).value >= 1
    assert point_with(reader, "llt.tasks", {"llt.task.status": "complete"}).value >= 1
    assert point_with(reader, "llt.submissions", {"llt.submission.kind": "async"}).value >= 1
    assert point_with(reader, "llt.analysis.duration", {"llt.analysis.mode": "deep"}).count >= 1


def test_queue_depth_gauge_reports_the_latest_callback(reader: InMemoryMetricReader) -> None:
    register_queue_depth(lambda: 4)
    assert [p.value for p in points(reader, "llt.queue.depth")] == [4]

    register_queue_depth(lambda: 9)
    assert [p.value for p in points(reader, "llt.queue.depth")] == [9]
