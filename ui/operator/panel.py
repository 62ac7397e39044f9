"""The line operator's screen: what to pick now, the station's lit bins, what comes next, what is wrong.

What it is for: rendering one station of a ``LineView`` (``sequencer.views``) for a gloved operator 1-2 m away
(hmi.md): big text, touch targets of at least 15 mm, ISA-101 quiet grey, ISA-18.2 priority indicators, and a
distinct stale look (dashed outline, greyed values, COMM tag) whenever the bus link is down.
What it must not do: talk to anything but its two slots (``apply_line``, ``set_link``) and its one signal
(``station_shown``, which feeds the touch actions of ``ui.operator.actions``), hold a colour or a font size
(all of that is ``ui/style.qss``, keyed on dynamic properties), or pretend stale data is live.
Every word it shows is marked for Qt's translation (``ui.i18n``) and shown again in a new language at the
``LanguageChange`` event; what the line sends (part numbers, vehicle ids) is data, shown as sent, except a part's
description, which the plant file may give per language (``PickView.translations``), and the core's sentence on a
deviation, said from its template (``ui.words.sentence``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from sequencer.views import DeviationView, LineView, PickView, StationView
from ui.i18n import current_language, retranslate, tr, tr_text
from ui.widgets import (
    BinTile,
    DeviationRow,
    StationSelector,
    apply_comm,
    clear_layout,
    clock,
    comm_tag,
    fill_table,
    label,
    mm_to_px,
    plant_zone,
    set_props,
    stacked,
    starvation_words,
    titled_frame,
    zone_label,
)
from ui.words import (
    DEVICE_KIND_WORDS,
    NO_VALUE,
    PICK_WORDS,
    QT_TRANSLATE_NOOP,
    UP_WORDS,
    annunciated,
    link_words,
)

MAX_NEXT_SHOWN = 8
BIN_ROWS = 2  # bins in light order, left to right, in two rows like a two-shelf flow rack
MAX_DEVIATIONS_SHOWN = 4


# --- what is shown, as tables ------------------------------------------------------------------------------

PickField = tuple[str, str, str, tuple[int, int, int], Callable[[PickView, ZoneInfo], str]]
# objectName, caption, role (font size in the stylesheet), (row, column, column span), value
PICK_FIELDS: tuple[PickField, ...] = (
    ("pick_bin", QT_TRANSLATE_NOOP("jis", "BIN"), "value-xl", (0, 0, 2), lambda p, z: p.bin),
    ("pick_qty", QT_TRANSLATE_NOOP("jis", "QTY"), "value-xl", (0, 2, 1), lambda p, z: quantity(p)),
    ("pick_rack", QT_TRANSLATE_NOOP("jis", "RACK"), "value-xl", (0, 3, 1), lambda p, z: str(p.rack_no)),
    ("pick_slot", QT_TRANSLATE_NOOP("jis", "SLOT"), "value-xl", (0, 4, 1), lambda p, z: str(p.slot)),
    ("pick_vehicle", QT_TRANSLATE_NOOP("jis", "VEHICLE"), "value-l", (1, 0, 3), lambda p, z: p.vehicle_id),
    ("pick_seq", QT_TRANSLATE_NOOP("jis", "SEQ"), "value-l", (1, 3, 1), lambda p, z: str(p.seq)),
    ("pick_due", QT_TRANSLATE_NOOP("jis", "DUE"), "value-l", (1, 4, 1), lambda p, z: clock(p.due_at, z, "%H:%M")),
)
NEXT_COLUMNS: tuple[tuple[str, Callable[[PickView, ZoneInfo], str]], ...] = (
    (QT_TRANSLATE_NOOP("jis", "SEQ"), lambda p, z: str(p.seq)),
    (QT_TRANSLATE_NOOP("jis", "VEHICLE"), lambda p, z: p.vehicle_id),
    (QT_TRANSLATE_NOOP("jis", "PART"), lambda p, z: p.part),
    (QT_TRANSLATE_NOOP("jis", "QTY"), lambda p, z: quantity(p)),
    (QT_TRANSLATE_NOOP("jis", "RACK/SLOT"), lambda p, z: f"{p.rack_no}/{p.slot}"),
)
# Units of issue (sequencer.plant.PartConfig.unit) as the line reads them; another unit shows as written.
UNIT_WORDS: dict[str, str] = {
    "PCE": QT_TRANSLATE_NOOP("jis", "PCE"),
    "SET": QT_TRANSLATE_NOOP("jis", "SET"),
    "PR": QT_TRANSLATE_NOOP("jis", "PR"),
}
# Pick states worth a word on the card; "lit" is the normal case and stays quiet (ISA-101).
PICK_STATE_TAGS: dict[str, str] = {state: PICK_WORDS[state] for state in ("queued", "blocked", "picked")}
# A lit pick of a family confirmed by a scan (docs/scanner-tcp.md): what it still needs, on the PICK NOW card
WAITING_TAGS: dict[str, str] = {
    "scan": QT_TRANSLATE_NOOP("jis", "SCAN THE PART"),
    "press": QT_TRANSLATE_NOOP("jis", "PRESS THE BIN"),
    "scan and press": QT_TRANSLATE_NOOP("jis", "SCAN THE PART, PRESS THE BIN"),
}
DEVICE_ROLES: tuple[tuple[str, str, Callable[[StationView], str]], ...] = (
    ("device_ptl", DEVICE_KIND_WORDS["ptl"], lambda s: s.ptl_device),
    ("device_printer", DEVICE_KIND_WORDS["printer"], lambda s: s.printer),
)
DEVICE_STATES: dict[bool | None, str] = {True: "up", False: "down", None: "unknown"}  # the stylesheet's word


def quantity(pick: PickView) -> str:
    """``2 PR``: how many to pick, in the part's unit (the screen's words for the unit)."""
    return f"{pick.qty} {tr(UNIT_WORDS.get(pick.unit, pick.unit))}"


def description(pick: PickView, language: str) -> str:
    """The part's text from the plant file in ``language``, else its main text, else nothing."""
    return dict(pick.translations).get(language) or pick.description


# --- which deviations concern a station ----------------------------------------------------------------------


def station_feeds(line: LineView, station: StationView) -> set[str]:
    """The feeds the station is working for; all the line's feeds while it has nothing queued."""
    picks = ([station.current] if station.current else []) + list(station.next)
    return {p.feed for p in picks} or {f.id for f in line.feeds}


def station_sources(station: StationView) -> frozenset[str]:
    """What a deviation's ``station`` may name for it to be this station's: the station itself and its own devices
    (the plant file's ``ptl`` and ``printer``): the core raises a device's alarm under the device's name
    (sequencer/rules/devices.py), so a printer's fault names ``PR-1``, not the station it serves."""
    return frozenset(name for name in (station.id, station.ptl_device, station.printer) if name)


# The last answer of relevant_deviations and what it answered: the panel and its action bar ask for every picture,
# and most pictures change neither the line's deviations nor the station. The comparison is by identity first (the
# replica's same objects while their entries are unchanged), so a hit costs a pass over the tuple, not a sort.
_last_relevant: list[tuple[tuple[object, ...], list[DeviationView]]] = []


def relevant_deviations(line: LineView, station: StationView) -> list[DeviationView]:
    """Open deviations at this station or on one of its devices, plus station-less ones on its feeds or on the whole
    plant; P1 first. Not those a lead shelved, suppressed or took out of service: they are not annunciated
    (ISA-18.2)."""
    asked = (line.deviations, line.feeds, station)
    if _last_relevant and _last_relevant[0][0] == asked:
        return list(_last_relevant[0][1])
    feeds = station_feeds(line, station)
    sources = station_sources(station)

    def concerns(d: DeviationView) -> bool:
        return d.station in sources or (not d.station and (not d.feed or d.feed in feeds))

    answer = sorted(filter(concerns, annunciated(line.deviations)), key=lambda d: (d.priority, -d.at))
    _last_relevant[:] = [(asked, answer)]
    return list(answer)


def pick_station(line: LineView, wanted: str | None) -> StationView | None:
    by_id = {s.id: s for s in line.stations}
    return by_id.get(wanted or "") or (line.stations[0] if line.stations else None)


# --- the panel -----------------------------------------------------------------------------------------------


class OperatorPanel(QWidget):
    """One station's picking screen; feed it with ``apply_line`` and ``set_link``."""

    station_shown = Signal(object, object)  # (LineView, StationView | None): the picture just shown

    def __init__(self, station: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("operator_panel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._wanted = station
        # kiosk (``ui.main.OperatorWindow.lock_station``): a change of station is asked for here (old, new) and
        # made by ``show_station`` once the service has it in its audit log; None: the list changes it at once
        self.station_request: Callable[[str, str], None] | None = None
        self._line: LineView | None = None
        self._zone = ZoneInfo("UTC")
        self._link_up = False
        self._bin_ids: tuple[str, ...] = ()
        self._dev_rows: dict[tuple[int, int], DeviationRow] = {}
        self._tiles: dict[str, BinTile] = {}
        # what the station's part of the panel was last drawn from (the station, its deviations, the line's devices,
        # the zone): a picture that changes none of it redraws only the header. Each is the replica's same object
        # while its entry is unchanged, so the comparison is one identity check each.
        self._shown: tuple[object, ...] | None = None
        self._listed: tuple[list[str], str | None] | None = None  # the station selector's entries and choice
        self._clock_second: tuple[int, ZoneInfo] | None = None  # the second the header's clock shows
        self._root = root = QVBoxLayout(self)
        root.addWidget(self._build_header())
        body = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        # Eye path: what to pick (top left), where it is (lit bin, top right), then what comes next and
        # what is wrong. The wide columns (part numbers, vehicle ids) get the wide left column.
        left.addWidget(self._build_pick(), 0)
        left.addWidget(self._build_next(), 1)
        right.addWidget(self._build_bins(), 0)
        right.addWidget(self._build_deviations(), 1)
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        root.addLayout(body, 1)
        self.set_link(False)

    # --- building (once) ---

    def _build_header(self) -> QFrame:
        header = QFrame()
        header.setObjectName("header")
        row = QHBoxLayout(header)
        self.plant_label = label("", "plant_name", "plant-name")
        self.station_label = label(NO_VALUE, "station_name", "station-name")
        row.addLayout(stacked(self.plant_label, self.station_label))
        self.station_selector = StationSelector()
        self.station_selector.setObjectName("station_selector")
        self.station_selector.setVisible(False)
        self.station_selector.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no keys past the lock (set_station_locked)
        self.station_selector.currentIndexChanged.connect(self._on_station_chosen)
        row.addWidget(self.station_selector)
        row.addStretch(1)
        devices = QVBoxLayout()
        devices.setSpacing(2)
        self.device_labels = {name: label("", name, "device") for name, _, _ in DEVICE_ROLES}
        for lab in self.device_labels.values():
            devices.addWidget(lab)
        row.addLayout(devices)
        row.addSpacing(mm_to_px(self, 6))
        self.comm_tag = comm_tag("comm_tag", "comm-tag-large")
        row.addWidget(self.comm_tag)
        self.link_label = label("", "link_state", "link-state")
        self.updated_label = label("", "updated_at", "updated-at")
        row.addLayout(stacked(self.link_label, self.updated_label, right=True))
        return header

    def _build_pick(self) -> QFrame:
        frame, box, head = titled_frame("pick_card", QT_TRANSLATE_NOOP("jis", "PICK NOW"))
        self.pick_state = label("", "pick_state", "state-tag")
        head.insertWidget(1, self.pick_state)
        self.pick_part = label(NO_VALUE, "pick_part", "pick-part")
        self.pick_part.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        box.addWidget(self.pick_part)
        self.pick_description = label("", "pick_description", "pick-description")
        self.pick_description.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        box.addWidget(self.pick_description)
        grid = QGridLayout()
        grid.setVerticalSpacing(0)
        self.pick_values: dict[str, QLabel] = {}
        for name, caption, role, (row, col, span), _ in PICK_FIELDS:
            caption_label = label("", f"{name}_caption", "caption")
            tr_text(caption_label, caption)
            grid.addWidget(caption_label, row * 2, col, 1, span)
            value = label(NO_VALUE, name, role)
            value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widen the window
            self.pick_values[name] = value
            grid.addWidget(value, row * 2 + 1, col, 1, span)
        grid.setHorizontalSpacing(mm_to_px(self, 6))
        for col, stretch in enumerate((2, 2, 3, 2, 2)):  # BIN (two) | QTY | RACK | SLOT
            grid.setColumnStretch(col, stretch)
        box.addLayout(grid)
        box.addStretch(1)
        return frame

    def _build_bins(self) -> QFrame:
        frame, box, head = titled_frame("bins_card", QT_TRANSLATE_NOOP("jis", "BINS"))
        self.starvation = label("", "starvation_forecast", "forecast")  # the station's forecast (docs/stock.md)
        head.insertWidget(1, self.starvation)
        self.bins_grid = QGridLayout()
        box.addLayout(self.bins_grid, 1)
        return frame

    def _build_next(self) -> QFrame:
        frame, box, _ = titled_frame("next_card", QT_TRANSLATE_NOOP("jis", "NEXT VEHICLES"))
        table = QTableWidget(0, len(NEXT_COLUMNS))
        table.setObjectName("next_table")
        table.setHorizontalHeaderLabels([tr(title) for title, _ in NEXT_COLUMNS])
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(mm_to_px(self, 9))
        # Not ResizeToContents: that re-measures the column on every setText; fill_table fits them once a picture.
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # PART
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.setShowGrid(False)
        self.next_table = table
        box.addWidget(table, 1)
        return frame

    def _build_deviations(self) -> QFrame:
        frame, box, head = titled_frame("deviations_card", QT_TRANSLATE_NOOP("jis", "DEVIATIONS"))
        self.deviation_count = label("", "deviations_count", "card-count")
        head.insertWidget(1, self.deviation_count)
        self.deviation_rows = QVBoxLayout()
        box.addLayout(self.deviation_rows)
        self.deviations_empty = label("", "deviations_empty", "quiet")
        tr_text(self.deviations_empty, QT_TRANSLATE_NOOP("jis", "No open deviations"))
        self.deviations_more = label("", "deviations_more", "quiet")
        box.addWidget(self.deviations_empty)
        box.addWidget(self.deviations_more)
        box.addStretch(1)
        return frame

    # --- slots ---

    @Slot(object)
    def apply_line(self, line: LineView) -> None:
        """Show a new picture of the line (the newest valid one the bus delivered)."""
        self._line = line
        self._zone = plant_zone(line.timezone)
        self._sync_station_selector(line)
        self.plant_label.setText(line.plant)
        self._render_link()
        station = pick_station(line, self._wanted)
        if station is None:
            self.station_label.setText(tr(QT_TRANSLATE_NOOP("jis", "No stations in this plant")))
            self.station_shown.emit(line, None)
            return
        deviations = relevant_deviations(line, station)
        shown = (station, *deviations, line.devices, self._zone)
        if shown == self._shown:  # a picture of another station's change, or of the clock: only the header moves
            self.station_shown.emit(line, station)
            return
        self._shown = shown
        self.station_label.setText(f"{station.id} · {station.name}")
        built = self._render_bins(station) + self._render_deviations(deviations)
        self.starvation.setText(starvation_words(station, self._zone))
        set_props(self.starvation, starving=station.starving)
        self._render_devices(line, station)
        self._render_pick(station.current)
        self._render_next(station.next[:MAX_NEXT_SHOWN])
        for widget in built:  # live or stale like the rest (walking the whole panel for them cost 2-3 ms a time)
            apply_comm(widget, self._link_up)
        self.station_shown.emit(line, station)

    @Slot(bool)
    def set_link(self, up: bool) -> None:
        """Live or stale: when down, dashed outlines, greyed values and COMM tags; the last values stay."""
        self._link_up = up
        self._apply_comm()
        self._render_link()

    @Slot(bool)
    def set_station_locked(self, locked: bool) -> None:
        """A kiosk panel stays on its station (``ui.main.OperatorWindow.lock_station``): while locked, a tap on the
        station selector opens no list (it emits ``station_selector.locked_tap``: the window asks for a lead)."""
        self.station_selector.locked = locked
        set_props(self.station_selector, locked="yes" if locked else "no")

    def add_action_bar(self, bar: QWidget) -> None:
        """Under everything, within thumb reach of the operator (ui.operator.actions)."""
        self._root.addWidget(bar)
        self._apply_comm()

    @property
    def station_id(self) -> str | None:
        station = pick_station(self._line, self._wanted) if self._line else None
        return station.id if station else self._wanted

    # --- rendering ---

    def _apply_comm(self) -> None:
        apply_comm(self, self._link_up)

    def _render_link(self) -> None:
        line = self._line
        self.link_label.setText(link_words(line, self._link_up, tr))
        second = (int(line.at), self._zone) if line else None
        if second == self._clock_second:  # the clock shows seconds: most pictures come within the same one
            return
        self._clock_second = second
        self.updated_label.setText(f"{clock(line.at, self._zone)} {zone_label(line.at, self._zone)}" if line else "")

    def _sync_station_selector(self, line: LineView) -> None:
        combo = self.station_selector
        wanted = [s.id for s in line.stations]
        current = pick_station(line, self._wanted)
        listed = (wanted, current.id if current is not None else None)
        if listed == self._listed:  # most pictures: the same stations, the same one shown
            return
        self._listed = listed
        ids = [combo.itemData(i) for i in range(combo.count())]
        if ids != wanted:
            combo.blockSignals(True)
            combo.clear()
            for s in line.stations:
                combo.addItem(s.id, s.id)
            combo.blockSignals(False)
        if current is not None:
            combo.blockSignals(True)
            combo.setCurrentIndex(wanted.index(current.id))
            combo.blockSignals(False)
        combo.setVisible(len(wanted) > 1)

    def _on_station_chosen(self, index: int) -> None:
        self._listed = None  # the list shows the choice: whatever happens next puts the shown station back
        if self.station_selector.locked:  # not through the list (it does not open): put the shown station back
            if self._line is not None:
                self._sync_station_selector(self._line)
            return
        wanted = self.station_selector.itemData(index)
        if self.station_request is not None and self._line is not None and wanted != self.station_id:
            before = self.station_id or ""
            self._sync_station_selector(self._line)  # stays until the change is recorded
            self.station_request(before, wanted)
            return
        self.show_station(wanted)

    def show_station(self, station_id: str) -> None:
        """Show ``station_id`` from now on (the selector's choice, or a kiosk's recorded change)."""
        self._wanted = station_id
        self._bin_ids = ()  # the new station's bins are built afresh; deviation rows are kept by id
        self._shown = None
        if self._line is not None:
            self.apply_line(self._line)

    def _render_pick(self, pick: PickView | None) -> None:
        self.pick_part.setText(pick.part if pick else tr(QT_TRANSLATE_NOOP("jis", "No pick queued")))
        self.pick_description.setText(description(pick, current_language()) if pick else "")
        self.pick_description.setVisible(bool(pick and pick.description))
        for name, _, _, _, value in PICK_FIELDS:
            self.pick_values[name].setText(value(pick, self._zone) if pick else NO_VALUE)
        state = pick.state if pick else "none"
        waiting = pick.waiting_for if pick is not None and state == "lit" else ""
        tag = WAITING_TAGS[waiting] if waiting else PICK_STATE_TAGS.get(state, "")
        self.pick_state.setText(tr(tag) if tag else "")
        self.pick_state.setVisible(bool(waiting) or state in PICK_STATE_TAGS)
        set_props(self.pick_state, state=state)

    def _render_bins(self, station: StationView) -> list[QWidget]:
        """Show the station's bins; the tiles built for it (a new station, or new bins), if any."""
        ids = tuple(b.id for b in station.bins)
        built: list[QWidget] = []
        if ids != self._bin_ids:
            clear_layout(self.bins_grid)
            self._tiles = {bin_id: BinTile(bin_id) for bin_id in ids}
            columns = max(math.ceil(len(ids) / BIN_ROWS), 1)
            for index, tile in enumerate(self._tiles.values()):
                self.bins_grid.addWidget(tile, *divmod(index, columns))
            self._bin_ids = ids
            built.extend(self._tiles.values())
        for view in station.bins:
            self._tiles[view.id].show_bin(view)
        return built

    def _render_next(self, picks: Iterable[PickView]) -> None:
        fill_table(self.next_table, [[value(pick, self._zone) for _, value in NEXT_COLUMNS] for pick in picks])

    def _render_deviations(self, deviations: list[DeviationView]) -> list[QWidget]:
        """Show the first deviations; the rows built for them, if any (a row that stays is kept)."""
        shown = deviations[:MAX_DEVIATIONS_SHOWN]
        ids = tuple((d.id, d.priority) for d in shown)
        self.deviation_count.setText(str(len(deviations)) if deviations else "")
        self.deviations_empty.setVisible(not deviations)
        hidden = len(deviations) - len(shown)
        more = tr(QT_TRANSLATE_NOOP("jis", "+ {count} more on the shift lead's screen"))
        self.deviations_more.setText(more.format(count=hidden) if hidden else "")
        self.deviations_more.setVisible(hidden > 0)
        for key, d in zip(ids, shown, strict=True):
            if (shown_row := self._dev_rows.get(key)) is not None:
                shown_row.show_sentence(d)  # in the panel's language now, with the sentence's values now
        if ids == tuple(self._dev_rows):
            return []
        # Rows that stay are moved, not rebuilt: a new deviation costs one row's widgets, not every row's.
        kept = {key: row for key, row in self._dev_rows.items() if key in ids}
        while (item := self.deviation_rows.takeAt(0)) is not None:
            row = item.widget()
            if row is not None and row not in kept.values():
                row.setParent(None)  # gone from findChild() at once, not only after deleteLater() runs
                row.deleteLater()
        self._dev_rows = {}
        built: list[QWidget] = []
        for key, d in zip(ids, shown, strict=True):
            row = kept.get(key)
            if row is None:
                row = DeviationRow(d, clock(d.at, self._zone, "%H:%M"))
                built.append(row)
            self.deviation_rows.addWidget(row)
            self._dev_rows[key] = row
        return built

    def _render_devices(self, line: LineView, station: StationView) -> None:
        up_by_name = {d.name: d.up for d in line.devices}
        for name, caption, device_of in DEVICE_ROLES:
            device = device_of(station)
            up = up_by_name.get(device)
            lab = self.device_labels[name]
            lab.setText(f"{tr(caption)} {device}  {tr(UP_WORDS[up])}")
            set_props(lab, state=DEVICE_STATES[up])

    def changeEvent(self, event: QEvent) -> None:
        """A new language (``ui.i18n.set_language``): every text again, the picture's too."""
        if event.type() == QEvent.Type.LanguageChange:
            retranslate(self)
            self.next_table.setHorizontalHeaderLabels([tr(title) for title, _ in NEXT_COLUMNS])
            self._shown = None  # every word again
            if self._line is not None:
                self.apply_line(self._line)
            else:
                self._render_link()
        super().changeEvent(event)

    def deviation_row(self, deviation_id: int) -> DeviationRow | None:
        return self.findChild(DeviationRow, f"deviation_{deviation_id}")

    def bin_tile(self, bin_id: str) -> BinTile | None:
        return self._tiles.get(bin_id)
