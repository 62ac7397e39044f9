"""OpcUaPickToLight against OpcUaPtlSim on 127.0.0.1 (a free port), dev security profile.

One simulator serves the whole module (an asyncua server takes seconds to start); ``fresh`` power-cycles its
board and heals every fault before each test, and each test runs its own driver. Every wait is an event or a
poll with a deadline; nothing asserts a duration. Security is tested in test_opcua_security.py.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from hardware_sims.opcua_ptl import OpcUaPtlSim
from plc_io.link import light_device
from plc_io.opcua import machinery, ptl_model
from plc_io.opcua.ptl import OpcUaPickToLight
from plc_io.ports import BinPressed, Colour, DeviceError, LightShown, LinkChanged, OutboxFull
from tests.devices import Reports, stop, until

pytestmark = pytest.mark.asyncio(loop_scope="module")

NAME = "ptl-ua"
DEADLINE_S = 15.0
LIGHTS = (1, 2, 3, 4, 5)


# -- helpers ----------------------------------------------------------------------------------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sim() -> AsyncIterator[OpcUaPtlSim]:
    controller = OpcUaPtlSim(LIGHTS)
    await controller.start()
    yield controller
    await controller.stop()


@pytest_asyncio.fixture(loop_scope="module")
async def fresh(sim: OpcUaPtlSim) -> OpcUaPtlSim:
    await sim.set_offline(False)
    sim.set_out_of_service(False)
    for light in LIGHTS:
        sim.set_light_online(light, True)
    sim.restart()
    await sim.published()
    return sim


def driver_for(sim: OpcUaPtlSim, lights: tuple[int, ...] = LIGHTS, **kwargs: Any) -> OpcUaPickToLight:
    settings: dict[str, Any] = {"timeout_s": 1.0, "resync_interval_s": 0.5} | kwargs
    return OpcUaPickToLight(NAME, sim.url, lights, **settings)


@contextlib.asynccontextmanager
async def running(driver: OpcUaPickToLight, *, wait_up: bool = True) -> AsyncIterator[Reports]:
    reports = Reports(NAME)
    task = asyncio.create_task(driver.run(reports))
    try:
        if wait_up:
            await until(lambda: reports.links() == [True], "link up")
        yield reports
    finally:
        await stop(task)


async def reads_pass(sim: OpcUaPtlSim, reads: int = 3) -> None:
    """Wait until clients have read ``reads`` more times (proof that later polls happened)."""
    target = sim.host.reads + reads
    await until(lambda: sim.host.reads >= target, f"{reads} more reads")


def show(driver: OpcUaPickToLight, light: int, token: int, *, colour: Colour = Colour.GREEN) -> None:
    driver.show(light, colour=colour, flash=True, display=1, token=token)


# -- lights -----------------------------------------------------------------------------------------------------
async def test_show_lights_the_bin_and_reports_shown(fresh: OpcUaPtlSim) -> None:
    driver = driver_for(fresh)
    async with running(driver) as reports:
        driver.show(2, colour=Colour.BLUE, flash=False, display=3, token=7001)
        await reports.shown(2, 7001)
        assert fresh.lit(2) == (Colour.BLUE, False, 3, 7001)
        assert fresh.board.state is machinery.MachineryItemState.EXECUTING
        driver.clear(2)
        await until(lambda: fresh.lit(2).colour is Colour.OFF, "light 2 off")
        await reports.shown(2, 0)
    assert reports.links() == [True]


async def test_press_reports_exactly_one_confirm_and_acknowledges_it(fresh: OpcUaPtlSim) -> None:
    driver = driver_for(fresh)
    async with running(driver) as reports:
        show(driver, 1, 11)
        await reports.shown(1, 11)
        fresh.press(1)
        await until(lambda: bool(reports.of(BinPressed)), "BinPressed")
        await until(lambda: fresh.board.bins[1].acknowledged == 1, "acknowledged by the host")
        await reads_pass(fresh)
    assert reports.of(BinPressed) == [BinPressed(device=NAME, light=1, token=11, count=1, counter=1)]


async def test_fast_presses_on_many_bins_are_all_counted_once(fresh: OpcUaPtlSim) -> None:
    """A notification queue of 1 overflows when presses arrive together: the resync policy loses nothing."""
    driver = driver_for(fresh, notification_queue=1, publish_interval_ms=100.0)
    async with running(driver) as reports:
        for light in LIGHTS:
            show(driver, light, 100 + light)
        for light in LIGHTS:
            await reports.shown(light, 100 + light)
        for round_ in range(3):
            for light in LIGHTS:
                for _ in range(1 + (light + round_) % 2):  # one or two presses inside one publish interval
                    fresh.press(light)
        expected = {light: fresh.board.bins[light].counter for light in LIGHTS}
        await until(lambda: all(reports.presses(n) == expected[n] for n in LIGHTS), "every press")
        await reads_pass(fresh)
    assert {n: reports.presses(n) for n in LIGHTS} == expected
    assert {(p.light, p.token) for p in reports.of(BinPressed)} == {(n, 100 + n) for n in LIGHTS}
    assert driver.overflows > 0  # five bins change inside one 100 ms publish: the queue of 1 must overflow


async def test_outbox_coalesces_per_light_and_refuses_when_full(fresh: OpcUaPtlSim) -> None:
    driver = driver_for(fresh, (1, 2, 3), outbox_size=2)
    lit_before = fresh.host.calls["Light"]
    show(driver, 1, 100)
    show(driver, 2, 200)
    show(driver, 1, 101)  # replaces the unsent 100
    with pytest.raises(OutboxFull):
        show(driver, 3, 300)
    async with running(driver) as reports:
        await reports.shown(1, 101)
        await reports.shown(2, 200)
    assert [r.token for r in reports.of(LightShown, light=1)] == [101]
    assert fresh.lit(1).token == 101
    assert fresh.host.calls["Light"] == lit_before + 2  # 100 was never sent


async def test_commands_are_checked_before_they_are_queued(sim: OpcUaPtlSim) -> None:
    driver = driver_for(sim, (1, 2), allowed_lights={1, 2})
    with pytest.raises(DeviceError, match="allowed_lights"):
        show(driver, 3, 1)
    with pytest.raises(ValueError, match="display"):
        driver.show(1, colour=Colour.RED, flash=False, display=10_000, token=1)
    with pytest.raises(ValueError, match="allowed_lights"):
        driver_for(sim, (1, 3), allowed_lights={1})
    with pytest.raises(ValueError, match="unique"):
        driver_for(sim, (1, 1))
    with pytest.raises(DeviceError, match="not configured"):
        show(driver_for(sim, (1, 2)), 9, 1)


# -- faults -----------------------------------------------------------------------------------------------------
async def test_light_off_the_bus_is_reported_once_and_restored(fresh: OpcUaPtlSim) -> None:
    driver = driver_for(fresh)
    light3 = light_device(NAME, 3)
    async with running(driver) as reports:
        fresh.set_light_online(3, False)
        show(driver, 3, 33)
        await until(lambda: reports.links(light3) == [False], "light 3 down")
        show(driver, 1, 10)  # the rest of the bus carries on
        await reports.shown(1, 10)
        fresh.press(3)  # latched in the light while it is off the bus
        await reads_pass(fresh)
        fresh.set_light_online(3, True)
        await until(lambda: reports.links(light3) == [False, True], "light 3 back")
        await reports.shown(3, 33)
        await until(lambda: reports.presses(3) == 1, "the press made off the bus")
        await reads_pass(fresh)
    assert fresh.lit(3).token == 33
    assert reports.presses(3) == 1
    assert reports.links() == [True]  # the controller link never went down


async def test_out_of_service_controller_is_a_link_down_and_relit_after(fresh: OpcUaPtlSim) -> None:
    driver = driver_for(fresh)
    async with running(driver) as reports:
        show(driver, 4, 44)
        await reports.shown(4, 44)
        fresh.set_out_of_service(True)
        await until(lambda: reports.links() == [True, False], "link down")
        assert "OutOfService" in reports.of(LinkChanged, device=NAME, up=False)[0].detail
        fresh.board.bins[4].shown = ptl_model.CLEAR  # maintenance switched it off meanwhile
        fresh.set_out_of_service(False)
        await until(lambda: reports.links() == [True, False, True], "link up again")
        await until(lambda: fresh.lit(4).token == 44, "light 4 lit again")


async def test_link_lost_mid_pick_loses_no_confirm_and_restores_the_lights(fresh: OpcUaPtlSim) -> None:
    driver = driver_for(fresh)
    async with running(driver) as reports:
        show(driver, 1, 21)
        show(driver, 2, 22)
        await reports.shown(1, 21)
        await reports.shown(2, 22)
        fresh.press(1)  # picked just before the cable goes
        await fresh.set_offline(True)
        await until(lambda: reports.links() == [True, False], "link down")
        fresh.press(2)  # picked while the host is away
        fresh.board.light(1, ptl_model.CLEAR)  # and the controller's failsafe darkened light 1
        await fresh.set_offline(False)
        await until(lambda: reports.links() == [True, False, True], "link up again")
        await until(lambda: fresh.lit(1).token == 21, "light 1 restored")
        await until(lambda: reports.presses() == 2, "both presses")
        await until(lambda: all(b.acknowledged == b.counter for b in fresh.board.bins.values()), "acknowledged")
        await reads_pass(fresh)
    assert sorted((p.light, p.token, p.count) for p in reports.of(BinPressed)) == [(1, 21, 1), (2, 22, 1)]


async def test_a_new_driver_counts_the_presses_its_predecessor_never_acknowledged(fresh: OpcUaPtlSim) -> None:
    """The device keeps the host's baseline (AcknowledgedCounter): a service restart loses no confirm."""
    fresh.board.light(5, ptl_model.LightState(colour=Colour.GREEN, blink=False, display=1, token=55))
    fresh.press(5)
    fresh.press(5)
    async with running(driver_for(fresh)) as reports:
        await until(lambda: reports.presses(5) == 2, "two presses from before the start")
        await reads_pass(fresh)
    async with running(driver_for(fresh)) as again:
        await reads_pass(fresh)
    assert reports.of(BinPressed) == [BinPressed(device=NAME, light=5, token=55, count=2, counter=2)]
    assert again.of(BinPressed) == []


async def test_a_press_acknowledged_but_not_journaled_is_reported_again_from_the_journaled_counter(
    fresh: OpcUaPtlSim,
) -> None:
    """A crash between the acknowledge and the journal commit: the service restores the journaled counter (one
    press behind the device's) and the press comes back; a counter already journaled reports nothing."""
    fresh.board.light(5, ptl_model.LightState(colour=Colour.GREEN, blink=False, display=1, token=55))
    fresh.press(5)
    async with running(driver_for(fresh)) as first:
        await until(lambda: fresh.board.bins[5].acknowledged == 1, "acknowledged by the host")
    assert first.of(BinPressed) == [BinPressed(device=NAME, light=5, token=55, count=1, counter=1)]
    restarted = driver_for(fresh)
    restarted.restore_counters({5: 0, 99: 4})  # the journal never saw that press; light 99 is not this driver's
    async with running(restarted) as again:
        await until(lambda: again.presses(5) == 1, "the unjournaled press, again")
    journaled = driver_for(fresh)
    journaled.restore_counters({5: 1})
    async with running(journaled) as third:
        await reads_pass(fresh)
    assert third.of(BinPressed) == []


async def test_power_cycle_reconnects_and_relights(fresh: OpcUaPtlSim) -> None:
    driver = driver_for(fresh)
    async with running(driver) as reports:
        show(driver, 2, 77)
        await reports.shown(2, 77)
        fresh.press(2)
        await until(lambda: reports.presses(2) == 1, "first press")
        fresh.restart()  # counters back to 0, lights dark, connections dropped
        await until(lambda: reports.links() == [True, False, True], "reconnected")
        await until(lambda: fresh.lit(2).token == 77, "light 2 restored")
        fresh.press(2)
        await until(lambda: reports.presses(2) == 2, "the press after the restart")
        await reads_pass(fresh)
    assert reports.presses(2) == 2


async def test_first_connect_is_retried(fresh: OpcUaPtlSim) -> None:
    await fresh.set_offline(True)
    async with running(driver_for(fresh), wait_up=False) as reports:
        await until(lambda: reports.links() == [False], "first connect failed")
        await fresh.set_offline(False)
        await until(lambda: reports.links() == [False, True], "connected on a retry")
