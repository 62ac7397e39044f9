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

Pure, never raises for bad input: every bad record or vehicle becomes a Problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.feed.formats.canonical import (
    ENVELOPE,
    CanonicalBroadcast,
    Function,
    InterchangeRegistry,
    ParseResult,
    PartCall,
    epoch_seconds,
    interchange_key,
    is_digits,
    parse_qty,
)

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

    @model_validator(mode="after")
    def _complete(self) -> VdaMapping:
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
    """A partner's mapping from TOML data (``tomllib.load``); pydantic ValidationError names a wrong key."""
    return VdaMapping.model_validate(dict(data))


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

    @property
    def type(self) -> str:
        return self.text[:3]


@dataclass
class _Vehicle:
    record: _Record
    parts: list[_Record] = field(default_factory=list)


@dataclass
class _State:
    raw: bytes
    zone: tzinfo
    mapping: VdaMapping
    registry: InterchangeRegistry
    result: ParseResult = field(default_factory=lambda: ParseResult(format="vda4916"))
    header: _Record | None = None
    key: str = ""
    partner: str = ""
    transfer: str = ""
    sent_at: float | None = None
    vehicles: list[_Vehicle] = field(default_factory=list)
    problems_before: int = 0
    duplicate: bool = False
    count: int = 0


def looks_like_vda(raw: bytes, mapping: VdaMapping = DEFAULT_MAPPING) -> bool:
    """The first record's type is one the mapping knows."""
    text = raw.decode("latin-1").removeprefix(_BOM).lstrip("\r\n")
    return text[:3] in mapping.records


def parse_vda(
    raw: bytes, *, zone: tzinfo, registry: InterchangeRegistry, mapping: VdaMapping = DEFAULT_MAPPING
) -> ParseResult:
    st = _State(raw=raw, zone=zone, mapping=mapping, registry=registry)
    text = raw.decode("latin-1")
    skip = len(_BOM) if text.startswith(_BOM) else 0
    for rec in _records(st, text[skip:], skip):
        role = mapping.records[rec.type].role if rec.type in mapping.records else ""
        _ROLE_HANDLERS.get(role, _unknown)(st, rec)
    if st.header is not None:
        st.result.problem(ENVELOPE, f"transmission {st.key} has no trailer record (truncated?)", raw[st.header.start :])
        _flush(st)
    return st.result


def _records(st: _State, text: str, pos: int) -> list[_Record]:
    """Records one per line, or an unbroken stream; a line of several whole records is a stream too."""
    size, records = st.mapping.record_length, []
    for line in text.split("\n"):
        body, start, pos = line.rstrip("\r"), pos, pos + len(line) + 1
        if not body.strip():
            continue
        stream = len(body) > size or "\n" not in text
        for at in range(0, len(body), size) if stream else (0,):
            records += _record(st, start + at, body[at : at + size] if stream else body, cut_short=stream)
    return records


def _record(st: _State, start: int, body: str, *, cut_short: bool) -> list[_Record]:
    size = st.mapping.record_length
    if len(body) > size:
        st.result.problem(ENVELOPE, f"record at byte {start} is {len(body)} characters, not {size}", st.raw[start:])
        return []
    if len(body) < size and cut_short:
        reason = f"record at byte {start} is cut short ({len(body)} of {size} characters)"
        st.result.problem(ENVELOPE, reason, st.raw[start : start + len(body)])
        return []
    # A line shorter than the record: the partner's tools trimmed trailing blanks; pad them back.
    return [_Record(start, start + len(body), body.ljust(size))]


def _fields(mapping: VdaMapping, rec: _Record) -> dict[str, str]:
    spec = mapping.records[rec.type]
    return {name: rec.text[f.start - 1 : f.start - 1 + f.length] for name, f in spec.fields.items()}


def _on_header(st: _State, rec: _Record) -> None:
    if st.header is not None:
        reason = f"transmission {st.key} has no trailer before the next header"
        st.result.problem(ENVELOPE, reason, st.raw[st.header.start : rec.start])
        _flush(st)
    values = _fields(st.mapping, rec)
    st.partner, st.transfer = values["partner"].strip(), values["transfer"].strip()
    st.header, st.key, st.vehicles = rec, interchange_key(st.partner, st.transfer), []
    st.problems_before = len(st.result.problems)
    st.duplicate = st.registry.is_duplicate(st.partner, st.transfer)
    try:
        st.sent_at = _when(st, values.get("date", ""), values.get("time", ""), "header date")
    except _Bad as exc:
        st.result.problem(ENVELOPE, f"{st.key}: {exc}", st.raw[rec.start : rec.end])
        st.sent_at = None


def _on_vehicle(st: _State, rec: _Record) -> None:
    if st.header is None:
        st.result.problem(st.count, "vehicle record before any header record", st.raw[rec.start : rec.end])
        st.count += 1
        return
    st.vehicles.append(_Vehicle(rec))


def _on_part(st: _State, rec: _Record) -> None:
    if not st.vehicles:
        st.result.problem(ENVELOPE, "part record before any vehicle record", st.raw[rec.start : rec.end])
        return
    st.vehicles[-1].parts.append(rec)


def _on_trailer(st: _State, rec: _Record) -> None:
    if st.header is None:
        st.result.problem(ENVELOPE, "trailer record without a header record", st.raw[rec.start : rec.end])
        return
    values = _fields(st.mapping, rec)
    counted = {"vehicles": len(st.vehicles), "parts": sum(len(v.parts) for v in st.vehicles)}
    for name, n in counted.items():
        said = values.get(name, "").strip()
        if name in values and (not is_digits(said) or int(said) != n):
            reason = f"{st.key}: trailer says {said or 'nothing'} {name}, counted {n}"
            st.result.problem(ENVELOPE, reason, st.raw[st.header.start : rec.end])
    _flush(st, complete=True)


def _unknown(st: _State, rec: _Record) -> None:
    st.result.problem(ENVELOPE, f"record type {rec.type!r} is not in the mapping", st.raw[rec.start : rec.end])


_ROLE_HANDLERS = {"header": _on_header, "vehicle": _on_vehicle, "part": _on_part, "trailer": _on_trailer}


def _flush(st: _State, complete: bool = False) -> None:
    """Turn the transmission's vehicles into broadcasts (or one duplicate problem) and close it."""
    assert st.header is not None
    header = st.header
    if st.duplicate:
        end = st.vehicles[-1].parts[-1].end if st.vehicles and st.vehicles[-1].parts else header.end
        reason = f"transmission {st.key} was already received (repeated transfer number)"
        st.result.problem(ENVELOPE, reason, st.raw[header.start : max(end, header.end)])
    else:
        st.result.interchange_ids.append(st.key)
        for place, v in enumerate(st.vehicles, start=1):
            _vehicle(st, v, place)
        if complete and st.transfer and len(st.result.problems) == st.problems_before:
            st.registry.remember(st.partner, st.transfer)
    st.header, st.vehicles = None, []


def _vehicle(st: _State, v: _Vehicle, place: int) -> None:
    """One vehicle record group; ``place``: its place in the transmission (VDA 4916 has no message reference)."""
    index, st.count = st.count, st.count + 1
    end = v.parts[-1].end if v.parts else v.record.end
    source = st.raw[v.record.start : end]
    try:
        st.result.add(_broadcast(st, v, index).model_copy(update={"message": str(place)}), source)
    except _Bad as exc:
        st.result.problem(index, str(exc), source)


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
            feed="",
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
            raw_index=index,
        )
    except ValidationError as exc:
        raise _Bad(f"vehicle record at byte {v.record.start}: {exc.errors()[0]['msg']}") from None


def _part(st: _State, rec: _Record, vehicle_id: str) -> PartCall:
    values = _checked(st, rec)
    if not values["part"]:
        raise _Bad(f"vehicle {vehicle_id}: part record at byte {rec.start} has no part number")
    try:
        return PartCall(part=values["part"], qty=parse_qty(values["qty"]) if values.get("qty") else 1)
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
