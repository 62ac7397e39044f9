"""Options more than one command takes, spelled and explained once, and the type of argparse's sub-command table.

What it must not do: import the logic modules (``jis --help`` stays quick), or read the plant file: it only
declares options.
"""

from __future__ import annotations

import argparse
from typing import Any, TypeAlias

# What add_subparsers() returns (argparse's own, private name); a string, as annotations need nothing at run time.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
PLANT_HELP = "plant file (default: the shipped demo plant)"
DATABASE_HELP = "SQLAlchemy URL, overrides the plant file's [service] database"


def add_config(parser: argparse.ArgumentParser, help: str = PLANT_HELP) -> None:
    """``--config PLANT``: the plant file."""
    parser.add_argument("--config", default=None, metavar="PLANT", help=help)


def add_database(parser: argparse.ArgumentParser, help: str = DATABASE_HELP) -> None:
    """``--database URL``: the service database, instead of the plant file's."""
    parser.add_argument("--database", default=None, metavar="URL", help=help)


def add_json(parser: argparse.ArgumentParser, help: str = "print one JSON object and nothing else") -> None:
    """``--json``: machine output."""
    parser.add_argument("--json", action="store_true", help=help)


def given(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The options among ``names`` the person gave (not None), for a logic module's options whose defaults rule."""
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}
