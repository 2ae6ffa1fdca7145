"""Benchmarks: `python -m tests.bench [SECTION...]` prints one JSON document; never timed asserts."""
