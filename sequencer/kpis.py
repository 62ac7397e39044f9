"""The shift lead's KPIs as pure functions of the core's state, and so of the event journal that built it.

``kpis_from_journal`` replays events into a fresh core and reads the figures at a given moment: wrong picks caught
at the bin (``sequence_error_ppm``, in ppm of confirmed picks, shown as "wrong picks caught"; parts shipped out of
sequence are not a core figure: the core fills slots in sequence by construction, and the service's label check,
app/service/sequence_check.py, counts what went onto racks out of sequence), on-time rate, picks per hour against
what takt asks for, pick accuracy, open deviations and mean time to resolve, broadcasts per hour, time since the
last broadcast, and the buffer (minutes of build ahead of the earliest due time still open).
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
from sequencer.state import HOUR, SequencerError


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


def kpis_of(core: Sequencer, at: float) -> Kpis:
    line = core.state
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
    )


def kpis_from_journal(plant: PlantConfig, events: Iterable[Event], at: float) -> Kpis:
    core = Sequencer(plant)
    for event in events:
        try:
            core.handle(event)
        except SequencerError:
            continue  # refused when it happened too
    return kpis_of(core, at)
