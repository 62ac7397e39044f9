"""ZPL II printer status: the ``~HS`` (host status) and ``~HQES`` (error flags) answers of a Zebra print engine.

What it does: parses and formats both answers, so the driver (``plc_io.zpl.printer``) and the simulator
(``hardware_sims.zpl_printer``) agree on every field; all pure. Label rendering is ``plc_io.zpl_labels.layouts``'s.
What it must not do: open sockets, read clocks, or know the job guarantee (that is ``plc_io.zpl.printer``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields


class ZplStatusError(ValueError):
    """A status answer that does not match the Zebra manual's layout."""


# -- ~HS host status ---------------------------------------------------------------------------------------
HOST_STATUS, ERROR_STATUS = b"~HS", b"~HQES"  # the queries (ZPL II Programming Guide: ~HS, ~HQ with ES)
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
