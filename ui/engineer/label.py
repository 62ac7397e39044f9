"""A printed label drawn as the printer laid it out: text, Code 128 and Data Matrix footprints, boxes, in dots.

What it is for: ``render_label`` paints a ``LabelLayout`` (positions in printer dots, read by the simulator from
the ZPL it printed, docs/sim-control.md) into a QImage at one pixel per dot; ``LabelPreview`` shows it scaled to
fit. Code 128 bars come from ``ui.code128`` (module for module what a Zebra prints for ``^BC`` with start B),
the human-readable line below them only where ``^BC...,Y`` asked for it (``line``): the labels of
``plc_io.zpl_labels`` say ``N`` and print their data as text of their own, so a line drawn anyway would cover the
text under the bars (the VIN's line over the part's description). A Data Matrix is drawn as its true footprint (symbol
size from the data's length, finder L and clock track) with a hatched centre: this is a preview, not an
ECC 200 encoder, and it must not look scannable.
What it must not do: interpret ZPL, hold colours (paper and ink come from the stylesheet's ``qproperty-``), or
do any I/O.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Property, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.code128 import Code128Error, bars
from ui.engineer.link import LabelElement, LabelLayout

FONT_FAMILIES = ["DejaVu Sans Condensed", "DejaVu Sans", "Sans Serif"]  # nearest to Zebra font 0 (condensed)
DEFAULT_LABEL_DOTS = (812, 609)  # 4 x 3 in at 203 dpi: the part label, shown before any label has printed
HRT_DOTS_PER_MODULE = 10  # the interpretation line's height per narrow-bar width (about 20 dots at ^BY2)
# ECC 200 square symbols: (modules per side, data codewords) (ISO/IEC 16022 Table 7)
DATAMATRIX_SIZES: tuple[tuple[int, int], ...] = (
    (10, 3), (12, 5), (14, 8), (16, 12), (18, 18), (20, 22), (22, 30), (24, 36), (26, 44), (32, 62), (36, 86),
    (40, 114), (44, 144), (48, 174), (52, 204), (64, 280), (72, 368), (80, 456), (88, 576), (96, 696), (104, 816),
    (120, 1050), (132, 1304), (144, 1558),
)  # fmt: skip


def datamatrix_codewords(data: str) -> int:
    """ASCII encodation: a digit pair is one codeword, other ASCII one, above 127 two (upper shift)."""
    count, i = 0, 0
    while i < len(data):
        pair = data[i : i + 2]
        step = 2 if len(pair) == 2 and pair.isdigit() and pair.isascii() else 1
        count += 1 if step == 2 or ord(data[i]) < 128 else 2
        i += step
    return count


def datamatrix_side(data: str) -> int:
    """Modules per side of the smallest square ECC 200 symbol that holds ``data``."""
    need = datamatrix_codewords(data)
    return next((side for side, capacity in DATAMATRIX_SIZES if capacity >= need), DATAMATRIX_SIZES[-1][0])


def _font(pixels: int, bold: bool = True) -> QFont:
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPixelSize(max(pixels, 6))
    font.setBold(bold)
    return font


def _text(p: QPainter, e: LabelElement, ink: QColor) -> None:
    p.setFont(_font(e.h))
    p.setPen(ink)
    p.drawText(QRect(e.x, e.y, 4000, round(e.h * 1.25)), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, e.data)


def _code128(p: QPainter, e: LabelElement, ink: QColor) -> None:
    try:
        runs = bars(e.data)
    except Code128Error:
        p.fillRect(QRect(e.x, e.y, 40 * e.module, e.h), QBrush(ink, Qt.BrushStyle.DiagCrossPattern))
        return
    for start, width in runs:
        p.fillRect(QRect(e.x + start * e.module, e.y, width * e.module, e.h), ink)
    if not e.line:
        return
    total = (runs[-1][0] + runs[-1][1]) * e.module
    hrt = HRT_DOTS_PER_MODULE * e.module
    p.setFont(_font(hrt, bold=False))
    p.setPen(ink)
    p.drawText(QRect(e.x, e.y + e.h + 2, total, round(hrt * 1.3)), Qt.AlignmentFlag.AlignHCenter, e.data)


def _datamatrix(p: QPainter, e: LabelElement, ink: QColor) -> None:
    side, m = datamatrix_side(e.data), e.module
    size = side * m
    p.fillRect(QRect(e.x, e.y, m, size), ink)  # finder: solid left column ...
    p.fillRect(QRect(e.x, e.y + size - m, size, m), ink)  # ... and bottom row
    for i in range(0, side, 2):  # clock track: alternating top row and right column
        p.fillRect(QRect(e.x + i * m, e.y, m, m), ink)
        p.fillRect(QRect(e.x + size - m, e.y + size - (i + 1) * m, m, m), ink)
    _stripes(p, QRect(e.x + 2 * m, e.y + 2 * m, size - 4 * m, size - 4 * m), m, ink)


def _stripes(p: QPainter, area: QRect, width: int, ink: QColor) -> None:
    """Diagonal stripes a module wide: the data region's place, plainly not a code a scanner could read."""
    p.save()
    p.setClipRect(area)
    p.setPen(QPen(ink, width))
    side = area.width() + area.height()
    for offset in range(0, side, 3 * width):
        p.drawLine(area.left() + offset, area.top(), area.left() + offset - area.height(), area.bottom())
    p.restore()


def _box(p: QPainter, e: LabelElement, ink: QColor) -> None:
    t = max(e.t, 1)
    w, h = max(e.w, t), max(e.h, t)  # ^GB: a side shorter than the thickness is drawn as the thickness
    if w <= t or h <= t:
        p.fillRect(QRect(e.x, e.y, w, h), ink)
        return
    for rect in ((e.x, e.y, w, t), (e.x, e.y + h - t, w, t), (e.x, e.y, t, h), (e.x + w - t, e.y, t, h)):
        p.fillRect(QRect(*rect), ink)


_DRAW: dict[str, Callable[[QPainter, LabelElement, QColor], None]] = {
    "text": _text,
    "code128": _code128,
    "datamatrix": _datamatrix,
    "box": _box,
}


def render_label(layout: LabelLayout, paper: QColor, ink: QColor) -> QImage:
    """The label at one pixel per printer dot (203 dpi); unknown element kinds are left out."""
    image = QImage(max(layout.width, 1), max(layout.height, 1), QImage.Format.Format_RGB32)
    image.fill(paper)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    for element in layout.elements:
        draw = _DRAW.get(element.kind)
        if draw is not None:
            draw(painter, element, ink)
    painter.end()
    return image


class LabelPreview(QWidget):
    """One label, scaled to fit and centred; paper, ink and outline colours from the stylesheet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._paper, self._ink, self._outline = QColor(), QColor(), QColor()  # set by ui/style.qss
        self._layout: LabelLayout | None = None
        self._image: QImage | None = None
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)  # as tall as the label's proportions need at the width it is given
        self.setSizePolicy(policy)
        self.setMinimumWidth(240)

    def show_layout(self, layout: LabelLayout | None) -> None:
        if layout != self._layout:
            resized = self._aspect(layout) != self._aspect(self._layout)
            self._layout, self._image = layout, None
            if resized:
                self.updateGeometry()  # a rack label (4 x 6 in) is twice as tall as a part label
            self.update()

    @staticmethod
    def _aspect(layout: LabelLayout | None) -> float:
        width, height = (layout.width, layout.height) if layout is not None else DEFAULT_LABEL_DOTS
        return height / max(width, 1)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return round(width * self._aspect(self._layout))

    @property
    def image(self) -> QImage | None:
        """The label at full resolution (rendered on demand)."""
        if self._image is None and self._layout is not None:
            self._image = render_label(self._layout, self._paper, self._ink)
        return self._image

    def sizeHint(self) -> QSize:
        return QSize(406, self.heightForWidth(406))  # half the dots of a 4 in wide label

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        image = self.image
        if image is not None:
            scale = min(self.width() / image.width(), self.height() / image.height())
            w, h = image.width() * scale, image.height() * scale
            target = QRectF((self.width() - w) / 2, 0, w, h)  # top-centred: the caption follows below
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, image)
            painter.setPen(self._outline)
            painter.drawRect(target.adjusted(0, 0, -1, -1))
        painter.end()

    def _set_paper(self, colour: QColor) -> None:
        self._paper, self._image = QColor(colour), None

    def _set_ink(self, colour: QColor) -> None:
        self._ink, self._image = QColor(colour), None

    def _set_outline(self, colour: QColor) -> None:
        self._outline = QColor(colour)

    paperColor = Property(QColor, lambda self: self._paper, _set_paper)
    inkColor = Property(QColor, lambda self: self._ink, _set_ink)
    outlineColor = Property(QColor, lambda self: self._outline, _set_outline)
