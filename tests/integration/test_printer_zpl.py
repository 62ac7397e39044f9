"""The ZPL driver (plc_io.zpl.printer) against the Zebra simulator on 127.0.0.1, ports chosen by the OS.

Every wait is an event with a deadline; nothing asserts a duration. The simulator prints on a sped-up
clock, or on a manual clock where a test must hold a label inside the printer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest

from hardware_sims.clock import ManualClock, ScaledClock
from hardware_sims.zpl_printer import ZplPrinterSim
from plc_io.label_gate import LabelRefused
from plc_io.ports import UNCERTAIN, OutboxFull
from plc_io.zpl.printer import STATUS_TIMEOUT, ZplPrinter
from sequencer.labels import PartLabel, RackLabel
from tests.devices import Reports, until

DEADLINE_S = 20.0
SPEED = 20  # sim time runs 20x: a 0.5 s label takes 25 ms, far above loopback jitter (see docs/printer-zpl.md)


def part(n: int, reprint: int = 0) -> PartLabel:
    return PartLabel(
        label_id=f"P{n}",
        feed="L1",
        seq=n,
        vehicle_id=f"WVWZZZ1JZXW{n:06d}",
        part="SEAT-LEATH-BLK-H",
        description="Front seat, leather ^black~",
        family="seats",
        rack_no=1 + n // 6,
        slot=1 + n % 6,
        plant="SC01",
        reprint=reprint,
    )


@dataclass
class Rig:
    sim: ZplPrinterSim
    printer: ZplPrinter
    reports: Reports

    def printed_ids(self) -> list[str | None]:
        return [p.label_id for p in self.sim.printed]


@contextlib.asynccontextmanager
async def rig(clock: ScaledClock | ManualClock, **driver: float) -> AsyncIterator[Rig]:
    async with ZplPrinterSim(clock=clock, print_time_s=0.5) as sim:
        settings = {"timeout_s": 1.0, "status_interval_s": 0.02, "confirm_poll_s": 0.01, **driver}
        printer = ZplPrinter("zebra-1", "127.0.0.1", sim.print_port, sim.status_port, **settings)  # type: ignore[arg-type]
        reports = Reports()
        task = asyncio.create_task(printer.run(reports), name="zpl-driver")
        try:
            yield Rig(sim, printer, reports)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_a_label_prints_once_with_its_fields() -> None:
    async with rig(ScaledClock(SPEED)) as r:
        r.printer.print_label(part(42))
        await r.reports.wait(lambda rep: rep.done() == ["P42"])
        assert r.printed_ids() == ["P42"]
        printed = r.sim.printed[0]
        assert printed.reprint == 0
        assert {"42", "SEAT-LEATH-BLK-H", "WVWZZZ1JZXW000042", "Front seat, leather ^black~"} <= set(printed.fields)
        assert ("code128", "1PSEAT-LEATH-BLK-H") in printed.barcodes  # 1P: the supplier's part no. (GTL)
        assert ("code128", "IWVWZZZ1JZXW000042") in printed.barcodes
        assert r.reports.links() == [True]
        assert r.reports.faults() == []
        assert r.sim.model.errors == []


async def test_a_rack_label_prints_with_sequence_range() -> None:
    rack = RackLabel(
        label_id="R-L1-seats-7", feed="L1", family="seats", rack_no=7, low_seq=9998, high_seq=3, slots=6,
        plant="SC01", line="A1", dock="D04",
    )  # fmt: skip
    async with rig(ScaledClock(SPEED)) as r:
        r.printer.print_label(rack)
        await r.reports.wait(lambda rep: rep.done() == ["R-L1-seats-7"])
        barcodes = list(r.sim.printed[0].barcodes)
        assert barcodes[0] == ("code128", "Q0") and barcodes[1][0] == "datamatrix"  # no serial: no 5J barcode
        assert "\x1dK" not in barcodes[1][1] and barcodes[1][1].startswith("[)>\x1e06\x1d5JR-L1-seats-7\x1d2LD04")


async def test_fifty_labels_print_in_order_each_once() -> None:
    async with rig(ScaledClock(SPEED)) as r:
        for n in range(50):
            r.printer.print_label(part(n))
        await r.reports.wait(lambda rep: len(rep.done()) == 50)
        expected = [f"P{n}" for n in range(50)]
        assert r.reports.done() == expected
        assert r.printed_ids() == expected
        assert r.printer.queued == 0


async def test_the_poll_that_confirms_a_label_is_the_next_labels_poll() -> None:
    """One idle host status a label in a stream, not two: the one that shows a label printed lets the next go."""
    async with rig(ScaledClock(SPEED), status_interval_s=30.0) as r:  # no idle polls meanwhile
        await until(lambda: r.sim.model.status_answers >= 1, "the first poll, before any label")
        for n in range(10):
            r.printer.print_label(part(n))
        await r.reports.wait(lambda rep: len(rep.done()) == 10)
        assert r.printed_ids() == [f"P{n}" for n in range(10)]
        idle = r.sim.model.status_answers - r.sim.model.busy_answers  # the job's receipt and its confirms are busy
        assert idle <= 1 + 1 + 10  # the first poll, the one woken by the labels, one confirming each (was 21)


async def test_paper_out_is_a_fault_and_keeps_jobs_until_paper_is_back() -> None:
    async with rig(ScaledClock(SPEED), timeout_s=0.3) as r:
        r.sim.set_fault(paper_out=True)
        for n in range(3):
            r.printer.print_label(part(n))
        await r.reports.wait(lambda rep: any(STATUS_TIMEOUT in f for f in rep.faults()))
        assert r.reports.faults()[0] == (STATUS_TIMEOUT, "media out")  # ~HQES names the cause
        assert r.sim.printed == []
        assert r.printer.queued == 3
        r.sim.set_fault(paper_out=False)
        await r.reports.wait(lambda rep: len(rep.done()) == 3)
        assert r.reports.faults() == [(STATUS_TIMEOUT, "media out"), ()]  # raised once, cleared once
        assert r.printed_ids() == ["P0", "P1", "P2"]


async def test_pause_is_a_fault_with_the_printer_still_answering() -> None:
    async with rig(ScaledClock(SPEED)) as r:
        r.sim.set_fault(paused=True)
        r.printer.print_label(part(1))
        await r.reports.wait(lambda rep: ("paused",) in rep.faults())
        assert r.sim.printed == []
        r.sim.set_fault(paused=False)
        await r.reports.wait(lambda rep: rep.done() == ["P1"])
        assert r.reports.faults() == [("paused",), ()]


async def test_the_same_label_twice_prints_once() -> None:
    async with rig(ScaledClock(SPEED)) as r:
        r.printer.print_label(part(7))
        with pytest.raises(LabelRefused):
            r.printer.print_label(part(7))  # still queued
        await r.reports.wait(lambda rep: rep.done() == ["P7"])
        with pytest.raises(LabelRefused):
            r.printer.print_label(part(7))  # already printed
        r.printer.print_label(part(8))
        await r.reports.wait(lambda rep: rep.done() == ["P7", "P8"])
        assert r.printed_ids() == ["P7", "P8"]


async def test_a_reprint_prints_again_and_shows_it() -> None:
    async with rig(ScaledClock(SPEED)) as r:
        r.printer.print_label(part(5))
        await r.reports.wait(lambda rep: rep.done() == ["P5"])
        r.printer.print_label(part(5, reprint=1))
        await r.reports.wait(lambda rep: rep.done() == ["P5", "P5"])
        for stale in (0, 1):
            with pytest.raises(LabelRefused):
                r.printer.print_label(part(5, reprint=stale))
        assert [(p.label_id, p.reprint) for p in r.sim.printed] == [("P5", 0), ("P5", 1)]
        assert "REPRINT 1" in r.sim.printed[1].fields
        assert "REPRINT 1" not in r.sim.printed[0].fields


async def test_offline_printer_comes_back_without_losing_or_doubling_labels() -> None:
    async with rig(ScaledClock(SPEED)) as r:
        for n in range(5):
            r.printer.print_label(part(n))
        await r.reports.wait(lambda rep: len(rep.done()) == 5)
        await r.sim.set_offline(True)
        await r.reports.wait(lambda rep: rep.links() == [True, False])
        for n in range(5, 10):
            r.printer.print_label(part(n))  # queued while the printer is unreachable
        assert r.printer.queued == 5
        await r.sim.set_offline(False)
        await r.reports.wait(lambda rep: len(rep.done()) == 10)
        assert r.reports.links() == [True, False, True]
        assert r.printed_ids() == [f"P{n}" for n in range(10)]
        assert r.reports.done() == [f"P{n}" for n in range(10)]


async def _hold_label_in_printer(r: Rig, clock: ManualClock) -> None:
    """Send P1 and wait until the driver has seen the printer hold it: the receipt answer on the print port
    and at least one status poll after it (so the driver has read the receipt)."""
    r.printer.print_label(part(1))
    await r.sim.wait_until(lambda model: model.busy_answers >= 2, DEADLINE_S)
    assert r.sim.model.current is not None
    assert r.sim.printed == []
    assert clock.now() == 1_700_000_000.0


async def test_a_label_held_in_the_printer_survives_a_link_loss() -> None:
    clock = ManualClock()
    async with rig(clock) as r:
        await _hold_label_in_printer(r, clock)
        await r.sim.set_offline(True)
        await r.reports.wait(lambda rep: rep.links() == [True, False])
        clock.advance(1.0)  # the printer prints what it holds while the network is down
        await r.sim.wait_printed(1, DEADLINE_S)
        await r.sim.set_offline(False)
        await r.reports.wait(lambda rep: rep.done() == ["P1"])
        assert r.printed_ids() == ["P1"]
        assert r.reports.faults() == []


async def test_a_label_held_in_the_printer_survives_paper_out() -> None:
    clock = ManualClock()
    async with rig(clock, timeout_s=0.3) as r:
        await _hold_label_in_printer(r, clock)
        r.sim.set_fault(paper_out=True)
        await r.reports.wait(lambda rep: len(rep.faults()) == 1)
        clock.advance(5.0)
        assert r.sim.printed == []
        r.sim.set_fault(paper_out=False)
        clock.advance(1.0)
        await r.reports.wait(lambda rep: rep.done() == ["P1"])
        assert r.printed_ids() == ["P1"]
        assert r.reports.faults() == [(STATUS_TIMEOUT, "media out"), ()]


async def _tearing_proxy(upstream_port: int, cut_after: int) -> tuple[asyncio.Server, list[int]]:
    """A print-port proxy: the first connection that carries a job forwards ``cut_after`` bytes, then drops
    both ends (a cable pulled mid-format); later connections pass everything through."""
    torn: list[int] = []

    async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await src.read(4096):
                dst.write(data)
                await dst.drain()
        dst.close()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
        if not torn:
            with contextlib.suppress(asyncio.IncompleteReadError):  # closed before any job: nothing to tear
                up_writer.write(await reader.readexactly(cut_after))
                await up_writer.drain()
                torn.append(cut_after)
            up_writer.close()
            writer.close()
            return
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    return await asyncio.start_server(serve, "127.0.0.1", 0), torn


async def test_a_send_torn_mid_format_is_reported_uncertain_and_never_resent() -> None:
    async with ZplPrinterSim(clock=ScaledClock(SPEED), print_time_s=0.5) as sim:
        proxy, torn = await _tearing_proxy(sim.print_port, cut_after=200)
        proxy_port = proxy.sockets[0].getsockname()[1]
        printer = ZplPrinter(
            "zebra-1", "127.0.0.1", proxy_port, sim.status_port, timeout_s=1.0, status_interval_s=0.02,
            confirm_poll_s=0.01,
        )  # fmt: skip
        reports = Reports()
        task = asyncio.create_task(printer.run(reports))
        try:
            printer.print_label(part(1))
            printer.print_label(part(2))
            await reports.wait(lambda rep: rep.done() == ["P2"])
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            proxy.close()
            await proxy.wait_closed()
        assert reports.links() == [True, False, True]
        assert reports.faults() == [(UNCERTAIN + "P1",), ()]  # reported once, for the operator to check
        assert reports.done() == ["P2"]
        assert [p.label_id for p in sim.printed] == ["P2"]  # P1 neither printed half nor resent
        assert sim.model.errors == []  # the half format was cancelled (~JA), not merged into P2
        assert torn == [200]


async def test_outbox_full_and_bad_data_are_refused_not_dropped() -> None:
    printer = ZplPrinter("zebra-1", "127.0.0.1", 9, 9, outbox_size=2)  # never run: nothing leaves the outbox
    printer.print_label(part(1))
    printer.print_label(part(2))
    with pytest.raises(OutboxFull):
        printer.print_label(part(3))
    with pytest.raises(LabelRefused):
        ZplPrinter("zebra-2", "127.0.0.1", 9, 9).print_label(replace(part(4), vehicle_id="WVWZZZ1JZÄW000004"))
    assert printer.queued == 2


# -- a printer going offline is seen within the driver's time-out, whatever the driver is doing ------------------
# The sim closes every connection and refuses new ones (hardware_sims ZplPrinterSim.set_offline). The polls are
# set far apart (30 s) so only the driver's watch on its open connections can see it in time; each wait is
# bounded at 3x the configured time-out.
TIMEOUT_S = 0.5
SLOW_POLL = {"timeout_s": TIMEOUT_S, "status_interval_s": 30.0, "confirm_poll_s": 30.0}


async def _up_and_waiting(r: Rig, links: list[bool]) -> None:
    """The link is up and the driver has had an answer and time to enter its long wait between polls (the case
    the old driver saw only at its next poll)."""
    answers = r.sim.model.status_answers
    await r.reports.wait(lambda rep: rep.links() == links)
    await r.sim.wait_until(lambda model: model.status_answers > answers, DEADLINE_S)
    await asyncio.sleep(0.2)  # not a measurement: lets the driver go from the answer into its wait


async def _goes_down_in_time(r: Rig) -> None:
    await r.sim.set_offline(True)
    await r.reports.wait(lambda rep: rep.links()[-1:] == [False], timeout_s=3 * TIMEOUT_S)


async def test_offline_while_idle_is_seen_at_once_not_at_the_next_poll() -> None:
    async with rig(ScaledClock(SPEED), **SLOW_POLL) as r:
        await _up_and_waiting(r, [True])
        await _goes_down_in_time(r)
        assert r.reports.links() == [True, False]
        assert r.reports.faults() == []


async def test_offline_while_a_label_is_printing_is_seen_at_once() -> None:
    clock = ManualClock()
    async with rig(clock, **SLOW_POLL) as r:
        await _hold_label_in_printer(r, clock)  # the driver now waits 30 s before its next confirmation poll
        await _goes_down_in_time(r)
        clock.advance(1.0)
        await r.sim.wait_printed(1, DEADLINE_S)
        await r.sim.set_offline(False)
        await r.reports.wait(lambda rep: rep.done() == ["P1"])  # the held label is still followed to the end
        assert r.reports.links() == [True, False, True]
        assert r.printed_ids() == ["P1"]


async def test_offline_while_waiting_for_a_silent_printer_is_seen_at_once() -> None:
    async with rig(ScaledClock(SPEED), **{**SLOW_POLL, "timeout_s": 30.0}) as r:
        await _up_and_waiting(r, [True])
        r.sim.set_fault(paper_out=True)
        r.printer.print_label(part(1))  # wakes the driver: its ~HS gets no answer, it waits up to 30 s for one
        await asyncio.sleep(0.2)  # not a measurement: lets the driver send the ~HS
        await _goes_down_in_time(r)
        assert r.printer.queued == 1
        assert r.sim.printed == []


async def test_offline_again_right_after_a_reconnect_is_seen_at_once() -> None:
    async with rig(ScaledClock(SPEED), **{**SLOW_POLL, "confirm_poll_s": 0.01}) as r:
        await _up_and_waiting(r, [True])
        await _goes_down_in_time(r)
        await asyncio.sleep(0.5)  # a few refused reconnects: the back-off has grown
        await r.sim.set_offline(False)
        await _up_and_waiting(r, [True, False, True])
        await _goes_down_in_time(r)
        r.printer.print_label(part(1))  # queued while down, printed once on return
        await r.sim.set_offline(False)
        await r.reports.wait(lambda rep: rep.done() == ["P1"])
        assert r.reports.links() == [True, False, True, False, True]
        assert r.printed_ids() == ["P1"]


async def test_a_port_that_accepts_and_drops_every_connection_is_down_not_flapping() -> None:
    """A device that takes the TCP connection and closes it at once (another host holds the printer, a
    half-dead print server): the link is never reported up, and the back-off grows instead of restarting."""
    accepted: list[int] = []

    async def drop(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        writer.close()

    server = await asyncio.start_server(drop, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    printer = ZplPrinter("zebra-1", "127.0.0.1", port, port, timeout_s=TIMEOUT_S, status_interval_s=0.02)
    reports = Reports()
    task = asyncio.create_task(printer.run(reports))
    try:
        await reports.wait(lambda rep: rep.links() == [False])
        await until(lambda: len(accepted) >= 8, "four attempts, on the status and the print port each")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        server.close()
        await server.wait_closed()
    assert reports.links() == [False]
