"""The printers' write-ahead (``plc_io.label_gate``) against the simulated printers on 127.0.0.1: a label leaves for
the printer only after the service's hook answered True; False drops it, None keeps it at the head of the outbox
until the hook agrees. The hook sees the printer's own records at the moment it is asked: nothing has printed yet.
The in-memory fake (``plc_io.fakes.FakeLabelPrinter``) is held to the same contract as the real drivers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from hardware_sims.clock import ScaledClock
from hardware_sims.printer_plc import PrinterPlcSim
from hardware_sims.zpl_printer import ZplPrinterSim
from plc_io.fakes import FakeLabelPrinter
from plc_io.modbus.printer import ModbusPrinter
from plc_io.ports import LabelPrinter
from plc_io.zpl.printer import ZplPrinter
from sequencer.labels import PartLabel
from tests.devices import Reports, until

SPEED = 20.0


def part(n: int) -> PartLabel:
    return PartLabel(
        label_id=f"P{n}", feed="L1", seq=n, vehicle_id=f"WVWZZZ1JZXW{n:06d}", part="SEAT-CLOTH-BLK",
        description="Front seat", family="seats", rack_no=1, slot=1 + n % 6, plant="SC01",
    )  # fmt: skip


@contextlib.asynccontextmanager
async def zpl() -> AsyncIterator[tuple[LabelPrinter, Callable[[], list[str | None]]]]:
    async with ZplPrinterSim(clock=ScaledClock(SPEED), print_time_s=0.5) as sim:
        settings: dict[str, Any] = {"timeout_s": 1.0, "status_interval_s": 0.02, "confirm_poll_s": 0.01}
        yield (
            ZplPrinter("zebra-1", "127.0.0.1", sim.print_port, sim.status_port, **settings),
            (lambda: [p.label_id for p in sim.printed]),
        )


@contextlib.asynccontextmanager
async def modbus() -> AsyncIterator[tuple[LabelPrinter, Callable[[], list[str | None]]]]:
    async with PrinterPlcSim(clock=ScaledClock(SPEED), print_time_s=0.5) as sim:
        yield (
            ModbusPrinter("pa-1", sim.host, sim.port, timeout_s=0.5, poll_interval_s=0.005),
            (lambda: [p.label_id for p in sim.printed]),
        )


@contextlib.asynccontextmanager
async def fake() -> AsyncIterator[tuple[LabelPrinter, Callable[[], list[str | None]]]]:
    printer = FakeLabelPrinter("fake-1", retry_s=0.01)
    yield printer, (lambda: [p.label_id for p in printer.printed])


RIGS = {"zpl": zpl, "modbus": modbus, "fake": fake}


class Journal:
    """The service's side of the hook: answers from a table, and records what the printer had printed when asked."""

    def __init__(self, answers: dict[str, list[bool | None]], printed: Callable[[], list[str | None]]) -> None:
        self.answers, self.printed = answers, printed
        self.asked: list[tuple[str, int, list[str | None]]] = []

    async def __call__(self, label_id: str, reprint: int) -> bool | None:
        self.asked.append((label_id, reprint, list(self.printed())))
        queue = self.answers.get(label_id, [True])
        return queue.pop(0) if len(queue) > 1 else queue[0]


@pytest.mark.parametrize("kind", list(RIGS))
async def test_a_label_leaves_only_after_the_journal_said_yes(kind: str) -> None:
    async with RIGS[kind]() as (printer, printed):
        journal = Journal({"P2": [False], "P3": [None, None, True]}, printed)
        printer.before_sending(journal)
        reports = Reports()
        task = asyncio.create_task(printer.run(reports))
        try:
            for n in (1, 2, 3, 4):
                printer.print_label(part(n))
            await until(lambda: reports.done() == ["P1", "P3", "P4"], "P1, P3 and P4 printed", within_s=20)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert printed() == ["P1", "P3", "P4"]  # P2 was not wanted any more: dropped, never printed
    assert [label for label, _, _ in journal.asked] == ["P1", "P2", "P3", "P3", "P3", "P4"]  # P3 held, then sent
    for label, reprint, before in journal.asked:
        assert reprint == 0 and label not in before  # asked before a byte of it reached the printer


def test_the_duplicate_check_remembers_a_bounded_number_of_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate refuses a label id it accepted before, for as many labels as it remembers, and no more."""
    from plc_io import label_gate

    monkeypatch.setattr(label_gate, "REMEMBERED_LABELS", 50)
    gate: label_gate.LabelGate[PartLabel] = label_gate.LabelGate("zebra-1", outbox_size=1000)
    labels = [part(n) for n in range(1, 201)]
    for label in labels:
        gate.admit(label, lambda label=label: label)
    assert len(gate._accepted) == 50
    with pytest.raises(label_gate.LabelRefused):
        gate.admit(labels[-1], lambda: labels[-1])  # a recent one: refused
    gate.admit(labels[0], lambda: labels[0])  # long forgotten: taken again (the service no longer sends it)
