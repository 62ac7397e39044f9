"""Traceability: which serial or batch went into which vehicle, at which slot (``jis trace``, ``TraceParts``).

What it is for: a recall asks "which vehicles got batch X", a claim "what went into VIN Y". Every scan is
journaled as it came (``PartScanned``, with the reader's raw bytes), and the core says what each scan proved
(``PartTraced``: the part, its serial and batch, against the vehicle, feed, sequence number, rack and slot). A pick
scanned twice (a second label) keeps its last scan. Picks forgotten after shipping are in the answer too.

Two ways to the same answer:

| way | reads | costs |
|---|---|---|
| ``traced`` (CLI, service) | ``traced_parts`` by index, and what it lacks yet (below) | the rows found, the tail |
| ``traces`` (the reference) | the whole journal, replayed into a fresh core | the whole journal, every time |

What ``traced_parts`` (``app.persist.read_models``) lacks yet: in the service, the rows observed and not yet
written (``ReadModels.unwritten_traces``); in the CLI, the journal rows after the read models' mark (a running or
killed service), replayed from the newest snapshot at or before the mark. The core is deterministic: the replay
proves what it proved live.
``traced`` falls back to ``traces`` where the read model cannot answer: a database not yet at revision 0005 or
whose read models were not rebuilt since (no mark). Rows of one pick: the one from the later journal row wins.
What it must not do: write to the journal or the database.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine, inspect, select

from app.persist.read_models import TRACE_FIELDS, mark, trace_row
from app.persist.store import Store, TracedPartRow
from app.service.replay import Rebuilt, rebuild
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
    """Every part traced, in journal order (one per pick: its last scan): the whole journal replayed."""
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


Row = dict[str, Any]  # a traced_parts row: pick_id and TRACE_FIELDS


def traced(
    store: Store,
    plant: PlantConfig,
    *,
    vin: str | None = None,
    serial: str | None = None,
    batch: str | None = None,
    unwritten: dict[int, Row] | None = None,
) -> list[Trace]:
    """The traces of a vehicle, serial or batch from ``traced_parts``, in journal order. ``unwritten``: the rows
    the service observed and has not committed yet (``ReadModels.unwritten_traces``); without it (the CLI) the
    journal rows after the read models' mark are replayed from the newest snapshot at or before it."""
    marked = mark(store) if _has_traced_parts(store.engine) else None
    if marked is None:
        return matching(traces(store, plant), vin=vin, serial=serial, batch=batch)
    newer = unwritten if unwritten is not None else _after(store, plant, marked[0])
    found = {row["pick_id"]: row for row in _stored(store, vin=vin, serial=serial, batch=batch)}
    for pick, row in newer.items():
        if pick not in found or row["journal_id"] >= found[pick]["journal_id"]:
            found[pick] = row  # the pick's later scan (it may no longer match: filtered below)
    rows = sorted(found.values(), key=lambda r: r["journal_id"])
    return matching((Trace(**{f: r[f] for f in TRACE_FIELDS}) for r in rows), vin=vin, serial=serial, batch=batch)


# engines whose ``traced_parts`` table was found: a table that is there stays (nothing drops it under a running
# service), so each is asked once, not on every question; a missing one may come with ``jis migrate`` (then the
# replay answers until it does), so that answer is not kept
_WITH_TRACED_PARTS: weakref.WeakSet[Engine] = weakref.WeakSet()


def _has_traced_parts(engine: Engine) -> bool:
    if engine not in _WITH_TRACED_PARTS:
        if not inspect(engine).has_table(TracedPartRow.__tablename__):
            return False
        _WITH_TRACED_PARTS.add(engine)
    return True


def _stored(store: Store, *, vin: str | None, serial: str | None, batch: str | None) -> list[Row]:
    """The rows of ``traced_parts`` that match (by its indexes)."""
    t = TracedPartRow
    query = select(t.pick_id, *(getattr(t, f) for f in TRACE_FIELDS))
    for column, value in ((t.vehicle_id, vin), (t.serial, serial), (t.batch, batch)):
        if value is not None:
            query = query.where(column == value)
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def _after(store: Store, plant: PlantConfig, journal_id: int) -> dict[int, Row]:
    """The rows the journal after row ``journal_id`` adds to ``traced_parts`` (a service running or killed:
    the read models trail the journal); nothing to replay when the mark is the journal's last row."""
    if journal_id >= store.last_id():
        return {}
    state = rebuild(store, plant, upto_id=journal_id)
    rows: dict[int, Row] = {}
    for row_id, event in store.journal(state.last_id):
        for cmd in state.apply(row_id, event):
            if isinstance(cmd, PartTraced):
                rows[cmd.pick_id] = trace_row(row_id, cmd)
    return rows


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
