"""Suite-wide settings: Qt offscreen unless a display is given, pyqtgraph on PySide6, never PyQt; the test database."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from app.cli.main import main as jis_main
from app.logjson import LIBRARY_LEVELS, STARTUP
from tests.databases import fresh_database, postgres_database

# The suite is repeatable: Hypothesis draws the same examples on every run (campaigns with fresh randomness are
# `jis fuzz`'s job). Set HYPOTHESIS_PROFILE=explore to search afresh.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database for this test, on the backend ``JIS_TEST_DATABASE`` names (``tests/databases.py``)."""
    with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database whatever the run's backend (the PostgreSQL-only tests)."""
    with postgres_database() as url:
        yield url


@pytest.fixture
def jis() -> Callable[..., int]:
    """``jis ARG...`` in this process: the exit code (argparse's too); the root logger (and the levels it sets on the
    start-up and library loggers) as it was before, since the command line configures logging for its process."""

    def run(*argv: str) -> int:
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        named = [logging.getLogger(name) for name in (STARTUP, *LIBRARY_LEVELS)]
        levels = [logger.level for logger in named]
        try:
            return jis_main(list(argv))
        except SystemExit as exc:  # argparse refused the arguments (and printed why)
            return int(exc.code or 0)
        finally:
            root.handlers[:] = handlers
            root.setLevel(level)
            for logger, old in zip(named, levels, strict=True):
                logger.setLevel(old)

    return run
