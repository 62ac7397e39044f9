"""ModbusPrinter against PrinterPlcSim on 127.0.0.1 (port 0): jobs, faults, link loss mid-job, exactly once.

The simulator runs on a ManualClock, so a label prints only when a test advances time; the driver runs on real
loop time with short timeouts. Every wait is an event or a poll with a deadline. The soak test uses a seeded
random plan of link cuts and faults on a ScaledClock and checks that no label is lost or printed twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import random
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pymodbus.client import AsyncModbusTcpClient

from hardware_sims.clock import Clock, ManualClock, ScaledClock
from hardware_sims.printer_plc import PrinterPlcSim
from plc_io.label_gate import LabelRefused
from plc_io.modbus import printer_map as prn
from plc_io.modbus.printer import ModbusPrinter
from plc_io.ports import LinkChanged, OutboxFull
from sequencer.labels import PartLabel, RackLabel
from tests.devices import Reports, stop, until

NAME = "printer-test"
DEADLINE_S = 10.0
PRINT_S = 1.0  # simulated seconds per label


# -- helpers ----------------------------------------------------------------------------------------------------


def part(n: int, *, reprint: int = 0) -> PartLabel:
    return PartLabel(
        label_id=f"P{n}",
        feed="F1",
        seq=9990 + n,
        vehicle_id=f"WVWZZZ1JZXW{n:06d}",
        part="5G0881105",
        description="Seat, driver side",
        family="SEAT",
        rack_no=1 + n // 12,
        slot=n % 12,
        plant="WOB",
        reprint=reprint,
    )


def rack(n: int) -> RackLabel:
    return RackLabel(
        label_id=f"R-F1-SEAT-{n}",
        feed="F1",
        family="SEAT",
        rack_no=n,
        low_seq=9990,
        high_seq=1,
        slots=12,
        plant="WOB",
        line="L1",
        dock="D4",
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def sim(clock: ManualClock) -> AsyncIterator[PrinterPlcSim]:
    async with PrinterPlcSim(clock=clock, print_time_s=PRINT_S) as plc:
        yield plc


def driver_for(sim: PrinterPlcSim, **kwargs: Any) -> ModbusPrinter:
    settings: dict[str, Any] = {"timeout_s": 0.5, "poll_interval_s": 0.005} | kwargs
    return ModbusPrinter(NAME, sim.host, sim.port, **settings)


@contextlib.asynccontextmanager
async def running(driver: ModbusPrinter, *, wait_up: bool = True) -> AsyncIterator[Reports]:
    reports = Reports()
    task = asyncio.create_task(driver.run(reports))
    try:
        if wait_up:
            await until(lambda: reports.links()[-1:] == [True], "link up")
            # A first connect that timed out (the test's loop held up past the driver's 0.5 s) is the driver's retry
            # at work, not what these tests are about: their link history starts at the link coming up.
            up = max(i for i, r in enumerate(reports.items) if isinstance(r, LinkChanged) and r.up)
            del reports.items[:up]
        yield reports
    finally:
        await stop(task)


async def finish(sim: PrinterPlcSim, clock: ManualClock, job_id: int) -> None:
    """Wait until the PLC holds job ``job_id``, then let one label's print time pass."""
    await sim.wait_until(lambda m: m.status.accepted_job_id == job_id and m.held is not None, DEADLINE_S)
    clock.advance(PRINT_S)
    await sim.wait_until(lambda m: m.status.printed_job_id == job_id, DEADLINE_S)


async def polls_pass(sim: PrinterPlcSim, polls: int = 3) -> None:
    """Wait until the driver has read the counters ``polls`` more times (proof that later polls happened)."""
    target = sim.requests[4] + polls
    await until(lambda: sim.requests[4] >= target, f"{polls} more polls")


def printed(sim: PrinterPlcSim) -> list[tuple[str, int]]:
    return [(p.label_id, p.job_id) for p in sim.printed]


# -- jobs -------------------------------------------------------------------------------------------------------
async def test_prints_part_and_rack_labels_once_each(sim: PrinterPlcSim, clock: ManualClock) -> None:
    driver = driver_for(sim)
    async with running(driver) as reports:
        driver.print_label(part(1))
        driver.print_label(rack(2))
        await finish(sim, clock, 1)
        await finish(sim, clock, 2)
        await until(lambda: reports.done() == ["P1", "R-F1-SEAT-2"], "both labels done")
        await polls_pass(sim)
    assert [p.label for p in sim.printed] == [part(1), rack(2)]
    assert printed(sim) == [("P1", 1), ("R-F1-SEAT-2", 2)]
    assert (reports.links(), reports.faults(), driver.queued) == ([True], [], 0)
    assert (sim.requests[16], sim.requests[5], sim.model.status.starts_ignored) == (2, 2, 0)


async def test_wire_golden_bit_and_word_order(sim: PrinterPlcSim) -> None:
    """Raw Modbus TCP frames, no pymodbus client: the bit and word order a PLC programmer sees on the wire."""
    sim.set_fault(media_out=True)
    sim.model.status = prn.Status(accepted_job_id=0x0001_2345, printed_job_id=0x0001_2344, end_print_count=0xBEEF)
    reader, writer = await asyncio.open_connection(sim.host, sim.port)
    try:

        async def ask(pdu: bytes, answer_len: int) -> bytes:
            writer.write(bytes([0, 1, 0, 0, 0, len(pdu) + 1, 1]) + pdu)  # MBAP: tid 1, protocol 0, length, unit 1
            async with asyncio.timeout(DEADLINE_S):
                return (await reader.readexactly(7 + answer_len))[7:]

        # FC2, 6 inputs: SERVICE REQUIRED (bit 2) + MEDIA OUT (bit 3), LSB first in the data byte = 0x0C
        assert await ask(bytes.fromhex("02 0000 0006"), 3) == bytes.fromhex("02 01 0C")
        # FC4, 9 registers: u32 job ids high word first, big-endian bytes
        status = await ask(bytes.fromhex("04 0000 0009"), 2 + 18)
        assert status[:2] == bytes.fromhex("04 12")  # byte count 18
        assert status[2:10] == bytes.fromhex("0001 2345 0001 2344")
        assert status[-2:] == bytes.fromhex("BEEF")
        # FC5 START PRINT on (FF00) is echoed, then FC1 shows it clear: the PLC scanned it (id 0 is a duplicate)
        assert await ask(bytes.fromhex("05 0000 FF00"), 5) == bytes.fromhex("05 0000 FF00")
        assert await ask(bytes.fromhex("01 0000 0004"), 3) == bytes.fromhex("01 01 00")
    finally:
        writer.close()


async def test_a_retry_is_ignored_and_a_restarted_driver_continues_the_count(
    sim: PrinterPlcSim, clock: ManualClock
) -> None:
    first = driver_for(sim)
    async with running(first) as reports:
        first.print_label(part(1))
        await finish(sim, clock, 1)
        await until(lambda: reports.done() == ["P1"], "P1 done")
    retry = AsyncModbusTcpClient(sim.host, port=sim.port, timeout=1.0, retries=0)
    try:  # a client that retries the whole job: the same job block and START again
        assert await retry.connect()
        assert not (await retry.write_registers(0, prn.encode_job(1, part(1)), device_id=1)).isError()
        assert not (await retry.write_coil(prn.START_PRINT, True, device_id=1)).isError()
        await sim.wait_until(lambda m: m.status.start_result is prn.StartResult.DUPLICATE, DEADLINE_S)
    finally:
        retry.close()
    clock.advance(10 * PRINT_S)
    assert (printed(sim), sim.model.status.starts_ignored) == ([("P1", 1)], 1)
    second = driver_for(sim)  # a restarted service: it must continue at job 2, not start again at 1
    async with running(second) as reports:
        second.print_label(part(2))
        await finish(sim, clock, 2)
        await until(lambda: reports.done() == ["P2"], "P2 done")
    assert printed(sim) == [("P1", 1), ("P2", 2)]


async def test_print_label_refuses_duplicates_bad_data_and_a_full_outbox(sim: PrinterPlcSim) -> None:
    driver = driver_for(sim, outbox_size=2)
    driver.print_label(part(1))
    with pytest.raises(LabelRefused, match="already accepted"):
        driver.print_label(part(1))
    driver.print_label(part(1, reprint=1))  # a reprint carries a new reprint number
    with pytest.raises(OutboxFull):
        driver.print_label(part(2))
    driver = driver_for(sim)
    with pytest.raises(LabelRefused, match="longer than 30"):
        driver.print_label(dataclasses.replace(part(3), part="X" * 31))
    assert driver.queued == 0
    with pytest.raises(ValueError, match="device_id"):
        driver_for(sim, device_id=0)


# -- faults -----------------------------------------------------------------------------------------------------
FAULT_NAMES = {
    "media_out": ("media out", "service required"),
    "ribbon_out": ("ribbon out", "service required"),
    "service_required": ("service required",),
}


@pytest.mark.parametrize("fault", sorted(FAULT_NAMES))
async def test_a_fault_holds_the_job_until_cleared(sim: PrinterPlcSim, clock: ManualClock, fault: str) -> None:
    driver = driver_for(sim)
    sim.set_fault(**{fault: True})
    async with running(driver) as reports:
        await until(reports.fault_seen(FAULT_NAMES[fault]), f"{fault} reported")
        driver.print_label(part(1))
        await polls_pass(sim)
        assert (sim.requests[16], sim.requests[5]) == (0, 0)  # nothing sent to a faulted engine
        sim.set_fault(**{fault: False})
        await finish(sim, clock, 1)
        await until(lambda: reports.done() == ["P1"], "P1 done")
    assert reports.faults() == [FAULT_NAMES[fault], ()]
    assert printed(sim) == [("P1", 1)]


async def test_a_fault_in_the_middle_of_a_label_prints_it_once_after(sim: PrinterPlcSim, clock: ManualClock) -> None:
    driver = driver_for(sim)
    async with running(driver) as reports:
        driver.print_label(part(1))
        await sim.wait_until(lambda m: m.held is not None, DEADLINE_S)
        sim.set_fault(ribbon_out=True)
        clock.advance(5 * PRINT_S)
        await until(reports.fault_seen(FAULT_NAMES["ribbon_out"]), "ribbon out reported")
        assert sim.printed == []
        sim.set_fault(ribbon_out=False)
        await finish(sim, clock, 1)
        await until(lambda: reports.done() == ["P1"], "P1 done")
        await polls_pass(sim)
    assert printed(sim) == [("P1", 1)]
    assert reports.faults() == [FAULT_NAMES["ribbon_out"], ()]


async def test_pause_input_is_a_fault_and_ribbon_low_is_not(sim: PrinterPlcSim, clock: ManualClock) -> None:
    driver = driver_for(sim)
    async with running(driver) as reports:
        sim.set_fault(ribbon_low=True)
        sim.model.write(prn.Table.COIL, prn.COIL_ADDRESS["pause"], [True], clock.now())  # paused at the panel
        await until(reports.fault_seen(("service required", "paused")), "paused reported")
        sim.model.write(prn.Table.COIL, prn.COIL_ADDRESS["pause"], [False], clock.now())
        await until(reports.fault_seen(()), "pause cleared")
    assert reports.faults() == [("service required", "paused"), ()]


async def test_reprint_pressed_at_the_line_is_reported(sim: PrinterPlcSim, clock: ManualClock) -> None:
    driver = driver_for(sim)
    async with running(driver) as reports:
        driver.print_label(part(1))
        await finish(sim, clock, 1)
        await until(lambda: reports.done() == ["P1"], "P1 done")
        sim.model.write(prn.Table.COIL, prn.COIL_ADDRESS["reprint"], [True], clock.now())
        await sim.wait_until(lambda m: m.held is not None, DEADLINE_S)
        clock.advance(PRINT_S)
        await until(reports.fault_seen(("unexpected labels: 1",)), "extra label reported")
        await until(lambda: reports.faults()[-1] == (), "note cleared")
    assert [p.by_reprint_signal for p in sim.printed] == [False, True]
    assert reports.done() == ["P1"]


# -- link loss --------------------------------------------------------------------------------------------------
async def test_offline_between_jobs_queues_and_recovers(sim: PrinterPlcSim, clock: ManualClock) -> None:
    driver = driver_for(sim)
    async with running(driver) as reports:
        await sim.set_offline(True)
        await until(lambda: reports.links() == [True, False], "link down")
        driver.print_label(part(1))
        await sim.set_offline(False)
        await until(lambda: reports.links() == [True, False, True], "link up again")
        await finish(sim, clock, 1)
        await until(lambda: reports.done() == ["P1"], "P1 done")
    assert printed(sim) == [("P1", 1)]


async def test_offline_with_a_request_unanswered_is_seen_at_once_not_after_the_time_out(sim: PrinterPlcSim) -> None:
    """The PLC drops the connection while a poll waits for its answer: the link is down at once, not after the
    driver's 30 s time-out (pymodbus alone keeps such a request waiting for its full time-out)."""
    driver = driver_for(sim, timeout_s=30.0)
    async with running(driver) as reports:
        sim.set_silent(True)  # the next poll's request is read but never answered
        await asyncio.sleep(0.2)  # not a measurement: lets the driver send it
        await sim.set_offline(True)
        await until(lambda: reports.links() == [True, False], "link down", within_s=1.5)
        sim.set_silent(False)
        await sim.set_offline(False)
        await until(lambda: reports.links() == [True, False, True], "link up again")


@pytest.mark.parametrize(
    ("function_code", "after_apply"),
    [(16, False), (16, True), (5, False), (5, True)],
    ids=["job-block-lost", "job-block-answer-lost", "start-lost", "start-answer-lost"],
)
async def test_reconnect_in_the_middle_of_a_job_prints_it_exactly_once(
    sim: PrinterPlcSim, clock: ManualClock, function_code: int, after_apply: bool
) -> None:
    driver = driver_for(sim)
    async with running(driver) as reports:
        sim.cut_link(function_code, after_apply=after_apply)
        driver.print_label(part(1))
        await until(lambda: reports.links() == [True, False, True], "link down and up")
        await finish(sim, clock, 1)
        await until(lambda: reports.done() == ["P1"], "P1 done")
        driver.print_label(part(2))  # and the next job goes on normally
        await finish(sim, clock, 2)
        await until(lambda: reports.done() == ["P1", "P2"], "P2 done")
    assert printed(sim) == [("P1", 1), ("P2", 2)]
    assert reports.faults() == []
    assert sim.model.status.starts_ignored == 0  # the driver never needed the PLC's duplicate guard


async def test_offline_while_printing_reports_the_label_after_reconnect(sim: PrinterPlcSim, clock: ManualClock) -> None:
    driver = driver_for(sim)
    async with running(driver) as reports:
        driver.print_label(part(1))
        await sim.wait_until(lambda m: m.held is not None, DEADLINE_S)
        await sim.set_offline(True)
        await until(lambda: reports.links() == [True, False], "link down")
        clock.advance(PRINT_S)  # the label prints while the host cannot see it
        await sim.wait_printed(1, DEADLINE_S)
        await sim.set_offline(False)
        await until(lambda: reports.done() == ["P1"], "P1 done after reconnect")
    assert printed(sim) == [("P1", 1)]
    assert reports.links() == [True, False, True]


async def test_a_silent_plc_is_a_link_down(sim: PrinterPlcSim) -> None:
    async with running(driver_for(sim, timeout_s=1.0)) as reports:
        sim.set_silent(True)
        await until(lambda: reports.links() == [True, False], "link down on timeout")
        sim.set_silent(False)
        await until(lambda: reports.links() == [True, False, True], "link up again")
    assert "No response received" in [r for r in reports.items if isinstance(r, LinkChanged)][1].detail


async def test_a_wrong_unit_id_is_a_link_down_naming_the_exception(sim: PrinterPlcSim) -> None:
    async with running(driver_for(sim, device_id=5), wait_up=False) as reports:
        await until(lambda: reports.links() == [False], "link down")
    down = next(r for r in reports.items if isinstance(r, LinkChanged))
    assert "0x0B (gateway target failed to respond)" in down.detail


async def test_plc_memory_reset_mid_job_is_reported_uncertain_and_not_resent(
    sim: PrinterPlcSim, clock: ManualClock
) -> None:
    driver = driver_for(sim)
    async with running(driver) as reports:
        driver.print_label(part(1))
        await sim.wait_until(lambda m: m.held is not None, DEADLINE_S)
        sim.reset_plc()
        await until(reports.fault_seen(("job uncertain: P1",)), "uncertain reported")
        driver.print_label(part(2))
        await finish(sim, clock, 1)  # the PLC counts from 1 again; the driver follows its counter
        await until(lambda: reports.done() == ["P2"], "P2 done")
    assert printed(sim) == [("P2", 1)]


# -- exactly once under a seeded storm ------------------------------------------------------------------------------
async def _disturb(sim: PrinterPlcSim, reports: Reports, rng: random.Random) -> None:
    """One random disturbance before a job: a cut link, a short fault, a short outage, or nothing."""
    match rng.choice(["cut", "fault", "offline", "none"]):
        case "cut":
            sim.cut_link(rng.choice([16, 5]), after_apply=rng.random() < 0.5)
        case "fault":
            fault = rng.choice(sorted(FAULT_NAMES))
            sim.set_fault(**{fault: True})
            await until(reports.fault_seen(FAULT_NAMES[fault]), "fault seen")
            sim.set_fault(**{fault: False})
        case "offline":
            downs = reports.links().count(False)
            await sim.set_offline(True)
            await until(lambda: reports.links().count(False) > downs, "link down")
            await sim.set_offline(False)


def done_count(reports: Reports, count: int) -> Callable[[], bool]:
    return lambda: len(reports.done()) == count


async def test_no_label_is_lost_or_printed_twice_under_random_cuts_and_faults() -> None:
    rng = random.Random(20240611)
    clock: Clock = ScaledClock(speed=20.0)
    labels = [part(n) if n % 5 else rack(n) for n in range(1, 31)]
    async with PrinterPlcSim(clock=clock, print_time_s=0.1) as sim:
        driver = driver_for(sim, timeout_s=0.25)  # a spurious time-out on a busy machine is one more disturbance
        async with running(driver) as reports:
            for n, label in enumerate(labels, start=1):
                await _disturb(sim, reports, rng)
                driver.print_label(label)
                await until(done_count(reports, n), f"label {n} done")
            await polls_pass(sim)
    ids = [label.label_id for label in labels]
    assert [p.label_id for p in sim.printed] == ids
    assert [p.job_id for p in sim.printed] == list(range(1, len(labels) + 1))
    assert reports.done() == ids
    assert not [f for f in reports.faults() if any(name.startswith("job ") for name in f)]
