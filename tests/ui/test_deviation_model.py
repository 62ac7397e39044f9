"""The cockpit's deviation list model: updated in place, checked by Qt's own model tester.

Rows that come, go or move are inserted and removed (never a reset), rows whose cells changed are repainted,
and the selection of a deviation the shift lead picked survives every refresh. ``QAbstractItemModelTester``
checks each signal the model emits against the rows it then reports.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QModelIndex
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from sequencer.views import DeviationView
from ui.cockpit.desk import OperationDesk
from ui.cockpit.deviations import DeviationModel, DeviationsPane
from ui.cockpit.shift import LoggedDeviation
from ui.command_client import CommandClient

ZONE = ZoneInfo("Europe/Berlin")
STATES = ("active_unacknowledged", "active_acknowledged", "shelved")


def entry(dev_id: int, priority: int, state: str, closed: bool, message: str = "") -> LoggedDeviation:
    view = DeviationView(id=dev_id, kind="gap", priority=priority, at=1_750_000_000.0 + dev_id, feed="L1", seq=dev_id,
                         vehicle_id="", station="", message=message or f"deviation {dev_id}", state=state)  # fmt: skip
    return LoggedDeviation(view=view, last_seen=view.at, closed_at=view.at + 60 if closed else None)


entries = st.lists(
    st.builds(
        entry,
        st.integers(1, 40),
        st.integers(1, 3),
        st.sampled_from(STATES),
        st.booleans(),
        st.sampled_from(["", "changed"]),
    ),
    max_size=30,
    unique_by=lambda e: e.id,
)


class Changes:
    """Counts what the model told its views."""

    def __init__(self, model: DeviationModel) -> None:
        self.resets = self.inserted = self.removed = self.repainted = 0
        model.modelReset.connect(lambda: self._add("resets", 1))
        model.rowsInserted.connect(lambda _p, first, last: self._add("inserted", last - first + 1))
        model.rowsRemoved.connect(lambda _p, first, last: self._add("removed", last - first + 1))
        model.dataChanged.connect(lambda top, bottom, _r: self._add("repainted", bottom.row() - top.row() + 1))

    def _add(self, name: str, n: int) -> None:
        setattr(self, name, getattr(self, name) + n)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(entries, min_size=1, max_size=6))
def test_any_sequence_of_refreshes_ends_with_the_log_in_order_and_no_reset(
    qtbot: QtBot, qtlog: Any, steps: list[list[LoggedDeviation]]
) -> None:
    model = DeviationModel()
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    model.set_rows([], ZONE)  # the plant's zone: the one reset a model ever has
    changes = Changes(model)
    for step in steps:
        model.set_rows(step, ZONE)
        want = sorted(step, key=lambda e: (e.closed_at is not None, e.view.priority, -e.view.at))
        assert [e.id for e in model.rows] == [e.id for e in want]
        assert [model.data(model.index(r, 8)) for r in range(model.rowCount())] == [e.view.message for e in want]
    assert changes.resets == 0
    assert [r.message for r in qtlog.records if "FAIL" in r.message] == []  # the model tester's verdict
    del tester


def test_a_refresh_repaints_only_rows_whose_cells_changed(qtbot: QtBot) -> None:
    model = DeviationModel()
    first = [entry(1, 1, "active_unacknowledged", False), entry(2, 2, "active_unacknowledged", False)]
    model.set_rows(first, ZONE)
    changes = Changes(model)
    seen_again = [LoggedDeviation(view=e.view, last_seen=e.last_seen + 5) for e in first]  # only last_seen moved
    model.set_rows(seen_again, ZONE)
    assert (changes.repainted, changes.inserted, changes.removed) == (0, 0, 0)
    acked = [entry(1, 1, "active_acknowledged", False), seen_again[1]]
    model.set_rows(acked, ZONE)
    assert (changes.repainted, changes.inserted, changes.removed) == (1, 0, 0)
    model.set_rows([*acked, entry(3, 1, "active_unacknowledged", False)], ZONE)
    assert (changes.inserted, changes.removed) == (1, 0)


def test_the_selected_deviation_stays_selected_while_rows_come_go_and_move(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    client = CommandClient("tcp://127.0.0.1:9", parent=host)  # never started: nothing is sent in this test
    pane = DeviationsPane(OperationDesk(client, host), host)
    log = [entry(i, 2, "active_unacknowledged", False) for i in range(1, 6)]
    pane.show_entries(log, ZONE)
    pane.select_ids({3})
    current = pane.proxy.index(pane.shown_ids().index(3), 2)
    pane.table.setCurrentIndex(current)
    pane.select_ids({3})
    refreshed = [
        entry(0, 1, "active_unacknowledged", False),
        *log[:1],
        *log[2:],
        entry(2, 2, "active_unacknowledged", True),
    ]
    pane.show_entries(refreshed, ZONE)  # a P1 arrives on top, deviation 2 closes and moves down
    assert [e.id for e in pane.selected()] == [3]
    assert pane.model.rows[pane.proxy.mapToSource(pane.table.currentIndex()).row()].id == 3  # the keyboard's place
    assert pane.table.currentIndex() != QModelIndex()
