"""Every case of a missing confirmation, as docs/printer-zpl.md's table states it: a test per row that no other
module holds (the others are named in the table: tests/integration/test_printer_zpl.py, test_label_write_ahead.py,
test_printer_zpl_silence.py).

Checked on the simulator's own records (what it printed, in what order) and the driver's reports: a job is printed
once, or reported uncertain and never sent again; only a label that never left the service is sent again after a
restart. Every wait is an event with a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from app.service.device_side import DeviceSide
from app.service.devices import ReportTranslator
from app.service.latency import LightLatency
from hardware_sims.clock import ManualClock, ScaledClock
from hardware_sims.zpl_printer import ZplPrinterSim
from plc_io.ports import UNCERTAIN, LabelPrinter, PickToLight
from plc_io.zpl.printer import STATUS_TIMEOUT, ZplPrinter
from plc_io.zpl_labels.layouts import render_label
from sequencer.commands import PrintLabel
from sequencer.core import Sequencer
from sequencer.events import BinConfirmed, BroadcastReceived, Event, LabelSending, LabelUncertain
from tests.devices import Reports
from tests.plants import demo_plant
from tests.zpl_rig import SPEED, DriverSettings, cabled, part

DEADLINE_S = 20.0
FAST: DriverSettings = {"timeout_s": 0.5, "status_interval_s": 0.05, "confirm_poll_s": 0.01}


# -- before the job leaves: held, then printed once ------------------------------------------------------------
async def test_a_print_connection_closed_while_the_label_is_journaled_is_sent_once_on_a_fresh_one() -> None:
    """The printer drops the print connection between the healthy status and the send (the service is journaling
    the label): not a byte of it has left, so it goes out once on a new connection; no link loss is reported."""
    async with cabled(ScaledClock(SPEED), FAST) as r:

        async def connections_dropped() -> None:
            await r.sim.set_offline(True)  # closes every connection of the printer...
            await r.sim.set_offline(False)  # ...and takes new ones at once
            await asyncio.sleep(0.05)  # the driver's side sees the close

        r.journal.on_leaving = connections_dropped
        r.printer.print_label(part(1))
        await r.reports.wait(lambda rep: rep.done() == ["P1"])
        assert r.printed_ids() == ["P1"]
        assert r.journal.asked == [("P1", 0)]
        assert r.reports.links() == [True] and r.reports.faults() == []


# -- the whole format reached the printer, its receipt did not come back ------------------------------------------
async def test_a_lost_receipt_with_the_label_still_in_the_printer_is_printed() -> None:
    clock = ManualClock()  # the printer holds the label until the test moves time
    async with cabled(clock, FAST) as r:
        r.cable.pull_after(b"^XA")
        r.printer.print_label(part(1))
        await r.reports.wait(lambda rep: rep.links() == [True, False])  # the receipt heard nothing: gone
        assert r.sim.model.current is not None and r.sim.printed == []
        r.cable.plug()
        await r.reports.wait(lambda rep: rep.links() == [True, False, True])
        await r.sim.wait_until(lambda model: model.busy_answers >= 2, DEADLINE_S)  # the driver saw it held
        clock.advance(1.0)
        await r.reports.wait(lambda rep: rep.done() == ["P1"])
        assert r.printed_ids() == ["P1"] and r.reports.faults() == []


async def test_a_lost_receipt_with_the_label_already_printed_is_uncertain_and_not_resent() -> None:
    async with cabled(ScaledClock(SPEED), FAST) as r:
        r.cable.pull_after(b"^XA")
        r.printer.print_label(part(1))
        r.printer.print_label(part(2))
        await r.reports.wait(lambda rep: rep.links() == [True, False])
        await r.sim.wait_printed(1, DEADLINE_S)  # printed while the driver could not hear it
        r.cable.plug()
        await r.reports.wait(lambda rep: rep.done() == ["P2"])
        assert r.reports.faults() == [(UNCERTAIN + "P1",), ()]  # once, for a person to check the rack
        assert r.printed_ids() == ["P1", "P2"]  # P1 not sent a second time


# -- the printer goes silent or faults while the job is at it -------------------------------------------------
async def test_a_receipt_that_hears_only_the_error_flags_waits_for_the_printer_and_prints_once() -> None:
    """Paper runs out as the format arrives: the receipt hears ~HQES (media out) but no ~HS, so the job is not
    known to be held; the first healthy poll finds it in the printer and follows it to the end."""
    async with cabled(ScaledClock(SPEED), FAST) as r:

        async def paper_runs_out() -> None:
            r.sim.set_fault(paper_out=True)

        r.journal.on_leaving = paper_runs_out
        r.printer.print_label(part(1))
        await r.reports.wait(lambda rep: (STATUS_TIMEOUT, "media out") in rep.faults())
        assert r.sim.printed == [] and r.printer.queued == 1
        r.sim.set_fault(paper_out=False)
        await r.reports.wait(lambda rep: rep.done() == ["P1"])
        assert r.printed_ids() == ["P1"]
        assert r.reports.faults() == [(STATUS_TIMEOUT, "media out"), ()]


async def test_a_pause_while_the_label_is_printing_is_a_fault_and_the_label_prints_once_resumed() -> None:
    clock = ManualClock()
    async with cabled(clock, FAST) as r:
        r.printer.print_label(part(1))
        await r.sim.wait_until(lambda model: model.busy_answers >= 2, DEADLINE_S)
        r.sim.set_fault(paused=True)  # the printer still answers, with the pause flag
        await r.reports.wait(lambda rep: ("paused",) in rep.faults())
        clock.advance(5.0)
        assert r.sim.printed == []
        r.sim.set_fault(paused=False)
        clock.advance(1.0)
        await r.reports.wait(lambda rep: rep.done() == ["P1"])
        assert r.printed_ids() == ["P1"] and r.reports.faults() == [("paused",), ()]


# -- the service restarts ---------------------------------------------------------------------------------------
class _Lights:
    """PTL drivers that only take what they are shown (the restart test is about labels)."""

    name = "ptl"

    def show(self, light: int, **_state: Any) -> None:
        pass


class _Journal:
    """The sequencing part as the device side sees it, over a core rebuilt from a journal: what it is handed goes
    straight to the core (and is kept, for the test to read)."""

    def __init__(self, core: Sequencer) -> None:
        self.core = core
        self.submitted: list[Event] = []

    async def submit(self, event: Event, raw: bytes | None = None) -> Any:
        self.submitted.append(event)
        return self.core.handle(event)

    submit_checked = submit


def _restarted(core: Sequencer, printers: dict[str, LabelPrinter]) -> tuple[DeviceSide, _Journal]:
    """The service's device side after a restart, with real printer drivers and lights that take what they are shown."""
    journal = _Journal(core)
    plant = demo_plant()
    ptls: dict[str, PickToLight] = {name: _Lights() for name in plant.devices.ptl}  # type: ignore[misc]
    side = DeviceSide(
        ptls, printers, ReportTranslator(plant), clock=lambda: 100.0, sequencing=journal, latency=LightLatency()
    )  # type: ignore[arg-type]
    return side, journal


def _journal_with_two_labels() -> tuple[Sequencer, list[str]]:
    """A core after two seat picks: both labels asked for; the first was journaled as leaving for the printer
    (``LabelSending``) when the service died, the second had not left the service."""
    core, labels = Sequencer(demo_plant()), []
    for seq in (1, 2):
        core.handle(BroadcastReceived(at=seq, feed="L1", seq=seq, vehicle_id=f"V{seq}", options=("S1", "P040")))
        pick = core.state.picks[core.state.stations["ST-SEAT"].lit or 0]
        commands = core.handle(BinConfirmed(at=seq + 0.5, station="ST-SEAT", bin=pick.bin, token=pick.pick_id))
        labels += [c.label.label_id for c in commands if isinstance(c, PrintLabel)]
    core.handle(LabelSending(at=3.0, label_id=labels[0], reprint=0))
    return core, labels


async def test_after_a_restart_a_label_journaled_as_leaving_is_uncertain_and_one_that_never_left_is_sent() -> None:
    core, (left, stayed) = _journal_with_two_labels()
    printer_name = next(iter(demo_plant().devices.printers))
    leaving = next(c.label for c in core.pending_labels() if c.label.label_id == left)
    async with ZplPrinterSim(clock=ScaledClock(SPEED), print_time_s=0.5) as sim:
        printer = ZplPrinter(printer_name, "127.0.0.1", sim.print_port, sim.status_port, **FAST)
        # what the dead service's connection left in the printer: the first part of the label that was leaving
        _, writer = await asyncio.open_connection("127.0.0.1", sim.print_port)
        writer.write(render_label(leaving).encode()[:300])
        await writer.drain()
        writer.close()
        await sim.wait_until(lambda model: model.status().partial_format, DEADLINE_S)
        side, journal = _restarted(core, {printer_name: printer})
        reports = Reports()
        task = asyncio.create_task(printer.run(reports))
        try:
            await side.restore()
            await reports.wait(lambda rep: rep.done() == [stayed])
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    uncertain = [e for e in journal.submitted if isinstance(e, LabelUncertain)]
    assert [(e.label_id, e.reason) for e in uncertain] == [
        (left, f"sent to {printer_name} before a restart, not confirmed printed")
    ]
    assert [p.label_id for p in sim.printed] == [stayed]  # the one that left is not sent again
    assert sim.model.errors == []  # its half format was cancelled (~JA), not merged into the next label
    assert reports.faults() == []
