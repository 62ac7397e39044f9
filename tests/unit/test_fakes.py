"""The in-memory device fakes (``plc_io.fakes``) on their own: what the contract tests against the real drivers
(tests/integration/test_ptl_fake_contract.py, test_label_write_ahead.py) do not cover: refusals, coalescing,
printer faults and the printer's link. No socket; every wait is bounded."""

from __future__ import annotations

import asyncio

import pytest

from plc_io.fakes import DARK, FakeLabelPrinter, FakePickToLight, Shown
from plc_io.label_gate import LabelRefused
from plc_io.ports import Colour, DeviceError, LabelPrinter, LightShown, OutboxFull, PickToLight
from sequencer.labels import PartLabel
from tests.devices import Reports, stop, until


def part(n: int, reprint: int = 0) -> PartLabel:
    return PartLabel(
        label_id=f"P{n}", feed="L1", seq=n, vehicle_id=f"WVWZZZ1JZXW{n:06d}", part="SEAT-CLOTH-BLK",
        description="Front seat", family="seats", rack_no=1, slot=1 + n % 6, plant="SC01", reprint=reprint,
    )  # fmt: skip


def test_the_fakes_are_the_ports() -> None:
    ptl: PickToLight = FakePickToLight("ptl-1", (1, 2))
    printer: LabelPrinter = FakeLabelPrinter("zebra-1")
    assert (ptl.name, printer.name) == ("ptl-1", "zebra-1")


async def test_light_commands_coalesce_per_light_and_a_light_not_on_the_controller_is_refused() -> None:
    ptl = FakePickToLight("ptl-1", (1, 2), outbox_size=1)
    with pytest.raises(DeviceError):
        ptl.show(9, colour=Colour.GREEN, flash=False, display=1, token=1)
    ptl.show(1, colour=Colour.GREEN, flash=False, display=1, token=1)
    ptl.show(1, colour=Colour.RED, flash=True, display=2, token=2)  # replaces the unsent one
    with pytest.raises(OutboxFull):
        ptl.clear(2)
    reports = Reports("ptl-1")
    task = asyncio.create_task(ptl.run(reports))
    try:
        await until(lambda: bool(reports.of(LightShown, light=1)), "light 1 shown")
    finally:
        await stop(task)
    assert reports.of(LightShown, light=1) == [LightShown(device="ptl-1", light=1, token=2)]
    assert ptl.lit() == {1: Shown(colour=Colour.RED, flash=True, display=2, token=2)}
    assert ptl.shown[2] == DARK


async def test_a_label_is_taken_once_per_reprint_and_a_full_outbox_refuses() -> None:
    printer = FakeLabelPrinter("zebra-1", outbox_size=2)
    printer.print_label(part(1))
    with pytest.raises(LabelRefused):
        printer.print_label(part(1))
    printer.print_label(part(1, reprint=1))
    with pytest.raises(OutboxFull):
        printer.print_label(part(2))
    assert printer.queued == 2


async def test_labels_wait_while_the_printer_is_faulted_or_away_and_print_once_after() -> None:
    printer = FakeLabelPrinter("zebra-1")
    printer.set_faults("paper out")
    reports = Reports("zebra-1")
    task = asyncio.create_task(printer.run(reports))
    try:
        printer.print_label(part(1))
        await until(lambda: reports.faults() == [("paper out",)], "paper out reported")
        assert printer.printed == [] and printer.queued == 1
        printer.set_faults()
        await until(lambda: reports.done() == ["P1"], "P1 printed once the paper is back")
        printer.go_down("cable pulled")
        await until(lambda: reports.links() == [True, False], "link down")
        printer.print_label(part(2))
        await asyncio.sleep(0.01)
        assert reports.done() == ["P1"]
        printer.come_up()
        await until(lambda: reports.done() == ["P1", "P2"], "P2 printed once the printer is back")
    finally:
        await stop(task)
    assert [label.label_id for label in printer.printed] == ["P1", "P2"]
    assert reports.faults() == [("paper out",), ()]
    assert reports.links() == [True, False, True]
