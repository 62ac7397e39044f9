# Two commands do all the set-up: `make demo` and `make test`. Both create .venv and install on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PYQTGRAPH_QT_LIB := PySide6

.PHONY: venv demo test test-sqlite test-pg lint unit clean

$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/jis demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy sequencer plc_io hardware_sims app ui

# The whole suite twice: on SQLite (the embedded default), then on PostgreSQL (127.0.0.1:5432, trust auth; each
# test gets a fresh jis_test_<random> database: tests/databases.py).
test: lint test-sqlite test-pg

test-sqlite: $(STAMP)
	QT_QPA_PLATFORM=offscreen JIS_TEST_DATABASE=sqlite $(BIN)/pytest

test-pg: $(STAMP)
	QT_QPA_PLATFORM=offscreen JIS_TEST_DATABASE=postgresql $(BIN)/pytest

unit: $(STAMP)
	$(BIN)/pytest tests/unit -q

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
