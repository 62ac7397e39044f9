"""The store and its migrations: schema by Alembic, a pre-migration database adopted, a newer one refused, the
fence in every write, and ``jis migrate``.

Most tests take ``database_url`` and so run on SQLite and, in the suite's second pass, on PostgreSQL
(``tests/databases.py``). The ones about SQLite itself (WAL and its pragmas, a file written before migrations
existed, the in-memory database, a folder that does not exist) stay on SQLite and say so in their names.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from app.persist.migrations import BASELINE, MigrationError, current_revision, head
from app.persist.store import Base, Repeat, Store, make_engine
from sequencer.events import BroadcastReceived, Tick

LEGACY_SCHEMA = """
CREATE TABLE journal (id INTEGER NOT NULL, at FLOAT NOT NULL, kind VARCHAR(40) NOT NULL, payload TEXT NOT NULL,
    raw BLOB, PRIMARY KEY (id));
CREATE TABLE quarantine (id INTEGER NOT NULL, at FLOAT NOT NULL, source VARCHAR(80) NOT NULL, reason TEXT NOT NULL,
    raw BLOB NOT NULL, detail JSON, status VARCHAR(20) NOT NULL, PRIMARY KEY (id));
INSERT INTO journal (at, kind, payload) VALUES (5.0, 'Tick', '{"at":5.0}');
"""  # what Base.metadata.create_all made before the service had migrations


def url(tmp_path: Path, name: str = "jis.db") -> str:
    return f"sqlite:///{tmp_path / name}"


def test_a_new_database_gets_the_newest_schema_and_it_matches_the_models(database_url: str) -> None:
    store = Store(database_url)
    try:
        with store.engine.connect() as conn:
            assert current_revision(conn) == head()
            assert {"journal", "quarantine", "snapshots"} <= set(inspect(conn).get_table_names())
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        store.close()


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    store = Store(url(tmp_path))
    try:
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    finally:
        store.close()


def test_a_sqlite_file_from_before_migrations_is_adopted_with_its_journal(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.executescript(LEGACY_SCHEMA)
    store = Store(f"sqlite:///{path}")
    try:
        assert [(jid, e) for jid, e in store.journal()] == [(1, Tick(at=5.0))]
        assert store.append(Tick(at=6.0)) == 2
        with store.engine.connect() as conn:
            assert current_revision(conn) == head() != BASELINE
    finally:
        store.close()


def test_a_database_written_by_a_newer_program_is_refused(database_url: str) -> None:
    Store(database_url).close()
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(MigrationError, match="newer version"):
        Store(database_url)
    engine.dispose()


def test_journal_keeps_order_raw_bytes_and_streams_ranges(database_url: str) -> None:
    store = Store(database_url)
    try:
        raw = b'{"feed":"L1"}\xff'
        first = store.append(BroadcastReceived(at=1.0, feed="L1", seq=7, vehicle_id="V7", options=("S1",)), raw)
        more = store.append_many([(Tick(at=float(i)), None) for i in range(2, 6)])
        assert more == [first + 1, first + 2, first + 3, first + 4]
        assert [jid for jid, _ in store.journal(after_id=first, upto_id=first + 2)] == [first + 1, first + 2]
        assert next(iter(store.journal()))[1].options == ("S1",)  # tuples survive the round trip
        assert store.raw_of(first) == raw and store.last_id() == first + 4 and store.last_event_at() == 5.0
    finally:
        store.close()


def test_the_fence_runs_in_every_write_and_a_refusal_writes_nothing(database_url: str) -> None:
    store = Store(database_url)
    seen: list[Connection] = []

    def fence(conn: Connection) -> None:
        seen.append(conn)
        if len(seen) > 2:
            raise RuntimeError("lease lost")

    try:
        store.set_fence(fence)
        store.append(Tick(at=1.0))
        store.quarantine(1.0, "feed", "not JSON", b"x")
        with pytest.raises(RuntimeError, match="lease lost"):
            store.append(Tick(at=2.0))
        assert store.last_id() == 1 and len(seen) == 3
    finally:
        store.close()


def test_an_in_memory_sqlite_database_is_one_database_for_every_thread() -> None:
    store = Store("sqlite://")
    try:
        store.append(Tick(at=1.0))
        assert store.last_id() == 1  # a second pooled connection would see an empty database
    finally:
        store.close()


def test_jis_migrate_upgrades_reports_and_downgrades(
    database_url: str, capsys: pytest.CaptureFixture[str], jis: Callable[..., int]
) -> None:
    db = database_url
    assert jis("migrate", "--database", db) == 0
    assert f"empty -> {head()}" in capsys.readouterr().out
    assert jis("migrate", "--database", db, "current") == 0
    assert head() in capsys.readouterr().out
    assert jis("migrate", "--database", db, "check") == 0
    assert jis("migrate", "--database", db, "downgrade", BASELINE) == 0
    engine = make_engine(db)
    with engine.connect() as conn:
        assert "snapshots" not in inspect(conn).get_table_names()
    engine.dispose()
    assert jis("migrate", "--database", db, "upgrade") == 0
    assert f"{BASELINE} -> {head()}" in capsys.readouterr().out
    assert jis("migrate", "--database", "sqlite:////nonexistent/dir/x.db") == 2  # SQLite: no such folder
    assert "jis migrate:" in capsys.readouterr().err


def test_an_arrival_is_journaled_once_across_batches_and_restarts(database_url: str) -> None:
    """``journal.identity`` (revision 0004): an identity the journal holds, or one an earlier item of the same
    batch holds, is a ``Repeat`` of that row; events without one are always new; the unique index outlives the
    process."""
    store = Store(database_url)
    try:
        first = store.append_arrivals(
            [(Tick(at=1.0), None, "a"), (Tick(at=2.0), None, None), (Tick(at=3.0), None, "a")]
        )
        assert first == [1, 2, Repeat(1)]
        assert store.append_arrivals([(Tick(at=4.0), None, None), (Tick(at=5.0), None, "a")]) == [3, Repeat(1)]
    finally:
        store.close()
    again = Store(database_url)
    try:
        assert again.append_arrivals([(Tick(at=6.0), None, "a"), (Tick(at=7.0), None, "b")]) == [Repeat(1), 4]
        assert again.journaled("b") == 4 and again.journaled("c") is None
        assert [row_id for row_id, _ in again.journal()] == [1, 2, 3, 4]
        with again.engine.begin() as conn, pytest.raises(IntegrityError):  # the database itself refuses a second
            conn.execute(text("INSERT INTO journal (at, kind, payload, identity) VALUES (8.0, 'Tick', '{}', 'a')"))
    finally:
        again.close()
