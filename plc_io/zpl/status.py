"""ZPL II printer status: the host status and error flags of a Zebra print engine, as asked on either port.

What it does: parses and formats the answers, so the driver (``plc_io.zpl.printer``) and the simulator
(``hardware_sims.zpl_printer``) agree on every field; all pure. On the raw print port (9100) the questions are the
ZPL control commands ``~HS`` (host status: three ``<STX>...<ETX><CR><LF>`` strings) and ``~HQES`` (error flags);
on the JSON status port (9200) they are the same facts as SGD getvars in JSON, ``device.host_status`` (the ``~HS``
strings without STX/ETX) and ``zpl.system_error`` (the error recording of ``~HQES``). One status poll asks the
error flags first and the host status second, on one connection (``ZPL_POLL``, ``JSON_POLL``): a Zebra answers the
error flags always and the host status not at all while media out, ribbon out or head open, so a poll whose host
status does not come still names the cause, within the same time-out (``StatusPoll``). Label rendering is
``plc_io.zpl_labels.layouts``'s.
What it must not do: open sockets, read clocks, or know the job guarantee (that is ``plc_io.zpl.printer``).
"""

from __future__ import annotations

import json
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


def _host_status(strings: list[str]) -> HostStatus:
    """The fields of the three host status strings, checked against the manual's layout."""
    if len(strings) != 3:
        raise ZplStatusError(f"host status has {len(strings)} strings, not 3: {strings!r}")
    parts = [string.split(",") for string in strings]
    for i, (got, want) in enumerate(zip(parts, _HS_FIELD_COUNTS, strict=True)):
        if len(got) != want:
            raise ZplStatusError(f"host status string {i + 1} has {len(got)} fields, not {want}: {strings[i]!r}")
    values = {attr: _decode_field(parts[s][p].strip(), attr) for s, p, attr, _ in _HS_LAYOUT}
    return HostStatus(**values)  # type: ignore[arg-type]  # types checked per field above


def parse_host_status(data: bytes) -> HostStatus:
    """Parse the three ``~HS`` strings (``<STX>...<ETX><CR><LF>`` each)."""
    return _host_status([frame.decode("ascii", "replace") for frame in split_frames(data)])


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


# -- the same facts as SGD getvars in JSON (the status port, 9200) ------------------------------------------
HOST_STATUS_SGD = "device.host_status"  # "similar to the ~HS ZPL command" (Programming Guide, SGD reference)
SYSTEM_ERROR_SGD = "zpl.system_error"  # "equivalent to the error recording of ~HQES" (Programming Guide, SGD)


def json_getvar(*names: str) -> bytes:
    """One JSON getvar per name, in order: ``{}{"name":null}`` (Programming Guide, "JSON")."""
    return b"".join(b"{}" + json.dumps({name: None}, separators=(",", ":")).encode() for name in names)


def json_answers(data: bytes) -> dict[str, object]:
    """Every complete JSON object in ``data`` (a printer's answers, one after another), merged; an object still
    arriving is left out. Raises ``ZplStatusError`` for an answer that is not a JSON object."""
    text, decoder, pos = data.decode("utf-8", "replace"), json.JSONDecoder(), 0
    merged: dict[str, object] = {}
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            return merged
        try:
            answer, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return merged  # the rest is still on the wire (or never comes: the caller's time-out decides)
        if not isinstance(answer, dict):
            raise ZplStatusError(f"JSON answer is not an object: {answer!r}")
        merged.update(answer)


def parse_host_status_sgd(value: object) -> HostStatus:
    """``device.host_status``: the three ``~HS`` strings without STX/ETX, the first two ending CR/LF."""
    if not isinstance(value, str):
        raise ZplStatusError(f"{HOST_STATUS_SGD} is not a string: {value!r}")
    return _host_status(value.splitlines())


def format_host_status_sgd(status: HostStatus) -> str:
    """The printer's side of ``device.host_status``."""
    return "\r\n".join(frame.decode("ascii") for frame in split_frames(format_host_status(status)))


def parse_system_error(value: object) -> int:
    """``zpl.system_error`` ("flag, error flag, Group 2, Group 1", e.g. ``"1,1,00000000,00000004"``): the error
    bitmask (Group 1, the ``~HQES`` nibbles 1-8); 0 when the error flag is 0."""
    parts = value.split(",") if isinstance(value, str) else []
    if len(parts) != 4 or parts[1] not in ("0", "1") or not re.fullmatch(r"[0-9A-Fa-f]{8}", parts[3]):
        raise ZplStatusError(f"not a {SYSTEM_ERROR_SGD} value: {value!r}")
    return int(parts[3], 16) if parts[1] == "1" else 0


def format_system_error(errors: int, *, paused: bool = False) -> str:
    """The printer's side of ``zpl.system_error`` (the manual's example puts the pause state first)."""
    return f"{int(paused)},{int(errors != 0)},00000000,{errors:08X}"


# -- one status poll: the error flags, then the host status, on one connection ------------------------------
ZPL_POLL = ERROR_STATUS + HOST_STATUS  # on the print port: ~HQES is answered always, ~HS not in the five faults
JSON_POLL = json_getvar(SYSTEM_ERROR_SGD, HOST_STATUS_SGD)  # on the JSON status port, the same two questions


@dataclass(frozen=True, slots=True)
class StatusPoll:
    """What a status poll has heard so far: the error bitmask and the host status, None where not (yet) answered
    (or, for the flags, answered with something other than flags: a firmware without the query says so and is
    still a printer that answers); ``unreadable`` when the host status answer is not what was asked."""

    errors: int | None = None
    host: HostStatus | None = None
    unreadable: bool = False

    @property
    def complete(self) -> bool:
        """The host status is in (or unreadable): asked second, so the flags' answer, if any, came before it."""
        return self.host is not None or self.unreadable


def read_zpl_poll(data: bytes) -> StatusPoll:
    """The answers to ``ZPL_POLL`` in ``data`` so far: the ``~HQES`` frame, then the three ``~HS`` strings (or only
    those, from a printer that ignores ``~HQES``)."""
    frames = [frame.decode("ascii", "replace") for frame in split_frames(data)]
    try:
        errors: int | None = parse_error_status(frames[0].encode()) if frames else None
    except ZplStatusError:
        errors = None
    strings = frames[1:4] if errors is not None else frames[:3]
    if len(strings) < 3:
        return StatusPoll(errors)
    try:
        return StatusPoll(errors, _host_status(strings))
    except ZplStatusError:
        return StatusPoll(errors, unreadable=True)


def read_json_poll(data: bytes) -> StatusPoll:
    """The answers to ``JSON_POLL`` in ``data`` so far, whichever came."""
    try:
        answers = json_answers(data)
    except ZplStatusError:
        return StatusPoll(unreadable=True)
    try:
        errors: int | None = parse_system_error(answers.get(SYSTEM_ERROR_SGD))
    except ZplStatusError:
        errors = None
    if HOST_STATUS_SGD not in answers:
        return StatusPoll(errors)
    try:
        return StatusPoll(errors, parse_host_status_sgd(answers[HOST_STATUS_SGD]))
    except ZplStatusError:
        return StatusPoll(errors, unreadable=True)
