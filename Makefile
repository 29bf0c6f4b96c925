# Entezam — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test setup setup-dev assets lint format test-sqlite test-postgres bench stack clean

demo: setup ## set up and serve the embedded demo on http://127.0.0.1:8000
	$(BIN)/entezam demo

setup: $(STAMP) assets ## install Python and npm packages and build static files

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json
	$(BIN)/python scripts/build_assets.py

setup-dev: $(DEV_STAMP) assets

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup-dev ## ruff, then the suite on SQLite, then on PostgreSQL when it answers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/run_tests.py

bench: setup-dev
	$(BIN)/python bench/run.py

stack: setup-dev ## web, worker and beat (Procfile, honcho) against PostgreSQL and Redis
	$(BIN)/python scripts/stack.py

clean:
	rm -rf build var/static .pytest_cache
