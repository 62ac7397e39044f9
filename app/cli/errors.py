"""How a mistake on the command line ends: one line on stderr naming the thing to fix, and an exit code.

What it is for: ``EXIT_USAGE`` (2) when the command line or a configuration is wrong (an option, the plant file, a
database URL that points at nothing, a key file, a port something else holds), ``EXIT_UNREACHABLE`` (3) when a
database or an endpoint does not answer; ``Parser``, an ArgumentParser whose refusals are one line; and
``mistake``, the table that says which exceptions are such mistakes (docs/cli.md lists them, and
tests/e2e/test_cli_mistakes.py runs every row of that list).
What it must not do: catch a program error: an exception the table does not name keeps its traceback.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from app.net.endpoints import EndpointError
from app.persist.database import DatabaseUnreachable, DatabaseUrlError
from sequencer.plant import PlantConfigError

EXIT_USAGE = 2  # the command line or a configuration is wrong
EXIT_UNREACHABLE = 3  # a database or an endpoint does not answer


class CommandError(Exception):
    """A mistake a command found itself (an option against the plant file, a key file it cannot read, ...)."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that refuses in one line, naming where the help is, instead of the usage and a line."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {one_line(message)} (see {self.prog} --help)\n")


MISTAKES: tuple[tuple[type[Exception], int], ...] = (
    (PlantConfigError, EXIT_USAGE),
    (DatabaseUrlError, EXIT_USAGE),
    (EndpointError, EXIT_USAGE),
    (DatabaseUnreachable, EXIT_UNREACHABLE),
)


def mistake(exc: Exception) -> int | None:
    """The exit code ``exc`` ends the command with, or None when it is not a mistake but a program error."""
    if isinstance(exc, CommandError):
        return exc.code
    return next((code for kind, code in MISTAKES if isinstance(exc, kind)), None)


def one_line(text: object) -> str:
    """``text`` on one line: its lines (a plant file's errors, say) joined by "; "."""
    return "; ".join(" ".join(line.split()) for line in str(text).splitlines() if line.strip())
