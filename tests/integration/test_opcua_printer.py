"""OpcUaPrinter against OpcUaPrinterSim on 127.0.0.1 (a free port), dev security profile.

One simulator serves the module (an asyncua server takes seconds to start); ``fresh`` clears its job list and
heals every fault before each test. The print engine runs on a ManualClock: a label leaves the printer only when
a test advances time, so a test can hold a job inside the printer while it cuts the link. Every wait is an event
or a poll with a deadline; nothing asserts a duration.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from asyncua import ua
from asyncua.client.client import Client

from hardware_sims.clock import ManualClock
from hardware_sims.opcua_printer import OpcUaPrinterSim
from plc_io.label_gate import LabelRefused
from plc_io.opcua import machinery, printer_model
from plc_io.opcua.printer import OpcUaPrinter
from plc_io.ports import UNCERTAIN, OutboxFull
from sequencer.labels import PartLabel
from tests.devices import Reports, until

pytestmark = pytest.mark.asyncio(loop_scope="module")

NAME = "printer-ua"
DEADLINE_S = 15.0
PRINT_TIME_S = 1.0


def part(n: int, reprint: int = 0, vehicle: str | None = None) -> PartLabel:
    return PartLabel(
        label_id=f"P{n}",
        feed="L1",
        seq=n,
        vehicle_id=vehicle or f"WVWZZZ1JZXW{n:06d}",
        part="SEAT-LEATH-BLK-H",
        description="Front seat, leather ^black~",
        family="seats",
        rack_no=1,
        slot=1 + n % 6,
        plant="SC01",
        reprint=reprint,
    )


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sim(clock: ManualClock) -> AsyncIterator[OpcUaPrinterSim]:
    printer = OpcUaPrinterSim(clock=clock, print_time_s=PRINT_TIME_S)
    await printer.start()
    yield printer
    await printer.stop()


@pytest_asyncio.fixture(loop_scope="module")
async def fresh(sim: OpcUaPrinterSim) -> OpcUaPrinterSim:
    await sim.set_offline(False)
    sim.set_out_of_service(False)
    sim.set_media(500)
    sim.clear_jobs()
    sim.printed.clear()
    return sim


@contextlib.asynccontextmanager
async def running(
    sim: OpcUaPrinterSim, *, wait_up: bool = True, **kwargs: Any
) -> AsyncIterator[tuple[OpcUaPrinter, Reports]]:
    settings: dict[str, Any] = {"timeout_s": 1.0, "status_interval_s": 0.1, "confirm_poll_s": 0.01} | kwargs
    printer = OpcUaPrinter(NAME, sim.url, **settings)
    reports = Reports()
    task = asyncio.create_task(printer.run(reports))
    try:
        if wait_up:
            await until(lambda: reports.links() == [True], "link up")
        yield printer, reports
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            async with asyncio.timeout(DEADLINE_S):
                await task


async def running_job(sim: OpcUaPrinterSim, job_id: str) -> None:
    await until(
        lambda: job_id in sim.model.jobs and sim.model.jobs[job_id].state is printer_model.JobState.RUNNING, job_id
    )


async def print_next(sim: OpcUaPrinterSim, clock: ManualClock, job_id: str) -> None:
    """Let the running job ``job_id`` leave the printer."""
    await running_job(sim, job_id)
    clock.advance(PRINT_TIME_S)
    await until(lambda: sim.model.jobs[job_id].state is printer_model.JobState.ENDED, f"{job_id} printed")


def printed_ids(sim: OpcUaPrinterSim) -> list[tuple[str | None, int]]:
    return [(p.label_id, p.reprint) for p in sim.printed]


# -- printing ---------------------------------------------------------------------------------------------------------
async def test_a_label_prints_once_and_is_reported_done(fresh: OpcUaPrinterSim, clock: ManualClock) -> None:
    async with running(fresh) as (printer, reports):
        printer.print_label(part(42))
        await print_next(fresh, clock, "P42#0")
        await until(lambda: reports.done() == ["P42"], "LabelDone")
        assert printer.queued == 0
    (label,) = fresh.printed
    assert ("code128", "1PSEAT-LEATH-BLK-H") in label.barcodes  # 1P: the supplier's part no. (GTL)
    assert ("code128", "IWVWZZZ1JZXW000042") in label.barcodes
    assert "Front seat, leather ^black~" in label.fields
    assert reports.faults() == []


async def test_labels_print_in_order_one_at_a_time(fresh: OpcUaPrinterSim, clock: ManualClock) -> None:
    async with running(fresh) as (printer, reports):
        for n in (1, 2, 3):
            printer.print_label(part(n))
        for n in (1, 2, 3):
            await print_next(fresh, clock, f"P{n}#0")
            assert sum(j.state is printer_model.JobState.RUNNING for j in fresh.model.jobs.values()) <= 1
        await until(lambda: reports.done() == ["P1", "P2", "P3"], "three LabelDone")
    assert printed_ids(fresh) == [("P1", 0), ("P2", 0), ("P3", 0)]


async def test_duplicates_are_refused_and_a_reprint_is_a_new_job(fresh: OpcUaPrinterSim, clock: ManualClock) -> None:
    async with running(fresh) as (printer, reports):
        printer.print_label(part(7))
        with pytest.raises(LabelRefused, match="already accepted"):
            printer.print_label(part(7))
        await print_next(fresh, clock, "P7#0")
        printer.print_label(part(7, reprint=1))
        await print_next(fresh, clock, "P7#1")
        await until(lambda: reports.done() == ["P7", "P7"], "both done")
    assert printed_ids(fresh) == [("P7", 0), ("P7", 1)]
    assert "REPRINT 1" in fresh.printed[1].fields


async def test_outbox_and_data_checks_refuse_before_queueing(fresh: OpcUaPrinterSim) -> None:
    printer = OpcUaPrinter(NAME, fresh.url, outbox_size=2)
    printer.print_label(part(1))
    printer.print_label(part(2))
    with pytest.raises(OutboxFull):
        printer.print_label(part(3))
    with pytest.raises(LabelRefused):
        OpcUaPrinter(NAME, fresh.url).print_label(part(4, vehicle="WVWZZZ1JZXW00000Ä"))


# -- faults -----------------------------------------------------------------------------------------------------------
async def test_media_out_holds_jobs_and_media_loaded_prints_them(fresh: OpcUaPrinterSim, clock: ManualClock) -> None:
    fresh.set_media(1)
    async with running(fresh) as (printer, reports):
        printer.print_label(part(1))
        await print_next(fresh, clock, "P1#0")  # the last label on the roll
        await until(lambda: reports.faults() == [("media out",)], "media out")
        printer.print_label(part(2))
        await until(lambda: printer.queued == 1 and reports.done() == ["P1"], "P2 held")
        assert "P2#0" not in fresh.model.jobs
        fresh.set_media(100)
        await until(lambda: reports.faults() == [("media out",), ()], "fault cleared")
        await print_next(fresh, clock, "P2#0")
        await until(lambda: reports.done() == ["P1", "P2"], "P2 done")
    assert printed_ids(fresh) == [("P1", 0), ("P2", 0)]


async def test_media_out_interrupts_a_running_job_which_resumes(fresh: OpcUaPrinterSim, clock: ManualClock) -> None:
    async with running(fresh) as (printer, reports):
        printer.print_label(part(5))
        await running_job(fresh, "P5#0")
        fresh.set_media(0)
        await until(lambda: fresh.model.jobs["P5#0"].state is printer_model.JobState.INTERRUPTED, "interrupted")
        await until(lambda: ("media out",) in reports.faults(), "media out")
        fresh.set_media(10)
        await print_next(fresh, clock, "P5#0")
        await until(lambda: reports.done() == ["P5"], "done")
    assert printed_ids(fresh) == [("P5", 0)]


async def test_link_lost_mid_job_prints_once(fresh: OpcUaPrinterSim, clock: ManualClock) -> None:
    async with running(fresh) as (printer, reports):
        printer.print_label(part(8))
        await running_job(fresh, "P8#0")
        await fresh.set_offline(True)
        await until(lambda: reports.links() == [True, False], "link down")
        clock.advance(PRINT_TIME_S)  # the label leaves the printer while the host is away
        await until(lambda: fresh.model.jobs["P8#0"].state is printer_model.JobState.ENDED, "printed offline")
        await fresh.set_offline(False)
        await until(lambda: reports.done() == ["P8"], "LabelDone after the reconnect")
    assert reports.links() == [True, False, True]
    assert printed_ids(fresh) == [("P8", 0)]


async def test_answer_lost_after_the_store_is_followed_not_resent(fresh: OpcUaPrinterSim, clock: ManualClock) -> None:
    calls_before = fresh.host.calls["StoreAndStart"]
    async with running(fresh) as (printer, reports):
        fresh.cut_next_call("after")
        printer.print_label(part(9))
        await until(lambda: reports.links() == [True, False, True], "reconnected")
        await print_next(fresh, clock, "P9#0")
        await until(lambda: reports.done() == ["P9"], "LabelDone")
    assert fresh.host.calls["StoreAndStart"] == calls_before + 1
    assert printed_ids(fresh) == [("P9", 0)]


async def test_call_lost_before_the_store_is_sent_again_once(fresh: OpcUaPrinterSim, clock: ManualClock) -> None:
    calls_before = fresh.host.calls["StoreAndStart"]
    async with running(fresh) as (printer, reports):
        fresh.cut_next_call("before")
        printer.print_label(part(10))
        await until(lambda: reports.links() == [True, False, True], "reconnected")
        await print_next(fresh, clock, "P10#0")
        await until(lambda: reports.done() == ["P10"], "LabelDone")
    assert fresh.host.calls["StoreAndStart"] == calls_before + 2
    assert printed_ids(fresh) == [("P10", 0)]
    assert reports.faults() == []


async def test_power_cycle_loses_the_job_and_is_reported_uncertain(fresh: OpcUaPrinterSim, clock: ManualClock) -> None:
    async with running(fresh) as (printer, reports):
        printer.print_label(part(11))
        await running_job(fresh, "P11#0")
        await fresh.restart()  # the job order, mid-print, is gone with the printer's memory
        await until(lambda: (UNCERTAIN + "P11",) in reports.faults(), "job uncertain")
        printer.print_label(part(12))
        await print_next(fresh, clock, "P12#0")
        await until(lambda: reports.done() == ["P12"], "the next label prints")
    assert printed_ids(fresh) == [("P12", 0)]  # P11 was never sent again: the plant decides on a reprint
    assert "P11#0" not in fresh.model.jobs


async def test_job_list_cleared_at_the_panel_is_uncertain(fresh: OpcUaPrinterSim, clock: ManualClock) -> None:
    async with running(fresh) as (printer, reports):
        printer.print_label(part(13))
        await running_job(fresh, "P13#0")
        fresh.clear_jobs()
        await until(lambda: (UNCERTAIN + "P13",) in reports.faults(), "job uncertain")
    assert fresh.printed == []


async def test_out_of_service_is_a_fault_and_jobs_wait(fresh: OpcUaPrinterSim, clock: ManualClock) -> None:
    fresh.set_out_of_service(True)
    async with running(fresh) as (printer, reports):
        await until(lambda: reports.faults() == [("out of service",)], "out of service")
        printer.print_label(part(14))
        fresh.set_out_of_service(False)
        await print_next(fresh, clock, "P14#0")
        await until(lambda: reports.done() == ["P14"], "done")
    assert reports.faults() == [("out of service",), ()]


async def test_first_connect_is_retried(fresh: OpcUaPrinterSim) -> None:
    await fresh.set_offline(True)
    async with running(fresh, wait_up=False) as (_, reports):
        await until(lambda: reports.links() == [False], "first connect failed")
        await fresh.set_offline(False)
        await until(lambda: reports.links() == [False, True], "connected on a retry")


async def test_the_printer_refuses_a_job_order_id_twice(fresh: OpcUaPrinterSim) -> None:
    """The last line of defence: even a late copy of a StoreAndStart cannot print a second label."""
    client = Client(fresh.url, timeout=2.0)
    await client.connect()
    try:
        ns = await client.get_namespace_index(printer_model.PRINTER_NAMESPACE_URI)
        request = ua.CallMethodRequest(
            ObjectId=machinery.node_id(ns, printer_model.JOB_CONTROL),
            MethodId=machinery.node_id(ns, machinery.join(printer_model.JOB_CONTROL, "Store")),
            InputArguments=printer_model.encode_store("X1#0", "^XA^FXJIS label_id=X1 reprint=0^FS^XZ"),
        )
        first, second = await client.uaclient.call([request, request])
    finally:
        await client.disconnect()
    assert printer_model.decode_status([v.Value for v in first.OutputArguments]) == printer_model.ReturnStatus.NO_ERROR
    assert printer_model.ReturnStatus.DUPLICATE_JOB_ORDER_ID in printer_model.decode_status(
        [v.Value for v in second.OutputArguments]
    )
    assert fresh.model.jobs["X1#0"].state is printer_model.JobState.ALLOWED_TO_START  # Store does not start it
