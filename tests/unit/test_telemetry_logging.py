"""Log lines from telemetry.logging: JSON fields, trace ids, stdlib routing, exceptions, text."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from loguru import logger
from opentelemetry.sdk.trace import TracerProvider

from telemetry.logging import ROUTED_LOGGERS, bind_request_id, setup_logging


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """A fresh output stream; stdlib and loguru configuration are restored afterwards."""
    names = ["", *ROUTED_LOGGERS]
    saved = {name: _snapshot(logging.getLogger(name)) for name in names}
    yield io.StringIO()
    for name, (handlers, level, propagate) in saved.items():
        stdlib_logger = logging.getLogger(name)
        stdlib_logger.handlers, stdlib_logger.propagate = handlers, propagate
        stdlib_logger.setLevel(level)
    logger.remove()
    logger.add(sys.stderr)


def _snapshot(stdlib_logger: logging.Logger) -> tuple[list[logging.Handler], int, bool]:
    return list(stdlib_logger.handlers), stdlib_logger.level, stdlib_logger.propagate


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def fail_with_a_secret_local() -> None:
    api_key = "sk-should-never-be-logged"
    raise ValueError(f"bad key length {len(api_key)}")


def test_a_json_line_has_the_fixed_fields_then_the_event_fields(stream: io.StringIO) -> None:
    setup_logging("INFO", "json", stream)

    logger.bind(analysis_id="a-1", files=3).info("analysis done")
    logger.debug("filtered out")

    [line] = lines(stream)
    assert list(line)[:7] == ["ts", "level", "msg", "logger", "request_id", "trace_id", "span_id"]
    assert line["level"] == "INFO"
    assert line["msg"] == "analysis done"
    assert line["logger"] == __name__
    assert (line["request_id"], line["trace_id"], line["span_id"]) == (None, None, None)
    assert (line["analysis_id"], line["files"]) == ("a-1", 3)
    assert line["ts"].endswith("+00:00")


def test_request_id_and_current_span_ids_are_on_every_line_inside(stream: io.StringIO) -> None:
    setup_logging("INFO", "json", stream)
    span_tracer = TracerProvider().get_tracer("test")

    with bind_request_id("req-42") as request_id, span_tracer.start_as_current_span("work") as span:
        logger.info("inside")
    logger.info("outside")

    inside, outside = lines(stream)
    context = span.get_span_context()
    assert request_id == "req-42"
    assert inside["request_id"] == "req-42"
    assert inside["trace_id"] == format(context.trace_id, "032x")
    assert inside["span_id"] == format(context.span_id, "016x")
    assert (outside["request_id"], outside["trace_id"]) == (None, None)


def test_bind_request_id_creates_one_when_the_client_sent_none(stream: io.StringIO) -> None:
    setup_logging("INFO", "json", stream)

    with bind_request_id(None) as request_id:
        logger.info("x")

    assert len(request_id) == 32
    assert lines(stream)[0]["request_id"] == request_id


def test_stdlib_loggers_are_routed_with_their_name_and_httpx_only_from_warning(stream: io.StringIO) -> None:
    setup_logging("INFO", "json", stream)

    logging.getLogger("saq").info("worker started %s", "w-1")
    logging.getLogger("some.library").warning("careful")
    logging.getLogger("httpx").info("HTTP Request: POST https://llm/v1?key=secret")
    logging.getLogger("httpx").warning("retrying")

    assert [(line["logger"], line["msg"]) for line in lines(stream)] == [
        ("saq", "worker started w-1"),
        ("some.library", "careful"),
        ("httpx", "retrying"),
    ]


@pytest.mark.parametrize("source", ["loguru", "stdlib"])
def test_an_exception_is_a_traceback_field_without_local_values(stream: io.StringIO, source: str) -> None:
    setup_logging("INFO", "json", stream)

    try:
        fail_with_a_secret_local()
    except ValueError:
        if source == "loguru":
            logger.exception("analysis failed")
        else:
            logging.getLogger("saq").exception("analysis failed")

    [line] = lines(stream)
    assert line["level"] == "ERROR"
    assert line["exception"].startswith("Traceback (most recent call last):")
    assert "in fail_with_a_secret_local" in line["exception"]
    assert line["exception"].endswith("ValueError: bad key length 25\n")
    assert "sk-should-never-be-logged" not in stream.getvalue()


def test_text_format_is_one_readable_line_with_the_event_fields(stream: io.StringIO) -> None:
    setup_logging("DEBUG", "text", stream)

    logger.bind(task_id="t-9").debug("queued {n} files", n=2)

    [line] = stream.getvalue().splitlines()
    assert f"DEBUG    {__name__}: queued 2 files" in line
    assert line.endswith(" task_id=t-9 n=2")
    assert "request_id" not in line


def test_setting_up_twice_replaces_the_configuration(stream: io.StringIO) -> None:
    first = io.StringIO()
    setup_logging("INFO", "json", first)
    setup_logging("WARNING", "json", stream)

    logger.info("dropped")
    logging.getLogger("saq").warning("kept")

    assert first.getvalue() == ""
    assert [line["msg"] for line in lines(stream)] == ["kept"]


def test_unknown_level_or_format_is_refused(stream: io.StringIO) -> None:
    with pytest.raises(ValueError, match="LOUD"):
        setup_logging("LOUD", "json", stream)
    with pytest.raises(ValueError, match="yaml"):
        setup_logging("INFO", "yaml", stream)  # type: ignore[arg-type]
