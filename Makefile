# Quick start:  make run   (set up, ingest the sample knowledge base, start the app)
#               make test  (set up, run the tests)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
SAMPLE_KB ?= sample_kb
export ASSISTANT_KB_DIR ?= var/kb

.PHONY: setup run demo test test-all system-deps lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch first, pinned: a plain "torch" requirement would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/assistant ingest $(SAMPLE_KB)
	$(BIN)/assistant serve

demo: setup
	$(BIN)/assistant ingest $(SAMPLE_KB)
	$(BIN)/assistant search "中试平台建设" -k 5

# Debian packages the browser and document tests use (skipped quietly where they cannot be installed).
system-deps:
	@bash scripts/system-deps.sh

test: setup system-deps
	$(BIN)/python -m pytest -q -m "not slow" --durations=15

test-all: setup system-deps
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python -m bench.retrieval
	$(BIN)/python -m bench.staff_queries
	$(BIN)/python -m bench.perf
	$(BIN)/python -m bench.draft_latency
	$(BIN)/python -m bench.load --think 5

clean:
	rm -rf $(VENV) var artifacts
