"""Flood suppression (ISA-18.2 / EEMUA 191 alarm floods): one source sending refused input over and over raises ONE
``quarantine_flood`` alarm with a count, not one alarm per frame.

``FLOODS`` is the table: for each kind of refused input (a deviation kind the intake's refusals raise), how many
from one source within ``window_s`` make a flood. The first ``count - 1`` raise their own deviations as before; the
``count``-th raises the source's flood alarm (a condition, priority from ``sequencer.deviations.KINDS``), and every
later one of the table's kinds from that source is counted on it (its message says how many, since when) instead
of raising anything. The service's summaries of what it counted and did not store (``QuarantineFlood``: a source
past the quarantine's row and byte limits) are counted on it too, and start it if it was not flooding yet. The
flood ends once the source has been quiet for a whole window (on a ``Tick``): the alarm returns and waits for its
acknowledgement; if the source floods again while it is still open, the same alarm is active again.

A source is what the service names (``BroadcastRejected.source``: the sending gateway's key, else the feed link).
Time is only the events': replaying the journal floods at the same events.
What it must not do: decide what is refused (the intake and the feed rules do), or move an alarm's state other than
through the book (``sequencer.deviations``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from sequencer.commands import Command
from sequencer.deviations import DeviationBook
from sequencer.sentences import Sentence, say


@dataclass(frozen=True, slots=True)
class Flood:
    """``count`` refusals of a kind from one source within ``window_s`` (plant seconds) make a flood."""

    count: int
    window_s: float


FLOOD_KIND = "quarantine_flood"
# Refused input from one sender: five within a minute is no longer a person's mistake or a gateway's one bad
# message but a loop or an attack (EEMUA 191: more than 10 alarms in 10 minutes is a flood for one operator).
FLOODS: dict[str, Flood] = {
    "malformed": Flood(count=5, window_s=60.0),
    "unknown_feed": Flood(count=5, window_s=60.0),
    "unauthorised": Flood(count=5, window_s=60.0),
}
WINDOW_S = max(f.window_s for f in FLOODS.values())  # a flood ends after this long without a refusal


@dataclass(slots=True)
class Flooding:
    """One source's recent refusals and its flood (``Sequencer.fingerprint`` hashes its ``repr``)."""

    recent: deque[float] = field(default_factory=deque)  # refusals within the window, not yet a flood
    flooding: bool = False
    deviation_id: int | None = None  # its flood alarm, while the book holds it open
    counted: int = 0  # refused during the current (or last) flood
    since: float = 0.0
    last: float = 0.0


class Floods:
    """The sources' floods, over the deviation book they raise their alarm in."""

    def __init__(self, book: DeviationBook) -> None:
        self.book = book
        self.sources: dict[str, Flooding] = {}

    def refused(
        self, kind: str, source: str, at: float, *, count: int = 1, force: bool = False
    ) -> tuple[bool, list[Command]]:
        """A refusal of ``kind`` from ``source`` (``count`` of them; ``force``: the service's summary, a flood
        whatever the window says). (counted on a flood alarm, the commands); not counted: raise its own."""
        rule = FLOODS.get(kind)
        if rule is None or not source:
            return False, []
        src = self.sources.setdefault(source, Flooding())
        self._forget_closed(src)
        if src.flooding:
            src.counted += count
            src.last = at
            self._tell(src, source)
            return True, []
        while src.recent and src.recent[0] <= at - rule.window_s:
            src.recent.popleft()
        src.recent.extend([at] * min(count, rule.count))
        if len(src.recent) < rule.count and not force:
            return False, []
        src.flooding, src.since, src.last, src.counted = True, at, at, len(src.recent) if not force else count
        src.recent.clear()
        if src.deviation_id is not None:  # the last flood's alarm is still open (returned, or parked)
            self._tell(src, source)
            return True, self.book.reactivate(src.deviation_id, at)
        commands = self.book.raise_(FLOOD_KIND, at, _message(src, source), station=source)
        src.deviation_id = self.book.newest_id
        return True, commands

    def advance(self, at: float) -> list[Command]:
        """Time passes (a ``Tick``): floods quiet for a window end; sources with nothing left are forgotten."""
        commands: list[Command] = []
        for source, src in list(self.sources.items()):
            self._forget_closed(src)
            if src.flooding and at - src.last >= WINDOW_S:
                src.flooding = False
                if src.deviation_id is not None:
                    commands += self.book.clear(src.deviation_id, at)
                    self._forget_closed(src)
            while src.recent and src.recent[0] <= at - WINDOW_S:
                src.recent.popleft()
            if not src.flooding and src.deviation_id is None and not src.recent:
                del self.sources[source]
        return commands

    def _tell(self, src: Flooding, source: str) -> None:
        """The flood alarm's message carries the count (the screens show it; no new alarm)."""
        dev = self.book.by_id.get(src.deviation_id) if src.deviation_id is not None else None
        if dev is not None:
            sentence = _message(src, source)
            dev.message, dev.template, dev.params = sentence.text, sentence.template, sentence.params
            self.book.touched.deviation(dev.deviation_id)

    def _forget_closed(self, src: Flooding) -> None:
        if src.deviation_id is not None and src.deviation_id not in self.book.by_id:
            src.deviation_id = None


def _message(src: Flooding, source: str) -> Sentence:
    return say("quarantine_flood", source=source, count=src.counted)
