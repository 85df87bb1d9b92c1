# Groundwork: `make run` to try it, `make test` to check it.
SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint fmt worker setup help

help:  ## list the commands
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): requirements.txt
	test -d $(VENV) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

.env:
	sed "s/^DJANGO_SECRET_KEY=.*/DJANGO_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')/" .env.example > .env

setup: $(STAMP) .env  ## venv + deps, .env with a fresh secret key, migrate, demo data
	mkdir -p var/broker/control
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py seed_demo

run: setup  ## first use: setup, then serve on $(HOST):$(PORT) with a job worker + scheduler
	@echo; echo "Groundwork: http://$(HOST):$(PORT)/   API docs: http://$(HOST):$(PORT)/api/v1/docs/"; echo
	trap 'kill 0' EXIT; \
	$(PYTHON) -m celery -A config worker --beat --loglevel=WARNING --concurrency=2 & \
	$(PYTHON) manage.py runserver $(HOST):$(PORT)

worker: $(STAMP)  ## a celery worker with the beat scheduler (needs CELERY_BROKER_URL)
	$(PYTHON) -m celery -A config worker --beat --loglevel=INFO

# Browser tests drive Debian's chromium through Playwright (never a downloaded browser).
/usr/bin/chromium:
	@command -v apt-get >/dev/null || { echo "Install Debian's chromium package for the browser tests."; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

test: $(STAMP) /usr/bin/chromium  ## the whole suite (PostgreSQL/Redis tests run when DATABASE_URL/CELERY_BROKER_URL point at them)
	$(PYTHON) -m pytest -n 2 --create-db $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff check, ruff format --check, makemigrations --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SECRET_KEY=lint $(PYTHON) manage.py makemigrations --check --dry-run

fmt: $(STAMP)  ## ruff check --fix, ruff format
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
