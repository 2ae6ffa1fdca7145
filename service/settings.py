"""Typed settings of the HTTP API, read once from the environment.

Every field names its variable. A bad value raises `ConfigError` naming the variable, so the API
refuses to start instead of misbehaving later. The engine's settings (`REDIS_URL`, `LLM_*`,
`TASK_TTL_SECONDS`, `JOB_TIMEOUT_SECONDS`, `JOB_RETRIES`, ...) live in `jobs.settings` and are
carried here as `core`.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Final

import msgspec

from jobs.errors import ConfigError
from jobs.settings import Settings, settings_from_env
from jobs.tasks import DEFAULT_QUEUE_NAME
from jobs.worker import LogFormat, parse_log_format, parse_log_level, parse_number, parse_queue_name, read_env

MB: Final = 1_000_000
API_KEY_RE: Final = re.compile(r"^[A-Za-z0-9._~+/=-]{16,512}$")  # RFC 6750 token characters
ORIGIN_RE: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s/]+$")  # scheme://host[:port], nothing after


class ServiceSettings(msgspec.Struct, frozen=True, kw_only=True):
    """API settings. Env var in brackets."""

    core: Settings = msgspec.field(default_factory=Settings)
    queue_name: str = DEFAULT_QUEUE_NAME  # QUEUE_NAME
    max_files_per_request: int = 200  # MAX_FILES_PER_REQUEST
    max_file_size_bytes: int = 1 * MB  # MAX_FILE_SIZE_BYTES (UTF-8 bytes of one file's content)
    max_body_bytes: int = 20 * MB  # MAX_BODY_BYTES (whole request body; over it: 413)
    queue_max_pending: int = 1000  # QUEUE_MAX_PENDING (jobs waiting; at it: 503 + Retry-After)
    sync_wait_timeout: float = 120.0  # SYNC_WAIT_TIMEOUT, seconds the deprecated endpoint waits
    worker_seen_within: float = 30.0  # WORKER_SEEN_WITHIN, seconds; /ready needs a worker seen since
    redis_timeout: float = 1.0  # REDIS_TIMEOUT, seconds per Redis operation of a request
    job_heartbeat_seconds: int = 30  # JOB_HEARTBEAT_SECONDS (a job silent this long is swept)
    job_retry_delay_seconds: float = 1.0  # JOB_RETRY_DELAY_SECONDS (first retry; doubles, jittered)
    job_retry_max_delay_seconds: float = 60.0  # JOB_RETRY_MAX_DELAY_SECONDS
    retry_after_seconds: int = 5  # RETRY_AFTER_SECONDS, the Retry-After of a 503
    log_level: str = "INFO"  # LOG_LEVEL
    log_format: LogFormat = "json"  # LOG_FORMAT
    api_host: str = "127.0.0.1"  # API_HOST
    api_port: int = 8000  # API_PORT
    max_line_length: int = 10_000  # MAX_LINE_LENGTH, characters of one line of a file (over it: 400)
    api_key_hashes: tuple[bytes, ...] = ()  # API_KEYS (SHA-256 of each key; the keys are not kept)
    cors_allow_origins: tuple[str, ...] = ()  # CORS_ALLOW_ORIGINS (empty: no CORS headers)
    rate_limit_per_minute: int = 0  # RATE_LIMIT_PER_MINUTE, per API key or client address (0: off)


def _str(_name: str, raw: str) -> str:
    return raw


def _items(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_api_keys(name: str, raw: str) -> tuple[bytes, ...]:
    """Comma-separated API keys, kept as SHA-256 digests; an error never shows a key."""
    digests: list[bytes] = []
    for index, key in enumerate(_items(raw), start=1):
        if not API_KEY_RE.fullmatch(key):
            raise ConfigError(
                f"{name}: key {index} must be 16-512 characters of letters, digits and -._~+/= "
                "(the value is not shown)"
            )
        digest = hashlib.sha256(key.encode("ascii")).digest()
        if digest not in digests:
            digests.append(digest)
    return tuple(digests)


def parse_origins(name: str, raw: str) -> tuple[str, ...]:
    """Comma-separated origins (`https://app.example.com`, `http://localhost:3000`) or `*`."""
    origins = _items(raw)
    for origin in origins:
        if origin != "*" and not ORIGIN_RE.fullmatch(origin):
            raise ConfigError(
                f"{name}: {origin!r} is not an origin: write scheme://host[:port] with no path "
                "or trailing slash, or *"
            )
    return tuple(dict.fromkeys(origins))


PARSERS: Final[dict[str, tuple[str, Callable[[str, str], object]]]] = {
    "QUEUE_NAME": ("queue_name", parse_queue_name),
    "MAX_FILES_PER_REQUEST": ("max_files_per_request", parse_number(1, 100_000, whole=True)),
    "MAX_FILE_SIZE_BYTES": ("max_file_size_bytes", parse_number(1, 1_000 * MB, whole=True)),
    "MAX_BODY_BYTES": ("max_body_bytes", parse_number(1_000, 2_000 * MB, whole=True)),
    "QUEUE_MAX_PENDING": ("queue_max_pending", parse_number(1, 10_000_000, whole=True)),
    "SYNC_WAIT_TIMEOUT": ("sync_wait_timeout", parse_number(0.1, 3600)),
    "WORKER_SEEN_WITHIN": ("worker_seen_within", parse_number(1, 3600)),
    "REDIS_TIMEOUT": ("redis_timeout", parse_number(0.05, 10)),
    "JOB_HEARTBEAT_SECONDS": ("job_heartbeat_seconds", parse_number(1, 3600, whole=True)),
    "JOB_RETRY_DELAY_SECONDS": ("job_retry_delay_seconds", parse_number(0, 600)),
    "JOB_RETRY_MAX_DELAY_SECONDS": ("job_retry_max_delay_seconds", parse_number(0, 3600)),
    "RETRY_AFTER_SECONDS": ("retry_after_seconds", parse_number(1, 3600, whole=True)),
    "LOG_LEVEL": ("log_level", parse_log_level),
    "LOG_FORMAT": ("log_format", parse_log_format),
    "API_HOST": ("api_host", _str),
    "API_PORT": ("api_port", parse_number(0, 65535, whole=True)),
    "MAX_LINE_LENGTH": ("max_line_length", parse_number(1, 100 * MB, whole=True)),
    "API_KEYS": ("api_key_hashes", parse_api_keys),
    "CORS_ALLOW_ORIGINS": ("cors_allow_origins", parse_origins),
    "RATE_LIMIT_PER_MINUTE": ("rate_limit_per_minute", parse_number(0, 1_000_000, whole=True)),
}


def service_settings_from_env(env: Mapping[str, str] | None = None) -> ServiceSettings:
    """Build settings from `env` (default: the process environment); empty values count as unset."""
    env = os.environ if env is None else env
    values = read_env(env, PARSERS)
    return ServiceSettings(core=settings_from_env(env), **values)  # type: ignore[arg-type]


@cache
def get_service_settings() -> ServiceSettings:
    """The process-wide API settings, read once."""
    return service_settings_from_env()
