"""The life of a pick and of a vehicle, as two transition tables like the alarm table (``sequencer.alarms``).

A pick is queued at its station, lit when its turn comes, blocked by a wrong pick until a person corrects it,
picked on a confirm; its vehicle's hold takes it out of the line (held) and the release queues it again; a change
or cancel withdraws it (cancelled; a picked part goes back to stock). A vehicle is open until every part is
picked and labelled (completed); it may be held and released, cancelled while open or held, and reopened by a
change or cancel after it completed (its rack not yet shipped).

Every status change goes through ``move_pick`` or ``move_vehicle``; a move the table does not have raises
``IllegalTransition`` and changes nothing. The manual operations ask ``vehicle_may`` before they change anything,
so a refused intent is a table lookup too.
What it must not do: decide when a move happens (the rules in ``sequencer.rules`` do) or do anything beyond the
status field: the station's queue and lights, the counters and the deviations are the rules' business.
"""

from __future__ import annotations

from enum import StrEnum
from typing import get_args

from sequencer.state import Pick, PickStatus, Vehicle, VehicleStatus


class PickMove(StrEnum):
    LIGHT = "light"  # its turn at the station
    BLOCK = "block"  # another bin was pressed: the slot is blocked until a person corrects it
    UNBLOCK = "unblock"  # the wrong pick was corrected: lit again
    PICK = "pick"  # confirmed at the bin, or by hand
    HOLD = "hold"  # its vehicle is held: out of the line, its slot kept
    RELEASE = "release"  # its vehicle is released: queued again in sequence order
    CANCEL = "cancel"  # its vehicle changed or was cancelled (a picked part goes back to stock)


class VehicleMove(StrEnum):
    HOLD = "hold"
    RELEASE = "release"
    CANCEL = "cancel"
    COMPLETE = "complete"  # every part picked and labelled
    REOPEN = "reopen"  # changed or cancelled after it completed: it has to be built (or unpicked) again


P, V = PickMove, VehicleMove

# (status, move) -> next status
PICK_MOVES: dict[tuple[PickStatus, PickMove], PickStatus] = {
    ("queued", P.LIGHT): "lit",
    ("lit", P.BLOCK): "blocked",
    ("blocked", P.UNBLOCK): "lit",
    ("lit", P.PICK): "picked",
    ("queued", P.HOLD): "held",
    ("lit", P.HOLD): "held",
    ("blocked", P.HOLD): "held",
    ("held", P.HOLD): "held",  # a held vehicle held again (a second hold broadcast, a change while held)
    ("held", P.RELEASE): "queued",
    ("queued", P.CANCEL): "cancelled",
    ("lit", P.CANCEL): "cancelled",
    ("blocked", P.CANCEL): "cancelled",
    ("held", P.CANCEL): "cancelled",
    ("picked", P.CANCEL): "cancelled",  # back to stock
}

VEHICLE_MOVES: dict[tuple[VehicleStatus, VehicleMove], VehicleStatus] = {
    ("open", V.HOLD): "held",
    ("held", V.RELEASE): "open",
    ("open", V.CANCEL): "cancelled",
    ("held", V.CANCEL): "cancelled",
    ("open", V.COMPLETE): "completed",
    ("completed", V.REOPEN): "open",
}

PICK_STATUSES: tuple[PickStatus, ...] = get_args(PickStatus)
VEHICLE_STATUSES: tuple[VehicleStatus, ...] = get_args(VehicleStatus)
VEHICLE_IN_LINE: tuple[VehicleStatus, ...] = ("open", "held")  # still to be built: due, movable, cancellable
VEHICLE_DONE: tuple[VehicleStatus, ...] = ("completed", "cancelled")  # nothing left to pick


class IllegalTransition(ValueError):
    """A status change the table does not have (a rule's mistake: the rules check before they change)."""


def move_pick(pick: Pick, move: PickMove) -> None:
    target = PICK_MOVES.get((pick.status, move))
    if target is None:
        raise IllegalTransition(f"pick {pick.pick_id}: cannot {move.value} a pick that is {pick.status}")
    pick.status = target


def pick_may(pick: Pick, move: PickMove) -> bool:
    return (pick.status, move) in PICK_MOVES


def vehicle_may(vehicle: Vehicle, move: VehicleMove) -> bool:
    return (vehicle.status, move) in VEHICLE_MOVES


def move_vehicle(vehicle: Vehicle, move: VehicleMove) -> None:
    target = VEHICLE_MOVES.get((vehicle.status, move))
    if target is None:
        raise IllegalTransition(f"{vehicle.feed} {vehicle.seq}: cannot {move.value} a vehicle that is {vehicle.status}")
    vehicle.status = target
