"""The pick and vehicle tables (``sequencer.lifecycle``): every legal move lands where the table says, every other
raises and changes nothing, and a person's vehicle intent is refused exactly where the vehicle table has no move."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sequencer.core import Sequencer, SequencerError
from sequencer.events import CancelVehicle, HoldVehicle, ManualOp, MoveVehicle, ReleaseVehicle, SwapVehicles
from sequencer.lifecycle import (
    PICK_MOVES,
    PICK_STATUSES,
    VEHICLE_MOVES,
    VEHICLE_STATUSES,
    IllegalTransition,
    PickMove,
    VehicleMove,
    move_pick,
    move_vehicle,
)
from sequencer.state import Pick, PickStatus, Vehicle, VehicleStatus
from sequencer.testing import broadcast, by_hand, kinds, vehicle_in, view
from tests.plants import demo_plant


def a_pick(status: PickStatus) -> Pick:
    return Pick(1, "L1", 1, 0, "V1", "seats", "SEAT-CLOTH-BLK", 1, "SEAT-01", "ST-SEAT", 1, 1, 0.0, status=status)


def a_vehicle(status: VehicleStatus) -> Vehicle:
    return Vehicle("L1", 1, 0, "V1", ("V1", (), ()), 0.0, 0.0, status=status)


@pytest.mark.parametrize("status", PICK_STATUSES)
@pytest.mark.parametrize("move", list(PickMove))
def test_every_pick_status_and_move(status: PickStatus, move: PickMove) -> None:
    pick = a_pick(status)
    target = PICK_MOVES.get((status, move))
    if target is None:
        with pytest.raises(IllegalTransition, match=f"cannot {move.value} a pick that is {status}"):
            move_pick(pick, move)
        assert pick == a_pick(status)
    else:
        move_pick(pick, move)
        assert pick.status == target


@pytest.mark.parametrize("status", VEHICLE_STATUSES)
@pytest.mark.parametrize("move", list(VehicleMove))
def test_every_vehicle_status_and_move(status: VehicleStatus, move: VehicleMove) -> None:
    vehicle = a_vehicle(status)
    target = VEHICLE_MOVES.get((status, move))
    if target is None:
        with pytest.raises(IllegalTransition, match=f"cannot {move.value} a vehicle that is {status}"):
            move_vehicle(vehicle, move)
        assert vehicle == a_vehicle(status)
    else:
        move_vehicle(vehicle, move)
        assert vehicle.status == target


def test_nothing_leaves_a_cancelled_pick_and_a_picked_one_only_goes_back_to_stock() -> None:
    assert not [move for (status, move) in PICK_MOVES if status == "cancelled"]
    assert [move for (status, move) in PICK_MOVES if status == "picked"] == [PickMove.CANCEL]
    assert not [move for (status, move) in VEHICLE_MOVES if status == "cancelled"]


# A person's vehicle intents and the move each asks of the vehicle table (a move or swap cancels the vehicle
# at its place and builds it again elsewhere).
INTENTS: dict[type[ManualOp], tuple[VehicleMove, Callable[[], dict[str, int]]]] = {
    HoldVehicle: (VehicleMove.HOLD, dict),
    ReleaseVehicle: (VehicleMove.RELEASE, dict),
    CancelVehicle: (VehicleMove.CANCEL, dict),
    MoveVehicle: (VehicleMove.CANCEL, lambda: {"to_seq": 2}),
    SwapVehicles: (VehicleMove.CANCEL, lambda: {"other_seq": 3}),
}


def core_for(status: VehicleStatus) -> Sequencer:
    """Vehicle L1 1 in ``status``; 2 missing (a place to move to); 3 open (one to swap with)."""
    core = vehicle_in(demo_plant(), status)
    core.handle(broadcast(3, at=0.5))
    return core


@pytest.mark.parametrize("status", VEHICLE_STATUSES)
@pytest.mark.parametrize("intent", list(INTENTS))
def test_an_intent_is_refused_and_changes_nothing_exactly_where_the_vehicle_table_has_no_move(
    status: VehicleStatus, intent: type[ManualOp]
) -> None:
    core = core_for(status)
    move, extra = INTENTS[intent]
    event = by_hand(intent, at=5.0, feed="L1", seq=1, **extra())
    before = core.fingerprint()
    if (status, move) in VEHICLE_MOVES:
        core.handle(event)
        assert core.fingerprint() != before
    else:
        with pytest.raises(SequencerError, match=f"L1 1: vehicle is {status}"):
            core.handle(event)
        assert core.fingerprint() == before


def test_an_illegal_transition_through_the_door_raises_and_changes_nothing() -> None:
    """Holding a held vehicle: the table has no (held, hold); the intent is refused and the line is as it was."""
    core = vehicle_in(demo_plant(), "held")
    before, screen = core.fingerprint(), view(core)
    with pytest.raises(SequencerError, match="vehicle is held"):
        core.handle(by_hand(HoldVehicle, at=5.0, feed="L1", seq=1))
    assert core.fingerprint() == before
    assert view(core) == screen


def test_the_oems_second_cancel_leaves_a_cancelled_vehicle_cancelled() -> None:
    """The one repeated move the table leaves out on purpose: the vehicle rules let it stay cancelled."""
    core = vehicle_in(demo_plant(), "cancelled")
    assert kinds(core.handle(broadcast(1, at=2.0, function="cancel"))) == ["cancel"]
    assert core.vehicle_statuses()["cancelled"] == 1
