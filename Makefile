# Entezam — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test setup setup-dev assets lint typecheck format test-sqlite test-postgres bench stack clean

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

lint: setup-dev ## ruff (lint and format), then the type check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

typecheck: setup-dev ## mypy over core and every services and selectors module (see pyproject.toml)
	$(BIN)/mypy

format: setup-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# `makemigrations --check` fails when a model change has no migration; it runs on an
# in-memory database, whatever database the environment names.
test: lint ## lint and types, migrations, then the suite on SQLite and on PostgreSQL when it answers
	ENTEZAM_DATABASE_URL=sqlite://:memory: $(BIN)/entezam makemigrations --check --dry-run
	$(BIN)/python scripts/run_tests.py

bench: setup-dev
	$(BIN)/python bench/run.py

stack: setup-dev ## web, worker and beat (Procfile, honcho) against PostgreSQL and Redis
	$(BIN)/python scripts/stack.py

clean:
	rm -rf build var/static .pytest_cache
