"""The cockpit's deviation and alarm list: filters, and acknowledge, shelve (with expiry) and resolve (with a note).

What it is for: every deviation of the shift (``DeviationLog``: the open ones from the bus plus those closed since
the cockpit watched them) in a sortable, filterable table led by the ISA-18.2 priority indicator (colour +
shape + number, blinking while unacknowledged), with its state in words (UNACK, ACKED, RTN UNACK, SHELVED until,
CLOSED). The action buttons turn the selected rows into a ``Proposal`` for the ``OperationDesk``.
What it must not do: change an alarm's state itself (only the service's answer, on the bus, does that), send
without the desk's confirmation, or hold a colour.
"""

from __future__ import annotations

from collections.abc import Callable
from difflib import SequenceMatcher
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Slot,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.cockpit.desk import SHELVE_MINUTES, OperationDesk, Proposal, Target
from ui.cockpit.shift import STATE_WORDS, LoggedDeviation, kind_words
from ui.cockpit.widgets import BLINK_ROLE, PRIORITY_ROLE, PriorityDelegate, section
from ui.widgets import Choice, clock, label
from ui.words import NO_VALUE, UNACKNOWLEDGED

SORT_ROLE = Qt.ItemDataRole.UserRole + 10
SELECT_ROWS = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
Index = QModelIndex | QPersistentModelIndex
Cell = Callable[[LoggedDeviation, ZoneInfo], str]


def _state_text(e: LoggedDeviation, zone: ZoneInfo) -> str:
    if e.closed_at is not None:
        return f"CLOSED {clock(e.closed_at, zone, '%H:%M')}"
    words = STATE_WORDS.get(e.view.state, e.view.state.upper())
    return f"{words} until {clock(e.shelved_until, zone, '%H:%M')}" if e.shelved_until else words


# (header, text, sort key)
COLUMNS: tuple[tuple[str, Cell, Callable[[LoggedDeviation], Any]], ...] = (
    ("P", lambda e, z: str(e.view.priority), lambda e: (e.view.priority, -e.view.at)),
    ("RAISED", lambda e, z: clock(e.view.at, z), lambda e: e.view.at),
    ("STATE", _state_text, lambda e: e.state),
    ("KIND", lambda e, z: kind_words(e.view.kind), lambda e: e.view.kind),
    ("FEED", lambda e, z: e.view.feed or NO_VALUE, lambda e: e.view.feed),
    ("SEQ", lambda e, z: NO_VALUE if e.view.seq is None else str(e.view.seq), lambda e: e.view.seq or -1),
    ("VEHICLE", lambda e, z: e.view.vehicle_id or NO_VALUE, lambda e: e.view.vehicle_id),
    ("STATION / DEVICE", lambda e, z: e.view.station or NO_VALUE, lambda e: e.view.station),
    ("MESSAGE", lambda e, z: e.view.message, lambda e: e.view.message),
)
MESSAGE_COLUMN = len(COLUMNS) - 1

# The state filter: (choice, which entries it keeps)
STATE_FILTERS: tuple[tuple[str, Callable[[LoggedDeviation], bool]], ...] = (
    ("Open", lambda e: e.closed_at is None),
    ("Unacknowledged", lambda e: e.closed_at is None and e.view.state in UNACKNOWLEDGED),
    ("Acknowledged", lambda e: e.closed_at is None and e.view.state == "active_acknowledged"),
    ("Shelved", lambda e: e.closed_at is None and e.view.state == "shelved"),
    ("Closed this shift", lambda e: e.closed_at is not None),
    ("All this shift", lambda e: True),
)
ALL_KINDS, ALL_PLACES = "All kinds", "All feeds, stations, devices"


def _font(entry: LoggedDeviation) -> QFont:
    font = QFont()
    unack = entry.closed_at is None and entry.view.state in UNACKNOWLEDGED
    font.setBold(unack)  # ISA-101: what needs a person stands out by weight and blinking, not by colour alone
    font.setItalic(entry.closed_at is not None or entry.view.state == "shelved")
    return font


# What the model answers for each item role: (entry, column, zone) -> value
ROLE_DATA: dict[int, Callable[[LoggedDeviation, int, ZoneInfo], Any]] = {
    Qt.ItemDataRole.DisplayRole: lambda e, c, z: "" if c == 0 else COLUMNS[c][1](e, z),
    Qt.ItemDataRole.ToolTipRole: lambda e, c, z: e.view.message,
    SORT_ROLE: lambda e, c, z: COLUMNS[c][2](e),
    PRIORITY_ROLE: lambda e, c, z: e.view.priority if c == 0 else 0,
    BLINK_ROLE: lambda e, c, z: c == 0 and e.closed_at is None and e.view.state in UNACKNOWLEDGED,
    Qt.ItemDataRole.FontRole: lambda e, c, z: _font(e),
    Qt.ItemDataRole.AccessibleTextRole: lambda e, c, z: f"priority {e.view.priority}" if c == 0 else None,
}


def _shown(entry: LoggedDeviation) -> tuple[object, ...]:
    """What a row shows (``last_seen`` changes with every picture and is not shown)."""
    return entry.view, entry.closed_at, entry.shelved_until


class DeviationModel(QAbstractTableModel):
    """The shift's deviations, ordered: open before closed, then priority, then newest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[LoggedDeviation] = []
        self.zone = ZoneInfo("UTC")

    def set_rows(self, entries: list[LoggedDeviation], zone: ZoneInfo) -> None:
        """Take the shift's deviations: rows that came or went are inserted or removed, rows whose cells changed
        are repainted. No reset, so the selection, the current row and the scroll position stay where the shift
        lead left them, and the view repaints only what changed."""
        new = sorted(entries, key=lambda e: (e.closed_at is not None, e.view.priority, -e.view.at))
        if zone != self.zone:
            self.beginResetModel()
            self.zone, self.rows = zone, new
            self.endResetModel()
            return
        old_ids, new_ids = [e.id for e in self.rows], [e.id for e in new]
        if old_ids != new_ids:
            self._move_rows(old_ids, new_ids, new)
        before = {e.id: _shown(e) for e in self.rows}
        self.rows = new
        last = len(COLUMNS) - 1
        for row, entry in enumerate(new):
            if before.get(entry.id) != _shown(entry):
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def _move_rows(self, old_ids: list[int], new_ids: list[int], new: list[LoggedDeviation]) -> None:
        """Turn the old order into the new with removals and insertions, last block first so earlier row numbers
        stay valid; rows that only moved are removed and inserted again (their data is the new entry's)."""
        blocks = SequenceMatcher(a=old_ids, b=new_ids, autojunk=False).get_opcodes()
        for tag, i1, i2, j1, j2 in reversed(blocks):
            if tag in ("delete", "replace"):
                self.beginRemoveRows(QModelIndex(), i1, i2 - 1)
                del self.rows[i1:i2]
                self.endRemoveRows()
            if tag in ("insert", "replace"):
                self.beginInsertRows(QModelIndex(), i1, i1 + j2 - j1 - 1)
                self.rows[i1:i1] = new[j1:j2]
                self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry, column = self.rows[index.row()], index.column()
        answer = ROLE_DATA.get(role)
        return answer(entry, column, self.zone) if answer is not None else None


class DeviationFilter(QSortFilterProxyModel):
    """Keeps the rows matching the priority toggles, the state, kind and place choices, and the search text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.priorities: set[int] = {1, 2, 3}
        self.state = STATE_FILTERS[0][1]
        self.kind = ""
        self.place = ""
        self.text = ""
        self.setSortRole(SORT_ROLE)

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, DeviationModel)
        e = model.rows[row]
        v = e.view
        haystack = f"{v.message} {v.vehicle_id} {v.seq} {v.kind} #{v.id}".lower()
        return (
            v.priority in self.priorities
            and self.state(e)
            and (not self.kind or v.kind == self.kind)
            and (not self.place or self.place in (v.feed, v.station))
            and (not self.text or self.text.lower() in haystack)
        )

    def refilter(self) -> None:
        self.beginFilterChange()
        self.endFilterChange()


class DeviationsPane(QWidget):
    """Filter bar, the alarm table and the ACKNOWLEDGE / SHELVE / RESOLVE buttons for the selected rows."""

    def __init__(self, desk: OperationDesk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deviations_pane")
        self.desk = desk
        self.model = DeviationModel(self)
        self.proxy = DeviationFilter(self)
        self.proxy.setSourceModel(self.model)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        frame, box, head = section("deviations_section", "DEVIATIONS AND ALARMS")
        self.count = label("", "deviations_shown", "section-note")
        head.insertWidget(1, self.count)
        box.addLayout(self._build_filters())
        box.addWidget(self._build_table(), 1)
        box.addLayout(self._build_actions())
        root.addWidget(frame)
        self._render_count()

    # --- building ---

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.priority_buttons: dict[int, QToolButton] = {}
        for priority in (1, 2, 3):
            button = QToolButton()
            button.setObjectName(f"filter_p{priority}")
            button.setText(f"P{priority}")
            button.setCheckable(True)
            button.setChecked(True)
            button.setProperty("priority", priority)
            button.toggled.connect(self._filters_changed)
            self.priority_buttons[priority] = button
            row.addWidget(button)
        self.state_filter = self._combo("filter_state", [name for name, _ in STATE_FILTERS])
        self.kind_filter = self._combo("filter_kind", [ALL_KINDS])
        self.place_filter = self._combo("filter_place", [ALL_PLACES])
        self.search = QLineEdit()
        self.search.setObjectName("filter_text")
        self.search.setPlaceholderText("Search message, vehicle, sequence no.")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filters_changed)
        for widget in (self.state_filter, self.kind_filter, self.place_filter):
            row.addWidget(widget)
        row.addWidget(self.search, 1)
        return row

    def _combo(self, name: str, items: list[str]) -> QComboBox:
        combo = Choice()
        combo.setObjectName(name)
        combo.addItems(items)
        combo.currentIndexChanged.connect(self._filters_changed)
        return combo

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("deviations_table")
        table.setModel(self.proxy)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MESSAGE_COLUMN, QHeaderView.ResizeMode.Stretch)
        # Fit the columns to the rows on screen only: Qt's default measures up to 1,000 rows of every column
        # on each refresh, 20 ms a picture once a bad shift has logged a few hundred deviations.
        header.setResizeContentsPrecision(0)
        header.setHighlightSections(False)
        table.setSortingEnabled(True)
        table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the model's own order until a header is clicked
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setShowGrid(False)
        table.setWordWrap(False)
        self.delegate = PriorityDelegate(table)
        table.setItemDelegateForColumn(0, self.delegate)
        table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table = table
        return table

    def _build_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.detail = label("", "deviation_detail", "detail")
        self.detail.setWordWrap(True)
        row.addWidget(self.detail, 1)
        self.ack_button = self._verb("ack_button", "ACKNOWLEDGE", self.acknowledge)
        self.shelve_button = self._verb("shelve_button", "SHELVE…", self.shelve)
        self.resolve_button = self._verb("resolve_button", "RESOLVE…", self.resolve)
        for button in (self.ack_button, self.shelve_button, self.resolve_button):
            row.addWidget(button)
        self._selection_changed()
        return row

    @staticmethod
    def _verb(name: str, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setProperty("role", "verb")
        button.clicked.connect(slot)
        return button

    # --- data ---

    def show_entries(self, entries: list[LoggedDeviation], zone: ZoneInfo) -> None:
        """Show the shift's deviations; the selection (by deviation id) survives the refresh."""
        chosen = {e.id for e in self.selected()}
        self.model.set_rows(entries, zone)
        self._sync_choices(entries)
        self._reselect(chosen)
        self._render_count()

    def _sync_choices(self, entries: list[LoggedDeviation]) -> None:
        kinds = sorted({e.view.kind for e in entries})
        places = sorted({p for e in entries for p in (e.view.feed, e.view.station) if p})
        for combo, first, items in ((self.kind_filter, ALL_KINDS, kinds), (self.place_filter, ALL_PLACES, places)):
            current = [combo.itemText(i) for i in range(1, combo.count())]
            if current != items:
                chosen = combo.currentText()
                combo.blockSignals(True)
                combo.clear()
                combo.addItems([first, *items])
                combo.setCurrentText(chosen if chosen in items else first)
                combo.blockSignals(False)

    def _reselect(self, ids: set[int]) -> None:
        if not ids:
            self._selection_changed()
            return
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        for row in range(self.proxy.rowCount()):
            source = self.proxy.mapToSource(self.proxy.index(row, 0))
            if self.model.rows[source.row()].id in ids:
                selection.select(self.proxy.index(row, 0), SELECT_ROWS)
        selection.blockSignals(False)
        self._selection_changed()

    def selected(self) -> list[LoggedDeviation]:
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return [self.model.rows[r] for r in sorted(rows) if r < len(self.model.rows)]

    def select_ids(self, ids: set[int]) -> None:
        self.table.clearSelection()
        self._reselect(ids)

    def set_blink(self, on: bool) -> None:
        self.delegate.blink_on = on
        self.table.viewport().update()

    # --- filters ---

    def _filters_changed(self) -> None:
        self.proxy.priorities = {p for p, b in self.priority_buttons.items() if b.isChecked()}
        self.proxy.state = STATE_FILTERS[max(self.state_filter.currentIndex(), 0)][1]
        self.proxy.kind = "" if self.kind_filter.currentIndex() <= 0 else self.kind_filter.currentText()
        self.proxy.place = "" if self.place_filter.currentIndex() <= 0 else self.place_filter.currentText()
        self.proxy.text = self.search.text().strip()
        self.proxy.refilter()
        self._render_count()
        self._selection_changed()

    def _render_count(self) -> None:
        self.count.setText(f"{self.proxy.rowCount()} shown of {len(self.model.rows)} this shift")

    def shown_ids(self) -> list[int]:
        return [self.model.rows[self.proxy.mapToSource(self.proxy.index(r, 0)).row()].id
                for r in range(self.proxy.rowCount())]  # fmt: skip

    # --- actions ---

    def _selection_changed(self, *_: object) -> None:
        chosen = [e for e in self.selected() if e.closed_at is None]
        self.ack_button.setEnabled(any(e.view.state in UNACKNOWLEDGED for e in chosen))
        self.shelve_button.setEnabled(any(e.view.state != "shelved" for e in chosen))
        self.resolve_button.setEnabled(bool(chosen))
        one = self.selected()[:1]
        self.detail.setText(f"#{one[0].id} {kind_words(one[0].view.kind)}: {one[0].view.message}" if one else "")

    @Slot()
    def acknowledge(self) -> None:
        chosen = [e for e in self.selected() if e.closed_at is None and e.view.state in UNACKNOWLEDGED]
        self._propose("AcknowledgeAlarm", "ACKNOWLEDGE", "Acknowledge: you have seen these alarms.", chosen,
                      reason_required=False)  # fmt: skip

    @Slot()
    def shelve(self) -> None:
        chosen = [e for e in self.selected() if e.closed_at is None and e.view.state != "shelved"]
        self._propose("ShelveAlarm", "SHELVE", "Shelve: hide these alarms for a limited time; they return when "
                      "the time is up.", chosen, shelve_minutes=SHELVE_MINUTES)  # fmt: skip

    @Slot()
    def resolve(self) -> None:
        chosen = [e for e in self.selected() if e.closed_at is None]
        self._propose("ResolveDeviation", "RESOLVE", "Resolve: the cause is fixed. Say what was done.", chosen)

    def _propose(self, intent: str, verb: str, summary: str, chosen: list[LoggedDeviation], **extra: Any) -> None:
        if not chosen:
            return
        targets = tuple(
            Target(fields={"deviation_id": e.id}, text=f"#{e.id} P{e.view.priority} {kind_words(e.view.kind)}: "
                   f"{e.view.message}") for e in chosen
        )  # fmt: skip
        self.desk.propose(Proposal(intent=intent, verb=verb, summary=summary, targets=targets, **extra))
