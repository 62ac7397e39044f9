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
from typing import Any, Generic, TypeVar

from plc_io.zpl_labels.fields import code128_data, datamatrix_data, fh_text, iso15434, unfh_text
from sequencer.labels import Label, PartLabel, RackLabel
from sequencer.plant import LabelElement, LabelTemplates

DOTS_PER_INCH = 203  # 8 dots/mm print heads (ZT610/ZE500 standard head)
PART_SIZE_DOTS = (4 * DOTS_PER_INCH, 3 * DOTS_PER_INCH)  # 4 x 3 in: 812 x 609 dots
RACK_SIZE_DOTS = (4 * DOTS_PER_INCH, 6 * DOTS_PER_INCH)  # 4 x 6 in, AIAG B-10 shipping label size: 812 x 1218 dots


# -- layouts as data -----------------------------------------------------------------------------------------
L = TypeVar("L", PartLabel, RackLabel)


@dataclass(frozen=True, slots=True)
class Text(Generic[L]):
    """Human-readable field in font 0; ``text`` returning "" leaves the field out."""

    x: int
    y: int
    height: int
    text: Callable[[L], str]
    max_chars: int = 40


@dataclass(frozen=True, slots=True)
class Code128(Generic[L]):
    x: int
    y: int
    height: int
    data: Callable[[L], str]
    module: int = 2
    max_chars: int = 30


@dataclass(frozen=True, slots=True)
class DataMatrix(Generic[L]):
    x: int
    y: int
    module: int
    data: Callable[[L], str]


@dataclass(frozen=True, slots=True)
class Box:
    x: int
    y: int
    width: int
    height: int
    thickness: int = 3


def _title(text: str) -> Callable[[Label], str]:
    return lambda _label: text


def _reprint(label: Label) -> str:
    return f"REPRINT {label.reprint}" if label.reprint else ""


def _part_2d(label: PartLabel) -> str:
    # P customer part no., I vehicle identification, S serial (our label id), K the OEM sequence no., Q quantity
    fields = (("P", label.part), ("I", label.vehicle_id), ("S", label.label_id), ("K", str(label.seq)))
    return iso15434((*fields, ("Q", str(label.qty))))


PART_LAYOUT: tuple[Text[PartLabel] | Code128[PartLabel] | DataMatrix[PartLabel] | Box, ...] = (
    Text(30, 20, 28, _title("SEQ")),
    Text(30, 55, 110, lambda lb: str(lb.seq), 10),
    Code128(330, 25, 80, lambda lb: str(lb.seq)),
    Text(330, 150, 30, _reprint),
    Text(30, 185, 28, _title("PART NO. (P)")),
    Text(30, 215, 50, lambda lb: lb.part, 30),
    Code128(30, 275, 70, lambda lb: "P" + lb.part),
    Text(30, 385, 28, _title("VIN (I)")),
    Text(160, 380, 36, lambda lb: lb.vehicle_id, 24),
    Code128(30, 425, 60, lambda lb: "I" + lb.vehicle_id),
    DataMatrix(620, 200, 5, _part_2d),
    Text(30, 525, 30, lambda lb: lb.description, 44),
    Text(30, 565, 26, lambda lb: f"{lb.family}  RACK {lb.rack_no}  SLOT {lb.slot}  {lb.feed}  {lb.plant}", 60),
    Text(620, 345, 22, lambda lb: lb.label_id, 16),
    Text(620, 385, 28, _title("QTY (Q)")),
    Text(620, 420, 70, lambda lb: str(lb.qty), 4),
)

RACK_LAYOUT: tuple[Text[RackLabel] | Code128[RackLabel] | DataMatrix[RackLabel] | Box, ...] = (
    Box(20, 20, 772, 1178),
    Box(20, 220, 772, 0),
    Box(20, 520, 772, 0),
    Box(406, 520, 0, 300),
    Box(20, 820, 772, 0),
    Box(20, 1020, 772, 0),
    Text(40, 40, 28, _title("PLANT")),
    Text(40, 90, 60, lambda lb: lb.plant, 10),
    Text(320, 40, 28, _title("LINE")),
    Text(320, 90, 60, lambda lb: lb.line, 8),
    Text(560, 40, 28, _title("DOCK")),
    Text(560, 90, 60, lambda lb: lb.dock, 7),
    Text(40, 240, 28, _title("RACK NO.")),
    Text(40, 290, 160, lambda lb: str(lb.rack_no), 6),
    Code128(420, 290, 150, lambda lb: str(lb.rack_no), module=3, max_chars=10),
    Text(40, 540, 28, _title("FIRST SEQ")),
    Text(40, 580, 80, lambda lb: str(lb.low_seq), 8),
    Code128(40, 680, 100, lambda lb: str(lb.low_seq), max_chars=12),
    Text(426, 540, 28, _title("LAST SEQ")),
    Text(426, 580, 80, lambda lb: str(lb.high_seq), 8),
    Code128(426, 680, 100, lambda lb: str(lb.high_seq), max_chars=12),
    Text(40, 840, 28, _title("FAMILY")),
    Text(40, 890, 70, lambda lb: lb.family, 14),
    Text(560, 840, 28, _title("QTY (Q)")),
    Text(560, 890, 70, lambda lb: str(lb.slots), 4),
    Text(40, 1040, 30, lambda lb: f"FEED {lb.feed}", 30),
    Text(40, 1090, 30, lambda lb: lb.label_id, 40),
    Text(480, 1120, 50, _reprint),
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


def _render_element(element: Text[L] | Code128[L] | DataMatrix[L] | Box, label: L) -> str:
    if isinstance(element, Box):
        return f"^FO{element.x},{element.y}^GB{element.width},{element.height},{element.thickness}^FS"
    if isinstance(element, Text):
        text = element.text(label)[: element.max_chars]
        size = element.height
        return f"^FO{element.x},{element.y}^A0N,{size},{size}^FH_^FD{fh_text(text)}^FS" if text else ""
    if isinstance(element, Code128):
        data = code128_data(element.data(label), element.max_chars)
        return f"^FO{element.x},{element.y}^BY{element.module}^BCN,{element.height},Y,N,N,N^FD{data}^FS"
    data = datamatrix_data(element.data(label))
    return f"^FO{element.x},{element.y}^BXN,{element.module},200,,,,_^FD{data}^FS"


def _render(label: L, layout: tuple[Text[L] | Code128[L] | DataMatrix[L] | Box, ...], size: tuple[int, int]) -> str:
    head = f"^XA\n{label_comment(label)}\n^CI28\n^PW{size[0]}\n^LL{size[1]}\n^LH0,0\n"
    body = "\n".join(part for part in (_render_element(e, label) for e in layout) if part)
    return f"{head}{body}\n^PQ1\n^XZ\n"


@dataclass(frozen=True, slots=True)
class Layouts:
    """The part and rack layouts a printer renders with (the built-in ones unless the plant file has its own)."""

    part: tuple[Text[PartLabel] | Code128[PartLabel] | DataMatrix[PartLabel] | Box, ...] = PART_LAYOUT
    part_size: tuple[int, int] = PART_SIZE_DOTS
    rack: tuple[Text[RackLabel] | Code128[RackLabel] | DataMatrix[RackLabel] | Box, ...] = RACK_LAYOUT
    rack_size: tuple[int, int] = RACK_SIZE_DOTS


BUILT_IN = Layouts()


def _value(field: str, prefix: str) -> Callable[[Any], str]:
    def value(label: Any) -> str:
        v = getattr(label, field)
        if field == "reprint":
            return f"{prefix}{v}" if v else ""
        return f"{prefix}{v}"

    return value


def _element(el: LabelElement) -> Any:
    """A plant-file element as a layout element (its field names were checked when the plant file loaded)."""
    if el.kind == "box":
        return Box(el.x, el.y, el.width, el.height)
    if el.kind == "datamatrix":
        return DataMatrix(el.x, el.y, el.module, _part_2d)
    data = _value(el.field, el.prefix) if el.field else _title(el.title)
    if el.kind == "code128":
        return Code128(el.x, el.y, el.height, data, el.module, min(el.max_chars, 30))
    return Text(el.x, el.y, el.height, data, el.max_chars)


def layouts_from_plant(templates: LabelTemplates) -> Layouts:
    """The plant file's label templates, falling back to the built-in layout for a kind it leaves out."""
    layouts = BUILT_IN
    if templates.part is not None:
        part = tuple(_element(e) for e in templates.part.elements)
        layouts = replace(layouts, part=part, part_size=(templates.part.width_dots, templates.part.height_dots))
    if templates.rack is not None:
        rack = tuple(_element(e) for e in templates.rack.elements)
        layouts = replace(layouts, rack=rack, rack_size=(templates.rack.width_dots, templates.rack.height_dots))
    return layouts


def render_part_label(label: PartLabel, layouts: Layouts = BUILT_IN) -> str:
    return _render(label, layouts.part, layouts.part_size)


def render_rack_label(label: RackLabel, layouts: Layouts = BUILT_IN) -> str:
    return _render(label, layouts.rack, layouts.rack_size)


def render_label(label: Label, layouts: Layouts = BUILT_IN) -> str:
    """One complete ZPL II format for a part or rack label. Raises ``ZplDataError`` for unprintable barcodes."""
    if isinstance(label, PartLabel):
        return render_part_label(label, layouts)
    return render_rack_label(label, layouts)
