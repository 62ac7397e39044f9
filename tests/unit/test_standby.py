"""The lease on SQLite (a file lock), the choice of lease by URL, and a clock that never runs backwards across a
restart. The PostgreSQL lease and the take-over by a real standby: tests/integration/test_postgres.py."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from app.service.standby import (
    EXIT_LEASE_LOST,
    FileLease,
    LeaseBusy,
    LeaseUnreachable,
    NoLease,
    PgLease,
    ResumingClock,
    lease_for,
    run_guarded,
)


def test_the_file_lease_admits_one_holder_and_names_it(tmp_path: Path) -> None:
    first, second = FileLease(tmp_path / "jis.db.lock"), FileLease(tmp_path / "jis.db.lock")
    try:
        asyncio.run(first.acquire(wait=False))
        assert not second.try_acquire()
        with pytest.raises(LeaseBusy, match="pid"):
            asyncio.run(second.acquire(wait=False))
        first.release()  # what the kernel does when the holder dies
        assert second.try_acquire()
    finally:
        first.release()
        second.release()


def test_a_database_that_does_not_answer_is_not_another_active_service() -> None:
    lease = PgLease("postgresql://jis@127.0.0.1:1/jis")  # nothing listens on port 1
    try:
        with pytest.raises(LeaseUnreachable, match="cannot reach the database") as refused:
            asyncio.run(lease.acquire(wait=False))
        assert "another jis serve" not in str(refused.value)
    finally:
        lease.release()


def test_a_standby_waits_until_the_holder_lets_go(tmp_path: Path) -> None:
    active, standby = FileLease(tmp_path / "l"), FileLease(tmp_path / "l")

    async def scenario() -> bool:
        assert active.try_acquire()
        waiting = asyncio.create_task(standby.acquire(wait=True, poll_s=0.01))
        for _ in range(5):  # it keeps waiting while the lease is held
            await asyncio.sleep(0)
        assert not waiting.done()
        active.release()
        await asyncio.wait_for(waiting, 10)
        return True

    try:
        assert asyncio.run(scenario())
    finally:
        active.release()
        standby.release()


def test_each_database_gets_its_lease(tmp_path: Path) -> None:
    assert isinstance(lease_for("sqlite://"), NoLease)
    assert isinstance(lease_for("sqlite:///:memory:"), NoLease)
    lease = lease_for(f"sqlite:///{tmp_path / 'x.db'}")
    assert isinstance(lease, FileLease) and lease.path == tmp_path / "x.db.lock"
    assert isinstance(lease_for("postgresql+psycopg://nobody@127.0.0.1:1/none"), PgLease)  # connects lazily
    with pytest.raises(ValueError, match="no lease"):
        lease_for("mysql://x@localhost/db")


def test_a_sped_up_clock_resumes_after_the_journal_and_real_time_stays_real() -> None:
    fast = ResumingClock(100.0)
    ahead = fast() + 3600.0  # the previous run's plant time ran ahead of the wall clock
    fast.resume_from(ahead)
    assert fast() >= ahead
    real = ResumingClock(1.0)
    real.resume_from(ahead)
    assert real() < ahead
    with pytest.raises(ValueError, match="positive"):
        ResumingClock(0)


class _FlakyLease(NoLease):
    """A lease whose connection dies after a few checks."""

    def __init__(self) -> None:
        self.checks = 0

    def check(self) -> None:
        self.checks += 1
        if self.checks > 2:
            raise OSError("connection reset by peer")


class _Service:
    def __init__(self) -> None:
        self.stopped = False

    async def run(self) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            self.stopped = True


def test_a_service_that_loses_its_lease_is_stopped_with_its_own_exit_code() -> None:
    lease, service = _FlakyLease(), _Service()

    async def scenario() -> int:
        watch = lease.watch
        lease.watch = lambda interval_s=0.01: watch(interval_s)  # type: ignore[method-assign]
        return await asyncio.wait_for(run_guarded(service, lease), 10)  # type: ignore[arg-type]

    assert asyncio.run(scenario()) == EXIT_LEASE_LOST
    assert service.stopped and lease.checks == 3


class _SlowToStop:
    """A service whose clean stop takes a while (its last read-model rows, a snapshot)."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.stopped_cleanly = False

    async def run(self) -> None:
        self.started.set()
        try:
            await asyncio.Event().wait()
        finally:
            await asyncio.sleep(0.2)
            self.stopped_cleanly = True


def test_a_second_signal_while_the_service_stops_does_not_cut_its_clean_stop_short() -> None:
    """Ctrl-C pressed twice: the first stops the service cleanly, the second changes nothing (docs/persistence.md)."""
    service = _SlowToStop()

    async def scenario() -> int:
        guarded = asyncio.create_task(run_guarded(service, NoLease()))  # type: ignore[arg-type]
        await service.started.wait()
        os.kill(os.getpid(), signal.SIGINT)
        await asyncio.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)
        return await asyncio.wait_for(guarded, 10)

    assert asyncio.run(scenario()) == 0
    assert service.stopped_cleanly
