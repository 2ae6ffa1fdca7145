"""Wire shapes of the HTTP API (design section 2) and the one function that checks a submission.

Field names are a contract with an existing frontend. The request structs mirror
`jobs.contracts` (same fields, so a request converts field for field); unknown fields are ignored,
because older and newer frontends send extras. Types are checked by Litestar/msgspec when the body
is decoded; limits that depend on settings are checked in `validate_submission`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Literal

import msgspec

from jobs.contracts import Mode, QualityAnalysisResponse
from jobs.engine.parse import PY_NEWLINE_RE  # number lines exactly as the engine does
from service.errors import InvalidInput, TooLarge, format_bytes
from service.settings import ServiceSettings

TaskStatus = Literal["pending", "processing", "completed", "failed"]

MAX_PATH_LENGTH: Final = 4096  # characters (Linux PATH_MAX)
# Control characters (C0, DEL, C1, NUL included), line/paragraph separators, bidi overrides and
# lone surrogates: a path is echoed in details and findings and quoted in LLM prompts.
UNSAFE_PATH_CHAR: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


class FileInput(msgspec.Struct, kw_only=True):
    """One test file of a submission."""

    path: Annotated[str, msgspec.Meta(description="Path of the file in the project, as shown in findings.")]
    content: Annotated[str, msgspec.Meta(description="The file's source text (UTF-8).")]
    git_diff: Annotated[
        str | None,
        msgspec.Meta(description="Optional unified diff of the file: report only the tests it touches."),
    ] = None


class QualityAnalysisRequest(msgspec.Struct, kw_only=True):
    """A submission: the files to analyse and how deeply."""

    files: Annotated[
        list[FileInput],
        msgspec.Meta(description="The test files (and conftest.py files) to analyse together."),
    ]
    mode: Annotated[
        Mode,
        msgspec.Meta(
            description="fast = rules only; deep = LLM on every test; hybrid = rules, then the LLM on "
            "the tests the rules cannot settle."
        ),
    ] = "hybrid"


class AsyncJobResponse(msgspec.Struct, kw_only=True):
    """A submission was accepted: poll `GET /tasks/{task_id}` (also in the `Location` header)."""

    task_id: Annotated[
        str, msgspec.Meta(description="uuid4 of the task; also the analysis_id of the result.")
    ]
    status: Literal["pending"] = "pending"
    estimated_time_seconds: Annotated[
        int | None, msgspec.Meta(description="A rough guess of the time to completion; null when unknown.")
    ] = None


class Progress(msgspec.Struct, kw_only=True):
    """LLM calls finished so far out of all the analysis makes."""

    done: int
    total: int


class TaskError(msgspec.Struct, kw_only=True):
    """Why a task failed, without internals."""

    message: str
    code: str


class TaskStatusResponse(msgspec.Struct, kw_only=True):
    """The state of one task; `result` is set once `status` is `completed`."""

    task_id: str
    status: Annotated[
        TaskStatus,
        msgspec.Meta(
            description="pending (waiting, or waiting to be retried), processing, completed (see result) "
            "or failed (see error; final, never retried)."
        ),
    ]
    created_at: Annotated[str, msgspec.Meta(description="When the task was submitted, ISO 8601 (UTC).")]
    progress: Progress | None
    result: QualityAnalysisResponse | None
    error: TaskError | None


class ModeInfo(msgspec.Struct, kw_only=True):
    """One analysis mode."""

    name: Mode
    description: str
    uses_llm: bool
    available: Annotated[bool, msgspec.Meta(description="False when this deployment cannot run it.")]
    note: str | None = None


class RuleDocs(msgspec.Struct, kw_only=True):
    """What a rule flags, why it matters, what to write instead."""

    what: str | None = None
    why: str | None = None
    instead: str | None = None


class RuleInfo(msgspec.Struct, kw_only=True):
    """One static rule."""

    code: str
    family: str
    severity: Literal["error", "warning", "info"]
    message: str
    enabled_by_default: bool
    fix: str | None
    aliases: list[str]
    docs: RuleDocs


class HealthResponse(msgspec.Struct, kw_only=True):
    """Liveness or readiness."""

    status: Literal["ok"] = "ok"
    checks: dict[str, str] = msgspec.field(default_factory=dict)


def _size_over(content: str, limit: int) -> int | None:
    """The UTF-8 size of `content` when it is over `limit`, else None (cheap when obviously under)."""
    if len(content) * 4 <= limit:  # a character is at most 4 bytes
        return None
    size = len(content.encode("utf-8", errors="surrogatepass"))
    return size if size > limit else None


def _unsafe_path(index: int, path: str) -> InvalidInput | None:
    """Why `path` cannot be accepted (too long, a control character), without echoing it."""
    if len(path) > MAX_PATH_LENGTH:
        return InvalidInput(
            f"files[{index}].path: {len(path):,} characters is over the limit of {MAX_PATH_LENGTH:,}",
            code="invalid_path",
        )
    if bad := UNSAFE_PATH_CHAR.search(path):
        return InvalidInput(
            f"files[{index}].path: contains the control character U+{ord(bad[0]):04X} at position "
            f"{bad.start()}; send the path as plain text",
            code="invalid_path",
        )
    return None


def _long_line(content: str, limit: int) -> tuple[int, int] | None:
    """(line number, length) of the first line over `limit` characters, else None."""
    if len(content) <= limit:
        return None
    for number, line in enumerate(PY_NEWLINE_RE.split(content), start=1):
        if len(line) > limit:
            return number, len(line)
    return None


def validate_submission(request: QualityAnalysisRequest, settings: ServiceSettings) -> None:
    """Check the limits and the mode against this deployment; raises InvalidInput or TooLarge."""
    files = request.files
    if not files:
        raise InvalidInput("files: at least one file is required")
    if len(files) > settings.max_files_per_request:
        raise InvalidInput(
            f"files: {len(files)} files is over the limit of {settings.max_files_per_request} "
            "(MAX_FILES_PER_REQUEST); split the submission"
        )
    limit = settings.max_file_size_bytes
    for index, file in enumerate(files):
        if not file.path.strip():
            raise InvalidInput(f"files[{index}].path: must not be empty")
        if (unsafe := _unsafe_path(index, file.path)) is not None:
            raise unsafe
        size = _size_over(file.content, limit)
        if size is not None:
            raise TooLarge(
                f"files[{index}].content: {format_bytes(size)} is over the {format_bytes(limit)} limit "
                "(MAX_FILE_SIZE_BYTES)",
                path=file.path,
            )
        if (long := _long_line(file.content, settings.max_line_length)) is not None:
            number, length = long
            raise InvalidInput(
                f"files[{index}].content: line {number} of {file.path} is {length:,} characters, over the "
                f"{settings.max_line_length:,} limit (MAX_LINE_LENGTH); wrap it or leave the file out",
                code="line_too_long",
                path=file.path,
                line=number,
            )
    if request.mode == "deep" and not settings.core.llm_enabled:
        raise InvalidInput(
            "mode: 'deep' needs an LLM and this service has none configured (LLM_BASE_URL); "
            "use 'hybrid' or 'fast'",
            code="llm_not_configured",
        )


def to_job_payload(request: QualityAnalysisRequest) -> dict[str, Any]:
    """The request as plain data for the SAQ job (decoded by the task as `jobs.contracts`)."""
    payload: dict[str, Any] = msgspec.to_builtins(request)
    return payload
