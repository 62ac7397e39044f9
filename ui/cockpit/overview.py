"""The cockpit's overview: every feed, station, rack and device at a glance, and the buffer against due time.

What it is for: rendering a ``LineView`` for a shift lead at a desk: one row per feed, station, open rack and
device, each led by the worst open alarm that concerns it (ISA-18.2 indicator, blinking while unacknowledged),
and a chart of every queued pick's due time, minutes from now, per station (pyqtgraph, redrawn at a fixed rate).
What it must not do: send anything (a right click only *proposes* an operation, through ``operation_wanted``;
the operations screen confirms and sends it), hold a colour (``ui/style.qss``), or block the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QMenu, QTableWidget, QVBoxLayout, QWidget

from sequencer.views import DeviationView, FeedView, LineView, PickView, StationView
from ui.cockpit.shift import BUFFER_MIN_MINUTES
from ui.cockpit.widgets import (
    BLINK_ROLE,
    PRIORITY_ROLE,
    PriorityDelegate,
    TrendPalette,
    cell,
    fit_rows,
    make_table,
    section,
)
from ui.i18n import tr
from ui.widgets import clock, fill_table, label, plant_zone
from ui.words import (
    DEVICE_KIND_WORDS,
    NO_VALUE,
    PICK_WORDS,
    QT_TRANSLATE_NOOP,
    UNACKNOWLEDGED,
    UP_WORDS,
    annunciated,
    kind_words,
    sentence,
)

REDRAW_MS = 1000  # the buffer chart redraws at 1 Hz from the newest picture, however fast pictures arrive
BUFFER_AHEAD_MIN = 150.0  # minutes of due times shown: the demo's 2 h lead time plus margin
BUFFER_BEHIND_MIN = -15.0  # overdue picks stay in view
MAX_ROWS_SHOWN = 8  # a list longer than this scrolls
MINUTES = QT_TRANSLATE_NOOP("jis", "min")
FILL_GLYPHS = ("▮", "▯")  # a rack's fill as filled / empty slots (monochrome; prints and reads without colour)


FEED_HEADERS = (
    "P",
    QT_TRANSLATE_NOOP("jis", "FEED"),
    QT_TRANSLATE_NOOP("jis", "NAME"),
    QT_TRANSLATE_NOOP("jis", "LAST SEQ"),
    QT_TRANSLATE_NOOP("jis", "LAST BROADCAST"),
    QT_TRANSLATE_NOOP("jis", "SILENT FOR"),
    QT_TRANSLATE_NOOP("jis", "BROADCASTS"),
    QT_TRANSLATE_NOOP("jis", "GAPS"),
    QT_TRANSLATE_NOOP("jis", "DUPLICATES"),
)
STATION_HEADERS = (
    "P",
    QT_TRANSLATE_NOOP("jis", "STATION"),
    QT_TRANSLATE_NOOP("jis", "NOW"),
    QT_TRANSLATE_NOOP("jis", "SEQ"),
    QT_TRANSLATE_NOOP("jis", "VEHICLE"),
    QT_TRANSLATE_NOOP("jis", "PART"),
    QT_TRANSLATE_NOOP("jis", "QUEUE"),
    QT_TRANSLATE_NOOP("jis", "NEXT DUE"),
    QT_TRANSLATE_NOOP("jis", "DEVICES"),
    QT_TRANSLATE_NOOP("jis", "STARVES"),
)
RACK_HEADERS = (
    QT_TRANSLATE_NOOP("jis", "FEED"),
    QT_TRANSLATE_NOOP("jis", "FAMILY"),
    QT_TRANSLATE_NOOP("jis", "RACK"),
    QT_TRANSLATE_NOOP("jis", "FILLED"),
    QT_TRANSLATE_NOOP("jis", "SEQ RANGE"),
)
DEVICE_HEADERS = (
    "P",
    QT_TRANSLATE_NOOP("jis", "DEVICE"),
    QT_TRANSLATE_NOOP("jis", "KIND"),
    QT_TRANSLATE_NOOP("jis", "STATE"),
    QT_TRANSLATE_NOOP("jis", "DETAIL"),
)

# Right-click proposals on a station row: (menu text, intent type, fields from the station's current pick)
StationAction = tuple[str, str, Callable[[StationView], dict[str, object]]]
STATION_ACTIONS: tuple[StationAction, ...] = (
    (QT_TRANSLATE_NOOP("jis", "Hold vehicle {seq}…"), "HoldVehicle", lambda s: _vehicle_fields(s.current)),
    (QT_TRANSLATE_NOOP("jis", "Release vehicle {seq}…"), "ReleaseVehicle", lambda s: _vehicle_fields(s.current)),
    (QT_TRANSLATE_NOOP("jis", "Cancel vehicle {seq}…"), "CancelVehicle", lambda s: _vehicle_fields(s.current)),
    (QT_TRANSLATE_NOOP("jis", "Confirm by hand at {station}…"), "ConfirmByHand", lambda s: {"station": s.id}),
)


def _vehicle_fields(pick: PickView | None) -> dict[str, object]:
    return {"feed": pick.feed, "seq": pick.seq} if pick else {}


def worst(deviations: Iterable[DeviationView]) -> tuple[int, bool, int]:
    """(highest priority or 0, any unacknowledged, how many) of the deviations given that are annunciated (a
    shelved, suppressed or out-of-service alarm marks no row: ISA-18.2)."""
    found = annunciated(deviations)
    if not found:
        return 0, False, 0
    return min(d.priority for d in found), any(d.state in UNACKNOWLEDGED for d in found), len(found)


def feed_name(feed: FeedView, zone: ZoneInfo) -> str:
    """The feed's name, with its OEM line's state when its line status (or a lead) said one: ``… · OEM line STOPPED
    since 10:42``, ``… · OEM line 72/h``."""
    if feed.line_stopped_since is not None:
        stopped = tr(QT_TRANSLATE_NOOP("jis", "{feed} · OEM line STOPPED since {time}"))
        return stopped.format(feed=feed.name, time=clock(feed.line_stopped_since, zone, "%H:%M"))
    if feed.line_rate_per_h is not None:
        rate = tr(QT_TRANSLATE_NOOP("jis", "{feed} · OEM line {rate}/h"))
        return rate.format(feed=feed.name, rate=f"{feed.line_rate_per_h:.0f}")
    return feed.name


def minutes_until(due_at: float, now: float) -> float:
    return (due_at - now) / 60.0


def fill_bar(filled: int, capacity: int) -> str:
    return f"{filled}/{capacity}  " + FILL_GLYPHS[0] * filled + FILL_GLYPHS[1] * max(capacity - filled, 0)


def station_picks(station: StationView) -> list[PickView]:
    return ([station.current] if station.current else []) + list(station.next)


class OverviewPane(QWidget):
    """Feeds, stations, racks, devices and the buffer chart; feed it with ``apply_line`` and ``set_link``."""

    operation_wanted = Signal(str, dict)  # intent type, fields to pre-fill

    def __init__(self, palette: TrendPalette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overview_pane")
        self._palette = palette
        self._line: LineView | None = None
        self._zone = ZoneInfo("UTC")
        self._drawn_rev: int | None = None
        self.feeds = make_table("feeds_table", FEED_HEADERS, stretch=2)
        self.stations = make_table("stations_table", STATION_HEADERS, stretch=5)
        self.racks = make_table("racks_table", RACK_HEADERS, stretch=4)
        self.devices = make_table("devices_table", DEVICE_HEADERS, stretch=4)
        self._delegates = [PriorityDelegate(t) for t in (self.feeds, self.stations, self.devices)]
        for table, delegate in zip((self.feeds, self.stations, self.devices), self._delegates, strict=True):
            table.setItemDelegateForColumn(0, delegate)
        self.stations.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.stations.customContextMenuRequested.connect(self._station_menu)
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._redraw_buffer)
        self._timer.start()

    # --- building ---

    def _build(self) -> None:
        """Short lists first, each sized to its rows; the buffer chart takes the height that is left."""
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self._wrap("feeds_section", QT_TRANSLATE_NOOP("jis", "FEEDS"), self.feeds))
        root.addWidget(self._wrap("stations_section", QT_TRANSLATE_NOOP("jis", "STATIONS"), self.stations))
        pair = QHBoxLayout()
        pair.addWidget(self._wrap("racks_section", QT_TRANSLATE_NOOP("jis", "OPEN RACKS"), self.racks), 1)
        pair.addWidget(self._wrap("devices_section", QT_TRANSLATE_NOOP("jis", "DEVICES"), self.devices), 1)
        root.addLayout(pair)
        root.addWidget(self._build_buffer(), 1)

    @staticmethod
    def _wrap(name: str, title: str, table: QTableWidget) -> QWidget:
        frame, box, _ = section(name, title)
        box.addWidget(table, 1)
        return frame

    def _build_buffer(self) -> QWidget:
        frame, box, head = section("buffer_section", QT_TRANSLATE_NOOP("jis", "BUFFER AGAINST DUE TIME"))
        self.buffer_summary = label("", "buffer_summary", "section-note")
        head.insertWidget(1, self.buffer_summary)
        self.buffer_plot = pg.PlotWidget()
        self.buffer_plot.setObjectName("buffer_plot")
        self.buffer_plot.setMenuEnabled(False)
        self.buffer_plot.setMouseEnabled(x=False, y=False)
        self.buffer_plot.hideButtons()
        self.buffer_plot.setLabel("bottom", tr(QT_TRANSLATE_NOOP("jis", "minutes until due")))
        self.buffer_plot.setXRange(BUFFER_BEHIND_MIN, BUFFER_AHEAD_MIN, padding=0)
        self._picks_item = pg.ScatterPlotItem(symbol="s", size=9)
        self._current_item = pg.ScatterPlotItem(symbol="o", size=14)
        self._overdue_item = pg.ScatterPlotItem(symbol="x", size=14)
        self._now_line = pg.InfiniteLine(pos=0, angle=90)
        self._limit_line = pg.InfiniteLine(pos=BUFFER_MIN_MINUTES, angle=90)
        # the one buffer figure (the KPI tile's: the earliest open vehicle's due time), drawn where the tile says it is
        self._buffer_line = pg.InfiniteLine(
            pos=0, angle=90, label=tr(QT_TRANSLATE_NOOP("jis", "buffer")), labelOpts={"position": 0.95}
        )
        self._buffer_line.setObjectName("buffer_line")
        self._empty_text = pg.TextItem(tr(QT_TRANSLATE_NOOP("jis", "no open vehicles")), anchor=(0.5, 0.5))
        items = (self._now_line, self._limit_line, self._buffer_line, self._empty_text)
        for item in (*items, self._picks_item, self._current_item, self._overdue_item):
            self.buffer_plot.addItem(item)
        box.addWidget(self.buffer_plot, 1)
        return frame

    def changeEvent(self, event: QEvent) -> None:
        """A new language: the chart's own words (not widgets: ``ui.i18n.retranslate`` cannot see them), drawn again;
        the tables are the window's (it shows its picture again)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self._say_chart()

    def _say_chart(self) -> None:
        self.buffer_plot.setLabel("bottom", tr(QT_TRANSLATE_NOOP("jis", "minutes until due")))
        self._buffer_line.label.setFormat(tr(QT_TRANSLATE_NOOP("jis", "buffer")))
        self._empty_text.setText(tr(QT_TRANSLATE_NOOP("jis", "no open vehicles")))
        self._drawn_rev = None

    # --- slots ---

    @Slot(object)
    def apply_line(self, line: LineView) -> None:
        self._line = line
        self._zone = plant_zone(line.timezone)
        self._render_feeds(line)
        self._render_stations(line)
        self._render_racks(line)
        self._render_devices(line)

    def set_blink(self, on: bool) -> None:
        for table, delegate in zip((self.feeds, self.stations, self.devices), self._delegates, strict=True):
            delegate.blink_on = on
            table.viewport().update()

    # --- rendering the tables ---

    def _render_feeds(self, line: LineView) -> None:
        rows = []
        for f in line.feeds:
            silent = NO_VALUE if f.last_broadcast_at is None else _duration(line.at - f.last_broadcast_at)
            when = clock(f.last_broadcast_at, self._zone) if f.last_broadcast_at else NO_VALUE
            last = str(f.last_seq) if f.last_seq is not None else NO_VALUE
            counts = [str(f.broadcasts), str(f.gaps), str(f.duplicates)]
            rows.append(["", f.id, feed_name(f, self._zone), last, when, silent, *counts])
        fill_table(self.feeds, rows)
        fit_rows(self.feeds, len(rows), MAX_ROWS_SHOWN)
        self._mark(self.feeds, [[d for d in line.deviations if d.feed == f.id and not d.station] for f in line.feeds])

    def _render_stations(self, line: LineView) -> None:
        rows = []
        up = {d.name: d.up for d in line.devices}
        for s in line.stations:
            p = s.current
            due = min((x.due_at for x in station_picks(s)), default=None)
            rows.append([
                "", s.id, tr(PICK_WORDS.get(p.state, p.state.upper())) if p else tr(QT_TRANSLATE_NOOP("jis", "IDLE")),
                str(p.seq) if p else NO_VALUE, p.vehicle_id if p else NO_VALUE, p.part if p else NO_VALUE,
                str(len(station_picks(s))),
                f"{minutes_until(due, line.at):.0f} {tr(MINUTES)}" if due is not None else NO_VALUE,
                _devices_word(s, up),
                starves_word(s, line.at, self._zone),
            ])  # fmt: skip
        fill_table(self.stations, rows)
        fit_rows(self.stations, len(rows), MAX_ROWS_SHOWN)
        for r, s in enumerate(line.stations):
            cell(self.stations, r, 1).setToolTip(s.name)
        self._mark(self.stations, [[d for d in line.deviations if d.station == s.id] for s in line.stations])

    def _render_racks(self, line: LineView) -> None:
        rows = [
            [r.feed, r.family, str(r.rack_no), fill_bar(r.filled, r.capacity), _seq_range(r.low_seq, r.high_seq)]
            for r in line.racks
        ]
        fill_table(self.racks, rows)
        fit_rows(self.racks, max(len(rows), len(line.devices)), MAX_ROWS_SHOWN)

    def _render_devices(self, line: LineView) -> None:
        rows = [
            ["", d.name, tr(DEVICE_KIND_WORDS.get(d.kind, d.kind)), tr(UP_WORDS[d.up]), d.detail] for d in line.devices
        ]
        fill_table(self.devices, rows)
        fit_rows(self.devices, max(len(rows), len(line.racks)), MAX_ROWS_SHOWN)
        self._mark(self.devices, [[x for x in line.deviations if x.station == d.name] for d in line.devices])

    @staticmethod
    def _mark(table: QTableWidget, per_row: list[list[DeviationView]]) -> None:
        """The worst alarm of each row in its first cell (indicator), its count as text, and the row's state."""
        for r, deviations in enumerate(per_row):
            priority, unack, count = worst(deviations)
            item = cell(table, r, 0)
            item.setData(PRIORITY_ROLE, priority)
            item.setData(BLINK_ROLE, unack)
            item.setToolTip("\n".join(f"P{d.priority} {tr(kind_words(d.kind))}: {sentence(d, tr)}" for d in deviations))
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole,
                tr(QT_TRANSLATE_NOOP("jis", "{count} open, worst priority {priority}")).format(
                    count=count, priority=priority
                )
                if count
                else "",
            )

    # --- the buffer chart (fixed rate) ---

    def _redraw_buffer(self) -> None:
        line = self._line
        if line is None or line.rev == self._drawn_rev:
            return
        self._drawn_rev = line.rev
        waiting: list[dict[str, object]] = []
        current: list[dict[str, object]] = []
        overdue: list[dict[str, object]] = []
        for row, station in enumerate(reversed(line.stations)):
            for pick in station_picks(station):
                minutes = minutes_until(pick.due_at, line.at)
                spots = overdue if minutes < 0 else current if pick is station.current else waiting
                spots.append({"pos": (minutes, row)})
        self._picks_item.setData(waiting)
        self._current_item.setData(current)
        self._overdue_item.setData(overdue)
        axis = self.buffer_plot.getAxis("left")
        axis.setTicks([[(row, s.id) for row, s in enumerate(reversed(line.stations))]])
        self.buffer_plot.setYRange(-0.6, max(len(line.stations) - 0.4, 0.6), padding=0)
        # One buffer figure, shown one way: its number on the KPI tile only; here the line at the same place, and
        # words only when there is nothing to draw (never a figure in this header that the chart does not show).
        buffer = line.kpis.buffer_minutes
        self._buffer_line.setVisible(buffer is not None)
        if buffer is not None:
            self._buffer_line.setValue(min(max(buffer, BUFFER_BEHIND_MIN), BUFFER_AHEAD_MIN))
        self._empty_text.setVisible(buffer is None)
        self._empty_text.setPos((BUFFER_BEHIND_MIN + BUFFER_AHEAD_MIN) / 2, (len(line.stations) - 1) / 2)
        summary = tr(QT_TRANSLATE_NOOP("jis", "buffer: earliest open vehicle's due time · target ≥ {minutes} min"))
        self.buffer_summary.setText(summary.format(minutes=f"{BUFFER_MIN_MINUTES:.0f}"))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.restyle()  # the stylesheet reaches the palette only once the window has it

    def restyle(self) -> None:
        """Re-read the stylesheet's chart colours (on show, and after the window's stylesheet or font scale changed);
        not at each redraw: new pens make pyqtgraph re-render every spot."""
        pal = self._palette
        pal.paint_plot(self.buffer_plot)
        self._now_line.setPen(pg.mkPen(pal.axisColor, width=2))
        self._limit_line.setPen(pal.limit_pen())
        self._buffer_line.setPen(pg.mkPen(pal.traceColor, width=2))
        self._empty_text.setColor(pal.axisColor)
        self._picks_item.setPen(pg.mkPen(pal.traceColor))
        self._picks_item.setBrush(pg.mkBrush(pal.groundColor))
        self._current_item.setPen(pg.mkPen(pal.traceColor, width=2))
        self._current_item.setBrush(pg.mkBrush(pal.traceColor))
        self._overdue_item.setPen(pg.mkPen(pal.abnormalColor, width=3))
        self._overdue_item.setBrush(pg.mkBrush(pal.abnormalColor))

    def redraw_now(self) -> None:
        """Draw the newest picture at once (tests and screenshots; the timer does this every second)."""
        self._drawn_rev = None
        self._redraw_buffer()

    # --- proposing an operation ---

    def _station_menu(self, where: QPoint) -> None:
        line = self._line
        row = self.stations.rowAt(where.y())
        if line is None or not 0 <= row < len(line.stations):
            return
        menu = self.station_menu(line.stations[row])
        menu.popup(self.stations.viewport().mapToGlobal(where))

    def station_menu(self, station: StationView) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("station_menu")
        seq = str(station.current.seq) if station.current else ""
        for text, intent, fields_of in STATION_ACTIONS:
            fields = fields_of(station)
            action = menu.addAction(tr(text).format(seq=seq, station=station.id))
            action.setEnabled(bool(fields))
            action.triggered.connect(lambda _=False, i=intent, f=fields: self.operation_wanted.emit(i, f))
        return menu


def _devices_word(station: StationView, up: dict[str, bool]) -> str:
    """Quiet when normal (ISA-101): "online"; otherwise which of the station's devices is off, in words."""
    devices = (("ptl", station.ptl_device), ("printer", station.printer))
    down = [
        f"{tr(DEVICE_KIND_WORDS[kind])} {tr(UP_WORDS[up.get(name)])}"
        for kind, name in devices
        if up.get(name) is not True
    ]
    return ", ".join(down) or tr(QT_TRANSLATE_NOOP("jis", "online"))


def starves_word(station: StationView, at: float, zone: ZoneInfo) -> str:
    """The station's starvation forecast: its time and how far off, "covered", or a dash where no stock is kept."""
    if not any(b.stock is not None for b in station.bins):
        return NO_VALUE
    if station.starves_at is None:
        return tr(QT_TRANSLATE_NOOP("jis", "covered"))
    minutes = minutes_until(station.starves_at, at)
    return f"{clock(station.starves_at, zone, '%H:%M')} ({minutes:.0f} {tr(MINUTES)}) {station.starves_bin}"


def _duration(seconds: float) -> str:
    seconds = max(seconds, 0.0)
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} {tr(MINUTES)}"


def _seq_range(low: int | None, high: int | None) -> str:
    return f"{low}–{high}" if low is not None and high is not None else NO_VALUE
