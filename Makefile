# Two commands do all the set-up on a fresh machine (see README.md):
#   make run    create the environment, build the briefs if they are stale, start the bot
#               (or the terminal chat when TELEGRAM_BOT_TOKEN is not set)
#   make test   create the environment and run every check
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench lint

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/briefbot run

lint: $(STAMP)
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .
	$(PY) -m mypy

test: lint
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/build.py
	$(PY) bench/answers.py
	$(PY) bench/telegram.py
