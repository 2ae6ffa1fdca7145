"""SAQ's own log lines never carry a job's kwargs (file contents), result or error, at any level."""

from __future__ import annotations

import io
import logging

from saq.job import Job

from telemetry.logging import setup_logging
from tests.unit.test_telemetry_logging import lines, stream  # noqa: F401  (the fixture)

SECRET = "file-content-that-must-stay-private"


def saq_job() -> Job:
    request = {"files": [{"path": "tests/test_a.py", "content": SECRET}], "mode": "hybrid"}
    return Job("analyze", kwargs={"request": request}, key="task-1", result={"echo": SECRET}, error=SECRET)


def test_a_job_formatted_into_a_saq_line_is_abridged(stream: io.StringIO) -> None:  # noqa: F811
    setup_logging("DEBUG", "json", stream)
    saq = logging.getLogger("saq")

    try:
        raise RuntimeError("the task failed")
    except RuntimeError:
        saq.exception("Error processing job %s", saq_job())  # what saq.worker does on a failed job

    [line] = lines(stream)
    assert SECRET not in stream.getvalue()
    assert line["msg"] == "Error processing job Job<function: analyze, key: task-1>"
    assert line["logger"] == "saq"
    assert "RuntimeError: the task failed" in line["exception"]


def test_saq_stays_at_info_when_everything_else_logs_debug(stream: io.StringIO) -> None:  # noqa: F811
    setup_logging("DEBUG", "json", stream)
    saq = logging.getLogger("saq")

    # SAQ passes `job.info(full)` with full = "is DEBUG enabled", which would include the kwargs.
    saq.info("Processing %s", saq_job().info(saq.isEnabledFor(logging.DEBUG)))
    saq.debug("Registered functions: %s", SECRET)
    logging.getLogger("tests.other").debug("other libraries still log at DEBUG")

    assert SECRET not in stream.getvalue()
    assert [line["msg"] for line in lines(stream)] == [
        "Processing Job<function: analyze, key: task-1>",
        "other libraries still log at DEBUG",
    ]


def test_setting_up_again_adds_no_second_filter(stream: io.StringIO) -> None:  # noqa: F811
    setup_logging("INFO", "json", stream)
    setup_logging("DEBUG", "json", stream)

    logging.getLogger("saq").warning("job %s", saq_job())

    assert [line["msg"] for line in lines(stream)] == ["job Job<function: analyze, key: task-1>"]
