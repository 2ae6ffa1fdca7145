"""Pure parts of the API (no Redis): SAQ status mapping, error wording, submission limits, settings."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from saq.job import Job, Status

from jobs.errors import ConfigError
from jobs.settings import PARSERS as CORE_PARSERS
from jobs.settings import Settings
from jobs.worker import WORKER_PARSERS, WorkerSettings, worker_settings_from_env
from service.errors import InvalidInput, TooLarge, format_bytes, humanize
from service.schemas import FileInput, QualityAnalysisRequest, validate_submission
from service.settings import PARSERS as SERVICE_PARSERS
from service.settings import ServiceSettings, service_settings_from_env
from service.tasks import client_status, is_task_id, task_error


def job(status: Status, attempts: int = 1, retries: int = 3, **fields: object) -> Job:
    return Job(function="analyze", status=status, attempts=attempts, retries=retries, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "attempts", "expected"),
    [
        (Status.NEW, 0, "pending"),
        (Status.QUEUED, 0, "pending"),
        (Status.QUEUED, 1, "pending"),  # re-queued after a crash or a sweep
        (Status.ACTIVE, 1, "processing"),
        (Status.ABORTING, 1, "processing"),  # SAQ's sweep holds a dead worker's job here for ~5 s
        (Status.ABORTED, 1, "pending"),  # retries left: it runs again
        (Status.FAILED, 2, "pending"),
        (Status.ABORTED, 3, "failed"),  # no retries left
        (Status.FAILED, 3, "failed"),
        (Status.COMPLETE, 1, "completed"),
    ],
)
def test_saq_statuses_map_to_the_contract(status: Status, attempts: int, expected: str) -> None:
    assert client_status(job(status, attempts=attempts)) == expected


def test_failed_tasks_explain_themselves_without_a_traceback() -> None:
    swept = task_error(job(Status.ABORTED, attempts=3, error="swept"))
    assert swept.code == "aborted"
    timed_out = task_error(job(Status.FAILED, attempts=3, timeout=900, error="Traceback...\nTimeoutError\n"))
    assert timed_out.code == "timeout"
    assert "900 s" in timed_out.message
    crashed = task_error(
        job(Status.FAILED, attempts=3, error='Traceback (most recent call last):\n  File "x"')
    )
    assert crashed.code == "internal_error"
    assert "Traceback" not in crashed.message
    stored = task_error(job(Status.FAILED, meta={"error": {"message": "bad input", "code": "invalid_input"}}))
    assert (stored.message, stored.code) == ("bad input", "invalid_input")


@pytest.mark.parametrize(
    ("key", "message", "expected"),
    [
        ("data", "Object missing required field `files`", ("files", "is required")),
        ("files[2]", "Object missing required field `content`", ("files[2].content", "is required")),
        ("mode", "Invalid enum value 'x'", ("mode", "must be one of fast, deep, hybrid, got 'x'")),
        ("files", "Expected `array`, got `object`", ("files", "must be a list, got an object")),
        ("data", "Expected `object`, got `array`", ("body", "must be an object, got a list")),
        ("data", "'data'", ("body", "is required: send a JSON object with `files`")),
    ],
)
def test_validation_messages_are_rewritten_for_people(
    key: str, message: str, expected: tuple[str, str]
) -> None:
    assert humanize(key, message) == expected


@pytest.mark.parametrize(
    ("size", "text"), [(12, "12 B"), (20_000, "20 kB"), (1_234_567, "1.23 MB"), (20_000_000, "20 MB")]
)
def test_sizes_are_written_in_the_units_limits_are_set_in(size: int, text: str) -> None:
    assert format_bytes(size) == text


def request(*contents: str, mode: str = "fast") -> QualityAnalysisRequest:
    files = [FileInput(path=f"t{i}.py", content=c) for i, c in enumerate(contents)]
    return QualityAnalysisRequest(files=files, mode=mode)  # type: ignore[arg-type]


def test_submission_limits() -> None:
    settings = ServiceSettings(max_files_per_request=2, max_file_size_bytes=1_000_000)
    validate_submission(request("a", "b"), settings)
    with pytest.raises(InvalidInput, match=r"^files: at least one file is required$"):
        validate_submission(request(), settings)
    with pytest.raises(InvalidInput, match=r"MAX_FILES_PER_REQUEST"):
        validate_submission(request("a", "b", "c"), settings)
    big = "x" * 1_200_000
    with pytest.raises(
        TooLarge, match=r"^files\[1\]\.content: 1\.2 MB is over the 1 MB limit \(MAX_FILE_SIZE_BYTES\)$"
    ):
        validate_submission(request("a", big), settings)
    long_line = ServiceSettings(max_line_length=10)
    validate_submission(request("x = 1\r\n" + "y" * 10), long_line)
    with pytest.raises(
        InvalidInput, match=r"^files\[0\]\.content: line 3 of t0\.py is 11 characters"
    ) as line:
        validate_submission(request("a\rb\n" + "y" * 11 + "\n"), long_line)
    assert (line.value.code, line.value.extra["line"]) == ("line_too_long", 3)
    for bad in ("a\x00b", "a\tb", "\u202egnp.py"):
        unsafe = QualityAnalysisRequest(files=[FileInput(path=bad, content="")])
        with pytest.raises(InvalidInput, match=r"^files\[0\]\.path: contains the control character") as path:
            validate_submission(unsafe, settings)
        assert path.value.code == "invalid_path"
    with pytest.raises(InvalidInput, match="LLM_BASE_URL") as refused:
        validate_submission(request("a", mode="deep"), settings)
    assert refused.value.code == "llm_not_configured"
    with_llm = ServiceSettings(core=Settings(llm_base_url="http://llm.invalid/v1"))
    validate_submission(request("a", mode="deep"), with_llm)


def test_task_ids_are_canonical_uuids() -> None:
    assert is_task_id("6f1c1f57-1c1e-4a43-9d1f-8f6b1d3c9b2a")
    assert not is_task_id("6F1C1F57-1C1E-4A43-9D1F-8F6B1D3C9B2A")
    assert not is_task_id("saq:job:llt:*")


def test_service_settings_read_the_environment() -> None:
    settings = service_settings_from_env(
        {"MAX_FILES_PER_REQUEST": "7", "SYNC_WAIT_TIMEOUT": "2.5", "API_PORT": "9"}
    )
    assert (settings.max_files_per_request, settings.sync_wait_timeout, settings.api_port) == (7, 2.5, 9)
    assert service_settings_from_env({}) == ServiceSettings()


@pytest.mark.parametrize(
    "env",
    [
        {"MAX_FILES_PER_REQUEST": "many"},
        {"MAX_FILE_SIZE_BYTES": "0"},
        {"QUEUE_MAX_PENDING": "-1"},
        {"SYNC_WAIT_TIMEOUT": "forever"},
        {"LOG_LEVEL": "LOUD"},
        {"API_PORT": "70000"},
        {"MAX_LINE_LENGTH": "0"},
        {"RATE_LIMIT_PER_MINUTE": "-5"},
        {"API_KEYS": "too-short"},
        {"API_KEYS": "a-long-enough-key-0001,has space in the key"},
        {"CORS_ALLOW_ORIGINS": "https://app.example.com/"},
        {"CORS_ALLOW_ORIGINS": "app.example.com"},
    ],
)
def test_bad_service_settings_name_the_variable(env: dict[str, str]) -> None:
    (variable,) = env
    with pytest.raises(ConfigError, match=variable) as error:
        service_settings_from_env(env)
    if variable == "API_KEYS":
        assert "key" in str(error.value)
        assert not any(key in str(error.value) for key in env[variable].split(","))


def test_security_settings_are_parsed() -> None:
    settings = service_settings_from_env(
        {
            "API_KEYS": " key-one-0123456789 ,key-two-0123456789,key-one-0123456789,",
            "CORS_ALLOW_ORIGINS": "https://app.example.com, http://localhost:3000",
            "RATE_LIMIT_PER_MINUTE": "120",
            "MAX_LINE_LENGTH": "500",
        }
    )
    assert settings.api_key_hashes == (
        hashlib.sha256(b"key-one-0123456789").digest(),
        hashlib.sha256(b"key-two-0123456789").digest(),
    )
    assert "key-one" not in repr(settings), "settings keep digests, never the keys"
    assert settings.cors_allow_origins == ("https://app.example.com", "http://localhost:3000")
    assert (settings.rate_limit_per_minute, settings.max_line_length) == (120, 500)
    defaults = ServiceSettings()
    assert not defaults.api_key_hashes
    assert not defaults.cors_allow_origins
    assert defaults.rate_limit_per_minute == 0


def test_env_example_documents_every_setting_with_its_default() -> None:
    text = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    env = dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    assert service_settings_from_env(env) == ServiceSettings()
    assert worker_settings_from_env(env) == WorkerSettings()
    assert set(CORE_PARSERS) | set(WORKER_PARSERS) | set(SERVICE_PARSERS) <= set(env)
