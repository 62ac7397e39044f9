"""ModbusPickToLight against PtlGatewaySim on 127.0.0.1 (port 0), and the simulated operator.

The simulator runs on a ManualClock, so its failsafe and slowness move only when a test advances time; the
driver runs on real loop time with short timeouts. Every wait is an event or a poll with a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

from hardware_sims.clock import ManualClock
from hardware_sims.operator import PATIENCE_REACTIONS, SimulatedOperator
from hardware_sims.ptl_gateway import PtlGatewaySim
from plc_io.link import light_device
from plc_io.modbus import ptl_map as ptl
from plc_io.modbus.ptl import ModbusPickToLight
from plc_io.ports import BinPressed, Colour, DeviceError, LightShown, LinkChanged, OutboxFull
from tests.devices import Reports, stop, until

NAME = "ptl-test"
DEADLINE_S = 10.0
LIGHTS = (1, 2, 3, 4)


# -- helpers ----------------------------------------------------------------------------------------------------


async def yield_to_others(rounds: int = 20) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def sim(clock: ManualClock) -> AsyncIterator[PtlGatewaySim]:
    gateway = PtlGatewaySim(LIGHTS, clock=clock, watchdog_s=2.0)
    await gateway.start()
    yield gateway
    await gateway.stop()


def driver_for(sim: PtlGatewaySim, lights: tuple[int, ...] = LIGHTS, **kwargs: Any) -> ModbusPickToLight:
    settings: dict[str, Any] = {"timeout_s": 0.5, "poll_interval_s": 0.01} | kwargs
    return ModbusPickToLight(NAME, sim.host, sim.port, lights, **settings)


@contextlib.asynccontextmanager
async def running(driver: ModbusPickToLight, *, wait_up: bool = True) -> AsyncIterator[Reports]:
    reports = Reports(NAME)
    task = asyncio.create_task(driver.run(reports))
    try:
        if wait_up:
            await until(lambda: reports.links() == [True], "link up")
        yield reports
    finally:
        await stop(task)


async def polls_pass(sim: PtlGatewaySim, light: int, polls: int = 3) -> None:
    """Wait until the driver has read ``light`` ``polls`` more times (proof that later polls happened)."""
    target = sim.model.lights[light].reads + polls
    await until(lambda: sim.model.lights[light].reads >= target, f"{polls} more polls of light {light}")


def show(driver: ModbusPickToLight, light: int, token: int, *, colour: Colour = Colour.GREEN) -> None:
    driver.show(light, colour=colour, flash=True, display=1, token=token)


# -- lights -----------------------------------------------------------------------------------------------------
async def test_show_lights_the_bin_and_reports_shown(sim: PtlGatewaySim) -> None:
    driver = driver_for(sim)
    async with running(driver) as reports:
        driver.show(2, colour=Colour.BLUE, flash=False, display=3, token=7001)
        await reports.shown(2, 7001)
        assert sim.lit(2) == (Colour.BLUE, False, 3, 7001)
        driver.clear(2)
        await until(lambda: sim.lit(2).colour is Colour.OFF, "light 2 off")
        await reports.shown(2, 0)
    assert reports.links() == [True]


async def test_press_reports_exactly_one_confirm_with_the_token(sim: PtlGatewaySim) -> None:
    driver = driver_for(sim)
    async with running(driver) as reports:
        show(driver, 1, 11)
        await reports.shown(1, 11)
        sim.press(1)
        await until(lambda: bool(reports.of(BinPressed)), "BinPressed")
        await until(lambda: not sim.model.confirm(1).latched, "latch cleared by the host")
        await polls_pass(sim, 1)
    assert reports.of(BinPressed) == [BinPressed(device=NAME, light=1, token=11, count=1, counter=1)]


async def test_a_round_woken_by_a_command_reads_only_the_lights_showing_something(sim: PtlGatewaySim) -> None:
    """A dark light is read once a poll interval, not in every round a command wakes (3 of a pick's 7.8 exchanges
    in a shift were reads of dark lights)."""
    driver = driver_for(sim, poll_interval_s=30.0)  # no round but those the commands wake
    async with running(driver) as reports:
        await until(lambda: sim.model.lights[4].reads >= 1, "the first round, reading every light")
        dark, lit = sim.model.lights[2].reads, sim.model.lights[1].reads
        for token in range(1, 6):
            show(driver, 1, token)
            await reports.shown(1, token)
        await until(lambda: sim.model.lights[1].reads >= lit + 5, "light 1 read in each round")
        assert sim.model.lights[2].reads == dark


async def test_a_dark_light_pressed_is_reported_while_another_is_lit(sim: PtlGatewaySim) -> None:
    """A press on a dark light (a wrong pick) is still read, within a poll interval."""
    driver = driver_for(sim)
    async with running(driver) as reports:
        show(driver, 1, 11)
        await reports.shown(1, 11)
        sim.press(3)
        await until(lambda: bool(reports.of(BinPressed)), "BinPressed of the dark light")
    assert reports.of(BinPressed) == [BinPressed(device=NAME, light=3, token=0, count=1, counter=1)]


async def test_a_press_cleared_but_not_journaled_is_reported_again_from_the_journaled_counter(
    sim: PtlGatewaySim,
) -> None:
    """A crash between clearing the latch and the journal commit: the light's latch is gone, but the service
    restores the journaled counter (one behind the light's) and the press comes back; a journaled one does not."""
    driver = driver_for(sim)
    async with running(driver) as first:
        show(driver, 2, 12)
        await first.shown(2, 12)
        sim.press(2)
        await until(lambda: not sim.model.confirm(2).latched, "latch cleared by the host")
    assert first.of(BinPressed) == [BinPressed(device=NAME, light=2, token=12, count=1, counter=1)]
    restarted = driver_for(sim)
    restarted.restore_counters({2: 0, 99: 3})  # the journal never saw the press; light 99 is not this driver's
    async with running(restarted) as again:
        await until(lambda: again.presses(2) == 1, "the unjournaled press, again")
    journaled = driver_for(sim)
    journaled.restore_counters({2: 1})
    async with running(journaled) as third:
        await polls_pass(sim, 2)
    assert third.of(BinPressed) == []


async def test_two_fast_presses_are_both_reported(sim: PtlGatewaySim) -> None:
    driver = driver_for(sim)
    async with running(driver) as reports:
        show(driver, 3, 31)
        await reports.shown(3, 31)
        sim.press(3)
        sim.press(3)  # both inside one poll gap: the counter carries the second
        await until(lambda: sum(p.count for p in reports.of(BinPressed)) >= 2, "two presses")
        sim.press(3)  # and one more after the driver has cleared the latch
        await until(lambda: sum(p.count for p in reports.of(BinPressed)) >= 3, "third press")
        await polls_pass(sim, 3)
    presses = reports.of(BinPressed)
    assert sum(p.count for p in presses) == 3
    assert {(p.light, p.token) for p in presses} == {(3, 31)}


async def test_outbox_coalesces_per_light_and_refuses_when_full(sim: PtlGatewaySim) -> None:
    driver = driver_for(sim, (1, 2, 3), outbox_size=2)
    show(driver, 1, 100)
    show(driver, 2, 200)
    show(driver, 1, 101)  # replaces the unsent 100
    with pytest.raises(OutboxFull):
        show(driver, 3, 300)
    async with running(driver) as reports:
        await reports.shown(1, 101)
        await reports.shown(2, 200)
    assert [r.token for r in reports.of(LightShown, light=1)] == [101]
    assert sim.lit(1).token == 101


async def test_allowed_lights_refuse_other_unit_ids(sim: PtlGatewaySim) -> None:
    driver = driver_for(sim, (1, 2), allowed_lights={1, 2})
    with pytest.raises(DeviceError, match="allowed_lights"):
        show(driver, 3, 1)
    with pytest.raises(DeviceError, match="allowed_lights"):
        driver.clear(4)
    with pytest.raises(ValueError, match="allowed_lights"):
        driver_for(sim, (1, 3), allowed_lights={1})
    async with running(driver) as reports:
        await reports.shown(2, 0)
    assert (sim.model.lights[3].writes, sim.model.lights[3].reads) == (0, 0)


def test_show_validates_before_queueing(sim: PtlGatewaySim) -> None:
    driver = driver_for(sim)
    with pytest.raises(ValueError, match="display"):
        driver.show(1, colour=Colour.RED, flash=False, display=10_000, token=1)
    with pytest.raises(DeviceError, match="not configured"):
        show(driver, 9, 1)
    with pytest.raises(ValueError, match="unique"):
        driver_for(sim, (1, 1))


# -- faults -----------------------------------------------------------------------------------------------------
async def test_offline_light_is_reported_once_and_restored(sim: PtlGatewaySim) -> None:
    driver = driver_for(sim)
    light3 = light_device(NAME, 3)
    async with running(driver) as reports:
        sim.set_offline(3, True)
        show(driver, 3, 33)
        await until(lambda: reports.links(light3) == [False], "light 3 down")
        show(driver, 1, 10)  # the rest of the chain carries on
        await reports.shown(1, 10)
        await polls_pass(sim, 1)
        sim.set_offline(3, False)
        await until(lambda: reports.links(light3) == [False, True], "light 3 back")
        await reports.shown(3, 33)
    assert "0x0B" in reports.of(LinkChanged, device=light3, up=False)[0].detail
    assert sim.lit(3).token == 33
    assert reports.links() == [True]  # the gateway link never went down


async def test_unknown_unit_id_answers_0x0b(sim: PtlGatewaySim) -> None:
    driver = driver_for(sim, (1, 9))
    async with running(driver) as reports:
        await until(lambda: reports.links(light_device(NAME, 9)) == [False], "unit 9 down")
    assert "gateway target failed to respond" in reports.of(LinkChanged, device=light_device(NAME, 9))[0].detail


async def test_gateway_down_then_up_restores_lights_and_loses_no_confirm(
    sim: PtlGatewaySim, clock: ManualClock
) -> None:
    driver = driver_for(sim)
    async with running(driver) as reports:
        show(driver, 1, 21)
        await reports.shown(1, 21)
        await sim.set_gateway_down(True)
        await until(lambda: reports.links() == [True, False], "link down")
        sim.press(1)  # latched while the host is away
        clock.advance(5.0)  # past the 2 s watchdog: the failsafe turns the light off
        assert sim.lit(1).colour is Colour.OFF
        await sim.set_gateway_down(False)
        await until(lambda: reports.links() == [True, False, True], "link up again")
        await until(lambda: sim.lit(1) == (Colour.GREEN, True, 1, 21), "light 1 restored")
        await until(lambda: bool(reports.of(BinPressed)), "the press made while down")
        await polls_pass(sim, 1)
    assert reports.of(BinPressed) == [BinPressed(device=NAME, light=1, token=21, count=1, counter=1)]
    assert reports.links() == [True, False, True]


async def test_first_connect_is_retried(sim: PtlGatewaySim) -> None:
    await sim.set_gateway_down(True)
    async with running(driver_for(sim), wait_up=False) as reports:
        await until(lambda: reports.links() == [False], "first connect failed")
        await sim.set_gateway_down(False)
        await until(lambda: reports.links() == [False, True], "connected on a retry")


async def test_a_gateway_that_stops_answering_is_a_link_down(sim: PtlGatewaySim, clock: ManualClock) -> None:
    async with running(driver_for(sim, timeout_s=0.2)) as reports:
        sim.set_slow(60.0)  # simulated seconds: never, until the clock moves
        await until(lambda: reports.links() == [True, False], "link down on timeout")
        sim.set_slow(0.0)
        clock.advance(60.0)  # release the answers still held back
        await until(lambda: reports.links() == [True, False, True], "link up again")


# -- the simulated operator -------------------------------------------------------------------------------------
def light_up(sim: PtlGatewaySim, clock: ManualClock, light: int, token: int) -> None:
    command = ptl.LightCommand(colour=Colour.GREEN, animation=ptl.Animation.STEADY, display=1, token=token)
    sim.model.write(light, ptl.COMMAND.start, ptl.encode_command(command), clock.now())


@contextlib.asynccontextmanager
async def operating(operator: SimulatedOperator) -> AsyncIterator[SimulatedOperator]:
    task = asyncio.create_task(operator.run())
    try:
        yield operator
    finally:
        await stop(task)


async def test_operator_presses_once_per_token_after_the_reaction_time(clock: ManualClock) -> None:
    sim = PtlGatewaySim((1, 2, 3), clock=clock)  # the model only: no server needed
    operator = SimulatedOperator(sim, clock=clock, rng=random.Random(7), reaction_s=(2.0, 6.0))
    light_up(sim, clock, 2, 5)
    async with operating(operator):
        await until(lambda: operator.next_press_at is not None, "operator reaching")
        assert operator.next_press_at is not None
        reaction = operator.next_press_at - clock.now()
        assert 2.0 <= reaction <= 6.0
        clock.advance(reaction - 0.5)
        await yield_to_others()
        assert sim.model.confirm(2).counter == 0
        clock.advance(0.5)
        await until(lambda: sim.model.confirm(2).counter == 1, "press")
        assert sim.model.confirm(2).pressed_token == 5
        sim.model.write(2, ptl.COMMAND.start, ptl.encode_command(ptl.CLEAR), clock.now())
        light_up(sim, clock, 2, 5)  # re-lit with the same token (a resend after reconnect): no second press
        clock.advance(10.0)
        await yield_to_others()
        assert sim.model.confirm(2).counter == 1
        light_up(sim, clock, 2, 6)  # the next pick
        await until(lambda: operator.next_press_at is not None, "operator reaching again")
        clock.advance(6.0)
        await until(lambda: sim.model.confirm(2).counter == 2, "second press")
    assert (operator.presses, operator.wrong_presses, operator.misses) == (2, 0, 0)


def one_second_operator(clock: ManualClock) -> tuple[PtlGatewaySim, SimulatedOperator]:
    """A gateway model of three lights and an operator who always reacts in exactly one simulated second."""
    sim = PtlGatewaySim((1, 2, 3), clock=clock)
    return sim, SimulatedOperator(sim, clock=clock, rng=random.Random(7), reaction_s=(1.0, 1.0))


async def pressed(sim: PtlGatewaySim, operator: SimulatedOperator, clock: ManualClock, light: int, count: int,
                  what: str) -> None:  # fmt: skip
    """The operator reaches for ``light``, one second passes, and its press counter reaches ``count``."""
    await until(lambda: operator.next_press_at is not None, f"operator reaching: {what}")
    clock.advance(1.0)
    await until(lambda: sim.model.confirm(light).counter == count, what)


async def test_a_press_the_block_overtook_is_made_again_once_corrected(clock: ManualClock) -> None:
    """The operator pressed the green bin just before the host turned it red (a wrong pick elsewhere blocked the
    slot), so the press did not count: once a lead corrected it and it is green again, it is pressed again."""
    sim, operator = one_second_operator(clock)
    light_up(sim, clock, 2, 8)
    async with operating(operator):
        await pressed(sim, operator, clock, 2, 1, "the press")
        red = ptl.LightCommand(colour=Colour.RED, animation=ptl.Animation.FLASH, display=1, token=8)
        sim.model.write(2, ptl.COMMAND.start, ptl.encode_command(red), clock.now())  # blocked: the press is void
        await until(lambda: 2 not in operator._served, "the operator seeing the bin turn red")
        light_up(sim, clock, 2, 8)  # corrected: green again, same pick
        await pressed(sim, operator, clock, 2, 2, "the press made again")
    assert operator.presses == 2


async def test_a_press_that_did_not_take_is_made_again_once_patience_runs_out(clock: ManualClock) -> None:
    """The operator pressed just as the host held the vehicle: the press was judged against another bin, and
    after the release the bin is green with the same token again. It waits its patience (a counted press is
    cleared within a poll), then presses again; before that it does not (a resend after a reconnect)."""
    sim, operator = one_second_operator(clock)
    patience = PATIENCE_REACTIONS * 1.0
    light_up(sim, clock, 2, 6)
    async with operating(operator):
        await pressed(sim, operator, clock, 2, 1, "the press")
        sim.model.write(2, ptl.COMMAND.start, ptl.encode_command(ptl.CLEAR), clock.now())  # held: dark
        await yield_to_others()
        light_up(sim, clock, 2, 6)  # released: the same pick, the same token
        clock.advance(patience - 1.0)
        await yield_to_others()
        assert sim.model.confirm(2).counter == 1  # not yet: it may still be counted
        clock.advance(1.5)
        await pressed(sim, operator, clock, 2, 2, "the press made again")
    assert operator.presses == 2


async def test_a_pressed_light_that_stays_green_is_not_pressed_again(clock: ManualClock) -> None:
    """Its clear may not have reached it (a light cut off its bus): a second press there would be a wrong pick."""
    sim, operator = one_second_operator(clock)
    light_up(sim, clock, 2, 6)
    async with operating(operator):
        await pressed(sim, operator, clock, 2, 1, "the press")
        for _ in range(4):
            clock.advance(PATIENCE_REACTIONS * 1.0)
            await yield_to_others()
        assert sim.model.confirm(2).counter == 1 and operator.next_press_at is None
    assert operator.presses == 1


@pytest.mark.parametrize(("wrong_rate", "miss_rate"), [(1.0, 0.0), (0.0, 1.0)])
async def test_operator_error_rates(clock: ManualClock, wrong_rate: float, miss_rate: float) -> None:
    sim = PtlGatewaySim((1, 2, 3), clock=clock)
    operator = SimulatedOperator(
        sim, clock=clock, rng=random.Random(3), reaction_s=(1.0, 1.0), wrong_rate=wrong_rate, miss_rate=miss_rate
    )
    light_up(sim, clock, 1, 9)
    async with operating(operator):
        await until(lambda: operator.next_press_at is not None, "operator reaching")
        clock.advance(1.0)
        await until(lambda: operator.wrong_presses + operator.misses == 1, "one wrong press or miss")
    assert sim.model.confirm(1).counter == 0
    assert operator.presses == 0
    assert sum(sim.model.confirm(light).counter for light in (2, 3)) == operator.wrong_presses


async def test_operator_serves_only_its_own_lights(clock: ManualClock) -> None:
    sim = PtlGatewaySim((1, 2, 3), clock=clock)
    operator = SimulatedOperator(sim, clock=clock, rng=random.Random(5), reaction_s=(1.0, 1.0), lights=(1, 2))
    light_up(sim, clock, 3, 8)  # another station's bin on the same gateway
    async with operating(operator):
        await yield_to_others()
        assert operator.next_press_at is None
        light_up(sim, clock, 1, 4)
        await until(lambda: operator.next_press_at is not None, "operator reaching for its own bin")
        clock.advance(1.0)
        await until(lambda: operator.presses == 1, "press")
    assert (sim.model.confirm(1).counter, sim.model.confirm(3).counter) == (1, 0)


@pytest.mark.parametrize(
    "settings", [{"reaction_s": (3.0, 2.0)}, {"reaction_s": (0.0, 0.0)}, {"wrong_rate": 0.6, "miss_rate": 0.6}]
)
def test_operator_refuses_bad_settings(clock: ManualClock, settings: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="bad operator settings"):
        SimulatedOperator(PtlGatewaySim((1,), clock=clock), clock=clock, rng=random.Random(0), **settings)


async def test_operator_confirm_reaches_the_driver(sim: PtlGatewaySim, clock: ManualClock) -> None:
    driver = driver_for(sim)
    operator = SimulatedOperator(sim, clock=clock, rng=random.Random(11), reaction_s=(0.5, 1.5))
    async with running(driver) as reports, operating(operator):
        show(driver, 4, 77)
        await until(lambda: operator.next_press_at is not None, "operator reaching")
        clock.advance(1.5)  # the longest reaction, within the 2 s watchdog the driver's polls keep refreshing
        await until(lambda: bool(reports.of(BinPressed)), "BinPressed")
    assert reports.of(BinPressed) == [BinPressed(device=NAME, light=4, token=77, count=1, counter=1)]
