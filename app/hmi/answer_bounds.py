"""How many answers the command channel sends one source a window for requests nobody signed that it could not read:
past a budget, silence, counted.

What it is for: a garbage flood on the command channel (no login needed) was answered ``malformed`` frame by frame,
and in a py-spy profile of the hostile campaign the ZeroMQ send of that answer was 80 % of the channel's garbage
handling, on the event loop the broadcasts share. The rule is a table (``ANSWERS``), one row per result: a source
(the screen's CURVE key, else its address: never the routing id, which a sender picks) gets ``ANSWERS[result]``
answers of that result a ``WINDOW_S``; past them its requests are still checked and audited (``app.hmi.audit_bounds``)
but not answered, only counted, and when the window is over one log line says how many (``due``). A well-behaved
screen never meets it: it sends requests it can read, and a request with a live session's token (``signed``) is
always answered, however malformed.
What it must not do: read a clock (times are given), store anything, or bound an answer a screen needs to go on
(``bad_token``, ``no_login``, a login's, an intent's). Memory: at most ``SOURCES`` windows; the sources past that
share one (``OTHERS``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Final

ANSWERS: Final[dict[str, int]] = {
    # requests that could not be read, with no live session: a screen's bug or a flood, never a screen's routine
    "malformed": 60,
}
WINDOW_S: Final = 60.0  # real seconds
SOURCES: Final = 1024
OTHERS: Final = "others"


@dataclass(slots=True)
class _Window:
    start: float
    answered: Counter[str] = field(default_factory=Counter)  # result -> answers sent
    unanswered: Counter[str] = field(default_factory=Counter)  # result -> requests not answered
    last: float = 0.0


@dataclass(frozen=True, slots=True)
class Unanswered:
    """One source's requests not answered in one window, by result."""

    source: str
    by_result: dict[str, int]
    since: float
    until: float

    @property
    def count(self) -> int:
        return sum(self.by_result.values())

    @property
    def detail(self) -> str:
        results = ", ".join(f"{result} {n} past {ANSWERS[result]}" for result, n in sorted(self.by_result.items()))
        return f"source {self.source}: {self.count} requests not answered in a {WINDOW_S:.0f} s window ({results})"


class AnswerBudget:
    """Answers per source, result and window (``ANSWERS``); what is past them is counted, not answered."""

    def __init__(self) -> None:
        self._windows: dict[str, _Window] = {}
        self.unanswered: Counter[str] = Counter()  # requests not answered in all, by result (the metrics)

    def answer(self, source: str, result: str, now: float, *, signed: bool = False) -> bool:
        """True: send the answer. False: counted for the source's log line at the window's end. ``signed``: the
        request carried a live session's token (always answered)."""
        budget = ANSWERS.get(result)
        if budget is None or signed:
            return True
        if source not in self._windows and len(self._windows) >= SOURCES:
            source = OTHERS
        window = self._windows.get(source)
        if window is None or (now - window.start >= WINDOW_S and not window.unanswered):
            window = self._windows[source] = _Window(start=now)  # a new window (nothing to sum up first)
        if window.answered[result] < budget and now - window.start < WINDOW_S:
            window.answered[result] += 1
            return True
        window.unanswered[result] += 1
        window.last = now
        self.unanswered[result] += 1
        return False

    def due(self, now: float, *, everything: bool = False) -> list[Unanswered]:
        """The sources whose window is over (``everything``: every one, at a stop) and that had requests not
        answered: one ``Unanswered`` each; those sources start afresh."""
        out: list[Unanswered] = []
        for source, w in list(self._windows.items()):
            if not everything and now - w.start < WINDOW_S:
                continue
            del self._windows[source]
            if w.unanswered:
                out.append(Unanswered(source, dict(w.unanswered), w.start, w.last))
        return out
