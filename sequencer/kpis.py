"""The shift lead's KPIs as pure functions of the core's state, and so of the event journal that built it.

``kpis_from_journal`` replays events into a fresh core and reads the figures at a given moment: wrong picks caught
at the bin (``sequence_error_ppm``, in ppm of confirmed picks, shown as "wrong picks caught"; parts shipped out of
sequence are not a core figure: the core fills slots in sequence by construction, and the service's label check,
app/service/sequence_check.py, counts what went onto racks out of sequence), on-time rate, picks per hour against
what takt asks for, pick accuracy, open deviations and mean time to resolve, broadcasts per hour, time since the
last broadcast, and the buffer (minutes of build ahead of the earliest due time still open).
The KPIs shared with the OEM (``SharedKpis``, ``shared_kpis``; docs/kpis.md) after the Odette/AIAG recommendation
"KPIs for Automotive Supply Chain Management" (LK03), over the racks that shipped in a period
(``sequencer.shipments``): on-time-in-full per rack, sequence accuracy in ppm of parts shipped (not of wrong picks
caught: a wrong pick caught at the bin never reaches the OEM), and ship notices acknowledged. ``kpis_of`` carries
them for the current shift of the plant's calendar (``shift_start``; between shifts, the last one).
What it must not do: change the core (it reads ``Sequencer.state``) or keep figures of its own: everything is
derived from the state, so a replayed journal gives the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sequencer.core import Sequencer
from sequencer.events import Event
from sequencer.lifecycle import VEHICLE_IN_LINE
from sequencer.plant import PlantConfig
from sequencer.shipments import Shipment
from sequencer.state import HOUR, SequencerError

SHIFT_S = 8 * HOUR  # the shared figures' period when the calendar has no shift in the day before
LOOK_BACK_S = 600.0  # between shifts, the last shift is looked for in steps of this


@dataclass(frozen=True, slots=True, kw_only=True)
class Kpis:
    at: float
    sequence_error_ppm: float
    on_time_rate: float | None
    picks_per_hour: int
    takt_picks_per_hour: float
    pick_accuracy: float | None
    open_deviations: int
    mean_time_to_resolve_s: float | None
    broadcasts_per_hour: int
    seconds_since_last_broadcast: float | None
    buffer_minutes: float | None
    vehicles_completed: int
    racks_shipped: int
    # shared with the OEM, over the racks shipped since the shift's start (``SharedKpis``)
    shift_racks_shipped: int
    otif_rate: float | None
    out_of_sequence_shipped_ppm: float
    shift_parts_shipped: int
    notices_acknowledged_rate: float | None
    notices_rejected: int
    notices_unanswered: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SharedKpis:
    """The figures an OEM and its JIS supplier review together, over the racks shipped in a period.

    A rack counts in the period it shipped in; a shipment called off (and not shipped again) does not count.
    ``otif_rate``: racks on time, in full and in sequence / racks shipped. ``sequence_ppm``: parts that left out of
    sequence or as the wrong part / parts shipped, per million. ``notices_acknowledged_rate``: notices whose newest
    version the OEM acknowledged / notices; ``notices_rejected``: whose newest version it rejected;
    ``notices_unanswered``: not answered within the plant's ``ack_timeout_s``; ``notices_pending``: the rest,
    still within it. A rate is None when there is nothing to divide by.
    """

    racks_shipped: int
    racks_on_time: int
    racks_in_full: int
    racks_in_sequence: int
    racks_otif: int
    otif_rate: float | None
    parts_shipped: int
    parts_out_of_sequence: int
    sequence_ppm: float
    notices: int
    notices_acknowledged: int
    notices_rejected: int
    notices_unanswered: int
    notices_pending: int
    notices_acknowledged_rate: float | None


def shipped_in(shipments: Iterable[Shipment], start: float, end: float) -> list[Shipment]:
    """The shipments that count in ``start`` <= shipped at < ``end``, in the order they shipped."""
    found = [s for s in shipments if start <= s.shipped_at < end and not s.called_off]
    return sorted(found, key=lambda s: (s.shipped_at, s.feed, s.family, s.rack_no))


def shared_kpis(shipments: Iterable[Shipment], start: float, end: float) -> SharedKpis:
    """The shared KPIs over the racks shipped in ``start`` <= t < ``end``."""
    racks = shipped_in(shipments, start, end)
    parts = sum(s.parts for s in racks)
    wrong = sum(s.wrong_parts for s in racks)
    otif = sum(1 for s in racks if s.otif)
    notified = [s for s in racks if s.notice_state]
    acknowledged = sum(1 for s in notified if s.notice_state == "acknowledged")
    rejected = sum(1 for s in notified if s.notice_state == "rejected")
    unanswered = sum(1 for s in notified if s.notice_unanswered)
    return SharedKpis(
        racks_shipped=len(racks),
        racks_on_time=sum(1 for s in racks if s.on_time),
        racks_in_full=sum(1 for s in racks if s.in_full),
        racks_in_sequence=sum(1 for s in racks if s.in_sequence),
        racks_otif=otif,
        otif_rate=(otif / len(racks)) if racks else None,
        parts_shipped=parts,
        parts_out_of_sequence=wrong,
        sequence_ppm=(min(wrong, parts) / parts * 1e6) if parts else 0.0,
        notices=len(notified),
        notices_acknowledged=acknowledged,
        notices_rejected=rejected,
        notices_unanswered=unanswered,
        notices_pending=len(notified) - acknowledged - rejected - unanswered,
        notices_acknowledged_rate=(acknowledged / len(notified)) if notified else None,
    )


def shift_start(core: Sequencer, at: float) -> float:
    """The start of the calendar's shift ``at`` falls in; between shifts, of the last one that ran (looked for up to a
    day back); failing that, ``SHIFT_S`` before ``at``."""
    calendar = core.state.calendar
    for step in range(int(24 * HOUR / LOOK_BACK_S) + 1):
        span = calendar.shift_at(at - step * LOOK_BACK_S)
        if span is not None:
            return span.start
    return at - SHIFT_S


def kpis_of(core: Sequencer, at: float, since: float | None = None) -> Kpis:
    """The figures at ``at``; the shared ones over the racks shipped since ``since`` (default: the start of the
    current shift, ``shift_start``)."""
    line = core.state
    start = shift_start(core, at) if since is None else since
    shared = shared_kpis(line.shipments.recent, start, float("inf"))
    wrong = line.deviations.counts["wrong_pick"]
    picks = line.picks_confirmed
    feeds = list(line.feeds.values())
    last = max((f.last_at for f in feeds if f.last_at is not None), default=None)
    open_due = [
        f.vehicles[p].due_at for f in feeds for p in f.position_of.values() if f.vehicles[p].status in VEHICLE_IN_LINE
    ]
    completed = line.vehicles_completed
    return Kpis(
        at=at,
        sequence_error_ppm=(wrong / picks * 1e6) if picks else 0.0,
        on_time_rate=(line.vehicles_on_time / completed) if completed else None,
        picks_per_hour=sum(1 for t in line.pick_times if t > at - HOUR),
        takt_picks_per_hour=sum(HOUR / f.cfg.takt_s for f in feeds) * len(line.families),
        pick_accuracy=(picks / (picks + wrong)) if picks + wrong else None,
        open_deviations=len(line.deviations.by_id),
        mean_time_to_resolve_s=(line.deviations.resolve_seconds / line.deviations.resolved)
        if line.deviations.resolved
        else None,
        broadcasts_per_hour=sum(1 for f in feeds for t in f.recent if t > at - HOUR),
        seconds_since_last_broadcast=(at - last) if last is not None else None,
        buffer_minutes=((min(open_due) - at) / 60) if open_due else None,
        vehicles_completed=completed,
        racks_shipped=line.racks_shipped,
        shift_racks_shipped=shared.racks_shipped,
        otif_rate=shared.otif_rate,
        out_of_sequence_shipped_ppm=shared.sequence_ppm,
        shift_parts_shipped=shared.parts_shipped,
        notices_acknowledged_rate=shared.notices_acknowledged_rate,
        notices_rejected=shared.notices_rejected,
        notices_unanswered=shared.notices_unanswered,
    )


def kpis_from_journal(plant: PlantConfig, events: Iterable[Event], at: float, since: float | None = None) -> Kpis:
    core = Sequencer(plant)
    for event in events:
        try:
            core.handle(event)
        except SequencerError:
            continue  # refused when it happened too
    return kpis_of(core, at, since)
