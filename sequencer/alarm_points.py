"""Alarm points: a condition that a source reports (a device's link, a printer's faults) becomes an alarm here, after
the on-delay and off-delay of its kind, and a point whose condition keeps coming and going is flagged chattering
(ISA-18.2 / IEC 62682 alarm on-delay and off-delay against chattering and fleeting alarms).

A point is one kind of condition at one source (``device_offline`` of ``ptl-seat``). The device rules report the
condition (``present``, ``gone``); the alarm follows it with the kind's ``Timing`` (``sequencer.deviations.KINDS``,
each value overridable per kind by the plant file's ``[alarms.KIND]``: ``alarm_timings``):

- **on-delay**: the alarm is annunciated only once the condition has lasted ``on_delay_s``. One that goes sooner is
  a fleeting activation: counted under the kind's count-only ``fleeting`` kind (``link_blip``: metrics and the
  read models count it, the journal holds the reports it came from) and never listed, never notified;
- **off-delay**: the alarm returns to normal only once the condition has been gone ``off_delay_s``; if it comes back
  meanwhile, the same alarm simply carries on (no second activation, nothing blinks again);
- **one alarm per point**: the point's next activation lands on its alarm while the book still holds it open
  (returned unacknowledged, shelved, suppressed or out of service: ``AlarmAction.ACTIVATE``), not on a new one, so
  a source that a person suppressed or took out of service stays quiet however often it goes and comes;
- **chattering**: ``chatter_count`` activations within ``chatter_window_s`` (fleeting ones too: the delays hide each
  blip, the flaky link is still there) raise one ``chattering`` deviation for the point; it clears once the point
  has been quiet for a whole window. A point whose alarm a person parked (shelved, suppressed, out of service) is
  not flagged: someone already decided about it.

Time is only the events': a delay runs out on the first ``Tick`` (``advance``) or report of the same point whose
``at`` is past it, so a replay of the journal gives the same alarms at the same events in any process. The service
ticks every second, so an alarm shows within its on-delay plus a second.
What it must not do: decide what a condition is or when its source is faulty (the device rules do), or move an
alarm's state other than through the book (``sequencer.deviations``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace

from sequencer.alarms import PARKED
from sequencer.commands import Command
from sequencer.deviations import KINDS, Deviation, DeviationBook, Timing
from sequencer.plant import PlantConfig
from sequencer.sentences import Sentence, say

PointKey = tuple[str, str]  # (kind, source)


def alarm_timings(plant: PlantConfig) -> dict[str, Timing]:
    """Each reported kind's timing: the table's, with what the plant file's ``[alarms.KIND]`` sets over it."""
    timings: dict[str, Timing] = {}
    for kind, spec in KINDS.items():
        if spec.timing is None:
            continue
        override = plant.alarms.get(kind)
        timings[kind] = replace(spec.timing, **override.model_dump(exclude_none=True)) if override else spec.timing
    return timings


@dataclass(slots=True)
class Point:
    """One kind of condition at one source, as its reports left it (``Sequencer.fingerprint`` hashes its ``repr``)."""

    kind: str
    source: str
    present: bool = False
    since: float = 0.0  # when the condition last came (present) or went
    message: str | Sentence = ""  # the report it came with: the alarm's message when it is annunciated
    shown: bool = False  # this activation is annunciated (past its on-delay, or its alarm was still active)
    deviation_id: int | None = None  # its alarm, while the book holds it open
    activations: deque[float] = field(default_factory=deque)  # when it came, within the chattering window
    chatter_id: int | None = None  # its open ``chattering`` deviation


class AlarmPoints:
    """The points of the line's sources, over the deviation book they raise their alarms in."""

    def __init__(self, book: DeviationBook, timings: dict[str, Timing]) -> None:
        self.book = book
        self.timings = timings
        self.points: dict[PointKey, Point] = {}

    # -- what the device rules report ---------------------------------------------------------------------------
    def present(self, kind: str, source: str, at: float, message: str | Sentence) -> list[Command]:
        """The source reports the condition (again): its alarm once the on-delay has run out."""
        point = self.points.get((kind, source))
        if point is None:
            point = self.points[(kind, source)] = Point(kind=kind, source=source)
        commands = self._settle(point, at)
        if point.present:
            return commands  # the same condition reported again: nothing new
        point.present, point.since, point.message = True, at, message
        point.shown = self._alarm_active(point)  # back within its off-delay: the same alarm carries on
        commands += self._note_activation(point, at)
        return commands + self._settle(point, at)  # with no on-delay, annunciated at once

    def gone(self, kind: str, source: str, at: float) -> list[Command]:
        """The source reports the condition gone: its alarm returns once the off-delay has run out."""
        point = self.points.get((kind, source))
        if point is None:
            return []
        commands = self._settle(point, at)
        if not point.present:
            return commands
        point.present, point.since, lasted = False, at, at - point.since
        if not point.shown:  # gone within its on-delay: counted, never annunciated
            on_delay = self.timings[kind].on_delay_s
            message = f"{source}: {kind} for {lasted:.3f} s, under its on-delay of {on_delay:g} s"
            return commands + self.book.raise_(KINDS[kind].fleeting, at, message, station=source)
        return commands + self._settle(point, at)  # with no off-delay, returned at once

    def advance(self, at: float) -> list[Command]:
        """Time passes (a ``Tick``): the delays that have run out; points with nothing left to watch are forgotten."""
        commands: list[Command] = []
        for key, point in list(self.points.items()):
            commands += self._settle(point, at)
            if not point.present and point.deviation_id is None and point.chatter_id is None and not point.activations:
                del self.points[key]
        return commands

    # -- what the service asks ----------------------------------------------------------------------------------
    def alarmed(self, kind: str) -> dict[str, int]:
        """Sources whose ``kind`` alarm is annunciated and active now -> its deviation id."""
        return {
            p.source: p.deviation_id
            for p in self.points.values()
            if p.kind == kind and p.deviation_id is not None and self._alarm_active(p)
        }

    # -- the delays ---------------------------------------------------------------------------------------------
    def _settle(self, point: Point, at: float) -> list[Command]:
        """What the point's delays and chattering window call for by ``at``."""
        timing = self.timings[point.kind]
        self._forget_closed(point)
        commands: list[Command] = []
        if point.present and not point.shown and at - point.since >= timing.on_delay_s:
            commands += self._annunciate(point, at)
        elif not point.present and self._alarm_active(point) and at - point.since >= timing.off_delay_s:
            assert point.deviation_id is not None
            commands += self.book.clear(point.deviation_id, at)
            self._forget_closed(point)
        return commands + self._chatter_over(point, timing, at)

    def _annunciate(self, point: Point, at: float) -> list[Command]:
        point.shown = True
        if point.deviation_id is not None:  # still open (returned, or parked by a person): the same alarm again
            return self.book.reactivate(point.deviation_id, at)
        raised = self.book.raise_(point.kind, at, point.message, station=point.source)
        point.deviation_id = self.book.newest_id
        return raised

    def _alarm(self, point: Point) -> Deviation | None:
        return self.book.by_id.get(point.deviation_id) if point.deviation_id is not None else None

    def _alarm_active(self, point: Point) -> bool:
        alarm = self._alarm(point)
        return alarm is not None and alarm.active

    def _forget_closed(self, point: Point) -> None:
        """Alarms a person resolved or acknowledged away, or the book closed at its limit, are no longer the
        point's (the next activation raises a new one)."""
        if point.deviation_id is not None and point.deviation_id not in self.book.by_id:
            point.deviation_id = None
        if point.chatter_id is not None and point.chatter_id not in self.book.by_id:
            point.chatter_id = None

    # -- chattering ---------------------------------------------------------------------------------------------
    def _note_activation(self, point: Point, at: float) -> list[Command]:
        timing = self.timings[point.kind]
        if timing.chatter_count <= 0:
            return []
        point.activations.append(at)
        _drop_older(point.activations, at - timing.chatter_window_s)
        alarm = self._alarm(point)
        if len(point.activations) < timing.chatter_count or (alarm is not None and alarm.state in PARKED):
            return []
        chatter = self._chatter(point)
        if chatter is not None:  # flagged already: still active, or it had calmed down and chatters again
            return [] if chatter.active else self.book.reactivate(chatter.deviation_id, at)
        message = say(
            "chattering",
            source=point.source,
            kind=point.kind,
            count=len(point.activations),
            window=timing.chatter_window_s,
            on=timing.on_delay_s,
            off=timing.off_delay_s,
        )
        raised = self.book.raise_("chattering", at, message, station=point.source)
        point.chatter_id = self.book.newest_id
        return raised

    def _chatter_over(self, point: Point, timing: Timing, at: float) -> list[Command]:
        """A window without an activation: the chattering deviation clears (and waits for acknowledgement)."""
        _drop_older(point.activations, at - timing.chatter_window_s)
        chatter = self._chatter(point)
        if chatter is None or not chatter.active or point.activations:
            return []
        commands = self.book.clear(chatter.deviation_id, at)
        self._forget_closed(point)
        return commands

    def _chatter(self, point: Point) -> Deviation | None:
        return self.book.by_id.get(point.chatter_id) if point.chatter_id is not None else None


def _drop_older(times: deque[float], than: float) -> None:
    """Times at or before ``than`` leave (those left are within the window ending now)."""
    while times and times[0] <= than:
        times.popleft()
