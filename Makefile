# Pacer. `make run` to try it, `make test` to check everything CI checks.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint fmt screenshots install lock

# (Re)install only when pyproject.toml or the lock is newer than the last install. The exact
# versions (with their hashes) come from requirements.lock, the dev tools included; Pacer
# itself is then installed on top without resolving anything again.
install: $(STAMP)

$(BIN)/python:
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# Refresh requirements.lock: the newest versions pyproject.toml allows (its dependencies and
# the dev extra), pinned with their hashes, for Python 3.11 on Linux x86_64 (pip-tools, run
# from a venv of its own so the project's venv stays exactly the lock). Review the diff, run
# `make test`, commit. `make lock LOCK_UPGRADE=` keeps the current pins and only adds or
# drops what pyproject.toml changed.
LOCK_VENV := .venv-lock
LOCK_UPGRADE ?= --upgrade
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || { python3 -m venv $(LOCK_VENV) && \
	  $(LOCK_VENV)/bin/pip install --quiet --disable-pip-version-check pip-tools; }
	$(LOCK_VENV)/bin/pip-compile --quiet $(LOCK_UPGRADE) --extra dev --strip-extras --generate-hashes \
	  --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

# The worker (notifications, webhooks, reminders) runs in the background beside the web
# server and is stopped with it: Ctrl+C stops the server, the trap then stops the worker
# (SIGTERM lets it finish its task). RUN_ADDRESS serves elsewhere than 127.0.0.1:8000.
RUN_ADDRESS ?= 127.0.0.1:8000
run: export DEBUG = 1
run: install
	$(BIN)/pacer migrate
	$(BIN)/pacer demo --if-empty
	@echo "Pacer is at http://$(RUN_ADDRESS) — sign in as admin@demo.example / pacer-demo (admin) or member@demo.example / pacer-demo"
	@$(BIN)/pacer worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(BIN)/pacer runserver $(RUN_ADDRESS)

# Everything runs against a throw-away data folder (never ./var) with DEBUG and DATABASE_URL
# unset; the suite runs twice: on SQLite, then on a temporary PostgreSQL cluster.
test: install
	@set -euo pipefail; \
	data="$$(mktemp -d)"; trap 'rm -rf "$$data"' EXIT; \
	export PACER_DATA_DIR="$$data"; unset DEBUG DATABASE_URL PACER_TEST_DB; \
	set -x; \
	$(BIN)/ruff format --check .; \
	$(BIN)/ruff check .; \
	$(BIN)/mypy pacer; \
	DEBUG=1 $(BIN)/pacer makemigrations --check --dry-run; \
	$(BIN)/pytest; \
	PACER_TEST_DB=postgres $(BIN)/pytest

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy pacer

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# pytest exits with 5 when no test is selected: not an error here (yet).
screenshots: install
	@status=0; PACER_SCREENSHOTS=1 $(BIN)/pytest -m screenshots || status=$$?; \
	if [ $$status -eq 5 ]; then echo "No screenshot tests selected."; exit 0; fi; \
	exit $$status

# Benchmarks (docs/benchmarks.md): generate the bench organization and measure it, on SQLite
# then on a temporary PostgreSQL cluster, in a throw-away data folder; prints both tables and
# writes bench/results/<date>-<db>.json. `make bench BENCH_SCALE=large` for the issue's figures.
.PHONY: bench wrk
BENCH_SCALE ?= small
BENCH_REQUESTS ?= 30
bench: install wrk
	@set -euo pipefail; \
	data="$$(mktemp -d)"; trap 'rm -rf "$$data"' EXIT; \
	export PACER_DATA_DIR="$$data"; unset DEBUG DATABASE_URL; \
	steps='$(BIN)/pacer migrate -v 0 && $(BIN)/pacer bench generate --scale $(BENCH_SCALE) --seed 1 && $(BIN)/pacer bench run --scale $(BENCH_SCALE) --requests $(BENCH_REQUESTS)'; \
	echo "== SQLite"; bash -c "$$steps"; \
	echo "== PostgreSQL"; $(BIN)/python -m pacer.bench.pgcluster -- bash -c "$$steps"

# The throughput run's load client (`pacer bench throughput`): wrk, a Debian package. As
# root it is installed; otherwise the run says so and falls back to its Python client.
wrk:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || \
	  echo "wrk is not installed (apt-get install wrk): pacer bench throughput uses its Python client"
