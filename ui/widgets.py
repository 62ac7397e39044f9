"""Small HMI building blocks every screen uses: titled frames with their COMM tag, the ISA-18.2 priority indicator,
bin tiles (with their lit face, and a place kept in a layout for their PICK tag), deviation rows, a drop-down with a
drawn arrow, plant-time helpers, and the two ways every screen updates: live/stale (``apply_comm``) and tables
touched only where text changed.

What they are for: rendering one value each, styled entirely by ``ui/style.qss`` through Qt dynamic properties
(``priority``, ``low``, ``comm``, ``state``; a lit tile's face by its type), the PyDM pattern. What they must not do:
hold a colour, a font size or any I/O. Colours reach the painted shapes only through ``qproperty-`` settings in the
stylesheet.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import Property, QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen, QPolygonF, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStyle,
    QStyleOption,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sequencer.views import BinView, DeviationView, StationView
from ui.i18n import tr, tr_text
from ui.words import QT_TRANSLATE_NOOP, kind_words, sentence

MM_PER_INCH = 25.4
TOUCH_TARGET_MM = 15.0  # hmi.md: gloved operators need targets of at least 15 mm


# A physical density outside this range is a screen reporting nonsense (no EDID: 0 mm, so an infinite or zero
# density; a virtual screen's made-up size); then the logical DPI is the best figure left.
SANE_DPI = (50.0, 600.0)
_dpi_override: list[float] = []  # `jis hmi --screen-dpi N`: the panel's real density, when its screen lies


def set_screen_dpi(dpi: float | None) -> None:
    """Use ``dpi`` (device-independent pixels per inch) for every millimetre on this process's screens; None: ask
    the screen (``physical_dpi``)."""
    if dpi is not None and not SANE_DPI[0] <= dpi <= SANE_DPI[1]:
        raise ValueError(f"a screen density of {dpi} dpi is not a screen's: give {SANE_DPI[0]:.0f}-{SANE_DPI[1]:.0f}")
    _dpi_override[:] = [dpi] if dpi is not None else []


def screen_dpi(physical: float, logical: float, override: float | None = None) -> float:
    """The density to size millimetres with: the override, else the screen's physical density when it is sane, else
    its logical DPI (96 on most desktops: about 9.5 mm for a "15 mm" target on a 10" 1280x800 panel)."""
    if override is not None:
        return override
    if math.isfinite(physical) and SANE_DPI[0] <= physical <= SANE_DPI[1]:
        return physical
    return logical


def physical_dpi(widget: QWidget) -> float:
    """Device-independent pixels per physical inch of the widget's screen (Qt 6's ``physicalDotsPerInchY``: the
    screen's size in device-independent pixels over its physical size), or the fallback of ``screen_dpi``."""
    screen = widget.screen()
    physical = screen.physicalDotsPerInchY() if screen is not None else math.nan
    return screen_dpi(physical, widget.logicalDpiY(), _dpi_override[0] if _dpi_override else None)


def mm_to_px(widget: QWidget, mm: float) -> int:
    """Physical millimetres to device-independent pixels on the widget's screen (from its physical density)."""
    return round(mm * physical_dpi(widget) / MM_PER_INCH)


COMM_VALUES: dict[bool, str] = {True: "ok", False: "lost"}
COMM_TAG_ROLES = ("comm-tag", "comm-tag-large")  # the COMM tags shown only while the link is lost


def apply_comm(root: QWidget, up: bool) -> None:
    """Live or stale on every widget under ``root``: the stylesheet dashes outlines and greys values when lost.

    Only widgets whose ``comm`` differs are touched (new rows, or all of them when the link changes), and each
    is re-polished once: ``set_props`` on every widget would re-polish each one's descendants again.
    """
    value = COMM_VALUES[up]
    widgets = [root, *root.findChildren(QWidget)]
    changed = [w for w in widgets if w.property("comm") != value]
    for widget in changed:
        widget.setProperty("comm", value)
    for widget in changed:
        widget.style().unpolish(widget)
        widget.style().polish(widget)
        widget.updateGeometry()  # a font or padding from the new rules changes the size hint
        widget.update()
        if widget.property("role") in COMM_TAG_ROLES:
            widget.setVisible(not up)


def fill_table(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    """Show ``rows`` (text per column), touching only the cells whose text changed.

    Columns are fitted to their content when rows come or go; otherwise a column whose text changed only grows
    when the new text needs it, never shrinks: widths stay put while values tick (no jitter on the floor), and
    a picture measures the columns that changed, not every cell of the table.
    """
    rows_changed = table.rowCount() != len(rows) or not table.property("fitted")  # the first fill fits the headers
    table.setProperty("fitted", True)
    table.setRowCount(len(rows))
    columns: set[int] = set()
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            item = table.item(r, c)
            if item is None:
                item = QTableWidgetItem()
                table.setItem(r, c, item)
            if item.text() != text:
                item.setText(text)
                columns.add(c)
    header = table.horizontalHeader()
    for c in range(table.columnCount()) if rows_changed else sorted(columns):
        if header.sectionResizeMode(c) == QHeaderView.ResizeMode.Stretch:
            continue  # resizeColumnsToContents() would fix a stretching column's width and end its stretch
        if rows_changed or table.sizeHintForColumn(c) > table.columnWidth(c):
            table.resizeColumnToContents(c)


def set_props(widget: QWidget, **props: Any) -> None:
    """Set dynamic properties and re-polish, so the stylesheet's ``[prop="value"]`` selectors re-apply.

    Children are re-polished too: Qt does not re-evaluate descendant selectors (``BinTile[lit="true"] QLabel``)
    when only the parent's property changes.
    """
    changed = False
    for name, value in props.items():
        if widget.property(name) != value:
            widget.setProperty(name, value)
            changed = True
    if changed:
        repolish(widget, *widget.findChildren(QWidget))
        widget.update()


def repolish(*widgets: QWidget) -> None:
    """Re-apply the stylesheet to these widgets only (their ``[prop="value"]`` selectors); each costs a match of
    every rule, so a state that changes often re-polishes as few widgets as it can (``BinTile.show_bin``)."""
    for w in widgets:
        w.style().unpolish(w)
        w.style().polish(w)


def label(text: str, name: str, role: str) -> QLabel:
    """A label with an objectName for tests and a ``role`` property for the stylesheet."""
    lab = QLabel(text)
    lab.setObjectName(name)
    lab.setProperty("role", role)
    return lab


def comm_tag(name: str, role: str = "comm-tag") -> QLabel:
    """The COMM tag: shown by ``apply_comm`` only while the link is lost (``role`` one of ``COMM_TAG_ROLES``)."""
    return label("COMM", name, role)


def stacked(*widgets: QWidget, spacing: int | None = None, right: bool = False) -> QVBoxLayout:
    """Widgets one above the other (a name over its note, a value over its zone); ``right``: flush right."""
    box = QVBoxLayout()
    if spacing is not None:
        box.setSpacing(spacing)
    for widget in widgets:
        if right and isinstance(widget, QLabel):
            widget.setAlignment(Qt.AlignmentFlag.AlignRight)
        box.addWidget(widget)
    return box


def titled_frame(name: str, title: str, kind: str = "card") -> tuple[QFrame, QVBoxLayout, QHBoxLayout]:
    """An outlined frame, its body and its title row; the row ends with a COMM tag, shown while the link is down.

    ``kind`` is the stylesheet's word for it (``card`` on the operator panel and the engineer's view, ``section``
    in the cockpit): the frame's property and its title's role (``card-title``)."""
    frame = QFrame()
    frame.setObjectName(name)
    frame.setProperty(kind, True)
    box = QVBoxLayout(frame)
    head = QHBoxLayout()
    title_label = label("", f"{name}_title", f"{kind}-title")
    tr_text(title_label, title)  # a marked text is translated (ui.i18n); any other shows as given
    head.addWidget(title_label)
    head.addStretch(1)
    head.addWidget(comm_tag(f"{name}_comm"))
    box.addLayout(head)
    return frame, box, head


def clear_layout(layout: QGridLayout | QVBoxLayout) -> None:
    """Take every widget out of ``layout`` and delete it."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.setParent(None)  # gone from findChild() at once, not only after deleteLater() runs
            widget.deleteLater()


# --- the plant's time zone (hmi.md: times in the plant's zone, with the zone shown) ---------------------------


def plant_zone(name: str) -> ZoneInfo:
    """The plant's zone; an unknown name falls back to UTC, which the zone label then shows honestly."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def clock(epoch: float, zone: ZoneInfo, fmt: str = "%H:%M:%S") -> str:
    return datetime.fromtimestamp(epoch, zone).strftime(fmt)


def zone_label(epoch: float, zone: ZoneInfo) -> str:
    """E.g. ``CEST (Europe/Berlin)``: the abbreviation changes with daylight saving, the key does not."""
    return f"{clock(epoch, zone, '%Z')} ({zone.key})"


# --- the ISA-18.2 priority indicator: colour + shape + number, never colour alone --------------------------


def _square(r: QRectF) -> list[QPointF]:
    return [r.topLeft(), r.topRight(), r.bottomRight(), r.bottomLeft()]


def _triangle(r: QRectF) -> list[QPointF]:
    return [QPointF(r.center().x(), r.top()), r.bottomRight(), r.bottomLeft()]


def _diamond(r: QRectF) -> list[QPointF]:
    c = r.center()
    return [QPointF(c.x(), r.top()), QPointF(r.right(), c.y()), QPointF(c.x(), r.bottom()), QPointF(r.left(), c.y())]


SHAPES: dict[int, str] = {1: "square", 2: "triangle", 3: "diamond"}
_OUTLINES: dict[str, Callable[[QRectF], list[QPointF]]] = {
    "square": _square,
    "triangle": _triangle,
    "diamond": _diamond,
}
# Where the digit sits inside each shape (fraction of the height from the top): a triangle's centre of mass is low.
_DIGIT_BAND: dict[str, tuple[float, float]] = {"square": (0.0, 1.0), "triangle": (0.3, 1.0), "diamond": (0.0, 1.0)}


class AlarmIndicator(QWidget):
    """P1 square "1", P2 triangle "2", P3 diamond "3"; colours come from the stylesheet per ``priority``."""

    def __init__(self, priority: int = 3, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fill = QColor()
        self._outline = QColor()
        self._text = QColor()
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.set_priority(priority)

    def set_priority(self, priority: int) -> None:
        self.setAccessibleName(f"Priority {priority}")
        set_props(self, priority=priority)

    @property
    def priority(self) -> int:
        return int(self.property("priority"))

    @property
    def shape(self) -> str:
        return SHAPES.get(self.priority, "diamond")

    @property
    def number(self) -> str:
        return str(self.priority)

    def colours(self) -> tuple[QColor, QColor, QColor]:
        """Fill, outline and digit, as the stylesheet set them."""
        return self._fill, self._outline, self._text

    def sizeHint(self) -> QSize:
        side = max(mm_to_px(self, 9.0), 32)
        return QSize(side, side)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        painter.setPen(QPen(self._outline, 2))
        painter.setBrush(self._fill)
        painter.drawPolygon(QPolygonF(_OUTLINES[self.shape](box)))
        top, bottom = _DIGIT_BAND[self.shape]
        digit_box = QRectF(box.left(), box.top() + top * box.height(), box.width(), (bottom - top) * box.height())
        font = self.font()
        font.setBold(True)
        font.setPixelSize(max(int(box.height() * (0.5 if self.shape != "triangle" else 0.46)), 8))
        painter.setFont(font)
        painter.setPen(self._text)
        painter.drawText(digit_box, Qt.AlignmentFlag.AlignCenter, self.number)
        painter.end()

    # Qt properties the stylesheet sets with qproperty-fillColor etc.
    def _get_fill(self) -> QColor:
        return self._fill

    def _set_fill(self, colour: QColor) -> None:
        self._fill = QColor(colour)

    def _get_outline(self) -> QColor:
        return self._outline

    def _set_outline(self, colour: QColor) -> None:
        self._outline = QColor(colour)

    def _get_text(self) -> QColor:
        return self._text

    def _set_text(self, colour: QColor) -> None:
        self._text = QColor(colour)

    fillColor = Property(QColor, _get_fill, _set_fill)
    outlineColor = Property(QColor, _get_outline, _set_outline)
    textColor = Property(QColor, _get_text, _set_text)


# --- a bin tile: one light on the rack, mirrored ------------------------------------------------------------

# A tile's texts, unlit and lit: the stylesheet gives each label both colours ("color", "selection-color"), so a
# light going on or off switches the labels' role and paints the tile's lit face (its fill and outline): no
# re-polish, which re-matched the whole stylesheet for the tile (0.1-0.2 ms a tile, two tiles a pick).
LIT_TEXT_ROLES: dict[bool, QPalette.ColorRole] = {
    False: QPalette.ColorRole.WindowText,
    True: QPalette.ColorRole.HighlightedText,
}


class BinTile(QFrame):
    """One bin as its light shows it: light number, bin id, part; ``lit`` inverts the tile and tags it PICK."""

    def __init__(self, bin_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"bin_{bin_id}")
        self.light = label("", f"bin_{bin_id}_light", "bin-light")
        self.bin_id = label(bin_id, f"bin_{bin_id}_id", "bin-id")
        self.part = label("", f"bin_{bin_id}_part", "bin-part")
        self.tag = label("", f"bin_{bin_id}_tag", "bin-tag")
        tr_text(self.tag, QT_TRANSLATE_NOOP("jis", "PICK"))
        self.stock = label("", f"bin_{bin_id}_stock", "bin-stock")  # parts left, where the bin's stock is kept
        for lab in (self.bin_id, self.part, self.tag, self.stock):
            lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.part.setWordWrap(True)
        self.tag.setVisible(False)
        self._tag_place = KeptPlace(self.tag)
        top = QHBoxLayout()
        top.addWidget(self.light)
        top.addStretch(1)
        top.addWidget(self._tag_place)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.bin_id)
        box.addWidget(self.part)
        box.addWidget(self.stock)
        box.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.face = LitFace(self)
        self.setProperty("lit", False)  # the light, for whoever asks; no rule reads it (the face shows it)
        self.setProperty("low", False)
        self._view: BinView | None = None  # what the tile shows now

    def show_bin(self, view: BinView) -> None:
        """Show ``view``; the same bin as shown already (another pick of the station moved) costs nothing."""
        if view != self._view:
            self._show(view)

    def _show(self, view: BinView) -> None:
        self._view = view
        self.light.setText(tr(QT_TRANSLATE_NOOP("jis", "LIGHT {light}")).format(light=view.light))
        self.part.setText(view.part)
        self.tag.setVisible(view.lit)
        self.stock.setText(stock_words(view))
        self.stock.setVisible(view.stock is not None)
        if self.property("lit") != view.lit:
            self.setProperty("lit", view.lit)
            self.face.show_lit(view.lit)
            for lab in (self.light, self.bin_id, self.part, self.tag, self.stock):
                lab.setForegroundRole(LIT_TEXT_ROLES[view.lit])
        if self.property("low") != view.low:
            self.setProperty("low", view.low)
            repolish(self.stock)

    def changeEvent(self, event: QEvent) -> None:
        """A new language: the light's and the stock's words again, and the PICK tag's place fitted to its new word
        (``retranslate`` gave it, at the panel: before the tiles hear of the language)."""
        if event.type() == QEvent.Type.LanguageChange:
            self._tag_place.updateGeometry()
            if self._view is not None:
                self._show(self._view)
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.face.setGeometry(self.rect())
        super().resizeEvent(event)


class LitFace(QWidget):
    """A lit tile's look over the whole tile, under its texts: the stylesheet's ``LitFace`` fill and outline, painted
    while the light is on and not at all while it is off (the tile's own look shows). Not in the tile's layout, and
    never shown or hidden: a light going on or off costs the tile's paint, no layout and no re-polish."""

    def __init__(self, tile: QWidget) -> None:
        super().__init__(tile)
        self.lit = False
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.lower()  # under the texts

    def show_lit(self, lit: bool) -> None:
        self.lit = lit
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.lit:
            option = QStyleOption()
            option.initFrom(self)
            painter = QPainter(self)
            self.style().drawPrimitive(QStyle.PrimitiveElement.PE_Widget, option, painter, self)
            painter.end()


class KeptPlace(QWidget):
    """A place in a layout kept for one widget that comes and goes (a lit tile's PICK tag), as big as the widget
    whether it is shown or not: a tile keeps its size as its light goes on and off, and its neighbours stay put.

    Why not the widget itself in the layout: showing a widget that is in a layout makes Qt lay out every layout from
    it up to the window there and then (``QWidget::setVisible``), a third of what a light going on cost the panel.
    This place has no layout, so showing or hiding the widget costs its paint. Its layout hears of the widget's size
    again only when told (``updateGeometry``: a new language); no event handler here, so no Python runs on its events.
    What it must not do: hold more than its one widget, or one whose height depends on its width (a word-wrapped
    label: the place tells its layout no height-for-width), or take a size of its own.
    """

    def __init__(self, widget: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.widget = widget
        widget.setParent(self)

    def sizeHint(self) -> QSize:
        return self.widget.sizeHint()

    def minimumSizeHint(self) -> QSize:
        return self.widget.minimumSizeHint()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.widget.setGeometry(self.rect())


def stock_words(view: BinView) -> str:
    """A kept bin's stock as the tile shows it: "12 / 40 left", "LOW 3 / 40" once replenishment is called."""
    if view.stock is None:
        return ""
    low, left = (
        QT_TRANSLATE_NOOP("jis", "LOW {stock} / {capacity}"),
        QT_TRANSLATE_NOOP("jis", "{stock} / {capacity} left"),
    )
    return tr(low if view.low else left).format(stock=view.stock, capacity=view.capacity)


def starvation_words(station: StationView, zone: ZoneInfo) -> str:
    """The station's starvation forecast in words: when and which bin, or that its stock covers what it knows."""
    if not any(b.stock is not None for b in station.bins):
        return ""
    if station.starves_at is None:
        return tr(QT_TRANSLATE_NOOP("jis", "Stock covers the open vehicles"))
    when = clock(station.starves_at, zone, "%H:%M")
    return tr(QT_TRANSLATE_NOOP("jis", "Starves at {time} · bin {bin}")).format(time=when, bin=station.starves_bin)


# --- one open deviation -------------------------------------------------------------------------------------


class DeviationRow(QFrame):
    """Priority indicator, time, kind and message of one open deviation."""

    def __init__(self, view: DeviationView, when: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        name = f"deviation_{view.id}"
        self.setObjectName(name)
        self.indicator = AlarmIndicator(view.priority)
        self.indicator.setObjectName(f"{name}_priority")
        self.when = label(when, f"{name}_at", "dev-at")
        self.kind = label("", f"{name}_kind", "dev-kind")
        tr_text(self.kind, kind_words(view.kind))
        self.message = label(
            sentence(view, tr), f"{name}_message", "dev-message"
        )  # the core's, in the panel's language
        self.message.setWordWrap(True)
        text = QVBoxLayout()
        text.setSpacing(0)
        head = QHBoxLayout()
        head.addWidget(self.kind)
        head.addStretch(1)
        head.addWidget(self.when)
        text.addLayout(head)
        text.addWidget(self.message)
        row = QHBoxLayout(self)
        row.addWidget(self.indicator, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)
        set_props(self, priority=view.priority)

    def show_sentence(self, view: DeviationView) -> None:
        """The core's sentence again: in a new language, or with its new values (a flood's count)."""
        self.message.setText(sentence(view, tr))


# --- drop-down lists with a drawn arrow (the stylesheet hides the native one, ~3 mm on a touch panel) -------------


class Choice(QComboBox):
    """A combo box that paints a small triangle in ``arrowColor`` (set by the stylesheet) on its drop-down."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._arrow = QColor()

    def arrow_place(self) -> tuple[float, float]:
        """(half the arrow's width, which is also its height; the x of its middle)."""
        half = max(self.height() // 8, 3)
        return half, self.width() - half * 3 - 1

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        half, middle = self.arrow_place()
        top = self.height() / 2 - half / 2
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._arrow)
        points = [QPointF(middle - half, top), QPointF(middle + half, top), QPointF(middle, top + half)]
        painter.drawPolygon(QPolygonF(points))
        painter.end()

    def _get_arrow(self) -> QColor:
        return self._arrow

    def _set_arrow(self, colour: QColor) -> None:
        self._arrow = QColor(colour)

    arrowColor = Property(QColor, _get_arrow, _set_arrow)


class StationSelector(Choice):
    """A choice sized for gloves: at least 15 mm tall, with an 8 mm arrow. While ``locked`` (a kiosk panel without a
    lead logged in) a tap opens no list but emits ``locked_tap``, and the wheel changes nothing."""

    locked_tap = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.locked = False
        self.setMinimumHeight(mm_to_px(self, TOUCH_TARGET_MM))
        self.setMinimumWidth(mm_to_px(self, 40))

    def showPopup(self) -> None:
        if self.locked:
            self.locked_tap.emit()
            return
        super().showPopup()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.locked:
            event.ignore()
            return
        super().wheelEvent(event)

    def arrow_place(self) -> tuple[float, float]:
        return mm_to_px(self, 4), self.width() - mm_to_px(self, 6)
