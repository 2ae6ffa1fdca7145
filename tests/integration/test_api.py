"""The HTTP API end to end: real HTTP on loopback, real Redis, an SAQ worker, the fake LLM."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import msgspec
import pytest
import redis
from loguru import logger

from jobs.contracts import QualityAnalysisRequest
from jobs.llm.client import LLMClient
from jobs.llm.review import Reviewer
from jobs.pipeline import run_analysis
from jobs.settings import Settings
from tests.conftest import REDIS_URL, LiveApi, unique_queue_name
from tests.fakes.fake_llm import FakeLLM

pytestmark = pytest.mark.integration

CALC = """\
import pytest


def add(a, b):
    return a + b


def test_add():
    result = add(1, 2)


def test_add_twice():
    assert add(1, 1) == 2
    assert add(1, 1) == 2


def test_truthy():
    assert add(2, 2)


@pytest.fixture
def numbers():
    return [1, 2, 3]


def test_sum():
    total = sum([1, 2, 3])
    assert total
"""
CONFTEST = """\
import pytest


@pytest.fixture
def unused_thing():
    return object()
"""
FILES = [{"path": "tests/test_calc.py", "content": CALC}, {"path": "tests/conftest.py", "content": CONFTEST}]
LLM_FINDING = {
    "code": "weak-assertion",
    "line": 2,
    "message": "asserting truthiness says little; compare with the expected value",
    "confidence": 0.95,
}
TERMINAL = {"completed", "failed"}
TASK_FIELDS = {"task_id", "status", "created_at", "progress", "result", "error"}


def finding_responder(_request: dict[str, Any]) -> str:
    return json.dumps({"findings": [LLM_FINDING]})


def poll(client: httpx.Client, task_id: str, timeout_s: float = 20.0) -> list[dict[str, Any]]:
    """Every body `GET /tasks/{id}` returned until a terminal status (bounded)."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = client.get(f"/tasks/{task_id}")
        assert response.status_code == 200, response.text
        seen.append(response.json())
        if seen[-1]["status"] in TERMINAL:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"task {task_id} did not finish in {timeout_s} s; last: {seen[-1:]}")


def wait_until(check: Callable[[], object], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def assert_error_shape(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert response.status_code == status, response.text
    assert set(body) == {"status_code", "detail", "extra"}
    assert body["status_code"] == status
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert isinstance(body["extra"], dict)
    if code is not None:
        assert body["extra"]["code"] == code
    assert response.headers.get("x-request-id")
    return body


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeLLM]:
    with FakeLLM(latency=0.02, responder=finding_responder) as llm:
        yield llm


@pytest.fixture(scope="module")
def api(module_live_api: LiveApi, fake_llm: FakeLLM) -> Iterator[httpx.Client]:
    """API + embedded worker + fake LLM, small limits."""
    url = module_live_api(
        {
            "LLM_BASE_URL": fake_llm.base_url,
            "LLM_MAX_CONCURRENT_CALLS": "4",
            "MAX_FILES_PER_REQUEST": "5",
            "MAX_FILE_SIZE_BYTES": "20000",
            "MAX_BODY_BYTES": "200000",
            "WORKER_BEAT_SECONDS": "0.5",
        },
        worker=True,
        label="main",
    )
    with httpx.Client(base_url=url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def idle_api(module_live_api: LiveApi) -> Iterator[httpx.Client]:
    """API without a worker and without an LLM."""
    url = module_live_api({"SYNC_WAIT_TIMEOUT": "0.3", "WORKER_SEEN_WITHIN": "2"}, label="idle")
    with httpx.Client(base_url=url, timeout=30) as client:
        yield client


@pytest.fixture
def log_records() -> Iterator[list[dict[str, Any]]]:
    """Every loguru record written during the test: `{"msg", "level", "exception", **extra}`.

    Creating an app resets loguru's sinks: start servers in fixtures requested before this one.
    """
    records: list[dict[str, Any]] = []

    def sink(message: Any) -> None:
        record = message.record
        records.append(
            {
                "msg": record["message"],
                "level": record["level"].name,
                "exception": record["exception"],
                **record["extra"],
            }
        )

    sink_id = logger.add(sink, level="DEBUG")
    yield records
    logger.remove(sink_id)


def in_process(base_url: str, mode: str) -> list[dict[str, Any]]:
    """The same files through `run_analysis` in this process (what `llt analyze` does)."""
    settings = Settings(llm_base_url=base_url, llm_max_concurrent_calls=4)
    request = msgspec.convert({"files": FILES, "mode": mode}, QualityAnalysisRequest)

    async def run() -> list[dict[str, Any]]:
        reviewer = Reviewer(settings, LLMClient(settings))
        try:
            response = await run_analysis(request, reviewer=reviewer)
        finally:
            await reviewer.aclose()
        issues: list[dict[str, Any]] = msgspec.to_builtins(response.issues)
        return issues

    return asyncio.run(run())


# -- submit → poll → completed -------------------------------------------------------------------


def test_submit_poll_sync_and_in_process_give_the_same_issues(api: httpx.Client, fake_llm: FakeLLM) -> None:
    started = time.perf_counter()
    accepted = api.post("/quality/analyze-async", json={"files": FILES, "mode": "hybrid"})
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert set(body) == {"task_id", "status", "estimated_time_seconds"}
    assert body["status"] == "pending"
    task_id = body["task_id"]
    assert str(uuid.UUID(task_id)) == task_id
    assert accepted.headers["location"] == f"/tasks/{task_id}"
    assert time.perf_counter() - started < 1.0

    seen = poll(api, task_id)
    final = seen[-1]
    assert api.get(f"/tasks/{task_id}").headers["cache-control"] == "no-store"
    assert set(final) == TASK_FIELDS
    assert final["status"] == "completed", final
    assert final["error"] is None
    assert datetime.fromisoformat(final["created_at"]).tzinfo is not None
    result = final["result"]
    assert result["analysis_id"] == task_id
    assert all(s["status"] in {"pending", "processing", "completed"} for s in seen)

    sync = api.post("/quality/analyze", json={"files": FILES, "mode": "hybrid"})
    assert sync.status_code == 200, sync.text

    local = in_process(fake_llm.base_url, "hybrid")
    assert result["issues"] == sync.json()["issues"] == local
    assert any(i["detected_by"] == "llm" for i in local), "the LLM path was not exercised"
    assert any(i["detected_by"] == "rule" for i in local)
    summary = result["summary"]
    assert summary["total_files"] == 2
    assert summary["total_issues"] == len(local)
    assert summary["critical_issues"] == sum(1 for i in local if i["severity"] == "error")


def test_fast_mode_matches_in_process_without_llm(api: httpx.Client, fake_llm: FakeLLM) -> None:
    task_id = api.post("/quality/analyze-async", json={"files": FILES, "mode": "fast"}).json()["task_id"]
    final = poll(api, task_id)[-1]
    assert final["status"] == "completed"
    assert final["result"]["issues"] == in_process(fake_llm.base_url, "fast")
    assert final["result"]["summary"]["llm_calls"] == 0


def test_unknown_fields_are_ignored(api: httpx.Client) -> None:
    files = [{**f, "language": "python", "size": 12} for f in FILES]
    accepted = api.post("/quality/analyze-async", json={"files": files, "mode": "fast", "client": "ide/1.2"})
    assert accepted.status_code == 202, accepted.text
    assert poll(api, accepted.json()["task_id"])[-1]["status"] == "completed"


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("task_id", [str(uuid.uuid4()), "not-a-task", "6F1C1F57-1C1E-4A43-9D1F-8F6B1D3C9B2A"])
def test_unknown_task_is_404(api: httpx.Client, task_id: str) -> None:
    body = assert_error_shape(api.get(f"/tasks/{task_id}"), 404, "not_found")
    assert task_id in body["detail"]


ONE = [{"path": "tests/test_a.py", "content": "def test_a():\n    assert 1 == 1\n"}]


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        ({}, "files: is required"),
        ({"files": []}, "files: at least one file is required"),
        ({"files": "tests/test_a.py"}, "files: must be a list, got a string"),
        ({"files": [{"path": "tests/test_a.py"}]}, "files[0].content: is required"),
        ({"files": [{"path": 3, "content": ""}]}, "files[0].path: must be a string, got an integer"),
        ({"files": [{"path": " ", "content": ""}]}, "files[0].path: must not be empty"),
        ({"files": ONE, "mode": "turbo"}, "mode: must be one of fast, deep, hybrid, got 'turbo'"),
        ({"files": ONE * 6}, "files: 6 files is over the limit of 5 (MAX_FILES_PER_REQUEST)"),
    ],
)
@pytest.mark.parametrize("endpoint", ["/quality/analyze-async", "/quality/analyze"])
def test_invalid_bodies_are_400_with_an_actionable_detail(
    api: httpx.Client, endpoint: str, payload: dict[str, Any], detail: str
) -> None:
    body = assert_error_shape(api.post(endpoint, json=payload), 400, "invalid_input")
    assert body["detail"].startswith(detail), body


def test_malformed_json_is_400(api: httpx.Client) -> None:
    response = api.post(
        "/quality/analyze-async", content=b'{"files": [', headers={"content-type": "application/json"}
    )
    body = assert_error_shape(response, 400, "invalid_input")
    assert body["detail"].startswith("request body is not valid JSON")


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ("x" * 30_000, "files[0].content: 30 kB is over the 20 kB limit (MAX_FILE_SIZE_BYTES)"),
        ("é" * 15_000, "files[0].content: 30 kB is over the 20 kB limit (MAX_FILE_SIZE_BYTES)"),
    ],
)
def test_a_file_over_the_limit_is_413(api: httpx.Client, content: str, detail: str) -> None:
    response = api.post("/quality/analyze-async", json={"files": [{"path": "t.py", "content": content}]})
    assert assert_error_shape(response, 413, "too_large")["detail"] == detail


def test_a_body_over_the_limit_is_413(api: httpx.Client) -> None:
    files = [{"path": f"t{i}.py", "content": "x" * 19_000} for i in range(11)]
    response = api.post("/quality/analyze-async", json={"files": files})
    body = assert_error_shape(response, 413, "too_large")
    assert body["detail"] == "request body is over the 200 kB limit (MAX_BODY_BYTES)"


def test_deep_without_an_llm_is_400(idle_api: httpx.Client) -> None:
    response = idle_api.post("/quality/analyze-async", json={"files": ONE, "mode": "deep"})
    body = assert_error_shape(response, 400, "llm_not_configured")
    assert "LLM_BASE_URL" in body["detail"]


def test_unknown_route_and_method_use_the_error_shape(api: httpx.Client) -> None:
    assert_error_shape(api.get("/quality/nothing"), 404, "not_found")
    assert_error_shape(api.get("/quality/analyze-async"), 405, "method_not_allowed")


def test_queue_full_is_503_with_retry_after(live_api: LiveApi) -> None:
    with httpx.Client(base_url=live_api({"QUEUE_MAX_PENDING": "2", "RETRY_AFTER_SECONDS": "7"})) as client:
        for _ in range(2):
            assert client.post("/quality/analyze-async", json={"files": ONE}).status_code == 202
        for endpoint in ("/quality/analyze-async", "/quality/analyze"):
            response = client.post(endpoint, json={"files": ONE})
            body = assert_error_shape(response, 503, "queue_full")
            assert response.headers["retry-after"] == "7"
            assert "QUEUE_MAX_PENDING" in body["detail"]


def hanging_server() -> socket.socket:
    """A TCP server that accepts connections (kernel backlog) and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    return sock


ENDPOINTS_USING_REDIS = [
    ("POST", "/quality/analyze-async"),
    ("POST", "/quality/analyze"),
    ("GET", "/tasks/6f1c1f57-1c1e-4a43-9d1f-8f6b1d3c9b2a"),
]


@pytest.mark.parametrize(
    ("redis_state", "endpoints"),
    [("closed port", ENDPOINTS_USING_REDIS), ("hanging", ENDPOINTS_USING_REDIS[:1])],
)
def test_redis_down_is_503_fast_never_a_hang(
    live_api: LiveApi, redis_state: str, endpoints: list[tuple[str, str]]
) -> None:
    with hanging_server() as hang:
        port = closed_port() if redis_state == "closed port" else hang.getsockname()[1]
        url = live_api({"REDIS_URL": f"redis://127.0.0.1:{port}/0"}, label="noredis")
        with httpx.Client(base_url=url, timeout=10) as client:
            for method, path in endpoints:
                started = time.perf_counter()
                response = client.request(method, path, json={"files": ONE} if method == "POST" else None)
                assert time.perf_counter() - started < 2.0, (method, path)
                assert_error_shape(response, 503, "redis_unavailable")
                assert int(response.headers["retry-after"]) > 0
            started = time.perf_counter()
            ready = client.get("/ready")
            assert time.perf_counter() - started < 2.0
            assert "redis" in assert_error_shape(ready, 503, "not_ready")["detail"]
            assert client.get("/health").status_code == 200


@pytest.fixture
def broken_api(live_api: LiveApi) -> tuple[str, str]:
    """An API (URL, queue name); requested before `log_records`, whose sink its set-up would drop."""
    queue_name = unique_queue_name("broken")
    return live_api({"QUEUE_NAME": queue_name}, label="broken"), queue_name


def test_an_unexpected_error_is_a_generic_500_and_its_traceback_goes_to_the_log(
    broken_api: tuple[str, str], log_records: list[dict[str, Any]]
) -> None:
    url, queue_name = broken_api
    task_id = str(uuid.uuid4())
    store = redis.Redis.from_url(REDIS_URL)
    store.set(f"saq:job:{queue_name}:{task_id}", b"{this is not a job")  # cannot be decoded
    store.close()
    response = httpx.get(f"{url}/tasks/{task_id}", headers={"X-Request-ID": "boom"})
    body = assert_error_shape(response, 500, "internal_error")
    assert "X-Request-ID" in body["detail"]
    assert "Traceback" not in response.text
    assert "decode" not in response.text.lower()
    wait_until(
        lambda: any(r["msg"] == "request completed" and r["request_id"] == "boom" for r in log_records)
    )
    errors = [r for r in log_records if r["msg"] == "unhandled error" and r.get("request_id") == "boom"]
    assert len(errors) == 1
    assert errors[0]["exception"] is not None


# -- the deprecated synchronous endpoint --------------------------------------------------------


def test_sync_endpoint_is_marked_deprecated(api: httpx.Client, log_records: list[dict[str, Any]]) -> None:
    ok = api.post("/quality/analyze", json={"files": ONE, "mode": "fast"})
    bad = api.post("/quality/analyze", json={"files": []})
    for response in (ok, bad):
        assert response.headers["x-deprecated"] == "true"
        assert response.headers["x-replacement"] == "POST /quality/analyze-async"
    assert ok.status_code == 200
    assert bad.status_code == 400
    wait_until(lambda: sum(r["msg"] == "request completed" for r in log_records) >= 2)
    warnings = [r for r in log_records if r["msg"] == "deprecated endpoint called"]
    assert len(warnings) == 2
    assert all(r["level"] == "WARNING" for r in warnings)
    async_response = api.post("/quality/analyze-async", json={"files": ONE, "mode": "fast"})
    assert "x-deprecated" not in async_response.headers

    paths = api.get("/schema/openapi.json").json()["paths"]
    assert paths["/quality/analyze"]["post"]["deprecated"] is True
    assert not paths["/quality/analyze-async"]["post"].get("deprecated", False)


def test_sync_wait_limit_is_504_with_the_task_id(idle_api: httpx.Client) -> None:
    response = idle_api.post("/quality/analyze", json={"files": ONE, "mode": "fast"})
    body = assert_error_shape(response, 504, "sync_wait_timeout")
    task_id = body["extra"]["task_id"]
    assert response.headers["location"] == f"/tasks/{task_id}"
    assert response.headers["x-deprecated"] == "true"
    assert idle_api.get(f"/tasks/{task_id}").json()["status"] == "pending"


# -- progress -------------------------------------------------------------------------------------


def test_progress_advances_while_llm_calls_finish(live_api: LiveApi) -> None:
    tag = uuid.uuid4().hex  # in every test body, so no answer comes from the Redis cache
    content = "\n\n".join(
        f"def test_case_{i}():\n    value = '{tag}-{i}'\n    assert value\n" for i in range(4)
    )
    fresh = [{"path": "tests/test_progress.py", "content": content}]
    with FakeLLM(latency=0.2) as llm:
        env = {"LLM_BASE_URL": llm.base_url, "LLM_MAX_CONCURRENT_CALLS": "1"}
        with httpx.Client(base_url=live_api(env, worker=True, label="progress")) as client:
            accepted = client.post("/quality/analyze-async", json={"files": fresh, "mode": "deep"})
            seen = poll(client, accepted.json()["task_id"])
    assert seen[-1]["status"] == "completed"
    total = seen[-1]["result"]["summary"]["llm_calls"]
    assert total >= 6
    assert seen[-1]["result"]["summary"]["llm_cached"] == 0
    dones = [s["progress"]["done"] for s in seen if s["status"] == "processing" and s["progress"]]
    assert len({d for d in dones if 0 < d < total}) >= 2, dones
    assert dones == sorted(dones)
    assert all(s["progress"]["total"] == total for s in seen if s["progress"])
    assert seen[-1]["progress"] == {"done": total, "total": total}


# -- request ids and request logs -----------------------------------------------------------------


def test_request_id_is_echoed_or_created(api: httpx.Client) -> None:
    assert api.get("/health", headers={"X-Request-ID": "req-42.a_b"}).headers["x-request-id"] == "req-42.a_b"
    for unsafe in ("has space", "x" * 65, "semi;colon"):
        echoed = api.get("/health", headers={"X-Request-ID": unsafe}).headers["x-request-id"]
        assert echoed != unsafe
        assert len(echoed) == 32
    assert api.get("/nowhere", headers={"X-Request-ID": "r404"}).headers["x-request-id"] == "r404"
    bad = api.post("/quality/analyze-async", json={}, headers={"X-Request-ID": "r400"})
    assert bad.headers["x-request-id"] == "r400"


def test_one_started_and_one_completed_line_per_request(
    api: httpx.Client, log_records: list[dict[str, Any]]
) -> None:
    requests = {
        "log-ok": ("POST", "/quality/analyze-async", {"files": ONE, "mode": "fast"}, 202),
        "log-404": ("GET", f"/tasks/{uuid.uuid4()}", None, 404),
        "log-400": ("POST", "/quality/analyze-async", {"files": []}, 400),
        "log-route": ("GET", "/no/such/route", None, 404),
    }
    for rid, (method, path, payload, _) in requests.items():
        api.request(method, path, json=payload, headers={"X-Request-ID": rid})
    # The server thread writes `request completed` just after the response went out.
    wait_until(
        lambda: {r.get("request_id") for r in log_records if r["msg"] == "request completed"} >= set(requests)
    )
    for rid, (method, _, _, status) in requests.items():
        lines = [r for r in log_records if r.get("request_id") == rid]
        started = [r for r in lines if r["msg"] == "request started"]
        completed = [r for r in lines if r["msg"] == "request completed"]
        assert len(started) == 1, (rid, lines)
        assert len(completed) == 1, (rid, lines)
        assert completed[0]["status_code"] == status
        assert completed[0]["method"] == method
        assert isinstance(completed[0]["duration_ms"], float)
    task_line = next(
        r for r in log_records if r.get("request_id") == "log-404" and r["msg"] == "request completed"
    )
    assert task_line["route"] == "/tasks/{task_id}"
    submitted = [
        r for r in log_records if r.get("request_id") == "log-ok" and r["msg"] == "analysis submitted"
    ]
    assert len(submitted) == 1
    assert submitted[0]["files"] == 1


# -- readiness, modes, rules, schema --------------------------------------------------------------


def test_ready_needs_redis_and_a_worker(api: httpx.Client, idle_api: httpx.Client) -> None:
    ready = api.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["redis"] == "ok"
    body = assert_error_shape(idle_api.get("/ready"), 503, "not_ready")
    assert "workers" in body["detail"]
    assert "redis" not in body["detail"]
    assert body["extra"]["checks"]["redis"] == "ok"
    assert idle_api.get("/health").json() == {"status": "ok", "checks": {}}


def test_modes_and_rules(api: httpx.Client, idle_api: httpx.Client) -> None:
    modes = {m["name"]: m for m in api.get("/modes").json()}
    assert set(modes) == {"fast", "deep", "hybrid"}
    assert modes["deep"]["available"] is True
    assert {m["name"]: m["available"] for m in idle_api.get("/modes").json()}["deep"] is False
    rules = {r["code"]: r for r in api.get("/rules").json()}
    legacy = {
        "missing-assertion",
        "redundant-assertion",
        "trivial-assertion",
        "unused-fixture",
        "unused-variable",
    }
    assert legacy <= set(rules)
    assert all(rules[code]["docs"]["what"] and rules[code]["docs"]["instead"] for code in legacy)


def test_openapi_documents_polling_migration_and_examples(api: httpx.Client) -> None:
    schema = api.get("/schema/openapi.json").json()
    assert schema["info"]["title"] == "LLT Quality Service"
    assert schema["info"]["version"]
    description = schema["info"]["description"]
    assert "GET /tasks/{task_id}" in description
    assert "Migrating from `POST /quality/analyze`" in description
    submit = schema["paths"]["/quality/analyze-async"]["post"]
    body = submit["requestBody"]["content"]["application/json"]
    assert body.get("examples") or body["schema"].get("examples")
    assert {"202", "400", "413", "503"} <= set(submit["responses"])
    poll_op = schema["paths"]["/tasks/{task_id}"]["get"]
    assert {"200", "404"} <= set(poll_op["responses"])
