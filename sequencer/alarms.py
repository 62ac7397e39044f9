"""Alarm states after ISA-18.2 / OPC UA Part 9, as one transition table.

An alarm is a deviation that needs a person: it is raised active (a condition) or already returned (an
occurrence), returns to normal when its condition goes, and independently a person acknowledges it or shelves it
for a while (with an expiry that is recorded). Only the transitions in ``TRANSITIONS`` exist; any other action
in a state is refused (and changes nothing). Raising and closing are the book's (``sequencer.deviations``).
What it must not do: hold alarms or know their kinds; it is the table and the one function that reads it.
(Suppression by design and out-of-service, the standard's other two parking states, have no intent that asks
for them: add the states, actions and rows together with the intent that needs them.)
"""

from __future__ import annotations

from enum import StrEnum


class AlarmState(StrEnum):
    NORMAL = "normal"
    UNACK = "active_unacknowledged"  # blinks on the HMI
    ACKED = "active_acknowledged"  # steady
    RTN_UNACK = "returned_unacknowledged"
    SHELVED = "shelved"


class AlarmAction(StrEnum):
    CLEAR = "clear"  # the condition went away
    ACK = "acknowledge"
    SHELVE = "shelve"
    UNSHELVE = "unshelve"  # the shelving expired


S, A = AlarmState, AlarmAction

# (state, action) -> next state. Unshelving lands on UNACK when the condition is still active and on NORMAL
# otherwise: ``next_state`` resolves that with ``RETURN_WHEN_CLEAR``.
TRANSITIONS: dict[tuple[AlarmState, AlarmAction], AlarmState] = {
    (S.UNACK, A.ACK): S.ACKED,
    (S.UNACK, A.CLEAR): S.RTN_UNACK,
    (S.ACKED, A.CLEAR): S.NORMAL,
    (S.RTN_UNACK, A.ACK): S.NORMAL,
    (S.UNACK, A.SHELVE): S.SHELVED,
    (S.ACKED, A.SHELVE): S.SHELVED,
    (S.RTN_UNACK, A.SHELVE): S.SHELVED,
    (S.SHELVED, A.UNSHELVE): S.UNACK,
    (S.SHELVED, A.CLEAR): S.SHELVED,
}

# Leaving a parking state when the condition has gone meanwhile.
RETURN_WHEN_CLEAR: dict[AlarmAction, AlarmState] = {A.UNSHELVE: S.NORMAL}


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
