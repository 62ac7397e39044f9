"""The state at any moment, rebuilt from the journal: the service's start, snapshots, and ``jis replay``.

The journal is the truth and the core is deterministic, so replaying the journal's events into a fresh core
gives the state the service had after the last of them (``Sequencer.fingerprint`` proves it). A snapshot is a
shortcut: the pickled core (and the label check) after journal row N, so a start replays only the rows after N.
A snapshot is used only by the same code and plant rules that wrote it (``code_version``), and only if its own
fingerprint still matches; otherwise the journal is replayed from the start. ``jis replay --verify`` replays
from scratch to every stored snapshot and compares: the recorded state must equal the replayed one.

``rerun`` (``jis replay --speed X``) re-runs the journal paced by the events' own times (X times faster than they
happened), handing the state to a progress callback as it goes; ``ReplayBus`` publishes it on an HMI bus a screen
can watch. The command line (``app/cli/replay.py``) parses the options and prints.

Must not: write to the journal, drive devices, print, or treat a refused event as an error (it was refused the
first time too). Snapshot blobs are pickles: they are trusted exactly as far as the database itself is.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import pickle
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sequencer
from app.persist.store import Snapshot, Store
from app.service import sequence_check
from app.service.sequence_check import SequenceCheck
from sequencer.commands import Command, PrintLabel, ReturnToStock
from sequencer.core import Sequencer, SequencerError
from sequencer.events import Event
from sequencer.plant import PlantConfig

log = logging.getLogger(__name__)

SNAPSHOT_EVERY = 5000  # journal rows between snapshots: a start replays about this many (~0.1 s)
SNAPSHOT_MIN_INTERVAL_S = 30.0  # real seconds: a catch-up burst is not slowed by a snapshot every 5,000 rows
SNAPSHOT_DEFER_S = 300.0  # real seconds after the last snapshot that one due waits for a catch-up to end
PROGRESS_S = 1.0  # real seconds between status lines of a paced re-run
MAX_GAP_S = 600.0  # a paced re-run skips the part of a quiet spell beyond this (plant seconds: nights, breaks)


def code_version(plant: PlantConfig) -> str:
    """What a snapshot depends on: the core's code, the label check's code, Python's version and the plant's
    rules, its alarm timings among them (not its endpoints, device addresses or database, which may move without
    changing any state)."""
    h = hashlib.sha256(repr(sys.version_info[:2]).encode())
    core_dir = Path(sequencer.__file__).parent
    sources = [*sorted(core_dir.rglob("*.py")), Path(sequence_check.__file__)]
    for path in sources:
        name = path.relative_to(core_dir).as_posix() if path.is_relative_to(core_dir) else path.name
        h.update(name.encode() + b"\0" + path.read_bytes())
    # repr, not JSON: the pickled core carries these objects, and an unvalidated default (5 for 5.0) changes the
    # core's fingerprint although the JSON would be the same.
    rules = (plant.plant, plant.feeds, plant.families, plant.options, plant.parts, plant.stations, plant.alarms)
    h.update(repr(rules).encode())
    # the shift calendar and what picking keeps up with (left out of the feeds' repr): due times and line alarms
    h.update(repr((plant.calendar, [f.keep_up_rate_per_h for f in plant.feeds])).encode())
    labels = plant.labels  # whether rack labels list the scanned serials (the core fills their slots)
    h.update(repr((labels.traced, sorted((n, p.traced) for n, p in labels.partners.items()))).encode())
    notices = plant.ship_notices  # what the core's notice rules read of [ship_notices] (not where notices go)
    if notices is not None:
        h.update(repr((notices.ack_timeout_s, notices.keep_answered)).encode())
    return h.hexdigest()


@dataclass
class Rebuilt:
    """A core and its label check, after journal row ``last_id``."""

    core: Sequencer
    check: SequenceCheck
    last_id: int = 0
    replayed: int = 0
    refused: int = 0
    snapshot: Snapshot | None = None
    kinds: Counter[str] = field(default_factory=Counter)

    @classmethod
    def fresh(cls, plant: PlantConfig) -> Rebuilt:
        return cls(Sequencer(plant), SequenceCheck(plant))

    def apply(self, journal_id: int, event: Event) -> list[Command]:
        """One journal row into the core; the label check sees its commands as the running service's did."""
        try:
            commands = self.core.handle(event)
        except SequencerError:
            commands = []  # refused the first time too: the core is deterministic
            self.refused += 1
        record_labels(self.check, commands)
        self.last_id = journal_id
        self.replayed += 1
        self.kinds[type(event).__name__] += 1
        return commands


def record_labels(check: SequenceCheck, commands: list[Command]) -> None:
    """Show the label check the labels sent and the parts returned: the running service (``app.service.sequencing``)
    and a replay call this same function, so the two cannot differ."""
    for cmd in commands:
        if isinstance(cmd, PrintLabel):
            check.label(cmd.label)
        elif isinstance(cmd, ReturnToStock):
            check.returned(cmd.feed, cmd.family, cmd.rack_no, cmd.slot)


def load_snapshot(
    store: Store, plant: PlantConfig, upto_id: int | None = None, until: float | None = None
) -> Rebuilt | None:
    """The newest usable snapshot at or before ``upto_id`` / ``until``; None if there is none."""
    snap = store.latest_snapshot(code_version(plant), upto_id, until)
    if snap is None:
        return None
    try:
        core, check = pickle.loads(snap.state)
    except Exception as exc:  # any unpickling failure means: replay from the start instead
        log.warning("snapshot #%d unreadable (%s): replaying the journal from the start", snap.id, exc)
        return None
    if (
        not isinstance(core, Sequencer)
        or not isinstance(check, SequenceCheck)
        or core.fingerprint() != snap.fingerprint
    ):
        log.warning("snapshot #%d does not match its fingerprint: replaying the journal from the start", snap.id)
        return None
    return Rebuilt(core, check, last_id=snap.journal_id, snapshot=snap)


def rebuild(
    store: Store,
    plant: PlantConfig,
    *,
    upto_id: int | None = None,
    until: float | None = None,
    use_snapshot: bool = True,
) -> Rebuilt:
    """The state after journal row ``upto_id`` (or before the first event later than ``until``; default: all)."""
    state = (load_snapshot(store, plant, upto_id, until) if use_snapshot else None) or Rebuilt.fresh(plant)
    for journal_id, event in store.journal(state.last_id, upto_id):
        if until is not None and event.at > until:
            break
        state.apply(journal_id, event)
    return state


def answer_at(store: Store, plant: PlantConfig, journal_id: int) -> list[Command]:
    """The core's answer to journal row ``journal_id``, as the running service got it: the state just before the
    row (the newest snapshot before it, then the rows up to it) handles the row's event again. A refusal raises
    ``SequencerError`` again: the core is deterministic."""
    state = rebuild(store, plant, upto_id=journal_id - 1)
    rows = list(store.journal(journal_id - 1, journal_id))
    if not rows:
        raise LookupError(f"no journal row {journal_id}")
    return state.core.handle(rows[0][1])


class Snapshotter:
    """When and how the service writes a snapshot. ``take`` runs on the database-writer thread while the caller
    holds the service's lock, so the core cannot change under the pickler."""

    def __init__(
        self,
        store: Store,
        plant: PlantConfig,
        every: int = SNAPSHOT_EVERY,
        min_interval_s: float = SNAPSHOT_MIN_INTERVAL_S,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.code = code_version(plant)
        self.every, self.min_interval_s, self._now = every, min_interval_s, now
        self.last_id = 0
        self.taken = 0
        self._last_at = -min_interval_s  # the first snapshot is not held back

    def due(self, journal_id: int, catching_up: bool = False) -> bool:
        """A snapshot is due: ``every`` rows and ``min_interval_s`` since the last one. During a catch-up it waits
        for the end, up to ``SNAPSHOT_DEFER_S`` after the last one: pickling a core that holds the whole backlog
        takes seconds with the line held, and a 100,000-broadcast catch-up that ran past ``min_interval_s`` paid it
        before its last broadcast was sequenced (``jis bench scale``: 36-48 s and ~600 MB resident against 25-28 s
        and 364 MB without)."""
        if journal_id - self.last_id < self.every:
            return False
        since = self._now() - self._last_at
        return since >= (self.min_interval_s + SNAPSHOT_DEFER_S if catching_up else self.min_interval_s)

    def take(self, core: Sequencer, check: SequenceCheck, journal_id: int) -> int | None:
        """Snapshot the state after ``journal_id``; None if there is nothing new since the last one."""
        if journal_id <= self.last_id:
            return None
        self.last_id, self._last_at = journal_id, self._now()  # a failure is not retried at once either
        try:
            blob = pickle.dumps((core, check), protocol=pickle.HIGHEST_PROTOCOL)
            snap = Snapshot(0, journal_id, core.state.last_at, self.code, core.fingerprint(), blob)
            snapshot_id = self.store.save_snapshot(snap, taken_at=time.time())
        except Exception:  # a snapshot is only a shortcut: never let it fail the event that triggered it
            log.exception("snapshot after journal row %d not written", journal_id)
            return None
        self.taken += 1
        return snapshot_id


# -- a paced re-run ---------------------------------------------------------------------------------------------
Progress = Callable[[Rebuilt, float], Awaitable[None] | None]


async def rerun(
    store: Store,
    plant: PlantConfig,
    *,
    speed: float,
    start: float | None = None,
    upto_id: int | None = None,
    until: float | None = None,
    max_gap_s: float = MAX_GAP_S,
    progress: Progress | None = None,
    now: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Rebuilt:
    """Re-run the journal ``speed`` times faster than it happened, from the moment ``start`` (at once up to
    there). ``progress(state, plant_time)`` is called at most every ``PROGRESS_S`` and after the last event."""
    if speed <= 0:
        raise ValueError("speed must be positive")
    state = rebuild(store, plant, until=start) if start is not None else Rebuilt.fresh(plant)
    origin: tuple[float, float] | None = None  # (plant time, real time) the pacing counts from
    previous, skipped, shown = 0.0, 0.0, now()
    for journal_id, event in store.journal(state.last_id, upto_id):
        if until is not None and event.at > until:
            break
        if origin is None:
            origin, previous = (event.at, now()), event.at
        skipped += max(0.0, event.at - previous - max_gap_s)
        previous = max(previous, event.at)
        delay = origin[1] + (previous - origin[0] - skipped) / speed - now()
        if delay > 0:
            await sleep(delay)
        state.apply(journal_id, event)
        if progress is not None and now() - shown >= PROGRESS_S:
            shown = now()
            await _maybe_await(progress(state, previous))
    if progress is not None:
        await _maybe_await(progress(state, state.core.state.last_at))
    return state


async def _maybe_await(result: Awaitable[None] | None) -> None:
    if result is not None:
        await result


# -- what a replay reports ------------------------------------------------------------------------------------
def summary(state: Rebuilt, store: Store) -> dict[str, Any]:
    """The figures a person checks after a replay, and the fingerprint that proves two states equal."""
    core = state.core
    vehicles = core.vehicle_statuses()
    deviations = Counter(d.kind for d in core.state.deviations.open_deviations())
    return {
        "journal_rows": store.last_id(),
        "replayed_to": state.last_id,
        "events_replayed": state.replayed,
        "events_refused": state.refused,
        "from_snapshot": None if state.snapshot is None else state.snapshot.journal_id,
        "plant_time": core.state.last_at,
        "feeds": {
            k: {"last_seq": f.last_seq, "broadcasts": f.broadcasts, "gaps": f.gaps, "duplicates": f.duplicates}
            for k, f in core.state.feeds.items()
        },
        "vehicles": dict(sorted(vehicles.items())),
        "racks_completed": core.state.racks_completed,
        "racks_shipped": core.state.racks_shipped,
        "labels_printed": core.state.labels_printed,
        "labels_waiting": sorted(core.state.unprinted),
        "labels_uncertain": sorted(core.state.uncertain),
        "lit": {k: core.state.picks[s.lit].bin for k, s in core.state.stations.items() if s.lit is not None},
        "open_deviations": dict(sorted(deviations.items())),
        "doubled": state.check.doubled,
        "out_of_sequence": state.check.out_of_sequence,
        "fingerprint": core.fingerprint(),
    }


def verify(store: Store, plant: PlantConfig) -> list[dict[str, Any]]:
    """Replay from scratch to every stored snapshot of this code and compare with the state it recorded."""
    code, results = code_version(plant), []
    for snap in store.snapshots():
        if snap.code != code:
            results.append({"snapshot": snap.id, "journal_id": snap.journal_id, "equal": None, "why": "other code"})
            continue
        replayed = rebuild(store, plant, upto_id=snap.journal_id, use_snapshot=False)
        equal = replayed.core.fingerprint() == snap.fingerprint
        results.append({"snapshot": snap.id, "journal_id": snap.journal_id, "equal": equal})
    return results


def verify_all(store: Store, plant: PlantConfig) -> list[dict[str, Any]]:
    """``verify`` to every snapshot, then one more row: a start from the newest snapshot plus the journal's tail
    against a replay of the whole journal from scratch (``snapshot`` None)."""
    results = verify(store, plant)
    scratch = rebuild(store, plant, use_snapshot=False)
    fast = rebuild(store, plant)
    same = scratch.last_id == fast.last_id and scratch.core.fingerprint() == fast.core.fingerprint()
    results.append({"snapshot": None, "journal_id": scratch.last_id, "equal": same})
    return results


class ReplayBus:
    """The replayed line on an HMI bus, so ``jis hmi --connect ENDPOINT`` shows the re-run as it goes."""

    def __init__(self, endpoint: str) -> None:
        import zmq.asyncio

        from app.hmi.bus import HmiPublisher

        self._ctx = zmq.asyncio.Context()
        self._bus = HmiPublisher(self._ctx, endpoint)
        self._revision = 0

    async def publish(self, state: Rebuilt, at: float) -> None:
        from sequencer.projection import line_view

        self._revision += 1
        vehicles = sum(f.broadcasts for f in state.core.state.feeds.values())
        view = line_view(state.core, rev=self._revision, at=at, quarantined=0, vehicles_broadcast=vehicles)
        await self._bus.publish(view)

    def close(self) -> None:
        self._bus.close()
        self._ctx.term()
