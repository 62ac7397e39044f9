"""The cockpit's deviation and alarm list: filters, and the lead's alarm operations on the selected rows.

What it is for: every deviation of the shift (``DeviationLog``: the open ones from the bus plus those closed since
the cockpit watched them) in a sortable, filterable table led by the ISA-18.2 priority indicator (colour +
shape + number, blinking while unacknowledged), with its state in words (UNACK, ACKED, RTN UNACK, SHELVED until,
SUPPRESSED, OUT OF SERVICE, CLOSED). Suppressed and out-of-service alarms are not annunciated: they never blink,
and the default view ("Open") leaves them to their own filtered views. The alarm verbs (``ALARM_VERBS``:
acknowledge, shelve with an expiry, suppress and unsuppress, take out of and return to service, resolve with a
note), as buttons, in the table's context menu and in the window's Alarms menu, turn the selected rows into a
``Proposal`` for the ``OperationDesk``; a verb is offered for the rows whose state the core's alarm table lets it
act on (``sequencer.alarms.TRANSITIONS``).
What it must not do: change an alarm's state itself (only the service's answer, on the bus, does that), send
without the desk's confirmation, or hold a colour. Its fixed words keep their sources (``ui.i18n.tr_text`` and its
kin); at a switch of language it says again what it composed (the count, the selected row's line, the table).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    Slot,
)
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sequencer.alarms import TRANSITIONS, AlarmAction, AlarmState
from sequencer.views import DeviationView
from ui.cockpit.desk import SHELVE_MINUTES, OperationDesk, Proposal, Target
from ui.cockpit.shift import STATE_WORDS, LoggedDeviation
from ui.cockpit.widgets import BLINK_ROLE, PRIORITY_ROLE, PriorityDelegate, section
from ui.i18n import shaped, tr, tr_item, tr_placeholder, tr_text, tr_tip
from ui.widgets import Choice, clock, label
from ui.words import NO_VALUE, NOT_ANNUNCIATED, QT_TRANSLATE_NOOP, UNACKNOWLEDGED, sentence
from ui.words import kind_words as english_kind_words

SORT_ROLE = Qt.ItemDataRole.UserRole + 10
SELECT_ROWS = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
Index = QModelIndex | QPersistentModelIndex
Cell = Callable[[LoggedDeviation, ZoneInfo], str]


def _state_text(e: LoggedDeviation, zone: ZoneInfo) -> str:
    if e.closed_at is not None:
        return tr(QT_TRANSLATE_NOOP("jis", "CLOSED {time}")).format(time=clock(e.closed_at, zone, "%H:%M"))
    words = tr(STATE_WORDS.get(e.view.state, e.view.state.upper()))
    if e.shelved_until:
        until = tr(QT_TRANSLATE_NOOP("jis", "{state} until {time}"))
        return until.format(state=words, time=clock(e.shelved_until, zone, "%H:%M"))
    return words


def kind_words(kind: str) -> str:
    """A deviation's kind in the screen's language."""
    return tr(english_kind_words(kind))


def said(view: DeviationView) -> str:
    """The core's sentence on a deviation in the screen's language (its English message without a template)."""
    return sentence(view, tr)


# (header, text, sort key)
COLUMNS: tuple[tuple[str, Cell, Callable[[LoggedDeviation], Any]], ...] = (
    ("P", lambda e, z: str(e.view.priority), lambda e: (e.view.priority, -e.view.at)),
    (QT_TRANSLATE_NOOP("jis", "RAISED"), lambda e, z: clock(e.view.at, z), lambda e: e.view.at),
    (QT_TRANSLATE_NOOP("jis", "STATE"), _state_text, lambda e: e.state),
    (QT_TRANSLATE_NOOP("jis", "KIND"), lambda e, z: kind_words(e.view.kind), lambda e: e.view.kind),
    (QT_TRANSLATE_NOOP("jis", "FEED"), lambda e, z: e.view.feed or NO_VALUE, lambda e: e.view.feed),
    (
        QT_TRANSLATE_NOOP("jis", "SEQ"),
        lambda e, z: NO_VALUE if e.view.seq is None else str(e.view.seq),
        lambda e: e.view.seq or -1,
    ),
    (QT_TRANSLATE_NOOP("jis", "VEHICLE"), lambda e, z: e.view.vehicle_id or NO_VALUE, lambda e: e.view.vehicle_id),
    (QT_TRANSLATE_NOOP("jis", "STATION / DEVICE"), lambda e, z: e.view.station or NO_VALUE, lambda e: e.view.station),
    (QT_TRANSLATE_NOOP("jis", "MESSAGE"), lambda e, z: said(e.view), lambda e: said(e.view)),
)
MESSAGE_COLUMN = len(COLUMNS) - 1

BY_HAND = frozenset({"suppressed", "out_of_service"})  # parked until a person ends it: their own views only


def _open_in(*states: str) -> Callable[[LoggedDeviation], bool]:
    return lambda e: e.closed_at is None and e.view.state in states


# The state filter: (choice, which entries it keeps)
STATE_FILTERS: tuple[tuple[str, Callable[[LoggedDeviation], bool]], ...] = (
    (QT_TRANSLATE_NOOP("jis", "Open"), lambda e: e.closed_at is None and e.view.state not in BY_HAND),
    (QT_TRANSLATE_NOOP("jis", "Unacknowledged"), _open_in(*UNACKNOWLEDGED)),
    (QT_TRANSLATE_NOOP("jis", "Acknowledged"), _open_in("active_acknowledged")),
    (QT_TRANSLATE_NOOP("jis", "Shelved"), _open_in("shelved")),
    (QT_TRANSLATE_NOOP("jis", "Suppressed"), _open_in("suppressed")),
    (QT_TRANSLATE_NOOP("jis", "Out of service"), _open_in("out_of_service")),
    (QT_TRANSLATE_NOOP("jis", "Closed this shift"), lambda e: e.closed_at is not None),
    (QT_TRANSLATE_NOOP("jis", "All this shift"), lambda e: True),
)
ALL_KINDS = QT_TRANSLATE_NOOP("jis", "All kinds")
ALL_PLACES = QT_TRANSLATE_NOOP("jis", "All feeds, stations, devices")
ALARM_STATES = {state.value: state for state in AlarmState}


@dataclass(frozen=True, slots=True)
class AlarmVerb:
    """One alarm operation of the list: the intent it proposes, and the rows it is offered for."""

    name: str  # objectNames: f"{name}_button" (or f"{name}_more_action"), f"{name}_menu_action"
    intent: str  # a sequencer.events ManualOp name
    verb: str  # the button's and the confirmation's word
    summary: str  # the sentence a lead reads before confirming
    action: AlarmAction | None  # offered where the alarm table has this action in the row's state; None: any open row
    reason_required: bool = True  # the core accepts an acknowledgement without one; everything else needs one
    shelve: bool = False  # the confirmation asks for how long
    button: bool = True  # a button of its own; else in the MORE menu beside them (the row must fit a laptop)

    def applies(self, entry: LoggedDeviation) -> bool:
        if entry.closed_at is not None:
            return False
        state = ALARM_STATES.get(entry.view.state)
        return self.action is None or (state is not None and (state, self.action) in TRANSITIONS)

    @property
    def button_shape(self) -> str:
        """How its button shows the verb (``ui.i18n.SHAPES``): with "…" if it asks for a reason."""
        return "more" if self.reason_required else ""

    @property
    def button_text(self) -> str:
        return shaped(self.verb, self.button_shape)

    @property
    def menu_shape(self) -> str:
        return "entry more" if self.reason_required else "entry"

    @property
    def menu_text(self) -> str:
        return shaped(self.verb, self.menu_shape)


ALARM_VERBS: tuple[AlarmVerb, ...] = (
    AlarmVerb(
        "ack",
        "AcknowledgeAlarm",
        QT_TRANSLATE_NOOP("jis", "ACKNOWLEDGE"),
        QT_TRANSLATE_NOOP("jis", "Acknowledge: you have seen these alarms."),
        AlarmAction.ACK,
        reason_required=False,
    ),
    AlarmVerb(
        "shelve",
        "ShelveAlarm",
        QT_TRANSLATE_NOOP("jis", "SHELVE"),
        QT_TRANSLATE_NOOP("jis", "Shelve: hide these alarms for a limited time; they return when the time is up."),
        AlarmAction.SHELVE,
        shelve=True,
    ),
    AlarmVerb(
        "suppress",
        "SuppressAlarm",
        QT_TRANSLATE_NOOP("jis", "SUPPRESS"),
        QT_TRANSLATE_NOOP(
            "jis",
            "Suppress by design: these alarms mean nothing while the plant "
            "is as it is now (a station shut down for the shift). They stay listed under Suppressed, never blink "
            "and are not notified until someone unsuppresses them.",
        ),
        AlarmAction.SUPPRESS,
        button=False,
    ),
    AlarmVerb(
        "unsuppress",
        "UnsuppressAlarm",
        QT_TRANSLATE_NOOP("jis", "UNSUPPRESS"),
        QT_TRANSLATE_NOOP(
            "jis", "Unsuppress: these alarms are annunciated again, unacknowledged if their cause is still there."
        ),
        AlarmAction.UNSUPPRESS,
        button=False,
    ),
    AlarmVerb(
        "out_of_service",
        "RemoveAlarmFromService",
        QT_TRANSLATE_NOOP("jis", "OUT OF SERVICE"),
        QT_TRANSLATE_NOOP(
            "jis",
            "Take out of service: the device or "
            "link is under maintenance. The alarms stay listed under Out of service, never blink and are not "
            "notified until someone returns them to service.",
        ),
        AlarmAction.REMOVE_FROM_SERVICE,
        button=False,
    ),
    AlarmVerb(
        "in_service",
        "ReturnAlarmToService",
        QT_TRANSLATE_NOOP("jis", "RETURN TO SERVICE"),
        QT_TRANSLATE_NOOP(
            "jis",
            "Return to service: these alarms are annunciated again, unacknowledged if their cause is still there.",
        ),
        AlarmAction.RETURN_TO_SERVICE,
        button=False,
    ),
    AlarmVerb(
        "resolve",
        "ResolveDeviation",
        QT_TRANSLATE_NOOP("jis", "RESOLVE"),
        QT_TRANSLATE_NOOP("jis", "Resolve: the cause is fixed. Say what was done."),
        None,
    ),
)
VERBS: dict[str, AlarmVerb] = {verb.name: verb for verb in ALARM_VERBS}


def _font(entry: LoggedDeviation) -> QFont:
    font = QFont()
    unack = entry.closed_at is None and entry.view.state in UNACKNOWLEDGED
    font.setBold(unack)  # ISA-101: what needs a person stands out by weight and blinking, not by colour alone
    font.setItalic(entry.closed_at is not None or entry.view.state in NOT_ANNUNCIATED)
    return font


# What the model answers for each item role: (entry, column, zone) -> value
ROLE_DATA: dict[int, Callable[[LoggedDeviation, int, ZoneInfo], Any]] = {
    Qt.ItemDataRole.DisplayRole: lambda e, c, z: "" if c == 0 else COLUMNS[c][1](e, z),
    Qt.ItemDataRole.ToolTipRole: lambda e, c, z: said(e.view),
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
            return tr(COLUMNS[section][0])
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
        haystack = f"{said(v)} {v.message} {v.vehicle_id} {v.seq} {v.kind} #{v.id}".lower()
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
    """Filter bar, the alarm table, and a button per alarm verb for the selected rows (also the table's context
    menu)."""

    def __init__(self, desk: OperationDesk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deviations_pane")
        self.desk = desk
        self.model = DeviationModel(self)
        self.proxy = DeviationFilter(self)
        self.proxy.setSourceModel(self.model)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        frame, box, head = section("deviations_section", QT_TRANSLATE_NOOP("jis", "DEVIATIONS AND ALARMS"))
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
        tr_placeholder(self.search, QT_TRANSLATE_NOOP("jis", "Search message, vehicle, sequence no."))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filters_changed)
        for widget in (self.state_filter, self.kind_filter, self.place_filter):
            row.addWidget(widget)
        row.addWidget(self.search, 1)
        return row

    def _combo(self, name: str, sources: list[str]) -> QComboBox:
        combo = Choice()
        combo.setObjectName(name)
        for source in sources:
            tr_item(combo, source)
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
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)
        self.context_menu: QMenu | None = None
        self.table = table
        return table

    def _build_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.detail = label("", "deviation_detail", "detail")
        self.detail.setWordWrap(True)
        row.addWidget(self.detail, 1)
        self.slots: dict[str, Callable[[], None]] = {
            "ack": self.acknowledge,
            "shelve": self.shelve,
            "suppress": self.suppress,
            "unsuppress": self.unsuppress,
            "out_of_service": self.remove_from_service,
            "in_service": self.return_to_service,
            "resolve": self.resolve,
        }
        self.buttons: dict[str, QPushButton] = {}
        self.more_menu = QMenu(self)
        self.more_menu.setObjectName("more_menu")
        self.more_actions: dict[str, QAction] = {}
        for verb in ALARM_VERBS:
            if verb.button:
                button = self.buttons[verb.name] = self._verb(f"{verb.name}_button", self.slots[verb.name])
                tr_text(button, verb.verb, verb.button_shape)
                continue
            action = self.more_menu.addAction("")
            tr_text(action, verb.verb, verb.menu_shape)
            action.setObjectName(f"{verb.name}_more_action")
            action.triggered.connect(self.slots[verb.name])
            self.more_actions[verb.name] = action
        self.more_button = QToolButton()
        self.more_button.setObjectName("more_button")
        tr_text(self.more_button, QT_TRANSLATE_NOOP("jis", "MORE ▾"))
        tr_tip(
            self.more_button, QT_TRANSLATE_NOOP("jis", "Suppress, unsuppress, take out of service, return to service")
        )
        self.more_button.setProperty("role", "verb")
        self.more_button.setMenu(self.more_menu)
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        for name in ("ack", "shelve"):
            row.addWidget(self.buttons[name])
        row.addWidget(self.more_button)
        row.addWidget(self.buttons["resolve"])
        self.ack_button, self.shelve_button = self.buttons["ack"], self.buttons["shelve"]
        self.resolve_button = self.buttons["resolve"]
        self._selection_changed()
        return row

    @staticmethod
    def _verb(name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton()
        button.setObjectName(name)
        button.setProperty("role", "verb")
        button.clicked.connect(slot)
        return button

    def changeEvent(self, event: QEvent) -> None:
        """A new language: the table's headers and cells asked again, the count and the selected row's line."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            columns, rows = self.model.columnCount(), self.model.rowCount()
            self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, columns - 1)
            if rows:
                self.model.dataChanged.emit(self.model.index(0, 0), self.model.index(rows - 1, columns - 1))
            self._render_count()
            self._selection_changed()

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
            current = [combo.itemData(i) for i in range(1, combo.count())]
            if current != items:
                chosen = combo.currentData()
                combo.blockSignals(True)
                combo.clear()
                tr_item(combo, first, "")
                for item in items:  # a kind in words, kept as its source; a feed, station or device as sent
                    if combo is self.kind_filter:
                        tr_item(combo, english_kind_words(item), item)
                    else:
                        combo.addItem(item, item)
                combo.setCurrentIndex(max(combo.findData(chosen), 0) if chosen in items else 0)
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
        self.proxy.kind = "" if self.kind_filter.currentIndex() <= 0 else str(self.kind_filter.currentData())
        self.proxy.place = "" if self.place_filter.currentIndex() <= 0 else str(self.place_filter.currentData())
        self.proxy.text = self.search.text().strip()
        self.proxy.refilter()
        self._render_count()
        self._selection_changed()

    def _render_count(self) -> None:
        self.count.setText(
            tr(QT_TRANSLATE_NOOP("jis", "{shown} shown of {all} this shift")).format(
                shown=self.proxy.rowCount(), all=len(self.model.rows)
            )
        )

    def shown_ids(self) -> list[int]:
        return [self.model.rows[self.proxy.mapToSource(self.proxy.index(r, 0)).row()].id
                for r in range(self.proxy.rowCount())]  # fmt: skip

    # --- actions ---

    def _selection_changed(self, *_: object) -> None:
        chosen = self.selected()
        for verb in ALARM_VERBS:
            widget = self.buttons.get(verb.name) or self.more_actions[verb.name]
            widget.setEnabled(any(verb.applies(e) for e in chosen))
        self.more_button.setEnabled(any(a.isEnabled() for a in self.more_actions.values()))
        one = chosen[:1]
        self.detail.setText(f"#{one[0].id} {kind_words(one[0].view.kind)}: {said(one[0].view)}" if one else "")

    def _context_menu(self, pos: QPoint) -> None:
        """The alarm verbs for the rows under the pointer (selected first if it was not): non-blocking."""
        index = self.table.indexAt(pos)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row(), index.parent()):
            self.table.selectRow(index.row())
        menu = QMenu(self)
        menu.setObjectName("deviation_menu")
        chosen = self.selected()
        for verb in ALARM_VERBS:
            action = menu.addAction(verb.menu_text)
            action.setObjectName(f"{verb.name}_menu_action")
            action.setEnabled(any(verb.applies(e) for e in chosen))
            action.triggered.connect(self.slots[verb.name])
        if self.context_menu is not None:
            self.context_menu.deleteLater()
        self.context_menu = menu
        menu.popup(self.table.viewport().mapToGlobal(pos))

    @Slot()
    def acknowledge(self) -> None:
        self.propose(VERBS["ack"])

    @Slot()
    def shelve(self) -> None:
        self.propose(VERBS["shelve"])

    @Slot()
    def suppress(self) -> None:
        self.propose(VERBS["suppress"])

    @Slot()
    def unsuppress(self) -> None:
        self.propose(VERBS["unsuppress"])

    @Slot()
    def remove_from_service(self) -> None:
        self.propose(VERBS["out_of_service"])

    @Slot()
    def return_to_service(self) -> None:
        self.propose(VERBS["in_service"])

    @Slot()
    def resolve(self) -> None:
        self.propose(VERBS["resolve"])

    def propose(self, verb: AlarmVerb) -> None:
        """The verb on the selected rows it applies to, for the desk to confirm (with a reason, and for a shelving
        a duration); nothing if it applies to none."""
        chosen = [e for e in self.selected() if verb.applies(e)]
        if not chosen:
            return
        targets = tuple(
            Target(fields={"deviation_id": e.id}, text=f"#{e.id} P{e.view.priority} {kind_words(e.view.kind)}: "
                   f"{said(e.view)}") for e in chosen
        )  # fmt: skip
        shelve = SHELVE_MINUTES if verb.shelve else ()
        self.desk.propose(Proposal(intent=verb.intent, verb=verb.verb, summary=tr(verb.summary), targets=targets,
                                   reason_required=verb.reason_required, shelve_minutes=shelve))  # fmt: skip
