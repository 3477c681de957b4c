# make run   - create the virtualenv, install with the dev extras, migrate, load the demo, serve on 127.0.0.1:5000
#              (Flask's debug server and, beside it, the job queue's worker `flask blog worker`; `make run PORT=5001` when 5000 is taken)
# make test  - the test suite (SQLite; PostgreSQL and Redis too when BLOG_TEST_DATABASE_URL / BLOG_TEST_REDIS_URL are set),
#              one worker per core (PYTEST_WORKERS=0 for one process)
# make test-lowest - tests/unit, tests/app and tests/migrations on SQLite with the lowest versions pyproject.toml allows
#              for each direct dependency (uv's lowest-direct resolution, in .venv-lowest): a minimum too low fails here
# make bench - side-by-side page benchmark: our app, a bare Flask floor and nginx (tests/perf/bench_pages.py; BENCH_ARGS=--quick)
# make serve-prod - install the runtime dependencies only (no dev extras), migrate, then serve with gunicorn on
#              $(HOST):$(PROD_PORT) (needs a real SECRET_KEY and BLOG_SITE_URL; README "Deploying")
# make install / install-prod - just the installs: with the dev extras (tests, Playwright) / the runtime dependencies
# make lint  - ruff (lint and format check) and mypy
# make lock  - requirements.lock (every runtime dependency pinned, with hashes) anew from pyproject.toml's ranges
# make audit - pip-audit over requirements.lock: prints known vulnerabilities; never fails the build by itself
# PYTHON=/usr/bin/python3 VENV=.venv-system make bench - the same in a virtualenv of another interpreter
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 5000
DEMO_PASSWORD ?= courier-demo
PROD_PORT ?= 8000
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app blog
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
LOWEST_VENV := .venv-lowest
LOWEST_STAMP := $(LOWEST_VENV)/.installed-lowest
UV_VERSION := uv>=0.13,<0.14
LOCK := requirements.lock

.PHONY: install install-prod migrate demo run serve-prod test test-lowest lint lock audit bench bench-import clean

# The runtime dependencies alone, at the versions requirements.lock pins and checked against its hashes: what a
# server needs. pyproject.toml keeps the ranges; `make lock` turns them into new pins.
$(RUNTIME_STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# On top of them the dev extras (pytest, lxml, aiosmtpd, Playwright): for run, test and bench.
$(DEV_STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(DEV_STAMP)

install-prod: $(RUNTIME_STAMP)

migrate: install-prod
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) blog seed-demo --password $(DEMO_PASSWORD)

# The job queue's worker (mail) runs in the background beside the debug server and is stopped when the server exits
# (Ctrl-C reaches the server; the trap then stops the worker).
run: install demo
	export BLOG_SITE_URL=http://$(HOST):$(PORT); \
	$(FLASK) blog worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; trap 'exit 130' INT TERM; \
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

serve-prod: migrate
	$(BIN)/gunicorn -c python:blog.gunicorn_conf --bind $(HOST):$(PROD_PORT)

# One worker per core (pytest-xdist), each test file on one worker (its module fixtures: a live server, a browser
# profile); under PostgreSQL every worker has a database of its own (tests/conftest.py, own_database).
PYTEST_WORKERS ?= auto

# With branch coverage of blog/ (the floor is in pyproject.toml, [tool.coverage.report]).
test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --cov --cov-report=term:skip-covered

# Built anew whenever pyproject.toml changes, so that no version from an earlier resolution stays behind.
# uv pip install names its target: without --python it would pick ./.venv.
$(LOWEST_STAMP): pyproject.toml
	rm -rf $(LOWEST_VENV)
	$(PYTHON) -m venv $(LOWEST_VENV)
	$(LOWEST_VENV)/bin/python -m pip install --quiet '$(UV_VERSION)'
	$(LOWEST_VENV)/bin/uv pip install --quiet --python $(LOWEST_VENV)/bin/python --resolution lowest-direct -e '.[dev]'
	touch $@

# SQLite only: the PostgreSQL and Redis runs are make test's, so their URLs and CI's rule that they must not be
# skipped (tests/conftest.py) are left out of this one.
test-lowest: $(LOWEST_STAMP)
	env -u BLOG_TEST_DATABASE_URL -u BLOG_TEST_REDIS_URL -u CI \
		$(LOWEST_VENV)/bin/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile tests/unit tests/app tests/migrations -q \
		-p no:cacheprovider

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# For every platform and Python from 3.11 (uv's universal resolution), so one file serves every server.
lock: install
	$(BIN)/python -m pip install --quiet '$(UV_VERSION)'
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --upgrade --quiet \
		-o $(LOCK)

# Exits 0 whatever it finds: an advisory published today must not block every landing. It is printed, and fixed
# by a lock refresh. --strict turns "could not be audited" (the vulnerability database unreachable) into a
# non-zero exit, which the message below then names, instead of a silent pass.
audit: install
	@$(BIN)/pip-audit --requirement $(LOCK) --require-hashes --disable-pip --strict --progress-spinner off \
		|| echo "make audit: NOT CLEAN: the vulnerabilities above (fix: make lock, then test), or the vulnerability" \
			"database could not be reached (each package above 'could not be audited'). This does not fail the build."

bench: install
	$(BIN)/python tests/perf/bench_pages.py $(BENCH_ARGS)

# make bench-import - the WordPress import: comments/s and peak RSS on SQLite (and PostgreSQL with BLOG_BENCH_DATABASE_URL)
bench-import: install
	$(BIN)/python tests/perf/bench_import.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(LOWEST_VENV) .pytest_cache .mypy_cache .ruff_cache .coverage build *.egg-info
