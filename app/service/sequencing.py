"""The one path into the core: every event is committed to the journal first, then handed to the core, then its
commands are carried out. Part of ``app.service.runtime.Service``; every other part sends its events here.

An event may come with the identity of what arrived (an OEM message, an HMI request: ``enqueue``, ``submit_once``):
one the journal already holds is a repeat, answered with the row it became and never handed to the core again
(``Store.append_arrivals`` checks it in the batch's own transaction, against the unique ``journal.identity``).

One task (``run``) owns the path and commits whatever is waiting as one batch (group commit) on the single
database-writer thread, so the journal order is the order the core saw, and a catch-up of thousands of resent
broadcasts costs a few commits instead of one each. The read models ride along with the next batch's rows. The
label check (``SequenceCheck``) sees every command exactly as a replay does (``app.service.replay.record_labels``).
On start, ``replay`` rebuilds the core from the newest snapshot plus the journal after it.

A journal that cannot be written (the disk full, the database read-only: ``PAUSING_ERRORS``) pauses the line,
it never stops the service: the batch is kept and tried again with a back-off (``JOURNAL_RETRY_S``) until it is
written, and nothing of it is handed to the core or acknowledged meanwhile. What a sender will send again (an
arrival with an identity: a broadcast, an HMI request) and time passing (a ``Tick``) are refused at once while
paused (``JournalPaused``): not stored, not acknowledged, the feed's gateway resends; what no one would send again (a
device's report: a press, a printed label) waits in order. The pause is a P1 ``journal_failed`` alarm: its
``JournalWriteChanged(ok=False)`` is the one event the core takes ahead of the journal (nothing else moves the core
while paused), and it is the first row written when the journal takes writes again, followed by its
``JournalWriteChanged(ok=True)`` and the batch, in that order for the core too, so a replay gives the same state.

What it must not do: hand the core an event that is not committed (persist before acknowledge; the one exception is
the pause's own alarm, written first when writes succeed again), carry out a command itself (the service's
``carry_out`` does), or let the core change while a snapshot pickles it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, NamedTuple

from sqlalchemy.exc import InternalError, OperationalError

from app.persist.read_models import Pending, ReadModels
from app.persist.store import Arrival, JournalPaused, ReadModelWrites, Repeat, Store
from app.service.latency import LIT_BOUNDS_S, Buckets
from app.service.replay import Snapshotter, rebuild, record_labels
from app.service.sequence_check import SequenceCheck
from sequencer.commands import Command, RaiseDeviation
from sequencer.core import Sequencer, SequencerError
from sequencer.events import BroadcastReceived, Event, JournalWriteChanged, Tick
from sequencer.plant import PlantConfig

# What became of an event in the core: taken ("accepted"), an identical resend or a replay of a vehicle that has
# shipped ("duplicate"), or a broadcast refused with an ``implausible`` deviation, its number far outside the feed's
# window ("refused"). A repeat (its identity journaled already) never reaches the core: it is a "duplicate", or
# "refused" again while the broadcast is still outside the window (``Sequencing._repeat``).
Verdict = Literal["accepted", "duplicate", "refused"]


class Outcome(NamedTuple):
    """What became of one event on the way in."""

    commands: list[Command]  # the core's answer (none for a repeat)
    verdict: Verdict  # accepted, duplicate (an identical resend the core counted, or a repeat) or refused
    repeat_of: int | None = None  # a repeat: its identity was journaled already, as this row; not handed to the core
    reason: str = ""  # refused: the core's words (its ``implausible`` deviation)


Waiting = tuple[Event, bytes | None, str | None, asyncio.Future[Outcome]]  # an event (with its identity) to sequence
CarryOut = Callable[[Event, list[Command]], None]  # what the service does with the commands of one event

log = logging.getLogger("app.service.runtime")  # the service's log name, kept from before its parts were split

JOURNAL_BATCH = 500  # events committed in one transaction at most (group commit)
CATCHING_UP = 100  # events in one batch: a catch-up (a live line's batches hold a few), no snapshot until it ends
# Another connection holding SQLite's write lock past busy_timeout (5 s) fails a commit with "database is locked";
# nothing was written, so the batch is tried again, this many times, before it fails as any write failure does.
JOURNAL_LOCKED_RETRIES, JOURNAL_LOCKED_WAIT_S = 6, 0.5
# A write the database refuses for what it is now, not for what was written: disk full, read-only, I/O error, the
# server gone (SQLAlchemy's OperationalError; PostgreSQL's read-only transaction is an InternalError). These pause the
# line; anything else (a bug, a lost standby lease) fails the batch as before.
PAUSING_ERRORS: tuple[type[Exception], ...] = (OperationalError, InternalError, OSError)
JOURNAL_RETRY_S = (0.2, 5.0)  # back-off between tries of a refused batch: first wait, doubled up to the most


Unsaved = tuple[JournalWriteChanged, list[Command]]  # the pause, handed to the core ahead of the journal


class Sequencing:
    """The journal, the core and the label check, and the task that feeds them. ``core`` is the line's state;
    ``journal_id`` is the last journal row the core has handled (it grows with every batch); ``handled`` is set
    after every batch (the HMI side's wake-up: what changed is the core's to say, ``sequencer.touched``)."""

    def __init__(
        self,
        plant: PlantConfig,
        store: Store,
        writer: ThreadPoolExecutor,
        carry_out: CarryOut,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.plant = plant
        self.clock = clock
        self.store = store
        self.writer = writer
        self.core = Sequencer(plant)
        self.check = SequenceCheck(plant)
        self.snapshots = Snapshotter(store, plant)
        self.journal_id = 0
        self.read_models: ReadModels | None = None  # once caught up at the start: what ``traced_parts`` lacks yet
        self.handled = asyncio.Event()
        self._carry_out = carry_out
        # bounded in practice by the feed link's high-water mark and one HMI command at a time
        self._pending: asyncio.Queue[Waiting] = asyncio.Queue()
        self.last_batch = 0  # events in the newest batch taken from the queue: a catch-up's are hundreds
        self.paused_since: float | None = None  # monotonic: the journal refused a write and has not taken one since
        # each journal commit's way (seconds): waiting for the writer thread, the commit on it, and back on the loop
        # until the core has the batch (``_journal``, ``_next_batch``): where a broadcast's time to the core goes
        self.commit_queued = Buckets(LIT_BOUNDS_S)
        self.commit_took = Buckets(LIT_BOUNDS_S)
        self.commit_back = Buckets(LIT_BOUNDS_S)
        self._committed_at = 0.0  # monotonic end of the newest commit on the writer thread
        self.write_failures = 0  # journal writes that failed with a ``PAUSING_ERRORS`` (the retries included)
        self.refused_paused = 0  # arrivals refused while paused (``JournalPaused``)
        self._unsaved: list[Unsaved] = []  # handed to the core, written first when the journal takes writes again

    @property
    def paused(self) -> bool:
        """The journal refused a write: nothing is acknowledged until it takes one again."""
        return self.paused_since is not None

    @property
    def behind(self) -> bool:
        """The core holds the pause's alarm, which the journal does not yet (no snapshot of it may be taken)."""
        return bool(self._unsaved)

    @property
    def waiting(self) -> int:
        """Events queued for the journal and the core."""
        return self._pending.qsize()

    # -- start and stop -------------------------------------------------------------------------------------
    def replay(self) -> None:
        """Rebuild the core from the newest snapshot plus the journal after it (on the writer thread); commands
        are not carried out again (the device side restores the devices instead)."""
        state = rebuild(self.store, self.plant)
        self.core, self.check, self.journal_id = state.core, state.check, state.last_id
        self.snapshots.last_id = state.snapshot.journal_id if state.snapshot else 0
        if state.replayed or state.snapshot:
            log.info("replayed %d journal events up to row %d", state.replayed, state.last_id)

    def snapshot(self) -> None:
        """Snapshot the state now (on the writer thread, with the sequencing task stopped): a fast next start."""
        self.snapshots.take(self.core, self.check, self.journal_id)

    # -- the way in ----------------------------------------------------------------------------------------
    async def submit(self, event: Event, raw: bytes | None = None) -> list[Command]:
        """Journal, then sequence, then act. A refused event is logged and yields no commands."""
        try:
            return await self.submit_checked(event, raw)
        except SequencerError as exc:
            log.error("event refused by the sequencer: %s (%r)", exc, event)
            return []

    async def submit_checked(self, event: Event, raw: bytes | None = None) -> list[Command]:
        """Like ``submit`` but a refusal raises ``SequencerError`` (manual operations answer the person)."""
        return (await self.enqueue(event, raw)).commands

    async def submit_once(self, event: Event, identity: str) -> Outcome:
        """Journal, sequence and act, unless ``identity`` (what arrived: an HMI request) is journaled already: then
        nothing is done again and the outcome names the row it became (``repeat_of``). A refusal raises
        ``SequencerError`` (the first arrival's refusal is journaled too: its repeat is a repeat)."""
        return await self.enqueue(event, None, identity)

    def enqueue(self, event: Event, raw: bytes | None, identity: str | None = None) -> asyncio.Future[Outcome]:
        """Queue the event for the sequencing task now (callers keep their order by calling in order). With an
        ``identity``, an arrival the journal already holds is a repeat: answered, never handed to the core."""
        done: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        if self.paused and (identity is not None or isinstance(event, Tick)):
            self.refused_paused += 1
            done.set_exception(JournalPaused("the journal cannot be written (disk full or read-only?): not taken"))
            return done
        self._pending.put_nowait((event, raw, identity, done))
        return done

    # -- the task ------------------------------------------------------------------------------------------
    async def run(self) -> None:
        """Every event waiting is journaled in one transaction, then handed to the core in arrival order; a lone
        broadcast still gets its own commit at once."""
        loop = asyncio.get_running_loop()
        read_models = ReadModels()  # written with the next batch's journal rows (app.persist.read_models)
        state = self.store, self.plant, self.core, self.journal_id
        resume = functools.partial(read_models.resume, *state, at_mark=self._core_at)
        try:
            log.info("read models %s", await loop.run_in_executor(self.writer, resume))
        except Exception:  # a projection never stops the line; `jis migrate read-models` rebuilds it
            log.exception("read models not brought up to date at the start")
        else:
            self.read_models = read_models
        try:
            while True:
                handled = await self._next_batch(read_models)
                # between batches: the core cannot change while pickled
                if handled and self.snapshots.due(self.journal_id, self.last_batch >= CATCHING_UP):
                    await loop.run_in_executor(self.writer, self.snapshot)
        finally:  # a clean stop: the last batch's rows, before the final snapshot
            if (rows := read_models.pending()) is not None:
                self.writer.submit(self.store.write_read_models, rows)

    async def _next_batch(self, read_models: ReadModels) -> bool:
        """Journal and handle everything waiting (at least one event); False if the journal write failed. A write
        the database refuses (``PAUSING_ERRORS``) pauses the line: the batch is tried again, with a back-off, until
        it is written (``_pause``)."""
        batch = [await self._pending.get()]
        while len(batch) < JOURNAL_BATCH and not self._pending.empty():
            batch.append(self._pending.get_nowait())
        self.last_batch = len(batch)
        items = [(e, r, i) for e, r, i, _ in batch]
        wait = JOURNAL_RETRY_S[0]
        while True:
            rows = read_models.due(time.monotonic())
            ahead = self._ahead()
            journaling = asyncio.create_task(self._journal([(e, None, None) for e in ahead] + items, rows))
            try:
                ids = await asyncio.shield(journaling)
            except asyncio.CancelledError:
                # A stop while the batch commits: the commit goes on in the writer thread, so finish it and hand its
                # events to the core; the core then holds everything the journal does, and the read models know
                # their rows went with it. A second cancel (the shutdown used to cancel its tasks twice; the loop
                # cancels what is left at exit) must not cut this short: the rows would be written again on the way
                # out.
                with contextlib.suppress(Exception):
                    written = await _uncancellable(journaling)
                    self._handle_batch(batch, written, rows, read_models, ahead)
                raise
            except PAUSING_ERRORS as exc:  # not journaled, so not handled and not acknowledged: tried again
                self._pause(exc, len(batch))
                await asyncio.sleep(wait)
                wait = min(wait * 2, JOURNAL_RETRY_S[1])
                continue
            except Exception as exc:  # not journaled, so not handled and not acknowledged: the sender retries
                log.error("journal write failed for %d event(s): %r", len(batch), exc)
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                return False
            self.commit_back.observe(time.monotonic() - self._committed_at)
            self._handle_batch(batch, ids, rows, read_models, ahead)
            return True

    def _ahead(self) -> list[Event]:
        """What goes into the journal before the batch: while paused, the pause (handled by the core already) and
        its end (``JournalWriteChanged(ok=True)``, handled once written)."""
        if not self.paused:
            return []
        ahead: list[Event] = [e for e, _ in self._unsaved]
        return [*ahead, JournalWriteChanged(at=self.clock(), ok=True, detail="written again")]

    def _pause(self, exc: Exception, waiting: int) -> None:
        """A write the database refused: the line pauses (the first time: logged, and the P1 alarm raised through
        the core ahead of the journal, ``JournalWriteChanged(ok=False)``)."""
        self.write_failures += 1
        if self.paused:
            if self.write_failures & (self.write_failures - 1) == 0:  # a line at the 2nd, 4th, 8th ... failure
                log.warning(
                    "journal still refuses writes (%d failures): %d event(s) wait; %r",
                    self.write_failures,
                    waiting,
                    exc,
                )
            return
        self.paused_since = time.monotonic()
        detail = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
        log.error(
            "journal write failed, the line pauses (nothing is acknowledged until a write succeeds; retried with a "
            "back-off): %d event(s) wait: %s",
            waiting,
            detail,
        )
        event = JournalWriteChanged(at=self.clock(), ok=False, detail=detail)
        commands = self.core.handle(event)
        self._unsaved.append((event, commands))
        self._carry_out(event, commands)
        self.handled.set()  # the screens show the alarm

    def _handle_batch(
        self,
        batch: list[Waiting],
        ids: list[int | Repeat],
        rows: Pending | None,
        read_models: ReadModels,
        ahead: list[Event] | None = None,
    ) -> None:
        """A committed batch: the core takes its new events in journal order; the read models follow. A repeat
        is answered with the row its first arrival became and never reaches the core. ``ahead``: a pause written
        at last, before the batch (its alarm is in the core already; its end is handled here)."""
        read_models.written(rows)
        if ahead:
            self._resume(ahead, ids[: len(ahead)], read_models)
            ids = ids[len(ahead) :]
        for (event, _, _, done), journal_id in zip(batch, ids, strict=True):
            if isinstance(journal_id, Repeat):  # counted by the part it came from (the intake, the HMI channel)
                if not done.done():
                    done.set_result(self._repeat(event, journal_id.journal_id))
                continue
            self.journal_id = journal_id
            read_models.observe(self.core, journal_id, event, self._handle(event, done))
        self.handled.set()

    def _resume(self, ahead: list[Event], ids: list[int | Repeat], read_models: ReadModels) -> None:
        """The journal took a write again: the pause's rows are in it (the alarm, then its end, ``ahead``), in the
        core's order; the end is handled now."""
        paused_s = time.monotonic() - (self.paused_since or time.monotonic())
        for (event, commands), journal_id in zip(self._unsaved, ids, strict=False):
            assert isinstance(journal_id, int)
            self.journal_id = journal_id
            read_models.observe(self.core, journal_id, event, commands)
        end, end_id = ahead[-1], ids[-1]
        assert isinstance(end_id, int)
        self._unsaved.clear()
        self.paused_since = None
        self.journal_id = end_id
        commands = self.core.handle(end)
        self._carry_out(end, commands)
        read_models.observe(self.core, end_id, end, commands)
        log.warning("journal written again after %.1f s paused: the line goes on", paused_s)

    async def _journal(self, items: list[Arrival], read_models: ReadModelWrites | None = None) -> list[int | Repeat]:
        """Commit a batch on the writer thread; retried (bounded) while the database is locked by another writer."""
        loop = asyncio.get_running_loop()
        for attempt in range(1, JOURNAL_LOCKED_RETRIES + 1):
            try:
                asked, on_thread = time.monotonic(), [0.0, 0.0]
                ids = await loop.run_in_executor(self.writer, self._append_timed, items, read_models, on_thread)
                self.commit_queued.observe(on_thread[0] - asked)
                self.commit_took.observe(on_thread[1] - on_thread[0])
                self._committed_at = on_thread[1]
                return ids
            except OperationalError as exc:
                if "database is locked" not in str(exc) or attempt == JOURNAL_LOCKED_RETRIES:
                    raise
                log.warning("journal locked by another connection (attempt %d): %d event(s) wait", attempt, len(items))
                await asyncio.sleep(JOURNAL_LOCKED_WAIT_S)
        raise AssertionError("unreachable")

    def _append_timed(
        self, items: list[Arrival], read_models: ReadModelWrites | None, on_thread: list[float]
    ) -> list[int | Repeat]:
        """``store.append_arrivals`` on the writer thread, noting when it started and ended there."""
        on_thread[0] = time.monotonic()
        try:
            return self.store.append_arrivals(items, read_models)
        finally:
            on_thread[1] = time.monotonic()

    def _core_at(self, journal_id: int) -> Sequencer:
        """The core after journal row ``journal_id`` (the newest snapshot at or before it, then the rows up to it)."""
        return rebuild(self.store, self.plant, upto_id=journal_id).core

    def _handle(self, event: Event, done: asyncio.Future[Outcome]) -> list[Command]:
        """One committed event into the core; its commands to the label check and out (``carry_out``)."""
        before = self._marks()
        try:
            commands = self.core.handle(event)
        except SequencerError as exc:
            if not done.done():
                done.set_exception(exc)
            return []
        record_labels(self.check, commands)
        self._carry_out(event, commands)
        if not done.done():
            after = self._marks()
            verdict: Verdict = (
                "duplicate" if after[0] > before[0] else "refused" if after[1] > before[1] else "accepted"
            )
            done.set_result(Outcome(commands, verdict, reason=_refusal(commands) if verdict == "refused" else ""))
        return commands

    def _repeat(self, event: Event, first: int) -> Outcome:
        """A repeat, answered as its first arrival was as far as the core can tell now: a broadcast still outside its
        feed's plausible window was refused then and is refused again (never "duplicate": the gateway must not take
        it for stored and applied, nor the feed link make its sender the feed's gateway); anything else is a
        duplicate. Asked in journal order, before the core takes the batch's next event."""
        why = self.core.implausible(event) if isinstance(event, BroadcastReceived) else ""
        return Outcome([], "refused", first, why) if why else Outcome([], "duplicate", first)

    def _marks(self) -> tuple[int, int]:
        """(identical resends counted, implausible broadcasts refused) so far: what an event did to them tells its
        verdict."""
        line = self.core.state
        return sum(f.duplicates for f in line.feeds.values()), line.deviations.counts["implausible"]


def _refusal(commands: list[Command]) -> str:
    """The core's own words for a broadcast it refused (its ``implausible`` deviation), for the ACK."""
    raised = [c.message for c in commands if isinstance(c, RaiseDeviation) and c.kind == "implausible"]
    return raised[0] if raised else "implausible sequence number: outside the window around the feed's position"


async def _uncancellable(task: asyncio.Task[list[int | Repeat]]) -> list[int | Repeat]:
    """``task``'s result, waited for through any number of cancellations (a commit on the writer thread: a few
    milliseconds, bounded by the database's busy time-out); the caller re-raises its own cancellation."""
    while True:
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.done():
                return task.result()
