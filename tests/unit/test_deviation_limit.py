"""The deviation book stays bounded: returned-unacknowledged deviations past RETURNED_UNACK_LIMIT are closed."""

from __future__ import annotations

from sequencer.alarms import AlarmAction, AlarmState
from sequencer.commands import AlarmStateChanged, ClearDeviation
from sequencer.deviations import LIMIT_USER, RETURNED_UNACK_LIMIT, DeviationBook


def test_occurrences_past_the_limit_close_the_oldest_unacknowledged() -> None:
    book = DeviationBook()
    extra = 5
    closed: list[int] = []
    for n in range(RETURNED_UNACK_LIMIT + extra):
        commands = book.raise_("change", float(n), f"change {n}")  # an occurrence: returned unacknowledged at once
        closed += [c.deviation_id for c in commands if isinstance(c, ClearDeviation)]
    assert closed == list(range(1, extra + 1))  # the oldest first
    assert len(book.by_id) == len(book.returned) == RETURNED_UNACK_LIMIT
    assert min(book.by_id) == extra + 1
    assert book.unacked_closed == extra
    assert book.resolved == 0  # closed at the limit is not resolved by anyone


def test_cleared_conditions_count_and_active_alarms_stay() -> None:
    book = DeviationBook()
    book.raise_("gap", 0.0, "a gap still open")  # active: never dropped
    active_id = book.newest_id
    ids = []
    for n in range(RETURNED_UNACK_LIMIT + 1):
        book.raise_("late", float(n), f"rack {n} late")
        ids.append(book.newest_id)
    commands = []
    for n, dev_id in enumerate(ids):
        commands += book.clear(dev_id, float(n) + 0.5)  # the rack shipped: returned unacknowledged
    limit_changes = [c for c in commands if isinstance(c, AlarmStateChanged) and c.user == LIMIT_USER]
    assert [c.deviation_id for c in limit_changes] == [ids[0]]
    assert limit_changes[0].state == AlarmState.NORMAL.value
    assert active_id in book.by_id and book.by_id[active_id].active
    assert len(book.returned) == RETURNED_UNACK_LIMIT


def test_acknowledging_a_returned_alarm_frees_its_place() -> None:
    book = DeviationBook()
    book.raise_("change", 0.0, "first")
    first = book.newest_id
    book.act(first, AlarmAction.ACK, 1.0, user="lead")
    assert first not in book.by_id and not book.returned
    assert book.resolved == 1 and book.unacked_closed == 0
