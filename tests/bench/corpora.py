"""Where the benchmark corpora come from: generated or downloaded on demand, never committed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache"


def shared_dir() -> Path:
    """`../shared` beside the checkout (LLT_SHARED overrides)."""
    return Path(os.environ.get("LLT_SHARED", ROOT.parent / "shared"))


def synthetic_corpus(n: int = 38, seed: int = 20240601) -> Path:
    """The deterministic corpus of shared/bench/make_corpus.py (38 files by default)."""
    out = CACHE / f"corpus{n}-{seed}"
    if not (out / "manifest.json").exists():
        script = shared_dir() / "bench" / "make_corpus.py"
        command = [sys.executable, str(script), "--n", str(n), "--seed", str(seed), "--out", str(out)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return out


def real_corpus() -> Path | None:
    """The pinned real-world suites (12 projects); fetched once into .cache, None when unreachable."""
    out = CACHE / "real-corpus"
    if (out / "MANIFEST.tsv").exists():
        return out
    script = shared_dir() / "bench" / "fetch_real_corpus.sh"
    result = subprocess.run(
        ["bash", str(script), "--cache", str(CACHE / "sdists"), str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    return out if result.returncode == 0 and (out / "MANIFEST.tsv").exists() else None


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if p.is_file())
