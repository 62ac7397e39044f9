"""The core's ship-notice rules (sequencer/rules/notices.py): a shipped rack asks for its notice, the OEM's answer
moves it, silence and rejection are deviations, a lead cancels or replaces it (docs/ship-notices.md)."""

from __future__ import annotations

import pytest

from sequencer.commands import SendShipNotice
from sequencer.core import Sequencer
from sequencer.events import (
    CancelShipNotice,
    CorrectShippedRack,
    RackLabelScanned,
    RackShipped,
    ResendShipNotice,
    ShipNoticeAnswered,
    ShipNoticeSending,
    ShipRackByHand,
    Tick,
)
from sequencer.plant import PlantConfig, ShipNoticeConfig
from sequencer.rules.notices import NOTICE_MOVES
from sequencer.state import SequencerError
from sequencer.testing import SEAT_RACK, by_hand, first_seat_rack_full, kinds, of, open_deviations
from tests.plants import demo_plant

TIMEOUT = 300.0


@pytest.fixture
def plant() -> PlantConfig:
    return demo_plant().model_copy(update={"ship_notices": ShipNoticeConfig(ack_timeout_s=TIMEOUT, keep_answered=2)})


def shipped(plant: PlantConfig, at: float = 20.0) -> tuple[Sequencer, SendShipNotice]:
    core = first_seat_rack_full(plant)
    (notice,) = of(SendShipNotice, core.handle(RackShipped(at=at, feed="L1", family="seats", rack_no=1)))
    return core, notice


def test_shipping_asks_for_the_rack_s_notice_in_slot_order(plant: PlantConfig) -> None:
    """The notice carries every part of the rack in slot order, with its vehicle, sequence and label serial."""
    core, notice = shipped(plant)
    assert (notice.notice_id, notice.version, notice.function) == ("L1-seats-1", 1, "original")
    assert [i.slot for i in notice.items] == list(range(1, SEAT_RACK + 1))
    assert [i.seq for i in notice.items] == list(range(1, SEAT_RACK + 1))
    assert [i.vehicle_id for i in notice.items] == [f"VIN{s:05d}" for s in range(1, SEAT_RACK + 1)]
    assert all(i.part == "SEAT-CLOTH-BLK" and i.qty == 1 and i.label_id.startswith("P") for i in notice.items)
    assert len({i.label_id for i in notice.items}) == SEAT_RACK
    assert (notice.rack_label, notice.plant, notice.dock, notice.line) == ("R-L1-seats-1", "SC01", "D04", "A1")
    assert core.state.notices["L1-seats-1"].state == "due"


def test_without_ship_notices_a_rack_ships_as_before() -> None:
    core = first_seat_rack_full(demo_plant())
    assert core.handle(RackShipped(at=20, feed="L1", family="seats", rack_no=1)) == []
    assert core.state.notices == {}


def test_a_dock_scan_of_the_rack_label_ships_it(plant: PlantConfig) -> None:
    core = first_seat_rack_full(plant)
    (notice,) = of(SendShipNotice, core.handle(RackLabelScanned(at=20, label_id="R-L1-seats-1", dock="D04")))
    assert notice.notice_id == "L1-seats-1"
    with pytest.raises(SequencerError, match="not the label of a rack"):
        core.handle(RackLabelScanned(at=21, label_id="P1"))
    with pytest.raises(SequencerError, match="already shipped"):
        core.handle(RackLabelScanned(at=22, label_id="R-L1-seats-1"))


def test_a_lead_ships_by_hand_with_its_notice(plant: PlantConfig) -> None:
    core = first_seat_rack_full(plant)
    op = by_hand(ShipRackByHand, at=20, reason="scanner down", feed="L1", family="seats", rack_no=1)
    assert [n.notice_id for n in of(SendShipNotice, core.handle(op))] == ["L1-seats-1"]


def test_sent_then_acknowledged(plant: PlantConfig) -> None:
    core, notice = shipped(plant)
    core.handle(ShipNoticeSending(at=21, notice_id=notice.notice_id, version=1))
    assert core.state.notices[notice.notice_id].state == "sent"
    assert core.handle(ShipNoticeAnswered(at=22, notice_id=notice.notice_id, version=1, accepted=True)) == []
    assert core.state.notices[notice.notice_id].state == "acknowledged"
    assert kinds(core.handle(Tick(at=20 + TIMEOUT + 1)), "notice_unanswered") == []  # answered: no time-out
    assert core.state.notice_counts["acknowledged"] == 1


def test_no_answer_in_time_is_a_deviation_cleared_by_the_answer(plant: PlantConfig) -> None:
    core, notice = shipped(plant)
    core.handle(ShipNoticeSending(at=21, notice_id=notice.notice_id, version=1))
    late = "notice_unanswered"
    assert kinds(core.handle(Tick(at=20 + TIMEOUT - 1)), late) == []
    assert kinds(core.handle(Tick(at=20 + TIMEOUT)), late) == [late]
    assert kinds(core.handle(Tick(at=20 + TIMEOUT + 5)), late) == []  # raised once
    core.handle(ShipNoticeAnswered(at=20 + TIMEOUT + 9, notice_id=notice.notice_id, version=1, accepted=True))
    assert [d.active for d in open_deviations(core, "notice_unanswered")] == [False]


def test_a_rejection_is_a_deviation_until_a_later_version_is_acknowledged(plant: PlantConfig) -> None:
    core, notice = shipped(plant)
    core.handle(ShipNoticeSending(at=21, notice_id=notice.notice_id, version=1))
    answer = ShipNoticeAnswered(at=22, notice_id=notice.notice_id, version=1, accepted=False, reason="seq 3 unknown")
    assert kinds(core.handle(answer)) == ["notice_rejected"]
    (dev,) = open_deviations(core, "notice_rejected")
    assert "seq 3 unknown" in dev.message
    op = by_hand(CorrectShippedRack, at=30, feed="L1", family="seats", rack_no=1, slot=3, part="SEAT-SPORT-RED")
    (replacement,) = of(SendShipNotice, core.handle(op))
    assert (replacement.version, replacement.function) == (2, "replace")
    assert [i.part for i in replacement.items if i.slot == 3] == ["SEAT-SPORT-RED"]
    with pytest.raises(SequencerError, match="not the newest"):
        core.handle(ShipNoticeAnswered(at=31, notice_id=notice.notice_id, version=1, accepted=True))
    core.handle(ShipNoticeAnswered(at=32, notice_id=notice.notice_id, version=2, accepted=True))
    assert [d.active for d in open_deviations(core, "notice_rejected")] == [False]


def test_correction_takes_a_part_out_and_refuses_what_changes_nothing(plant: PlantConfig) -> None:
    core, _ = shipped(plant)
    op = by_hand(CorrectShippedRack, at=30, feed="L1", family="seats", rack_no=1, slot=2, part="")
    (replacement,) = of(SendShipNotice, core.handle(op))
    assert [i.slot for i in replacement.items] == [1, 3, 4, 5, 6]
    for slot, part, why in ((2, "SEAT-SPORT-RED", "shipped empty"), (1, "SEAT-CLOTH-BLK", "nothing to correct")):
        with pytest.raises(SequencerError, match=why):
            core.handle(by_hand(CorrectShippedRack, at=31, feed="L1", family="seats", rack_no=1, slot=slot, part=part))
    with pytest.raises(SequencerError, match="not a part of family"):
        core.handle(by_hand(CorrectShippedRack, at=31, feed="L1", family="seats", rack_no=1, slot=1, part="BMP-040"))


def test_cancel_then_ship_again_sends_a_new_original(plant: PlantConfig) -> None:
    core, notice = shipped(plant)
    cancel = by_hand(CancelShipNotice, at=25, feed="L1", family="seats", rack_no=1)
    (cancelled,) = of(SendShipNotice, core.handle(cancel))
    assert (cancelled.version, cancelled.function, cancelled.items) == (2, "cancel", notice.items)
    with pytest.raises(SequencerError, match="cancelled already"):
        core.handle(by_hand(CancelShipNotice, at=26, feed="L1", family="seats", rack_no=1))
    with pytest.raises(SequencerError, match="ship the rack again"):
        core.handle(by_hand(CorrectShippedRack, at=26, feed="L1", family="seats", rack_no=1, slot=1, part=""))
    (again,) = of(SendShipNotice, core.handle(RackLabelScanned(at=40, label_id="R-L1-seats-1")))
    assert (again.version, again.function, again.items) == (3, "original", notice.items)


def test_answered_notices_are_kept_up_to_the_limit(plant: PlantConfig) -> None:
    """keep_answered = 2: the oldest acknowledged notice is forgotten; a correction of it is refused."""
    core = first_seat_rack_full(plant)
    core.handle(RackShipped(at=20, feed="L1", family="seats", rack_no=1))
    core.state.notices["L1-seats-0"] = core.state.notices["L1-seats-1"]  # two more answered notices, made alike
    core.state.notices["L1-seats-9"] = core.state.notices["L1-seats-1"]
    for nid in ("L1-seats-0", "L1-seats-9", "L1-seats-1"):
        core.state.answered[nid] = None
    core.handle(ShipNoticeAnswered(at=22, notice_id="L1-seats-1", version=1, accepted=True))
    assert list(core.state.answered) == ["L1-seats-9", "L1-seats-1"]
    assert "L1-seats-0" not in core.state.notices


def test_every_state_may_be_reissued_and_answers_only_end_an_awaited_one() -> None:
    assert {s for s, happened in NOTICE_MOVES if happened == "reissued"} == {"due", "sent", "acknowledged", "rejected"}
    assert {s for s, happened in NOTICE_MOVES if happened in ("accepted", "refused")} == {"due", "sent"}


def test_replay_gives_the_same_fingerprint(plant: PlantConfig) -> None:
    core, notice = shipped(plant)
    events = [
        ShipNoticeSending(at=21, notice_id=notice.notice_id, version=1),
        ShipNoticeAnswered(at=22, notice_id=notice.notice_id, version=1, accepted=False, reason="no"),
        Tick(at=400),
    ]
    other, _ = shipped(plant)
    for e in events:
        core.handle(e)
        other.handle(e)
    assert core.fingerprint() == other.fingerprint()
    assert core.fingerprint() != shipped(plant)[0].fingerprint()


# -- a lead's "send again" (ResendShipNotice) -------------------------------------------------------------------
def test_a_rejected_notice_is_sent_again_as_a_new_version_with_the_same_contents(plant: PlantConfig) -> None:
    core, first = shipped(plant)
    core.handle(ShipNoticeSending(at=21, notice_id=first.notice_id, version=1))
    core.handle(ShipNoticeAnswered(at=22, notice_id=first.notice_id, version=1, accepted=False, reason="no ASN slot"))
    again = by_hand(ResendShipNotice, at=30, reason="OEM fixed its master data", feed="L1", family="seats", rack_no=1)
    (notice,) = of(SendShipNotice, core.handle(again))
    assert (notice.version, notice.function, notice.items) == (2, "original", first.items)
    assert core.state.notices[first.notice_id].state == "due"
    assert [d.active for d in open_deviations(core, "notice_rejected")] == [True]  # until a later version is taken
    core.handle(ShipNoticeAnswered(at=31, notice_id=first.notice_id, version=2, accepted=True))
    assert [d.active for d in open_deviations(core, "notice_rejected")] == [False]


def test_an_unanswered_notice_is_sent_again_past_its_time_out_only(plant: PlantConfig) -> None:
    core, _ = shipped(plant)
    again = by_hand(ResendShipNotice, at=25, reason="gateway restarted", feed="L1", family="seats", rack_no=1)
    with pytest.raises(SequencerError, match="awaiting its answer"):
        core.handle(again)
    core.handle(Tick(at=20 + TIMEOUT + 1))
    assert [d.active for d in open_deviations(core, "notice_unanswered")] == [True]
    late = by_hand(ResendShipNotice, at=20 + TIMEOUT + 2, reason="no answer", feed="L1", family="seats", rack_no=1)
    (notice,) = of(SendShipNotice, core.handle(late))
    assert notice.version == 2 and [d.active for d in open_deviations(core, "notice_unanswered")] == [False]


def test_an_acknowledged_or_unknown_notice_is_not_sent_again(plant: PlantConfig) -> None:
    core, first = shipped(plant)
    core.handle(ShipNoticeAnswered(at=22, notice_id=first.notice_id, version=1, accepted=True))
    with pytest.raises(SequencerError, match="is acknowledged"):
        core.handle(by_hand(ResendShipNotice, at=30, feed="L1", family="seats", rack_no=1))
    with pytest.raises(SequencerError, match="no ship notice kept"):
        core.handle(by_hand(ResendShipNotice, at=30, feed="L1", family="seats", rack_no=9))
