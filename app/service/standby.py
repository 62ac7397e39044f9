"""Hot standby: of all ``jis serve`` processes on one database, exactly one is active; the others wait.

The active one holds a lease for its whole life: on PostgreSQL a session advisory lock
(``pg_try_advisory_lock``) on a dedicated connection, on SQLite an exclusive ``flock`` on ``<database>.lock``.
Both are released by the operating system or the server when the process dies, even by SIGKILL: the server
sees the connection close (TCP keepalives and ``tcp_user_timeout`` catch a vanished host), the kernel drops
the file lock. A standby polls every ``POLL_S`` and takes over by replaying the journal (``app.service.replay``).

Split brain is prevented twice: a fence in every write transaction (``Store.set_fence``) checks in
``pg_locks`` that this very process's lease connection still holds the lock, so a service that lost its lease
cannot append a single row; and ``watch`` ends the service when the lease connection fails, so a supervisor
restarts it as a standby.

Must not: share the lease connection with any other work, or decide anything about the line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from app.persist.database import DatabaseUnreachable
from app.persist.store import PG_CONNECT_ARGS, Fence
from sequencer.plant import PlantConfig

if TYPE_CHECKING:
    from app.service.runtime import Service

log = logging.getLogger(__name__)

LEASE_KEY = 0x4A49_5300_0000_0002  # the advisory lock key of "jis serve" ("JIS" + 2); one per database
POLL_S = 0.5  # a standby tries the lease this often: take-over = this + the death being noticed + replay
WATCH_S = 1.0  # the active one checks its lease connection this often
CHECK_TIMEOUT_S = 5.0  # a check that does not answer in this time counts as a lost lease
# 3 is the command line's "cannot reach" (app/cli/errors.py): a database that does not answer is not a busy lease
EXIT_LEASE_LOST, EXIT_LEASE_BUSY = 4, 5


class LeaseBusy(RuntimeError):
    """Another process is active and this one was not started as a standby."""


class LeaseUnreachable(DatabaseUnreachable):
    """The lease could not even be tried: the database server does not answer (not started as a standby)."""


class LeaseLost(RuntimeError):
    """This process was active and can no longer prove it: it must stop writing at once."""


class Lease:
    """What every lease does; subclasses say how to try, check, name the holder and release."""

    description = "lease"
    unreachable: str | None = None  # why the last try could not reach the database, if it could not

    async def acquire(self, *, wait: bool = True, poll_s: float = POLL_S) -> None:
        """Return once this process is the active one. ``wait=False``: raise ``LeaseBusy`` (another process holds
        it) or ``LeaseUnreachable`` (the database does not answer) instead of waiting."""
        told = ""
        while not await asyncio.to_thread(self.try_acquire):
            if self.unreachable is not None:
                why = f"cannot reach the database for {self.description}: {self.unreachable}"
                if not wait:
                    raise LeaseUnreachable(why)
            else:
                why = f"{self.description} is held by {await asyncio.to_thread(self.holder)}"
                if not wait:
                    raise LeaseBusy(f"{why}: another jis serve is active")
            if why != told:  # once, and again only when the reason changes
                log.warning("standby: %s; waiting to take over", why)
                told = why
            await asyncio.sleep(poll_s)
        log.warning("active: holding %s", self.description)

    async def watch(self, interval_s: float = WATCH_S) -> None:
        """Return never while the lease holds; raise ``LeaseLost`` as soon as it cannot be confirmed."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                async with asyncio.timeout(CHECK_TIMEOUT_S):
                    await asyncio.to_thread(self.check)
            except (TimeoutError, SQLAlchemyError, OSError) as exc:
                raise LeaseLost(f"{self.description}: {exc!r}") from exc

    def try_acquire(self) -> bool:
        raise NotImplementedError

    def holder(self) -> str:
        return "another process"

    def check(self) -> None:
        """Raise if the lease is no longer held (I/O: call off the event loop)."""

    def fence(self) -> Fence | None:
        """A check for the store's write transactions, or None where the lease cannot be lost while held."""
        return None

    def release(self) -> None:
        pass


def _lock_exclusive(fd: int) -> bool:
    """Lock the file without waiting: an exclusive ``flock`` (POSIX), or the first byte with ``msvcrt`` (Windows:
    a mandatory lock). The operating system drops either when the process dies. Imported here, not at the top, so
    the module imports on every platform."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class NoLease(Lease):
    """An in-memory database cannot be shared: there is nothing to hold."""

    description = "no lease (private in-memory database)"

    def try_acquire(self) -> bool:
        return True


class FileLease(Lease):
    """SQLite: an exclusive ``flock`` on a file beside the database (the file must be on a local disk, which
    SQLite's WAL mode needs anyway). The kernel releases it when the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.description = f"file lock {path}"
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _lock_exclusive(fd):
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()} since {time.ctime()}\n".encode())
        self._fd = fd
        return True

    def holder(self) -> str:
        with contextlib.suppress(OSError):
            return self.path.read_text(encoding="utf-8").strip() or "another process"
        return "another process"

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None


def _key_parts(key: int) -> tuple[int, int]:
    """How ``pg_locks`` shows a bigint advisory key: classid = high 32 bits, objid = low 32 bits, objsubid 1."""
    return (key >> 32) & 0xFFFF_FFFF, key & 0xFFFF_FFFF


HOLDER_SQL = text(
    "SELECT a.pid, a.application_name, a.client_addr, a.backend_start FROM pg_locks l "
    "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
    "AND l.classid::bigint = :hi AND l.objid::bigint = :lo AND l.objsubid = 1 "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)
FENCE_SQL = text(
    "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = :pid "
    "AND classid::bigint = :hi AND objid::bigint = :lo AND objsubid = 1 "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


class PgLease(Lease):
    """PostgreSQL: a session advisory lock on a connection of its own, in autocommit (never idle in a
    transaction), with keepalives and ``tcp_user_timeout`` so a dead peer is noticed in seconds."""

    def __init__(self, url: str, key: int = LEASE_KEY) -> None:
        self.key = key
        self.description = f"advisory lock {key:#x} on {make_url(url).render_as_string(hide_password=True)}"
        args = {**PG_CONNECT_ARGS, "tcp_user_timeout": 5000, "connect_timeout": 5, "application_name": "jis serve"}
        self._engine: Engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT", connect_args=args)
        self._conn: Connection | None = None
        self.pid = 0  # the lease connection's server process: what the fence looks for

    def try_acquire(self) -> bool:
        try:
            if self._conn is None:
                self._conn = self._engine.connect()
                self.pid = int(self._conn.scalar(text("SELECT pg_backend_pid()")) or 0)
            held = bool(self._conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}))
        except SQLAlchemyError as exc:  # the server is away: keep waiting, on a new connection next time
            self.unreachable = " ".join(str(getattr(exc, "orig", None) or exc).split())
            self._drop()
            return False
        self.unreachable = None
        return held

    def holder(self) -> str:
        hi, lo = _key_parts(self.key)
        try:
            with self._engine.connect() as conn:
                row = conn.execute(HOLDER_SQL, {"hi": hi, "lo": lo}).first()
        except SQLAlchemyError:
            return "another process (the database does not say which)"
        if row is None:
            return "nobody any more"
        return f"server pid {row.pid} ({row.application_name or '?'} from {row.client_addr or 'local'})"

    def check(self) -> None:
        if self._conn is None:
            raise LeaseLost("the lease connection is closed")
        self._conn.scalar(text("SELECT 1"))

    def fence(self) -> Fence:
        hi, lo = _key_parts(self.key)
        params = {"pid": self.pid, "hi": hi, "lo": lo}

        def held(conn: Connection) -> None:
            if conn.execute(FENCE_SQL, params).first() is None:
                raise LeaseLost(f"{self.description} is no longer held by this process: refusing to write")

        return held

    def release(self) -> None:
        self._drop()
        self._engine.dispose()

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._conn.close()  # the server releases a session lock when its session ends
            self._conn = None


def lease_for(url: str) -> Lease:
    """The lease that guards the database at ``url``."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return PgLease(url)
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            return NoLease()
        return FileLease(Path(f"{parsed.database}.lock"))
    raise ValueError(f"no lease for {backend!r} databases: use SQLite or PostgreSQL")


# -- jis serve ------------------------------------------------------------------------------------------------
class ResumingClock:
    """Plant time for a service: the wall clock, or for a simulated plant ``speed`` times faster, resuming from
    the journal's last event so time never runs backwards across a restart or a take-over."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._epoch, self._mono = time.time(), time.monotonic()

    def resume_from(self, last_at: float | None) -> None:
        if self.speed != 1.0 and last_at is not None:
            self._epoch, self._mono = max(time.time(), last_at), time.monotonic()

    def __call__(self) -> float:
        if self.speed == 1.0:
            return time.time()
        return self._epoch + (time.monotonic() - self._mono) * self.speed


async def serve(plant: PlantConfig, *, standby: bool = False, speed: float = 1.0, lease: Lease | None = None) -> int:
    """``jis serve``: take the lease (waiting for it with ``standby``), then run the service until SIGTERM,
    SIGINT or the loss of the lease. Returns the process exit code."""
    from app.service.runtime import Service

    lease = lease or lease_for(plant.service.database)
    try:
        await lease.acquire(wait=standby)
    except LeaseBusy as exc:
        log.error("%s (start it with --standby to wait)", exc)
        return EXIT_LEASE_BUSY
    try:
        clock = ResumingClock(speed)
        service = Service(plant, clock=clock)
        clock.resume_from(service.store.last_event_at())
        service.store.set_fence(lease.fence())
        return await run_guarded(service, lease)
    finally:
        lease.release()


def _stop_once(run: asyncio.Task[None]) -> None:
    """SIGTERM or SIGINT: cancel the service once; a second signal while it stops (Ctrl-C pressed again) would cut
    its clean stop short, so it changes nothing (SIGKILL still ends it at once)."""
    if not run.cancelling():
        run.cancel()


async def run_guarded(service: Service, lease: Lease) -> int:
    """Run the service until it ends or the lease is lost (``EXIT_LEASE_LOST``); SIGTERM and SIGINT stop it
    cleanly (exit 0)."""
    run = asyncio.create_task(service.run(), name="service")
    watch = asyncio.create_task(lease.watch(), name="lease-watch")
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on the main thread / platform
            loop.add_signal_handler(sig, _stop_once, run)
            handled.append(sig)
    try:
        await asyncio.wait({run, watch}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
        watch.cancel()
        run.cancel()
        results = await asyncio.gather(run, watch, return_exceptions=True)
    if isinstance(results[1], LeaseLost):
        log.critical("lease lost, service stopped: %s", results[1])
        return EXIT_LEASE_LOST
    if isinstance(results[0], BaseException) and not isinstance(results[0], asyncio.CancelledError):
        raise results[0]
    return 0
