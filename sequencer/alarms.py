"""Alarm states after ISA-18.2 / OPC UA Part 9, as one transition table.

An alarm is a deviation that needs a person: it becomes active when its condition appears and returns to normal
when the condition goes; independently a person acknowledges it, shelves it for a while (with an expiry that is
recorded), suppresses it by design or takes it out of service. Only the transitions in ``TRANSITIONS`` exist;
any other action in a state is refused (and changes nothing).
"""

from __future__ import annotations

from enum import StrEnum


class AlarmState(StrEnum):
    NORMAL = "normal"
    UNACK = "active_unacknowledged"  # blinks on the HMI
    ACKED = "active_acknowledged"  # steady
    RTN_UNACK = "returned_unacknowledged"
    SHELVED = "shelved"
    SUPPRESSED = "suppressed"
    OUT_OF_SERVICE = "out_of_service"


class AlarmAction(StrEnum):
    ACTIVATE = "activate"  # the condition appeared (again)
    CLEAR = "clear"  # the condition went away
    ACK = "acknowledge"
    SHELVE = "shelve"
    UNSHELVE = "unshelve"  # by hand, or the shelving expired
    SUPPRESS = "suppress"
    UNSUPPRESS = "unsuppress"
    REMOVE_FROM_SERVICE = "remove_from_service"
    RETURN_TO_SERVICE = "return_to_service"


S, A = AlarmState, AlarmAction

# (state, action) -> next state. Unshelve/unsuppress/return land on UNACK when the condition is still active
# and on NORMAL otherwise: the book resolves that with ``resolve_active`` below.
TRANSITIONS: dict[tuple[AlarmState, AlarmAction], AlarmState] = {
    (S.NORMAL, A.ACTIVATE): S.UNACK,
    (S.UNACK, A.ACK): S.ACKED,
    (S.UNACK, A.CLEAR): S.RTN_UNACK,
    (S.ACKED, A.CLEAR): S.NORMAL,
    (S.RTN_UNACK, A.ACK): S.NORMAL,
    (S.RTN_UNACK, A.ACTIVATE): S.UNACK,
    (S.UNACK, A.SHELVE): S.SHELVED,
    (S.ACKED, A.SHELVE): S.SHELVED,
    (S.RTN_UNACK, A.SHELVE): S.SHELVED,
    (S.SHELVED, A.UNSHELVE): S.UNACK,
    (S.SHELVED, A.CLEAR): S.SHELVED,
    (S.SHELVED, A.ACTIVATE): S.SHELVED,
    (S.UNACK, A.SUPPRESS): S.SUPPRESSED,
    (S.ACKED, A.SUPPRESS): S.SUPPRESSED,
    (S.SUPPRESSED, A.UNSUPPRESS): S.UNACK,
    (S.SUPPRESSED, A.CLEAR): S.SUPPRESSED,
    (S.SUPPRESSED, A.ACTIVATE): S.SUPPRESSED,
    (S.UNACK, A.REMOVE_FROM_SERVICE): S.OUT_OF_SERVICE,
    (S.ACKED, A.REMOVE_FROM_SERVICE): S.OUT_OF_SERVICE,
    (S.RTN_UNACK, A.REMOVE_FROM_SERVICE): S.OUT_OF_SERVICE,
    (S.SHELVED, A.REMOVE_FROM_SERVICE): S.OUT_OF_SERVICE,
    (S.OUT_OF_SERVICE, A.RETURN_TO_SERVICE): S.UNACK,
    (S.OUT_OF_SERVICE, A.CLEAR): S.OUT_OF_SERVICE,
    (S.OUT_OF_SERVICE, A.ACTIVATE): S.OUT_OF_SERVICE,
}

# Leaving a parking state (shelved, suppressed, out of service) when the condition has gone meanwhile.
RETURN_WHEN_CLEAR: dict[AlarmAction, AlarmState] = {
    A.UNSHELVE: S.NORMAL,
    A.UNSUPPRESS: S.NORMAL,
    A.RETURN_TO_SERVICE: S.NORMAL,
}


class IllegalAlarmTransition(ValueError):
    pass


def next_state(state: AlarmState, action: AlarmAction, *, active: bool) -> AlarmState:
    """The state after ``action``; ``active`` is whether the condition is present after the action."""
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise IllegalAlarmTransition(f"cannot {action.value} an alarm that is {state.value}")
    if not active and action in RETURN_WHEN_CLEAR:
        return RETURN_WHEN_CLEAR[action]
    return target
