"""Durable storage: the append-only event journal (the truth) and the quarantine of refused input.

SQLAlchemy 2 on SQLite in WAL mode with synchronous=FULL by default (PostgreSQL by URL). One ``Store`` is owned
by one writer thread (``app.runtime`` runs every call on its single-thread executor): a broadcast is committed
here before the feed link acknowledges it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    Float,
    Integer,
    LargeBinary,
    String,
    Text,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from app.journal_codec import decode_event, encode_event
from sequencer.events import Event


class Base(DeclarativeBase):
    pass


class JournalRow(Base):
    __tablename__ = "journal"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Float, nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)
    raw: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class QuarantineRow(Base):
    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Float, nullable=False)
    source: Mapped[str] = mapped_column(String(80), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    raw: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    detail: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="held")


@dataclass(frozen=True, slots=True)
class Quarantined:
    id: int
    at: float
    source: str
    reason: str
    raw: bytes


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # a committed broadcast survives power loss
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)

    def append(self, event: Event, raw: bytes | None = None) -> int:
        """Commit one event to the journal; returns its journal id."""
        return self.append_many([(event, raw)])[-1]

    def append_many(self, items: list[tuple[Event, bytes | None]]) -> list[int]:
        rows = []
        for ev, raw in items:
            kind, payload = encode_event(ev)
            rows.append(JournalRow(at=ev.at, kind=kind, payload=payload, raw=raw))
        with Session(self.engine) as s, s.begin():
            s.add_all(rows)
            s.flush()
            return [r.id for r in rows]

    def journal(self, after_id: int = 0) -> Iterator[tuple[int, Event]]:
        with Session(self.engine) as s:
            stmt = select(JournalRow.id, JournalRow.kind, JournalRow.payload).where(JournalRow.id > after_id)
            for row_id, kind, payload in s.execute(stmt.order_by(JournalRow.id)).yield_per(2000):
                yield row_id, decode_event(kind, payload)

    def quarantine(
        self, at: float, source: str, reason: str, raw: bytes, detail: dict[str, object] | None = None
    ) -> int:
        row = QuarantineRow(at=at, source=source, reason=reason, raw=raw, detail=detail)
        with Session(self.engine) as s, s.begin():
            s.add(row)
            s.flush()
            return row.id

    def quarantined(self) -> list[Quarantined]:
        with Session(self.engine) as s:
            rows = s.scalars(select(QuarantineRow).order_by(QuarantineRow.id)).all()
            return [Quarantined(r.id, r.at, r.source, r.reason, r.raw) for r in rows]

    def quarantine_count(self) -> int:
        with Session(self.engine) as s:
            return int(s.scalar(select(func.count(QuarantineRow.id))) or 0)

    def close(self) -> None:
        self.engine.dispose()
