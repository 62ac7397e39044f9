"""Fixed-length VDA-style JIS call-off records (VDA 4916, where a partner still sends them) -> canonical broadcasts.

VDA 4916 is the old German production-synchronous call-off in the VDA fixed-record style (128-character records,
the record type in positions 1-3, like VDA 4905's 511-519). It is superseded by VDA 4986 (EDIFACT DELJIT, see
``deljit.py``), and every partner that still sends it has its own flavour, so the layout is DATA: a
``VdaMapping`` (record type -> role and field -> (start, length, type), positions 1-based as VDA record
descriptions count them), loadable from TOML with ``mapping_from_dict``. ``DEFAULT_MAPPING`` is our own layout
in that style (header 661, vehicle 662, part 663, trailer 669), documented in docs/message-formats.md; it is not
copied from the VDA text: put a partner's real positions in its TOML.

Records may come one per line (CR/LF; trailing blanks trimmed by the partner's tools are padded back) or as one
unbroken stream of 128-character records. A vehicle record and the part records after it are one message.
A mapping is checked when it is loaded: a field name a role does not know (a misspelling) is refused naming it
and the valid ones, and ``MappingError`` reads one line per error (key path: message), never a pydantic dump.

Recovery is per vehicle: a broken record (bad type, wrong length, a control character) costs the vehicle that
holds it; in an unbroken stream a lost or extra byte is resynchronised at the next place where two records in a
row have known types. NUL / blank padding or an end-of-file mark (^Z) after the last record is ignored.

Pure and streaming (``iter_vda`` over a ``Source``, one vehicle held at a time); never raises for bad input.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, BinaryIO, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.feed.formats.canonical import (
    ENVELOPE,
    PLAIN,
    CanonicalBroadcast,
    Finish,
    Function,
    InterchangeRegistry,
    Item,
    ParseResult,
    PartCall,
    Problem,
    StreamInfo,
    collect,
    epoch_seconds,
    interchange_key,
    is_digits,
    parse_qty,
)
from app.feed.formats.source import InMemory, Source, only_padding

Role = Literal["header", "vehicle", "part", "trailer"]
_BOM = "\xef\xbb\xbf"  # the UTF-8 byte-order mark, read as Latin-1
FieldType = Literal["str", "int", "date", "time"]

# What each role must be able to read, whatever the partner's layout.
REQUIRED_FIELDS: dict[Role, tuple[str, ...]] = {
    "header": ("partner", "transfer"),
    "vehicle": ("seq", "vehicle_id", "function"),
    "part": ("part",),
    "trailer": (),
}
# Every field a role may name (the parser reads these; "version", "supplier", "transfer_old", "unit" are
# carried for the partner's own description). Anything else is a misspelling and refused at load.
KNOWN_FIELDS: dict[Role, tuple[str, ...]] = {
    "header": ("partner", "transfer", "date", "time", "test", "version", "supplier", "transfer_old"),
    "vehicle": (
        "seq", "vehicle_id", "function", "call_type", "required_date", "required_time", "unloading_point",
        "line", "reporting_point", "call_off", "version",
    ),
    "part": ("part", "qty", "unit", "version"),
    "trailer": ("vehicles", "parts", "version"),
}  # fmt: skip


class MappingError(ValueError):
    """A VDA mapping that cannot be used: one readable line per error (key path: message)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors

    def lines(self) -> str:
        return "\n".join(self.errors)


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Config):
    start: int = Field(ge=4, description="1-based position; 1-3 is the record type")
    length: int = Field(ge=1)
    type: FieldType = "str"

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, data: Any) -> Any:
        # TOML shorthand: seq = [6, 6, "int"]
        if isinstance(data, list | tuple):
            return dict(zip(("start", "length", "type"), data, strict=False))
        return data


class RecordSpec(_Config):
    role: Role
    fields: dict[str, FieldSpec]


class VdaMapping(_Config):
    record_length: int = Field(default=128, ge=8, le=4096)
    records: dict[str, RecordSpec]
    functions: dict[str, tuple[Function, bool]] = Field(description="vehicle 'function' code -> (function, firm)")
    call_types: dict[str, bool] = Field(default_factory=dict, description="'call_type' code -> firm")
    test_codes: tuple[str, ...] = Field(default=("T",), description="header 'test' values that mark a test")
    test_indicator: Literal["refuse", "accept"] = "refuse"

    @model_validator(mode="after")
    def _complete(self) -> VdaMapping:
        for rtype, spec in self.records.items():
            unknown = [f for f in spec.fields if f not in KNOWN_FIELDS[spec.role]]
            if unknown:
                valid = ", ".join(KNOWN_FIELDS[spec.role])
                raise ValueError(
                    f"record {rtype} ({spec.role}): unknown field(s) {', '.join(unknown)} (valid: {valid})"
                )
        for role, needed in REQUIRED_FIELDS.items():
            specs = [r for r in self.records.values() if r.role == role]
            if len(specs) != 1:
                raise ValueError(f"exactly one record type must have role {role!r}, found {len(specs)}")
            missing = [f for f in needed if f not in specs[0].fields]
            if missing:
                raise ValueError(f"the {role} record lacks field(s) {', '.join(missing)}")
        for rtype, spec in self.records.items():
            if len(rtype) != 3:
                raise ValueError(f"record type {rtype!r} must be 3 characters")
            for name, f in spec.fields.items():
                if f.start + f.length - 1 > self.record_length:
                    raise ValueError(f"record {rtype} field {name} ends past position {self.record_length}")
        return self

    def role_of(self, role: Role) -> str:
        return next(t for t, r in self.records.items() if r.role == role)


def mapping_from_dict(data: Mapping[str, Any]) -> VdaMapping:
    """A partner's mapping from TOML data (``tomllib.load``); ``MappingError`` names every wrong key."""
    try:
        return VdaMapping.model_validate(dict(data))
    except ValidationError as exc:
        raise MappingError([_readable(err) for err in exc.errors()]) from None


def _readable(err: Any) -> str:
    """One pydantic error as 'key.path: message' (an unknown key names the valid ones)."""
    loc = [str(x) for x in err["loc"] if x not in ("function-after[_complete()]",)]
    path = ".".join(loc) or "mapping"
    if err["type"] == "extra_forbidden":
        models: dict[int, type[BaseModel]] = {1: VdaMapping, 3: RecordSpec}
        model = models.get(len(loc), FieldSpec if len(loc) > 3 else VdaMapping)
        return f"{path}: unknown key (valid: {', '.join(model.model_fields)})"
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"{path}: {message}"


DEFAULT_MAPPING_DATA: dict[str, Any] = {
    "record_length": 128,
    "records": {
        "661": {
            "role": "header",
            "fields": {
                "version": [4, 2],
                "partner": [6, 9],  # customer (sender) number
                "supplier": [15, 9],
                "transfer_old": [24, 5],  # VDA transmission numbers old/new, as in VDA 4905 record 511
                "transfer": [29, 5],
                "date": [34, 6, "date"],
                "time": [40, 4, "time"],
            },
        },
        "662": {
            "role": "vehicle",
            "fields": {
                "version": [4, 2],
                "seq": [6, 6, "int"],
                "vehicle_id": [12, 17],
                "function": [29, 1],
                "call_type": [30, 1],
                "required_date": [31, 8, "date"],
                "required_time": [39, 4, "time"],
                "unloading_point": [43, 5],
                "line": [48, 3],
                "reporting_point": [51, 4],
                "call_off": [55, 8],
            },
        },
        "663": {"role": "part", "fields": {"version": [4, 2], "part": [6, 22], "qty": [28, 9, "int"], "unit": [37, 2]}},
        "669": {"role": "trailer", "fields": {"version": [4, 2], "vehicles": [6, 7, "int"], "parts": [13, 7, "int"]}},
    },
    # N new, A Aenderung (change), S Storno (cancel), H hold, F Freigabe (release)
    "functions": {
        "N": ["original", True],
        "A": ["change", True],
        "S": ["cancel", True],
        "H": ["hold", True],
        "F": ["release", True],
    },
    "call_types": {"J": True, "P": False, " ": True},  # J JIS call (firm), P Prognose (forecast)
}
DEFAULT_MAPPING = mapping_from_dict(DEFAULT_MAPPING_DATA)


class _Bad(Exception):
    pass


@dataclass(frozen=True)
class _Record:
    start: int
    end: int
    text: str
    bad: str = ""  # why this stretch is no usable record
    role: str = ""  # the role it reads as when its type says otherwise (a damaged type)

    @property
    def type(self) -> str:
        return self.text[:3]


@dataclass
class _Vehicle:
    record: _Record
    parts: list[_Record] = field(default_factory=list)
    broken: str = ""

    @property
    def end(self) -> int:
        return self.parts[-1].end if self.parts else self.record.end


@dataclass
class _State:
    source: Source
    zone: tzinfo
    mapping: VdaMapping
    registry: InterchangeRegistry
    info: StreamInfo
    finish: Finish = PLAIN
    out: list[Item] = field(default_factory=list)
    header: _Record | None = None
    header_raw: bytes = b""
    key: str = ""
    partner: str = ""
    transfer: str = ""
    sent_at: float | None = None
    test: bool = False
    vehicle: _Vehicle | None = None
    vehicles: int = 0
    parts: int = 0
    troubled: bool = False
    duplicate: bool = False
    count: int = 0

    def problem(self, index: int, reason: str, start: int, end: int) -> None:
        self.troubled = True
        self.out.append(Problem(index, reason, self.source.bytes(start, end)))


_CONTROL = re.compile("[\x00-\x1f\x7f]")


def looks_like_vda(raw: bytes, mapping: VdaMapping = DEFAULT_MAPPING) -> bool:
    """The first record's type is one the mapping knows."""
    text = raw[:64].decode("latin-1").removeprefix(_BOM).lstrip("\r\n")
    return text[:3] in mapping.records


def parse_vda(
    raw: bytes, *, zone: tzinfo, registry: InterchangeRegistry, mapping: VdaMapping = DEFAULT_MAPPING
) -> ParseResult:
    info = StreamInfo(format="vda4916")
    return collect(iter_vda(raw, zone=zone, registry=registry, mapping=mapping, info=info), info)


def iter_vda(
    data: InMemory | BinaryIO | Source,
    *,
    zone: tzinfo,
    registry: InterchangeRegistry,
    mapping: VdaMapping = DEFAULT_MAPPING,
    info: StreamInfo | None = None,
    finish: Finish = PLAIN,
) -> Iterator[Item]:
    """Broadcasts (with their raw records) and problems, one vehicle at a time, in file order.

    ``finish`` fills in the feed and part families as each broadcast is built (none by default)."""
    source = data if isinstance(data, Source) else Source(data)
    st = _State(source=source, zone=zone, mapping=mapping, registry=registry, info=info or StreamInfo())
    st.finish = finish
    st.info.format = "vda4916"
    for rec in _records(source, mapping):
        role = mapping.records[rec.type].role if not rec.bad and rec.type in mapping.records else ""
        if role in ("header", "vehicle", "trailer") and (other := _misread(mapping, rec, role)):
            reason = f"record at byte {rec.start} is typed {rec.type} but reads as {other}"
            rec = _Record(rec.start, rec.end, rec.text, reason, role=other)
            role = ""
        _ROLE_HANDLERS.get(role, _broken)(st, rec)
        source.keep(_keep(st, rec.end))
        yield from st.out
        st.out = []
    if st.header is not None:
        end = st.vehicle.end if st.vehicle else st.header.end
        if st.vehicle is not None:  # nothing proves it whole: its last part records may be what was cut off
            st.vehicle.broken = (
                st.vehicle.broken or "the transmission ends without a trailer: this vehicle may be cut short"
            )
        reason = f"transmission {st.key} has no trailer record (truncated?)"
        st.troubled = True  # its vehicles are problems or passed: the problem holds the header record
        st.out.append(Problem(ENVELOPE, reason, st.header_raw))
        _close(st, end, complete=False)
    elif st.vehicle is not None:
        _flush_vehicle(st)
    yield from st.out


def _keep(st: _State, pos: int) -> int:
    if st.duplicate and st.header is not None:
        return st.header.start
    return st.vehicle.record.start if st.vehicle is not None else pos


def _records(source: Source, mapping: VdaMapping) -> Iterator[_Record]:
    """Records one per line, or an unbroken stream; a line of several whole records is a stream too."""
    look = 4 * mapping.record_length  # a line break within the first records: one record a line
    source.ensure(look + 3)
    pos = len(_BOM) if source.bytes(0, 3) == _BOM.encode("latin-1") else 0
    if "\n" in source.text(pos, pos + look):
        yield from _lines(source, mapping, pos)
    else:
        yield from _stream(source, mapping, pos)


def _lines(source: Source, mapping: VdaMapping, pos: int) -> Iterator[_Record]:
    size = mapping.record_length
    while pos < source.end or not source.eof:
        source.ensure(pos + source.chunk)
        text = source.text(pos, source.end)
        cut = text.rfind("\n") + 1 if not source.eof else len(text)
        if cut == 0:
            source.fill()
            continue
        lines = text[:cut].split("\n")
        if lines[-1] == "":
            lines.pop()  # what follows the last line break is the next chunk's
        for line in lines:
            start, body = pos, line.rstrip("\r")
            pos += len(line) + 1
            if not body.strip() or (only_padding(body) and source.eof):
                continue
            yield from _line_records(mapping, start, body, size)
        pos = min(pos, source.end) if source.eof else pos
        if source.eof and pos >= source.end:
            return


def _line_records(mapping: VdaMapping, start: int, body: str, size: int) -> Iterator[_Record]:
    glued = _glued_at(mapping, body)
    if (
        0 < glued < size
    ):  # a record glued to a trimmed one (a lost line break): blanks past its fields, then a known type
        reason = f"record at byte {start} has another record glued to it at byte {start + glued} (a lost line break)"
        yield _Record(start, start + glued, body[:glued], reason)
        yield from _line_records(mapping, start + glued, body[glued:], size)
        return
    if len(body) <= size:
        yield _checked_record(mapping, start, body.ljust(size))
        return
    if len(_CONTROL.sub("", body)) <= size:  # one record with control characters put in
        yield _checked_record(mapping, start, body)
        return
    # Several records in one line (a stream, or line breaks lost): read it as a stream, its last record trimmed.
    for rec in _stream(Source(body.encode("latin-1")), mapping, 0, trimmed_tail=True):
        yield _Record(start + rec.start, start + rec.end, rec.text, rec.bad)


def _glued_at(mapping: VdaMapping, body: str) -> int:
    """Where a second record starts inside a line: past the last field the line's record type maps, after
    nothing but blanks, a known record type; 0 when there is none."""
    spec = mapping.records.get(body[:3])
    if spec is None or not spec.fields:
        return 0
    end = max(f.start - 1 + f.length for f in spec.fields.values())
    rest = body[end:]
    at = len(rest) - len(rest.lstrip(" "))
    return end + at if rest[at : at + 3] in mapping.records else 0


def _checked_record(mapping: VdaMapping, start: int, text: str) -> _Record:
    bad = _CONTROL.search(text)
    if bad:
        reason = f"control character 0x{ord(bad.group()):02X} in the record at byte {start}"
        return _Record(start, start + len(text.rstrip()), text, reason)
    return _Record(start, start + len(text.rstrip()), text)


def _stream(source: Source, mapping: VdaMapping, pos: int, trimmed_tail: bool = False) -> Iterator[_Record]:
    """Fixed-length records back to back. A record counts as aligned when the next one (or the end) follows it
    where it should; else reading goes on where two known records follow each other, and what lay between is a
    bad stretch (a record cut short or with a byte too many, or no record at all)."""
    size, types = mapping.record_length, mapping.records
    while True:
        source.ensure(pos + 2 * size + 3)
        text = source.text(pos, min(source.end, pos + 2 * size + 3))
        if not text or (source.eof and only_padding(text)):
            return
        if len(text) < size:
            if trimmed_tail and text[:3] in types:  # the last record of a line, its trailing blanks trimmed
                yield _checked_record(mapping, pos, text.ljust(size))
                return
            reason = f"record at byte {pos} is cut short ({len(text)} of {size} characters)"
            yield _Record(pos, pos + len(text), text, reason)
            return
        after = text[size : size + 3]
        end = source.eof and len(text) < 2 * size + 3  # at most one more (maybe trimmed) record follows
        aligned = after in types or (end and (only_padding(text[size:]) or (trimmed_tail and after in types)))
        if aligned and end and not trimmed_tail:  # the last record must not start inside this one
            aligned = not any(
                text[q : q + 3] in types and len(text) >= q + size and only_padding(text[q + size :])
                for q in range(1, size)
            )
        if text[:3] in types and aligned:
            yield _checked_record(mapping, pos, text[:size])
            pos += size
            continue
        resync = _resync(source, mapping, pos + 1)
        if text[:3] in types and resync > pos + size:  # this record is whole; what follows it is not
            yield _checked_record(mapping, pos, text[:size])
            pos += size
        reason = f"{resync - pos} bytes at byte {pos} are no whole record of the mapping (a byte lost or added?)"
        yield _Record(pos, resync, source.text(pos, resync), reason)
        pos = resync


def _resync(source: Source, mapping: VdaMapping, pos: int) -> int:
    """The next offset where a known record type starts and another (or the end of the file) follows it."""
    size, types = mapping.record_length, mapping.records
    while True:
        source.ensure(pos + source.chunk + size + 3)
        text = source.text(pos, source.end)
        for q in range(len(text) - 2):
            if text[q : q + 3] in types:
                after = text[q + size : q + size + 3]
                if after in types or (source.eof and only_padding(text[q + size :])):
                    return pos + q
            if q >= source.chunk:
                break
        else:
            return source.end
        pos += source.chunk


def _fields(mapping: VdaMapping, rec: _Record) -> dict[str, str]:
    spec = mapping.records[rec.type]
    return {name: rec.text[f.start - 1 : f.start - 1 + f.length] for name, f in spec.fields.items()}


def _on_header(st: _State, rec: _Record) -> None:
    if st.header is not None:
        reason = f"transmission {st.key} has no trailer before the next header [byte {rec.start}]"
        st.problem(ENVELOPE, reason, st.header.start, rec.start)
        _close(st, rec.start, complete=False)
    elif st.vehicle is not None:
        _flush_vehicle(st)
    values = _fields(st.mapping, rec)
    st.partner, st.transfer = values["partner"].strip(), values["transfer"].strip()
    st.header, st.key = rec, interchange_key(st.partner, st.transfer)
    st.header_raw = st.source.bytes(rec.start, rec.end)
    st.vehicles = st.parts = 0
    st.troubled = False
    st.test = values.get("test", "").strip() in st.mapping.test_codes
    st.duplicate = st.registry.is_duplicate(st.partner, st.transfer)
    if not st.duplicate:
        st.info.interchange_ids.append(st.key)
    try:
        st.sent_at = _when(st, values.get("date", ""), values.get("time", ""), "header date")
    except _Bad as exc:
        st.problem(ENVELOPE, f"{exc} [transmission {st.key}, byte {rec.start}]", rec.start, rec.end)
        st.sent_at = None


def _on_vehicle(st: _State, rec: _Record) -> None:
    if st.vehicle is not None:
        _flush_vehicle(st)
    st.vehicles += 1
    st.vehicle = _Vehicle(rec)
    if st.header is None:
        st.vehicle.broken = "vehicle record before any header record"


def _on_part(st: _State, rec: _Record) -> None:
    st.parts += 1
    if st.vehicle is None:
        st.problem(ENVELOPE, f"part record before any vehicle record [byte {rec.start}]", rec.start, rec.end)
        return
    st.vehicle.parts.append(rec)


def _on_trailer(st: _State, rec: _Record) -> None:
    if st.vehicle is not None:
        _flush_vehicle(st)
    if st.header is None:
        st.problem(ENVELOPE, f"trailer record without a header record [byte {rec.start}]", rec.start, rec.end)
        return
    values = _fields(st.mapping, rec)
    for name, n in {"vehicles": st.vehicles, "parts": st.parts}.items():
        said = values.get(name, "").strip()
        if name in values and (not is_digits(said) or int(said) != n):
            reason = f"trailer says {said or 'nothing'} {name}, counted {n} [transmission {st.key}, byte {rec.start}]"
            st.problem(ENVELOPE, reason, rec.start, rec.end)
    _close(st, rec.end, complete=True)


def _broken(st: _State, rec: _Record) -> None:
    """A record that cannot be read. Its role decides whom it costs: a vehicle record (by its type, or the known
    type nearest to a garbled one) starts a broken vehicle of its own, so the vehicle before it stays whole; a
    part record breaks the open vehicle (one of its parts is damaged); header and trailer records, a stretch of
    control characters or blanks, and anything before the first vehicle, are a problem of their own."""
    reason = rec.bad or f"record type {rec.type!r} at byte {rec.start} is not in the mapping"
    # A stretch of nothing but control characters and blanks holds no record (no part can hide in it).
    if rec.role:
        role = rec.role
    else:
        role = _nearest_role(st.mapping, rec.text) if _CONTROL.sub("", rec.text).strip() else "noise"
    if role == "vehicle" or (role == "part" and st.vehicle is not None):
        if role == "vehicle":
            _on_vehicle(st, rec)
        else:
            assert st.vehicle is not None
            st.vehicle.parts.append(rec)
        assert st.vehicle is not None
        st.vehicle.broken = st.vehicle.broken or reason
        return
    if role in ("header", "trailer") and st.vehicle is not None:
        _flush_vehicle(st)  # the next record started: the vehicle before it is whole
    where = f" [transmission {st.key}]" if st.header else ""
    st.problem(ENVELOPE, f"{reason}{where}", rec.start, rec.end)


def _nearest_role(mapping: VdaMapping, text: str) -> str:
    """The role of a record whose type is garbled: the known types one edit away (a character replaced, put in
    or lost; a control character counts as any), then the one whose typed fields and codes the record's text
    reads best as. "part" when that cannot be told (a damaged record then costs the open vehicle: a vehicle must
    never pass with a part missing)."""
    if text[:3] in mapping.records:  # the type is whole: the damage is elsewhere in the record
        return mapping.records[text[:3]].role
    scores: dict[str, int] = {}
    for variant in dict.fromkeys((text, _CONTROL.sub("", text))):
        if variant[:3] in mapping.records:
            scores[variant[:3]] = max(scores.get(variant[:3], -1), _fit(mapping, variant[:3], variant))
            continue
        for t in mapping.records:
            if sum(map(str.__ne__, t, variant[:3])) == 1:  # replaced
                scores[t] = max(scores.get(t, -1), _fit(mapping, t, t + variant[3:]))
            if t in {variant[:4][:i] + variant[:4][i + 1 :] for i in range(4)}:  # put in
                scores[t] = max(scores.get(t, -1), _fit(mapping, t, t + variant[4:]))
    best = max(scores.values(), default=0)
    roles = {mapping.records[t].role for t, score in scores.items() if score == best}
    return roles.pop() if best > 0 and len(roles) == 1 else "part"


def _misread(mapping: VdaMapping, rec: _Record, role: Role) -> str:
    """For a header, trailer or vehicle record whose fields do not fit its own layout: the content role (vehicle
    or part; for a vehicle record, part) of the known type one character away that it does fit, else "". A
    damaged type must not close a transmission ("66301" read as "66901") nor split a part off its vehicle."""
    if _fit(mapping, rec.type, rec.text) >= 0:
        return ""
    allowed = ("part",) if role == "vehicle" else ("vehicle", "part")
    near = [t for t in mapping.records if sum(map(str.__ne__, t, rec.type)) == 1 and mapping.records[t].role in allowed]
    scores = {t: _fit(mapping, t, t + rec.text[3:]) for t in near}
    best = max(scores.values(), default=-1)
    roles = {mapping.records[t].role for t, score in scores.items() if score == best}
    return roles.pop() if best > 0 and len(roles) == 1 else ""


def _fit(mapping: VdaMapping, rtype: str, text: str) -> int:
    """How well ``text`` reads as a record of ``rtype``: the number of filled numeric fields and codes that are
    right, or -1 when one is wrong (blank or missing fields, as in a record cut short, count for nothing)."""
    score = 0
    for name, f in mapping.records[rtype].fields.items():
        value = text[f.start - 1 : f.start - 1 + f.length]
        if not value.strip():
            continue
        if name == "function" or (name == "call_type" and mapping.call_types):
            ok = value.strip() in mapping.functions if name == "function" else value in mapping.call_types
        elif f.type != "str" and value.strip():
            ok = is_digits(value.strip())
        else:
            continue
        if not ok:
            return -1
        score += 1
    return score


_ROLE_HANDLERS = {"header": _on_header, "vehicle": _on_vehicle, "part": _on_part, "trailer": _on_trailer}


def _close(st: _State, end: int, *, complete: bool) -> None:
    """Close the transmission: its last vehicle out, a repeat as one problem, a clean one remembered."""
    assert st.header is not None
    if st.vehicle is not None:
        _flush_vehicle(st)
    if st.duplicate:
        reason = f"transmission {st.key} was already received (repeated transfer number)"
        st.out = [Problem(ENVELOPE, reason, st.source.bytes(st.header.start, end))]
    elif complete and st.transfer and not st.troubled:
        st.registry.remember(st.partner, st.transfer)
    st.header = None


def _flush_vehicle(st: _State) -> None:
    v, st.vehicle = st.vehicle, None
    assert v is not None
    index, st.count = st.count, st.count + 1
    if st.duplicate:
        return
    source = st.source.bytes(v.record.start, v.end)
    where = f"transmission {st.key}, vehicle record at byte {v.record.start}" if st.header else f"byte {v.record.start}"
    try:
        if v.broken:
            raise _Bad(v.broken)
        if st.test and st.mapping.test_indicator == "refuse":
            raise _Bad("test transmission refused (header test field): not a production build order")
        broadcast = _broadcast(st, v, index)
    except _Bad as exc:
        what = _vehicle_words(st, v)
        st.troubled = True
        st.out.append(Problem(index, f"{exc} [{where}{what}]", source))
        return
    st.out.append((broadcast, source))


def _vehicle_words(st: _State, v: _Vehicle) -> str:
    """', seq S, vehicle V' as far as the vehicle record can be read."""
    if v.record.bad or v.record.type not in st.mapping.records:
        return ""
    values = {k: x.strip() for k, x in _fields(st.mapping, v.record).items()}
    seq, vid = values.get("seq", ""), values.get("vehicle_id", "")
    return (f", seq {seq}" if seq else "") + (f", vehicle {vid}" if vid else "")


def _checked(st: _State, rec: _Record) -> dict[str, str]:
    """The record's fields, stripped; a non-blank int/date/time field that is not digits is a reason."""
    values = {k: s.strip() for k, s in _fields(st.mapping, rec).items()}
    for name, spec in st.mapping.records[rec.type].fields.items():
        if spec.type != "str" and values[name] and not is_digits(values[name]):
            raise _Bad(f"record {rec.type} at byte {rec.start}: {name} {values[name]!r} is not a number")
    return values


def _broadcast(st: _State, v: _Vehicle, index: int) -> CanonicalBroadcast:
    values = _checked(st, v.record)
    seq, vehicle_id = values["seq"], values["vehicle_id"]
    if not is_digits(seq):
        raise _Bad(f"vehicle record at byte {v.record.start}: sequence number {seq!r} is not a number")
    code = values["function"]
    if code not in st.mapping.functions:
        raise _Bad(f"vehicle {vehicle_id}: function code {code!r} is not in the mapping")
    function, firm = st.mapping.functions[code]
    call_type = _fields(st.mapping, v.record).get("call_type")
    if call_type is not None:
        if call_type not in st.mapping.call_types:
            raise _Bad(f"vehicle {vehicle_id}: call type {call_type!r} is not in the mapping")
        firm = firm and st.mapping.call_types[call_type]
    parts = tuple(_part(st, rec, vehicle_id) for rec in v.parts)
    if function in ("original", "change") and not parts:
        raise _Bad(f"vehicle {vehicle_id} (seq {seq}): a {function} call with no part record")
    required_at = _when(st, values.get("required_date", ""), values.get("required_time", ""), "required date")
    try:
        return CanonicalBroadcast(
            feed=st.finish.feed(values.get("line", ""), test=st.test),
            seq=int(seq),
            vehicle_id=vehicle_id,
            function=function,
            firm=firm,
            parts=parts,
            required_at=required_at,
            sent_at=st.sent_at,
            line=values.get("line", ""),
            unloading_point=values.get("unloading_point", ""),
            call_off=values.get("call_off", ""),
            reporting_point=values.get("reporting_point", ""),
            interchange=st.key,
            message=str(st.vehicles),  # its place in the transmission: VDA 4916 has no message reference
            raw_index=index,
        )
    except ValidationError as exc:
        raise _Bad(f"vehicle record at byte {v.record.start}: {exc.errors()[0]['msg']}") from None


def _part(st: _State, rec: _Record, vehicle_id: str) -> PartCall:
    values = _checked(st, rec)
    if not values["part"]:
        raise _Bad(f"vehicle {vehicle_id}: part record at byte {rec.start} has no part number")
    try:
        return st.finish.part(values["part"], parse_qty(values["qty"]) if values.get("qty") else 1)
    except ValueError as exc:
        raise _Bad(f"vehicle {vehicle_id}, part {values['part']}: {exc}") from None


_DATE = {6: "%y%m%d", 8: "%Y%m%d"}
_TIME = {0: "", 4: "%H%M", 6: "%H%M%S"}


def _when(st: _State, date: str, time: str, what: str) -> float | None:
    date, time = date.strip(), time.strip()
    if not date or not date.strip("0"):
        return None  # VDA leaves unknown dates blank or zero
    if len(date) not in _DATE or len(time) not in _TIME:
        raise _Bad(f"{what} {date!r} {time!r} is not YYMMDD/CCYYMMDD + HHMM/HHMMSS")
    try:
        return epoch_seconds(date + time, _DATE[len(date)] + _TIME[len(time)], st.zone)
    except ValueError as exc:
        raise _Bad(f"{what}: {exc}") from None
