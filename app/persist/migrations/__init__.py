"""The service database's schema history (Alembic): ``upgrade(engine)`` for ``Store`` and ``jis migrate``.

Revisions live in ``versions/`` and are shipped with the package; ``env.py`` binds them to ``app.persist.store``'s
models. ``upgrade`` runs in one transaction, serialised on PostgreSQL by a transaction-scoped advisory lock so
two processes opening a fresh database cannot both create it. A database from before migrations (journal and
quarantine tables, no ``alembic_version``) is stamped as the baseline. A database at a revision this program
does not know was written by a newer program and is refused: reading it could misread the journal.

Must not: create tables outside a revision, or touch tables other modules own on the same database.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from sequencer.plant import PlantConfigError

SCRIPT_DIR = Path(__file__).resolve().parent
BASELINE = "0001"
MIGRATION_LOCK = 0x4A49_5300_0000_0001  # pg_advisory_xact_lock key: "JIS", migrations


class MigrationError(RuntimeError):
    """The database's schema cannot be brought to this program's revision."""


def alembic_config(
    connection: Connection | None = None, url: str | None = None, stdout: TextIO | None = None
) -> Config:
    """Alembic's configuration without an ini file: the packaged scripts, and a connection or a URL."""
    cfg = Config(stdout=stdout or sys.stdout)
    cfg.set_main_option("script_location", str(SCRIPT_DIR))
    cfg.set_main_option("path_separator", "os")
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser interpolation
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision this program knows."""
    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Bring the database to ``revision`` in one transaction; returns (revision before, revision after)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        cfg = alembic_config(conn)
        script = ScriptDirectory.from_config(cfg)
        before = current_revision(conn)
        if before is None and inspect(conn).has_table("journal"):
            command.stamp(cfg, BASELINE)  # written by the service before it had migrations: that is the baseline
            before = BASELINE
        _check_known(script, before)
        target = script.get_current_head() if revision == "head" else revision
        if before != target:
            command.upgrade(cfg, revision)
        return before, str(current_revision(conn))


def _check_known(script: ScriptDirectory, revision: str | None) -> None:
    if revision is None:
        return
    try:
        script.get_revision(revision)
    except CommandError as exc:
        raise MigrationError(
            f"the database is at schema revision {revision!r}, which this program does not know "
            f"(newest known: {script.get_current_head()}): it was written by a newer version"
        ) from exc


# -- jis migrate ----------------------------------------------------------------------------------------------
def _arguments() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jis migrate", description="Bring the service database's schema up to date.")
    p.add_argument("--config", default=None, help="plant file whose [service] database to use (default: demo)")
    p.add_argument("--database", default=None, help="SQLAlchemy URL; overrides the plant file")
    sub = p.add_subparsers(dest="action")
    up = sub.add_parser("upgrade", help="to the newest revision (the default) or to REV")
    up.add_argument("revision", nargs="?", default="head")
    up.add_argument("--sql", action="store_true", help="print the SQL instead of running it (for a DBA)")
    down = sub.add_parser("downgrade", help="back to REV (base: empty); the journal table goes with 0001")
    down.add_argument("revision")
    sub.add_parser("current", help="the database's revision")
    sub.add_parser("history", help="every revision this program knows")
    sub.add_parser("check", help="exit 1 if the models and the newest revision differ (for CI)")
    sub.add_parser("read-models", help="rebuild the read models from the journal (with the service stopped)")
    rev = sub.add_parser("revision", help="developers: write a new revision file from the models")
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--autogenerate", action="store_true")
    return p


def _database_url(args: argparse.Namespace) -> str:
    if args.database:
        return str(args.database)
    from app.config import load_plant

    return load_plant(args.config).service.database


def main_migrate(argv: Sequence[str] | None = None) -> int:
    """``jis migrate [--config PLANT | --database URL] [upgrade [REV] [--sql] | downgrade REV | current | ...
    | read-models]``."""
    args = _arguments().parse_args(argv)
    try:
        return _run(args, _database_url(args))
    except (CommandError, MigrationError, PlantConfigError, SQLAlchemyError, OSError) as exc:
        print(f"jis migrate: {exc}", file=sys.stderr)  # one line for the person at the console, not a traceback
        return 1


def _run(args: argparse.Namespace, url: str) -> int:
    action = args.action or "upgrade"
    cfg = alembic_config(url=url)
    if action == "read-models":
        return _rebuild_read_models(args, url)
    if action == "upgrade" and not getattr(args, "sql", False):
        from app.persist.store import make_engine

        engine = make_engine(url)
        try:
            before, after = upgrade(engine, getattr(args, "revision", "head"))
        finally:
            engine.dispose()
        print(f"jis migrate: {_safe(url)}: {before or 'empty'} -> {after}")
        return 0
    simple: dict[str, Callable[[], object]] = {
        "upgrade": lambda: command.upgrade(cfg, args.revision, sql=True),
        "downgrade": lambda: command.downgrade(cfg, args.revision),
        "current": lambda: command.current(cfg),
        "history": lambda: command.history(cfg, verbose=False),
        "check": lambda: command.check(cfg),
        "revision": lambda: command.revision(cfg, message=args.message, autogenerate=args.autogenerate),
    }
    simple[action]()
    return 0


def _rebuild_read_models(args: argparse.Namespace, url: str) -> int:
    """``jis migrate read-models``: vehicle_status and kpi_hourly again from the journal (``read_models``)."""
    from app.config import load_plant
    from app.persist.read_models import rebuild
    from app.persist.store import Store

    plant = load_plant(args.config)
    store = Store(url)
    try:
        core = rebuild(store, plant)
        print(f"jis migrate: {_safe(url)}: read models rebuilt from {store.last_id()} journal rows "
              f"({core.state.vehicles_completed} vehicles completed)")  # fmt: skip
    finally:
        store.close()
    return 0


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
