"""The KPIs shared with the OEM (sequencer/shipments.py, sequencer/kpis.py ``shared_kpis``; docs/kpis.md): per rack
shipped on time / in full / in sequence, sequence accuracy in ppm of parts shipped, ship notices acknowledged."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sequencer.core import Sequencer
from sequencer.events import (
    BinConfirmed,
    CancelShipNotice,
    CorrectShippedRack,
    LabelPrinted,
    RackShipped,
    ResolveDeviation,
    ShipNoticeAnswered,
    ShipNoticeSending,
    Tick,
)
from sequencer.kpis import kpis_from_journal, kpis_of, shared_kpis
from sequencer.plant import CalendarConfig, PlantConfig, ShiftConfig, ShipNoticeConfig
from sequencer.shipments import KEEP_S, Shipment, ShipmentBook
from sequencer.testing import NO_SEAT, SEAT_RACK, SEATS, broadcast, by_hand, first_seat_rack_full, lit, pick_and_print
from tests.plants import demo_plant

TIMEOUT = 300.0
DUE = 7200.0  # the demo feed's lead time: the broadcasts arrive at 0, their vehicles are needed at 7200


@pytest.fixture
def plant() -> PlantConfig:
    return demo_plant().model_copy(update={"ship_notices": ShipNoticeConfig(ack_timeout_s=TIMEOUT, keep_answered=2)})


def ship(core: Sequencer, at: float, rack_no: int = 1) -> Shipment:
    core.handle(RackShipped(at=at, feed="L1", family="seats", rack_no=rack_no))
    shipment = core.state.shipments.get("L1", "seats", rack_no)
    assert shipment is not None
    return shipment


def test_a_full_rack_shipped_before_its_first_vehicle_is_needed_is_on_time_in_full_in_sequence(
    plant: PlantConfig,
) -> None:
    core = first_seat_rack_full(plant)
    s = ship(core, at=20.0)
    assert (s.parts, s.expected, s.capacity, s.needed_at, s.low_seq, s.high_seq) == (SEAT_RACK, SEAT_RACK, 6, DUE, 1, 6)
    assert (s.on_time, s.in_full, s.in_sequence, s.otif) == (True, True, True, True)
    assert (s.notice_id, s.notice_state, s.notice_version) == ("L1-seats-1", "due", 1)
    k = shared_kpis(core.state.shipments.recent, 0.0, 100.0)
    assert (k.racks_shipped, k.racks_otif, k.otif_rate, k.parts_shipped, k.sequence_ppm) == (1, 1, 1.0, 6, 0.0)


def test_a_rack_shipped_after_its_first_vehicle_was_needed_is_late_and_not_otif(plant: PlantConfig) -> None:
    core = first_seat_rack_full(plant)
    s = ship(core, at=DUE + 1)
    assert (s.on_time, s.in_full, s.otif) == (False, True, False)
    k = shared_kpis(core.state.shipments.recent, 0.0, DUE + 2)
    assert (k.racks_shipped, k.racks_on_time, k.racks_otif, k.otif_rate) == (1, 0, 0, 0.0)


def test_a_rack_shipped_exactly_when_needed_is_on_time(plant: PlantConfig) -> None:
    assert ship(first_seat_rack_full(plant), at=DUE).on_time


def test_sequence_ppm_counts_parts_shipped_wrong_not_wrong_picks_caught_at_the_bin(plant: PlantConfig) -> None:
    """A wrong pick caught at the bin never reaches the OEM: it moves the wrong-picks figure, not the shipped one. A
    part exchanged after the rack left was the wrong part in its slot: one in the rack's parts, in ppm."""
    core = Sequencer(plant)
    for seq in range(1, SEAT_RACK + 1):
        core.handle(broadcast(seq))
    wrong_bin = next(b for b in ("SEAT-01", "SEAT-02") if b != lit(core, SEATS).bin)
    core.handle(BinConfirmed(at=1.0, station=SEATS, bin=wrong_bin))  # caught: the station blocks
    (dev,) = [d for d in core.state.deviations.by_id.values() if d.kind == "wrong_pick"]
    core.handle(by_hand(ResolveDeviation, at=1.5, deviation_id=dev.deviation_id))
    for _ in range(SEAT_RACK):
        pick_and_print(core, SEATS)
    ship(core, at=20.0)
    live = kpis_of(core, 30.0, since=0.0)
    assert live.sequence_error_ppm > 0  # the wrong pick caught, per million picks
    assert (live.out_of_sequence_shipped_ppm, live.otif_rate, live.shift_parts_shipped) == (0.0, 1.0, 6)
    core.handle(by_hand(CorrectShippedRack, at=40, feed="L1", family="seats", rack_no=1, slot=3, part="SEAT-SPORT-RED"))
    s = core.state.shipments.get("L1", "seats", 1)
    assert s is not None and (s.replaced, s.in_sequence, s.in_full, s.otif) == (1, False, True, False)
    k = shared_kpis(core.state.shipments.recent, 0.0, 100.0)
    assert (k.parts_out_of_sequence, k.sequence_ppm, k.racks_in_sequence) == (1, pytest.approx(1e6 / 6), 0)


def test_a_part_taken_out_after_shipping_leaves_the_rack_not_in_full(plant: PlantConfig) -> None:
    core = first_seat_rack_full(plant)
    ship(core, at=20.0)
    core.handle(by_hand(CorrectShippedRack, at=40, feed="L1", family="seats", rack_no=1, slot=2, part=""))
    s = core.state.shipments.get("L1", "seats", 1)
    assert s is not None and (s.removed, s.in_full, s.in_sequence, s.otif) == (1, False, True, False)


def test_notices_acknowledged_rejected_and_unanswered_are_counted_by_their_newest_version(plant: PlantConfig) -> None:
    core = first_seat_rack_full(plant)
    for seq in range(SEAT_RACK + 1, 2 * SEAT_RACK + 1):
        core.handle(broadcast(seq))
    for _ in range(SEAT_RACK):
        pick_and_print(core, SEATS)
    ship(core, at=20.0, rack_no=1)
    ship(core, at=21.0, rack_no=2)
    core.handle(ShipNoticeSending(at=22, notice_id="L1-seats-1", version=1))
    core.handle(ShipNoticeSending(at=22, notice_id="L1-seats-2", version=1))
    core.handle(ShipNoticeAnswered(at=23, notice_id="L1-seats-1", version=1, accepted=False, reason="bad qty"))
    k = shared_kpis(core.state.shipments.recent, 0.0, 100.0)
    assert (k.notices, k.notices_acknowledged, k.notices_rejected, k.notices_unanswered, k.notices_pending) == (
        2,
        0,
        1,
        0,
        1,
    )
    core.handle(Tick(at=21.0 + TIMEOUT + 1))  # rack 2's notice: no answer in time
    k = shared_kpis(core.state.shipments.recent, 0.0, 100.0)
    assert (k.notices_rejected, k.notices_unanswered, k.notices_pending) == (1, 1, 0)
    assert kpis_of(core, 400.0, since=0.0).notices_unanswered == 1
    # the rejected one is replaced and acknowledged; the late answer to the other one comes in
    core.handle(
        by_hand(CorrectShippedRack, at=500, feed="L1", family="seats", rack_no=1, slot=1, part="SEAT-SPORT-RED")
    )
    core.handle(ShipNoticeAnswered(at=501, notice_id="L1-seats-1", version=2, accepted=True))
    core.handle(ShipNoticeAnswered(at=502, notice_id="L1-seats-2", version=1, accepted=True))
    s1 = core.state.shipments.get("L1", "seats", 1)
    assert s1 is not None and (s1.notice_state, s1.notice_version, s1.rejections) == ("acknowledged", 2, 1)
    k = shared_kpis(core.state.shipments.recent, 0.0, 100.0)
    assert (k.notices_acknowledged, k.notices_rejected, k.notices_unanswered, k.notices_acknowledged_rate) == (
        2,
        0,
        0,
        1.0,
    )


def test_a_called_off_shipment_does_not_count_until_the_rack_leaves_again(plant: PlantConfig) -> None:
    core = first_seat_rack_full(plant)
    ship(core, at=20.0)
    core.handle(by_hand(CancelShipNotice, at=30, feed="L1", family="seats", rack_no=1))
    assert shared_kpis(core.state.shipments.recent, 0.0, 10_000.0).racks_shipped == 0
    core.handle(RackShipped(at=DUE + 60, feed="L1", family="seats", rack_no=1))  # it leaves again, late
    s = core.state.shipments.get("L1", "seats", 1)
    assert s is not None and (s.called_off, s.shipped_at, s.on_time, s.notice_version) == (False, DUE + 60, False, 3)
    k = shared_kpis(core.state.shipments.recent, 0.0, 10_000.0)
    assert (k.racks_shipped, k.racks_on_time) == (1, 0)
    assert shared_kpis(core.state.shipments.recent, 0.0, DUE).racks_shipped == 0  # it counts when it left


def test_without_ship_notices_racks_still_count_and_no_notice_is_counted() -> None:
    core = first_seat_rack_full(demo_plant())
    s = ship(core, at=20.0)
    assert (s.notice_state, s.otif) == ("", True)
    k = shared_kpis(core.state.shipments.recent, 0.0, 100.0)
    assert (k.racks_otif, k.notices, k.notices_acknowledged_rate) == (1, 0, None)


def test_the_shared_kpis_from_the_journal_equal_the_live_ones(plant: PlantConfig) -> None:
    journal = [broadcast(seq) for seq in range(1, SEAT_RACK + 1)]
    core = Sequencer(plant)
    for event in journal:
        core.handle(event)
    for _ in range(SEAT_RACK):
        pick = lit(core, SEATS)
        press = BinConfirmed(at=1.0, station=SEATS, bin=pick.bin, token=pick.pick_id)
        journal.append(press)
        for command in core.handle(press):
            if hasattr(command, "label"):
                printed = LabelPrinted(at=2.0, label_id=command.label.label_id)
                journal.append(printed)
                core.handle(printed)
    shipped = RackShipped(at=20.0, feed="L1", family="seats", rack_no=1)
    journal.append(shipped)
    core.handle(shipped)
    assert kpis_from_journal(plant, journal, 30.0, since=0.0) == kpis_of(core, 30.0, since=0.0)
    assert kpis_of(core, 30.0, since=25.0).shift_racks_shipped == 0  # shipped before this shift began


# -- invariants of the figures, whatever the shipments ----------------------------------------------------------
NOTICE_WORDS = st.sampled_from(["", "due", "sent", "acknowledged", "rejected"])


@st.composite
def shipments(draw: st.DrawFn) -> Shipment:
    capacity = draw(st.integers(1, 12))
    expected = draw(st.integers(0, capacity))
    parts = draw(st.integers(0, expected))
    return Shipment(
        feed="L1",
        family=draw(st.sampled_from(["seats", "bumpers"])),
        rack_no=draw(st.integers(1, 500)),
        label_id="",
        low_seq=0,
        high_seq=capacity - 1,
        shipped_at=draw(st.floats(0, 86400, allow_nan=False)),
        needed_at=draw(st.none() | st.floats(0, 86400, allow_nan=False)),
        capacity=capacity,
        parts=parts,
        expected=expected,
        out_of_sequence=draw(st.integers(0, max(parts - 1, 0))),
        replaced=draw(st.integers(0, parts)),
        removed=draw(st.integers(0, parts)),
        called_off=draw(st.booleans()),
        notice_state=draw(NOTICE_WORDS),
        notice_overdue=draw(st.booleans()),
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(shipments(), max_size=40), st.floats(0, 86400, allow_nan=False))
def test_shared_kpi_invariants(found: list[Shipment], split: float) -> None:
    """OTIF never exceeds any of its parts; rates are shares; the ppm is of parts shipped; every notice is in one
    state; and the figures of two adjoining periods add up to the figures of both (counts, not averages)."""
    whole = shared_kpis(found, 0.0, 86401.0)
    for k in (whole, shared_kpis(found, 0.0, split), shared_kpis(found, split, 86401.0)):
        assert k.racks_otif <= min(k.racks_on_time, k.racks_in_full, k.racks_in_sequence) <= k.racks_shipped
        assert k.otif_rate is None if k.racks_shipped == 0 else 0.0 <= k.otif_rate <= 1.0
        assert 0.0 <= k.sequence_ppm <= 1e6 and (k.parts_shipped > 0 or k.sequence_ppm == 0.0)
        assert k.notices_acknowledged + k.notices_rejected + k.notices_unanswered + k.notices_pending == k.notices
        assert min(k.notices_pending, k.notices_unanswered) >= 0 and k.notices <= k.racks_shipped
        if k.notices_acknowledged_rate is not None:
            assert math.isclose(k.notices_acknowledged_rate * k.notices, k.notices_acknowledged)
    early, late = shared_kpis(found, 0.0, split), shared_kpis(found, split, 86401.0)
    for name in ("racks_shipped", "racks_otif", "parts_shipped", "parts_out_of_sequence", "notices_rejected"):
        assert getattr(early, name) + getattr(late, name) == getattr(whole, name)
    assert whole.racks_shipped == sum(1 for s in found if not s.called_off)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 10 * 86400, allow_nan=False), min_size=1, max_size=60))
def test_the_book_keeps_two_days_behind_the_newest_and_the_newest_per_rack(times: list[float]) -> None:
    book = ShipmentBook()
    newest = 0.0
    for n, at in enumerate(sorted(times)):
        shipment = Shipment(
            feed="L1",
            family="seats",
            rack_no=n % 7,
            label_id="",
            low_seq=0,
            high_seq=0,
            shipped_at=at,
            needed_at=None,
            capacity=1,
            parts=1,
            expected=1,
            out_of_sequence=0,
        )
        book.append(shipment)
        newest = at
        assert book.get("L1", "seats", n % 7) is shipment
    assert book.appended == len(times)
    assert all(s.shipped_at >= newest - KEEP_S for s in book.recent)
    assert sum(1 for t in times if t >= newest - KEEP_S) == len(book.recent)
    assert all(book.of_rack[(s.feed, s.family, s.rack_no)] in book.recent for s in book.recent)


def test_a_slot_a_lead_shipped_blank_for_want_of_a_part_leaves_the_rack_short(plant: PlantConfig) -> None:
    """An option no seat rule resolves blocks the slot; a lead gives up on it (the slot ships blank): the vehicle
    needed a seat, so the rack is not in full."""
    core = Sequencer(plant)
    core.handle(broadcast(1, options=NO_SEAT))
    for seq in range(2, SEAT_RACK + 1):
        core.handle(broadcast(seq))
    (dev,) = [d for d in core.state.deviations.by_id.values() if d.kind == "unresolved"]
    core.handle(by_hand(ResolveDeviation, at=1.0, deviation_id=dev.deviation_id))
    for _ in range(SEAT_RACK - 1):
        pick_and_print(core, SEATS)
    s = ship(core, at=20.0)
    assert (s.parts, s.expected, s.in_full, s.otif) == (SEAT_RACK - 1, SEAT_RACK, False, False)
    assert core.state.blank_by_hand == set()  # dropped once its rack shipped


def test_the_live_figures_count_the_racks_shipped_in_the_calendar_s_current_shift(plant: PlantConfig) -> None:
    """``kpis_of`` without ``since``: the racks shipped in the shift of the plant's calendar ``at`` falls in; between
    shifts, those of the last shift that ran (the line server and the cockpit show these)."""
    berlin = ZoneInfo(plant.plant.timezone)

    def t(hh_mm: str) -> float:
        return datetime.fromisoformat(f"2026-03-02T{hh_mm}").replace(tzinfo=berlin).timestamp()

    core = first_seat_rack_full(plant)
    ship(core, at=t("07:00"))  # the early shift (06-14); needed long before: late, but counted
    assert kpis_of(core, t("13:59")).shift_racks_shipped == 1
    assert kpis_of(core, t("14:00")).shift_racks_shipped == 0  # the late shift has shipped nothing yet
    early_only = plant.model_copy(
        update={"calendar": CalendarConfig(shifts=(ShiftConfig(name="early", start="06:00", end="14:00"),))}
    )
    core = first_seat_rack_full(early_only)
    ship(core, at=t("07:00"))
    assert kpis_of(core, t("20:00")).shift_racks_shipped == 1  # between shifts: the early shift's
