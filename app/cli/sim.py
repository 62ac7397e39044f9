"""``jis sim``: the simulators (``python -m hardware_sims``), in a process of their own.

What it must not do: import ``hardware_sims`` (production code never does: an import-linter contract), so it
replaces this process with ``python -m hardware_sims`` and passes its arguments through untouched; the simulators'
own parser answers ``jis sim --help``. The global ``--log-level`` and ``--log-json`` go with them.
"""

from __future__ import annotations

import argparse
import os
import sys

from app.cli.options import Subparsers
from app.signals import spawning

HELP = "run the simulated plant or one device (jis sim --help)"


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    # No option of its own: with a prefix character no argument uses, every argument (even --help) is passed on.
    p = subparsers.add_parser("sim", help=HELP, add_help=False, prefix_chars="\0")
    p.add_argument("passthrough", nargs=argparse.REMAINDER, help="the simulators' own arguments (jis sim --help)")
    p.set_defaults(run=run)
    return p


def command(args: argparse.Namespace) -> list[str]:
    """The simulators' command line: the global log options first, then the arguments as given."""
    logs = ["--log-level", args.log_level] if args.log_level else []
    logs += ["--log-json"] if args.log_json else []
    return [sys.executable, "-m", "hardware_sims", *logs, *args.passthrough]


def run(args: argparse.Namespace) -> int:
    cmd = command(args)
    sys.stdout.flush()
    # SIGINT and SIGTERM blocked across the exec until the simulators can take them (app.signals.spawning)
    with spawning():
        os.execv(cmd[0], cmd)
    return 0  # not reached
