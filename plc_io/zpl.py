"""ZPL II for Zebra print engines (ZT600, ZE500): label rendering and the status codecs, all pure.

What it does: renders ``sequencer.labels`` part and rack labels to one ``^XA ... ^XZ`` format each (203 dpi,
``^CI28`` UTF-8), with field data that can never inject a command; parses and formats the ``~HS`` (host
status) and ``~HQES`` (error flags) answers. The simulator uses the same codecs, so both ends agree.
What it must not do: open sockets, read clocks, or know the job guarantee (that is ``plc_io.printer_zpl``).

Field data safety (ZPL II Programming Guide): ``^`` starts a format command and ``~`` a control command
anywhere in the stream, even inside ``^FD`` data. So:
  * text fields use ``^FH_`` and write ``^ ~ _ \\`` and control characters as ``_XX`` hex bytes;
  * Code 128 (``^BC``, mode N, subset B) writes ``^ > ~`` as the invocation codes ``>< >0 >=`` (guide,
    Table "Code 128 Invocation Characters") and takes printable ASCII only;
  * Data Matrix ECC 200 (``^BX``) sets its escape character to ``_`` explicitly (the default differs by
    firmware: ``_`` on V60.13.0.12, ``~`` elsewhere) and writes ``^ ~ _`` and the ISO 15434 separators as
    ``_dNNN`` code words, so neither ``^FH`` nor a prefix character is ever needed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any, Generic, TypeVar

from sequencer.labels import Label, PartLabel, RackLabel
from sequencer.plant import LabelElement, LabelTemplates

DOTS_PER_INCH = 203  # 8 dots/mm print heads (ZT610/ZE500 standard head)
PART_SIZE_DOTS = (812, 609)  # 4 x 3 in
RACK_SIZE_DOTS = (812, 1218)  # 4 x 6 in, AIAG B-10 shipping label size
BARCODE_ALPHABET = frozenset(chr(c) for c in range(0x20, 0x7F))  # printable ASCII: what any decoder reads back


class ZplDataError(ValueError):
    """Label data a barcode cannot carry (non-ASCII, too long): refused before it reaches a printer."""


class ZplStatusError(ValueError):
    """A status answer that does not match the Zebra manual's layout."""


# -- field data encoders ----------------------------------------------------------------------------------
_HEX_ESCAPED = frozenset("^~_\\") | {chr(c) for c in (*range(0x20), 0x7F)}
_CODE128_INVOCATION = {"^": "><", ">": ">0", "~": ">="}
_DATAMATRIX_ESCAPED = frozenset("^~_") | {chr(c) for c in (*range(0x20), 0x7F)}


def fh_text(text: str, *, word: bool = False) -> str:
    """Field data for ``^FH_``: unsafe characters become ``_XX`` (their UTF-8 bytes in hex).

    ``word=True`` also escapes white space and ``=``, for a value inside a ``key=value`` comment.
    """
    clean = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be sent
    return "".join(_hex(ch) if ch in _HEX_ESCAPED or (word and (ch.isspace() or ch == "=")) else ch for ch in clean)


def _hex(ch: str) -> str:
    return "".join(f"_{b:02X}" for b in ch.encode())


def unfh_text(data: str) -> str:
    """What the printer makes of ``^FH_`` data: ``_XX`` back to bytes, then UTF-8 (``^CI28``)."""
    raw = bytearray()
    i = 0
    while i < len(data):
        if data[i] == "_" and re.fullmatch(r"[0-9A-Fa-f]{2}", data[i + 1 : i + 3]):
            raw.append(int(data[i + 1 : i + 3], 16))
            i += 3
        else:
            raw += data[i].encode()
            i += 1
    return raw.decode("utf-8", "replace")


def _check_barcode(data: str, max_chars: int) -> None:
    bad = sorted(set(data) - BARCODE_ALPHABET)
    if bad:
        raise ZplDataError(f"barcode data {data!r} has characters no barcode decoder returns: {bad!r}")
    if len(data) > max_chars:
        raise ZplDataError(f"barcode data {data!r} is longer than {max_chars} characters")


def code128_data(data: str, max_chars: int = 30) -> str:
    """``^BC`` mode-N field data: start code B (``>:``) then the data with ``^ > ~`` as invocation codes."""
    _check_barcode(data, max_chars)
    return ">:" + "".join(_CODE128_INVOCATION.get(ch, ch) for ch in data)


def uncode128_data(data: str) -> str:
    """The characters a scanner reads from ``code128_data`` output (subset B only)."""
    body = data.removeprefix(">:")
    decode = {v: k for k, v in _CODE128_INVOCATION.items()}
    out, i = [], 0
    while i < len(body):
        pair = body[i : i + 2]
        out.append(decode.get(pair, body[i]))
        i += 2 if pair in decode else 1
    return "".join(out)


def datamatrix_data(data: str, max_chars: int = 400) -> str:
    """``^BX`` ECC 200 field data with ``_`` as its escape character: ``_dNNN`` for the unsafe characters."""
    _check_barcode(data.translate(_ISO15434_PRINTABLE), max_chars)
    return "".join(f"_d{ord(ch):03d}" if ch in _DATAMATRIX_ESCAPED else ch for ch in data)


def undatamatrix_data(data: str) -> str:
    return re.sub(r"_d(\d{3})", lambda m: chr(int(m.group(1))), data)


# ISO/IEC 15434 format 06 envelope (AIAG B-4/B-17 2D labels): [)> RS 06 GS field GS field ... RS EOT.
RS, GS, EOT = "\x1e", "\x1d", "\x04"
_ISO15434_PRINTABLE = str.maketrans({RS: " ", GS: " ", EOT: " "})


def iso15434(fields_: tuple[tuple[str, str], ...]) -> str:
    """Data identifier + value pairs in a format 06 envelope (the data identifiers are ANSI MH10.8.2)."""
    return f"[)>{RS}06{GS}" + GS.join(di + value for di, value in fields_) + f"{RS}{EOT}"


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
    # P customer part no., I vehicle identification, S serial (our label id), K the OEM sequence no.
    return iso15434((("P", label.part), ("I", label.vehicle_id), ("S", label.label_id), ("K", str(label.seq))))


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


# -- ~HS host status ---------------------------------------------------------------------------------------
STX, ETX = b"\x02", b"\x03"


@dataclass(frozen=True, slots=True, kw_only=True)
class HostStatus:
    """The fields of the three ``~HS`` strings (ZPL II Programming Guide, ``~HS``); names follow the manual."""

    # string 1: aaa,b,c,dddd,eee,f,g,h,iii,j,k,l
    interface: str = "030"
    paper_out: bool = False
    paused: bool = False
    label_length_dots: int = 0
    formats_in_buffer: int = 0
    buffer_full: bool = False
    diagnostic_mode: bool = False
    partial_format: bool = False
    corrupt_ram: bool = False
    under_temperature: bool = False
    over_temperature: bool = False
    # string 2: mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www
    function_settings: str = "000"
    head_up: bool = False
    ribbon_out: bool = False
    thermal_transfer: bool = False
    print_mode: int = 0
    print_width_mode: int = 0
    label_waiting: bool = False
    labels_remaining: int = 0
    graphics_stored: int = 0
    # string 3: xxxx,y
    password: str = "1234"
    static_ram: bool = False

    @property
    def faults(self) -> tuple[str, ...]:
        """The flags that stop printing, in the plant's words."""
        return tuple(name for attr, name in FAULT_FLAGS if getattr(self, attr))

    @property
    def holds_job(self) -> bool:
        """A complete format is waiting or printing."""
        return self.formats_in_buffer > 0 or self.labels_remaining > 0

    @property
    def drained(self) -> bool:
        """Nothing waiting, printing or half-received: every format sent so far has printed."""
        return not (self.holds_job or self.partial_format)


FAULT_FLAGS = (
    ("paper_out", "paper out"),
    ("paused", "paused"),
    ("head_up", "head open"),
    ("ribbon_out", "ribbon out"),
    ("over_temperature", "head over temperature"),
    ("corrupt_ram", "configuration lost"),
)

# (string, position, attribute, digits) per the manual's layout; digits 0 = a flag, else a zero-padded number.
_HS_LAYOUT: tuple[tuple[int, int, str, int], ...] = (
    (0, 0, "interface", 3), (0, 1, "paper_out", 0), (0, 2, "paused", 0), (0, 3, "label_length_dots", 4),
    (0, 4, "formats_in_buffer", 3), (0, 5, "buffer_full", 0), (0, 6, "diagnostic_mode", 0),
    (0, 7, "partial_format", 0), (0, 9, "corrupt_ram", 0), (0, 10, "under_temperature", 0),
    (0, 11, "over_temperature", 0),
    (1, 0, "function_settings", 3), (1, 2, "head_up", 0), (1, 3, "ribbon_out", 0), (1, 4, "thermal_transfer", 0),
    (1, 5, "print_mode", 1), (1, 6, "print_width_mode", 1), (1, 7, "label_waiting", 0),
    (1, 8, "labels_remaining", 8), (1, 10, "graphics_stored", 3),
    (2, 0, "password", 4), (2, 1, "static_ram", 0),
)  # fmt: skip
_HS_FIELD_COUNTS = (12, 11, 2)
_HS_FIXED = {(0, 8): "000", (1, 1): "0", (1, 9): "1"}  # unused (always 000), unused, format-while-printing (1)


def split_frames(data: bytes) -> list[bytes]:
    """The payloads of every complete ``<STX>...<ETX>`` frame in ``data``."""
    return re.findall(rb"\x02([^\x02\x03]*)\x03", data)


def _decode_field(text: str, attr: str) -> str | int | bool:
    kind = {f.name: f.type for f in fields(HostStatus)}[attr]
    if kind == "str":
        return text
    if not text.isdigit():
        raise ZplStatusError(f"~HS field {attr} is not a number: {text!r}")
    return text == "1" if kind == "bool" else int(text)


def parse_host_status(data: bytes) -> HostStatus:
    """Parse the three ``~HS`` strings (``<STX>...<ETX><CR><LF>`` each)."""
    frames = split_frames(data)
    if len(frames) != 3:
        raise ZplStatusError(f"~HS answer has {len(frames)} strings, not 3: {data!r}")
    parts = [frame.decode("ascii", "replace").split(",") for frame in frames]
    for i, (got, want) in enumerate(zip(parts, _HS_FIELD_COUNTS, strict=True)):
        if len(got) != want:
            raise ZplStatusError(f"~HS string {i + 1} has {len(got)} fields, not {want}: {frames[i]!r}")
    values = {attr: _decode_field(parts[s][p].strip(), attr) for s, p, attr, _ in _HS_LAYOUT}
    return HostStatus(**values)  # type: ignore[arg-type]  # types checked per field above


def format_host_status(status: HostStatus) -> bytes:
    """The printer's side: the three ``~HS`` strings for ``status``."""
    cells = [["0"] * n for n in _HS_FIELD_COUNTS]
    for (s, p), value in _HS_FIXED.items():
        cells[s][p] = value
    for s, p, attr, digits in _HS_LAYOUT:
        value = getattr(status, attr)
        cells[s][p] = value if isinstance(value, str) else f"{int(value):0{max(digits, 1)}d}"
    return b"".join(STX + ",".join(row).encode() + ETX + b"\r\n" for row in cells)


# -- ~HQES error flags --------------------------------------------------------------------------------------
ERROR_FLAGS = (
    (0x01, "media out"),
    (0x02, "ribbon out"),
    (0x04, "head open"),
    (0x08, "cutter fault"),
    (0x10, "printhead over temperature"),
    (0x20, "motor over temperature"),
    (0x40, "bad printhead element"),
    (0x80, "printhead detection error"),
)
_HQES = re.compile(rb"ERRORS:\s+([01])\s+([0-9A-Fa-f]{8})\s+([0-9A-Fa-f]{8})")


def error_names(mask: int) -> tuple[str, ...]:
    return tuple(name for bit, name in ERROR_FLAGS if mask & bit)


def parse_error_status(data: bytes) -> int:
    """The error bitmask (nibbles 1-8, group 1) of a ``~HQES`` answer; 0 when the error flag is 0."""
    m = _HQES.search(data)
    if m is None:
        raise ZplStatusError(f"not a ~HQES answer: {data!r}")
    return int(m.group(3), 16) if m.group(1) == b"1" else 0


def format_error_status(errors: int, warnings: int = 0) -> bytes:
    """The printer's side: one ``~HQES`` frame as a Zebra prints it (manual, ``~HQ`` example)."""
    err = f"{int(errors != 0)} 00000000 {errors:08X}"
    warn = f"{int(warnings != 0)} 00000000 {warnings:08X}"
    text = f"\r\nPRINTER STATUS\r\n   ERRORS:         {err}\r\n   WARNINGS:       {warn}\r\n"
    return STX + text.encode() + ETX + b"\r\n"
