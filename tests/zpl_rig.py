"""The Zebra simulator behind a pullable cable (``tests.cable``), with the ZPL driver running against it.

What it is for: the ZPL driver tests that make the printer go silent (a fault switch of the simulator, or the cable
pulled) and watch what the driver reports and prints. ``Journal`` is the service's write-ahead hook, in which a test
can act at the moment a label is about to leave (the driver has just had a healthy status).
What it must not do: assert anything itself, or wait without a bound.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypedDict

from hardware_sims.clock import ManualClock, ScaledClock
from hardware_sims.zpl_printer import ZplPrinterSim
from plc_io.zpl.printer import ZplPrinter
from sequencer.labels import PartLabel
from tests.cable import Cable
from tests.devices import Reports

SPEED = 20  # sim time runs 20x: a 0.5 s label takes 25 ms, far above loopback jitter (docs/printer-zpl.md)


class DriverSettings(TypedDict):
    """The driver's timing, as the tests set it."""

    timeout_s: float
    status_interval_s: float
    confirm_poll_s: float


def part(n: int, reprint: int = 0) -> PartLabel:
    return PartLabel(
        label_id=f"P{n}", feed="L1", seq=n, vehicle_id=f"WVWZZZ1JZXW{n:06d}", part="SEAT-LEATH-BLK-H",
        description="Front seat, leather", family="seats", rack_no=1 + n // 6, slot=1 + n % 6, plant="SC01",
        reprint=reprint,
    )  # fmt: skip


@dataclass
class Journal:
    """The service's write-ahead hook: says yes, records what it was asked, and runs ``on_leaving`` (once) as the
    first label is about to leave."""

    asked: list[tuple[str, int]] = field(default_factory=list)
    on_leaving: Callable[[], Awaitable[None]] | None = None
    left_at: float | None = None  # loop time the hook let the first label go

    async def __call__(self, label_id: str, reprint: int) -> bool:
        self.asked.append((label_id, reprint))
        if self.on_leaving is not None:
            act, self.on_leaving = self.on_leaving, None
            await act()
            self.left_at = asyncio.get_running_loop().time()
        return True


@dataclass
class CabledRig:
    sim: ZplPrinterSim
    cable: Cable
    printer: ZplPrinter
    reports: Reports
    journal: Journal

    def printed_ids(self) -> list[str | None]:
        return [p.label_id for p in self.sim.printed]

    async def answered(self) -> None:
        """Wait until the printer has answered one more host status (the driver is then between polls)."""
        answers = self.sim.model.status_answers
        await self.sim.wait_until(lambda model: model.status_answers > answers, 15.0)


@contextlib.asynccontextmanager
async def cabled(
    clock: ScaledClock | ManualClock, settings: DriverSettings, *, json_status: bool = True
) -> AsyncIterator[CabledRig]:
    """The driver on the far side of the cable: polls on the JSON status port (``json_status``) or, with the
    plant's ``status_port = 0``, as ZPL on the print port."""
    async with ZplPrinterSim(clock=clock, print_time_s=0.5) as sim, Cable(sim.print_port, sim.status_port) as cable:
        print_port, status_port = cable.ports
        printer = ZplPrinter("zebra-1", "127.0.0.1", print_port, status_port if json_status else 0, **settings)
        journal, reports = Journal(), Reports()
        printer.before_sending(journal)
        task = asyncio.create_task(printer.run(reports), name="zpl-driver")
        try:
            yield CabledRig(sim, cable, printer, reports, journal)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
