# opsbot: `make demo` shows the whole system on this machine; `make test` checks it.
# Both create .venv and install what they need; nothing else is required but Python 3.11+.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install demo test lint format mypy bench golden clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/opsbot demo

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

mypy: $(INSTALLED)
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: $(INSTALLED)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.readme

# Rewrite the morning report's golden file from the code (the golden test only compares).
golden: $(INSTALLED)
	$(BIN)/python -m tests.reports.make_golden

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
