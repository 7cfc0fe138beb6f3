# Two commands set up everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench faults coverage clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m reconciler.demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check reconciler tests scripts benchmarks
	$(BIN)/ruff format --check reconciler tests scripts benchmarks
	$(BIN)/mypy reconciler

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Fault trials (kill -9, lost answers, concurrent applies, sales) on 2025-01 and 2026-10 with
# totals; `make test` runs one trial of each (tests/apply/test_fault_trials.py).
faults: $(STAMP)
	$(BIN)/python scripts/fault_trials.py

coverage: $(STAMP)
	$(BIN)/python scripts/conformance_report.py
	$(BIN)/python scripts/sandbox_coverage.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
