# opsbot: `make demo` shows the whole system on this machine; `make test` checks it.
# Both create .venv and install what they need; nothing else is required but Python 3.11+.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed


.PHONY: install demo test lint format mypy bench golden clean lock

# Exact versions with hashes (requirements-dev.lock: runtime + dev tools; requirements.lock:
# runtime, for the Dockerfile), so a fresh machine gets what the tests passed with.
$(INSTALLED): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $@

install: $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/opsbot demo

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/sqlfluff lint sql monitors

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

# Re-resolve both lock files after changing pyproject.toml's dependencies (pip-tools in a
# throwaway venv), then `make install` picks them up.
lock:
	$(PYTHON) -m venv var/lock-tools
	var/lock-tools/bin/pip install --quiet pip-tools
	var/lock-tools/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	var/lock-tools/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
