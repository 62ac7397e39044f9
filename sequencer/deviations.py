"""Deviations: what a person must see, as ISA-18.2 alarms with a priority table (1 = most urgent).

``KINDS`` is the table: each kind's priority and whether it is a *condition* (active until the cause goes:
a gap until the resend arrives, a device until it is back) or an *occurrence* (a change, a cancel: it
returns to normal at once and waits for acknowledgement). ``count_only`` kinds are counted for the KPIs and never
listed (an identical resend needs no one). Closed deviations leave the book; their counts and time-to-resolve
stay for the KPIs. A condition that a source reports (a device's link, a printer's faults) has a ``timing``: its
on-delay, off-delay and chattering limits (ISA-18.2 / IEC 62682), applied by ``sequencer.alarm_points``, and a
``fleeting`` count-only kind for the activations shorter than its on-delay. The core's own conditions (a gap,
silence, a pick time-out, lateness, a wrong pick) have none: their rules already wait for what they mean (the
resend, ``silence_takts``, ``pick_timeout_s``, the due-time margins) or need a person at once.

Bounded: a deviation whose condition has gone and that no one acknowledged (returned unacknowledged) stays
listed, as ISA-18.2 asks, but at most ``RETURNED_UNACK_LIMIT`` of them: past that the oldest returned one is
closed unacknowledged (``unacked_closed`` counts them; it is not "resolved"). A line that runs late for hours,
with no one acknowledging, raises thousands (a warning, an alarm and a late per rack); the book must not grow
with every rack, and no one reads the thousand-and-first returned alarm. Active alarms are never dropped.

What it must not do: decide when a deviation is raised or cleared (the rules in ``sequencer.rules`` do), or move
an alarm's state other than through ``sequencer.alarms``' table (``resolve`` and the limit close it outright).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sequencer.alarms import AlarmAction, AlarmState, IllegalAlarmTransition, next_state
from sequencer.commands import AlarmStateChanged, ClearDeviation, Command, RaiseDeviation
from sequencer.sentences import Sentence, Value
from sequencer.touched import Touched


@dataclass(frozen=True, slots=True)
class Timing:
    """How a condition its source reports becomes an alarm (plant seconds; the plant file's ``[alarms.KIND]`` may
    change each): annunciated once it has lasted ``on_delay_s``, returned to normal once it has been gone
    ``off_delay_s``, and flagged chattering when it comes ``chatter_count`` times within ``chatter_window_s``
    (0: never)."""

    on_delay_s: float = 0.0
    off_delay_s: float = 0.0
    chatter_count: int = 0
    chatter_window_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Kind:
    priority: int
    condition: bool = False
    count_only: bool = False
    timing: Timing | None = None  # a condition its source reports: delays and chattering (sequencer.alarm_points)
    fleeting: str = ""  # the count-only kind an activation shorter than the on-delay is counted as


# Defaults from practice for equipment status (a few seconds; chattering as alarm-management practice measures it,
# EEMUA 191 and ISA-TR18.2.5: 3 or more activations within a minute). A link reported down is a missed poll or a
# refused connect: a real outage lasts the driver's back-off and more (plc_io.link: 0.05 s doubling to 2-5 s), a
# blip of flaky switch gear well under a second. 3 s on keeps the blips off the list and still shows an outage
# within 3-4 s (the next tick, docs/observability.md); 5 s off merges the bounces of one reconnect into one alarm.
# A printer's fault flags (paper out, head open) come from its status poll: 2 s on lets a head opened for a
# moment go by, 2 s off rides out one good status read in the middle of a fault.
DEVICE_LINK = Timing(on_delay_s=3.0, off_delay_s=5.0, chatter_count=3, chatter_window_s=60.0)
PRINTER_FLAGS = Timing(on_delay_s=2.0, off_delay_s=2.0, chatter_count=3, chatter_window_s=60.0)

KINDS: dict[str, Kind] = {
    "gap": Kind(1, condition=True),
    "wrong_pick": Kind(1, condition=True),  # blocks the slot until corrected
    "device_offline": Kind(1, condition=True, timing=DEVICE_LINK, fleeting="link_blip"),
    "printer_fault": Kind(1, condition=True, timing=PRINTER_FLAGS, fleeting="printer_fault_blip"),
    "label_uncertain": Kind(1, condition=True),  # maybe printed: a person checks, then reprints or resolves
    "late": Kind(1, condition=True),
    "change_after_ship": Kind(1),
    "journal_failed": Kind(1, condition=True),  # nothing can be saved: the line pauses (nothing acknowledged)
    "notice_rejected": Kind(1, condition=True),  # the OEM refused a ship notice: until a later version is accepted
    "notice_unanswered": Kind(2, condition=True),  # no answer within [ship_notices] ack_timeout_s
    "silence": Kind(2, condition=True),
    "disk_space_critical": Kind(2, condition=True),  # the database's folder is nearly full: the journal will stop
    "pick_timeout": Kind(2, condition=True),
    "starvation": Kind(2, condition=True),  # a station's forecast runs out within its starvation_alarm_s
    "unresolved": Kind(2, condition=True),  # blocks the vehicle's slot until resolved
    "late_alarm": Kind(2, condition=True),
    "line_too_fast": Kind(2, condition=True),  # the OEM's line runs faster than picking keeps up with
    "resequenced": Kind(2),
    "unknown_feed": Kind(2),
    "malformed": Kind(2),
    "unauthorised": Kind(2),  # a broadcast from a gateway not allowed to publish its feed: quarantined
    "implausible": Kind(2),  # a number far outside the window around the feed's position: refused
    "quarantine_flood": Kind(2, condition=True),  # one source's refused input, counted on one alarm (sequencer.floods)
    "change": Kind(2),
    "cancel": Kind(2),
    "late_broadcast": Kind(2),
    "return_to_stock": Kind(2),
    "serial_repeated": Kind(2),  # a serial scanned for a second part: a duplicate read or a relabelled part
    "scan_unreadable": Kind(3),  # a read that is no part code at all (NOREAD, garbled): scan again
    "scan_needed": Kind(3),  # a light pressed for a family that is confirmed by its scan
    "hold": Kind(3, condition=True),
    "disk_space_low": Kind(3, condition=True),  # the database's folder is filling: plan to make room
    "chattering": Kind(3, condition=True),  # a device's condition keeps coming and going: its link or it needs a look
    "late_warning": Kind(3, condition=True),
    "low_stock": Kind(3, condition=True),  # a bin at or below its low_stock: replenishment called, until refilled
    "oem_line_stopped": Kind(3, condition=True),  # the OEM's line stands: due times move, nothing is late meanwhile
    "unknown_option": Kind(3),
    "stale_confirm": Kind(3),
    "reprint": Kind(3),
    "manual_confirm": Kind(3),
    "duplicate": Kind(3, count_only=True),
    "forecast_superseded": Kind(3, count_only=True),
    "link_blip": Kind(3, count_only=True),  # a device offline for less than its on-delay: counted, never listed
    "printer_fault_blip": Kind(3, count_only=True),  # a printer's fault gone within its on-delay
}


@dataclass(slots=True)
class Deviation:
    """One open deviation (``Sequencer.fingerprint`` hashes its ``repr``: fields keep their names and order)."""

    deviation_id: int
    kind: str
    priority: int
    at: float
    message: str
    feed: str = ""
    seq: int | None = None
    vehicle_id: str = ""
    station: str = ""
    state: AlarmState = AlarmState.UNACK
    active: bool = True
    shelved_until: float = 0.0
    note: str = ""
    template: str = ""  # the message's template (sequencer.sentences.TEMPLATES), "" for a plain sentence
    params: tuple[tuple[str, Value], ...] = ()  # the template's values


RETURNED_UNACK_LIMIT = 1_000  # returned-unacknowledged deviations listed at most; the oldest are closed past it
LIMIT_USER = "alarm limit"  # who closed a returned alarm at the limit (AlarmStateChanged.user)


class DeviationError(ValueError):
    """A person asked for something the alarm's state does not allow."""


class DeviationBook:
    """The open deviations. Every one raised, moved or closed is noted in ``touched`` (the screens' entries)."""

    def __init__(self, touched: Touched | None = None) -> None:
        self.touched = touched if touched is not None else Touched()
        self.by_id: dict[int, Deviation] = {}
        self.counts: Counter[str] = Counter()
        self.resolved = 0
        self.resolve_seconds = 0.0
        self.shelved: set[int] = set()
        self.returned: dict[int, None] = {}  # returned-unacknowledged ids, oldest first (RETURNED_UNACK_LIMIT)
        self.unacked_closed = 0  # returned-unacknowledged deviations closed at the limit, never acknowledged
        self._next_id = 1

    @property
    def newest_id(self) -> int:
        """The id of the deviation raised last."""
        return self._next_id - 1

    def raise_(
        self,
        kind: str,
        at: float,
        message: str | Sentence,
        *,
        feed: str = "",
        seq: int | None = None,
        vehicle_id: str = "",
        station: str = "",
    ) -> list[Command]:
        spec = KINDS[kind]
        self.counts[kind] += 1
        if spec.count_only:
            return []
        sentence = message if isinstance(message, Sentence) else Sentence("")
        text = message.text if isinstance(message, Sentence) else message
        state = AlarmState.UNACK if spec.condition else AlarmState.RTN_UNACK
        dev = Deviation(
            deviation_id=self._next_id,
            kind=kind,
            priority=spec.priority,
            at=at,
            message=text,
            feed=feed,
            seq=seq,
            vehicle_id=vehicle_id,
            station=station,
            state=state,
            active=spec.condition,
            template=sentence.template,
            params=sentence.params,
        )
        self._next_id += 1
        self.by_id[dev.deviation_id] = dev
        self.touched.deviation(dev.deviation_id)
        raised: list[Command] = [
            RaiseDeviation(
                deviation_id=dev.deviation_id,
                kind=kind,
                priority=dev.priority,
                message=text,
                template=sentence.template,
                params=sentence.params,
            )
        ]
        return raised + self._track_returned(dev, at)

    def clear(self, deviation_id: int, at: float) -> list[Command]:
        """The condition went away (the resend arrived, the device is back)."""
        dev = self.by_id.get(deviation_id)
        if dev is None or not dev.active:
            return []
        dev.active = False
        return self._move(dev, AlarmAction.CLEAR, at)

    def reactivate(self, deviation_id: int, at: float) -> list[Command]:
        """The condition of an open alarm that had returned came again (its source reported it once more): the
        same alarm is active again; returned unacknowledged it blinks again, parked it stays parked."""
        dev = self.by_id[deviation_id]
        dev.active = True
        return self._move(dev, AlarmAction.ACTIVATE, at)

    def check(self, deviation_id: int, action: AlarmAction) -> Deviation:
        """The deviation, if ``action`` is allowed on it now; DeviationError otherwise (nothing changes)."""
        dev = self.by_id.get(deviation_id)
        if dev is None:
            raise DeviationError(f"deviation {deviation_id} is not open")
        try:
            next_state(dev.state, action, active=dev.active)
        except IllegalAlarmTransition as exc:
            raise DeviationError(f"deviation {deviation_id}: {exc}") from exc
        return dev

    def act(
        self, deviation_id: int, action: AlarmAction, at: float, user: str = "", until: float = 0.0
    ) -> list[Command]:
        dev = self.check(deviation_id, action)
        if action is AlarmAction.SHELVE:
            dev.shelved_until = until
        elif dev.state is AlarmState.SHELVED:  # parked otherwise now: the shelving's expiry no longer applies
            dev.shelved_until = 0.0
        return self._move(dev, action, at, user)

    def resolve(self, deviation_id: int, at: float, user: str, note: str) -> list[Command]:
        """A person fixed the cause: the condition is gone and acknowledged in one step."""
        dev = self.by_id.get(deviation_id)
        if dev is None:
            raise DeviationError(f"deviation {deviation_id} is not open")
        dev.active = False
        dev.note = note
        dev.state = AlarmState.NORMAL
        return self._close(dev, at, user)

    def expire_shelving(self, at: float) -> list[Command]:
        if not self.shelved:
            return []
        due = [self.by_id[i] for i in sorted(self.shelved) if self.by_id[i].shelved_until <= at]
        commands: list[Command] = []
        for dev in due:
            commands += self._move(dev, AlarmAction.UNSHELVE, at, "shelving expired")
        return commands

    def _move(self, dev: Deviation, action: AlarmAction, at: float, user: str = "") -> list[Command]:
        dev.state = next_state(dev.state, action, active=dev.active)
        self.touched.deviation(dev.deviation_id)
        if dev.state is AlarmState.SHELVED:
            self.shelved.add(dev.deviation_id)
        else:
            self.shelved.discard(dev.deviation_id)
        if dev.state is AlarmState.NORMAL:
            return self._close(dev, at, user)
        changed: list[Command] = [AlarmStateChanged(deviation_id=dev.deviation_id, state=dev.state.value, user=user)]
        return changed + self._track_returned(dev, at)

    def _track_returned(self, dev: Deviation, at: float) -> list[Command]:
        """Keep ``returned`` in step with ``dev``'s state; past the limit the oldest returned ones are closed."""
        if dev.state is not AlarmState.RTN_UNACK:
            self.returned.pop(dev.deviation_id, None)
            return []
        self.returned[dev.deviation_id] = None
        commands: list[Command] = []
        while len(self.returned) > RETURNED_UNACK_LIMIT:
            oldest = self.by_id[next(iter(self.returned))]
            oldest.state = AlarmState.NORMAL
            self.unacked_closed += 1
            commands += self._close(oldest, at, LIMIT_USER, resolved=False)
        return commands

    def _close(self, dev: Deviation, at: float, user: str, *, resolved: bool = True) -> list[Command]:
        del self.by_id[dev.deviation_id]
        self.touched.deviation(dev.deviation_id)
        self.shelved.discard(dev.deviation_id)
        self.returned.pop(dev.deviation_id, None)
        if resolved:
            self.resolved += 1
            self.resolve_seconds += max(0.0, at - dev.at)
        return [
            AlarmStateChanged(deviation_id=dev.deviation_id, state=AlarmState.NORMAL.value, user=user),
            ClearDeviation(deviation_id=dev.deviation_id, kind=dev.kind),
        ]

    def open_deviations(self) -> list[Deviation]:
        return list(self.by_id.values())

    def find(self, kind: str, *, feed: str = "", seq: int | None = None, station: str = "") -> Deviation | None:
        for dev in self.by_id.values():
            if (dev.kind, dev.feed, dev.seq, dev.station) == (kind, feed, seq, station):
                return dev
        return None
