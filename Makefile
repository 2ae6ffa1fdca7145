# LLT Quality Service — developer entry points. `make help` lists them.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
REDIS_URL ?= redis://127.0.0.1:6379/0
export REDIS_URL
# the Prometheus config tests use it when ops/ensure-promtool.sh could extract it
export PROMTOOL = $(wildcard $(CURDIR)/.cache/promtool/usr/bin/promtool)

.DEFAULT_GOAL := help
.PHONY: help install lint test test-fast bench run demo redis promtool clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the package with dev tools

lint: $(STAMP)  ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

redis:  ## make sure a Redis answers on 127.0.0.1:6379 (starts redis-server if not)
	@bash ops/ensure-redis.sh

promtool:  ## fetch promtool (Debian package, binary only) for the Prometheus config checks
	@bash ops/ensure-promtool.sh

test: $(STAMP) redis promtool  ## install everything, ensure Redis and promtool, run the whole suite
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)  ## unit tests only (no network)
	$(BIN)/python -m pytest -q tests/unit

bench: $(STAMP) redis  ## benchmarks; prints JSON
	$(BIN)/python -m tests.bench

run: $(STAMP)  ## the service with a worker on :8000 (starts a private Redis if none answers)
	@bash ops/run-dev.sh

demo: $(STAMP)  ## analyse the example suite in examples/ from the command line, no server
	$(BIN)/llt analyze examples/demo_suite --fail-on never

clean:  ## remove the venv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
