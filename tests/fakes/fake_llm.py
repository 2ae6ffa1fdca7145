"""A real OpenAI-compatible chat-completions server on loopback, for tests and benchmarks.

In-process (uvicorn in a background thread with its own event loop)::

    with FakeLLM(latency=0.5, rate_429=0.1) as llm:
        llm.base_url      # "http://127.0.0.1:PORT/v1"
        llm.stats()       # the same dict as GET /_fake/stats
        llm.configure(rate_5xx=0.2)
        llm.reset()

As a process: ``python -m tests.fakes.fake_llm --port 0 --latency 0.5 --rate-429 0.1`` prints one line
``READY http://127.0.0.1:PORT/v1`` on stdout once it listens, and stops on SIGINT/SIGTERM. Every
`FakeConfig` field is a flag (``--fail-first-n 2``, ``--retry-after none``, ``--script TEXT`` repeated).

Endpoints: ``POST /v1/chat/completions``, ``GET /v1/models``, and the admin routes
``GET /_fake/stats``, ``GET|POST /_fake/config`` (POST merges the given fields into the config) and
``POST /_fake/reset`` (clears the stats, restarts `fail_first_n` and `script`, reseeds; keeps the config).

One request goes: the first `fail_first_n` requests get `fail_first_status` (429); otherwise it hangs
with `hang_rate`, gets 429 with `rate_429` or a `status_5xx` with `rate_5xx` (errors answer at once;
a 429 carries `Retry-After: retry_after` unless that is None), or waits `latency` (+ up to `jitter`)
and answers 200 (with a body that is not a chat completion at `broken_body_rate`). The content is
the next `script` entry or the `responder`'s answer, then damaged by `malformed_rate` (cut in half),
`fenced_rate` (```json fences) and `prose_rate` (prose around it). The default responder answers
``{"findings": []}``, unless a line of the last user message starts with ``FAKE_FINDINGS:``; what
follows it is returned verbatim as the findings array. With `seed`, request N meets the same fate
in every run.

A hanging request ends when its client disconnects or the server stops (then it gets a 503), so it
never blocks shutdown. Stats count a request as in flight from its arrival until its response is sent
(or its client is gone); timestamps are `time.monotonic()` seconds. The `Authorization` values seen
are kept in the stats for tests to check and are never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import msgspec
import uvicorn

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Responder = Callable[[dict[str, Any]], str]

FINDINGS_MARKER = "FAKE_FINDINGS:"
PROSE_BEFORE = "Sure! Here is my review of the test.\n"
PROSE_AFTER = "\nLet me know if you want me to look at anything else."


class FakeConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The knobs; see the module docstring for how one request uses them."""

    latency: float = 0.0  # seconds before a 200
    jitter: float = 0.0  # plus uniform(0, jitter) seconds
    rate_429: float = 0.0
    retry_after: float | str | None = 1.0  # Retry-After of a 429 (seconds or HTTP date); None omits it
    rate_5xx: float = 0.0
    status_5xx: int = 500
    hang_rate: float = 0.0
    malformed_rate: float = 0.0
    fenced_rate: float = 0.0
    prose_rate: float = 0.0
    usage: bool = True  # include a usage block in answers
    fail_first_n: int = 0
    fail_first_status: int = 429  # what the first `fail_first_n` requests get
    broken_body_rate: float = 0.0  # a 200 whose body is not a chat completion
    script: list[str] = msgspec.field(default_factory=list)
    seed: int | None = None
    model: str | None = None  # the model named in answers; None echoes the request's


class _Event(msgspec.Struct):
    id: int
    arrival: float
    finish: float | None = None
    status: int | None = None


class _Plan(msgspec.Struct, frozen=True):
    outcome: str  # ok | broken | fail_first | 429 | 5xx | hang
    delay: float
    scripted: str | None
    malformed: bool
    fenced: bool
    prose: bool
    config: FakeConfig


class _Reply(msgspec.Struct, frozen=True):
    status: int
    body: object
    headers: list[tuple[bytes, bytes]] = msgspec.field(default_factory=list)


class _State:
    """Config, counters and the request timeline, shared by the server thread and the test thread."""

    def __init__(self, config: FakeConfig) -> None:
        self._lock = threading.Lock()
        self.config = config
        self._clear()

    def _clear(self) -> None:
        self._rng = random.Random(self.config.seed)
        self._script_pos = 0
        self._requests = 0
        self._completed = 0
        self._disconnected = 0
        self._in_flight = 0
        self._max_in_flight = 0
        self._statuses: Counter[int] = Counter()
        self._events: list[_Event] = []
        self._authorizations: list[str] = []

    def reset(self) -> None:
        """Start the stats afresh; requests still running stay counted as in flight."""
        with self._lock:
            in_flight = self._in_flight
            self._clear()
            self._in_flight = self._max_in_flight = in_flight

    def configure(self, changes: dict[str, Any]) -> FakeConfig:
        with self._lock:
            merged = {**msgspec.structs.asdict(self.config), **changes}
            self.config = msgspec.convert(merged, FakeConfig)
            if "seed" in changes:
                self._rng = random.Random(self.config.seed)
            if "script" in changes:
                self._script_pos = 0
            return self.config

    def arrive(self, authorization: str | None) -> tuple[_Event, _Plan]:
        with self._lock:
            self._requests += 1
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            event = _Event(id=self._requests, arrival=time.monotonic())
            self._events.append(event)
            if authorization is not None and authorization not in self._authorizations:
                self._authorizations.append(authorization)
            return event, self._plan(event.id)

    def _plan(self, number: int) -> _Plan:
        config = self.config
        hang, r429, r5xx, broken, malformed, fenced, prose, jitter = (self._rng.random() for _ in range(8))
        if number <= config.fail_first_n:
            outcome = "fail_first"
        elif hang < config.hang_rate:
            outcome = "hang"
        elif r429 < config.rate_429:
            outcome = "429"
        elif r5xx < config.rate_5xx:
            outcome = "5xx"
        elif broken < config.broken_body_rate:
            outcome = "broken"
        else:
            outcome = "ok"
        scripted = None
        if outcome in {"ok", "broken"} and self._script_pos < len(config.script):
            scripted = config.script[self._script_pos]
            self._script_pos += 1
        return _Plan(
            outcome=outcome,
            delay=config.latency + jitter * config.jitter,
            scripted=scripted,
            malformed=malformed < config.malformed_rate,
            fenced=fenced < config.fenced_rate,
            prose=prose < config.prose_rate,
            config=config,
        )

    def finish(self, event: _Event, status: int | None) -> None:
        with self._lock:
            self._in_flight -= 1
            event.finish = time.monotonic()
            event.status = status
            if status is None:
                self._disconnected += 1
            else:
                self._completed += 1
                self._statuses[status] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self._requests,
                "completed": self._completed,
                "disconnected": self._disconnected,
                "in_flight": self._in_flight,
                "max_in_flight": self._max_in_flight,
                "statuses": {str(code): n for code, n in sorted(self._statuses.items())},
                "events": msgspec.to_builtins(self._events),
                "authorizations": list(self._authorizations),
            }


def default_responder(request: dict[str, Any]) -> str:
    """`{"findings": []}`, or the JSON after a `FAKE_FINDINGS:` line of the last user message."""
    users = [m for m in request.get("messages", []) if isinstance(m, dict) and m.get("role") == "user"]
    text = users[-1].get("content") if users else None
    for line in text.splitlines() if isinstance(text, str) else []:
        if line.startswith(FINDINGS_MARKER):
            return '{"findings": ' + line[len(FINDINGS_MARKER) :].strip() + "}"
    return '{"findings": []}'


def _shape(content: str, plan: _Plan) -> str:
    if plan.malformed:
        content = content[: max(1, len(content) // 2)]
    if plan.fenced:
        content = f"```json\n{content}\n```"
    if plan.prose:
        content = PROSE_BEFORE + content + PROSE_AFTER
    return content


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _error(status: int, code: str, headers: list[tuple[bytes, bytes]] | None = None) -> _Reply:
    body = {"error": {"message": f"fake-llm: {code}", "type": code, "code": code}}
    return _Reply(status, body, headers or [])


def _status_error(status: int, retry_after: float | str | None) -> _Reply:
    """An error reply; a 429 carries `Retry-After` unless `retry_after` is None."""
    if status != 429 or retry_after is None:
        return _error(status, "rate_limit_exceeded" if status == 429 else "server_error")
    text = f"{retry_after:g}" if isinstance(retry_after, float | int) else retry_after
    return _error(429, "rate_limit_exceeded", [(b"retry-after", text.encode())])


def _completion(request: dict[str, Any], content: str, plan: _Plan, number: int) -> dict[str, Any]:
    messages = request.get("messages", [])
    prompt_chars = sum(len(m.get("content") or "") for m in messages if isinstance(m, dict))
    body: dict[str, Any] = {
        "id": f"chatcmpl-fake-{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": plan.config.model or request.get("model") or "fake-llm",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
    }
    if plan.config.usage:
        prompt, completion = max(1, prompt_chars // 4), _tokens(content)
        body["usage"] = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
    return body


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _wait_for_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _send(send: Send, reply: _Reply) -> None:
    payload = json.dumps(reply.body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers + reply.headers})
    await send({"type": "http.response.body", "body": payload})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _parse_object(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class FakeLLMApp:
    """The raw ASGI app behind the fake server."""

    def __init__(self, config: FakeConfig, responder: Responder | None = None) -> None:
        self.state = _State(config)
        self._responder = responder or default_responder
        self._stopping = False
        self._release: asyncio.Event | None = None

    def release_hangs(self) -> None:
        """Let every hanging request answer 503 now and future ones at once (called on shutdown)."""
        self._stopping = True
        if self._release is not None:
            self._release.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        route = (scope["method"], scope["path"])
        if route == ("POST", "/v1/chat/completions"):
            await self._chat(scope, receive, send)
        else:
            await _send(send, self._admin(route, await _read_body(receive)))

    def _admin(self, route: tuple[str, str], body: bytes) -> _Reply:
        if route == ("GET", "/_fake/stats"):
            return _Reply(200, self.state.snapshot())
        if route == ("GET", "/_fake/config"):
            return _Reply(200, msgspec.to_builtins(self.state.config))
        if route == ("POST", "/_fake/config"):
            return self._configure(body)
        if route == ("POST", "/_fake/reset"):
            self.state.reset()
            return _Reply(200, {"ok": True})
        if route == ("GET", "/v1/models"):
            model = self.state.config.model or "fake-llm"
            return _Reply(
                200, {"object": "list", "data": [{"id": model, "object": "model", "owned_by": "fake"}]}
            )
        return _error(404, "not_found")

    def _configure(self, body: bytes) -> _Reply:
        changes = _parse_object(body)
        if changes is None:
            return _error(400, "config_must_be_a_json_object")
        try:
            config = self.state.configure(changes)
        except msgspec.ValidationError as exc:
            return _Reply(400, {"error": {"message": str(exc), "type": "invalid_config"}})
        return _Reply(200, msgspec.to_builtins(config))

    async def _chat(self, scope: Scope, receive: Receive, send: Send) -> None:
        event, plan = self.state.arrive(_header(scope, b"authorization"))
        status: int | None = None
        try:
            body = await _read_body(receive)
            reply = await self._reply(plan, body, receive, event.id)
            if reply is not None:
                await _send(send, reply)
                status = reply.status
        finally:
            self.state.finish(event, status)

    async def _reply(self, plan: _Plan, body: bytes, receive: Receive, number: int) -> _Reply | None:
        if plan.outcome == "hang":
            return await self._hang(receive)
        if plan.outcome in {"429", "fail_first"}:
            status = 429 if plan.outcome == "429" else plan.config.fail_first_status
            return _status_error(status, plan.config.retry_after)
        if plan.outcome == "5xx":
            return _status_error(plan.config.status_5xx, plan.config.retry_after)
        request = _parse_object(body)
        if request is None or not isinstance(request.get("messages"), list):
            return _error(400, "invalid_request_error")
        await asyncio.sleep(plan.delay)
        content = _shape(plan.scripted if plan.scripted is not None else self._responder(request), plan)
        if plan.outcome == "broken":
            return _Reply(200, {"object": "fake.not_a_completion", "answer": content})
        return _Reply(200, _completion(request, content, plan, number))

    async def _hang(self, receive: Receive) -> _Reply | None:
        """Wait for the client to go away (None) or for shutdown (503)."""
        if self._release is None:
            self._release = asyncio.Event()
        if self._stopping:
            return _error(503, "shutting_down")
        gone = asyncio.ensure_future(_wait_for_disconnect(receive))
        released = asyncio.ensure_future(self._release.wait())
        done, pending = await asyncio.wait({gone, released}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        return None if gone in done else _error(503, "shutting_down")


class _Server(uvicorn.Server):
    """uvicorn, telling us its URL once it listens and freeing hanging requests before it stops."""

    def __init__(self, app: FakeLLMApp, host: str, port: int, on_ready: Callable[[str], None]) -> None:
        config = uvicorn.Config(
            app, host=host, port=port, lifespan="off", log_level="warning", access_log=False
        )
        super().__init__(config)
        self._app = app
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            host, port = self.servers[0].sockets[0].getsockname()[:2]
            self._on_ready(f"http://{host}:{port}")

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._app.release_hangs()
        await super().shutdown(sockets)


class FakeLLM:
    """The fake server in a background thread; a context manager. Knobs are `FakeConfig` fields."""

    def __init__(
        self, *, responder: Responder | None = None, host: str = "127.0.0.1", port: int = 0, **knobs: Any
    ) -> None:
        self.app = FakeLLMApp(FakeConfig(**knobs), responder)
        self._url: str | None = None
        self._ready = threading.Event()
        self._server = _Server(self.app, host, port, self._on_ready)
        self._thread = threading.Thread(target=self._server.run, name="fake-llm", daemon=True)

    def _on_ready(self, url: str) -> None:
        self._url = url
        self._ready.set()

    def __enter__(self) -> FakeLLM:
        self._thread.start()
        if not self._ready.wait(timeout=10):
            raise RuntimeError("the fake LLM server did not start")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    @property
    def url(self) -> str:
        """The server root, e.g. `http://127.0.0.1:PORT`."""
        if self._url is None:
            raise RuntimeError("the fake LLM server is not running")
        return self._url

    @property
    def base_url(self) -> str:
        """What `LLM_BASE_URL` should be: the root plus `/v1`."""
        return self.url + "/v1"

    def stats(self) -> dict[str, Any]:
        """The same dict as `GET /_fake/stats`."""
        return self.app.state.snapshot()

    def configure(self, **knobs: Any) -> FakeConfig:
        """Change knobs at runtime, like `POST /_fake/config`."""
        return self.app.state.configure(knobs)

    def reset(self) -> None:
        """Like `POST /_fake/reset`."""
        self.app.state.reset()


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes.fake_llm", description="Fake OpenAI LLM server."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    for field in msgspec.structs.fields(FakeConfig):
        flag = "--" + field.name.replace("_", "-")
        if field.name == "script":
            parser.add_argument(flag, action="append", help="an answer content; repeat for more")
        else:
            parser.add_argument(flag, help=f"default {field.default!r}")
    return parser


def config_from_args(args: argparse.Namespace) -> FakeConfig:
    """The `FakeConfig` named by the command line; `--retry-after none` omits the header."""
    names = {field.name for field in msgspec.structs.fields(FakeConfig)}
    values: dict[str, Any] = {k: v for k, v in vars(args).items() if k in names and v is not None}
    if str(values.get("retry_after", "")).lower() == "none":
        values["retry_after"] = None
    elif "retry_after" in values:
        values["retry_after"] = _number_or_text(values["retry_after"])
    return msgspec.convert(values, FakeConfig, strict=False)


def _number_or_text(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def main(argv: list[str] | None = None) -> None:
    """Serve until SIGINT/SIGTERM, after printing `READY <base_url>`."""
    args = _arguments().parse_args(argv)
    app = FakeLLMApp(config_from_args(args))
    _Server(app, args.host, args.port, lambda url: print(f"READY {url}/v1", flush=True)).run()


if __name__ == "__main__":
    main()
