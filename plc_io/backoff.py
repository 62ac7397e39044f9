"""Reconnect delays for every device driver: double after each failed attempt up to a ceiling, reset on success."""

from __future__ import annotations


class Backoff:
    def __init__(self, first: float = 0.05, ceiling: float = 2.0) -> None:
        self._first, self._ceiling, self._next = first, ceiling, first

    def reset(self) -> None:
        self._next = self._first

    def next(self) -> float:
        """The delay before the next attempt; the one after it is twice as long, up to the ceiling."""
        delay, self._next = self._next, min(self._next * 2, self._ceiling)
        return delay
