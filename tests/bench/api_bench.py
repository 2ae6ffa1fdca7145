"""The service through its real API: submit latency, and the 38-file hybrid run via the API vs the CLI.

Everything is a real process on loopback: the API (`llt serve`, uvicorn + uvloop), SAQ workers
(`llt worker`), the fake LLM (a subprocess answering like a small reviewer, `serve_fake_llm`), the
shared Redis (`REDIS_URL`) on a queue name private to the run. `ServiceStack` (the fake LLM plus
`tests.e2e.processes.LltProcesses`) starts them and, even on failure, stops every process and
deletes every Redis key of its queue; task results and cached
LLM answers are written with short TTLs (`TASK_TTL_SECONDS`, `LLM_CACHE_TTL_SECONDS`) as a second
line of defence (LLT_BENCH_KEEP_LOGS=1 keeps the processes' logs). The benchmark client shares the
machine's cores with the processes it measures.

Sections of `run()`:
- `submit`: 200 small fast-mode submissions from 50 concurrent clients, from 10, and from 1
  sequential client, on an API without workers (only the submit path is measured). Client wall times, and the
  server's own `duration_ms` of the same requests (from its `request completed` log lines).
- `hybrid_38`: the 38-file corpus in hybrid mode against the fake LLM at 0.5 s with
  LLM_MAX_CONCURRENT_CALLS=10, through the API with one worker (submit → poll until completed; paths
  made unique so the Redis answer cache cannot help) and through `llt analyze --no-cache`; calls,
  the floor ceil(calls / 10) x 0.5 s, and whether both give the same (file name, line, code) set.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Final
from urllib.parse import urlsplit

import httpx
import msgspec
import redis

from tests.bench.corpora import synthetic_corpus
from tests.conftest import REDIS_URL
from tests.e2e.processes import LLT, LltProcesses, wait_for

ROOT: Final = Path(__file__).resolve().parents[2]
LATENCY: Final = 0.5
LIMIT: Final = 10
SUBMISSIONS: Final = 200
CLIENTS: Final = 50
WARM_UP: Final = 20
START_TIMEOUT_S: Final = 30.0
SMALL: Final = [
    {"path": "tests/test_small.py", "content": "def test_small():\n    value = 1\n    assert value == 1\n"}
]
TERMINAL: Final = {"completed", "failed"}
# Connection-level failures the benchmark client met (a section reports and clears them).
TRANSPORT_ERRORS: Counter[str] = Counter()
KEEP_LOGS: Final = os.environ.get("LLT_BENCH_KEEP_LOGS", "") not in {"", "0"}


def percentiles(values: list[float], points: tuple[int, ...] = (50, 95, 99)) -> dict[str, float | None]:
    """Nearest-rank percentiles and the max, rounded to 2 decimals (None when there are no values)."""
    if not values:
        return {**{f"p{p}": None for p in points}, "max": None}
    ordered = sorted(values)
    out: dict[str, float | None] = {}
    for p in points:
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        out[f"p{p}"] = round(ordered[rank - 1], 2)
    out["max"] = round(ordered[-1], 2)
    return out


def floor_s(calls: int, slots: int, latency: float = LATENCY) -> float:
    """The LLM phase's lower bound: ceil(calls / slots) x latency."""
    return math.ceil(calls / slots) * latency if calls else 0.0


def serve_fake_llm(latency: float) -> None:
    """Entry point of the fake-LLM subprocess: the reviewer-like responder, until SIGTERM/SIGINT.

    (`python -m tests.fakes.fake_llm` cannot choose a responder; this one yields findings.)
    """
    from tests.fakes.fake_llm import FakeLLM
    from tests.fakes.responders import reviewer_responder

    stop = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # the server thread inherits the mask
    with FakeLLM(latency=latency, responder=reviewer_responder) as llm:
        print(f"READY {llm.base_url}", flush=True)
        signal.sigwait(stop)


def proc_cpu_s(pid: int) -> float:
    """User plus system CPU seconds a live process has used so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_usage(pid: int) -> dict[str, int]:
    """Resident memory (VmRSS, kB) and open file descriptors of a live process."""
    rss_kb = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss_kb = int(line.split()[1])
    return {"rss_kb": rss_kb, "fds": len(os.listdir(f"/proc/{pid}/fd"))}


def tcp_sockets(pid: int) -> dict[str, int]:
    """A process's open TCP sockets: `listen`, `inbound` (to a port it listens on), `redis`, `other`."""
    inodes: set[str] = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(OSError):  # closed meanwhile
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    rows: list[tuple[int, int, bool]] = []  # local port, remote port, listening
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                local, remote = (int(f.rsplit(":", 1)[1], 16) for f in fields[1:3])
                rows.append((local, remote, fields[3] == "0A"))
    listening = {local for local, _, listen in rows if listen}
    redis_port = urlsplit(REDIS_URL).port or 6379
    kinds: Counter[str] = Counter({"listen": 0, "inbound": 0, "redis": 0, "other": 0})
    for local, remote, listen in rows:
        kind = (
            "listen"
            if listen
            else "inbound"
            if local in listening
            else "redis"
            if remote == redis_port
            else "other"
        )
        kinds[kind] += 1
    return dict(kinds)


class ServiceStack:
    """The fake LLM plus `LltProcesses` (API and workers) on one private queue; cleans up everything.

    `env` is what every service process gets on top of the environment `LltProcesses` gives it.
    """

    def __init__(self, label: str, env: dict[str, str] | None = None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"llt-bench-{label}-"))
        self.llt = LltProcesses(
            self.dir,
            {
                "LOG_LEVEL": "INFO",
                "LOG_FORMAT": "json",
                "TASK_TTL_SECONDS": "900",  # results outlive the run only briefly, whatever happens
                "LLM_CACHE_TTL_SECONDS": "900",
                "LLM_CACHE_DIR": str(self.dir / "llm-cache"),
                **(env or {}),
            },
            label=f"bench-{label}",
        )
        self.queue_name = self.llt.queue_name
        self.fake_llm: subprocess.Popen[bytes] | None = None
        self.llm_url: str | None = None
        self.api_url: str | None = None
        self.keys_left: int | None = None

    def __enter__(self) -> ServiceStack:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def processes(self) -> dict[str, subprocess.Popen[bytes]]:
        fake = {"fake-llm": self.fake_llm} if self.fake_llm is not None else {}
        return {**fake, **self.llt.processes}

    def start_fake_llm(self, latency: float = LATENCY) -> str:
        """The fake LLM subprocess; returns its base URL (ending in /v1), which every later process gets."""
        code = f"from tests.bench.api_bench import serve_fake_llm; serve_fake_llm({latency!r})"
        with self.llt.log_path("fake-llm").open("wb") as log:
            self.fake_llm = process = subprocess.Popen(
                [sys.executable, "-c", code], cwd=ROOT, env=self.llt.env, stdout=subprocess.PIPE, stderr=log
            )
        assert process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([process.stdout], [], [], max(0.0, remaining))
            chunk = os.read(process.stdout.fileno(), 1024) if ready else b""
            if not chunk:
                raise RuntimeError(f"the fake LLM did not start: {self.log_tail('fake-llm')}")
            line += chunk
        self.llm_url = line.decode().split()[-1]
        self.llt.env["LLM_BASE_URL"] = self.llm_url
        return self.llm_url

    def start_api(self) -> str:
        self.api_url = self.llt.start_api()
        return self.api_url

    def start_workers(self, count: int, concurrency: int) -> None:
        """`count` worker processes; returns once the API's /ready has seen all of them."""
        for i in range(count):
            self.llt.start_worker({"WORKER_CONCURRENCY": str(concurrency)}, name=f"worker-{i}")
        self.llt.wait_ready(count)

    def wait(self, check: Callable[[], object], what: str, timeout_s: float = START_TIMEOUT_S) -> None:
        wait_for(check, timeout_s, what)

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    def llm_stats(self) -> dict[str, Any]:
        assert self.llm_url is not None
        stats: dict[str, Any] = httpx.get(self.llm_url.removesuffix("/v1") + "/_fake/stats", timeout=5).json()
        return stats

    def llm_reset(self) -> None:
        assert self.llm_url is not None
        httpx.post(self.llm_url.removesuffix("/v1") + "/_fake/reset", timeout=5).raise_for_status()

    def stored_jobs(self, task_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The SAQ job records (timestamps, worker_id, attempts) of `task_ids`, without their results."""
        client = redis.Redis.from_url(REDIS_URL)
        out: dict[str, dict[str, Any]] = {}
        try:
            for start in range(0, len(task_ids), 200):
                chunk = task_ids[start : start + 200]
                raws: list[bytes | None] = client.mget([f"saq:job:{self.queue_name}:{key}" for key in chunk])  # type: ignore[assignment]
                for key, raw in zip(chunk, raws, strict=True):
                    if raw is not None:
                        job = msgspec.json.decode(raw)
                        fields = ("queued", "started", "completed", "worker_id", "attempts", "status")
                        out[key] = {name: job.get(name) for name in fields}
                        if job.get("error"):  # a retried job keeps its last error; its last line says why
                            out[key]["error"] = str(job["error"]).strip().splitlines()[-1][:200]
        finally:
            client.close()
        return out

    def log_lines(self, name: str) -> list[dict[str, Any]]:
        path = self.llt.log_path(name)
        lines: list[dict[str, Any]] = []
        if not path.exists():
            return lines
        for raw in path.read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                value = json.loads(raw)
                if isinstance(value, dict):
                    lines.append(value)
        return lines

    def log_tail(self, name: str, lines: int = 15) -> str:
        path = self.llt.log_path(name)
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def log_problems(self) -> dict[str, Any]:
        """Per service process: log lines at WARNING and above (messages only) and 5xx responses."""
        out: dict[str, Any] = {}
        for name in self.processes:
            if name == "fake-llm":
                continue
            lines = self.log_lines(name)
            bad = [line for line in lines if line.get("level") in {"WARNING", "ERROR", "CRITICAL"}]
            five_xx = Counter(
                f"{line.get('status_code')} {line.get('method')} {line.get('route')}"
                for line in lines
                if line.get("msg") == "request completed"
                and int(line.get("status_code") or 0) >= 500
                and line.get("route") != "/ready"  # 503 until the workers are seen: expected
            )
            out[name] = {
                "warnings_or_worse": len(bad),
                "messages": dict(
                    Counter(f"{line.get('level')}: {str(line.get('msg'))[:80]}" for line in bad)
                ),
                "responses_5xx": dict(five_xx),
            }
            if name.startswith("worker"):
                finished = Counter(
                    str(line.get("status")) for line in lines if line.get("msg") == "job finished"
                )
                out[name]["jobs_finished"] = dict(finished)
                out[name]["saq_sweeps"] = sum(
                    1 for line in lines if str(line.get("msg")).startswith("Sweeping")
                )
        return out

    def close(self) -> None:
        """Stop every process (SIGTERM, then SIGKILL), delete the queue's keys, remove the temp dir."""
        try:
            self.llt.__exit__(None, None, None)  # stops the API and workers, deletes the queue's keys
        finally:
            if self.fake_llm is not None:
                self.fake_llm.terminate()
                try:
                    self.fake_llm.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.fake_llm.kill()
                    self.fake_llm.wait(timeout=10)
                if self.fake_llm.stdout is not None:
                    self.fake_llm.stdout.close()
            self.keys_left = _count_queue_keys(self.queue_name)
            if KEEP_LOGS:
                sys.stderr.write(f"bench logs kept in {self.dir}\n")
            else:
                shutil.rmtree(self.dir, ignore_errors=True)


def _count_queue_keys(queue_name: str) -> int:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        patterns = (f"saq:{queue_name}:*", f"saq:job:{queue_name}:*", f"llt:workers:{queue_name}")
        return sum(len(list(client.scan_iter(match=p, count=500))) for p in patterns)
    finally:
        client.close()


def corpus_files(prefix: str = "") -> list[dict[str, str]]:
    """The 38-file corpus as API file inputs; `prefix` (a folder) makes every prompt, hence cache key, new."""
    folder = synthetic_corpus() / "tests"
    return [
        {"path": f"{prefix}tests/{p.name}", "content": p.read_text()} for p in sorted(folder.glob("*.py"))
    ]


def issue_set(issues: list[dict[str, Any]]) -> set[tuple[str, int, str]]:
    return {(Path(i["file_path"]).name, int(i["line"]), str(i["code"])) for i in issues}


async def poll_until_done(
    client: httpx.AsyncClient, task_id: str, interval_s: float, timeout_s: float
) -> dict[str, Any]:
    """GET /tasks/{id} every `interval_s` until completed or failed (bounded by `timeout_s`)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            response = await client.get(f"/tasks/{task_id}")
        except httpx.TransportError as exc:  # counted; a GET is safe to repeat
            TRANSPORT_ERRORS[f"GET /tasks: {type(exc).__name__}"] += 1
            if time.monotonic() > deadline:
                return {"status": "timeout"}
            await asyncio.sleep(interval_s)
            continue
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            if body["status"] in TERMINAL:
                return body
        elif response.status_code != 503:
            return {"status": f"http_{response.status_code}", "detail": response.text[:200]}
        if time.monotonic() > deadline:
            return {"status": "timeout"}
        await asyncio.sleep(interval_s)


# --- (a) submit latency -------------------------------------------------------------------------


async def _submit_many(base_url: str, clients: int, total: int, tag: str, api_pid: int) -> dict[str, Any]:
    """`total` submissions of SMALL by `clients` concurrent clients; each request timed on its own.

    A warm-up of max(clients, WARM_UP) submissions, `clients` at a time, opens the client's and the
    server's connections (HTTP and Redis) first; it is not measured.
    """
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    body = {"files": SMALL, "mode": "fast"}
    walls: list[float] = []
    statuses: Counter[str] = Counter()
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:

        async def submit(request_id: str) -> None:
            headers = {"X-Request-ID": request_id}
            started = time.perf_counter()
            try:
                response = await client.post("/quality/analyze-async", json=body, headers=headers)
            except httpx.TransportError as exc:
                statuses[type(exc).__name__] += 1
                return
            if not request_id.startswith("warm-"):
                walls.append((time.perf_counter() - started) * 1000)
                statuses[str(response.status_code)] += 1

        async def one_client(numbers: Iterator[int], prefix: str) -> None:
            for n in numbers:  # a shared iterator: each client takes the next submission
                await submit(f"{prefix}-{n}")

        warm = iter(range(max(clients, WARM_UP)))
        await asyncio.gather(*(one_client(warm, f"warm-{tag}") for _ in range(clients)))
        numbers = iter(range(total))
        api_cpu, client_cpu, started = proc_cpu_s(api_pid), time.process_time(), time.perf_counter()
        await asyncio.gather(*(one_client(numbers, tag) for _ in range(clients)))
        elapsed = time.perf_counter() - started
        api_cpu, client_cpu = proc_cpu_s(api_pid) - api_cpu, time.process_time() - client_cpu
    return {
        "clients": clients,
        "submissions": total,
        "statuses": dict(sorted(statuses.items())),
        "client_wall_ms": percentiles(walls),
        "throughput_per_s": round(total / elapsed, 1),
        "cpu_ms_per_submission": {
            "api": round(api_cpu * 1000 / total, 2),
            "client": round(client_cpu * 1000 / total, 2),
        },
    }


def _server_durations(stack: ServiceStack, tag: str) -> dict[str, float | None]:
    durations = [
        float(line["duration_ms"])
        for line in stack.log_lines("api")
        if line.get("msg") == "request completed" and str(line.get("request_id", "")).startswith(f"{tag}-")
    ]
    return percentiles(durations)


def submit_latency() -> dict[str, Any]:
    """200 submissions from 50, 10 and 1 client(s) to an API without workers."""
    with ServiceStack("submit") as stack:
        base = stack.start_api()
        out: dict[str, Any] = {
            "request": "one 3-line file, fast mode",
            "note": "no worker runs (the jobs wait in the queue); the client shares the 2 cores with "
            "the API; server_duration_ms is the API's own request log (middleware to response)",
        }
        for label, clients in (("concurrent_50", CLIENTS), ("concurrent_10", 10), ("sequential_1", 1)):
            row = asyncio.run(_submit_many(base, clients, SUBMISSIONS, label, stack.pid("api")))
            row["server_duration_ms"] = _server_durations(stack, label)
            out[label] = row
        out["log_problems"] = stack.log_problems()
    out["redis_keys_left"] = stack.keys_left
    return out


# --- (b) the 38-file hybrid run: API vs CLI -----------------------------------------------------


async def _through_api(base_url: str, files: list[dict[str, str]]) -> tuple[float, dict[str, Any]]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        started = time.perf_counter()
        accepted = await client.post("/quality/analyze-async", json={"files": files, "mode": "hybrid"})
        accepted.raise_for_status()
        final = await poll_until_done(client, accepted.json()["task_id"], 0.05, 300)
        return time.perf_counter() - started, final


def _through_cli(stack: ServiceStack) -> tuple[float, dict[str, Any], int]:
    # A copy outside the checkout: no pyproject.toml above it, the same (default) config as the API.
    folder = stack.dir / "corpus" / "tests"
    shutil.copytree(synthetic_corpus() / "tests", folder)
    command = [*LLT, "analyze", str(folder), "--mode", "hybrid", "--format", "json", "--no-cache"]
    env = {**stack.llt.env, "LLM_MAX_CONCURRENT_CALLS": str(LIMIT), "LOG_LEVEL": "WARNING"}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=600, check=False)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(f"llt analyze exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return wall, result, done.returncode


def _row(wall: float, result: dict[str, Any], llm: dict[str, Any]) -> dict[str, Any]:
    summary = result["summary"]
    calls = int(summary["llm_calls"])
    floor = floor_s(calls, LIMIT)
    return {
        "wall_s": round(wall, 2),
        "analysis_duration_ms": summary["duration_ms"],
        "llm_calls": calls,
        "llm_failed": summary["llm_failed"],
        "llm_cached": summary["llm_cached"],
        "fake_llm_requests": llm["requests"],
        "max_in_flight": llm["max_in_flight"],
        "floor_s": floor,
        "wall_over_floor": round(wall / floor, 3) if floor else None,
        "issues": summary["total_issues"],
    }


def hybrid_api_vs_cli() -> dict[str, Any]:
    env = {"LLM_MAX_CONCURRENT_CALLS": str(LIMIT)}
    with ServiceStack("hybrid", env) as stack:
        stack.start_fake_llm(LATENCY)
        base = stack.start_api()
        stack.start_workers(1, concurrency=4)
        files = corpus_files(prefix=f"bench-{uuid.uuid4().hex[:8]}/")  # unique prompts: a cold Redis cache
        stack.llm_reset()
        api_wall, final = asyncio.run(_through_api(base, files))
        if final["status"] != "completed":
            raise RuntimeError(f"the API analysis did not complete: {final}")
        api_row = _row(api_wall, final["result"], stack.llm_stats())
        stack.llm_reset()
        cli_wall, cli_result, exit_code = _through_cli(stack)
        cli_row = {**_row(cli_wall, cli_result, stack.llm_stats()), "exit_status": exit_code}
        problems = stack.log_problems()
    api_issues, cli_issues = issue_set(final["result"]["issues"]), issue_set(cli_result["issues"])
    return {
        "files": len(files),
        "latency_s": LATENCY,
        "limit": LIMIT,
        "api": {**api_row, "note": "submit -> poll every 50 ms until completed; one worker"},
        "cli": {**cli_row, "note": "llt analyze --no-cache as a subprocess (start-up included)"},
        "same_issues": api_issues == cli_issues,
        "issue_count": {"api": len(api_issues), "cli": len(cli_issues)},
        "only_api": sorted(api_issues - cli_issues)[:10],
        "only_cli": sorted(cli_issues - api_issues)[:10],
        "llm_findings": sum(1 for i in cli_result["issues"] if i["detected_by"] == "llm"),
        "log_problems": problems,
        "redis_keys_left": stack.keys_left,
    }


def run() -> dict[str, Any]:
    return {
        "load_average_at_start": list(os.getloadavg()),
        "submit": submit_latency(),
        "hybrid_38": hybrid_api_vs_cli(),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
