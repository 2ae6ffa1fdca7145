"""The error hierarchy of the engine and the workers; the service maps these to HTTP."""

from __future__ import annotations


class LltError(Exception):
    """Base of every error we raise on purpose. `code` is stable and safe to show to a client."""

    code = "llt_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(LltError):
    """A setting or a `[tool.llt]` table has a value we cannot use; the message names it."""

    code = "config_error"


class InputError(LltError):
    """A submission we refuse to analyse (the message says what to change)."""

    code = "invalid_input"


class LLMUnavailableError(InputError):
    """The mode needs an LLM and none is configured."""

    code = "llm_not_configured"


class LLMCallError(LltError):
    """One LLM call failed after its retries; `kind` is a short error type for metrics and spans."""

    code = "llm_call_failed"

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind
