# `make run` and `make test` each set up .venv on a fresh machine and do their job.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint types pytest bench bench-api services clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[server,dev]'
	touch $(STAMP)

## Create the demo workspace if the database is empty, print two sign-ins and an API token, and serve on :8000.
run: $(STAMP)
	$(BIN)/activitylog demo --if-empty
	$(BIN)/activitylog serve --host 127.0.0.1 --port 8000

## Everything a reviewer checks: lint, format, types, then the whole test suite on SQLite and PostgreSQL.
test: $(STAMP) services check pytest

check: lint types

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

## Start what the tests need (PostgreSQL), installing it first when the machine lacks it.
services:
	bash scripts/services.sh

## The benchmarks (not part of the test suite); SIZE=100000 for a quick run.
bench: $(STAMP)
	$(BIN)/python -m bench.sqlite_bench --size $(or $(SIZE),1000000)

## The API over HTTP (SQLite; BENCH_DATABASE_URL=postgresql://... for PostgreSQL); ONLY=intercom for its page numbers alone.
bench-api: $(STAMP)
	$(BIN)/python -m bench.http_bench --size $(or $(SIZE),1000000) --only $(or $(ONLY),all) \
		$(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
