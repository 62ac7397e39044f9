"""The OEM line's status over loopback (docs/feed-protocol.md, "Line status"): the simulated OEM gateway stops its
line and runs it again on a real ZeroMQ socket, the real service journals each change once and moves due times; a
line stop raises no false late alarm, nor a silence alarm. Every wait is bounded."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator

from app.config import load_plant, with_free_ports
from app.persist.read_models import live_vehicles, vehicle_rows
from hardware_sims.clock import ManualClock
from hardware_sims.oem_feed import OemFeedSim
from sequencer.events import LineStatusReported, SetLineStatus, Tick
from sequencer.plant import PlantConfig
from sequencer.state import Feed
from sequencer.testing import by_hand
from tests.devices import until
from tests.fake_line import FakeLine, running

LEAD_S = 600.0
DUE_KINDS = {"late_warning", "late_alarm", "late", "silence"}


def short_lead_plant(database_url: str) -> PlantConfig:
    plant = with_free_ports(load_plant(), database=database_url)
    feed = plant.feeds[0].model_copy(
        update={"lead_time_s": LEAD_S, "warn_before_due_s": 300, "alarm_before_due_s": 120}
    )
    return plant.model_copy(update={"feeds": (feed,)})


@contextlib.asynccontextmanager
async def line_and_oem(database_url: str) -> AsyncIterator[tuple[FakeLine, OemFeedSim, ManualClock]]:
    """The service and the OEM gateway on one manual clock, once two vehicles are in (nobody picks them)."""
    plant = short_lead_plant(database_url)
    clock = ManualClock(start=1_790_000_000.0)
    sim = OemFeedSim.from_plant(plant, clock=clock, rng=random.Random(5), vehicles=2, heartbeat_s=0.05)
    async with running(plant, clock=clock.now) as line:
        task = asyncio.create_task(sim.run(), name="oem")
        try:
            feed = line.service.core.state.feeds["L1"]
            await until(lambda: feed.broadcasts == 1, "the first vehicle in")
            clock.advance(60)
            await until(lambda: feed.broadcasts == 2, "the second vehicle in")
            yield line, sim, clock
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def due_alarms(line: FakeLine) -> list[str]:
    return [d.kind for d in line.service.core.state.deviations.by_id.values() if d.kind in DUE_KINDS and d.active]


async def ticked_past(line: FakeLine, at: float) -> None:
    """A tick at or after ``at`` handled (the service ticks every second of real time)."""
    await line.service.submit(Tick(at=line.service.clock()))
    await until(lambda: line.service.core.state.last_at >= at, "time passed for the core")


def due_times(feed: Feed) -> list[float]:
    return sorted(v.due_at for v in feed.vehicles.values())


async def test_a_line_stop_from_the_oem_raises_no_false_late_alarm(database_url: str) -> None:
    async with line_and_oem(database_url) as (line, sim, clock):
        feed = line.service.core.state.feeds["L1"]
        first, second = due_times(feed)
        clock.advance(100)
        stop = clock.now()
        sim.stop_line()
        await until(lambda: feed.line_stopped_since is not None, "the OEM line's stop journaled")
        clock.advance(3 * LEAD_S)  # far past every due time, and five takts of silence
        await ticked_past(line, clock.now())
        assert due_alarms(line) == []
        sim.run_line()
        await until(lambda: feed.line_stopped_since is None, "the OEM line's restart journaled")
        restart = feed.line_restarted_at
        assert due_times(feed) == [restart + (first - stop), restart + (second - stop)]
        await ticked_past(line, clock.now())
        assert due_alarms(line) == []
        await until(lambda: sim.line_frames > 4, "the line status repeated with the heartbeats")
        store, core = line.service.store, line.service.core
        await until(lambda: vehicle_rows(store) == live_vehicles(core), "the read models show the moved due times")
    changes = [e for _, e in line.service.store.journal() if isinstance(e, LineStatusReported)]
    assert [e.state for e in changes] == ["stopped", "running"]  # journaled once per change


async def test_without_the_stop_the_same_wait_is_late(database_url: str) -> None:
    """The control: the same vehicles, the same wait, the line running: late alarms."""
    async with line_and_oem(database_url) as (line, _sim, clock):
        clock.advance(100 + 3 * LEAD_S)
        await ticked_past(line, clock.now())
        assert {"late_warning", "late_alarm", "late"} <= set(due_alarms(line))


async def test_a_lead_stops_the_line_by_hand(database_url: str) -> None:
    async with line_and_oem(database_url) as (line, _sim, clock):
        await line.service.submit_checked(by_hand(SetLineStatus, at=clock.now(), feed="L1", state="stopped"))
        clock.advance(3 * LEAD_S)
        await ticked_past(line, clock.now())
        assert due_alarms(line) == []
