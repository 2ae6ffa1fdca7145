"""Every telemetry name in one place: attribute keys, span names, metric names and fixed values.

Dashboards, alert rules and tests refer to these strings, so code never spells them inline.

GenAI names follow the published semantic conventions (<= v1.41): the `gen_ai.*` namespace now
lives in open-telemetry/semantic-conventions-genai and is still changing, and the Python semconv
package marks its `GEN_AI_*` constants deprecated, hence our own copies. `gen_ai.system` is
deprecated in favour of `gen_ai.provider.name`.

Redaction policy: attribute values never carry file contents, prompts, completions or API keys.
Only names, counts, sizes, durations, identifiers and error *types* go into spans and metrics.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from opentelemetry.util.types import AttributeValue

# -- Resource -------------------------------------------------------------------------------------
SERVICE_NAME: Final = "service.name"
SERVICE_VERSION: Final = "service.version"
SERVICE_INSTANCE_ID: Final = "service.instance.id"
SERVICE_NAME_API: Final = "llt-api"
SERVICE_NAME_WORKER: Final = "llt-worker"
SERVICE_NAME_CLI: Final = "llt-cli"

# -- GenAI client (spans and metrics) -------------------------------------------------------------
GEN_AI_OPERATION_NAME: Final = "gen_ai.operation.name"
GEN_AI_PROVIDER_NAME: Final = "gen_ai.provider.name"
GEN_AI_REQUEST_MODEL: Final = "gen_ai.request.model"
GEN_AI_RESPONSE_MODEL: Final = "gen_ai.response.model"
GEN_AI_RESPONSE_ID: Final = "gen_ai.response.id"
GEN_AI_RESPONSE_FINISH_REASONS: Final = "gen_ai.response.finish_reasons"
GEN_AI_USAGE_INPUT_TOKENS: Final = "gen_ai.usage.input_tokens"
GEN_AI_USAGE_OUTPUT_TOKENS: Final = "gen_ai.usage.output_tokens"
GEN_AI_TOKEN_TYPE: Final = "gen_ai.token.type"

GEN_AI_OPERATION_CHAT: Final = "chat"
GEN_AI_TOKEN_TYPE_INPUT: Final = "input"
GEN_AI_TOKEN_TYPE_OUTPUT: Final = "output"

# -- General --------------------------------------------------------------------------------------
ERROR_TYPE: Final = "error.type"
SERVER_ADDRESS: Final = "server.address"
SERVER_PORT: Final = "server.port"
HTTP_ROUTE: Final = "http.route"

# -- Messaging (SAQ jobs) -------------------------------------------------------------------------
MESSAGING_SYSTEM: Final = "messaging.system"
MESSAGING_OPERATION_TYPE: Final = "messaging.operation.type"
MESSAGING_OPERATION_NAME: Final = "messaging.operation.name"
MESSAGING_DESTINATION_NAME: Final = "messaging.destination.name"
MESSAGING_MESSAGE_ID: Final = "messaging.message.id"
SAQ_JOB_ATTEMPT: Final = "saq.job.attempt"

MESSAGING_SYSTEM_SAQ: Final = "saq"
MESSAGING_OPERATION_TYPE_SEND: Final = "send"
MESSAGING_OPERATION_TYPE_PROCESS: Final = "process"
MESSAGING_OPERATION_PUBLISH: Final = "publish"
MESSAGING_OPERATION_PROCESS: Final = "process"

# -- Our own (llt.*) ------------------------------------------------------------------------------
LLM_SLOT_WAIT_MS: Final = "llt.llm.slot_wait_ms"
LLM_ATTEMPTS: Final = "llt.llm.attempts"
ANALYSIS_ID: Final = "llt.analysis.id"
ANALYSIS_MODE: Final = "llt.analysis.mode"
ANALYSIS_FILES: Final = "llt.analysis.files"
ANALYSIS_TESTS: Final = "llt.analysis.tests"
ANALYSIS_ISSUES: Final = "llt.analysis.issues"
ANALYSIS_LLM_CALLS: Final = "llt.analysis.llm_calls"
ANALYSIS_LLM_FAILED: Final = "llt.analysis.llm_failed"
TASK_STATUS: Final = "llt.task.status"
SUBMISSION_KIND: Final = "llt.submission.kind"

SUBMISSION_KIND_SYNC: Final = "sync"
SUBMISSION_KIND_ASYNC: Final = "async"

# -- Span names -----------------------------------------------------------------------------------
SPAN_ANALYSIS_PARSE: Final = "analysis.parse"
SPAN_ANALYSIS_RULES: Final = "analysis.rules"
SPAN_ANALYSIS_SELECT: Final = "analysis.select"
SPAN_ANALYSIS_LLM: Final = "analysis.llm"
SPAN_ANALYSIS_MERGE: Final = "analysis.merge"


def chat_span_name(model: str) -> str:
    """Name of a GenAI inference span: `{gen_ai.operation.name} {gen_ai.request.model}`."""
    return f"{GEN_AI_OPERATION_CHAT} {model}"


def publish_span_name(queue: str) -> str:
    """Name of the PRODUCER span that enqueues a job on `queue`."""
    return f"{MESSAGING_OPERATION_PUBLISH} {queue}"


def process_span_name(function: str) -> str:
    """Name of the CONSUMER span that runs the SAQ job `function`."""
    return f"{MESSAGING_OPERATION_PROCESS} {function}"


# -- Metric names ---------------------------------------------------------------------------------
METRIC_GEN_AI_TOKEN_USAGE: Final = "gen_ai.client.token.usage"
METRIC_GEN_AI_OPERATION_DURATION: Final = "gen_ai.client.operation.duration"
METRIC_ANALYSIS_DURATION: Final = "llt.analysis.duration"
METRIC_LLM_ERRORS: Final = "llt.llm.errors"
METRIC_TASKS: Final = "llt.tasks"
METRIC_SUBMISSIONS: Final = "llt.submissions"
METRIC_QUEUE_DEPTH: Final = "llt.queue.depth"
# Emitted by Litestar's OpenTelemetry plugin (seconds) when OTEL_SEMCONV_STABILITY_OPT_IN=http.
METRIC_HTTP_SERVER_DURATION: Final = "http.server.request.duration"


def drop_none(attributes: Mapping[str, AttributeValue]) -> dict[str, AttributeValue]:
    """Return `attributes` without the keys whose value is None (OpenTelemetry rejects None)."""
    return {key: value for key, value in attributes.items() if value is not None}
