"""Which database a URL points at, checked before a command opens it, so that a mistake is one clear sentence.

What it is for: ``check_database`` before ``Store``, ``AccountStore`` or Alembic open a URL. The URL must name a
backend the service runs on (SQLite or PostgreSQL); a SQLite file must lie in a folder that exists and, for a
command that only reads (``must_exist``: a report, a replay, ``jis users list``, ``jis migrate current``), be
there already, since opening it would create an empty database and the command would then report on nothing; a
PostgreSQL server must answer and hold that database. ``DatabaseUrlError`` means the URL or what it points at is
wrong (fix the command line or the plant file); ``DatabaseUnreachable`` means the server does not answer (start
it, or fix host and port).

What it must not do: create, migrate or write anything (the PostgreSQL probe connects and disconnects, nothing
more), print, or import SQLAlchemy before a check runs (the command line imports this module to know its errors).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

BACKENDS = ("sqlite", "postgresql")
FORMS = "sqlite:///FILE or postgresql://USER@HOST:PORT/NAME"
PROBE_TIMEOUT_S = 5  # seconds a PostgreSQL server has to answer the probe


class DatabaseUrlError(ValueError):
    """The URL is not one the service can use, or points at nothing (the message says which and how to fix it)."""


class DatabaseUnreachable(ConnectionError):
    """The database server does not answer at the URL's host and port."""


def safe_url(url: str) -> str:
    """``url`` with its password hidden, for messages (``url`` itself when it does not parse)."""
    try:
        return _parse(url).render_as_string(hide_password=True)
    except DatabaseUrlError:
        return url


def check_database(url: str, *, must_exist: bool, probe: bool = True) -> None:
    """Raise ``DatabaseUrlError`` or ``DatabaseUnreachable`` unless ``url`` can be opened as asked.

    ``must_exist``: the command only reads, so the database must be there already. ``probe``: connect to a
    PostgreSQL server to see that it answers (off for commands that never connect, e.g. printing SQL)."""
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    if backend not in BACKENDS:
        raise DatabaseUrlError(f"{safe_url(url)}: {backend} databases are not supported; use {FORMS}")
    if backend == "sqlite":
        _check_sqlite(parsed.database, must_exist=must_exist)
    elif probe:
        _probe_postgres(url)


def _parse(url: str) -> URL:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url)
    except ArgumentError:
        raise DatabaseUrlError(f"{url!r} is not a database URL; use {FORMS}") from None


def _check_sqlite(file: str | None, *, must_exist: bool) -> None:
    if file in (None, "", ":memory:"):
        if must_exist:
            raise DatabaseUrlError("an in-memory SQLite database is empty: give the URL of the service's database")
        return
    path = Path(str(file))
    if must_exist and not path.is_file():
        raise DatabaseUrlError(f"no database at {path} (and none is made: this command only reads)")
    if not path.parent.is_dir():
        raise DatabaseUrlError(f"no folder {path.parent} for the SQLite database {path.name}")


def _probe_postgres(url: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": PROBE_TIMEOUT_S})
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        raise _why_not(url, exc) from None
    finally:
        engine.dispose()


def _why_not(url: str, exc: Exception) -> Exception:
    """The probe's failure as one line: a wrong name or password is the URL's fault, anything else the server's."""
    cause = getattr(exc, "orig", None) or exc
    reason = " ".join(str(cause).split()).removeprefix("connection failed: ")
    if "does not exist" in reason or "authentication failed" in reason:
        return DatabaseUrlError(f"{safe_url(url)}: {reason}")
    return DatabaseUnreachable(f"cannot reach the database {safe_url(url)}: {reason}")
