"""`llt`: analyse test files from a terminal or CI, list rules, run the API and the worker.

    llt analyze PATH... [--mode fast|deep|hybrid] [--format text|json|sarif] [--fail-on LEVEL]
                        [--select CODES] [--ignore CODES] [--no-cache]
    llt rules [CODE]
    llt serve [--host H] [--port P] [--workers N] [--with-worker]
    llt worker [--concurrency N]

Exit status: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage or config error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

import msgspec

from jobs.contracts import MODES, FileInput, QualityAnalysisRequest, QualityAnalysisResponse, QualityIssue
from jobs.engine.config import EngineConfig, load_project_config
from jobs.engine.parse import decode_source
from jobs.errors import LltError
from jobs.llm.cache import AnswerCache, FileCache, NullCache
from jobs.llm.factory import build_reviewer
from jobs.llm.review import Reviewer
from jobs.pipeline import run_analysis
from jobs.report import render_json, render_sarif, render_text, worst_at_or_above
from jobs.rules import REGISTRY
from jobs.settings import Settings, get_settings
from telemetry import setup_telemetry, shutdown_telemetry
from telemetry.attributes import SERVICE_NAME_CLI
from telemetry.logging import setup_logging

SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "env", ".tox", ".nox", "node_modules", "__pycache__",
     "build", "dist", "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs"}
)  # fmt: skip
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(LltError):
    """A command line we cannot act on."""

    code = "usage_error"


def is_test_file(name: str) -> bool:
    return name == "conftest.py" or (
        name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))
    )


def discover(paths: Sequence[str]) -> Iterator[str]:
    """Files to analyse: named files always, directories walked for test_*.py, *_test.py, conftest.py."""
    seen: set[str] = set()
    for given in paths:
        if os.path.isfile(given):
            if given not in seen:
                seen.add(given)
                yield given
            continue
        if not os.path.isdir(given):
            raise UsageError(f"{given}: no such file or directory")
        for root, dirs, files in os.walk(given):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
            for name in sorted(files):
                path = os.path.join(root, name)
                if is_test_file(name) and path not in seen:
                    seen.add(path)
                    yield path


def read_files(paths: Sequence[str]) -> tuple[list[FileInput], list[QualityIssue]]:
    """Decode each file as Python would; one that cannot be read becomes an issue, not a crash."""
    files: list[FileInput] = []
    unreadable: list[QualityIssue] = []
    for path in paths:
        try:
            files.append(FileInput(path=path, content=decode_source(Path(path).read_bytes())))
        except (OSError, ValueError) as exc:
            unreadable.append(
                QualityIssue(
                    file_path=path, line=1, column=0, severity="error", code="unreadable-file",
                    message=f"the file cannot be read as Python source: {exc}", detected_by="rule",
                )
            )  # fmt: skip
    return files, unreadable


def _codes(text: str | None) -> list[str] | None:
    return [c.strip() for c in text.split(",") if c.strip()] if text else None


def engine_config(args: argparse.Namespace) -> EngineConfig:
    start = Path(args.paths[0]) if args.paths else Path.cwd()
    config = load_project_config(start).with_cli(_codes(args.select), _codes(args.ignore))
    return config.validate(REGISTRY)


def make_reviewer(settings: Settings, no_cache: bool) -> Reviewer | None:
    """The CLI's reviewer: a local answer cache, and always a per-process limit (no Redis here)."""
    if not settings.llm_enabled:
        return None
    cache: AnswerCache = (
        NullCache() if no_cache else FileCache(settings.llm_cache_dir, settings.llm_cache_ttl_seconds)
    )
    return build_reviewer(msgspec.structs.replace(settings, llm_concurrency_scope="process"), cache)


class ProgressBar:
    """`LLM 12/94` redrawn in place on a terminal; silent when stderr is not one."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self.enabled:
            self.stream.write(f"\rLLM calls {done}/{total}")
            if done == total:
                self.stream.write("\n")
            self.stream.flush()


async def _analyze(
    files: list[FileInput], mode: str, config: EngineConfig, reviewer: Reviewer | None
) -> QualityAnalysisResponse:
    request = QualityAnalysisRequest(files=files, mode=mode)  # type: ignore[arg-type]
    try:
        return await run_analysis(request, config=config, reviewer=reviewer, progress=ProgressBar(sys.stderr))
    finally:
        if reviewer is not None:
            await reviewer.aclose()


def cmd_analyze(args: argparse.Namespace) -> int:
    paths = list(discover(args.paths))
    if not paths:
        raise UsageError(
            f"no test files found under {', '.join(args.paths)} (test_*.py, *_test.py, conftest.py)"
        )
    config = engine_config(args)
    settings = get_settings()
    if args.mode == "deep" and not settings.llm_enabled:
        raise UsageError("--mode deep needs an LLM: set LLM_BASE_URL (or use --mode fast or hybrid)")
    files, unreadable = read_files(paths)
    response = asyncio.run(_analyze(files, args.mode, config, make_reviewer(settings, args.no_cache)))
    if unreadable:
        response = _with_extra_issues(response, unreadable, len(paths))
    rendered = {"json": render_json, "sarif": render_sarif, "text": render_text}[args.format](response)
    sys.stdout.write(rendered + "\n")
    return EXIT_FINDINGS if worst_at_or_above(response.issues, args.fail_on) else EXIT_OK


def _with_extra_issues(
    response: QualityAnalysisResponse, extra: list[QualityIssue], total_files: int
) -> QualityAnalysisResponse:
    issues = sorted([*response.issues, *extra], key=lambda i: (i.file_path, i.line, i.column, i.code))
    summary = msgspec.structs.replace(
        response.summary,
        total_files=total_files,
        total_issues=len(issues),
        critical_issues=response.summary.critical_issues + len(extra),
        errors=response.summary.errors + len(extra),
    )
    return msgspec.structs.replace(response, issues=issues, summary=summary)


def cmd_rules(args: argparse.Namespace) -> int:
    if args.code:
        rule = REGISTRY.get(args.code)
        if rule is None:
            raise UsageError(f"unknown rule {args.code!r}; `llt rules` lists them")
        docs = rule.docs
        lines = [
            f"{rule.code} ({rule.severity}, {rule.family}{'' if rule.enabled else ', opt-in'})",
            "",
            rule.message,
            "",
            f"What it flags: {docs.get('what', '')}",
            f"Why it matters: {docs.get('why', '')}",
            f"Use instead: {docs.get('instead', '')}",
        ]
        if rule.fix:
            lines.append(f"Fix: {rule.fix}")
        if rule.aliases:
            lines.append(f"Also known as: {', '.join(rule.aliases)}")
        sys.stdout.write("\n".join(lines) + "\n")
        return EXIT_OK
    width = max(len(code) for code in REGISTRY)
    for rule in sorted(REGISTRY.values(), key=lambda r: (r.family, r.code)):
        flag = "" if rule.enabled else " (opt-in)"
        sys.stdout.write(
            f"{rule.code:<{width}}  {rule.severity:<7}  {rule.family:<16} {rule.message}{flag}\n"
        )
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from service.serve import serve

    serve(args.host, args.port, args.workers, args.with_worker)
    return EXIT_OK


def cmd_worker(args: argparse.Namespace) -> int:
    from service.serve import run_worker

    run_worker(args.concurrency)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="llt", description="Test-quality analysis for pytest and unittest suites."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    analyze = sub.add_parser("analyze", help="analyse test files and directories")
    analyze.add_argument("paths", nargs="+", metavar="PATH")
    analyze.add_argument(
        "--mode", choices=MODES, default="hybrid", help="fast = rules only (default: hybrid)"
    )
    analyze.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    analyze.add_argument("--fail-on", choices=("error", "warning", "info", "never"), default="error")
    analyze.add_argument(
        "--select", metavar="CODES", help="comma-separated rule codes to run (ALL = every rule)"
    )
    analyze.add_argument("--ignore", metavar="CODES", help="comma-separated rule codes to skip")
    analyze.add_argument("--no-cache", action="store_true", help="do not read or write the LLM answer cache")
    analyze.set_defaults(run=cmd_analyze)
    rules = sub.add_parser("rules", help="list the rules, or show one rule's documentation")
    rules.add_argument("code", nargs="?")
    rules.set_defaults(run=cmd_rules)
    serve = sub.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default=None, help="default: API_HOST (127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="default: API_PORT (8000)")
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--with-worker", action="store_true", help="also run a SAQ worker in the API process (dev)"
    )
    serve.set_defaults(run=cmd_serve)
    worker = sub.add_parser("worker", help="run a SAQ worker")
    worker.add_argument("--concurrency", type=int, default=None)
    worker.set_defaults(run=cmd_worker)
    return parser


def _quiet_logging(command: str) -> None:
    """A terminal tool prints findings on stdout and only warnings on stderr (LOG_LEVEL overrides)."""
    if command in {"analyze", "rules"}:
        level = os.environ.get("LOG_LEVEL", "WARNING").upper()
        setup_logging(level=level, fmt="text", stream=sys.stderr)
        setup_telemetry(SERVICE_NAME_CLI)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        _quiet_logging(args.command)
        return int(args.run(args))
    except LltError as exc:
        sys.stderr.write(f"llt: {exc.message}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except ValueError as exc:  # a bad LOG_LEVEL
        sys.stderr.write(f"llt: {exc}\n")
        return EXIT_USAGE
    finally:
        shutdown_telemetry()


if __name__ == "__main__":
    sys.exit(main())
