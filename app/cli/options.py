"""Options more than one command takes, spelled and explained once; the value types that check ranges, endpoints
and names as argparse reads them (so a mistake is refused with exit 2 before anything runs); and the type of
argparse's sub-command table.

What it must not do: import a heavy logic module (``jis --help`` stays quick), or read the plant file: it only
declares options.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from app.net.endpoints import EndpointError, check_zmq_endpoint

if TYPE_CHECKING:
    from app.cli.errors import Parser

# What add_subparsers() returns (argparse's own, private name); a string, as annotations need nothing at run time.
Subparsers: TypeAlias = "argparse._SubParsersAction[Parser]"
Number = TypeVar("Number", int, float)

PLANT_HELP = "plant file (default: the shipped demo plant)"
DATABASE_HELP = "SQLAlchemy URL (sqlite:///FILE or postgresql://USER@HOST/NAME); default: the plant file's"
JSON_HELP = "print one JSON object and nothing else"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def add_config(parser: argparse.ArgumentParser, help: str = PLANT_HELP) -> None:
    """``--config PLANT``: the plant file."""
    parser.add_argument("--config", default=None, metavar="PLANT", help=help)


def add_database(parser: argparse.ArgumentParser, help: str = DATABASE_HELP) -> None:
    """``--database URL``: the service database, instead of the plant file's."""
    parser.add_argument("--database", default=None, metavar="URL", help=help)


def add_json(parser: argparse.ArgumentParser, help: str = JSON_HELP) -> None:
    """``--json``: machine output."""
    parser.add_argument("--json", action="store_true", help=help)


def add_log_level(parser: argparse.ArgumentParser, help: str = "", **kwargs: Any) -> None:
    """``--log-level LEVEL``: one of ``LOG_LEVELS``, in any case."""
    text = f"{', '.join(LOG_LEVELS)}{help}"
    parser.add_argument("--log-level", type=str.upper, choices=LOG_LEVELS, metavar="LEVEL", help=text, **kwargs)


def given(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The options among ``names`` the person gave (not None), for a logic module's options whose defaults rule."""
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


# -- value types: argparse calls them, and their refusal is the one line it prints ------------------------------
def at_least(kind: Callable[[str], Number], minimum: Number) -> Callable[[str], Number]:
    """A number of ``kind`` not below ``minimum``."""

    def read(text: str) -> Number:
        value = _number(kind, text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum:g} or more, not {text}")
        return value

    read.__name__ = kind.__name__
    return read


def more_than(kind: Callable[[str], Number], minimum: Number) -> Callable[[str], Number]:
    """A number of ``kind`` above ``minimum`` (a speed, a time-out)."""

    def read(text: str) -> Number:
        value = _number(kind, text)
        if not value > minimum:
            raise argparse.ArgumentTypeError(f"must be more than {minimum:g}, not {text}")
        return value

    read.__name__ = kind.__name__
    return read


def between(low: float, high: float) -> Callable[[str], float]:
    """A number from ``low`` to ``high``, both included (a share)."""

    def read(text: str) -> float:
        value = _number(float, text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:g} to {high:g}, not {text}")
        return value

    read.__name__ = "float"
    return read


def _number(kind: Callable[[str], Number], text: str) -> Number:
    try:
        return kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"must be {what}, not {text!r}") from None


def zmq_endpoint(text: str) -> str:
    """A ZeroMQ endpoint, ``tcp://HOST:PORT``."""
    try:
        return check_zmq_endpoint(text)
    except EndpointError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def names_from(known: Sequence[str], what: str, *, extra: Sequence[str] = ()) -> Callable[[str], str]:
    """A comma list of names from ``known`` (or one of ``extra``, alone); an unknown name is refused with the list."""

    def read(text: str) -> str:
        if text in extra:
            return text
        unknown = [name for name in text.split(",") if name.strip() not in known]
        if unknown or not text.strip():
            listed = ", ".join([*extra, *known])
            raise argparse.ArgumentTypeError(
                f"unknown {what} {', '.join(map(repr, unknown or [text]))}; the {what}s: {listed}"
            )
        return text

    read.__name__ = what
    return read


def moment(text: str) -> str:
    """A moment as a person writes it: epoch seconds or an ISO 8601 time (read in the plant's zone later)."""
    from app.plant_time import parse_moment

    try:
        parse_moment(text, "UTC")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def day(text: str) -> str:
    """A day, YYYY-MM-DD."""
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"must be a day, YYYY-MM-DD, not {text!r} ({exc})") from None
    return text
