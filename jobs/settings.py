"""Typed settings of the engine and the workers, read once from the environment.

Every field names its variable. A bad value raises `ConfigError` naming the variable, so a process
refuses to start instead of misbehaving later.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

import msgspec

from jobs.errors import ConfigError


def _default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(base) / "llt" / "llm")


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Engine and worker settings. Env var in brackets."""

    redis_url: str = "redis://127.0.0.1:6379/0"  # REDIS_URL
    llm_base_url: str | None = None  # LLM_BASE_URL; unset = no LLM
    llm_api_key: str | None = None  # LLM_API_KEY
    llm_model: str = "gpt-4o-mini"  # LLM_MODEL
    llm_max_concurrent_calls: int = 10  # LLM_MAX_CONCURRENT_CALLS (1..50)
    llm_timeout: float = 30.0  # LLM_TIMEOUT, seconds per attempt
    llm_max_retries: int = 3  # LLM_MAX_RETRIES
    llm_retry_after_cap: float = 30.0  # LLM_RETRY_AFTER_CAP, seconds
    llm_min_confidence: float = 0.7  # LLM_MIN_CONFIDENCE
    llm_json_mode: bool = True  # LLM_JSON_MODE: send response_format={"type": "json_object"}
    llm_cache_dir: str = msgspec.field(default_factory=_default_cache_dir)  # LLM_CACHE_DIR
    llm_cache_ttl_seconds: int = 7 * 24 * 3600  # LLM_CACHE_TTL_SECONDS
    llm_concurrency_scope: str = "process"  # LLM_CONCURRENCY_SCOPE: process|fleet
    task_ttl_seconds: int = 86400  # TASK_TTL_SECONDS
    worker_concurrency: int = 4  # WORKER_CONCURRENCY: analyses one worker runs at once
    job_timeout_seconds: int = 900  # JOB_TIMEOUT_SECONDS
    job_retries: int = 3  # JOB_RETRIES

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url)


def _int(name: str, raw: str, lo: int | None = None, hi: int | None = None) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _float(name: str, raw: str, lo: float = 0.0, hi: float | None = None) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < lo or (hi is not None and value > hi):
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _bool(name: str, raw: str) -> bool:
    low = raw.strip().lower()
    if low in {"1", "true", "yes", "on"}:
        return True
    if low in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _choice(*allowed: str) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        if raw not in allowed:
            raise ConfigError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")
        return raw

    return parse


def _str(name: str, raw: str) -> str:
    return raw


PARSERS: dict[str, tuple[str, Callable[[str, str], object]]] = {
    "REDIS_URL": ("redis_url", _str),
    "LLM_BASE_URL": ("llm_base_url", _str),
    "LLM_API_KEY": ("llm_api_key", _str),
    "LLM_MODEL": ("llm_model", _str),
    "LLM_MAX_CONCURRENT_CALLS": ("llm_max_concurrent_calls", lambda n, r: _int(n, r, 1, 50)),
    "LLM_TIMEOUT": ("llm_timeout", lambda n, r: _float(n, r, 0.05, 600)),
    "LLM_MAX_RETRIES": ("llm_max_retries", lambda n, r: _int(n, r, 0, 10)),
    "LLM_RETRY_AFTER_CAP": ("llm_retry_after_cap", lambda n, r: _float(n, r, 0, 600)),
    "LLM_MIN_CONFIDENCE": ("llm_min_confidence", lambda n, r: _float(n, r, 0, 1)),
    "LLM_JSON_MODE": ("llm_json_mode", _bool),
    "LLM_CACHE_DIR": ("llm_cache_dir", _str),
    "LLM_CACHE_TTL_SECONDS": ("llm_cache_ttl_seconds", lambda n, r: _int(n, r, 0)),
    "LLM_CONCURRENCY_SCOPE": ("llm_concurrency_scope", _choice("process", "fleet")),
    "TASK_TTL_SECONDS": ("task_ttl_seconds", lambda n, r: _int(n, r, 60)),
    "WORKER_CONCURRENCY": ("worker_concurrency", lambda n, r: _int(n, r, 1, 256)),
    "JOB_TIMEOUT_SECONDS": ("job_timeout_seconds", lambda n, r: _int(n, r, 10)),
    "JOB_RETRIES": ("job_retries", lambda n, r: _int(n, r, 1, 20)),
}


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from `env` (default: the process environment); empty values count as unset."""
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    for var, (field, parse) in PARSERS.items():
        raw = env.get(var)
        if raw is None or raw.strip() == "":
            continue
        values[field] = parse(var, raw.strip())
    return Settings(**values)  # type: ignore[arg-type]


@cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return settings_from_env()
