# Every target creates or refreshes .venv by itself: a fresh clone needs only `make demo` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench screenshots clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/coachtui demo

CODE := src tests benchmarks scripts
# The suite and the benchmarks start coachtui and the devserver in a hundred processes: each reads
# this tree's bytecode instead of compiling every module again (with PYTHONDONTWRITEBYTECODE set,
# as on the shared machine, nothing else writes it; an installed coachtui has its bytecode too).
COMPILE := $(BIN)/python -m compileall -q $(CODE)
# pytest rewrites the asserts of every test module, from source, in each of its workers, unless it
# finds them rewritten in __pycache__, which it does not write either with PYTHONDONTWRITEBYTECODE
# set: one collection writes them first (~2 s once, against ~1.3 s of CPU in each of six workers).
# If it fails, it says nothing: the suite's own collection reports the error.
REWRITE := PYTHONDONTWRITEBYTECODE= $(BIN)/pytest --collect-only -q -p no:cacheprovider >/dev/null 2>&1 || true

# The web app's notes stack for the conformance tests (tests/collab, pinned by its lock file).
# Without npm they are skipped, loudly; CI (CI=true) fails instead.
COLLAB_STAMP := tests/collab/node_modules/.installed

$(COLLAB_STAMP): tests/collab/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/collab && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else \
		echo "WARNING: npm not found: the notes conformance tests (real Hocuspocus server) will be SKIPPED."; \
	fi

# `make test` checks everything `make lint` does (CI runs `make test`) and runs the whole suite on
# all cores. mypy starts first, on the core the bytecode steps leave idle, and goes on beside the
# tests; the target fails if either does. Six workers on 2 cores: a worker waiting on a devserver, a
# pty app or a paced event leaves its core to another (measured, quiet, 612 tests: -n 4 94 s, -n 5
# 86 s, -n 6 79-82 s, -n 8 83 s; each worker costs a collection, ~3 s of CPU).
test: $(STAMP) $(COLLAB_STAMP)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	@$(BIN)/mypy > .mypy.out 2>&1 & types=$$!; \
	$(COMPILE); $(REWRITE); \
	$(BIN)/pytest -q -n 6 --dist worksteal; tests=$$?; \
	wait $$types; typed=$$?; echo "$(BIN)/mypy"; cat .mypy.out; rm -f .mypy.out; \
	exit $$(( tests || typed ))

lint: $(STAMP)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/mypy

bench: $(STAMP)
	@$(COMPILE)
	$(BIN)/python -m benchmarks

screenshots: $(STAMP)
	$(BIN)/python -m scripts.screenshots screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tests/collab/node_modules
