"""How many answers a channel sends one source a window for input it could not read: past a budget, silence,
counted. Shared by the HMI command channel (``app.hmi.commands``) and the OEM feed link (``app.feed.link``).

What it is for: a garbage flood was answered frame by frame, and in py-spy profiles of the hostile campaign the
ZeroMQ send of those answers was 80 % of the command channel's garbage handling, and 6 % of the loop's busy samples
on the feed (ACKs to frames that could not be decoded), on the event loop the broadcasts share. The rule is a table
(``ANSWERS``), one row per result: a source (a CURVE key, else an address or, on the feed, a routing id) gets
``ANSWERS[result]`` answers of that result a ``WINDOW_S``; past them its input is still checked and kept within its
own bounds (``app.hmi.audit_bounds``, ``app.service.quarantine_bounds``) but not answered, only counted, and when
the window is over one log line says how many (``due``). A well-behaved peer never meets it: it sends what can be
read; a request with a live session's token (``signed``) and a broadcast with a feed and a number are always
answered.
What it must not do: read a clock (times are given), store anything, or bound an answer a peer needs to go on
(``bad_token``, ``no_login``, a login's, an intent's; a broadcast's ACK). Memory: at most ``SOURCES`` windows; the
sources past that share one (``OTHERS``); the windows are ``app.net.source_windows``'s.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Final

from app.net.source_windows import OTHERS as OTHERS  # the source of the sources past the table
from app.net.source_windows import SOURCES, SourceWindows

ANSWERS: Final[dict[str, int]] = {
    # requests that could not be read, with no live session: a screen's bug or a flood, never a screen's routine
    "malformed": 60,
    # feed frames with no feed and number to acknowledge (not a broadcast, too large, too deep): a flood, never a
    # gateway's routine; the gateway cannot match such an ACK to anything it keeps
    "undecodable": 60,
}
COMMAND_RESULTS: Final = ("malformed",)  # the command channel's rows (its metric's labels)
FEED_RESULTS: Final = ("undecodable",)  # the feed link's rows
WINDOW_S: Final = 60.0  # real seconds


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
        return f"source {self.source}: {self.count} messages not answered in a {WINDOW_S:.0f} s window ({results})"


class AnswerBudget:
    """Answers per source, result and window (``ANSWERS``); what is past them is counted, not answered."""

    def __init__(self) -> None:
        self._windows = SourceWindows(WINDOW_S, SOURCES)  # a source's answers of each result, one window
        self.unanswered: Counter[str] = Counter()  # requests not answered in all, by result (the metrics)

    def answer(self, source: str, result: str, now: float, *, signed: bool = False) -> bool:
        """True: send the answer. False: counted for the source's log line at the window's end. ``signed``: the
        request carried a live session's token (always answered)."""
        budget = ANSWERS.get(result)
        if budget is None or signed or self._windows.admit(source, now, result, {result: budget}):
            return True
        self.unanswered[result] += 1
        return False

    def due(self, now: float, *, everything: bool = False) -> list[Unanswered]:
        """The sources whose window is over (``everything``: every one, at a stop) and that had requests not
        answered: one ``Unanswered`` each; those sources start afresh."""
        return [
            Unanswered(w.source, dict(w.counted), w.start, w.last)
            for w in self._windows.due(now, everything=everything)
        ]
