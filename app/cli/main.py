"""The ``jis`` command line: one argparse tree of every command, the global options, and the dispatch.

What it is for: ``jis --help`` lists every command with one line saying what it does; ``--log-level`` and
``--log-json`` work before any command; each command's module (``COMMANDS``) adds its own sub-command and runs it.
A mistake (``app.cli.errors``: an option, the plant file, a database, a key file, a port) ends in one line on
stderr and exit 2, or 3 for a database or endpoint that does not answer (docs/cli.md).
What it must not do: know any command's options or logic (they live in the command's module), import a
command's heavy dependencies before that command runs, or hide a program error's traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import Protocol

from app.cli import (
    bench,
    certs,
    chaos,
    demo,
    feed_keys,
    fuzz,
    hmi,
    import_,
    migrate,
    parse,
    replay,
    report,
    serve,
    sim,
    users,
)
from app.cli.errors import Parser, mistake, one_line
from app.cli.options import Subparsers, add_log_level
from app.logjson import configure

DEFAULT_LOG_LEVEL = "WARNING"


class Command(Protocol):
    """What a command's module has (a module satisfies a Protocol by its functions)."""

    def add_parser(self, subparsers: Subparsers) -> argparse.ArgumentParser: ...

    def run(self, args: argparse.Namespace) -> int: ...


# In the order ``jis --help`` lists them: running a line, then its data, then set-up, then the proof tooling.
COMMANDS: tuple[Command, ...] = (
    serve,
    demo,
    hmi,
    sim,
    report,
    replay,
    migrate,
    import_,
    parse,
    users,
    certs,
    feed_keys,
    chaos,
    bench,
    fuzz,
)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="jis", description="JIS sequencing centre: service, demo, HMI, simulators.")
    add_log_level(parser, " (default WARNING)", default=None)
    parser.add_argument("--log-json", action="store_true", help="structured logs: one JSON object a line")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    args.log_level = args.log_level or DEFAULT_LOG_LEVEL  # jis demo configures its own log file with it
    configure(args.log_level, args.log_json)
    try:
        return int(args.run(args))
    except Exception as exc:
        code = mistake(exc)
        if code is None:
            raise
        print(f"jis {args.command}: {one_line(exc)}", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
