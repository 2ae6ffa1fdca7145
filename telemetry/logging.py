"""Loguru logging for every process: one JSON object per line (or plain text for humans).

Each JSON line has `ts level msg logger request_id trace_id span_id` (null when unknown), then
the event fields bound with `logger.bind(...)`, `logger.contextualize(...)` or passed as
`logger.info("...", key=value)` extras, then `exception` when one is attached.

- trace_id / span_id come from the current OpenTelemetry span (a patcher), so SAQ jobs and
  HTTP requests are correlated with their traces without any extra code.
- request_id: wrap a request in `with bind_request_id(header_value) as rid:`; it is a contextvar,
  so tasks started inside inherit it. Jobs do the same with
  `with logger.contextualize(job_id=job.key):`.
- Standard-library loggers (litestar, saq, httpx, httpcore, uvicorn.*, granian, and anything
  propagating to the root) are routed into loguru; httpx and httpcore only from WARNING (a line per
  HTTP request would duplicate our per-call summary and print full URLs), saq only from INFO (at
  DEBUG its job lines print the job's kwargs, i.e. file contents, and its result), and a job that
  SAQ formats into a line (`Error processing job %s` prints the whole job) is abridged to
  `Job<function, queue, key, attempts, times, worker_id>`: no kwargs, result, error or meta. Give Litestar
  `logging_config=None`, uvicorn `log_config=None` and the SAQ CLI `--quiet`, or they replace
  these handlers.
- Exceptions are formatted with `traceback` (no local variable values; loguru's `diagnose` is
  off too).

Redaction policy: never log file contents, prompts, completions, LLM answers or API keys. Log
names, counts, sizes, durations, ids and error types; exception messages must follow the same rule.
"""

from __future__ import annotations

import logging
import sys
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, TextIO, TypeGuard

import msgspec
from loguru import logger
from opentelemetry import trace

if TYPE_CHECKING:
    from loguru import Message, Record, RecordException

LogFormat = Literal["json", "text"]

ROUTED_LOGGERS: Final = (
    "litestar", "saq", "httpx", "httpcore", "uvicorn", "uvicorn.error", "uvicorn.access", "granian",
)  # fmt: skip
QUIET_LOGGERS: Final = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "saq": logging.INFO}
REQUEST_ID: Final = "request_id"
_LOGGER_NAME: Final = "logger_name"
_IDS: Final = (REQUEST_ID, "trace_id", "span_id")


def setup_logging(level: str = "INFO", fmt: LogFormat = "json", stream: TextIO | None = None) -> None:
    """Send all logs (loguru and stdlib) to `stream` (default: the current `sys.stdout`).

    Safe to call again: it replaces the previous configuration. Raises ValueError for an unknown
    level or format.
    """
    levelno = logger.level(level.upper()).no
    sinks: dict[str, type[_JsonSink | _TextSink]] = {"json": _JsonSink, "text": _TextSink}
    if fmt not in sinks:
        raise ValueError(f"log format must be 'json' or 'text', got {fmt!r}")
    sink = sinks[fmt](stream or sys.stdout)
    logger.remove()
    logger.add(sink, level=levelno, format="{message}", diagnose=False, backtrace=False, enqueue=False)
    logger.configure(patcher=_add_trace_ids)
    _route_stdlib_logging(levelno)


@contextmanager
def bind_request_id(request_id: str | None = None) -> Iterator[str]:
    """Put `request_id` (a new one if empty) on every log line written inside the block."""
    rid = request_id or uuid.uuid4().hex
    with logger.contextualize(**{REQUEST_ID: rid}):
        yield rid


class InterceptHandler(logging.Handler):
    """A stdlib logging handler that re-emits records through loguru, keeping the logger name."""

    def emit(self, record: logging.LogRecord) -> None:
        """Forward `record` with its level, message, exception and logger name."""
        level: str | int
        try:
            level = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        logger.opt(exception=record.exc_info).bind(**{_LOGGER_NAME: record.name}).log(
            level, record.getMessage()
        )


def _route_stdlib_logging(levelno: int) -> None:
    handler = InterceptHandler()
    logging.basicConfig(handlers=[handler], level=levelno, force=True)
    for name in ROUTED_LOGGERS:
        stdlib_logger = logging.getLogger(name)
        stdlib_logger.handlers = [handler]
        stdlib_logger.propagate = False
        stdlib_logger.setLevel(max(levelno, QUIET_LOGGERS.get(name, logging.NOTSET)))
    saq_logger = logging.getLogger("saq")
    if not any(isinstance(f, AbridgeJobs) for f in saq_logger.filters):
        saq_logger.addFilter(AbridgeJobs())


class AbridgeJobs(logging.Filter):
    """Formats each SAQ job passed as a log argument with `job.info(False)` instead of its repr.

    `str(job)` is SAQ's full form: the kwargs (our request, with file contents), the result and
    the error traceback. Jobs are recognised by shape (class `Job` with an `info` method), so this
    module does not import SAQ.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(_is_job(arg) for arg in record.args):
            record.args = tuple(arg.info(False) if _is_job(arg) else arg for arg in record.args)
        return True


class _Job(Protocol):
    def info(self, full: bool = False) -> str: ...


def _is_job(value: object) -> TypeGuard[_Job]:
    return type(value).__name__ == "Job" and callable(getattr(value, "info", None))


def _add_trace_ids(record: Record) -> None:
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        record["extra"]["trace_id"] = format(span_context.trace_id, "032x")
        record["extra"]["span_id"] = format(span_context.span_id, "016x")


def _fields(record: Record) -> dict[str, Any]:
    """The fixed fields in their order, then the event fields (which cannot override them)."""
    extra = dict(record["extra"])
    fields: dict[str, Any] = {
        "ts": record["time"].astimezone(UTC).isoformat(timespec="milliseconds"),
        "level": record["level"].name,
        "msg": record["message"],
        "logger": extra.pop(_LOGGER_NAME, None) or record["name"],
    }
    fields.update((key, extra.pop(key, None)) for key in _IDS)
    for key, value in extra.items():
        fields.setdefault(key, value)
    if record["exception"] is not None:
        fields["exception"] = _format_exception(record["exception"])
    return fields


def _format_exception(exception: RecordException) -> str:
    """Traceback text without local variable values (stdlib `traceback` never prints them)."""
    if exception.type is None:
        return ""
    return "".join(traceback.format_exception(exception.type, exception.value, exception.traceback))


class _JsonSink:
    """Writes each record as one compact JSON object and a newline."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._encoder = msgspec.json.Encoder(enc_hook=str)

    def __call__(self, message: Message) -> None:
        line = self._encoder.encode(_fields(message.record)).decode()
        self._stream.write(line + "\n")
        self._stream.flush()


class _TextSink:
    """Writes `ts LEVEL logger: msg key=value ...` and the traceback, for humans."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def __call__(self, message: Message) -> None:
        fields = _fields(message.record)
        head = f"{fields.pop('ts')} {fields.pop('level'):<8} {fields.pop('logger')}: {fields.pop('msg')}"
        exception = fields.pop("exception", "")
        pairs = "".join(f" {key}={value}" for key, value in fields.items() if value is not None)
        self._stream.write(f"{head}{pairs}\n{exception}")
        self._stream.flush()
