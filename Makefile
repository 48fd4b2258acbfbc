# Flourish: `make run` to try it, `make test` to test it. Both work from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app webapp
HOST ?= 127.0.0.1
PORT ?= 5000
NOTIFY_STANDIN_PORT ?= 6011
CHROMIUM_PATH ?= /usr/bin/chromium
export CHROMIUM_PATH

.PHONY: run test chromium install install-dev translations extract-messages update-messages db seed worker lint audit bench clean cluster-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

## Compile the committed .po catalogues into .mo files (fails on a broken catalogue).
translations: $(VENV)/.installed-run
	@$(BIN)/pybabel compile -d translations >/dev/null

## For developers: collect new strings and merge them into every catalogue.
extract-messages: $(VENV)/.installed-run
	PYTHONPATH=. $(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2 \
		--no-location --sort-output --omit-header -o translations/messages.pot .
update-messages: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

db: $(VENV)/.installed-run
	$(FLASK) db upgrade

seed: db
	$(FLASK) seed-demo --if-empty

## Set everything up and serve the app and its worker at http://127.0.0.1:5000
## With NOTIFY_BASE_URL unset, the local NHS Notify stand-in runs too: /dev/messages shows what it got.
run: install translations seed
	@echo "Flourish at http://$(HOST):$(PORT)  (demo sign-ins: see README.md; Ctrl-C stops)"
	@export NOTIFY_STANDIN_PORT=$(NOTIFY_STANDIN_PORT); standin=; \
	if [ -z "$$NOTIFY_BASE_URL" ]; then \
		$(FLASK) notify-standin --callback-url "http://$(HOST):$(PORT)/api/v1/notify/callback" & standin=$$!; \
	fi; \
	$(FLASK) worker & worker=$$!; \
	trap 'kill $$worker $$standin 2>/dev/null; wait $$worker $$standin 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) "webapp:create_app()"

worker: install
	$(FLASK) worker

## Every test, browser tests included. TEST_DATABASE_URL=postgresql://... runs it on PostgreSQL.
test: install-dev translations chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The browser tests drive Debian's Chromium (never a downloaded one): installed when missing and
## this is root on Debian, else a clear message.
chromium:
	@if [ ! -x "$(CHROMIUM_PATH)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Chromium from Debian's packages"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else \
	    echo "The browser tests need Chromium at $(CHROMIUM_PATH): sudo apt-get install chromium"; exit 1; \
	  fi; \
	fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/bandit -q -c pyproject.toml -r webapp config.py

audit: install-dev
	$(BIN)/python .ci/dependency-audit.py

## Two gunicorn instances and three workers on PostgreSQL, rate limits in Redis, mixed traffic for a
## bounded time, the invariants checked and the figures printed (tests/cluster; also part of `make test`
## on PostgreSQL). CLUSTER_DATABASE_URL: a PostgreSQL database it may empty (made when missing).
CLUSTER_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/flourish_cluster
cluster-test: install-dev translations
	@createdb -h 127.0.0.1 -U postgres "$${CLUSTER_DATABASE_URL##*/}" 2>/dev/null || true
	TEST_DATABASE_URL=$(CLUSTER_DATABASE_URL) $(BIN)/python -m pytest -m cluster -s -q tests/cluster

bench: install-dev translations
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
