"""Traceability from the journal: which serial or batch went into which vehicle, at which slot (``jis trace``).

What it is for: a recall asks "which vehicles got batch X", a claim "what went into VIN Y". The answer is the
journal's: every scan is journaled as it came (``PartScanned``, with the reader's raw bytes), and the core, given
the journal again from its first row, says again what each scan proved (``PartTraced``: the part, its serial and
batch, against the vehicle, feed, sequence number, rack and slot), exactly as it did live (the core is
deterministic). A pick scanned twice (a second label) keeps its last scan. Picks forgotten after shipping are in
the answer too: the journal keeps them.

Cost: one replay of the whole journal (the replay tool's pace: tens of thousands of events a second).
What it must not do: write to the journal or the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from app.persist.store import Store
from app.service.replay import Rebuilt
from sequencer.commands import PartTraced
from sequencer.plant import PlantConfig


@dataclass(frozen=True, slots=True)
class Trace:
    """One part traced to one vehicle; ``journal_id``: the journal row of its scan."""

    journal_id: int
    at: float
    vehicle_id: str
    feed: str
    seq: int
    family: str
    part: str
    serial: str
    batch: str
    rack_no: int
    slot: int
    station: str
    code: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def traces(store: Store, plant: PlantConfig) -> list[Trace]:
    """Every part traced, in journal order (one per pick: its last scan)."""
    state = Rebuilt.fresh(plant)
    by_pick: dict[int, Trace] = {}
    for journal_id, event in store.journal():
        for cmd in state.apply(journal_id, event):
            if isinstance(cmd, PartTraced):
                by_pick.pop(cmd.pick_id, None)  # a later scan of the same pick replaces it, in its place in time
                by_pick[cmd.pick_id] = _trace(journal_id, cmd)
    return list(by_pick.values())


def _trace(journal_id: int, cmd: PartTraced) -> Trace:
    return Trace(
        journal_id=journal_id,
        at=cmd.at,
        vehicle_id=cmd.vehicle_id,
        feed=cmd.feed,
        seq=cmd.seq,
        family=cmd.family,
        part=cmd.part,
        serial=cmd.serial,
        batch=cmd.batch,
        rack_no=cmd.rack_no,
        slot=cmd.slot,
        station=cmd.station,
        code=cmd.code,
    )


def matching(
    found: Iterable[Trace], *, vin: str | None = None, serial: str | None = None, batch: str | None = None
) -> list[Trace]:
    """The traces of a vehicle, of a serial, or of a batch (every one given must match; exact, case as scanned)."""
    return [
        t
        for t in found
        if (vin is None or t.vehicle_id == vin)
        and (serial is None or t.serial == serial)
        and (batch is None or t.batch == batch)
    ]
