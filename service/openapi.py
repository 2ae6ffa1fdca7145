"""OpenAPI 3.1 document of the API (served at `/schema`): descriptions, the polling pattern, the
migration guide from the synchronous endpoint, and request/response examples."""

from __future__ import annotations

import importlib.metadata
from typing import Any, Final

from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Example, Tag

TITLE: Final = "LLT Quality Service"

DESCRIPTION: Final = """\
Tells you, line by line, which of your pytest/unittest tests cannot fail, check the wrong thing,
are flaky by design or can be merged: each finding has a reason and, where one is mechanical, a fix.

## Submit and poll

Analyses run in background workers; the API never blocks on one.

1. `POST /quality/analyze-async` with `{"files": [{"path", "content"}], "mode": "hybrid"}`.
   The answer is `202` with `{"task_id", "status": "pending", "estimated_time_seconds"}` and a
   `Location: /tasks/{task_id}` header.
2. `GET /tasks/{task_id}` every 1-2 s (back off to 5 s for long runs) until `status` is
   `completed` (read `result`) or `failed` (read `error.message` and `error.code`).
   While it runs, `status` is `processing` and `progress` is `{"done", "total"}` LLM calls.
   `pending` also covers a task waiting to be retried after a worker died: keep polling;
   `failed` is final.
3. Results are kept for `TASK_TTL_SECONDS` (24 h by default); after that the task is `404`.

`503` with a `Retry-After` header means the queue is full or the task store is unreachable:
wait that many seconds and submit again. Every error body has the shape
`{"status_code", "detail", "extra": {"code", ...}}`; `detail` says what to change.
Every response carries `X-Request-ID` (yours, if you sent a safe one): quote it when reporting a problem.

## Migrating from `POST /quality/analyze`

The synchronous endpoint is **deprecated**. It enqueues the same job and waits for it, so its
result is identical, but a long analysis holds the connection open and ends in `504` after
`SYNC_WAIT_TIMEOUT` seconds (the body's `extra.task_id` lets you poll from there). Its responses
carry `X-Deprecated: true` and `X-Replacement: POST /quality/analyze-async`.

To migrate: send the same body to `POST /quality/analyze-async`, take `task_id` from the `202`,
poll `GET /tasks/{task_id}` as above, and read the old response from `result`: its shape
(`analysis_id`, `summary`, `issues`) is unchanged.
"""

EXAMPLE_REQUEST: Final[dict[str, Any]] = {
    "files": [
        {
            "path": "tests/test_math.py",
            "content": "def test_add():\n    result = 1 + 1\n\n\ndef test_sub():\n    assert 2 - 1 == 1\n",
        }
    ],
    "mode": "hybrid",
}

EXAMPLE_TASK_ID: Final = "6f1c1f57-1c1e-4a43-9d1f-8f6b1d3c9b2a"

EXAMPLE_RESULT: Final[dict[str, Any]] = {
    "analysis_id": EXAMPLE_TASK_ID,
    "summary": {
        "total_files": 1,
        "total_issues": 1,
        "critical_issues": 0,
        "errors": 0,
        "warnings": 1,
        "infos": 0,
        "tests_analysed": 2,
        "mode": "hybrid",
        "llm_calls": 2,
        "llm_failed": 0,
        "duration_ms": 1840,
    },
    "issues": [
        {
            "file_path": "tests/test_math.py",
            "line": 1,
            "column": 0,
            "severity": "warning",
            "code": "missing-assertion",
            "message": (
                "test checks nothing: it passes whenever the code does not raise; assert on the result"
            ),
            "detected_by": "rule",
            "suggestion": None,
        }
    ],
}

REQUEST_EXAMPLES: Final = [Example(summary="One file, hybrid mode", value=EXAMPLE_REQUEST)]
TASK_EXAMPLES: Final = [
    Example(
        summary="Processing",
        value={
            "task_id": EXAMPLE_TASK_ID,
            "status": "processing",
            "created_at": "2026-12-04T10:15:02.123Z",
            "progress": {"done": 3, "total": 8},
            "result": None,
            "error": None,
        },
    ),
    Example(
        summary="Completed",
        value={
            "task_id": EXAMPLE_TASK_ID,
            "status": "completed",
            "created_at": "2026-12-04T10:15:02.123Z",
            "progress": {"done": 8, "total": 8},
            "result": EXAMPLE_RESULT,
            "error": None,
        },
    ),
    Example(
        summary="Failed",
        value={
            "task_id": EXAMPLE_TASK_ID,
            "status": "failed",
            "created_at": "2026-12-04T10:15:02.123Z",
            "progress": None,
            "result": None,
            "error": {"message": "the analysis took longer than its 900 s limit", "code": "timeout"},
        },
    ),
]

TAGS: Final = [
    Tag(name="analysis", description="Submit analyses and poll their tasks."),
    Tag(name="meta", description="What modes and rules exist."),
    Tag(name="health", description="Liveness and readiness probes."),
]


def _version() -> str:
    try:
        return importlib.metadata.version("llt-quality")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0"


def openapi_config() -> OpenAPIConfig:
    """The OpenAPI config: `/schema` (Scalar), `/schema/swagger`, `/schema/openapi.json`."""
    return OpenAPIConfig(
        title=TITLE,
        version=_version(),
        description=DESCRIPTION,
        tags=TAGS,
        path="/schema",
        render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin()],
    )
