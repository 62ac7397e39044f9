"""The store, the replay and the hot standby against a real PostgreSQL server on 127.0.0.1:5432.

Each test gets a fresh database with a random name from the ``pg_url`` fixture (``tests/databases.py``): always
PostgreSQL here, whatever ``JIS_TEST_DATABASE`` says. No server is a failure, not a skip: docs/persistence.md
says how to start one.

The take-over test runs the simulated plant and two ``jis serve`` processes on one database: the active one is
SIGKILLed right after a confirm, the standby must be serving within the issue's 5 seconds, and afterwards the
journal holds every broadcast, the printer printed no label twice, and the state the standby recorded when it
was stopped equals the journal's replay.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app.persist.migrations import current_revision, head
from app.persist.store import Base, Store
from app.proof.bench_core import record_stream
from app.service.replay import Snapshotter, rebuild, verify
from app.service.standby import EXIT_LEASE_BUSY, LeaseBusy, LeaseLost, PgLease
from sequencer.events import BroadcastReceived, Tick
from tests.integration.test_recovery import (
    WAIT_S,
    assert_no_label_doubled,
    expected_seqs,
    journal_count,
    journal_facts,
    journal_seqs,
    kill_hard,
    log_says,
    plant_files,
    printer_records,
    start_serve,
    start_sims,
    stop_gracefully,
    stop_sims,
    wait_for,
)
from tests.plants import demo_plant

TAKEOVER_LIMIT_S = 5.0  # the requirement for the standby, measured from the SIGKILL


# -- the store ------------------------------------------------------------------------------------------------
def test_postgres_store_is_migrated_and_keeps_journal_quarantine_and_snapshots(pg_url: str) -> None:
    store = Store(pg_url)
    try:
        with store.engine.connect() as conn:
            assert current_revision(conn) == head()
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        raw = bytes(range(256))  # bytea keeps every byte
        broadcast = BroadcastReceived(at=11.0, feed="L1", seq=5, vehicle_id="V")
        ids = store.append_many([(Tick(at=10.0), None), (broadcast, raw)])
        assert ids == sorted(ids) and store.last_id() == ids[-1]
        assert [jid for jid, _ in store.journal(after_id=ids[0])] == ids[1:]
        assert store.raw_of(ids[1]) == raw and store.last_event_at() == 11.0
        qid = store.quarantine(12.0, "feed", "bad broadcast: not JSON", b"\xff\x00", {"file": "x"})
        assert [q.id for q in store.quarantined()] == [qid] and store.quarantine_count() == 1
    finally:
        store.close()
    reopened = Store(pg_url)  # a second open finds the schema at head and leaves it alone
    try:
        assert reopened.last_id() == ids[-1]
    finally:
        reopened.close()


def test_postgres_replay_equals_the_recorded_core_with_and_without_snapshots(pg_url: str) -> None:
    plant = demo_plant()
    events, recorded = record_stream(plant, vehicles=120, seed=5)
    store = Store(pg_url)
    try:
        half = len(events) // 2
        store.append_many([(e, None) for e in events[:half]])
        state = rebuild(store, plant)
        Snapshotter(store, plant, every=1).take(state.core, state.check, state.last_id)
        store.append_many([(e, None) for e in events[half:]])
        from_snapshot = rebuild(store, plant)
        from_scratch = rebuild(store, plant, use_snapshot=False)
        assert from_snapshot.snapshot is not None and from_snapshot.replayed == len(events) - half
        assert from_snapshot.core.fingerprint() == from_scratch.core.fingerprint() == recorded
        assert [r["equal"] for r in verify(store, plant)] == [True]
    finally:
        store.close()


def test_postgres_lease_is_exclusive_and_its_fence_refuses_a_writer_that_lost_it(pg_url: str) -> None:
    first, second = PgLease(pg_url), PgLease(pg_url)
    store = Store(pg_url)
    try:
        asyncio.run(first.acquire(wait=False))
        with pytest.raises(LeaseBusy, match="held by server pid"):
            asyncio.run(second.acquire(wait=False))
        store.set_fence(first.fence())
        store.append(Tick(at=1.0))
        first.release()  # as if the process had died: the server ends the session and frees the lock
        with pytest.raises(LeaseLost):
            store.append(Tick(at=2.0))
        assert store.last_id() == 1, "nothing written without the lease"
        asyncio.run(second.acquire(wait=False))
        store.set_fence(second.fence())
        assert store.append(Tick(at=3.0)) == 2
    finally:
        store.close()
        first.release()
        second.release()


# -- the hot standby ------------------------------------------------------------------------------------------
def test_standby_takes_over_within_5_s_of_a_sigkill_and_nothing_is_lost(pg_url: str, tmp_path: Path) -> None:
    vehicles = 30
    plant, config = plant_files(tmp_path, pg_url)
    records = tmp_path / "printed.jsonl"
    logs = {name: tmp_path / f"serve-{name}.log" for name in ("a", "b", "c")}
    sims = start_sims(config, records, vehicles)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        active = start_serve(config, logs["a"])
        procs.append(active)
        wait_for("the first serve up", log_says(logs["a"], "service up"))
        standby = start_serve(config, logs["b"], "--standby")
        procs.append(standby)
        wait_for("the standby waiting", log_says(logs["b"], "standby:"))
        second = start_serve(config, logs["c"])  # not a standby: refuses to run beside the active one
        procs.append(second)
        assert second.wait(WAIT_S) == EXIT_LEASE_BUSY
        target = journal_count(pg_url, "BinConfirmed") + 3
        wait_for("a few confirms", lambda: journal_count(pg_url, "BinConfirmed") >= target)
        killed_at = time.monotonic()
        kill_hard(active)
        up_at = wait_for("the standby serving", log_says(logs["b"], "service up"), TAKEOVER_LIMIT_S * 4)
        takeover_s = up_at - killed_at
        wait_for("every broadcast", lambda: journal_seqs(pg_url) == expected_seqs(plant, vehicles))
        assert stop_gracefully(standby, logs["b"]) == 0  # SIGTERM: records the final state as a snapshot
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(WAIT_S)
        stop_sims(sims)

    store = Store(pg_url)
    try:
        seqs, reprints = journal_facts(store)
        recorded = store.snapshots()[-1]
        results = verify(store, plant)
        replayed = rebuild(store, plant, use_snapshot=False)
        last_row = store.last_id()
    finally:
        store.close()
    print(f"\nstandby: serving {takeover_s:.2f} s after the SIGKILL of the active service")
    assert takeover_s < TAKEOVER_LIMIT_S, f"take-over took {takeover_s:.2f} s"
    assert seqs == expected_seqs(plant, vehicles), "a broadcast is missing from the journal"
    printed = printer_records(records)
    assert_no_label_doubled(printed, reprints)
    core = replayed.core
    assert set(core.state.labels) <= {label_id for label_id, _ in printed} | set(core.state.uncertain) | set(
        core.state.unprinted
    )
    assert recorded.journal_id == last_row, "the standby's final state is recorded after the last row"
    assert all(r["equal"] for r in results), results
    assert recorded.fingerprint == core.fingerprint(), "the replayed state is the one the standby recorded"
