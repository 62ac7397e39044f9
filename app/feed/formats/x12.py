"""ANSI X12 866 Production Sequence -> canonical broadcasts, with the ISA/GS/ST envelope checked.

Separators are whatever the ISA declares (X12.5): the ISA is fixed width, so the element separator is the
character at position 3, the component separator ISA16 at position 104 and the segment terminator at 105.
A sender that trimmed the ISA's padding is still read (the 16th element separator is found by counting).
CR/LF after a terminator is ignored; several interchanges may follow each other, each with its own separators.

866 mapping (our choice, docs/message-formats.md; partners differ, so the codes are an ``X12Profile``):
  BSS01 purpose -> function; BSS02 -> call-off number; GS04/GS05 -> sent_at.
  Each DTM loop is one vehicle: DTM01 002 (delivery requested) with DTM02 date, DTM03 time, DTM04 time code
  -> required_at; REF*JS (job sequence number) -> seq; REF*VT (motor vehicle id) -> vehicle id;
  REF*DK (dock) -> unloading point; REF*LF (assembly line feed location) -> line (a header REF, in the N1
  loop, is the default for every vehicle); each LIN (VP vendor's / BP buyer's part number) + QTY -> a part.
Checks: SE01 segment count, SE02/ST02, GE01/GE02, IEA01/IEA02, CTT01 line-item count when present.

Pure, never raises for bad input: a broken envelope or transaction quarantines that transaction; a bad DTM
loop quarantines that vehicle only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from pydantic import ValidationError

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

_BLANKS = " \t\r\n"


@dataclass(frozen=True)
class X12Profile:
    # BSS01 transaction set purpose (element 353) -> (function, firm). 353 has no "release": ZZ (mutually
    # defined) stands in for it by trading-partner agreement.
    functions: Mapping[str, tuple[Function, bool]] = field(
        default_factory=lambda: {
            "00": ("original", True),
            "07": ("original", True),  # Duplicate: a resend
            "04": ("change", True),
            "05": ("change", True),  # Replace
            "01": ("cancel", True),
            "03": ("cancel", True),  # Delete
            "21": ("hold", True),  # Transaction on Hold
            "ZZ": ("release", True),
        }
    )
    required_dtm: tuple[str, ...] = ("002", "010", "118")  # delivery requested, requested ship, requested pick-up
    ref_fields: Mapping[str, str] = field(
        default_factory=lambda: {"JS": "seq", "VT": "vehicle_id", "DK": "unloading_point", "LF": "line"}
    )
    lin_fields: Mapping[str, str] = field(default_factory=lambda: {"JS": "seq", "VV": "vehicle_id"})  # element 235
    part_qualifiers: tuple[str, ...] = ("VP", "BP")  # vendor's (our) part number first, then buyer's


DEFAULT_PROFILE = X12Profile()

# DTM04 time code (element 623) -> zone; absent or LT: the plant's own zone.
_FIXED = {"ES": -5, "ED": -4, "CS": -6, "CD": -5, "MS": -7, "MD": -6, "PS": -8, "PD": -7}
TIME_CODES: dict[str, tzinfo] = {
    "UT": UTC,
    "GM": UTC,
    "ET": ZoneInfo("America/New_York"),
    "CT": ZoneInfo("America/Chicago"),
    "MT": ZoneInfo("America/Denver"),
    "PT": ZoneInfo("America/Los_Angeles"),
    **{code: timezone(timedelta(hours=h)) for code, h in _FIXED.items()},
}
_DATE_FORMATS = {6: "%y%m%d", 8: "%Y%m%d"}  # X12 3010 dates are YYMMDD, 4010 on CCYYMMDD
_TIME_FORMATS = {0: "", 4: "%H%M", 6: "%H%M%S"}


class X12SyntaxError(ValueError):
    pass


class _Bad(Exception):
    """A transaction set or vehicle loop to quarantine; the text is the reason."""


@dataclass(frozen=True)
class X12Chars:
    element: str
    component: str
    terminator: str


@dataclass(frozen=True)
class Segment:
    tag: str
    elements: tuple[str, ...]
    start: int
    end: int

    def value(self, i: int) -> str:
        """Element ``i`` (1 = first after the tag, as in BSS01), stripped of padding; "" if absent."""
        return self.elements[i - 1].strip() if 1 <= i <= len(self.elements) else ""


def isa_chars(text: str, pos: int) -> tuple[X12Chars, int]:
    """The separators an ISA at ``pos`` declares, and where the ISA ends; X12SyntaxError if it is no ISA."""
    if len(text) < pos + 4:
        raise X12SyntaxError("ISA cut short")
    element = text[pos + 3]
    if text[pos + 103 : pos + 104] == element and text[pos + 3 : pos + 104].count(element) == 16:
        at = pos + 103  # the fixed-width ISA
    else:
        at = _nth(text, element, pos + 3, 16)
    component, terminator = text[at + 1 : at + 2], text[at + 2 : at + 3]
    chars = X12Chars(element, component, terminator)
    if not terminator or len({element, component, terminator}) != 3 or element.isalnum() or component.isalnum():
        raise X12SyntaxError(f"ISA declares unusable separators {element!r} {component!r} {terminator!r}")
    return chars, at + 3


def _nth(text: str, char: str, start: int, n: int) -> int:
    at = start
    for _ in range(n - 1):
        at = text.find(char, at + 1, start + 200)
        if at < 0:
            raise X12SyntaxError("ISA has fewer than 16 elements")
    return at


@dataclass
class Transaction:
    header: Segment  # ST
    body: list[Segment] = field(default_factory=list)
    trailer: Segment | None = None  # SE
    index: int = 0
    group: Segment | None = None  # GS

    @property
    def start(self) -> int:
        return self.header.start

    @property
    def end(self) -> int:
        return (self.trailer or (self.body[-1] if self.body else self.header)).end


_Group = tuple[Segment, list[Transaction], Segment | None]  # GS, its transaction sets, GE


@dataclass
class _Ctx:
    raw: bytes
    text: str
    zone: tzinfo
    profile: X12Profile
    registry: InterchangeRegistry
    result: ParseResult = field(default_factory=lambda: ParseResult(format="x12-866"))
    count: int = 0


def parse_x12(
    raw: bytes, *, zone: tzinfo, registry: InterchangeRegistry, profile: X12Profile = DEFAULT_PROFILE
) -> ParseResult:
    """Every 866 transaction set of every interchange in ``raw``; feed and families are left for the caller."""
    text = raw.decode("latin-1")  # byte offsets = character offsets; X12 basic/extended sets are ASCII
    ctx = _Ctx(raw=raw, text=text, zone=zone, profile=profile, registry=registry)
    pos = 3 if text.startswith("\xef\xbb\xbf") else 0
    while (pos := _skip(text, pos)) < len(text):
        pos = _interchange(ctx, pos)
    return ctx.result


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _BLANKS:
        pos += 1
    return pos


def _segments(ctx: _Ctx, pos: int, isa_end: int, chars: X12Chars) -> tuple[list[Segment], int, str]:
    """Segments from the ISA at ``pos`` through its IEA; returns them, the end offset and a syntax error."""
    segs = [_segment(ctx.text, pos, isa_end - 1, chars)]
    pos = isa_end
    while (pos := _skip(ctx.text, pos)) < len(ctx.text):
        if ctx.text.startswith("ISA", pos):
            return segs, pos, f"a new ISA starts at byte {pos} before this interchange's IEA"
        end = ctx.text.find(chars.terminator, pos)
        if end < 0:
            return segs, len(ctx.text), f"segment {ctx.text[pos : pos + 3]!r} at byte {pos} has no terminator"
        segs.append(_segment(ctx.text, pos, end, chars))
        pos = end + 1
        if segs[-1].tag == "IEA":
            break
    return segs, pos, ""


def _segment(text: str, start: int, end: int, chars: X12Chars) -> Segment:
    parts = text[start:end].split(chars.element)
    return Segment(parts[0].strip(), tuple(parts[1:]), start, end + 1)


def _same_number(text: str, n: int) -> bool:
    """X12 counts (SE01, GE01, IEA01, CTT01) compared as numbers: '0012' is 12."""
    return is_digits(text) and len(text) <= 9 and int(text) == n


def _interchange(ctx: _Ctx, pos: int) -> int:
    """Read one interchange from ``pos``; returns where the next one may start."""
    try:
        if not ctx.text.startswith("ISA", pos):
            raise X12SyntaxError(f"expected ISA at byte {pos}, found {ctx.text[pos : pos + 3]!r}")
        chars, isa_end = isa_chars(ctx.text, pos)
    except X12SyntaxError as exc:
        ctx.result.problem(ENVELOPE, str(exc), ctx.raw[pos:])
        return len(ctx.text)
    segs, end, error = _segments(ctx, pos, isa_end, chars)
    isa = segs[0]
    sender, control = isa.value(6), isa.value(13)
    key = interchange_key(sender, control)
    if ctx.registry.is_duplicate(sender, control):
        ctx.result.problem(ENVELOPE, f"interchange {key} was already received (repeated ISA13)", ctx.raw[pos:end])
        return end
    ctx.result.interchange_ids.append(key)
    before = len(ctx.result.problems)
    if error:
        ctx.result.problem(ENVELOPE, f"{key}: {error} (truncated?)", ctx.raw[segs[-1].start : end])
    for tx in _envelope(ctx, segs, key, chars):
        _transaction(ctx, tx, key, chars)
    if segs[-1].tag == "IEA" and len(ctx.result.problems) == before:
        ctx.registry.remember(sender, control)
    return end


def _envelope(ctx: _Ctx, segs: list[Segment], key: str, chars: X12Chars) -> list[Transaction]:
    """Transactions with correct SE counts; every envelope mismatch becomes a problem."""
    good: list[Transaction] = []
    txs: list[Transaction] = []
    groups: list[_Group] = []
    tx: Transaction | None = None
    for seg in segs[1:]:
        if seg.tag == "GS":
            groups.append((seg, [], None))
        elif seg.tag == "ST":
            tx = Transaction(header=seg, index=ctx.count, group=groups[-1][0] if groups else None)
            ctx.count += 1
            txs.append(tx)
            if groups:
                groups[-1][1].append(tx)
        elif seg.tag == "SE" and tx is not None:
            tx.trailer, tx = seg, None
        elif seg.tag == "GE" and groups:
            groups[-1] = (groups[-1][0], groups[-1][1], seg)
        elif tx is not None:
            tx.body.append(seg)
        elif seg.tag != "IEA":
            reason = f"{key}: segment {seg.tag!r} outside a transaction set"
            ctx.result.problem(ENVELOPE, reason, ctx.raw[seg.start : seg.end])
    for tx in txs:
        reason = _tx_envelope_problem(tx)
        if reason:
            ctx.result.problem(tx.index, reason, ctx.raw[tx.start : tx.end])
        else:
            good.append(tx)
    _check_trailers(ctx, segs, groups, txs, key)
    return good


def _tx_envelope_problem(tx: Transaction) -> str:
    if tx.trailer is None:
        return f"transaction set {tx.header.value(2)!r} has no SE (truncated?)"
    counted = len(tx.body) + 2  # SE01 counts ST and SE too
    if not _same_number(tx.trailer.value(1), counted):
        return f"SE says {tx.trailer.value(1) or 'nothing'} segments, the transaction set has {counted}"
    if tx.trailer.value(2) != tx.header.value(2):
        return f"SE02 {tx.trailer.value(2)!r} does not match ST02 {tx.header.value(2)!r}"
    return ""


def _check_trailers(ctx: _Ctx, segs: list[Segment], groups: list[_Group], txs: list[Transaction], key: str) -> None:
    span = ctx.raw[segs[0].start : segs[-1].end]
    for gs, txs, ge in groups:
        if ge is None:
            ctx.result.problem(ENVELOPE, f"{key}: group {gs.value(6)!r} has no GE", span)
        elif not _same_number(ge.value(1), len(txs)) or ge.value(2) != gs.value(6):
            said = f"GE says {ge.value(1)!r} sets / control {ge.value(2)!r}"
            ctx.result.problem(ENVELOPE, f"{key}: {said}, counted {len(txs)} / GS06 {gs.value(6)!r}", span)
    if any(tx.group is None for tx in txs):
        ctx.result.problem(ENVELOPE, f"{key}: transaction set outside a functional group (no GS)", span)
    iea = segs[-1]
    if iea.tag != "IEA":
        ctx.result.problem(ENVELOPE, f"{key}: interchange has no IEA (truncated?)", span)
    elif not _same_number(iea.value(1), len(groups)) or iea.value(2) != segs[0].value(13):
        said = f"IEA says {iea.value(1)!r} groups / control {iea.value(2)!r}"
        ctx.result.problem(ENVELOPE, f"{key}: {said}, counted {len(groups)} / ISA13 {segs[0].value(13)!r}", span)


# -- the 866 transaction set --------------------------------------------------------------------------------
@dataclass
class _Header:
    function: Function
    firm: bool
    call_off: str
    sent_at: float | None
    fields: dict[str, str]
    message: str = ""  # ST02, the transaction set control number: with ISA06/ISA13 it names the message


def _transaction(ctx: _Ctx, tx: Transaction, key: str, chars: X12Chars) -> None:
    raw_tx = ctx.raw[tx.start : tx.end]
    try:
        if tx.header.value(1) != "866":
            raise _Bad(f"transaction set {tx.header.value(1)!r} is not an 866 Production Sequence")
        starts = [i for i, s in enumerate(tx.body) if s.tag == "DTM"]
        if not starts:
            raise _Bad(f"transaction set {tx.header.value(2)!r} has no DTM loop: no vehicle in it")
        _check_ctt(tx.body)
        head = _header(ctx, tx, tx.body[: starts[0]])
    except _Bad as exc:
        ctx.result.problem(tx.index, str(exc), raw_tx)
        return
    ends = [*starts[1:], len(tx.body)]
    for a, b in zip(starts, ends, strict=True):
        loop = [s for s in tx.body[a:b] if s.tag not in ("CTT", "SE")]
        source = ctx.raw[loop[0].start : loop[-1].end]
        try:
            ctx.result.add(_vehicle(ctx, loop, head, key, tx.index, chars), source)
        except _Bad as exc:
            ctx.result.problem(tx.index, str(exc), source)


def _check_ctt(body: list[Segment]) -> None:
    ctt = next((s for s in body if s.tag == "CTT"), None)
    lines = sum(1 for s in body if s.tag == "LIN")
    if ctt is not None and not _same_number(ctt.value(1), lines):
        raise _Bad(f"CTT says {ctt.value(1)!r} line items, the transaction set has {lines}")


def _header(ctx: _Ctx, tx: Transaction, header: list[Segment]) -> _Header:
    bss = next((s for s in header if s.tag == "BSS"), None)
    if bss is None:
        raise _Bad("transaction set has no BSS")
    if bss.value(1) not in ctx.profile.functions:
        raise _Bad(f"BSS01 purpose {bss.value(1)!r} is not one we map (see docs/message-formats.md)")
    function, firm = ctx.profile.functions[bss.value(1)]
    sent_at = None
    if tx.group is not None and tx.group.value(4):
        sent_at = _time(tx.group.value(4), tx.group.value(5)[:6], "", ctx.zone, "GS04/GS05")
    fields = _refs(ctx.profile, [s for s in header if s.tag == "REF"])
    return _Header(
        function=function, firm=firm, call_off=bss.value(2), sent_at=sent_at, fields=fields, message=tx.header.value(2)
    )


def _refs(profile: X12Profile, refs: list[Segment]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for ref in refs:
        target = profile.ref_fields.get(ref.value(1))
        if target and ref.value(2) and target not in fields:
            fields[target] = ref.value(2)
    return fields


def _time(date: str, time: str, code: str, zone: tzinfo, what: str) -> float:
    date_fmt, time_fmt = _DATE_FORMATS.get(len(date)), _TIME_FORMATS.get(len(time))
    if date_fmt is None or time_fmt is None:
        raise _Bad(f"{what}: {date!r} {time!r} is not a date (YYMMDD/CCYYMMDD) and time (HHMM/HHMMSS)")
    try:
        return epoch_seconds(date + time, date_fmt + time_fmt, TIME_CODES.get(code, zone))
    except ValueError as exc:
        raise _Bad(f"{what}: {exc}") from None


def _vehicle(
    ctx: _Ctx, loop: list[Segment], head: _Header, key: str, index: int, chars: X12Chars
) -> CanonicalBroadcast:
    dtm = loop[0]
    fields = {**head.fields}
    fields.update(_refs(ctx.profile, [s for s in loop if s.tag == "REF"]))
    parts = _parts(ctx.profile, loop, fields, chars)
    seq_text, vehicle_id = fields.get("seq", ""), fields.get("vehicle_id", "")
    if not is_digits(seq_text) or len(seq_text) > 10:
        raise _Bad(f"DTM loop at byte {dtm.start}: sequence number {seq_text!r} (REF*JS) is not a number")
    if not vehicle_id:
        raise _Bad(f"seq {seq_text}: no vehicle id (REF*VT or LIN VV)")
    if head.function in ("original", "change") and not parts:
        raise _Bad(f"vehicle {vehicle_id} (seq {seq_text}): a {head.function} call with no part (no LIN)")
    required_at = None
    if dtm.value(1) in ctx.profile.required_dtm:
        required_at = _time(dtm.value(2), dtm.value(3), dtm.value(4), ctx.zone, f"DTM*{dtm.value(1)}")
    try:
        return CanonicalBroadcast(
            feed="",
            seq=int(seq_text),
            vehicle_id=vehicle_id,
            function=head.function,
            firm=head.firm,
            parts=parts,
            required_at=required_at,
            sent_at=head.sent_at,
            line=fields.get("line", ""),
            unloading_point=fields.get("unloading_point", ""),
            call_off=head.call_off,
            interchange=key,
            message=head.message,
            raw_index=index,
        )
    except ValidationError as exc:
        raise _Bad(f"vehicle {vehicle_id}: {exc.errors()[0]['msg']}") from None


def _parts(profile: X12Profile, loop: list[Segment], fields: dict[str, str], chars: X12Chars) -> tuple[PartCall, ...]:
    lines: list[tuple[str, str]] = []  # (part number, qty text)
    for seg in loop:
        if seg.tag == "LIN":
            pairs = {seg.value(i): seg.value(i + 1) for i in reversed(range(2, len(seg.elements), 2))}
            for qualifier, target in profile.lin_fields.items():
                if pairs.get(qualifier):
                    fields.setdefault(target, pairs[qualifier])
            part = next((pairs[q] for q in profile.part_qualifiers if pairs.get(q)), "")
            if not part:
                raise _Bad(f"LIN at byte {seg.start} has no part number ({'/'.join(profile.part_qualifiers)})")
            lines.append((part.split(chars.component)[0], ""))
        elif seg.tag == "QTY" and lines:
            lines[-1] = (lines[-1][0], seg.value(2))
    try:
        return tuple(PartCall(part=p, qty=parse_qty(q) if q else 1) for p, q in lines)
    except ValueError as exc:
        raise _Bad(f"vehicle {fields.get('vehicle_id', '?')}: {exc}") from None
