"""The sequencing rules beyond the happy path: functions, forecasts, resequencing, time, refusals, plant shapes."""

from __future__ import annotations

import dataclasses

import pytest

from sequencer.commands import ClearBin, Command, LightBin, PrintLabel, RequestResend, ReturnToStock, VehicleCompleted
from sequencer.core import Sequencer, SequencerError
from sequencer.events import (
    BroadcastReceived,
    CancelVehicle,
    LabelPrinted,
    LabelUncertain,
    ReprintLabel,
    ResolveDeviation,
    Tick,
)
from sequencer.labels import RackLabel
from sequencer.testing import (
    BUMPERS,
    SEAT_RACK,
    SPORT_RED,
    broadcast,
    by_hand,
    fed,
    kinds,
    lit,
    of,
    open_deviations,
    pick_and_print,
    press_lit,
    station_view,
    view,
    with_family,
    with_feed,
)
from tests.plants import demo_plant


@pytest.fixture
def core() -> Sequencer:
    return Sequencer(demo_plant())


# -- message functions -----------------------------------------------------------------------------------------
def test_change_after_pick_sends_the_part_back_and_repicks_into_the_same_slot(core: Sequencer) -> None:
    core.handle(broadcast(1))
    old = lit(core)
    press_lit(core)
    commands = core.handle(broadcast(1, options=SPORT_RED, function="change"))
    (back,) = [c for c in commands if isinstance(c, ReturnToStock)]
    assert (back.part, back.slot) == ("SEAT-CLOTH-BLK", old.slot)
    new = lit(core)
    assert (new.part, new.rack_no, new.slot, new.state) == ("SEAT-SPORT-RED", old.rack_no, old.slot, "lit")
    assert set(kinds(commands)) == {"change", "return_to_stock"}


def test_cancel_before_pick_blanks_the_slot_and_lights_the_next(core: Sequencer) -> None:
    core.handle(broadcast(1))
    core.handle(broadcast(2, options=SPORT_RED))
    commands = core.handle(broadcast(1, function="cancel"))
    assert [c.bin for c in commands if isinstance(c, ClearBin) and c.station == "ST-SEAT"] == ["SEAT-01"]
    assert [(c.bin, c.seq) for c in commands if isinstance(c, LightBin) and c.station == "ST-SEAT"] == [("SEAT-04", 2)]
    assert [r.filled for r in view(core).racks if r.family == "seats"] == [1]  # slot 1 blank


def test_forecast_is_never_picked_and_the_firm_call_supersedes_it(core: Sequencer) -> None:
    assert core.handle(broadcast(1, firm=False)) == []
    assert core.state.feeds["L1"].forecast == {"VIN00001": ("SEAT-CLOTH-BLK", "BMP-040")}
    assert station_view(core).current is None
    core.handle(broadcast(1))
    assert core.state.feeds["L1"].forecast == {}
    assert lit(core).seq == 1


@pytest.mark.parametrize(
    ("reaction", "old_status", "new_status"),
    [
        ("flag", "open", "open"),
        ("move", "cancelled", "open"),
        ("hold", "open", "held"),
    ],
)
def test_resequenced_vehicle_reaction_is_per_feed(reaction: str, old_status: str, new_status: str) -> None:
    core = fed(with_feed(demo_plant(), on_out_of_order=reaction), broadcast(1, vin="WVWZZZ1KZAP000001"), broadcast(2))
    assert "resequenced" in kinds(core.handle(broadcast(3, vin="WVWZZZ1KZAP000001")))
    vehicles = core.state.feeds["L1"].vehicles
    assert (vehicles[0].status, vehicles[2].status) == (old_status, new_status)


# -- time ------------------------------------------------------------------------------------------------------
def test_silence_alarm_after_the_configured_takts_and_cleared_by_the_next_broadcast() -> None:
    core = fed(with_feed(demo_plant(), takt_s=60, silence_takts=5), broadcast(1, at=0))
    assert kinds(core.handle(Tick(at=299)), "silence") == []
    assert kinds(core.handle(Tick(at=301)), "silence") == ["silence"]
    assert kinds(core.handle(Tick(at=400)), "silence") == []  # raised once
    core.handle(broadcast(2, at=401))
    assert [d.active for d in open_deviations(core, "silence")] == [False]


def test_pick_timeout_raises_once_and_clears_on_the_confirm() -> None:
    plant = demo_plant()
    core = fed(plant, broadcast(1, at=0))
    limit = plant.stations[0].pick_timeout_s
    assert kinds(core.handle(Tick(at=limit + 1))).count("pick_timeout") == 2  # both stations
    assert kinds(core.handle(Tick(at=limit + 2))) == []
    press_lit(core, at=limit + 3)
    assert [d.active for d in open_deviations(core, "pick_timeout") if d.station == "ST-SEAT"] == [False]


# -- refusals and what a person gives up on ----------------------------------------------------------------------
def test_manual_operation_without_a_reason_is_refused_and_changes_nothing(core: Sequencer) -> None:
    core.handle(broadcast(1))
    before = core.fingerprint()
    with pytest.raises(SequencerError, match="reason"):
        core.handle(by_hand(CancelVehicle, reason=" ", feed="L1", seq=1))
    assert core.fingerprint() == before


def test_resolving_a_gap_by_hand_blanks_its_slots(core: Sequencer) -> None:
    core.handle(broadcast(1))
    core.handle(broadcast(3))
    (gap,) = open_deviations(core, "gap")
    core.handle(by_hand(ResolveDeviation, reason="OEM: number never used", deviation_id=gap.id))
    assert [r.filled for r in view(core).racks if r.family == "seats"] == [1]  # slot 2 blank
    assert not open_deviations(core, "gap")


def test_a_late_broadcast_for_a_closed_rack_proposes_a_fix(core: Sequencer) -> None:
    core.handle(broadcast(1))
    core.handle(broadcast(3))  # 2 missing
    (gap,) = open_deviations(core, "gap")
    core.handle(by_hand(ResolveDeviation, reason="OEM: not coming", deviation_id=gap.id))
    for seq in range(4, 7):
        core.handle(broadcast(seq))
    for _ in range(5):
        pick_and_print(core)
    assert [r.rack_no for r in view(core).racks if r.family == "seats"] == []  # rack 1 closed
    assert not open_deviations(core, "late_broadcast")
    assert kinds(core.handle(broadcast(2))) == ["late_broadcast"]
    (late,) = open_deviations(core, "late_broadcast")
    assert "proposed fix" in late.message


def test_events_are_frozen_values() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        broadcast(1).seq = 2  # type: ignore[misc]


# -- plant shapes ----------------------------------------------------------------------------------------------
def test_several_feeds_each_with_its_own_modulus() -> None:
    plant = demo_plant()
    l2 = plant.feeds[0].model_copy(update={"id": "L2", "modulus": 65536})
    core = Sequencer(plant.model_copy(update={"feeds": (plant.feeds[0], l2)}))
    for seq in (65533, 65534, 65535, 0, 1):
        assert kinds(core.handle(broadcast(seq, at=seq, feed="L2", vin=f"B{seq}"))) == [], seq
    core.handle(BroadcastReceived(at=9, feed="L1", seq=9998, vehicle_id="A1", options=("S1", "P040")))
    commands = core.handle(broadcast(3, at=10, feed="L2", vin="B3"))  # 2 missing
    assert [(c.feed, c.from_seq, c.to_seq) for c in commands if isinstance(c, RequestResend)] == [("L2", 2, 2)]
    assert [(f.id, f.gaps) for f in view(core).feeds] == [("L1", 0), ("L2", 1)]


def test_reverse_load_numbers_slots_backwards() -> None:
    core = fed(with_family(demo_plant(), "seats", reverse_load=True), *(broadcast(seq) for seq in range(1, 4)))
    assert [p.slot for p in [lit(core), *station_view(core).next]] == [6, 5, 4]


def test_a_part_of_a_family_the_plant_does_not_build_blocks_its_vehicle_until_resolved(core: Sequencer) -> None:
    """The OEM names a part of a family this plant has no racks for: an "unresolved" deviation holds the vehicle
    open; resolving it completes the vehicle (there is no slot to leave blank). It used to raise KeyError out of
    ``handle`` (not a SequencerError) after the vehicle's block was already gone."""
    commands = core.handle(broadcast(1, parts=(("doors", "DOOR-LH-01"),)))
    assert kinds(commands) == ["unresolved"]
    (dev,) = open_deviations(core, "unresolved")
    assert "unknown part family 'doors'" in dev.message
    pick_and_print(core, at=2)
    pick_and_print(core, BUMPERS, at=4)
    assert core.vehicle_statuses()["completed"] == 0  # every part picked and labelled, the doors part unresolved
    done = core.handle(by_hand(ResolveDeviation, at=6, reason="OEM: doors are not ours", deviation_id=dev.id))
    assert [(c.feed, c.seq) for c in of(VehicleCompleted, done)] == [("L1", 1)]
    assert not open_deviations(core, "unresolved")
    assert [(r.family, r.filled) for r in view(core).racks] == [("seats", 1), ("bumper", 1)]


# -- the rack label waits for its part labels ---------------------------------------------------------------------
def rack_labels(commands: list[Command]) -> list[str]:
    return [c.label.label_id for c in of(PrintLabel, commands) if isinstance(c.label, RackLabel)]


def seat_rack_picked(core: Sequencer, printed_labels: int) -> list[PrintLabel]:
    """L1 1..6 picked at the seat station (the rack closes); the first ``printed_labels`` part labels printed, the
    others' PrintLabel returned."""
    for seq in range(1, SEAT_RACK + 1):
        core.handle(broadcast(seq))
    asked = [c for _ in range(SEAT_RACK) for c in of(PrintLabel, press_lit(core))]
    for command in asked[:printed_labels]:
        assert rack_labels(core.handle(LabelPrinted(at=2, label_id=command.label.label_id))) == []
    return asked[printed_labels:]


def test_a_rack_label_waits_until_every_part_label_in_the_rack_is_printed(core: Sequencer) -> None:
    (last,) = seat_rack_picked(core, printed_labels=SEAT_RACK - 1)
    assert not [c for c in core.pending_labels() if isinstance(c.label, RackLabel)]
    assert rack_labels(core.handle(LabelPrinted(at=3, label_id=last.label.label_id))) == ["R-L1-seats-1"]


def test_a_rack_label_waits_for_an_uncertain_part_label_until_a_person_resolves_it(core: Sequencer) -> None:
    """The field report: a rack label printed while one of its slots' part labels was still uncertain."""
    (last,) = seat_rack_picked(core, printed_labels=SEAT_RACK - 1)
    assert rack_labels(core.handle(LabelUncertain(at=3, label_id=last.label.label_id, reason="link lost"))) == []
    assert rack_labels(core.handle(Tick(at=4))) == []  # time alone prints nothing
    assert not [c for c in core.pending_labels() if isinstance(c.label, RackLabel)]
    (dev,) = open_deviations(core, "label_uncertain")
    found = core.handle(by_hand(ResolveDeviation, at=5, reason="label is on the seat", deviation_id=dev.id))
    assert rack_labels(found) == ["R-L1-seats-1"]


def test_a_rack_label_waits_for_the_reprint_of_an_uncertain_part_label(core: Sequencer) -> None:
    (last,) = seat_rack_picked(core, printed_labels=SEAT_RACK - 1)
    core.handle(LabelUncertain(at=3, label_id=last.label.label_id, reason="link lost"))
    assert rack_labels(core.handle(by_hand(ReprintLabel, at=4, label_id=last.label.label_id))) == []
    assert rack_labels(core.handle(LabelPrinted(at=5, label_id=last.label.label_id))) == ["R-L1-seats-1"]


def test_a_rack_label_no_longer_waits_for_a_part_taken_back_out_of_the_rack(core: Sequencer) -> None:
    """The OEM cancels the vehicle whose part label is uncertain: the part goes back to stock, its slot is blank."""
    (last,) = seat_rack_picked(core, printed_labels=SEAT_RACK - 1)
    core.handle(LabelUncertain(at=3, label_id=last.label.label_id, reason="link lost"))
    cancelled = core.handle(broadcast(SEAT_RACK, at=4, function="cancel"))
    assert of(ReturnToStock, cancelled) and rack_labels(cancelled) == ["R-L1-seats-1"]


def test_a_rack_label_waits_for_the_part_a_change_picks_again_into_its_slot(core: Sequencer) -> None:
    (last,) = seat_rack_picked(core, printed_labels=SEAT_RACK - 1)
    core.handle(LabelUncertain(at=3, label_id=last.label.label_id, reason="link lost"))
    changed = core.handle(broadcast(SEAT_RACK, at=4, options=SPORT_RED, function="change"))
    assert of(ReturnToStock, changed) and rack_labels(changed) == []  # the new seat is not in the rack yet
    (again,) = of(PrintLabel, press_lit(core, at=5))
    assert rack_labels(core.handle(LabelPrinted(at=6, label_id=again.label.label_id))) == ["R-L1-seats-1"]
