"""The ``jis`` command line: one argparse tree of every command, the global options, and the dispatch.

What it is for: ``jis --help`` lists every command with one line saying what it does; ``--log-level`` and
``--log-json`` work before any command; each command's module (``commands``) adds its own sub-command and runs it.
A mistake (``app.cli.errors``: an option, the plant file, a database, a key file, a port) ends in one line on
stderr and exit 2, or 3 for a database or endpoint that does not answer (docs/cli.md). Ctrl-C or SIGTERM ends a
command cleanly whenever it comes (``app.signals``): what runs unwinds, no traceback, exit 130 or 143, unless the
command stops in its own way (serve, demo, chaos, hmi, sim).
What it must not do: know any command's options or logic (they live in the command's module), import anything but
the standard library before it has taken over SIGINT and SIGTERM (a Ctrl-C while the commands load ends quietly
too), or hide a program error's traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from app.cli.options import Subparsers

DEFAULT_LOG_LEVEL = "WARNING"


class Command(Protocol):
    """What a command's module has (a module satisfies a Protocol by its functions)."""

    def add_parser(self, subparsers: Subparsers) -> argparse.ArgumentParser: ...

    def run(self, args: argparse.Namespace) -> int: ...


def commands() -> tuple[Command, ...]:
    """Every command's module, in the order ``jis --help`` lists them: running a line, then its data, then set-up,
    then the proof tooling. Imported only now (``main`` has taken over Ctrl-C by then: ``app.cli.stopping``)."""
    from app.cli import (
        bench,
        certs,
        chaos,
        config,
        demo,
        feed_keys,
        fuzz,
        hmi,
        import_,
        migrate,
        parse,
        rehearse,
        replay,
        report,
        serve,
        sim,
        users,
    )

    return (
        serve, demo, hmi, sim, report, replay, migrate, import_, parse, config, users, certs, feed_keys, chaos, bench,
        fuzz, rehearse,
    )  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    from app.cli.errors import Parser
    from app.cli.options import add_log_level

    parser = Parser(prog="jis", description="JIS sequencing centre: service, demo, HMI, simulators.")
    add_log_level(parser, " (default WARNING)", default=None)
    parser.add_argument("--log-json", action="store_true", help="structured logs: one JSON object a line")
    parser.add_argument(
        "--log-file",
        metavar="PATH",
        default=None,
        help="write the log to PATH, rotated at 10 MB with 5 older files kept (default: stderr)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")
    for command in commands():
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from app.signals import accept_stops, end_with_parent, exit_code, terminate_raises

    try:
        with terminate_raises():
            end_with_parent()  # started by jis demo or jis chaos: never outlive it, even if it is killed outright
            accept_stops()  # a parent that started this one may have blocked them (app.signals.spawning)
            return _run(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM (``Stopped``): everything unwound on the way here
        return exit_code(interrupt)
    except BrokenPipeError:  # the reader went away (jis config schema | head): nothing more to say to anyone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush finds no pipe either
        return 1


def _run(argv: list[str]) -> int:
    from app.cli.errors import mistake, one_line
    from app.logjson import configure

    args = build_parser().parse_args(argv)
    args.log_level = args.log_level or DEFAULT_LOG_LEVEL  # jis demo configures its own log file with it
    configure(args.log_level, args.log_json, filename=args.log_file)
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
