# make run   - create the virtualenv, install, migrate, load the demo, serve on 127.0.0.1:5000 (debug server)
# make test  - the test suite (SQLite; PostgreSQL and Redis too when BLOG_TEST_DATABASE_URL / BLOG_TEST_REDIS_URL are set)
# make bench - side-by-side page benchmark: our app, a bare Flask floor and nginx (tests/perf/bench_pages.py; BENCH_ARGS=--quick)
# make serve-prod - migrate, then serve with gunicorn on $(HOST):$(PROD_PORT) (needs a real SECRET_KEY; README "Deploying")
# PYTHON=/usr/bin/python3 VENV=.venv-system make bench - the same in a virtualenv of another interpreter
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 5000
DEMO_PASSWORD ?= courier-demo
PROD_PORT ?= 8000
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app blog
STAMP := $(VENV)/.installed

.PHONY: install migrate demo run serve-prod test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) blog seed-demo --password $(DEMO_PASSWORD)

run: demo
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

serve-prod: migrate
	$(BIN)/gunicorn -c python:blog.gunicorn_conf --bind $(HOST):$(PROD_PORT)

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python tests/perf/bench_pages.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
