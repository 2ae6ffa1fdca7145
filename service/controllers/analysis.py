"""Submit analyses, poll tasks, and the deprecated synchronous endpoint.

Controllers stay thin: validate → enqueue/read → respond. The analysis never runs in the API
process; the synchronous endpoint enqueues the same job as the asynchronous one and waits for it,
so both give the same result by construction.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader, ResponseHeader
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, FromPath
from loguru import logger

from jobs.contracts import QualityAnalysisResponse
from service.errors import AnalysisFailed, ErrorBody, InvalidInput, NotFound, ServiceError
from service.middleware import STATE_REQUEST_ID
from service.openapi import REQUEST_EXAMPLES, TASK_EXAMPLES
from service.schemas import (
    AsyncJobResponse,
    QualityAnalysisRequest,
    TaskStatusResponse,
    to_job_payload,
    validate_submission,
)
from service.settings import ServiceSettings
from service.tasks import TaskQueue, task_error, task_response
from telemetry.attributes import SUBMISSION_KIND_ASYNC, SUBMISSION_KIND_SYNC
from telemetry.metrics import record_submission

REPLACEMENT: Final = "POST /quality/analyze-async"
DEPRECATION_HEADERS: Final = {"X-Deprecated": "true", "X-Replacement": REPLACEMENT}
FAST_ESTIMATE_S: Final = 1

RequestBody = Annotated[
    QualityAnalysisRequest,
    Body(
        title="QualityAnalysisRequest",
        description="The files to analyse and the mode. Unknown fields are ignored.",
        examples=REQUEST_EXAMPLES,
    ),
]


def _errors(*codes: int) -> dict[int, ResponseSpec]:
    texts = {
        400: "Invalid body: no files, unknown mode, too many files, deep mode without an LLM, bad JSON.",
        404: "Unknown task id, or its result has expired (TASK_TTL_SECONDS).",
        413: "A file is over MAX_FILE_SIZE_BYTES or the body over MAX_BODY_BYTES.",
        500: "The analysis failed.",
        503: "Queue full or task store unreachable; retry after the Retry-After header's seconds.",
        504: "The analysis did not finish within SYNC_WAIT_TIMEOUT; poll extra.task_id instead.",
    }
    return {code: ResponseSpec(ErrorBody, description=texts[code], generate_examples=False) for code in codes}


async def _submit(
    data: QualityAnalysisRequest, request: Request[Any, Any, Any], tasks: TaskQueue, kind: str
) -> str:
    validate_submission(data, tasks.settings)
    job = await tasks.submit(to_job_payload(data), request_id=request.state.get(STATE_REQUEST_ID))
    record_submission(kind)
    logger.info("analysis submitted", analysis_id=job.key, files=len(data.files), mode=data.mode, kind=kind)
    return job.key


def _sync_failure(task_id: str, message: str, code: str) -> ServiceError:
    if code in {"invalid_input", "llm_not_configured"}:
        return InvalidInput(message, code=code, task_id=task_id)
    return AnalysisFailed(message, task_id=task_id, reason=code)


class AnalysisController(Controller):
    """`POST /quality/analyze-async`, `GET /tasks/{task_id}`, deprecated `POST /quality/analyze`."""

    tags = ["analysis"]

    @post(
        "/quality/analyze-async",
        status_code=202,
        summary="Submit an analysis",
        description="Queues the analysis and answers at once with a task id to poll at "
        "`GET /tasks/{task_id}` (also in the `Location` header). See the API description for the "
        "polling pattern.",
        response_description="Accepted: poll the task.",
        responses=_errors(400, 413, 503),
        response_headers=[
            ResponseHeader(
                name="Location", description="/tasks/{task_id} of the new task", documentation_only=True
            )
        ],
    )
    async def submit(
        self, data: RequestBody, request: Request[Any, Any, Any], tasks: NamedDependency[TaskQueue]
    ) -> Response[AsyncJobResponse]:
        task_id = await _submit(data, request, tasks, SUBMISSION_KIND_ASYNC)
        estimate = FAST_ESTIMATE_S if data.mode == "fast" else None
        body = AsyncJobResponse(task_id=task_id, estimated_time_seconds=estimate)
        return Response(body, status_code=202, headers={"Location": f"/tasks/{task_id}"})

    @get(
        "/tasks/{task_id:str}",
        summary="Poll a task",
        description="`pending` (waiting, or waiting for a retry), `processing` (with `progress`), "
        "`completed` (with `result`) or `failed` (with `error`; final).",
        responses={200: ResponseSpec(TaskStatusResponse, examples=TASK_EXAMPLES), **_errors(404, 503)},
        cache_control=CacheControlHeader(no_store=True),
    )
    async def task(self, task_id: FromPath[str], tasks: NamedDependency[TaskQueue]) -> TaskStatusResponse:
        job = await tasks.get(task_id)
        if job is None:
            raise NotFound(f"task {task_id} does not exist or its result has expired (TASK_TTL_SECONDS)")
        return task_response(job)

    @post(
        "/quality/analyze",
        status_code=200,
        deprecated=True,
        summary="Analyse and wait (deprecated)",
        description=f"Deprecated: use `{REPLACEMENT}` and poll `GET /tasks/{{task_id}}`. Runs the same job "
        "and waits up to SYNC_WAIT_TIMEOUT seconds; then `504` with `extra.task_id` to poll.",
        response_description="The finished analysis (the `result` of the task).",
        responses=_errors(400, 413, 500, 503, 504),
        response_headers=[
            ResponseHeader(name=name, value=value, description="Deprecation notice")
            for name, value in DEPRECATION_HEADERS.items()
        ],
        opt={"error_headers": DEPRECATION_HEADERS},
    )
    async def analyze_sync(
        self,
        data: RequestBody,
        request: Request[Any, Any, Any],
        tasks: NamedDependency[TaskQueue],
        settings: NamedDependency[ServiceSettings],
    ) -> QualityAnalysisResponse:
        logger.warning(
            "deprecated endpoint called",
            endpoint="POST /quality/analyze",
            replacement=REPLACEMENT,
            user_agent=request.headers.get("user-agent"),
        )
        started = time.perf_counter()
        task_id = await _submit(data, request, tasks, SUBMISSION_KIND_SYNC)
        job = await tasks.wait(task_id, settings.sync_wait_timeout)
        response = task_response(job)
        if response.result is None:
            error = task_error(job)
            raise _sync_failure(task_id, error.message, error.code)
        summary = response.result.summary
        logger.info(
            "analysis returned",
            analysis_id=task_id,
            files=summary.total_files,
            issues=summary.total_issues,
            critical=summary.critical_issues,
            mode=summary.mode,
            duration_ms=summary.duration_ms,
            wait_ms=round((time.perf_counter() - started) * 1000),
        )
        return response.result
