"""A Modbus or OPC UA printer that goes silent is shown within the bound its docs state, idle or with a job.

The ZPL driver has its own (``test_printer_zpl_silence.py``). Here the cable to the print-and-apply PLC or the
OPC UA print engine is pulled (``tests.cable``: nothing answers, nothing closes, as a dead switch port) and the
driver must report ``LinkChanged(up=False)`` within ``poll_interval_s + timeout_s`` (Modbus, docs/printer-modbus.md)
or ``status_interval_s + timeout_s`` (OPC UA, docs/opcua.md), measured from the pull. The time-out is three times
the poll interval, so a driver that first closes its session politely (another ``timeout_s`` against a silent
peer) and only then reports fails the check; the check allows the bound plus one poll interval, so a loaded machine
does not fail it. Once the cable is back, a held job is followed to its end and printed once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from hardware_sims.clock import ManualClock
from hardware_sims.opcua_printer import OpcUaPrinterSim
from hardware_sims.printer_plc import PrinterPlcSim
from plc_io.modbus.printer import ModbusPrinter
from plc_io.opcua.printer import OpcUaPrinter
from sequencer.labels import PartLabel
from tests.cable import Cable
from tests.devices import Reports, until

INTERVAL_S, TIMEOUT_S = 0.5, 1.5
BOUND_S = INTERVAL_S + TIMEOUT_S  # the docs' figure: the poll interval plus one time-out
PRINT_S = 1.0
DEADLINE_S = 20.0


def part(n: int) -> PartLabel:
    return PartLabel(
        label_id=f"P{n}", feed="L1", seq=n, vehicle_id=f"WVWZZZ1JZXW{n:06d}", part="SEAT-LEATH-BLK-H",
        description="Front seat", family="seats", rack_no=1, slot=1, plant="SC01",
    )  # fmt: skip


@contextlib.asynccontextmanager
async def running(driver: ModbusPrinter | OpcUaPrinter) -> AsyncIterator[Reports]:
    reports = Reports()
    task = asyncio.create_task(driver.run(reports))
    try:
        await until(lambda: reports.links() == [True], "link up", within_s=DEADLINE_S)
        yield reports
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            async with asyncio.timeout(DEADLINE_S):
                await task


async def shown_within_bound(reports: Reports, cable: Cable) -> None:
    """The link reported down no later than the bound plus one poll interval after the pull."""
    assert cable.pulled_at is not None
    loop = asyncio.get_running_loop()
    deadline = cable.pulled_at + BOUND_S + INTERVAL_S
    for _ in range(int((BOUND_S + INTERVAL_S) / 0.005) + 1):
        if reports.links()[-1:] == [False]:
            return
        if loop.time() > deadline:
            break
        await asyncio.sleep(0.005)
    late = "still not" if reports.links()[-1:] != [False] else "only after the deadline"
    raise AssertionError(f"{late} shown within {BOUND_S + INTERVAL_S} s of the pull: {reports.items}")


@contextlib.asynccontextmanager
async def opcua_printer(clock: ManualClock, **settings: Any) -> AsyncIterator[tuple[OpcUaPrinterSim, Cable]]:
    sim = OpcUaPrinterSim(clock=clock, print_time_s=PRINT_S)
    await sim.start()
    try:
        async with Cable(sim.port) as cable:
            yield sim, cable
    finally:
        await sim.stop()


def opcua_driver(sim: OpcUaPrinterSim, cable: Cable) -> OpcUaPrinter:
    url = sim.url.replace(f":{sim.port}/", f":{cable.ports[0]}/")
    return OpcUaPrinter(
        "printer-ua", url, timeout_s=TIMEOUT_S, status_interval_s=INTERVAL_S, confirm_poll_s=INTERVAL_S / 5
    )


async def test_an_opcua_printer_gone_silent_while_idle_is_shown_within_the_bound() -> None:
    async with opcua_printer(ManualClock()) as (sim, cable), running(opcua_driver(sim, cable)) as reports:
        await asyncio.sleep(INTERVAL_S / 10)  # just after a status read: the next is a whole interval away
        cable.pull()
        await shown_within_bound(reports, cable)
        assert reports.faults() == []  # nothing answered at all: gone, not faulted
        cable.plug()
        await until(lambda: reports.links() == [True, False, True], "link back", within_s=DEADLINE_S)


async def test_an_opcua_printer_gone_silent_with_a_job_is_shown_and_prints_it_once() -> None:
    clock = ManualClock()
    async with opcua_printer(clock) as (sim, cable):
        driver = opcua_driver(sim, cable)
        async with running(driver) as reports:
            driver.print_label(part(1))
            await until(lambda: "P1#0" in sim.model.jobs, "the job at the printer", within_s=DEADLINE_S)
            cable.pull()  # the driver is confirming the job: its polls go unanswered
            await shown_within_bound(reports, cable)
            clock.advance(PRINT_S)  # the label prints while the host cannot see it
            await sim.wait_printed(1, DEADLINE_S)
            cable.plug()
            await until(lambda: reports.done() == ["P1"], "P1 followed to its end", within_s=DEADLINE_S)
        assert [p.label_id for p in sim.printed] == ["P1"]
        assert not any(f for f in reports.faults())


@contextlib.asynccontextmanager
async def modbus_printer(clock: ManualClock) -> AsyncIterator[tuple[PrinterPlcSim, Cable]]:
    async with PrinterPlcSim(clock=clock, print_time_s=PRINT_S) as plc, Cable(plc.port) as cable:
        yield plc, cable


def modbus_driver(cable: Cable) -> ModbusPrinter:
    return ModbusPrinter("printer-plc", "127.0.0.1", cable.ports[0], timeout_s=TIMEOUT_S, poll_interval_s=INTERVAL_S)


async def test_a_modbus_printer_gone_silent_while_idle_is_shown_within_the_bound() -> None:
    async with modbus_printer(ManualClock()) as (_, cable), running(modbus_driver(cable)) as reports:
        await asyncio.sleep(INTERVAL_S / 10)
        cable.pull()
        await shown_within_bound(reports, cable)
        cable.plug()
        await until(lambda: reports.links() == [True, False, True], "link back", within_s=DEADLINE_S)


async def test_a_modbus_printer_gone_silent_with_a_job_is_shown_and_prints_it_once() -> None:
    clock = ManualClock()
    async with modbus_printer(clock) as (plc, cable):
        driver = modbus_driver(cable)
        async with running(driver) as reports:
            driver.print_label(part(1))
            await plc.wait_until(lambda m: m.held is not None, DEADLINE_S)  # accepted: the engine holds it
            cable.pull()
            await shown_within_bound(reports, cable)
            clock.advance(PRINT_S)
            await plc.wait_printed(1, DEADLINE_S)
            cable.plug()
            await until(lambda: reports.done() == ["P1"], "P1 followed to its end", within_s=DEADLINE_S)
        assert [p.label_id for p in plc.printed] == ["P1"]
