"""A fresh service database for each test: SQLite in the test's folder, or PostgreSQL on 127.0.0.1:5432.

``JIS_TEST_DATABASE`` chooses the backend of the whole run: ``sqlite`` (the default) or ``postgresql``; ``make
test`` runs the suite once with each. A PostgreSQL database is created as ``jis_test_<random>`` through the
``postgres`` maintenance database (trust authentication as ``root`` or ``postgres``, as CI and these machines
have it) and dropped ``WITH (FORCE)`` afterwards, so a connection a test leaked cannot keep it alive. No server
is a failure, not a skip: docs/persistence.md says how to start one.

Fixtures (``tests/conftest.py``): ``database_url`` follows the environment; ``pg_url`` is always PostgreSQL
(``tests/integration/test_postgres.py``). Code that is not a fixture (``tests/live.py``) uses ``fresh_database``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

ENV = "JIS_TEST_DATABASE"
BACKENDS = ("sqlite", "postgresql")
SERVER = "127.0.0.1:5432"
ADMIN_USERS = ("root", "postgres")


def backend() -> str:
    """The backend this run tests against (``JIS_TEST_DATABASE``)."""
    chosen = os.environ.get(ENV, "sqlite").strip().lower() or "sqlite"
    if chosen not in BACKENDS:
        pytest.fail(f"{ENV}={chosen!r}: expected one of {', '.join(BACKENDS)}")
    return chosen


def on_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def admin_engine() -> Engine:
    """An autocommit engine on the maintenance database, as the first user the server trusts."""
    errors = []
    for user in ADMIN_USERS:
        engine = create_engine(
            f"postgresql+psycopg://{user}@{SERVER}/postgres", poolclass=NullPool, isolation_level="AUTOCOMMIT"
        )
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return engine
        except OperationalError as exc:
            errors.append(f"{user}: {exc.orig}")
            engine.dispose()
    pytest.fail(f"no PostgreSQL on {SERVER} (see docs/persistence.md, 'PostgreSQL for the tests'): {errors}")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty ``jis_test_<random>`` database for the block; dropped with every session still on it."""
    admin = admin_engine()
    name = f"jis_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(str(admin.url)).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_database(folder: Path, name: str = "jis.db") -> Iterator[str]:
    """A new database of this run's backend: ``sqlite:///folder/name``, or a fresh PostgreSQL database."""
    if backend() == "postgresql":
        with postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{folder / name}"
