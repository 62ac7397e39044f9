"""A driver's link loss, as it reads at the default log level (WARNING, configured as ``jis`` configures it:
``app.logjson.configure``): exactly the project's own lines, one when the device goes away and one when it comes
back (``plc_io.link``), and none of the libraries' (pymodbus logs every refused reconnect at WARNING and a frame
dump at ERROR; asyncua's client logs a lost connection at ERROR, traceback and all). The device is away long
enough for several reconnects."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from app.logjson import LIBRARY_LEVELS, STARTUP, configure
from hardware_sims.clock import ManualClock
from hardware_sims.opcua_ptl import OpcUaPtlSim
from hardware_sims.ptl_gateway import PtlGatewaySim
from plc_io.modbus.ptl import ModbusPickToLight
from plc_io.opcua.ptl import OpcUaPickToLight
from tests.devices import Reports, stop, until

LIGHTS = (1, 2)
AWAY_S = 1.5  # the reconnect back-off starts at 0.05 s and doubles: five or more attempts refused meanwhile


@pytest.fixture
def default_log() -> Iterator[io.StringIO]:
    """What stderr would show at the default level, the process's logging put back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    named = [logging.getLogger(name) for name in (STARTUP, *LIBRARY_LEVELS)]
    levels = [logger.level for logger in named]
    stream = io.StringIO()
    configure("WARNING", stream=stream)
    try:
        yield stream
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for logger, old in zip(named, levels, strict=True):
            logger.setLevel(old)


def said(stream: io.StringIO) -> list[tuple[str, str, str]]:
    """(level, logger, message) per line, the time stamp left out."""
    lines = []
    for line in stream.getvalue().splitlines():
        _, _, level, rest = line.split(" ", 3)
        logger, message = rest.split(": ", 1)
        lines.append((level, logger, message))
    return lines


async def away_and_back(driver: Any, go: Callable[[bool], Any]) -> None:
    """Run ``driver`` until its link is up, take the device away, wait, bring it back, until the link is up again."""
    reports = Reports(driver.name)
    task = asyncio.create_task(driver.run(reports))
    try:
        await until(lambda: reports.links() == [True], "link up", within_s=20)
        await go(True)
        await until(lambda: reports.links() == [True, False], "link down", within_s=20)
        await asyncio.sleep(AWAY_S)
        await go(False)
        await until(lambda: reports.links() == [True, False, True], "link up again", within_s=20)
    finally:
        await stop(task)


@pytest.fixture
async def gateway() -> AsyncIterator[PtlGatewaySim]:
    sim = PtlGatewaySim(LIGHTS, clock=ManualClock())
    await sim.start()
    yield sim
    await sim.stop()


async def test_a_modbus_gateway_away_and_back_is_two_lines_of_ours(
    gateway: PtlGatewaySim, default_log: io.StringIO
) -> None:
    driver = ModbusPickToLight("ptl-seat", gateway.host, gateway.port, LIGHTS, timeout_s=0.5, poll_interval_s=0.01)
    await away_and_back(driver, gateway.set_gateway_down)
    lines = said(default_log)
    assert [(level, logger) for level, logger, _ in lines] == [("WARNING", "plc_io.modbus.ptl")] * 2, lines
    assert lines[0][2].startswith("ptl-seat: gateway link down ")
    assert lines[1][2].startswith("ptl-seat: gateway link up")


async def test_an_opcua_controller_away_and_back_is_two_lines_of_ours(default_log: io.StringIO) -> None:
    sim = OpcUaPtlSim(LIGHTS)
    await sim.start()
    try:
        driver = OpcUaPickToLight("ptl-bump", sim.url, LIGHTS, timeout_s=1.0, resync_interval_s=0.5)
        await away_and_back(driver, sim.set_offline)
    finally:
        await sim.stop()
    lines = [line for line in said(default_log) if not line[1].startswith("hardware_sims")]  # the simulator's own
    unsecured = [line for line in lines if "UNSECURED development profile" in line[2]]
    assert len(unsecured) == 1  # the dev profile's warning, said when the driver starts, not at every reconnect
    lines = [line for line in lines if line not in unsecured]
    assert [(level, logger) for level, logger, _ in lines] == [("WARNING", "plc_io.opcua.ptl")] * 2, lines
    assert lines[0][2].startswith("ptl-bump: controller link down ")
    assert lines[1][2].startswith("ptl-bump: controller link up")
