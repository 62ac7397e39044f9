"""How far a long command has come, on stderr: a line redrawn on a terminal, one line per phase elsewhere.

What it is for: ``jis demo --headless``, ``chaos``, ``bench``, ``fuzz`` and ``import`` of a big file run for minutes.
On a terminal (stderr is a TTY) ``Progress`` keeps one line up to date, redrawn with ``\\r`` at most
``REDRAW_HZ`` times a second: the phase, what is done and what is left, the rate's estimate of the time left,
and a detail of the command's choosing. When stderr is a file or a pipe (a log, CI) it writes one line per phase
and nothing in between; with ``--json`` (``quiet``) nothing at all, so the machine output stays alone.
What it must not do: write to stdout (the commands' results and JSON go there), or redraw faster than a person
reads (a redraw costs the terminal, and a campaign's loop is busy).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

REDRAW_HZ = 4.0


class Progress:
    """One command's progress: ``phase`` starts a part of the work, ``update`` says how far it is, ``done`` ends."""

    def __init__(
        self,
        command: str,
        *,
        quiet: bool = False,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.command = command
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.tty = not quiet and _is_tty(self.stream)
        self.clock = clock
        self._phase = ""
        self._total: float | None = None
        self._unit = ""
        self._started = 0.0
        self._drawn_at = float("-inf")
        self._width = 0  # of the line on screen, to blank what a shorter one leaves

    def phase(self, name: str, total: float | None = None, unit: str = "") -> None:
        """A new part of the work (``total``: how much of it there is, in ``unit``s); one line where not a TTY."""
        self._end_line()
        self._phase, self._total, self._unit = name, total, unit
        self._started = self.clock()
        self._drawn_at = float("-inf")
        if self.tty:
            self._draw(f"{self.command}: {name}")
        elif not self.quiet:
            size = f": {total:g} {unit}".rstrip() if total is not None else ""
            print(f"{self.command}: {name}{size}", file=self.stream, flush=True)

    def update(self, done: float, detail: str = "", *, force: bool = False) -> None:
        """How much of the phase is done (and a detail); redrawn on a terminal, at most ``REDRAW_HZ`` a second."""
        if not self.tty:
            return
        now = self.clock()
        if not force and now - self._drawn_at < 1 / REDRAW_HZ:
            return
        self._drawn_at = now
        parts = [f"{self.command}: {self._phase}", self._count(done), self._left(done, now), detail]
        self._draw("  ".join(p for p in parts if p))

    def done(self, summary: str = "") -> None:
        """The end: the line on screen is kept (a newline); ``summary`` said once, TTY or not (never when quiet)."""
        self._end_line()
        if summary and not self.quiet:
            print(f"{self.command}: {summary}", file=self.stream, flush=True)

    # -- drawing ----------------------------------------------------------------------------------------------
    def _count(self, done: float) -> str:
        unit = f" {self._unit}" if self._unit else ""
        if self._total is None:
            return f"{done:g}{unit}"
        share = f" ({100 * done / self._total:.0f}%)" if self._total else ""
        return f"{done:g}/{self._total:g}{unit}{share}, {max(0.0, self._total - done):g} left"

    def _left(self, done: float, now: float) -> str:
        """The time left at the rate so far (nothing until there is a rate)."""
        elapsed = now - self._started
        if self._total is None or done <= 0 or elapsed <= 0:
            return ""
        seconds = (self._total - done) * elapsed / done
        return f"~{_duration(seconds)} left" if seconds > 0 else ""

    def _draw(self, text: str) -> None:
        pad = " " * max(0, self._width - len(text))
        self.stream.write(f"\r{text}{pad}")
        self.stream.flush()
        self._width = len(text)

    def _end_line(self) -> None:
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream is no terminal
        return False
