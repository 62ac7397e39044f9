# Two commands do all the set-up: `make demo` and `make test`. Both create .venv and install on first use: the
# Python packages from requirements.lock (the whole tree pinned, what CI tested), the system packages through
# .ci/system-deps (installed when run as root on Debian, else named with the exact apt-get line).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export PYQTGRAPH_QT_LIB := PySide6

.PHONY: venv demo test test-sqlite test-pg lint unit lock system-test clean i18n i18n-update

$(STAMP): pyproject.toml requirements.lock
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	.ci/system-deps venv
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/python -m ui.i18n || echo "make: the screens' .qm files were not compiled (Qt's libraries: .ci/system-deps qt); a screen compiles them when it first needs one" >&2
	touch $(STAMP)

venv: $(STAMP)

# The demo's screens need Qt's system libraries; without them it runs headless and says so once.
demo: $(STAMP)
	.ci/system-deps --optional qt
	$(BIN)/jis demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy sequencer plc_io hardware_sims app ui

# The whole suite twice: on SQLite (the embedded default), then on PostgreSQL (127.0.0.1:5432, trust auth; each
# test gets a fresh jis_test_<random> database: tests/databases.py). UI tests run offscreen and never skip.
test: system-test lint test-sqlite test-pg

system-test:
	.ci/system-deps qt postgres

test-sqlite: $(STAMP)
	QT_QPA_PLATFORM=offscreen JIS_TEST_DATABASE=sqlite $(BIN)/pytest

test-pg: $(STAMP)
	QT_QPA_PLATFORM=offscreen JIS_TEST_DATABASE=postgresql $(BIN)/pytest

unit: $(STAMP)
	$(BIN)/pytest tests/unit -q

# The screens' languages (docs/languages.md): i18n-update reads every marked text in ui/ into the .ts sources (new
# ones unfinished, for a translator to fill); i18n compiles the .qm files Qt loads (also done at install and, if
# missing, when a screen first needs one). The .qm files are build output, not in git.
i18n-update: $(STAMP)
	$(BIN)/pyside6-lupdate -locations none -no-obsolete $$(find ui -name '*.py' | sort) -ts ui/i18n/jis_de.ts ui/i18n/jis_es.ts

i18n: $(STAMP)
	$(BIN)/python -m ui.i18n

# After changing a dependency in pyproject.toml: pin the whole tree again (every platform, Python 3.11+).
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
