"""The service's two main paths, end to end through the real service with in-memory devices (``tests/fake_line.py``):
what happens when a broadcast arrives (``app.service.intake``) and what happens when a light is pressed
(``app.service.device_side``), and the devices brought back to the journal's state by a restart.

Checked from outside the service: the journal, the fake devices' own state, the ACK. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from plc_io.ports import BinPressed, LabelDone
from sequencer.events import BinConfirmed, BroadcastReceived, LabelPrinted, LabelSending, ReprintLabel
from tests.devices import until
from tests.fake_line import FakeLine, fake_line

SEAT_CLOTH = 1  # ptl-seat light of bin SEAT-01 (SEAT-CLOTH-BLK: option S1)
BUMPER_040 = 1  # ptl-bump light of bin BMP-01 (BMP-040: option P040)


def journal_kinds(line: FakeLine) -> list[str]:
    return [type(event).__name__ for _, event in line.service.store.journal()]


async def test_a_broadcast_is_journaled_then_acknowledged_and_lights_its_bins(database_url: str) -> None:
    async with fake_line(database_url) as line:
        ack = await line.broadcast(7)
        assert ack.status == "accepted"  # only once committed: the journal holds it already
        assert journal_kinds(line).count("BroadcastReceived") == 1
        seat, bumper = line.ptls["ptl-seat"], line.ptls["ptl-bump"]
        await until(lambda: SEAT_CLOTH in seat.lit() and BUMPER_040 in bumper.lit(), "both bins lit")
        await until(lambda: len(line.service.latency.latencies_ms) == 2, "received -> lit measured for both")
        assert seat.lit()[SEAT_CLOTH].token != bumper.lit()[BUMPER_040].token  # one pick token per bin
        assert (await line.broadcast(7)).status == "duplicate"  # an identical resend: counted, nothing lit twice
    received = [e for _, e in line.service.store.journal() if isinstance(e, BroadcastReceived)]
    assert [(e.feed, e.seq) for e in received] == [("L1", 7), ("L1", 7)]  # the resend journaled too, then ACKed
    assert sum(len(ptl.lit()) for ptl in line.ptls.values()) == 2


async def test_a_press_is_journaled_prints_the_label_and_clears_the_light(database_url: str) -> None:
    async with fake_line(database_url) as line:
        await line.broadcast(8)
        seat = line.ptls["ptl-seat"]
        await until(lambda: SEAT_CLOTH in seat.lit(), "the seat bin lit")
        token = seat.lit()[SEAT_CLOTH].token
        seat.press(SEAT_CLOTH)
        printer = line.printers["zebra-1"]
        await until(lambda: [label.seq for label in printer.printed] == [8], "the seat's part label printed")
        await until(lambda: SEAT_CLOTH not in seat.lit(), "the seat bin dark")
        await until(lambda: "LabelPrinted" in journal_kinds(line), "the print journaled")
    events = [event for _, event in line.service.store.journal()]
    [confirm] = [e for e in events if isinstance(e, BinConfirmed)]
    assert (confirm.station, confirm.bin, confirm.token) == ("ST-SEAT", "SEAT-01", token)
    sending = [i for i, e in enumerate(events) if isinstance(e, LabelSending)]
    printed = [i for i, e in enumerate(events) if isinstance(e, LabelPrinted)]
    assert sending and printed and sending[0] < printed[0], "journaled as leaving before it printed"


async def test_a_restart_lights_the_lit_bins_again_and_counts_presses_from_the_journal(database_url: str) -> None:
    async with fake_line(database_url) as first:
        await first.broadcast(9)
        seat = first.ptls["ptl-seat"]
        await until(lambda: SEAT_CLOTH in seat.lit(), "the seat bin lit")
        lit = seat.lit()[SEAT_CLOTH]
    async with fake_line(database_url) as second:  # the same journal, fresh drivers: dark lights
        seat = second.ptls["ptl-seat"]
        await until(lambda: seat.lit().get(SEAT_CLOTH) == lit, "the seat bin lit again as it was")
        seat.press(SEAT_CLOTH)
        await until(lambda: "BinConfirmed" in journal_kinds(second), "the press journaled")
        await until(lambda: len(second.printers["zebra-1"].printed) == 1, "its label printed")


async def test_a_report_the_journal_has_is_not_journaled_again(database_url: str) -> None:
    """Device reports carry the device's own names: a press its light's counter, a printed label its label id and
    reprint number. The same again (a driver re-reading after a reconnect) is counted and goes no further; the
    done report of the first print, arriving after a person asked for a reprint, is not the reprint's."""
    async with fake_line(database_url) as line:
        await line.broadcast(8)
        seat, printer = line.ptls["ptl-seat"], line.printers["zebra-1"]
        await until(lambda: SEAT_CLOTH in seat.lit(), "the seat bin lit")
        token = seat.lit()[SEAT_CLOTH].token
        seat.press(SEAT_CLOTH)
        core = line.service.core.state
        await until(lambda: core.labels and not core.unprinted, "the seat's part label printed, as the core knows")
        devices = line.service.devices
        [confirm] = [e for _, e in line.service.store.journal() if isinstance(e, BinConfirmed)]
        [label] = printer.printed
        rows = len(journal_kinds(line))
        press = BinPressed(device="ptl-seat", light=SEAT_CLOTH, token=token, count=1, counter=confirm.counter)
        await devices.take_report(press, line.service.clock())
        await devices.take_report(LabelDone(device="zebra-1", label_id=label.label_id, reprint=0), 0.0)
        assert devices.repeats == {"BinPressed": 1, "LabelDone": 1}
        assert [k for k in journal_kinds(line)[rows:] if k != "Tick"] == []
        printer.set_faults("paper out")  # the reprint waits at the printer
        await line.service.submit(ReprintLabel(at=1.0, user="lars", reason="label torn", label_id=label.label_id))
        await devices.take_report(LabelDone(device="zebra-1", label_id=label.label_id, reprint=0), 0.0)
        assert devices.repeats["LabelDone"] == 2 and label.label_id in line.service.core.state.unprinted
        printer.set_faults()
        await until(lambda: label.label_id not in line.service.core.state.unprinted, "the reprint printed")
    printed = [e for _, e in line.service.store.journal() if isinstance(e, LabelPrinted)]
    assert [e.label_id for e in printed] == [label.label_id] * 2, "the first print and the reprint, once each"


async def test_reports_taken_in_one_batch_are_journaled_together_and_a_repeat_inside_it_once(
    database_url: str,
) -> None:
    """The device side takes every report waiting at once (``DeviceSide.take_reports``): one journal transaction.
    A press reported twice in the same batch (a driver re-reading after a reconnect, before the first was handled)
    and a label reported printed twice are judged against the reports before them in the batch, not only the
    journal: each is journaled once, the copies counted as repeats."""
    async with fake_line(database_url) as line:
        await line.broadcast(8)
        seat = line.ptls["ptl-seat"]
        await until(lambda: SEAT_CLOTH in seat.lit(), "the seat bin lit")
        token = seat.lit()[SEAT_CLOTH].token
        devices, state = line.service.devices, line.service.core.state
        line.printers["zebra-1"].set_faults("paper out")  # the label waits: only the reports below say it printed
        counter = (state.confirm_counters.get(("ST-SEAT", "SEAT-01")) or 0) + 1
        press = BinPressed(device="ptl-seat", light=SEAT_CLOTH, token=token, count=1, counter=counter)
        rows = len(journal_kinds(line))
        await devices.take_reports([(press, line.service.clock()), (press, line.service.clock())])
        assert devices.repeats == {"BinPressed": 1}
        assert journal_kinds(line)[rows:].count("BinConfirmed") == 1
        await until(lambda: state.unprinted, "the seat's label asked for")
        [label_id] = state.unprinted
        done = LabelDone(device="zebra-1", label_id=label_id, reprint=0)
        await devices.take_reports([(done, 0.0), (done, 0.0)])
        assert devices.repeats == {"BinPressed": 1, "LabelDone": 1}
        assert journal_kinds(line).count("LabelPrinted") == 1 and not state.unprinted


async def test_what_was_quarantined_once_is_answered_duplicate_and_not_kept_again(database_url: str) -> None:
    """docs/feed-protocol.md, "Identity": quarantined input is named too, copies arriving together included."""
    async with fake_line(database_url) as line:
        intake = line.service.intake
        junk = b'{"feed": "L1", "seq": "not a number"}'
        first, again = await intake.accept(junk), await intake.accept(junk)
        together = await intake.accept_many([b"\x00garbage", b"\x00garbage"])
        assert (first.status, again.status) == ("quarantined", "duplicate")
        assert [a.status for a in together if not isinstance(a, BaseException)] == ["quarantined", "duplicate"]
        assert len(line.service.store.quarantined()) == 2 == intake.quarantined
        shown = line.service.core.state.deviations.counts["malformed"]
        assert shown == 2, "one deviation each"


async def test_a_part_that_swallows_its_cancel_is_cancelled_again_and_the_stop_never_hangs(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A cancel can be lost on the way (3.11's ``wait_for`` meeting its event, a library's wait): the stop cancels
    a part still running after ``STOP_GRACE_S`` again and names it, so ``jis serve`` always ends."""
    swallowed = asyncio.Event()

    async def stubborn() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            swallowed.set()  # the first cancel swallowed; the second ends it
        await asyncio.sleep(3600)

    started = time.monotonic()
    async with fake_line(database_url) as line:
        line.service._tasks.append(asyncio.create_task(stubborn(), name="stubborn-part"))
    assert swallowed.is_set()
    assert time.monotonic() - started < 60  # bounded: the grace, not a hang (pytest-timeout would catch a hang)
    assert "stubborn-part did not stop within" in caplog.text
