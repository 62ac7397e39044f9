"""The cockpit's trends and the shift's KPIs: tiles for every figure, and four trends drawn from ring buffers.

What it is for: sampling each new ``LineView`` (at most once per ``SAMPLE_EVERY_S`` of plant time) into fixed-size
ring buffers, and redrawing the trends at a fixed rate (``REDRAW_MS``) however fast pictures arrive: broadcasts
per hour, picks per hour against takt, buffer minutes against its floor, on-time rate against its target. Grey
ground, neutral traces, limits as thin dashed lines (hmi.md); colours from the stylesheet (``TrendPalette``).
What it must not do: hold a colour or font size, read a clock (time is the pictures' ``at``, in the plant's
zone), or draw on every picture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from sequencer.views import LineView
from ui.cockpit.shift import BUFFER_MIN_MINUTES, KPIS, ON_TIME_TARGET, shift_of
from ui.cockpit.widgets import KpiTile, TrendPalette, section
from ui.i18n import tr
from ui.widgets import label, plant_zone
from ui.words import NO_VALUE, QT_TRANSLATE_NOOP

SAMPLE_EVERY_S = 10.0  # plant seconds between samples: 8 h of shift is 2,880 points a trend
RING_CAPACITY = 12 * 360  # 12 h at one sample per 10 s; the oldest sample is overwritten first
REDRAW_MS = 1000  # fixed redraw rate (PyDM: plots redraw on a timer, never per update)
KPI_COLUMNS = 4
TREND_COLUMNS = 2


class Ring:
    """A fixed-capacity ring of (time, value) samples held in numpy arrays; None values are stored as NaN."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._t = np.zeros(capacity)
        self._v = np.full(capacity, np.nan)
        self._next = 0
        self._count = 0

    def append(self, t: float, value: float | None) -> None:
        self._t[self._next] = t
        self._v[self._next] = np.nan if value is None else value
        self._next = (self._next + 1) % self.capacity
        self._count = min(self._count + 1, self.capacity)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Oldest first."""
        if self._count < self.capacity:
            return self._t[: self._count].copy(), self._v[: self._count].copy()
        order = np.r_[self._next : self.capacity, 0 : self._next]
        return self._t[order], self._v[order]

    def last(self) -> float | None:
        if not self._count:
            return None
        value = self._v[(self._next - 1) % self.capacity]
        return None if np.isnan(value) else float(value)

    def __len__(self) -> int:
        return self._count


@dataclass(frozen=True, slots=True, kw_only=True)
class Trend:
    key: str
    title: str
    unit: str
    value: Callable[[LineView], float | None]
    limit: Callable[[LineView], float | None] = lambda line: None
    limit_name: str = ""
    from_zero: bool = True  # counts and rates per hour from zero; a percentage near its target zooms in


TRENDS: tuple[Trend, ...] = (
    Trend(
        key="broadcasts_per_hour",
        title=QT_TRANSLATE_NOOP("jis", "BROADCASTS PER HOUR"),
        unit="/h",
        value=lambda ln: ln.kpis.broadcasts_per_hour,
    ),
    Trend(
        key="picks_per_hour",
        title=QT_TRANSLATE_NOOP("jis", "PICKS PER HOUR"),
        unit="/h",
        value=lambda ln: ln.kpis.picks_per_hour,
        limit=lambda ln: ln.kpis.takt_picks_per_hour or None,
        limit_name=QT_TRANSLATE_NOOP("jis", "takt"),
    ),
    Trend(
        key="buffer_minutes",
        title=QT_TRANSLATE_NOOP("jis", "BUFFER"),
        unit=QT_TRANSLATE_NOOP("jis", "min"),
        value=lambda ln: ln.kpis.buffer_minutes,
        limit=lambda ln: BUFFER_MIN_MINUTES,
        limit_name=QT_TRANSLATE_NOOP("jis", "floor"),
    ),
    Trend(
        key="on_time_rate",
        title=QT_TRANSLATE_NOOP("jis", "ON-TIME RATE"),
        unit="%",
        value=lambda ln: None if ln.kpis.on_time_rate is None else ln.kpis.on_time_rate * 100,
        limit=lambda ln: ON_TIME_TARGET * 100,
        limit_name=QT_TRANSLATE_NOOP("jis", "target"),
        from_zero=False,
    ),
)


def y_range(values: np.ndarray, limit: float | None, from_zero: bool) -> tuple[float, float]:
    """The data and its limit in view, with a margin; from zero for counts, zoomed in for a percentage."""
    seen = [float(x) for x in values[~np.isnan(values)]] + ([limit] if limit is not None else [])
    if not seen:
        return 0.0, 1.0
    low, high = (0.0 if from_zero else min(seen)), max(seen)
    margin = max((high - low) * 0.1, 0.5)
    return (low if from_zero else low - margin), high + margin


class TrendPlot(QWidget):
    """One trend: a title with the newest value, a plot over plant time, and its limit as a thin dashed line."""

    def __init__(self, trend: Trend, palette: TrendPalette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trend = trend
        self.ring = Ring(RING_CAPACITY)
        self._palette = palette
        self._limit: float | None = None
        self._now: float | None = None  # the newest picture's value: the reading is the tile's figure, not a sample's
        frame, box, head = section(f"trend_{trend.key}", trend.title)
        self.reading = label(NO_VALUE, f"trend_{trend.key}_value", "trend-value")
        head.insertWidget(1, self.reading)
        self.axis = pg.DateAxisItem(orientation="bottom")
        self.plot = pg.PlotWidget(axisItems={"bottom": self.axis})
        self.plot.setObjectName(f"trend_{trend.key}_plot")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.curve = self.plot.plot([], [], connect="finite")
        # the newest sample as a dot: a trend with one sample (or after a gap) shows its figure, not an empty chart
        self.newest = pg.ScatterPlotItem(size=8)
        self.plot.addItem(self.newest)
        self.limit_line = pg.InfiniteLine(angle=0, movable=False)
        self.limit_line.setVisible(False)
        self.plot.addItem(self.limit_line)
        box.addWidget(self.plot, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)

    def sample(self, line: LineView) -> None:
        self.ring.append(line.at, self.trend.value(line))
        self._limit = self.trend.limit(line)
        offset = datetime.fromtimestamp(line.at, plant_zone(line.timezone)).utcoffset()
        self.axis.utcOffset = -offset.total_seconds() if offset is not None else 0  # pyqtgraph: seconds west of UTC

    def show_now(self, line: LineView) -> None:
        """The reading beside the title follows every picture, as the tiles do (samples come every few seconds)."""
        self._now = self.trend.value(line)
        self._limit = self.trend.limit(line)
        limit = f" · {tr(self.trend.limit_name)} {self._limit:g}" if self._limit is not None else ""
        now = self._now
        reading = NO_VALUE if now is None else f"{now:.1f}" if self.trend.unit == "%" else f"{now:.0f}"
        self.reading.setText(f"{reading} {tr(self.trend.unit)}{limit}")

    def redraw(self) -> None:
        t, v = self.ring.arrays()
        self.curve.setData(t, v, connect="finite")
        last = self.ring.last()
        if last is not None and len(t):
            self.newest.setData([float(t[-1])], [last])
        else:
            self.newest.setData([], [])
        self.limit_line.setVisible(self._limit is not None)
        if self._limit is not None:
            self.limit_line.setValue(self._limit)
        if len(t):
            self.plot.setYRange(*y_range(v, self._limit, self.trend.from_zero), padding=0)
            self.plot.setXRange(float(t[0]), float(max(t[-1], t[0] + 600)), padding=0.02)

    def apply_palette(self) -> None:
        pal = self._palette
        pal.paint_plot(self.plot)
        self.curve.setPen(pg.mkPen(pal.traceColor, width=2))
        self.newest.setPen(pg.mkPen(pal.traceColor))
        self.newest.setBrush(pg.mkBrush(pal.traceColor))
        self.limit_line.setPen(pal.limit_pen())


class TrendsPane(QWidget):
    """The shift's KPIs as tiles and its trends as plots; feed it with ``apply_line``."""

    def __init__(self, palette: TrendPalette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trends_pane")
        self._line: LineView | None = None
        self._sampled_at: float | None = None
        self._dirty: set[str] = set()  # plots sampled since they were last drawn
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        frame, box, head = section("kpi_section", QT_TRANSLATE_NOOP("jis", "SHIFT KPIS"))
        self.shift_label = label("", "kpi_shift", "section-note")
        head.insertWidget(1, self.shift_label)
        grid = QGridLayout()
        grid.setSpacing(6)
        self.tiles: dict[str, KpiTile] = {}
        for index, kpi in enumerate(KPIS):
            tile = KpiTile(kpi.key, kpi.caption, kpi.unit)
            self.tiles[kpi.key] = tile
            grid.addWidget(tile, *divmod(index, KPI_COLUMNS))
        box.addLayout(grid)
        root.addWidget(frame)
        plots = QGridLayout()
        plots.setSpacing(6)
        self.plots: dict[str, TrendPlot] = {}
        for index, trend in enumerate(TRENDS):
            plot = TrendPlot(trend, palette)
            self.plots[trend.key] = plot
            plots.addWidget(plot, *divmod(index, TREND_COLUMNS))
        root.addLayout(plots, 1)
        # Each plot redraws once per REDRAW_MS, in turn: one plot's redraw (about 3 ms) per tick, never all four in
        # one GUI frame (14 ms: with a picture's own work, a frame past 16 ms every second).
        self._turn = 0
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS // len(self.plots))
        self._timer.timeout.connect(self._redraw_next)
        self._timer.start()

    @Slot(object)
    def apply_line(self, line: LineView) -> None:
        self._line = line
        zone = plant_zone(line.timezone)
        self.shift_label.setText(shift_of(line, zone).label(zone, tr))
        for kpi in KPIS:
            self.tiles[kpi.key].show_value(kpi.text(line), kpi.is_off_target(line))
        for plot in self.plots.values():
            plot.show_now(line)
        if self._sampled_at is None or line.at < self._sampled_at or line.at - self._sampled_at >= SAMPLE_EVERY_S:
            self._sampled_at = line.at
            for plot in self.plots.values():
                plot.sample(line)
            self._dirty = set(self.plots)

    def _redraw_next(self) -> None:
        keys = list(self.plots)
        key = keys[self._turn % len(keys)]
        self._turn += 1
        if key in self._dirty:
            self._dirty.discard(key)
            self.plots[key].redraw()

    def redraw_now(self) -> None:
        """Draw every plot at once (tests and screenshots; the timer draws each one every ``REDRAW_MS``)."""
        self._dirty.clear()
        for plot in self.plots.values():
            plot.redraw()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.restyle()

    def restyle(self) -> None:
        """Re-read the stylesheet's trend colours (after the window's stylesheet or font scale changed)."""
        for plot in self.plots.values():
            plot.apply_palette()
