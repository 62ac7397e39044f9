"""The pick-to-light port's contract, held by the in-memory fake (``plc_io.fakes``) as by a real driver.

Each test runs twice: against ``FakePickToLight`` and against ``ModbusPickToLight`` over ``PtlGatewaySim`` on
127.0.0.1, through the same rig (show, press, look at a light, take the link away and give it back). So the
service tests that use the fake lean on behaviour the real driver has: a light shown once it went out, a press
reported once with the token lit at the press and the light's counter, counted from the journaled counters, the
link reported once per change, and a press made while the link was down reported when it returns.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Protocol

import pytest

from hardware_sims.clock import ManualClock
from hardware_sims.ptl_gateway import PtlGatewaySim
from plc_io.fakes import FakePickToLight
from plc_io.modbus.ptl import ModbusPickToLight
from plc_io.ports import BinPressed, Colour, PickToLight
from tests.devices import Reports, stop, until

NAME = "ptl-contract"
LIGHTS = (1, 2, 3)


class Rig(Protocol):
    """A light controller and the plant side of it."""

    def driver(self) -> PickToLight: ...
    def press(self, light: int) -> None: ...
    def token(self, light: int) -> int: ...
    async def link(self, up: bool) -> None: ...


class FakeRig:
    def __init__(self) -> None:
        self.device = FakePickToLight(NAME, LIGHTS)

    def driver(self) -> PickToLight:
        return self.device  # device and driver are one object: its counters are the device's

    def press(self, light: int) -> None:
        self.device.press(light)

    def token(self, light: int) -> int:
        return self.device.shown[light].token

    async def link(self, up: bool) -> None:
        self.device.come_up() if up else self.device.go_down()


class ModbusRig:
    def __init__(self, sim: PtlGatewaySim) -> None:
        self.sim = sim

    def driver(self) -> PickToLight:
        return ModbusPickToLight(NAME, self.sim.host, self.sim.port, LIGHTS, timeout_s=0.5, poll_interval_s=0.01)

    def press(self, light: int) -> None:
        self.sim.press(light)

    def token(self, light: int) -> int:
        return self.sim.lit(light).token

    async def link(self, up: bool) -> None:
        await self.sim.set_gateway_down(not up)


@contextlib.asynccontextmanager
async def fake() -> AsyncIterator[Rig]:
    yield FakeRig()


@contextlib.asynccontextmanager
async def modbus() -> AsyncIterator[Rig]:
    sim = PtlGatewaySim(LIGHTS, clock=ManualClock())
    await sim.start()
    try:
        yield ModbusRig(sim)
    finally:
        await sim.stop()


RIGS: dict[str, Callable[[], contextlib.AbstractAsyncContextManager[Rig]]] = {"fake": fake, "modbus": modbus}


@contextlib.asynccontextmanager
async def running(driver: PickToLight) -> AsyncIterator[Reports]:
    reports = Reports(NAME)
    task = asyncio.create_task(driver.run(reports))
    try:
        await until(lambda: reports.links() == [True], "link up")
        yield reports
    finally:
        await stop(task)


def show(driver: PickToLight, light: int, token: int) -> None:
    driver.show(light, colour=Colour.GREEN, flash=False, display=1, token=token)


@pytest.mark.parametrize("kind", list(RIGS))
async def test_a_light_is_shown_and_each_press_reported_once_with_its_token(kind: str) -> None:
    async with RIGS[kind]() as rig:
        driver = rig.driver()
        async with running(driver) as reports:
            show(driver, 1, 11)
            await reports.shown(1, 11)
            assert rig.token(1) == 11
            rig.press(1)
            await until(lambda: reports.presses(1) == 1, "the press on light 1")
            show(driver, 2, 12)
            await reports.shown(2, 12)
            rig.press(2)
            await until(lambda: reports.presses(2) == 1, "the press on light 2")
            driver.clear(1)
            await until(lambda: rig.token(1) == 0, "light 1 dark")  # (every light was shown dark on connect)
    assert reports.of(BinPressed) == [
        BinPressed(device=NAME, light=1, token=11, count=1, counter=1),
        BinPressed(device=NAME, light=2, token=12, count=1, counter=1),
    ]
    assert reports.links() == [True]


@pytest.mark.parametrize("kind", list(RIGS))
async def test_presses_count_from_the_journaled_counters(kind: str) -> None:
    async with RIGS[kind]() as rig:
        for _ in range(3):
            rig.press(1)  # three presses; the journal holds the first two (a crash lost the third)
        driver = rig.driver()
        driver.restore_counters({1: 2})
        async with running(driver) as reports:
            await until(lambda: reports.presses(1) == 1, "the press the journal missed")
            show(driver, 2, 5)
            await reports.shown(2, 5)
    assert reports.of(BinPressed) == [BinPressed(device=NAME, light=1, token=0, count=1, counter=3)]


@pytest.mark.parametrize("kind", list(RIGS))
async def test_a_lost_link_is_reported_once_each_way_and_loses_no_press(kind: str) -> None:
    async with RIGS[kind]() as rig:
        driver = rig.driver()
        async with running(driver) as reports:
            show(driver, 1, 21)
            await reports.shown(1, 21)
            await rig.link(up=False)
            await until(lambda: reports.links() == [True, False], "link down")
            rig.press(1)  # latched while the host is away
            show(driver, 2, 22)  # queued while the host is away
            await rig.link(up=True)
            await until(lambda: reports.links() == [True, False, True], "link up again")
            await until(lambda: reports.presses(1) == 1, "the press made while down")
            await reports.shown(2, 22)
            await until(lambda: rig.token(1) == 21, "light 1 as it was lit")
    assert reports.of(BinPressed) == [BinPressed(device=NAME, light=1, token=21, count=1, counter=1)]
    assert reports.links() == [True, False, True]
    assert rig.token(2) == 22
