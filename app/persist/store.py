"""Durable storage: the append-only event journal (the truth), snapshots for a fast start, the quarantine.

SQLAlchemy 2, synchronous: SQLite in WAL mode with synchronous=FULL is the embedded default, PostgreSQL
(``postgresql+psycopg://...``, psycopg 3) the server option. The schema belongs to Alembic (``app.persist.migrations``):
opening a ``Store`` upgrades the database to the newest revision, so an empty file or database just works and a
database written by a newer program is refused rather than misread.

One ``Store`` is owned by one writer thread (``app.service.runtime`` runs every call on its single-thread executor): a
broadcast is committed here before the feed link acknowledges it. A *fence* (``set_fence``) runs inside every
write transaction: with a hot standby it proves this process still holds the lease, so a service that lost it
can never append behind the back of the one that took over (``app.service.standby``).

The read models' tables (``vehicle_status``, ``kpi_hourly``, ``traced_parts``, ``read_model_mark``) are declared
here with the rest of the schema; what goes into them is ``app.persist.read_models``' business: ``append_many`` only
runs its writes inside the journal's transaction (``ReadModelWrites``), so they cost no commit of their own.

Every journal row may carry the identity of what arrived (``append_arrivals``): the unique index on it makes a
second arrival of the same OEM message or HMI request a ``Repeat`` of the first row, never a second row.

What it must not do: interpret events (``sequencer`` does), update or delete journal rows, or decide when to
snapshot (``app.service.replay`` and the runtime do). Snapshot blobs are trusted like the journal: whoever can write
this database can already rewrite history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    Integer,
    LargeBinary,
    String,
    Text,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import InternalError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool

from app.persist.codec import decode_event, encode_event
from sequencer.events import Event

# SQLite needs INTEGER (not BIGINT) for an auto-numbered rowid primary key; PostgreSQL gets a 64-bit sequence.
Id = BigInteger().with_variant(Integer(), "sqlite")
IDENTITY_MAX = 200  # characters of ``journal.identity``
SNAPSHOTS_KEPT = 3  # older snapshots are pruned: the journal, not the snapshot, is the truth
JOURNAL_BATCH = 2000  # rows fetched per round trip while streaming the journal

Fence = Callable[[Connection], None]


class JournalPaused(RuntimeError):
    """The journal cannot be written now (the service's sequencing path paused on a refused write): this arrival is
    not stored and not acknowledged; its sender tries again."""


log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Repeat:
    """An arrival whose identity the journal already holds (or that came twice in one batch): not written again,
    never handed to the core again. ``journal_id``: the row its first arrival became."""

    journal_id: int


Arrival = tuple[Event, bytes | None, str | None]  # an event, the bytes it came as, and its identity (None: none)


class ReadModelWrites(Protocol):
    """Read-model rows to write in the same transaction as a batch of journal rows (``app.persist.read_models``)."""

    def write(self, conn: Connection) -> None: ...

    def failed(self, exc: Exception) -> None: ...


class Base(DeclarativeBase):
    pass


class JournalRow(Base):
    """One event as it entered the core, in the order it did; ``raw`` keeps a broadcast's bytes as received;
    ``identity`` names what arrived (an OEM message, an HMI request) so that it is journaled once (revision 0004)."""

    __tablename__ = "journal"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Float, nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)
    raw: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    identity: Mapped[str | None] = mapped_column(String(IDENTITY_MAX), nullable=True, unique=True, index=True)


# ids back in the order of the rows given (insertmanyvalues batches keep it only when asked to)
_JOURNAL_INSERT = insert(JournalRow).returning(JournalRow.id, sort_by_parameter_order=True)
# the batch's identities the journal holds already: built once, as the insert is (built per batch, the select and
# its coercions cost as much CPU as the rest of the commit, ``jis bench scale``)
_JOURNALED = select(JournalRow.identity, JournalRow.id).where(
    JournalRow.identity.in_(bindparam("identities", expanding=True))
)


class QuarantineRow(Base):
    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Float, nullable=False)
    source: Mapped[str] = mapped_column(String(80), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    raw: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    detail: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="held")


class SnapshotRow(Base):
    """The core's whole state after journal row ``journal_id``; usable only by the same code and plant (``code``)."""

    __tablename__ = "snapshots"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    journal_id: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    at: Mapped[float] = mapped_column(Float, nullable=False)  # event time of that journal row
    taken_at: Mapped[float] = mapped_column(Float, nullable=False)  # wall clock when written
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    state: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class VehicleStatusRow(Base):
    """Read model: one vehicle at its sequence position, as the core last saw it (kept after it shipped)."""

    __tablename__ = "vehicle_status"
    feed: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # seq, unwrapped
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    vehicle_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)  # open, held, cancelled, completed
    received_at: Mapped[float] = mapped_column(Float, nullable=False)
    due_at: Mapped[float] = mapped_column(Float, nullable=False)
    completed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    picks: Mapped[list[object]] = mapped_column(JSON, nullable=False)  # [[family, part, rack_no, slot, status]]
    journal_id: Mapped[int] = mapped_column(BigInteger, nullable=False)  # the event that last changed it


class KpiHourlyRow(Base):
    """Read model: what happened in each hour of plant time (``hour``: epoch seconds of its start)."""

    __tablename__ = "kpi_hourly"
    hour: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    broadcasts: Mapped[int] = mapped_column(Integer, nullable=False)
    vehicles_completed: Mapped[int] = mapped_column(Integer, nullable=False)
    vehicles_on_time: Mapped[int] = mapped_column(Integer, nullable=False)
    picks_confirmed: Mapped[int] = mapped_column(Integer, nullable=False)
    wrong_picks: Mapped[int] = mapped_column(Integer, nullable=False)
    labels_printed: Mapped[int] = mapped_column(Integer, nullable=False)
    racks_completed: Mapped[int] = mapped_column(Integer, nullable=False)
    racks_shipped: Mapped[int] = mapped_column(Integer, nullable=False)
    deviations_raised: Mapped[int] = mapped_column(Integer, nullable=False)


class TracedPartRow(Base):
    """Read model: one pick's last scan, the part, serial and batch it proved against its vehicle and slot
    (``jis trace``, the cockpit's ``TraceParts``); ``journal_id``: the journal row of that scan (its raw bytes)."""

    __tablename__ = "traced_parts"
    pick_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    journal_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    at: Mapped[float] = mapped_column(Float, nullable=False)
    vehicle_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    feed: Mapped[str] = mapped_column(String(40), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    family: Mapped[str] = mapped_column(Text, nullable=False)
    part: Mapped[str] = mapped_column(Text, nullable=False)
    serial: Mapped[str] = mapped_column(Text, nullable=False, index=True)
    batch: Mapped[str] = mapped_column(Text, nullable=False, index=True)
    rack_no: Mapped[int] = mapped_column(Integer, nullable=False)
    slot: Mapped[int] = mapped_column(Integer, nullable=False)
    station: Mapped[str] = mapped_column(Text, nullable=False)
    code: Mapped[str] = mapped_column(Text, nullable=False)


class ReadModelMarkRow(Base):
    """Read models: the journal row they describe the state after, and the core's counters then (one row)."""

    __tablename__ = "read_model_mark"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    journal_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    totals: Mapped[list[int]] = mapped_column(JSON, nullable=False)


@dataclass(frozen=True, slots=True)
class Quarantined:
    id: int
    at: float
    source: str
    reason: str
    raw: bytes
    detail: dict[str, object] | None = None  # size and sha256 of the whole frame; a flood's summary: its counts


@dataclass(frozen=True, slots=True)
class Snapshot:
    id: int
    journal_id: int
    at: float
    code: str
    fingerprint: str
    state: bytes = b""


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # a committed broadcast survives power loss
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


# PostgreSQL: notice a dead server or a cut cable within seconds instead of the kernel's two hours.
PG_CONNECT_ARGS = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3}


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the durability settings of its dialect."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        kw = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}} if memory else {}
        engine = create_engine(url, **kw)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        # pool_pre_ping: a connection the server dropped (restart, fail-over) is replaced, not used for a commit.
        return create_engine(url, pool_pre_ping=True, connect_args=dict(PG_CONNECT_ARGS))
    return create_engine(url)


class Store:
    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.fence: Fence | None = None
        if migrate:
            from app.persist.migrations import upgrade

            upgrade(self.engine)

    def set_fence(self, fence: Fence | None) -> None:
        """Run ``fence(connection)`` inside every write transaction; it raises to refuse the write."""
        self.fence = fence

    def _writing(self) -> Session:
        return Session(self.engine)

    def _check_fence(self, s: Session) -> None:
        if self.fence is not None:
            self.fence(s.connection())

    # -- the journal --------------------------------------------------------------------------------------------
    def append(self, event: Event, raw: bytes | None = None) -> int:
        """Commit one event to the journal; returns its journal id."""
        return self.append_many([(event, raw)])[-1]

    def append_many(
        self, items: list[tuple[Event, bytes | None]], read_models: ReadModelWrites | None = None
    ) -> list[int]:
        """Commit events in one transaction (group commit); their journal ids, in order. ``read_models``' rows
        (the state after the previous batch) go into the same transaction."""
        ids = self.append_arrivals([(event, raw, None) for event, raw in items], read_models)
        return [i for i in ids if isinstance(i, int)]

    def append_arrivals(self, items: list[Arrival], read_models: ReadModelWrites | None = None) -> list[int | Repeat]:
        """Like ``append_many``, each event with the identity of what arrived: one the journal already holds (or an
        earlier item of the same batch holds) is not written and comes back as ``Repeat``; the others get their new
        journal ids, in order. A Core multi-row insert: the ORM's unit of work cost three times the insert itself
        on the catch-up path (``jis bench``)."""
        rows = []
        for ev, raw, identity in items:
            kind, payload = encode_event(ev)
            rows.append({"at": ev.at, "kind": kind, "payload": payload, "raw": raw, "identity": identity})
        if read_models is not None:
            try:
                return self._append_rows(rows, read_models)
            except (OperationalError, InternalError):
                raise  # the database refuses writes (full, read-only, locked): the journal alone would fail too
            except Exception as exc:  # a projection never stops the line: the journal goes in alone, rows wait
                log.exception("read models not written with %d journal row(s)", len(rows))
                read_models.failed(exc)
        return self._append_rows(rows, None)

    def _append_rows(self, rows: list[dict[str, object]], read_models: ReadModelWrites | None) -> list[int | Repeat]:
        # a Core connection, not an ORM session: the session's unit of work around a Core insert cost a third of the
        # commit's CPU on the writer thread, where every broadcast waits for the commit before it (``jis bench scale``)
        with self.engine.begin() as conn:
            if self.fence is not None:
                self.fence(conn)
            known = _journaled(conn, {str(r["identity"]) for r in rows if r["identity"] is not None})
            first: dict[str, int] = {}  # identity -> its place among the fresh rows (new in this batch)
            fresh: list[dict[str, object]] = []
            places: list[tuple[int, bool] | Repeat] = []  # (place among the fresh rows, a repeat?) or a repeat
            for row in rows:
                identity = None if row["identity"] is None else str(row["identity"])
                if identity in known:
                    places.append(Repeat(known[identity]))
                elif identity in first:
                    places.append((first[identity], True))
                else:
                    if identity is not None:
                        first[identity] = len(fresh)
                    places.append((len(fresh), False))
                    fresh.append(row)
            ids = [row_id for (row_id,) in conn.execute(_JOURNAL_INSERT, fresh)] if fresh else []
            if read_models is not None:
                read_models.write(conn)
        return [p if isinstance(p, Repeat) else Repeat(ids[p[0]]) if p[1] else ids[p[0]] for p in places]

    def write_read_models(self, read_models: ReadModelWrites) -> None:
        """Read-model rows in a transaction of their own (a clean stop, a catch-up, a rebuild)."""
        with self._writing() as s, s.begin():
            self._check_fence(s)
            read_models.write(s.connection())

    def journal(self, after_id: int = 0, upto_id: int | None = None) -> Iterator[tuple[int, Event]]:
        """Journal rows after ``after_id`` (up to ``upto_id`` inclusive), in order, decoded, streamed."""
        stmt = select(JournalRow.id, JournalRow.kind, JournalRow.payload).where(JournalRow.id > after_id)
        if upto_id is not None:
            stmt = stmt.where(JournalRow.id <= upto_id)
        with Session(self.engine) as s:
            for row_id, kind, payload in s.execute(stmt.order_by(JournalRow.id)).yield_per(JOURNAL_BATCH):
                yield row_id, decode_event(kind, payload)

    def journaled(self, identity: str) -> int | None:
        """The journal row that arrival became, if the journal holds its identity."""
        with Session(self.engine) as s:
            return s.scalar(select(JournalRow.id).where(JournalRow.identity == identity))

    def last_id(self) -> int:
        with Session(self.engine) as s:
            return int(s.scalar(select(func.max(JournalRow.id))) or 0)

    def last_event_at(self) -> float | None:
        """Event time of the newest journal row (None: empty journal)."""
        with Session(self.engine) as s:
            return s.scalar(select(JournalRow.at).order_by(JournalRow.id.desc()).limit(1))

    def raw_of(self, journal_id: int) -> bytes | None:
        with Session(self.engine) as s:
            return s.scalar(select(JournalRow.raw).where(JournalRow.id == journal_id))

    # -- snapshots ----------------------------------------------------------------------------------------------
    def save_snapshot(self, snapshot: Snapshot, taken_at: float, keep: int = SNAPSHOTS_KEPT) -> int:
        """Store a snapshot and prune all but the newest ``keep`` of the same code; returns its id."""
        row = SnapshotRow(
            journal_id=snapshot.journal_id,
            at=snapshot.at,
            taken_at=taken_at,
            code=snapshot.code,
            fingerprint=snapshot.fingerprint,
            state=snapshot.state,
        )
        with self._writing() as s, s.begin():
            self._check_fence(s)
            s.add(row)
            s.flush()
            kept = select(SnapshotRow.id).order_by(SnapshotRow.journal_id.desc(), SnapshotRow.id.desc()).limit(keep)
            s.execute(delete(SnapshotRow).where(SnapshotRow.id.not_in(kept.scalar_subquery())))
            return row.id

    def latest_snapshot(self, code: str, upto_id: int | None = None, until: float | None = None) -> Snapshot | None:
        """The newest snapshot of this ``code`` at or before journal id ``upto_id`` / event time ``until``."""
        stmt = select(SnapshotRow).where(SnapshotRow.code == code)
        if upto_id is not None:
            stmt = stmt.where(SnapshotRow.journal_id <= upto_id)
        if until is not None:
            stmt = stmt.where(SnapshotRow.at <= until)
        stmt = stmt.order_by(SnapshotRow.journal_id.desc(), SnapshotRow.id.desc()).limit(1)
        with Session(self.engine) as s:
            row = s.scalars(stmt).first()
            return None if row is None else _snapshot(row, with_state=True)

    def snapshots(self) -> list[Snapshot]:
        """Every snapshot kept, oldest first, without the state blobs."""
        cols = (SnapshotRow.id, SnapshotRow.journal_id, SnapshotRow.at, SnapshotRow.code, SnapshotRow.fingerprint)
        with Session(self.engine) as s:
            rows = s.execute(select(*cols).order_by(SnapshotRow.journal_id, SnapshotRow.id)).all()
            return [Snapshot(*row) for row in rows]

    # -- the quarantine -----------------------------------------------------------------------------------------
    def quarantine(
        self, at: float, source: str, reason: str, raw: bytes, detail: dict[str, object] | None = None
    ) -> int:
        row = QuarantineRow(at=at, source=source, reason=reason, raw=raw, detail=detail)
        with self._writing() as s, s.begin():
            self._check_fence(s)
            s.add(row)
            s.flush()
            return row.id

    def quarantined(self) -> list[Quarantined]:
        with Session(self.engine) as s:
            rows = s.scalars(select(QuarantineRow).order_by(QuarantineRow.id)).all()
            return [Quarantined(r.id, r.at, r.source, r.reason, r.raw, r.detail) for r in rows]

    def quarantined_one(self, quarantine_id: int) -> tuple[Quarantined, str] | None:
        """One held message and its status (held / reprocessed)."""
        with Session(self.engine) as s:
            r = s.get(QuarantineRow, quarantine_id)
            return (Quarantined(r.id, r.at, r.source, r.reason, r.raw, r.detail), r.status) if r is not None else None

    def mark_quarantine(self, quarantine_id: int, status: str) -> None:
        with self._writing() as s, s.begin():
            self._check_fence(s)
            row = s.get(QuarantineRow, quarantine_id)
            if row is not None:
                row.status = status

    def prune_quarantine(self, before: float, max_total_bytes: int) -> int:
        """Retention: rows kept before ``before`` go, then the oldest until the kept bytes are within
        ``max_total_bytes``. How many rows went."""
        with self._writing() as s, s.begin():
            self._check_fence(s)
            gone = int(s.execute(delete(QuarantineRow).where(QuarantineRow.at < before)).rowcount or 0)  # type: ignore[attr-defined]
            total = int(s.scalar(select(func.coalesce(func.sum(func.length(QuarantineRow.raw)), 0))) or 0)
            if total <= max_total_bytes:
                return gone
            over, doomed = total - max_total_bytes, []
            sizes = select(QuarantineRow.id, func.length(QuarantineRow.raw)).order_by(QuarantineRow.id)
            for row_id, size in s.execute(sizes).yield_per(JOURNAL_BATCH):
                if over <= 0:
                    break
                doomed.append(row_id)
                over -= int(size or 0)
            for start in range(0, len(doomed), JOURNAL_BATCH):
                s.execute(delete(QuarantineRow).where(QuarantineRow.id.in_(doomed[start : start + JOURNAL_BATCH])))
            return gone + len(doomed)

    def quarantine_count(self) -> int:
        with Session(self.engine) as s:
            return int(s.scalar(select(func.count(QuarantineRow.id))) or 0)

    def close(self) -> None:
        self.engine.dispose()


def _journaled(conn: Connection, identities: set[str]) -> dict[str, int]:
    """identity -> journal row, for those of ``identities`` the journal holds (one indexed look-up a batch)."""
    if not identities:
        return {}
    found = conn.execute(_JOURNALED, {"identities": list(identities)})
    return {str(identity): int(row_id) for identity, row_id in found}


def _snapshot(row: SnapshotRow, *, with_state: bool) -> Snapshot:
    state = row.state if with_state else b""
    return Snapshot(row.id, row.journal_id, row.at, row.code, row.fingerprint, state)
