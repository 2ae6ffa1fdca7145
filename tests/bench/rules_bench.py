"""Rules-only speed: files/s, total time over bare `ast.parse` of the same files, peak memory."""

from __future__ import annotations

import ast
import contextlib
import gc
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.bench.corpora import python_files, real_corpus, synthetic_corpus

REPEATS = 3


def _sources(folder: Path) -> list[tuple[str, str]]:
    return [(str(p), p.read_text(encoding="utf-8", errors="replace")) for p in python_files(folder)]


def _parse_only(sources: list[tuple[str, str]]) -> float:
    gc.disable()
    started = time.perf_counter()
    trees = []
    for path, text in sources:
        with contextlib.suppress(SyntaxError):
            trees.append(ast.parse(text, filename=path))
    elapsed = time.perf_counter() - started
    del trees
    gc.enable()
    return elapsed


def _engine(sources: list[tuple[str, str]]) -> tuple[float, int]:
    from jobs.engine.run import analyze_sources

    started = time.perf_counter()
    _, issues = analyze_sources(sources)
    return time.perf_counter() - started, len(issues)


def measure(folder: Path) -> dict[str, Any]:
    """Best of REPEATS for both, in this process; peak RSS of a separate engine-only process."""
    sources = _sources(folder)
    parse_s = min(_parse_only(sources) for _ in range(REPEATS))
    runs = [_engine(sources) for _ in range(REPEATS)]
    engine_s = min(r[0] for r in runs)
    return {
        "files": len(sources),
        "issues": runs[0][1],
        "engine_s": round(engine_s, 3),
        "bare_parse_s": round(parse_s, 3),
        "ratio_to_parse": round(engine_s / parse_s, 2),
        "files_per_s": round(len(sources) / engine_s),
        "peak_rss_mb": _peak_rss_mb(folder),
    }


def _peak_rss_mb(folder: Path) -> float:
    code = (
        "import sys, resource, json\n"
        "from tests.bench.rules_bench import _sources, _engine\n"
        "_engine(_sources(__import__('pathlib').Path(sys.argv[1])))\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(folder)], capture_output=True, text=True, check=True
    )
    return round(int(out.stdout.strip().splitlines()[-1]) / 1024, 1)


def run() -> dict[str, Any]:
    result: dict[str, Any] = {"synthetic_38": measure(synthetic_corpus())}
    real = real_corpus()
    result["real_corpus"] = measure(real) if real else {"skipped": "the real corpus could not be fetched"}
    result["baseline_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
