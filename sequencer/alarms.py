"""Alarm states after ISA-18.2 / OPC UA Part 9, as one transition table.

An alarm is a deviation that needs a person: it is raised active (a condition) or already returned (an
occurrence), returns to normal when its condition goes, and independently a person acknowledges it or parks it.
The standard's three parking states are all here, each entered by a person's intent (``sequencer.rules.manual``)
and none annunciated (no blink, no notification; the screens list them in their own
filtered views):

- *shelved* (ISA-18.2, OPC UA Part 9 ShelvedState): hidden for a while, with an expiry that is recorded; it comes
  back by itself when the time is up;
- *suppressed by design* (ISA-18.2, SuppressedState): hidden because the plant is in a state where it means nothing
  (a station shut down for the shift), until a person unsuppresses it;
- *out of service* (ISA-18.2, OutOfServiceState): taken out for maintenance (a printer away for repair), until a
  person returns it to service. Out of service is the strongest: a shelved or suppressed alarm may go there too.

While parked, the condition may go and come again (``CLEAR``, ``ACTIVATE``): the alarm stays parked and the next
report of its source lands on it, not on a new alarm. Leaving a parking state lands on UNACK when the condition
is active and on NORMAL (closed) when it has gone meanwhile. Only the transitions in ``TRANSITIONS`` exist; any
other action in a state is refused (and changes nothing). Raising and closing are the book's
(``sequencer.deviations``).
What it must not do: hold alarms or know their kinds; it is the table and the one function that reads it.
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
    ACTIVATE = "activate"  # the condition came again (an alarm of a source that reports it: a device)
    CLEAR = "clear"  # the condition went away
    ACK = "acknowledge"
    SHELVE = "shelve"
    UNSHELVE = "unshelve"  # the shelving expired
    SUPPRESS = "suppress"
    UNSUPPRESS = "unsuppress"
    REMOVE_FROM_SERVICE = "remove_from_service"
    RETURN_TO_SERVICE = "return_to_service"


S, A = AlarmState, AlarmAction

# (state, action) -> next state. Unshelve, unsuppress and return to service land on UNACK when the condition is
# still active and on NORMAL otherwise: ``next_state`` resolves that with ``RETURN_WHEN_CLEAR``.
TRANSITIONS: dict[tuple[AlarmState, AlarmAction], AlarmState] = {
    (S.UNACK, A.ACK): S.ACKED,
    (S.UNACK, A.CLEAR): S.RTN_UNACK,
    (S.ACKED, A.CLEAR): S.NORMAL,
    (S.RTN_UNACK, A.ACK): S.NORMAL,
    (S.RTN_UNACK, A.ACTIVATE): S.UNACK,
    # shelved: for a while
    (S.UNACK, A.SHELVE): S.SHELVED,
    (S.ACKED, A.SHELVE): S.SHELVED,
    (S.RTN_UNACK, A.SHELVE): S.SHELVED,
    (S.SHELVED, A.UNSHELVE): S.UNACK,
    (S.SHELVED, A.CLEAR): S.SHELVED,
    (S.SHELVED, A.ACTIVATE): S.SHELVED,
    # suppressed by design: until a person unsuppresses it
    (S.UNACK, A.SUPPRESS): S.SUPPRESSED,
    (S.ACKED, A.SUPPRESS): S.SUPPRESSED,
    (S.RTN_UNACK, A.SUPPRESS): S.SUPPRESSED,
    (S.SHELVED, A.SUPPRESS): S.SUPPRESSED,
    (S.SUPPRESSED, A.UNSUPPRESS): S.UNACK,
    (S.SUPPRESSED, A.CLEAR): S.SUPPRESSED,
    (S.SUPPRESSED, A.ACTIVATE): S.SUPPRESSED,
    # out of service: for maintenance, until a person returns it
    (S.UNACK, A.REMOVE_FROM_SERVICE): S.OUT_OF_SERVICE,
    (S.ACKED, A.REMOVE_FROM_SERVICE): S.OUT_OF_SERVICE,
    (S.RTN_UNACK, A.REMOVE_FROM_SERVICE): S.OUT_OF_SERVICE,
    (S.SHELVED, A.REMOVE_FROM_SERVICE): S.OUT_OF_SERVICE,
    (S.SUPPRESSED, A.REMOVE_FROM_SERVICE): S.OUT_OF_SERVICE,
    (S.OUT_OF_SERVICE, A.RETURN_TO_SERVICE): S.UNACK,
    (S.OUT_OF_SERVICE, A.CLEAR): S.OUT_OF_SERVICE,
    (S.OUT_OF_SERVICE, A.ACTIVATE): S.OUT_OF_SERVICE,
}

# Leaving a parking state when the condition has gone meanwhile.
RETURN_WHEN_CLEAR: dict[AlarmAction, AlarmState] = {
    A.UNSHELVE: S.NORMAL,
    A.UNSUPPRESS: S.NORMAL,
    A.RETURN_TO_SERVICE: S.NORMAL,
}

# The states a person parked an alarm in: not annunciated (ISA-18.2 alarm states), listed in their own filtered views.
PARKED: frozenset[AlarmState] = frozenset({S.SHELVED, S.SUPPRESSED, S.OUT_OF_SERVICE})


class IllegalAlarmTransition(ValueError):
    pass


def next_state(state: AlarmState, action: AlarmAction, *, active: bool) -> AlarmState:
    """The state after ``action``; ``active`` is whether the condition is present after the action."""
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise IllegalAlarmTransition(f"cannot {action.value.replace('_', ' ')} an alarm that is {state.value}")
    if not active and action in RETURN_WHEN_CLEAR:
        return RETURN_WHEN_CLEAR[action]
    return target
