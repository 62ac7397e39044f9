"""ZPL II labels for Zebra print engines (ZT600, ZE500): the part and rack label layouts and their rendering, all pure.

What it does: renders ``sequencer.labels`` part and rack labels to one ``^XA ... ^XZ`` format each (203 dpi,
``^CI28`` UTF-8), with the built-in layouts or the plant file's label templates, for every printer that takes ZPL:
the Zebra over raw TCP (``plc_io.zpl.printer``) and the OPC UA print engine, whose job order carries the format
(``plc_io.opcua.printer``). Field data goes through ``plc_io.zpl_labels.fields``, so it can never inject a command.
What it must not do: open sockets, read clocks, know a printer's protocol or status codes (the Zebra's are
``plc_io.zpl.status``), or know the job guarantee (each printer driver's own).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from plc_io.zpl_labels.fields import code128_data, datamatrix_data, fh_text, iso15434, unfh_text
from sequencer.labels import Label, PartLabel, RackLabel, RackSlot
from sequencer.plant import LabelElement, LabelLayout, LabelTemplates

DOTS_PER_INCH = 203  # 8 dots/mm print heads (ZT610/ZE500 standard head)
PART_SIZE_DOTS = (4 * DOTS_PER_INCH, 3 * DOTS_PER_INCH)  # 4 x 3 in: 812 x 609 dots
RACK_SIZE_DOTS = (4 * DOTS_PER_INCH, 6 * DOTS_PER_INCH)  # 4 x 6 in, AIAG B-10 shipping label size: 812 x 1218 dots
# The rack label's slot list and Data Matrix share the lower third: 16-dot lines (2 mm) beside a 104 x 104 symbol
# (816 codewords, 39 mm at 3 dots a module) hold 12 slots with their scans at the longest a 20-digit serial and a
# 14-character batch make them, 22 slots without (plc_io.zpl_labels.fit checks every plant file against it).
RACK_SLOT_DOTS = 16
RACK_DATAMATRIX = 104


# -- layouts as data -----------------------------------------------------------------------------------------
L = TypeVar("L", PartLabel, RackLabel)
CHAR_WIDTH = 0.6  # font 0 (CG Triumvirate Bold Condensed) at ^A0N,h,h: the widest capitals, as a share of h
QUIET_MODULES = 10  # Code 128 quiet zone each side (ISO/IEC 15417 asks for at least 10 modules)
DATAMATRIX_QUIET = 1  # Data Matrix quiet zone, modules each side (ISO/IEC 16022)


@dataclass(frozen=True, slots=True)
class Text(Generic[L]):
    """Human-readable field in font 0; ``text`` returning "" leaves the field out. Wraps at word boundaries onto
    ``lines`` lines of ``max_chars`` and is abbreviated at a word boundary beyond them."""

    x: int
    y: int
    height: int
    text: Callable[[L], str]
    max_chars: int = 40
    lines: int = 1


@dataclass(frozen=True, slots=True)
class Code128(Generic[L]):
    """Code 128 without its interpretation line (the text beside it says what it holds); ``x`` is where the bars
    start: ``QUIET_MODULES`` modules on either side are kept clear."""

    x: int
    y: int
    height: int
    data: Callable[[L], str]
    module: int = 2
    max_chars: int = 30


@dataclass(frozen=True, slots=True)
class DataMatrix(Generic[L]):
    """ECC 200, a fixed ``columns`` x ``columns`` symbol (``^BX`` given its size, never left to the firmware)."""

    x: int
    y: int
    module: int
    data: Callable[[L], str]
    columns: int = 0


@dataclass(frozen=True, slots=True)
class Slots:
    """The rack label's slot list: slot, sequence no., part no. and serial, one line each, and with ``[labels] traced``
    a line under it with the serial and batch scanned at its pick (up to ``lines`` lines)."""

    x: int
    y: int
    height: int
    lines: int
    max_chars: int = 60


@dataclass(frozen=True, slots=True)
class Box:
    x: int
    y: int
    width: int
    height: int
    thickness: int = 3


Element = Text[L] | Code128[L] | DataMatrix[L] | Slots | Box


@dataclass(frozen=True, slots=True)
class _Title:
    """A field's fixed text, the same on every label: rendered once per layout (``_constant_parts``)."""

    text: str

    def __call__(self, _label: Label) -> str:
        return self.text


def _title(text: str) -> Callable[[Label], str]:
    return _Title(text)


def _reprint(label: Label) -> str:
    return f"REPRINT {label.reprint}" if label.reprint else ""


def wrap_words(text: str, width: int, lines: int) -> list[str]:
    """``text`` on at most ``lines`` lines of at most ``width`` characters, broken at word boundaries; what does not
    fit is dropped at a word boundary and the last line ends in "..." (a word longer than a line is cut)."""
    out: list[str] = []
    current = ""
    for word in text.split():
        word = word[:width]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
            continue
        out.append(current)
        current = word
        if len(out) == lines:  # more text than lines
            return _abbreviated(out, width)
    return [*out, current] if current else out


def _abbreviated(out: list[str], width: int) -> list[str]:
    last = out[-1]
    while last and len(last) + 3 > width:
        last = last.rsplit(" ", 1)[0] if " " in last else last[: width - 3]
    return [*out[:-1], f"{last}..."]


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def label_date(label: Label) -> str:
    """The label's date (data identifier ``D``): YYMMDD in the plant's zone; "" for none."""
    if not label.labelled_at:
        return ""
    return datetime.fromtimestamp(label.labelled_at, _zone(label.timezone)).strftime("%y%m%d")


def _gtl(label: Label) -> tuple[tuple[str, str], ...]:
    """The label's GTL data identifiers (ANSI MH10.8.2) common to part and rack: supplier, ship-to, date."""
    where = label.ship_to + (f"/{label.unloading_point}" if isinstance(label, PartLabel) and label.unloading_point
                             else f"/{label.dock}" if isinstance(label, RackLabel) and label.dock else "")  # fmt: skip
    return tuple((di, v) for di, v in (("V", label.supplier), ("2L", where.strip("/")), ("D", label_date(label))) if v)


def part_2d(label: PartLabel) -> str:
    """ISO/IEC 15434 format 06: P the OEM's part no. (when known), 1P ours, I VIN, 1J serial, K sequence no., Q qty,
    V supplier, 2L ship-to/unloading point, D date."""
    fields: tuple[tuple[str, str], ...] = (
        ("P", label.customer_part),
        ("1P", label.part),
        ("I", label.vehicle_id),
        ("1J", label.serial),
        ("K", str(label.seq)),
        ("Q", str(label.qty)),
    )
    return iso15434(tuple((di, v) for di, v in fields if v) + _gtl(label))


def rack_2d(label: RackLabel) -> str:
    """ISO/IEC 15434 format 06: 5J the rack's serial, V, 2L, D, Q parts, then per filled slot K sequence no., 1P part
    no., 1J the part label's serial and, when scanned and the template is traced, S the part's scanned serial and 1T
    its batch (ANSI MH10.8.2: S serial number, 1T lot/batch number assigned by the supplier), in slot order."""
    head = (("5J", label.serial or label.label_id), *_gtl(label), ("Q", str(label.qty)))
    slots = tuple(
        pair
        for s in label.contents
        for pair in (
            ("K", str(s.seq)), ("1P", s.part), ("1J", s.serial), ("S", s.scanned_serial), ("1T", s.scanned_batch)
        )
        if pair[1]
    )  # fmt: skip
    return iso15434((*head, *slots))


def slot_line(slot: RackSlot) -> str:
    return f"{slot.slot:>3} {slot.seq:>5} {slot.part} {slot.serial}".rstrip()


def trace_line(slot: RackSlot) -> str:
    """The line under a slot with what was scanned at its pick: ``S`` serial, ``1T`` batch; "" for none."""
    found = " ".join(f"{di} {v}" for di, v in (("S", slot.scanned_serial), ("1T", slot.scanned_batch)) if v)
    return f"{'':>6}{found}" if found else ""


def slot_lines(contents: tuple[RackSlot, ...]) -> list[str]:
    """The slot list's lines: each slot's, and under it what was scanned at its pick (when shown)."""
    return [line for slot in contents for line in (slot_line(slot), trace_line(slot)) if line]


def _serial(di: str) -> Callable[[Label], str]:
    return lambda lb: f"{di}{lb.serial}" if lb.serial else ""


PART_LAYOUT: tuple[Element[PartLabel], ...] = (
    Text(20, 12, 24, _title("SEQ"), 3),
    Text(20, 38, 90, lambda lb: str(lb.seq), 5),
    Code128(340, 20, 80, lambda lb: str(lb.seq), max_chars=5),
    Text(20, 140, 28, _reprint, 12),
    DataMatrix(586, 14, 3, part_2d, 64),
    Text(20, 190, 24, _title("PART NO. (1P)"), 13),
    Text(20, 216, 44, lambda lb: lb.part, 20),
    Code128(40, 268, 60, lambda lb: "1P" + lb.part, max_chars=22),
    Text(20, 336, 22, lambda lb: f"CUST. PART (P) {lb.customer_part}" if lb.customer_part else "", 44),
    Text(20, 364, 22, _title("VIN (I)"), 7),
    Text(130, 360, 30, lambda lb: lb.vehicle_id, 17),
    Code128(40, 396, 50, lambda lb: "I" + lb.vehicle_id, max_chars=18),
    Text(640, 334, 22, _title("QTY (Q)"), 7),
    Text(640, 358, 44, lambda lb: str(lb.qty), 4),
    Text(540, 406, 20, lambda lb: f"SUPPLIER (V) {lb.supplier}" if lb.supplier else "", 22),
    Text(540, 430, 20, lambda lb: f"DATE (D) {label_date(lb)}" if lb.labelled_at else "", 22),
    Text(20, 456, 24, lambda lb: lb.description, 52, lines=2),
    Text(20, 512, 20, lambda lb: f"SHIP TO (2L) {lb.ship_to} {lb.unloading_point}".rstrip() if lb.ship_to else "", 60),
    Text(20, 540, 20, lambda lb: f"SERIAL (1J) {lb.serial}" if lb.serial else f"LABEL {lb.label_id}", 60),
    Text(20, 568, 20, lambda lb: f"{lb.family}  RACK {lb.rack_no}  SLOT {lb.slot}  {lb.feed}  {lb.plant}", 60),
)

RACK_LAYOUT: tuple[Element[RackLabel], ...] = (
    Box(10, 10, 792, 1198),
    Box(10, 200, 792, 0),
    Box(10, 400, 792, 0),
    Box(10, 600, 792, 0),
    Text(30, 22, 24, _title("SHIP TO (2L)"), 12),
    Text(30, 52, 50, lambda lb: lb.ship_to or lb.plant, 16),
    Text(30, 120, 24, lambda lb: f"DOCK {lb.dock}  LINE {lb.line}", 40),
    Text(560, 22, 24, _title("PLANT"), 5),
    Text(560, 52, 50, lambda lb: lb.plant, 7),
    Text(30, 150, 24, lambda lb: f"DATE (D) {label_date(lb)}" if lb.labelled_at else "", 30),
    Text(30, 212, 24, lambda lb: f"SUPPLIER (V) {lb.supplier}" if lb.supplier else "SUPPLIER (V)", 30),
    Code128(50, 250, 60, lambda lb: "V" + lb.supplier if lb.supplier else "", max_chars=10),
    Text(30, 322, 24, _title("QTY (Q)"), 7),
    Text(200, 316, 50, lambda lb: str(lb.qty), 4),
    Code128(360, 316, 60, lambda lb: f"Q{lb.qty}", max_chars=5),
    Text(30, 412, 24, _title("RACK NO."), 8),
    Text(30, 440, 90, lambda lb: str(lb.rack_no), 6),
    Text(420, 412, 24, lambda lb: f"SEQ {lb.low_seq} - {lb.high_seq}", 22),
    Text(420, 450, 30, lambda lb: f"{lb.family}  FEED {lb.feed}", 20),
    Text(420, 500, 24, _reprint, 12),
    Text(30, 612, 24, lambda lb: f"SERIAL (5J) {lb.serial}" if lb.serial else f"LABEL {lb.label_id}", 40),
    Code128(50, 644, 70, _serial("5J"), max_chars=21),
    Text(26, 730, 20, _title("SLOT   SEQ PART NO. / SERIAL"), 28),
    Slots(26, 756, RACK_SLOT_DOTS, 25, 47),  # 25 lines: 12 slots with their scans ([labels] traced), 25 without
    DataMatrix(482, 730, 3, rack_2d, RACK_DATAMATRIX),  # clear of the frame's inner edge (799) by its quiet zone
    Text(30, 1170, 20, lambda lb: lb.label_id, 40),
)


# -- rendering -----------------------------------------------------------------------------------------------
def label_comment(label: Label) -> str:
    """The ``^FX`` traceability comment; a comment ends at the next ``^`` or ``~``, so it is escaped too."""
    return f"^FXJIS label_id={fh_text(label.label_id, word=True)} reprint={label.reprint}"


_COMMENT = re.compile(r"JIS label_id=(\S*) reprint=(\d+)")


def parse_label_comment(comment: str) -> tuple[str, int] | None:
    """``(label_id, reprint)`` from a ``^FX`` comment written by ``label_comment``."""
    m = _COMMENT.fullmatch(comment.strip())
    return (unfh_text(m.group(1)), int(m.group(2))) if m else None


def _text(x: int, y: int, size: int, text: str) -> str:
    return f"^FO{x},{y}^A0N,{size},{size}^FH_^FD{fh_text(text)}^FS"


def _lines(x: int, y: int, size: int, lines: list[str]) -> str:
    return "\n".join(_text(x, y + i * size, size, line) for i, line in enumerate(lines))


def _render_element(element: Element[L], label: L) -> str:
    if isinstance(element, Box):
        return _fixed(element)
    if isinstance(element, Text):
        lines = wrap_words(element.text(label), element.max_chars, element.lines)
        return _lines(element.x, element.y, element.height, lines)
    if isinstance(element, Slots):
        contents: tuple[RackSlot, ...] = label.contents if isinstance(label, RackLabel) else ()
        lines = [line[: element.max_chars] for line in slot_lines(contents)[: element.lines]]
        return _lines(element.x, element.y, element.height, lines)
    if isinstance(element, Code128):
        raw = element.data(label)
        if not raw:
            return ""
        data = code128_data(raw, element.max_chars)
        return f"^FO{element.x},{element.y}^BY{element.module}^BCN,{element.height},N,N,N,N^FD{data}^FS"
    cols = element.columns
    data = datamatrix_data(element.data(label), columns=cols)
    return f"^FO{element.x},{element.y}^BXN,{element.module},200,{cols},{cols},,_^FD{data}^FS"


def _render(label: L, layout: tuple[Element[L], ...], size: tuple[int, int]) -> str:
    head = f"^XA\n{label_comment(label)}\n^CI28\n^PW{size[0]}\n^LL{size[1]}\n^LH0,0\n"
    parts = (e if isinstance(e, str) else _render_element(e, label) for e in _constant_parts(layout))
    body = "\n".join(part for part in parts if part)
    return f"{head}{body}\n^PQ1\n^XZ\n"


@lru_cache(maxsize=64)
def _constant_parts(layout: tuple[Element[L], ...]) -> tuple[Element[L] | str, ...]:
    """The layout with the elements that read nothing of the label (frames, rules, fixed titles) rendered once:
    the same ZPL on every label of the layout. The plant's templates and each partner's are a few layouts."""
    return tuple(_fixed(e) if isinstance(e, Box) or (isinstance(e, Text) and isinstance(e.text, _Title)) else e
                 for e in layout)  # fmt: skip


def _fixed(element: Box | Text[Any]) -> str:
    """What ``_render_element`` makes of a frame, a rule or a fixed title, for any label."""
    if isinstance(element, Box):
        return f"^FO{element.x},{element.y}^GB{element.width},{element.height},{element.thickness}^FS"
    assert isinstance(element.text, _Title)
    return _lines(element.x, element.y, element.height, wrap_words(element.text.text, element.max_chars, element.lines))


@dataclass(frozen=True, slots=True)
class Layouts:
    """The part and rack layouts a printer renders with (the built-in ones unless the plant file has its own), and
    per partner template (``[labels.partners.NAME]``) its own."""

    part: tuple[Element[PartLabel], ...] = PART_LAYOUT
    part_size: tuple[int, int] = PART_SIZE_DOTS
    rack: tuple[Element[RackLabel], ...] = RACK_LAYOUT
    rack_size: tuple[int, int] = RACK_SIZE_DOTS
    partners: tuple[tuple[str, Layouts], ...] = ()

    def of(self, template: str) -> Layouts:
        return next((layouts for name, layouts in self.partners if name == template), self)


BUILT_IN = Layouts()


def _value(field: str, prefix: str) -> Callable[[Any], str]:
    def value(label: Any) -> str:
        v = label_date(label) if field == "date" else getattr(label, field)
        if field == "reprint" or not str(v):
            return f"{prefix}{v}" if v else ""
        return f"{prefix}{v}"

    return value


def _element(el: LabelElement, kind: str) -> Any:
    """A plant-file element as a layout element (its field names were checked when the plant file loaded; a Data
    Matrix without ``columns`` gets them fixed by ``fit.fixed_columns`` before this)."""
    if el.kind == "box":
        return Box(el.x, el.y, el.width, el.height)
    if el.kind == "datamatrix":
        return DataMatrix(el.x, el.y, el.module, part_2d if kind == "part" else rack_2d, el.columns)
    if el.kind == "slots":
        return Slots(el.x, el.y, el.height, el.lines, el.max_chars)
    data = _value(el.field, el.prefix) if el.field else _title(el.title)
    if el.kind == "code128":
        return Code128(el.x, el.y, el.height, data, el.module, min(el.max_chars, 30))
    return Text(el.x, el.y, el.height, data, el.max_chars, el.lines)


def _own(base: Layouts, part: LabelLayout | None, rack: LabelLayout | None) -> Layouts:
    layouts = base
    if part is not None:
        elements = tuple(_element(e, "part") for e in part.elements)
        layouts = replace(layouts, part=elements, part_size=(part.width_dots, part.height_dots))
    if rack is not None:
        elements = tuple(_element(e, "rack") for e in rack.elements)
        layouts = replace(layouts, rack=elements, rack_size=(rack.width_dots, rack.height_dots))
    return layouts


def layouts_from_plant(templates: LabelTemplates) -> Layouts:
    """The plant file's label templates, falling back to the built-in layout for a kind it leaves out, and each
    partner's own (falling back to the plant's). The plant file's layouts were checked to fit when it loaded
    (``plc_io.zpl_labels.fit``), which also fixed every Data Matrix's size."""
    plant = _own(BUILT_IN, templates.part, templates.rack)
    partners = tuple((name, _own(plant, own.part, own.rack)) for name, own in templates.partners.items())
    return replace(plant, partners=partners)


def render_part_label(label: PartLabel, layouts: Layouts = BUILT_IN) -> str:
    own = layouts.of(label.template)
    return _render(label, own.part, own.part_size)


def render_rack_label(label: RackLabel, layouts: Layouts = BUILT_IN) -> str:
    own = layouts.of(label.template)
    return _render(label, own.rack, own.rack_size)


def render_label(label: Label, layouts: Layouts = BUILT_IN) -> str:
    """One complete ZPL II format for a part or rack label. Raises ``ZplDataError`` for unprintable barcodes."""
    if isinstance(label, PartLabel):
        return render_part_label(label, layouts)
    return render_rack_label(label, layouts)
