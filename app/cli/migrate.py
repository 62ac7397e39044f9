"""``jis migrate``: bring the service database's schema up to date, show or undo revisions, rebuild the read models.

What it must not do: touch the schema itself (``app.persist.migrations`` does, through Alembic); it picks the
database (``--database``, else the plant file's), calls one action and turns a failure into one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from app.cli.options import Subparsers, add_config, add_database

HELP = "update the database schema; rebuild the read models"


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("migrate", help=HELP, description="Bring the service database's schema up to date.")
    add_config(p, help="plant file whose [service] database to use (default: demo)")
    add_database(p)
    sub = p.add_subparsers(dest="action", metavar="ACTION")
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
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from app.persist.migrations import MigrationError
    from sequencer.plant import PlantConfigError

    try:
        return _run(args, _database_url(args))
    except (CommandError, MigrationError, PlantConfigError, SQLAlchemyError, OSError) as exc:
        print(f"jis migrate: {exc}", file=sys.stderr)  # one line for the person at the console, not a traceback
        return 1


def _database_url(args: argparse.Namespace) -> str:
    if args.database:
        return str(args.database)
    from app.config import load_plant

    return load_plant(args.config).service.database


def _run(args: argparse.Namespace, url: str) -> int:
    from app.persist import migrations as m

    action = args.action or "upgrade"
    if action == "read-models":
        return _rebuild_read_models(args, url)
    if action == "upgrade" and not getattr(args, "sql", False):
        before, after = m.upgrade_database(url, getattr(args, "revision", "head"))
        print(f"jis migrate: {m.safe_url(url)}: {before or 'empty'} -> {after}")
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
    from app.config import load_plant
    from app.persist.migrations import rebuild_read_models, safe_url

    rows, completed = rebuild_read_models(url, load_plant(args.config))
    print(f"jis migrate: {safe_url(url)}: read models rebuilt from {rows} journal rows "
          f"({completed} vehicles completed)")  # fmt: skip
    return 0
