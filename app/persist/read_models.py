"""Read models: tables the screens, reports and the MES side query without replaying the journal.

| table | a row per | written |
|---|---|---|
| ``vehicle_status`` | vehicle at its place in a feed (position: seq unwrapped) | when an event changed it; kept |
| ``kpi_hourly`` | hour of plant time: what happened in it (``COUNTS``) | each event's change of the counters |
| ``traced_parts`` | pick scanned: its last scan (``TRACE_FIELDS``, ``jis trace``) | each ``PartTraced``; kept |
| ``read_model_mark`` | (one row) the journal row they describe the state after, the counters then | every batch |

A ``vehicle_status`` row: seq, vehicle id, status (open, held, cancelled, completed), received and due time,
completed at, and its live picks as ``[family, part, rack_no, slot, pick status]``. A ``traced_parts`` row: what
the core made of the pick's last scan (``PartTraced``: vehicle, feed, seq, family, part, serial, batch, rack,
slot, station, the code as read) and the journal row of that scan, indexed by vehicle, serial and batch.

How they are kept: ``ReadModels.observe`` runs right after the core handled each event (the service's sequencing
task, and the same call in ``rebuild``), so a live run and a rebuild see the same rows. It looks only at what
the event and its commands name (``touched``), so it costs a few dict look-ups per event, not a scan. The rows
wait in memory and go to the database in the same transaction as a later batch of journal rows
(``Store.append_many(..., read_models=)``): no commit of their own. They ride along at most once a second
(``due``), since a commit that carries them costs about twice the writer thread's CPU of one that does not (four
times while their statements were built for every write: ``_upserts``), and a broadcast's own commit is on the way
to its bin lighting; so the tables are at most about two seconds behind the core. A clean stop writes what is left;
a start after a SIGKILL catches up by replaying the journal rows after the mark through the same ``observe``
(``resume``). Derivable: ``rebuild`` replays the journal into a fresh core
(``jis migrate read-models``); ``differences`` compares the tables with such a replay without writing.

Exact across any stop: every write carries the mark it extends (``Pending.base``) and goes in only if the
stored mark is still that one, in the same transaction as its rows and the new mark. So rows are never added
twice (a stop that hits while a batch commits once counted the last vehicle twice: the same rows were written
with the batch and again on the way out), the tables always describe exactly the state after their mark, and a
start replays from there: per event, into the event's own hour, as a rebuild does.

Must not: change the core, write the journal, or be read by the core (it is a projection, never an input).
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import Insert

from app.persist.store import KpiHourlyRow, ReadModelMarkRow, Store, TracedPartRow, VehicleStatusRow
from sequencer.commands import (
    Command,
    LightBin,
    PartTraced,
    PrintLabel,
    RaiseDeviation,
    ReturnToStock,
    VehicleCompleted,
)
from sequencer.core import Sequencer, SequencerError
from sequencer.events import (
    Event,
    LineStatusReported,
    MoveVehicle,
    RackLabelScanned,
    RackShipped,
    SetLineStatus,
    ShipRackByHand,
    SwapVehicles,
)
from sequencer.labels import PartLabel
from sequencer.plant import PlantConfig
from sequencer.seqnum import unwrap
from sequencer.state import Feed, Vehicle

HOUR = 3600
MARK_ID = 1
COUNTS = (  # kpi_hourly's columns, in the order of ``counters``
    "broadcasts",
    "vehicles_completed",
    "vehicles_on_time",
    "picks_confirmed",
    "wrong_picks",
    "labels_printed",
    "racks_completed",
    "racks_shipped",
    "deviations_raised",
)
VEHICLE_FIELDS = ("seq", "vehicle_id", "status", "received_at", "due_at", "completed_at", "picks")
TRACE_FIELDS = (  # traced_parts' columns besides pick_id: a ``PartTraced`` and the journal row of its scan
    "journal_id",
    "at",
    "vehicle_id",
    "feed",
    "seq",
    "family",
    "part",
    "serial",
    "batch",
    "rack_no",
    "slot",
    "station",
    "code",
)

WRITE_EVERY_S = 1.0  # real seconds between journal batches that carry read-model rows (``due``)
WRITE_AT_ROWS = 2000  # ... or sooner, once this many vehicle rows wait (bounds memory and one write's size)

Key = tuple[str, int]  # (feed, position)
Mark = tuple[int, tuple[int, ...]]  # (journal row, the core's counters after it): what the tables describe
CoreAt = Callable[[int], Sequencer]  # the core after a journal row (the service's: newest snapshot before it + tail)
NAMING = (LightBin, ReturnToStock, VehicleCompleted)  # commands that carry the feed and seq of their vehicle


log = logging.getLogger(__name__)


class MarkMoved(RuntimeError):
    """The stored mark is neither the one these rows extend nor the one they lead to: another writer (a rebuild
    run beside the service) changed the tables. Nothing is written; the next start catches up from the mark."""


def counters(core: Sequencer) -> tuple[int, ...]:
    """The core's running totals behind ``kpi_hourly`` (same order as ``COUNTS``)."""
    dev = core.state.deviations.counts
    return (
        sum(f.broadcasts for f in core.state.feeds.values()),
        core.state.vehicles_completed,
        core.state.vehicles_on_time,
        core.state.picks_confirmed,
        dev["wrong_pick"],
        core.state.labels_printed,
        core.state.racks_completed,
        core.state.racks_shipped,
        sum(dev.values()),
    )


def vehicle_fields(core: Sequencer, v: Vehicle) -> tuple[Any, ...]:
    """A vehicle as ``vehicle_status`` shows it (``VEHICLE_FIELDS``); live picks only (a change cancels some)."""
    picks = [core.state.picks.get(p) for p in v.picks]
    rows = [[p.family, p.part, p.rack_no, p.slot, p.status] for p in picks if p is not None and p.status != "cancelled"]
    completed = v.completed_at if v.status == "completed" else None
    return (v.seq, v.vehicle_id, v.status, v.at, v.due_at, completed, rows)


def live_vehicles(core: Sequencer) -> dict[Key, tuple[Any, ...]]:
    """Every vehicle the core still holds, as ``vehicle_status`` should show it (tests, catch-up)."""
    return {
        (f.cfg.id, pos): vehicle_fields(core, v) for f in core.state.feeds.values() for pos, v in f.vehicles.items()
    }


def _position(feed: Feed, seq: int) -> int | None:
    if feed.last_seq is None:
        return None
    return unwrap(feed.last_seq, feed.last_position, seq % feed.cfg.modulus, feed.cfg.modulus)


def touched(core: Sequencer, event: Event, commands: Iterable[Command]) -> tuple[set[Key], set[str]]:
    """Vehicles the event may have changed: those it or its commands name; and feeds to look at whole (a move
    or a swap re-places vehicles). Anything else an event does (lights, racks, alarms) is no vehicle's row."""
    named: list[tuple[str, int]] = []
    whole: set[str] = set()
    if isinstance(event, MoveVehicle | SwapVehicles | LineStatusReported | SetLineStatus):
        whole.add(event.feed)  # re-placed vehicles; or the OEM line's restart moved the feed's due times
    elif isinstance(seq := getattr(event, "seq", None), int) and isinstance(feed := getattr(event, "feed", None), str):
        named.append((feed, seq))
    label_id = getattr(event, "label_id", None)
    if isinstance(label_id, str) and isinstance(target := core.state.labels.get(label_id), int):
        pick = core.state.picks.get(target)  # a part label printed, uncertain or reprinted: its vehicle
        if pick is not None:
            named.append((pick.feed, pick.seq))
    untyped: Iterable[Any] = commands  # dispatched on the exact type below: cheaper than a match per command
    for cmd in untyped:
        kind = type(cmd)
        if kind in NAMING:
            named.append((cmd.feed, cmd.seq))
        elif kind is PrintLabel and type(label := cmd.label) is PartLabel:
            named.append((label.feed, label.seq))
        elif kind is RaiseDeviation:
            dev = core.state.deviations.by_id.get(cmd.deviation_id)
            if dev is not None and dev.feed and dev.seq is not None:
                named.append((dev.feed, dev.seq))
    keys: set[Key] = set()
    for feed_id, seq in named:
        feed = core.state.feeds.get(feed_id)
        position = _position(feed, seq) if feed is not None else None
        if position is not None and position in feed.vehicles:  # type: ignore[union-attr]
            keys.add((feed_id, position))
    return keys, whole


@dataclass
class Pending:
    """Read-model rows not yet in the database; ``write`` puts them there inside the caller's transaction."""

    vehicles: dict[Key, dict[str, Any]] = field(default_factory=dict)
    kpis: dict[int, list[int]] = field(default_factory=dict)  # hour -> counts to add
    traces: dict[int, dict[str, Any]] = field(default_factory=dict)  # pick id -> its last scan's row
    journal_id: int = 0
    totals: tuple[int, ...] = (0,) * len(COUNTS)
    base: Mark | None = None  # the mark these rows extend (None: the tables have no mark yet)
    replace: bool = False  # a rebuild: empty the tables first
    error: Exception | None = None  # the last write failed (the journal went in alone): written with the next

    @property
    def target(self) -> Mark:
        """The mark these rows lead to."""
        return self.journal_id, tuple(self.totals)

    def write(self, conn: Connection) -> None:
        """Inside the caller's transaction: the rows and the new mark, only if the stored mark is ``base``
        (already at ``target``: written before, nothing to do; anything else: ``MarkMoved``)."""
        if self.replace:
            for model in (VehicleStatusRow, KpiHourlyRow, TracedPartRow, ReadModelMarkRow):
                conn.execute(delete(model))
        else:
            stored = _read_mark(conn)
            if stored != self.base:
                if stored == self.target:
                    log.debug("read-model rows up to journal row %d were written already", self.journal_id)
                    return
                raise MarkMoved(f"read_model_mark is at {stored}, these rows extend {self.base}")
        upserts = _upserts(conn.dialect.name)
        if self.vehicles:
            conn.execute(upserts.vehicles, list(self.vehicles.values()))
        if self.kpis:
            rows = [{"hour": hour, **dict(zip(COUNTS, counts, strict=True))} for hour, counts in self.kpis.items()]
            conn.execute(upserts.kpis, rows)
        if self.traces:
            conn.execute(upserts.traces, list(self.traces.values()))
        mark = {"journal_id": self.journal_id, "totals": list(self.totals)}
        if conn.execute(_MARK_UPDATE, mark).rowcount == 0:
            conn.execute(insert(ReadModelMarkRow), {"id": MARK_ID, **mark})

    def following(self) -> Pending:
        """An empty ``Pending`` that extends this one once it is written."""
        return Pending(journal_id=self.journal_id, totals=self.totals, base=self.target)

    def failed(self, exc: Exception) -> None:
        self.error = exc

    def __bool__(self) -> bool:
        return bool(self.vehicles or self.kpis or self.traces or self.replace or self.journal_id)


_MARK_READ = select(ReadModelMarkRow.journal_id, ReadModelMarkRow.totals).where(ReadModelMarkRow.id == MARK_ID)
_MARK_UPDATE = update(ReadModelMarkRow).where(ReadModelMarkRow.id == MARK_ID)  # the new mark: the execute's values


def _read_mark(conn: Connection) -> Mark | None:
    row = conn.execute(_MARK_READ).first()
    return None if row is None else (int(row[0]), tuple(row[1]))


class _Upserts(NamedTuple):
    """The three tables' upserts in one dialect, each executed with its rows."""

    vehicles: Insert  # a vehicle's row replaced
    kpis: Insert  # an hour's counts added to
    traces: Insert  # a pick's last scan replaced


@functools.cache
def _upserts(dialect: str) -> _Upserts:
    """Built once per dialect: built per write, these statements cost most of a read-model write's CPU on the writer
    thread, once a second, in a commit a broadcast may be waiting for (``jis bench scale``)."""
    dialects: dict[str, Callable[[Any], Any]] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    if dialect not in dialects:
        raise NotImplementedError(f"read models need SQLite or PostgreSQL, not {dialect}")
    vehicles, kpis, traces = (dialects[dialect](model) for model in (VehicleStatusRow, KpiHourlyRow, TracedPartRow))
    added = {c: KpiHourlyRow.__table__.c[c] + kpis.excluded[c] for c in COUNTS}
    return _Upserts(
        _upsert(vehicles, ("feed", "position"), {f: vehicles.excluded[f] for f in (*VEHICLE_FIELDS, "journal_id")}),
        _upsert(kpis, ("hour",), added),
        _upsert(traces, ("pick_id",), {f: traces.excluded[f] for f in TRACE_FIELDS}),
    )


def _upsert(stmt: Any, keys: tuple[str, ...], values: dict[str, Any]) -> Insert:
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=values)  # type: ignore[no-any-return]


class ReadModels:
    """What the read models should become, event by event; ``pending`` is handed to the database writer."""

    def __init__(self) -> None:
        self._shown: dict[Key, tuple[Any, ...]] = {}  # what the tables show for the core's live vehicles
        self._pending = Pending()
        self._totals: tuple[int, ...] = (0,) * len(COUNTS)
        self._sent_at = -WRITE_EVERY_S
        self._stopped = False  # the tables were changed by another writer: written again after a restart

    def observe(self, core: Sequencer, journal_id: int, event: Event, commands: Iterable[Command]) -> None:
        """After ``core`` handled ``event`` (journal row ``journal_id``) and gave ``commands``."""
        commands = list(commands)
        keys, whole = touched(core, event, commands)
        for feed_id in whole:
            keys.update((feed_id, pos) for pos in core.state.feeds[feed_id].vehicles)
        for feed_id, position in keys:
            self._show(core, feed_id, position, journal_id)
        now = counters(core)
        if now != self._totals:
            hour = int(event.at // HOUR * HOUR)
            added = self._pending.kpis.setdefault(hour, [0] * len(COUNTS))
            added[:] = [a + new - old for a, new, old in zip(added, now, self._totals, strict=True)]
            self._totals = now
        if isinstance(
            event, RackShipped | ShipRackByHand | RackLabelScanned
        ):  # shipped vehicles may have left the core
            shipped = {event.feed} if not isinstance(event, RackLabelScanned) else set(core.state.feeds)
            gone = [
                k
                for k in self._shown
                if k[0] in shipped and (k[0] not in core.state.feeds or k[1] not in core.state.feeds[k[0]].vehicles)
            ]
            for key in gone:
                del self._shown[key]
        for cmd in commands:
            if type(cmd) is PartTraced:  # a later scan of the same pick replaces its row
                self._pending.traces[cmd.pick_id] = trace_row(journal_id, cmd)
        self._pending.journal_id, self._pending.totals = journal_id, now

    def _show(self, core: Sequencer, feed_id: str, position: int, journal_id: int) -> None:
        fields = vehicle_fields(core, core.state.feeds[feed_id].vehicles[position])
        if self._shown.get((feed_id, position)) == fields:
            return
        self._shown[(feed_id, position)] = fields
        row = dict(zip(VEHICLE_FIELDS, fields, strict=True))
        self._pending.vehicles[(feed_id, position)] = {
            "feed": feed_id,
            "position": position,
            **row,
            "journal_id": journal_id,
        }

    @property
    def stopped(self) -> bool:
        """Another writer changed the tables: nothing more is written until the next start."""
        return self._stopped

    def unwritten_traces(self) -> dict[int, dict[str, Any]]:
        """The ``traced_parts`` rows observed but not yet committed (pick id -> row), a copy: what a query of the
        table adds to be exact (``app.service.trace``); on the thread that observes."""
        return dict(self._pending.traces)

    def pending(self) -> Pending | None:
        """The rows waiting for the database (None: nothing new); ``written`` clears them once committed."""
        return self._pending if self._pending and not self._stopped else None

    def due(self, now: float) -> Pending | None:
        """``pending``, if it is time for the rows to ride along with a journal batch (``now``: monotonic)."""
        rows = self.pending()
        if rows is None or (now - self._sent_at < WRITE_EVERY_S and len(rows.vehicles) < WRITE_AT_ROWS):
            return None
        self._sent_at = now
        return rows

    def written(self, pending: Pending | None) -> None:
        """``pending`` went to the database with a batch (unless its write failed: then it goes with the next)."""
        if pending is not None and isinstance(pending.error, MarkMoved):
            log.error("read models no longer written until the next start: %s", pending.error)
            self._stopped = True
        elif pending is not None and pending.error is not None:
            pending.error = None
        elif pending is self._pending:
            self._pending = pending.following()

    # -- a start: catch up with the journal ----------------------------------------------------------------
    def resume(
        self, store: Store, plant: PlantConfig, core: Sequencer, journal_id: int, *, at_mark: CoreAt | None = None
    ) -> str:
        """Bring the tables to ``core`` (the state after ``journal_id``) before the service goes on; on the
        writer thread. Returns what it did: ``current``, ``caught up`` (a SIGKILL lost the rows after the mark:
        the journal rows after it are observed again, from the core at the mark, which ``at_mark`` gives;
        default: a replay from the first row) or ``rebuilt`` (no mark on a journal written before the read
        models existed, or a mark that does not describe the journal)."""
        marked = mark(store)
        if marked is None and journal_id == 0:
            self._pending = Pending(base=None)
            store.write_read_models(self._pending)
            self.written(self._pending)
            return "current"
        if marked is not None and marked == (journal_id, counters(core)):
            self.adopt(store, core)
            return "current"
        start = _core_at(store, plant, marked[0], at_mark) if marked is not None and marked[0] < journal_id else None
        if marked is None or start is None or counters(start) != marked[1]:
            rebuild(store, plant)
            self.adopt(store, core)
            return "rebuilt"
        self.adopt(store, start)
        for row_id, event in store.journal(marked[0], journal_id):
            try:
                commands = start.handle(event)
            except SequencerError:
                commands = []  # refused the first time too
            self.observe(start, row_id, event, commands)
        store.write_read_models(self._pending)
        self.written(self._pending)
        return "caught up"

    def adopt(self, store: Store, core: Sequencer) -> None:
        """Take the tables as they are as the state of ``core`` (the state after their mark)."""
        with store.engine.connect() as conn:
            self._shown = _stored_rows(conn, live_vehicles(core).keys())
            marked = _read_mark(conn)
        self._totals = counters(core)
        self._pending = Pending(journal_id=marked[0] if marked else 0, totals=self._totals, base=marked)


def trace_row(journal_id: int, cmd: PartTraced) -> dict[str, Any]:
    """A ``traced_parts`` row: the pick's id and ``TRACE_FIELDS``."""
    return {
        "pick_id": cmd.pick_id,
        "journal_id": journal_id,
        **{f: getattr(cmd, f) for f in TRACE_FIELDS[1:]},
    }


def _core_at(store: Store, plant: PlantConfig, journal_id: int, at_mark: CoreAt | None) -> Sequencer:
    """The core after journal row ``journal_id``: ``at_mark``'s, or a replay from the first row."""
    if at_mark is not None:
        return at_mark(journal_id)
    core = Sequencer(plant)
    for _, event in store.journal(0, journal_id):
        with contextlib.suppress(SequencerError):  # refused the first time too
            core.handle(event)
    return core


def _stored_rows(conn: Connection, keys: Iterable[Key]) -> dict[Key, tuple[Any, ...]]:
    """The stored rows of these vehicles (read per feed over the span of their positions, not the whole table)."""
    wanted = set(keys)
    spans: dict[str, list[int]] = {}
    for feed, position in wanted:
        span = spans.setdefault(feed, [position, position])
        span[0], span[1] = min(span[0], position), max(span[1], position)
    cols = [VehicleStatusRow.feed, VehicleStatusRow.position, *(getattr(VehicleStatusRow, f) for f in VEHICLE_FIELDS)]
    found: dict[Key, tuple[Any, ...]] = {}
    for feed, (low, high) in spans.items():
        v = VehicleStatusRow
        for r in conn.execute(select(*cols).where(v.feed == feed, v.position >= low, v.position <= high)):
            if (r[0], r[1]) in wanted:
                found[(r[0], r[1])] = tuple(r[2:])
    return found


# -- derivable: the tables again from the journal ------------------------------------------------------------
def rebuild(store: Store, plant: PlantConfig) -> Sequencer:
    """Empty the read models and fill them again by replaying the whole journal into a fresh core, through the
    same ``observe`` as the service; returns that core. Run it with the service stopped."""
    core, pending = replayed(store, plant)
    pending.replace = True
    store.write_read_models(pending)
    return core


def replayed(store: Store, plant: PlantConfig, upto_id: int | None = None) -> tuple[Sequencer, Pending]:
    """The journal (up to row ``upto_id``) replayed into a fresh core through ``observe``: that core, and every
    row the read models would hold, unwritten."""
    core, models = Sequencer(plant), ReadModels()
    last = 0
    for journal_id, event in store.journal(0, upto_id):
        try:
            commands = core.handle(event)
        except SequencerError:
            commands = []  # refused the first time too
        models.observe(core, journal_id, event, commands)
        last = journal_id
    pending = models._pending
    pending.journal_id, pending.totals = last, counters(core)
    return core, pending


def differences(store: Store, plant: PlantConfig) -> list[str]:
    """How the tables differ from a replay of the journal up to their mark (empty: equal). After a clean stop
    the mark is the journal's last row; after a SIGKILL it may be behind until the next start catches up, but
    the tables must still describe exactly the state after it."""
    marked = mark(store)
    if marked is None:
        return [] if store.last_id() == 0 else ["no read_model_mark on a journal with rows"]
    _, pending = replayed(store, plant, marked[0])
    found: list[str] = []
    if marked != pending.target:
        found.append(f"mark {marked} != replay {pending.target}")
    stored = _vehicle_rows_with_id(store)
    wanted = {k: tuple(row[f] for f in (*VEHICLE_FIELDS, "journal_id")) for k, row in pending.vehicles.items()}
    for key in sorted(stored.keys() | wanted.keys()):
        if stored.get(key) != wanted.get(key):
            found.append(f"vehicle_status {key}: {stored.get(key)} != replay {wanted.get(key)}")
    kpis = {hour: tuple(counts) for hour, counts in pending.kpis.items()}
    stored_kpis = kpi_rows(store)
    for hour in sorted(stored_kpis.keys() | kpis.keys()):
        if stored_kpis.get(hour) != kpis.get(hour):
            found.append(f"kpi_hourly {hour}: {stored_kpis.get(hour)} != replay {kpis.get(hour)}")
    stored_traces = trace_rows(store)
    wanted_traces = {pick: tuple(row[f] for f in TRACE_FIELDS) for pick, row in pending.traces.items()}
    for pick in sorted(stored_traces.keys() | wanted_traces.keys()):
        if stored_traces.get(pick) != wanted_traces.get(pick):
            found.append(f"traced_parts {pick}: {stored_traces.get(pick)} != replay {wanted_traces.get(pick)}")
    return found


def trace_rows(store: Store) -> dict[int, tuple[Any, ...]]:
    """``traced_parts`` as pick id -> ``TRACE_FIELDS`` (tests, ``differences``)."""
    with store.engine.connect() as conn:
        cols = [TracedPartRow.pick_id, *(getattr(TracedPartRow, f) for f in TRACE_FIELDS)]
        return {r[0]: tuple(r[1:]) for r in conn.execute(select(*cols))}


def _vehicle_rows_with_id(store: Store) -> dict[Key, tuple[Any, ...]]:
    with store.engine.connect() as conn:
        v = VehicleStatusRow
        cols = [v.feed, v.position, *(getattr(v, f) for f in VEHICLE_FIELDS), v.journal_id]
        return {(r[0], r[1]): tuple(r[2:]) for r in conn.execute(select(*cols))}


def vehicle_rows(store: Store) -> dict[Key, tuple[Any, ...]]:
    """``vehicle_status`` as (feed, position) -> ``VEHICLE_FIELDS`` (tests, reports)."""
    with store.engine.connect() as conn:
        cols = [
            VehicleStatusRow.feed,
            VehicleStatusRow.position,
            *(getattr(VehicleStatusRow, f) for f in VEHICLE_FIELDS),
        ]
        return {(r[0], r[1]): tuple(r[2:]) for r in conn.execute(select(*cols))}


def kpi_rows(store: Store) -> dict[int, tuple[int, ...]]:
    """``kpi_hourly`` as hour -> counts (``COUNTS``)."""
    with store.engine.connect() as conn:
        cols = [KpiHourlyRow.hour, *(getattr(KpiHourlyRow, c) for c in COUNTS)]
        return {r[0]: tuple(r[1:]) for r in conn.execute(select(*cols).order_by(KpiHourlyRow.hour))}


def mark(store: Store) -> Mark | None:
    """(journal row, the core's counters then) the read models describe; None before the first write."""
    with store.engine.connect() as conn:
        return _read_mark(conn)
