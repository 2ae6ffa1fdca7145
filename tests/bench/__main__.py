"""`python -m tests.bench [rules] [llm] ...`: run benchmark sections and print one JSON document."""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

SECTIONS = {
    "rules": "tests.bench.rules_bench",
    "llm": "tests.bench.llm_bench",
    "telemetry": "tests.bench.telemetry_bench",
    "api": "tests.bench.api_bench",
    "load": "tests.bench.load_bench",
}


def main(argv: list[str]) -> int:
    chosen = argv or list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        sys.stderr.write(f"unknown section(s): {', '.join(unknown)}; choose from {', '.join(SECTIONS)}\n")
        return 2
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from telemetry.logging import setup_logging

    setup_logging(level=os.environ["LOG_LEVEL"], fmt="text", stream=sys.stderr)
    report: dict[str, Any] = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()}}
    for name in chosen:
        started = time.perf_counter()
        report[name] = importlib.import_module(SECTIONS[name]).run()
        report[name]["section_s"] = round(time.perf_counter() - started, 1)
    text = json.dumps(report, indent=2)
    out = Path("bench-results")
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
