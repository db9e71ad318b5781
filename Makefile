# whitecell: `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup run test lint bench native clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the project's dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/whitecell serve --demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

# the compiled core (optional, about half a minute): use it with WHITECELL_NATIVE=build/native
native: setup
	$(BIN)/whitecell compile build/native

# the compiled core first (bench/play.py times it beside the Python one); without a C
# compiler the benchmarks still run, on the Python core alone
bench: setup
	@$(BIN)/whitecell compile build/native || echo "(no compiled core: timing the Python one alone)" >&2
	@for script in bench/*.py; do echo "== $$script" >&2; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build/native
