"""``jis migrate``: bring the service database's schema up to date, show or undo revisions, rebuild the read models.

What it must not do: touch the schema itself (``app.persist.migrations`` does, through Alembic), or create a
database for an action that only reads or undoes; it picks the database (``--database``, else the plant file's),
checks it as the action needs (``NEEDS``), calls one action and turns a failure into one line (exit 1).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from app.cli.context import database_of, plant_of
from app.cli.errors import one_line
from app.cli.options import Subparsers, add_config, add_database

HELP = "update the database schema; rebuild the read models"


# What each action needs of the database: None, nothing (it never connects); else (must exist, probe the server).
NEEDS: dict[str, tuple[bool, bool] | None] = {
    "upgrade": (False, True),  # creates the schema in a new database: that is what it is for
    "upgrade --sql": (False, False),  # prints SQL for a DBA, connects to nothing
    "downgrade": (True, True),
    "current": (True, True),
    "history": None,
    "check": (True, True),
    "read-models": (True, True),
    "revision": (False, True),
}


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("migrate", help=HELP, description="Bring the service database's schema up to date.")
    add_config(p, help="plant file whose [service] database to use (default: the shipped demo plant)")
    add_database(p)
    sub = p.add_subparsers(dest="action", metavar="ACTION", help="what to do (default: upgrade)")
    up = sub.add_parser("upgrade", help="to the newest revision (the default) or to REV")
    up.add_argument("revision", nargs="?", default="head", help="the revision to reach (default: head, the newest)")
    up.add_argument("--sql", action="store_true", help="print the SQL instead of running it (for a DBA)")
    down = sub.add_parser("downgrade", help="back to REV (base: empty); the journal table goes with 0001")
    down.add_argument("revision", help="the revision to go back to (jis migrate history lists them)")
    sub.add_parser("current", help="the database's revision")
    sub.add_parser("history", help="every revision this program knows")
    sub.add_parser("check", help="exit 1 if the models and the newest revision differ (for CI)")
    sub.add_parser("read-models", help="rebuild the read models from the journal (with the service stopped)")
    rev = sub.add_parser("revision", help="developers: write a new revision file from the models")
    rev.add_argument("-m", "--message", required=True, help="what the revision does, for its file name")
    rev.add_argument("--autogenerate", action="store_true", help="compare the models with the database")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from app.persist.migrations import MigrationError

    action = args.action or "upgrade"
    needs = NEEDS["upgrade --sql" if getattr(args, "sql", False) else action]
    url = _database_url(args, needs)
    try:
        return _run(args, action, url)
    except (CommandError, MigrationError, SQLAlchemyError, OSError) as exc:
        print(f"jis migrate: {one_line(exc)}", file=sys.stderr)  # one line for the person at the console
        return 1


def _database_url(args: argparse.Namespace, needs: tuple[bool, bool] | None) -> str:
    if needs is None:
        return str(args.database or plant_of(args.config).service.database)
    must_exist, probe = needs
    return database_of(args, must_exist=must_exist, probe=probe)


def _run(args: argparse.Namespace, action: str, url: str) -> int:
    from app.persist import migrations as m
    from app.persist.database import safe_url

    if action == "read-models":
        return _rebuild_read_models(args, url)
    if action == "upgrade" and not getattr(args, "sql", False):
        before, after = m.upgrade_database(url, getattr(args, "revision", "head"))
        print(f"jis migrate: {safe_url(url)}: {before or 'empty'} -> {after}")
        return 0
    actions: dict[str, Callable[[], None]] = {
        "upgrade": lambda: m.upgrade_sql(url, args.revision),
        "downgrade": lambda: m.downgrade(url, args.revision),
        "current": lambda: m.show_current(url),
        "history": lambda: m.show_history(url),
        "check": lambda: m.check_models(url),
        "revision": lambda: m.new_revision(url, args.message, autogenerate=args.autogenerate),
    }
    actions[action]()
    return 0


def _rebuild_read_models(args: argparse.Namespace, url: str) -> int:
    from app.persist.database import safe_url
    from app.persist.migrations import rebuild_read_models

    rows, completed = rebuild_read_models(url, plant_of(args.config))
    print(f"jis migrate: {safe_url(url)}: read models rebuilt from {rows} journal rows "
          f"({completed} vehicles completed)")  # fmt: skip
    return 0
