"""API keys, CORS, the per-key rate limit and the input limits, over real HTTP on loopback.

Servers are real (uvicorn in a thread, `tests.conftest.live_api`) on private queues of the real
Redis; where a task must finish, an SAQ worker runs inside the server.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from telemetry import setup_telemetry
from telemetry.attributes import SERVICE_NAME_API
from tests.conftest import LiveApi
from tests.integration.test_api import assert_error_shape, log_records, poll, wait_until

pytestmark = pytest.mark.integration

__all__ = ["log_records"]  # a fixture of test_api, used here too

KEY_ONE = "k1-" + uuid.uuid4().hex  # fresh per run: a leak cannot be an old log line
KEY_TWO = "k2-" + uuid.uuid4().hex
WRONG_KEY = "kx-" + uuid.uuid4().hex
ORIGIN = "https://app.example.com"
OTHER_ORIGIN = "http://localhost:3000"
STRANGER = "https://evil.example.net"
ONE = [{"path": "tests/test_a.py", "content": "def test_a():\n    assert 1 + 1 == 2\n"}]
PROTECTED = [
    ("GET", "/modes"),
    ("GET", "/rules"),
    ("GET", f"/tasks/{uuid.uuid4()}"),
    ("POST", "/quality/analyze-async"),
    ("POST", "/quality/analyze"),
]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def secured(module_live_api: LiveApi) -> str:
    """API keys and a CORS allow-list, an embedded worker, default input limits."""
    return module_live_api(
        {
            "API_KEYS": f"{KEY_ONE}, {KEY_TWO}",
            "CORS_ALLOW_ORIGINS": f"{ORIGIN},{OTHER_ORIGIN}",
            "WORKER_BEAT_SECONDS": "0.5",
            "SYNC_WAIT_TIMEOUT": "10",
        },
        worker=True,
        label="secured",
    )


@pytest.fixture
def client(secured: str) -> Iterator[httpx.Client]:
    """A client of `secured` that sends the first key."""
    with httpx.Client(base_url=secured, headers=bearer(KEY_ONE), timeout=20) as http:
        yield http


# -- API keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_protected_routes_refuse_a_missing_or_wrong_key(secured: str, method: str, path: str) -> None:
    body = {"files": ONE, "mode": "fast"} if method == "POST" else None
    cases = {
        "missing": {},
        "wrong key": bearer(WRONG_KEY),
        "other scheme": {"Authorization": f"Basic {KEY_ONE}"},
        "bare scheme": {"Authorization": "Bearer"},
        "key with junk": {"Authorization": f"Bearer {KEY_ONE} x"},
    }
    for case, headers in cases.items():
        response = httpx.request(method, secured + path, json=body, headers=headers)
        error = assert_error_shape(response, 401, "unauthorized")
        assert set(error["extra"]) == {"code"}, case
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith("Bearer"), case
        assert ("invalid_token" in challenge) == (case == "wrong key"), (case, challenge)
        assert KEY_ONE not in response.text
        assert KEY_TWO not in response.text


def test_each_configured_key_is_accepted(secured: str) -> None:
    for key in (KEY_ONE, KEY_TWO):
        with httpx.Client(base_url=secured, headers=bearer(key), timeout=20) as http:
            assert http.get("/modes").status_code == 200
            assert http.get("/rules").status_code == 200
            assert_error_shape(http.get(f"/tasks/{uuid.uuid4()}"), 404, "not_found")
            accepted = http.post("/quality/analyze-async", json={"files": ONE, "mode": "fast"})
            assert accepted.status_code == 202, accepted.text
            assert poll(http, accepted.json()["task_id"])[-1]["status"] == "completed"
    lower = httpx.get(secured + "/modes", headers={"Authorization": f"bearer   {KEY_TWO}"})
    assert lower.status_code == 200, "the scheme is case-insensitive (RFC 7235)"


def test_probes_and_the_schema_are_open(secured: str) -> None:
    wait_until(lambda: httpx.get(secured + "/ready").status_code == 200, timeout_s=10)
    assert httpx.get(secured + "/health").json()["status"] == "ok"
    assert httpx.get(secured + "/health", headers=bearer(WRONG_KEY)).status_code == 200
    schema = httpx.get(secured + "/schema/openapi.json")
    assert schema.status_code == 200
    document = schema.json()
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    paths = document["paths"]
    for method, path in PROTECTED:
        template = "/tasks/{task_id}" if path.startswith("/tasks/") else path
        operation = paths[template][method.lower()]
        assert operation["security"] == [{"bearer": []}], template
        assert "401" in operation["responses"], template
        assert "429" not in operation["responses"], "no rate limit is configured"
    for probe in ("/health", "/ready"):
        assert "security" not in paths[probe]["get"]
        assert "401" not in paths[probe]["get"]["responses"]


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter | None]:
    """Spans this process ends during the test (None when the SDK is disabled)."""
    memory = InMemorySpanExporter()
    telemetry = setup_telemetry(SERVICE_NAME_API, span_exporter=memory)
    yield memory if telemetry.enabled else None
    memory.shutdown()  # it stays attached to the provider but keeps nothing more


def test_keys_never_reach_the_logs_or_the_spans(
    secured: str, spans: InMemorySpanExporter | None, log_records: list[dict[str, Any]]
) -> None:
    rid = "keys-" + uuid.uuid4().hex[:8]
    for key in (KEY_ONE, KEY_TWO, WRONG_KEY):
        for method, path in PROTECTED:
            body = {"files": ONE, "mode": "fast"} if method == "POST" else None
            headers = {**bearer(key), "X-Request-ID": rid, "Origin": ORIGIN}
            httpx.request(method, secured + path, json=body, headers=headers, timeout=20)
    expected = 3 * len(PROTECTED)
    wait_until(
        lambda: (
            sum(r["msg"] == "request completed" and r.get("request_id") == rid for r in log_records)
            >= expected
        )
    )
    statuses = [
        r["status_code"] for r in log_records if r["msg"] == "request completed" and r["request_id"] == rid
    ]
    assert statuses.count(401) == len(PROTECTED), statuses
    text = json.dumps(log_records, default=repr)
    for key in (KEY_ONE, KEY_TWO, WRONG_KEY):
        assert key not in text
    assert "authorization" not in text.lower()
    if spans is None:
        return
    wait_until(lambda: len(spans.get_finished_spans()) >= expected)
    dumped = "\n".join(span.to_json() for span in spans.get_finished_spans())
    assert "POST /quality/analyze-async" in dumped
    for key in (KEY_ONE, KEY_TWO, WRONG_KEY):
        assert key not in dumped


# -- CORS -----------------------------------------------------------------------------------------


def preflight(base_url: str, origin: str, path: str = "/quality/analyze-async") -> httpx.Response:
    return httpx.options(
        base_url + path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


def test_cors_preflight_allows_listed_origins_without_a_key(secured: str) -> None:
    for origin in (ORIGIN, OTHER_ORIGIN):
        response = preflight(secured, origin)
        assert response.status_code == 204, response.text
        assert response.headers["access-control-allow-origin"] == origin
        assert "POST" in response.headers["access-control-allow-methods"]
        allowed = response.headers["access-control-allow-headers"].lower()
        assert "authorization" in allowed
        assert "content-type" in allowed
        assert response.headers.get("x-request-id")
    refused = preflight(secured, STRANGER)
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


def test_cors_headers_on_answers_to_allowed_origins_only(client: httpx.Client) -> None:
    allowed = client.post(
        "/quality/analyze-async", json={"files": ONE, "mode": "fast"}, headers={"Origin": ORIGIN}
    )
    assert allowed.status_code == 202
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    exposed = {h.strip().lower() for h in allowed.headers["access-control-expose-headers"].split(",")}
    assert {"location", "x-request-id", "x-deprecated", "x-replacement"} <= exposed
    stranger = client.get("/modes", headers={"Origin": STRANGER})
    assert stranger.status_code == 200
    assert "access-control-allow-origin" not in stranger.headers
    refused = httpx.get(client.base_url.join("/modes"), headers={"Origin": ORIGIN})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == ORIGIN, "a browser must be able to read the 401"


def test_no_cors_headers_when_no_origin_is_configured(live_api: LiveApi) -> None:
    url = live_api(label="nocors")
    answer = httpx.get(url + "/modes", headers={"Origin": ORIGIN})
    assert answer.status_code == 200
    assert not [name for name in answer.headers if name.lower().startswith("access-control-")]
    assert "access-control-allow-origin" not in preflight(url, ORIGIN).headers


# -- rate limit -----------------------------------------------------------------------------------


def test_rate_limit_per_key_with_retry_after(live_api: LiveApi) -> None:
    url = live_api({"RATE_LIMIT_PER_MINUTE": "3", "API_KEYS": f"{KEY_ONE},{KEY_TWO}"}, label="limited")
    with httpx.Client(base_url=url, headers=bearer(KEY_ONE)) as one:
        assert [one.get("/modes").status_code for _ in range(3)] == [200, 200, 200]
        over = one.get("/modes")
        body = assert_error_shape(over, 429, "rate_limited")
        retry_after = int(over.headers["retry-after"])
        assert 1 <= retry_after <= 60
        assert body["extra"]["retry_after"] == retry_after
        assert "RATE_LIMIT_PER_MINUTE" in body["detail"]
        assert over.headers["ratelimit-limit"] == "3"
        assert_error_shape(one.post("/quality/analyze", json={"files": ONE}), 429, "rate_limited")
        assert over.headers.get("x-request-id")
    with httpx.Client(base_url=url, headers=bearer(KEY_TWO)) as two:
        assert two.get("/modes").status_code == 200, "each key has its own budget"
    for _ in range(6):
        assert httpx.get(url + "/health").status_code == 200
        assert httpx.get(url + "/ready").status_code == 503  # no worker: not ready, but never 429
    document = httpx.get(url + "/schema/openapi.json").json()
    assert "429" in document["paths"]["/modes"]["get"]["responses"]
    assert "429" not in document["paths"]["/health"]["get"]["responses"]


def test_rate_limit_by_address_without_keys(live_api: LiveApi) -> None:
    url = live_api({"RATE_LIMIT_PER_MINUTE": "2"}, label="limited-open")
    assert [httpx.get(url + "/rules").status_code for _ in range(3)] == [200, 200, 429]
    assert httpx.get(url + "/health").status_code == 200


# -- input limits ---------------------------------------------------------------------------------


def test_a_line_over_max_line_length_is_400_naming_the_file_and_line(client: httpx.Client) -> None:
    ok_line = "x = '" + "a" * 9_994 + "'"  # 10,000 characters: at the limit
    assert len(ok_line) == 10_000
    long_line = ok_line + "  # one more"
    content = f"def test_a():\n    assert True\n{ok_line}\r\n{long_line}\n"
    files = [ONE[0], {"path": "tests/test_long.py", "content": content}]
    response = client.post("/quality/analyze-async", json={"files": files, "mode": "fast"})
    body = assert_error_shape(response, 400, "line_too_long")
    assert body["detail"] == (
        "files[1].content: line 4 of tests/test_long.py is 10,012 characters, over the 10,000 limit "
        "(MAX_LINE_LENGTH); wrap it or leave the file out"
    )
    assert (body["extra"]["path"], body["extra"]["line"]) == ("tests/test_long.py", 4)
    at_limit = [{"path": "tests/test_ok.py", "content": f"{ok_line}\n"}]
    assert client.post("/quality/analyze-async", json={"files": at_limit, "mode": "fast"}).status_code == 202


@pytest.mark.parametrize("bad", ["\x00", "\n", "\r", "\x1b[31m", "\x7f", "\x85", "\u2028", "\u202e"])
def test_a_path_with_a_control_character_is_400(client: httpx.Client, bad: str) -> None:
    files = [ONE[0], {"path": f"tests/test_{bad}x.py", "content": "def test_b():\n    assert f()\n"}]
    for endpoint in ("/quality/analyze-async", "/quality/analyze"):
        response = client.post(endpoint, json={"files": files, "mode": "fast"})
        body = assert_error_shape(response, 400, "invalid_path")
        assert body["detail"].startswith(f"files[1].path: contains the control character U+{ord(bad[0]):04X}")
        assert bad not in body["detail"]


def test_an_overlong_path_is_400(client: httpx.Client) -> None:
    files = [{"path": "tests/" + "d/" * 3000 + "test_a.py", "content": "x = 1\n"}]
    body = assert_error_shape(
        client.post("/quality/analyze-async", json={"files": files}), 400, "invalid_path"
    )
    assert "4,096" in body["detail"]


def test_a_body_nested_too_deeply_to_decode_is_400(client: httpx.Client) -> None:
    for body in (
        b'{"files": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b'{"files": [], "client": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_000 + b"}",
    ):
        response = client.post(
            "/quality/analyze-async", content=body, headers={"content-type": "application/json"}
        )
        assert assert_error_shape(response, 400, "too_deep")["detail"].startswith(
            "request body is nested too deeply"
        )


# One expression 5,000 levels deep, in short lines (backslash continuations): too deep for the parser.
DEEP = "def test_deep():\n    value = \\\n" + "    -\\\n" * 5_000 + "    1\n    assert value\n"


def test_a_file_nested_too_deeply_completes_with_an_unreadable_file_finding(client: httpx.Client) -> None:
    files = [
        {"path": "tests/test_deep.py", "content": DEEP},
        {"path": "tests/test_plain.py", "content": "def test_p():\n    x = 1\n"},
    ]
    accepted = client.post("/quality/analyze-async", json={"files": files, "mode": "fast"})
    assert accepted.status_code == 202, accepted.text
    final = poll(client, accepted.json()["task_id"])[-1]
    assert final["status"] == "completed", final
    issues = final["result"]["issues"]
    deep = [i for i in issues if i["file_path"] == "tests/test_deep.py"]
    assert [(i["code"], i["line"]) for i in deep] == [("unreadable-file", 1)]
    assert "nested too deeply" in deep[0]["message"]
    assert any(i["file_path"] == "tests/test_plain.py" for i in issues), "the rest of the batch is analysed"
    sync = client.post("/quality/analyze", json={"files": files, "mode": "hybrid"})
    assert sync.status_code == 200, sync.text
    assert [i["code"] for i in sync.json()["issues"] if i["file_path"] == "tests/test_deep.py"] == [
        "unreadable-file"
    ]
