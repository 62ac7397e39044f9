"""Replay equality: the state rebuilt from the journal (from scratch, or from a snapshot plus the tail) is the
state the line had; a paced re-run follows the events' own times; a label pending at a restart is never resent.

The journal is a real database (``tests/databases.py``: SQLite, or PostgreSQL in the second pass) holding a
seeded, recorded stream (``app.proof.bench_core``: resends, gaps filled late, changes, holds, wrong picks, labels,
racks shipped, ticks).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import pickle
from collections.abc import Iterator

import pytest

from app.persist.store import SNAPSHOTS_KEPT, Snapshot, Store
from app.plant_time import parse_moment
from app.proof.bench_core import record_stream
from app.service.replay import (
    SNAPSHOT_DEFER_S,
    Rebuilt,
    Snapshotter,
    code_version,
    load_snapshot,
    rebuild,
    rerun,
    verify,
)
from sequencer.commands import PrintLabel
from sequencer.core import Sequencer, SequencerError
from sequencer.events import (
    BinConfirmed,
    BroadcastReceived,
    Event,
    LabelPrinted,
    LabelUncertain,
    ReprintLabel,
    ResolveDeviation,
)
from sequencer.plant import AlarmTimingConfig, PlantConfig
from tests.plants import DEMO_PLANT, demo_plant

VEHICLES = 60  # about 400 journal rows


@pytest.fixture(scope="module")
def plant() -> PlantConfig:
    return demo_plant()


@pytest.fixture(scope="module")
def stream(plant: PlantConfig) -> tuple[list[Event], str]:
    return record_stream(plant, vehicles=VEHICLES, seed=3)


@pytest.fixture
def store(database_url: str, stream: tuple[list[Event], str]) -> Iterator[Store]:
    s = Store(database_url)
    s.append_many([(e, None) for e in stream[0]])
    yield s
    s.close()


def fed(plant: PlantConfig, events: list[Event]) -> Sequencer:
    core = Sequencer(plant)
    for e in events:
        with contextlib.suppress(SequencerError):  # refused events are part of the stream; they change nothing
            core.handle(e)
    return core


# -- rebuilding ---------------------------------------------------------------------------------------------------
def test_replay_from_scratch_equals_the_recorded_state(store: Store, plant: PlantConfig, stream) -> None:
    events, recorded = stream
    state = rebuild(store, plant, use_snapshot=False)
    assert state.core.fingerprint() == recorded
    assert state.replayed == len(events) and state.last_id == len(events) and state.snapshot is None


@pytest.mark.parametrize("upto", [1, 57, 200, 395])
def test_replay_up_to_a_journal_row_equals_the_core_fed_that_prefix(store: Store, plant, stream, upto: int) -> None:
    events, _ = stream
    assert rebuild(store, plant, upto_id=upto).core.fingerprint() == fed(plant, events[:upto]).fingerprint()


def test_replay_until_a_moment_stops_before_the_first_later_event(store: Store, plant, stream) -> None:
    events, _ = stream
    moment = events[len(events) // 3].at
    prefix = []
    for e in events:
        if e.at > moment:
            break
        prefix.append(e)
    state = rebuild(store, plant, until=moment)
    assert state.last_id == len(prefix) and state.core.fingerprint() == fed(plant, prefix).fingerprint()


@pytest.mark.parametrize("at_row", [1, 250, 394])
def test_snapshot_plus_tail_equals_replay_from_scratch(store: Store, plant, stream, at_row: int) -> None:
    state = rebuild(store, plant, upto_id=at_row, use_snapshot=False)
    assert Snapshotter(store, plant, every=1).take(state.core, state.check, at_row) is not None
    fast = rebuild(store, plant)
    assert fast.snapshot is not None and fast.snapshot.journal_id == at_row
    assert fast.replayed == len(stream[0]) - at_row
    assert fast.core.fingerprint() == stream[1]
    assert fast.check.part_labels == rebuild(store, plant, use_snapshot=False).check.part_labels
    assert [r["equal"] for r in verify(store, plant)] == [True]


def test_a_snapshot_later_than_the_moment_asked_for_is_not_used(store: Store, plant, stream) -> None:
    late = rebuild(store, plant, upto_id=300, use_snapshot=False)
    Snapshotter(store, plant, every=1).take(late.core, late.check, 300)
    early = rebuild(store, plant, upto_id=200)
    assert early.snapshot is None and early.core.fingerprint() == fed(plant, stream[0][:200]).fingerprint()


def test_a_snapshot_of_other_code_or_damaged_is_ignored_and_the_journal_replayed(store: Store, plant, stream) -> None:
    state = rebuild(store, plant, upto_id=200)
    good = pickle.dumps((state.core, state.check))
    store.save_snapshot(Snapshot(0, 200, state.core.state.last_at, "other code", state.core.fingerprint(), good), 0.0)
    assert rebuild(store, plant).snapshot is None
    store.save_snapshot(Snapshot(0, 250, 0.0, code_version(plant), "0" * 64, b"not a pickle"), 0.0)
    assert load_snapshot(store, plant) is None
    store.save_snapshot(Snapshot(0, 300, 0.0, code_version(plant), "0" * 64, good), 0.0)  # fingerprint lies
    assert load_snapshot(store, plant) is None
    assert rebuild(store, plant).core.fingerprint() == stream[1]


def test_a_recorded_state_that_differs_from_the_replay_is_reported(store: Store, plant, capsys, jis) -> None:
    state = rebuild(store, plant, upto_id=200)
    state.core.state.labels_printed += 1  # the recorded state disagrees with its journal
    Snapshotter(store, plant, every=1).take(state.core, state.check, 200)
    assert [r["equal"] for r in verify(store, plant)] == [False]
    code = jis("replay", "--config", str(DEMO_PLANT), "--database", store.url, "--verify", "--json")
    assert code == 1 and json.loads(capsys.readouterr().out)[0]["equal"] is False


def test_snapshots_are_taken_every_n_rows_and_pruned(store: Store, plant) -> None:
    clock = FakeTime()
    snapshots = Snapshotter(store, plant, every=50, min_interval_s=10.0, now=clock)
    state = Rebuilt.fresh(plant)
    for journal_id, event in store.journal(upto_id=350):
        state.apply(journal_id, event)
        clock.now += 1.0  # one real second per row: the interval never holds a snapshot back
        if snapshots.due(journal_id):
            snapshots.take(state.core, state.check, journal_id)
    assert snapshots.taken == 7
    assert [s.journal_id for s in store.snapshots()] == [250, 300, 350][-SNAPSHOTS_KEPT:]
    assert snapshots.take(state.core, state.check, 350) is None, "nothing new since the last one"


def test_a_burst_of_rows_is_not_slowed_by_a_snapshot_every_n_rows(store: Store, plant) -> None:
    clock = FakeTime()
    snapshots = Snapshotter(store, plant, every=50, min_interval_s=10.0, now=clock)
    assert snapshots.due(50)
    snapshots.take(*_state_at(store, plant, 50), 50)
    assert not snapshots.due(300), "a catch-up: 250 rows within the interval"
    clock.now += 10.0
    assert snapshots.due(300)


def test_a_snapshot_due_waits_for_a_catch_up_to_end_within_a_bound(store: Store, plant) -> None:
    """A catch-up that runs past the interval is not held up by pickling the core it is filling: the snapshot waits
    for its end, and is taken anyway ``SNAPSHOT_DEFER_S`` after the last one."""
    clock = FakeTime()
    snapshots = Snapshotter(store, plant, every=50, min_interval_s=10.0, now=clock)
    snapshots.take(*_state_at(store, plant, 50), 50)
    clock.now += 10.0
    assert snapshots.due(300) and not snapshots.due(300, catching_up=True)
    clock.now += SNAPSHOT_DEFER_S - 1.0
    assert not snapshots.due(300, catching_up=True)
    clock.now += 1.0
    assert snapshots.due(300, catching_up=True), "a catch-up that never ends still gets its snapshot"


def _state_at(store: Store, plant: PlantConfig, row: int) -> tuple[Sequencer, object]:
    state = rebuild(store, plant, upto_id=row)
    return state.core, state.check


# -- a paced re-run -----------------------------------------------------------------------------------------------
class FakeTime:
    """Real time for the pacing, advanced only by the sleeps the re-run asks for."""

    def __init__(self) -> None:
        self.now, self.slept = 1000.0, 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds


def test_a_paced_rerun_follows_event_times_at_the_chosen_speed(store: Store, plant, stream) -> None:
    events, recorded = stream
    clock, seen = FakeTime(), []
    progress = lambda _state, at: seen.append(at)  # noqa: E731
    state = asyncio.run(rerun(store, plant, speed=50.0, max_gap_s=1e9, progress=progress, now=clock, sleep=clock.sleep))
    span = max(e.at for e in events) - events[0].at
    assert clock.slept == pytest.approx(span / 50.0)
    assert state.core.fingerprint() == recorded
    assert seen and seen == sorted(seen)


def test_a_paced_rerun_shortens_long_quiet_spells_and_can_start_later(store: Store, plant, stream) -> None:
    events, recorded = stream
    start = events[len(events) // 2].at
    clock = FakeTime()
    state = asyncio.run(rerun(store, plant, speed=1.0, start=start, max_gap_s=1.0, now=clock, sleep=clock.sleep))
    later = [e for e in events if e.at > start]
    assert clock.slept <= len(later) * 1.0 + 1e-6, "no quiet spell shown longer than max_gap"
    assert state.core.fingerprint() == recorded


def test_jis_replay_prints_the_summary_and_fingerprint(store: Store, plant, stream, capsys, jis) -> None:
    assert jis("replay", "--config", str(DEMO_PLANT), "--database", store.url, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["fingerprint"] == stream[1] and report["events_replayed"] == len(stream[0])
    assert report["vehicles"] == {"completed": VEHICLES} and report["doubled"] == 0
    assert jis("replay", "--config", str(DEMO_PLANT), "--database", store.url, "--upto", "10") == 0
    assert "journal row 10 of" in capsys.readouterr().out


def test_moments_are_epoch_seconds_or_iso_times_in_the_plant_zone() -> None:
    assert parse_moment("1700000000.5", "UTC") == 1700000000.5
    assert parse_moment("2025-03-05T10:15:00", "Europe/Berlin") == parse_moment("2025-03-05T09:15:00+00:00", "UTC")
    with pytest.raises(ValueError, match="yesterday"):
        parse_moment("yesterday", "UTC")


# -- a label pending at a restart ---------------------------------------------------------------------------------
def _picked(plant: PlantConfig) -> tuple[Sequencer, PrintLabel, list[Event]]:
    """A core whose first pick was confirmed: its part label has gone to the printer, unconfirmed."""
    core = Sequencer(plant)
    events: list[Event] = [BroadcastReceived(at=1.0, feed="L1", seq=1, vehicle_id="V1", options=("S1", "P040"))]
    core.handle(events[0])
    pick = core.state.picks[core.state.stations["ST-SEAT"].lit or 0]
    events.append(BinConfirmed(at=2.0, station="ST-SEAT", bin=pick.bin, token=pick.pick_id))
    sent = next(c for c in core.handle(events[1]) if isinstance(c, PrintLabel))
    return core, sent, events


def test_an_uncertain_label_is_never_pending_again_and_a_reprint_is_explicit(plant: PlantConfig) -> None:
    core, sent, _ = _picked(plant)
    label_id = sent.label.label_id
    raised = core.handle(LabelUncertain(at=3.0, label_id=label_id, reason="restart"))
    assert [type(c).__name__ for c in raised] == ["RaiseDeviation"]
    assert core.state.deviations.by_id[core.state.uncertain[label_id]].kind == "label_uncertain"
    assert label_id not in [c.label.label_id for c in core.pending_labels()], "a restart must not resend it"
    assert core.handle(LabelUncertain(at=3.5, label_id=label_id)) == [], "one deviation per label"
    commands = core.handle(ReprintLabel(at=4.0, user="lead", reason="checked the rack", label_id=label_id))
    reprint = next(c for c in commands if isinstance(c, PrintLabel))
    assert reprint.label.reprint == 1 and not core.state.uncertain
    core.handle(LabelPrinted(at=5.0, label_id=label_id))
    assert core.state.picks[core.state.labels[label_id]].labelled  # type: ignore[index]


def test_an_uncertain_label_found_on_the_part_is_resolved_without_printing(plant: PlantConfig) -> None:
    core, sent, _ = _picked(plant)
    label_id = sent.label.label_id
    core.handle(LabelUncertain(at=3.0, label_id=label_id, reason="restart"))
    printed = core.state.labels_printed
    resolve = ResolveDeviation(
        at=4.0, user="lead", reason="label is on the part", deviation_id=core.state.uncertain[label_id]
    )
    assert not [c for c in core.handle(resolve) if isinstance(c, PrintLabel)]
    assert core.state.labels_printed == printed + 1 and not core.state.uncertain and not core.state.unprinted


def test_uncertain_labels_survive_a_replay(database_url: str, plant: PlantConfig) -> None:
    core, sent, events = _picked(plant)
    events.append(LabelUncertain(at=3.0, label_id=sent.label.label_id))
    core.handle(events[-1])
    store = Store(database_url)
    try:
        store.append_many([(e, None) for e in events])
        replayed = rebuild(store, plant)
    finally:
        store.close()
    assert replayed.core.state.uncertain.keys() == {sent.label.label_id}
    assert replayed.core.fingerprint() == core.fingerprint()


def test_a_snapshot_depends_on_the_plants_alarm_timings(plant) -> None:
    """The pickled core carries the timings it was built with: other timings, another code version."""
    slower = plant.model_copy(update={"alarms": {"device_offline": AlarmTimingConfig(on_delay_s=10.0)}})
    assert code_version(slower) != code_version(plant)


def test_a_snapshot_depends_on_what_the_notice_rules_read(plant) -> None:
    """[ship_notices] on or off, its time-out and how many answered notices are kept change the core's state; where
    the notices go (outbox, link) does not."""
    from sequencer.plant import ShipNoticeConfig

    on = plant.model_copy(update={"ship_notices": ShipNoticeConfig()})
    assert len({code_version(plant), code_version(on)}) == 2
    shorter = plant.model_copy(update={"ship_notices": ShipNoticeConfig(ack_timeout_s=60)})
    elsewhere = plant.model_copy(update={"ship_notices": ShipNoticeConfig(outbox="edi/out", over_feed_link=False)})
    assert code_version(shorter) != code_version(on) == code_version(elsewhere)


def test_a_snapshot_depends_on_the_shift_calendar_and_what_picking_keeps_up_with(plant) -> None:
    """The pickled core counts due times in its calendar and judges the OEM line's rate against its feed's: another
    calendar or another keep-up rate, another code version."""
    from sequencer.plant import CalendarConfig

    breaks = plant.model_copy(
        update={"calendar": CalendarConfig.model_validate({"breaks": [{"start": "09:00", "end": "09:15"}]})}
    )
    faster = plant.model_copy(update={"feeds": (plant.feeds[0].model_copy(update={"keep_up_rate_per_h": 90.0}),)})
    assert len({code_version(plant), code_version(breaks), code_version(faster)}) == 3
