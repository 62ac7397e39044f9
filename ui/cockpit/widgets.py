"""Building blocks of the shift lead's cockpit: titled sections, read-only tables, KPI tiles, the priority cell,
the trend palette and the font scale.

What they are for: drawing values the cockpit's screens hand them, styled only by the cockpit section of
``ui/style.qss`` through dynamic properties (``comm``, ``state``, ``role``) and ``qproperty-`` colours, so the
one stylesheet holds every colour (PyDM's pattern). What they must not do: hold a colour or a font size in
Python, or do any I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import Property, QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QRegion
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import tr_headers, tr_text
from ui.widgets import AlarmIndicator, label, set_props, titled_frame
from ui.words import NO_VALUE, QT_TRANSLATE_NOOP

PRIORITY_ROLE = Qt.ItemDataRole.UserRole + 1  # int priority of the row's alarm, 0 for none
BLINK_ROLE = Qt.ItemDataRole.UserRole + 2  # True while the alarm is unacknowledged (ISA-18.2: it blinks)
MAX_PICTURES = 32  # drawn priority indicators kept: 3 priorities x a few row heights and themes
BLINK_DIM_OPACITY = 0.25  # the "off" phase of a blinking indicator: dimmed, never gone (shape stays readable)
Index = QModelIndex | QPersistentModelIndex

# --- font scale: the cockpit section's pixel sizes times the user's scale -----------------------------------
COCKPIT_SECTION = re.compile(r"/\* === cockpit === \*/.*?/\* === end cockpit === \*/", re.DOTALL)
FONT_SIZE = re.compile(r"font-size:\s*(\d+)px")
FONT_SCALES: tuple[float, ...] = (0.85, 1.0, 1.15, 1.3, 1.5, 1.75)


def scaled_stylesheet(qss: str, scale: float) -> str:
    """``qss`` with each ``font-size: Npx`` of the cockpit section times ``scale``; the operator panel is untouched."""

    def scale_section(section: re.Match[str]) -> str:
        return FONT_SIZE.sub(lambda m: f"font-size: {max(round(int(m.group(1)) * scale), 6)}px", section.group(0))

    return COCKPIT_SECTION.sub(scale_section, qss)


def next_scale(current: float, step: int) -> float:
    """The neighbouring entry of ``FONT_SCALES`` (``step`` -1 or +1), clamped at both ends."""
    nearest = min(range(len(FONT_SCALES)), key=lambda i: abs(FONT_SCALES[i] - current))
    return FONT_SCALES[max(0, min(len(FONT_SCALES) - 1, nearest + step))]


# --- sections and tables -----------------------------------------------------------------------------------------


def section(name: str, title: str) -> tuple[QFrame, QVBoxLayout, QHBoxLayout]:
    """A titled section (``ui.widgets.titled_frame``: its title row ends with a COMM tag), packed for a desk;
    ``title`` is a marked text, shown in the current language."""
    frame, box, head = titled_frame(name, title, "section")
    box.setContentsMargins(8, 6, 8, 8)
    box.setSpacing(4)
    return frame, box, head


def make_table(name: str, headers: Sequence[str], stretch: int | None = None) -> QTableWidget:
    """A read-only, row-selecting table; column ``stretch`` takes the spare width, the rest fit their content."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    tr_headers(table, headers)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    # Not ResizeToContents: that re-measures the whole column on every setText (0.15 ms each, the cockpit's
    # biggest frame cost); fill_table fits the columns once per picture instead, and only if a cell changed.
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    else:
        header.setStretchLastSection(True)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setShowGrid(False)
    table.setWordWrap(False)
    return table


def fit_rows(table: QTableWidget, shown: int, most: int) -> None:
    """Size ``table`` to ``shown`` rows (at least one, at most ``most``): short lists leave room for the rest."""
    rows = max(1, min(shown, most))
    height = table.horizontalHeader().sizeHint().height() + rows * table.verticalHeader().defaultSectionSize()
    scroll = table.horizontalScrollBar().sizeHint().height() if table.horizontalScrollBar().isVisible() else 0
    table.setFixedHeight(height + scroll + 2 * table.frameWidth() + 2)


def cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    """The item ``fill_table`` put at (row, column)."""
    item = table.item(row, column)
    if item is None:
        raise LookupError(f"{table.objectName()}: no item at row {row}, column {column}")
    return item


def table_rows(table: QTableWidget) -> list[list[str]]:
    """What a table shows, row by row (for tests and the report)."""
    return [[cell(table, r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


# --- a KPI tile: caption, big value, unit, and a word when it is off target --------------------------------------


class KpiTile(QFrame):
    """One shift figure; ``state="off"`` (inverse, with the word OFF TARGET) when it misses its target."""

    def __init__(self, key: str, caption: str, unit: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"kpi_{key}")
        self.caption = label("", f"kpi_{key}_caption", "kpi-caption")
        tr_text(self.caption, caption, "upper")
        self.value = label(NO_VALUE, f"kpi_{key}_value", "kpi-value")
        self.unit = label("", f"kpi_{key}_unit", "kpi-unit")
        tr_text(self.unit, unit)
        self.tag = label("", f"kpi_{key}_tag", "kpi-tag")
        tr_text(self.tag, QT_TRANSLATE_NOOP("jis", "OFF TARGET"))
        self.tag.setVisible(False)
        row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(self.value)
        row.addWidget(self.unit, 0, Qt.AlignmentFlag.AlignBottom)
        row.addStretch(1)
        row.addWidget(self.tag, 0, Qt.AlignmentFlag.AlignBottom)
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 4, 8, 4)
        box.setSpacing(0)
        box.addWidget(self.caption)
        box.addLayout(row)
        set_props(self, state="normal")

    def show_value(self, text: str, off_target: bool) -> None:
        if self.value.text() != text:
            self.value.setText(text)
        self.tag.setVisible(off_target)
        set_props(self, state="off" if off_target else "normal")


# --- the priority cell of an alarm table: the same indicator as everywhere, blinking while unacknowledged ---------


class PriorityDelegate(QStyledItemDelegate):
    """Paints ``PRIORITY_ROLE`` with an ``AlarmIndicator`` (colour + shape + number); dimmed on the blink's off phase.

    The indicators are hidden children of the view, so the window's stylesheet colours them per ``[priority]``.
    """

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.blink_on = True
        self._indicators: dict[int, AlarmIndicator] = {}
        self._pictures: dict[tuple[object, ...], QImage] = {}
        for priority in (1, 2, 3):
            indicator = AlarmIndicator(priority, view)
            indicator.setObjectName(f"priority_cell_{priority}")
            indicator.hide()
            self._indicators[priority] = indicator

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        priority = int(index.data(PRIORITY_ROLE) or 0)
        indicator = self._indicators.get(priority)
        if indicator is None:
            return
        rect: QRect = option.rect
        side = max(rect.height() - 4, 12)
        picture = self._picture(indicator, side, painter.device().devicePixelRatioF())
        painter.save()
        if index.data(BLINK_ROLE) and not self.blink_on:
            painter.setOpacity(BLINK_DIM_OPACITY)
        painter.drawImage(rect.x() + (rect.width() - side) // 2, rect.y() + (rect.height() - side) // 2, picture)
        painter.restore()

    def _picture(self, indicator: AlarmIndicator, side: int, ratio: float) -> QImage:
        """The indicator drawn once per size and colours (rendering the widget per cell cost 0.5 ms a row)."""
        indicator.ensurePolished()
        key = (indicator.priority, side, ratio, *(c.rgba() for c in indicator.colours()))
        picture = self._pictures.get(key)
        if picture is None:
            if len(self._pictures) >= MAX_PICTURES:  # sizes and themes change rarely: start over, never grow
                self._pictures.clear()
            indicator.resize(side, side)
            picture = QImage(QSize(side, side) * ratio, QImage.Format.Format_ARGB32_Premultiplied)
            picture.setDevicePixelRatio(ratio)
            picture.fill(0)  # every pixel clear: only the indicator's shape is drawn over the cell
            painter = QPainter(picture)
            indicator.render(painter, QPoint(0, 0), QRegion(), QWidget.RenderFlag.DrawChildren)
            painter.end()
            self._pictures[key] = picture
        return picture

    def indicator(self, priority: int) -> AlarmIndicator | None:
        return self._indicators.get(priority)


# --- trend colours: read by the plots at each redraw, set only by the stylesheet -----------------------------------


def _colour_property(attribute: str) -> Property:
    def getter(self: TrendPalette) -> QColor:
        return QColor(getattr(self, attribute))

    def setter(self: TrendPalette, colour: QColor) -> None:
        setattr(self, attribute, QColor(colour))

    return Property(QColor, getter, setter)


class TrendPalette(QWidget):
    """A hidden widget whose ``qproperty-`` colours the stylesheet sets: plot ground, axes, traces and limits."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trend_palette")
        self._ground = QColor()
        self._axis = QColor()
        self._trace = QColor()
        self._limit = QColor()
        self._abnormal = QColor()
        self.hide()

    def paint_plot(self, plot: pg.PlotWidget) -> None:
        """``plot``'s ground and axes in the stylesheet's colours, as they are now."""
        self.ensurePolished()
        plot.setBackground(self.groundColor)
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(self.axisColor))
            axis.setTextPen(pg.mkPen(self.axisColor))

    def limit_pen(self) -> QPen:
        """A limit is a thin dashed line (hmi.md)."""
        pen: QPen = pg.mkPen(self.limitColor, width=1, style=Qt.PenStyle.DashLine)
        return pen

    groundColor = _colour_property("_ground")
    axisColor = _colour_property("_axis")
    traceColor = _colour_property("_trace")
    limitColor = _colour_property("_limit")
    abnormalColor = _colour_property("_abnormal")
