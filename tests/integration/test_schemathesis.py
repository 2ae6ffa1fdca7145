"""Schemathesis against `/schema/openapi.json` over real HTTP: no 5xx, and every response matches
the document (status code documented, content type, body schema).

The server is the real app (uvicorn in a thread, `tests.conftest.live_api`) with an SAQ worker
inside, on a private queue of the real Redis, and no LLM: fast and hybrid run the rules, deep is
refused with 400. Every operation the served document lists gets a few derandomized examples of
valid input (positive) and of invalid input (negative), so the run is reproducible and short.

(Schemathesis's lazy pytest loader, `schemathesis.pytest.from_fixture`, does not run under
pytest 9, so each operation's strategy is driven by Hypothesis here.)
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import LiveApi  # noqa: E402
from tests.integration.test_api import wait_until  # noqa: E402

pytestmark = [
    pytest.mark.integration,
    # schemathesis's own strategies trip this Hypothesis warning; nothing for us to change
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]

MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXPECTED_OPERATIONS = {
    "POST /quality/analyze-async",
    "POST /quality/analyze",
    "GET /tasks/{task_id}",
    "GET /health",
    "GET /ready",
    "GET /modes",
    "GET /rules",
}


@pytest.fixture(scope="module")
def served(module_live_api: LiveApi) -> tuple[str, Any]:
    """(base URL, the schema it serves) of an API with an embedded worker and no LLM."""
    url = module_live_api(
        {
            "SYNC_WAIT_TIMEOUT": "10",  # the deprecated endpoint waits for the embedded worker
            "MAX_FILES_PER_REQUEST": "20",
        },
        worker=True,
        label="schemathesis",
    )
    wait_until(lambda: httpx.get(f"{url}/ready").status_code == 200, timeout_s=10)
    return url, schemathesis.openapi.from_url(f"{url}/schema/openapi.json", timeout=10)


def run_operation(operation: Any, mode: GenerationMode, base_url: str, statuses: set[int]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        response = case.call_and_validate(base_url=base_url, checks=CHECKS, timeout=20)
        statuses.add(response.status_code)

    check()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_the_api_matches_its_openapi_document(served: tuple[str, Any], mode: GenerationMode) -> None:
    base_url, schema = served
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} == EXPECTED_OPERATIONS
    if mode is GenerationMode.NEGATIVE:  # only a body can be invalid: no query, header or typed path input
        operations = [op for op in operations if len(op.body)]
    failures: dict[str, str] = {}
    seen: dict[str, set[int]] = {}
    for operation in operations:
        statuses = seen.setdefault(operation.label, set())
        try:
            run_operation(operation, mode, base_url, statuses)
        except Exception as exc:
            failures[operation.label] = f"{type(exc).__name__}: {exc}"
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
    submitted = seen["POST /quality/analyze-async"]
    if mode is GenerationMode.POSITIVE:
        assert 202 in submitted, seen  # the fuzzer did get analyses in, not only refusals
        assert 404 in seen["GET /tasks/{task_id}"], seen
    else:
        assert submitted <= {400, 413}, seen


@pytest.fixture(scope="module")
def guarded(module_live_api: LiveApi) -> tuple[str, Any]:
    """(base URL, served schema) of an API with API keys and a rate limit, called without a key."""
    url = module_live_api(
        {"API_KEYS": "schemathesis-key-0123456789", "RATE_LIMIT_PER_MINUTE": "5"},
        worker=True,  # so /ready is 200: a 503 would count as a server error
        label="schemathesis-keys",
    )
    wait_until(lambda: httpx.get(f"{url}/ready").status_code == 200, timeout_s=10)
    return url, schemathesis.openapi.from_url(f"{url}/schema/openapi.json", timeout=10)


def test_refusals_match_the_document_too(guarded: tuple[str, Any]) -> None:
    """401 without a key, then 429 past the limit: both documented, in the error shape."""
    base_url, schema = guarded
    seen: dict[str, set[int]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        run_operation(operation, GenerationMode.POSITIVE, base_url, seen.setdefault(operation.label, set()))
    assert seen["GET /health"] == {200}
    assert seen["GET /ready"] == {200}  # never 401 or 429
    refused = set().union(
        *(codes for label, codes in seen.items() if label not in {"GET /health", "GET /ready"})
    )
    assert refused == {401, 429}, seen
