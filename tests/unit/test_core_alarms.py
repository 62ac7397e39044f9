"""The alarm table (``sequencer.alarms``): every state and action lands where the table says or is refused, and a
person's alarm intent through the door does the same: a move the table has not got raises and changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sequencer.alarms import (
    PARKED,
    RETURN_WHEN_CLEAR,
    TRANSITIONS,
    AlarmAction,
    AlarmState,
    IllegalAlarmTransition,
    next_state,
)
from sequencer.commands import AlarmStateChanged, AuditRecord, ClearDeviation
from sequencer.core import Sequencer, SequencerError
from sequencer.events import (
    AcknowledgeAlarm,
    ManualOp,
    RemoveAlarmFromService,
    ReturnAlarmToService,
    ShelveAlarm,
    SuppressAlarm,
    UnsuppressAlarm,
)
from sequencer.testing import broadcast, by_hand, fed, of, open_deviations, view
from tests.plants import demo_plant


@pytest.mark.parametrize("state", list(AlarmState))
@pytest.mark.parametrize("action", list(AlarmAction))
@pytest.mark.parametrize("active", [True, False])
def test_every_state_and_action(state: AlarmState, action: AlarmAction, active: bool) -> None:
    target = TRANSITIONS.get((state, action))
    if target is None:
        with pytest.raises(IllegalAlarmTransition, match=f"cannot .* an alarm that is {state.value}"):
            next_state(state, action, active=active)
        return
    expected = RETURN_WHEN_CLEAR[action] if not active and action in RETURN_WHEN_CLEAR else target
    assert next_state(state, action, active=active) is expected


def test_a_parked_alarm_stays_parked_while_its_condition_comes_and_goes() -> None:
    for state in PARKED:
        assert TRANSITIONS[(state, AlarmAction.CLEAR)] is state
        assert TRANSITIONS[(state, AlarmAction.ACTIVATE)] is state


def test_out_of_service_is_reached_from_every_state_a_person_sees_and_left_only_by_returning_it() -> None:
    into = {s for (s, a) in TRANSITIONS if a is AlarmAction.REMOVE_FROM_SERVICE}
    assert into == {AlarmState.UNACK, AlarmState.ACKED, AlarmState.RTN_UNACK, *PARKED} - {AlarmState.OUT_OF_SERVICE}
    out = {a for (s, a), t in TRANSITIONS.items() if s is AlarmState.OUT_OF_SERVICE and t is not s}
    assert out == {AlarmAction.RETURN_TO_SERVICE}


# -- through the door --------------------------------------------------------------------------------------------
# A person's alarm intents and the action each asks of the alarm table.
INTENTS: dict[type[ManualOp], tuple[AlarmAction, Callable[[float], dict[str, float]]]] = {
    AcknowledgeAlarm: (AlarmAction.ACK, lambda at: {}),
    ShelveAlarm: (AlarmAction.SHELVE, lambda at: {"until": at + 600}),
    SuppressAlarm: (AlarmAction.SUPPRESS, lambda at: {}),
    UnsuppressAlarm: (AlarmAction.UNSUPPRESS, lambda at: {}),
    RemoveAlarmFromService: (AlarmAction.REMOVE_FROM_SERVICE, lambda at: {}),
    ReturnAlarmToService: (AlarmAction.RETURN_TO_SERVICE, lambda at: {}),
}
# How a gap alarm (L1 2..3 missing) gets into each state a person can act on, from active unacknowledged:
# the intents on the way, and whether the gap is filled first (its condition gone).
TO_STATE: dict[AlarmState, tuple[list[type[ManualOp]], bool]] = {
    AlarmState.UNACK: ([], False),
    AlarmState.ACKED: ([AcknowledgeAlarm], False),
    AlarmState.RTN_UNACK: ([], True),
    AlarmState.SHELVED: ([ShelveAlarm], False),
    AlarmState.SUPPRESSED: ([SuppressAlarm], False),
    AlarmState.OUT_OF_SERVICE: ([RemoveAlarmFromService], False),
}


def gap_in(state: AlarmState) -> tuple[Sequencer, int]:
    core = fed(demo_plant(), broadcast(1), broadcast(4))
    (gap,) = open_deviations(core, "gap")
    intents, filled = TO_STATE[state]
    if filled:
        core.handle(broadcast(2, at=1.5))
        core.handle(broadcast(3, at=1.6))
    for i, intent in enumerate(intents):
        at = 2.0 + i
        core.handle(by_hand(intent, at=at, deviation_id=gap.id, **INTENTS[intent][1](at)))
    assert [d.state for d in open_deviations(core, "gap")] == [state.value]
    return core, gap.id


@pytest.mark.parametrize("state", list(TO_STATE))
@pytest.mark.parametrize("intent", list(INTENTS))
def test_an_alarm_intent_lands_where_the_table_says_or_is_refused_and_changes_nothing(
    state: AlarmState, intent: type[ManualOp]
) -> None:
    core, dev_id = gap_in(state)
    action, extra = INTENTS[intent]
    event = by_hand(intent, at=10.0, deviation_id=dev_id, **extra(10.0))
    before, screen = core.fingerprint(), view(core)
    if (state, action) in TRANSITIONS:
        (was,) = open_deviations(core, "gap")
        commands = core.handle(event)
        now = next_state(state, action, active=was.active)
        assert [d.state for d in open_deviations(core, "gap")] == ([] if now is AlarmState.NORMAL else [now.value])
        (audit,) = of(AuditRecord, commands)
        assert (audit.action, audit.target.startswith(f"deviation {dev_id}")) == (intent.__name__, True)
    else:
        with pytest.raises(SequencerError, match=f"deviation {dev_id}: cannot"):
            core.handle(event)
        assert core.fingerprint() == before
        assert view(core) == screen


def test_a_suppressed_alarm_whose_cause_went_closes_when_unsuppressed() -> None:
    core, dev_id = gap_in(AlarmState.SUPPRESSED)
    core.handle(broadcast(2, at=3))
    core.handle(broadcast(3, at=4))  # the gap is filled: the condition went, the alarm stays suppressed
    assert [(d.state, d.active) for d in open_deviations(core, "gap")] == [(AlarmState.SUPPRESSED.value, False)]
    commands = core.handle(by_hand(UnsuppressAlarm, at=5, reason="station back", deviation_id=dev_id))
    assert [c.state for c in of(AlarmStateChanged, commands)] == [AlarmState.NORMAL.value]
    assert [c.deviation_id for c in of(ClearDeviation, commands)] == [dev_id]
    assert not open_deviations(core, "gap")


def test_an_alarm_returned_to_service_with_its_cause_still_there_is_unacknowledged_again() -> None:
    core, dev_id = gap_in(AlarmState.OUT_OF_SERVICE)
    core.handle(by_hand(ReturnAlarmToService, at=5, reason="repaired", deviation_id=dev_id))
    assert [(d.state, d.active) for d in open_deviations(core, "gap")] == [(AlarmState.UNACK.value, True)]


def test_a_shelved_alarm_taken_out_of_service_no_longer_expires() -> None:
    core, dev_id = gap_in(AlarmState.SHELVED)
    core.handle(by_hand(RemoveAlarmFromService, at=5, reason="feed gateway replaced", deviation_id=dev_id))
    (listed,) = open_deviations(core, "gap")
    assert (listed.state, listed.shelved_until) == (AlarmState.OUT_OF_SERVICE.value, None)
    assert core.state.deviations.expire_shelving(10_000.0) == []
