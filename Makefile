# make run   - create the virtualenv, install with the dev extras, migrate, load the demo, serve on 127.0.0.1:5000
#              (Flask's debug server; `make run PORT=5001` when 5000 is taken)
# make test  - the test suite (SQLite; PostgreSQL and Redis too when BLOG_TEST_DATABASE_URL / BLOG_TEST_REDIS_URL are set)
# make bench - side-by-side page benchmark: our app, a bare Flask floor and nginx (tests/perf/bench_pages.py; BENCH_ARGS=--quick)
# make serve-prod - install the runtime dependencies only (no dev extras), migrate, then serve with gunicorn on
#              $(HOST):$(PROD_PORT) (needs a real SECRET_KEY and BLOG_SITE_URL; README "Deploying")
# make install / install-prod - just the installs: with the dev extras (tests, Playwright) / the runtime dependencies
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

.PHONY: install install-prod migrate demo run serve-prod test bench clean

# The runtime dependencies alone: what a server needs.
$(RUNTIME_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
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

run: install demo
	BLOG_SITE_URL=http://$(HOST):$(PORT) $(FLASK) run --debug --host $(HOST) --port $(PORT)

serve-prod: migrate
	$(BIN)/gunicorn -c python:blog.gunicorn_conf --bind $(HOST):$(PROD_PORT)

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python tests/perf/bench_pages.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
