# The two set-up commands of the README: `make demo` and `make test`. Both install from nothing.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-long lint bench install dashboards

$(BIN)/geopulse: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/geopulse

demo: install
	$(BIN)/geopulse demo

test: install
	$(BIN)/python -m pytest -m "not slow"

test-long: install
	$(BIN)/python -m pytest -m slow

lint: install
	$(BIN)/ruff check streams schemas tests bench deploy
	$(BIN)/mypy

dashboards: install
	$(BIN)/python deploy/grafana/generate.py

bench: install
	$(BIN)/python bench/tagger.py
	$(BIN)/python bench/detect.py
