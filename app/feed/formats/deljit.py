"""EDIFACT DELJIT (D97A, Odette SYNCRO / VDA 4986 style JIS call-offs) -> canonical broadcasts.

A DELJIT message is a header (BGM, DTM, NAD/LOC ...) and then one SEQ group per vehicle:
``SEQ`` (status + sequence number : source), ``DTM`` (times), ``GIR`` (vehicle id / production number),
``LOC`` (unloading point, point of use), then per part ``LIN`` + ``PIA`` (item numbers) and ``QTY``.
Every code this module reads is looked up in a ``DeljitProfile`` (tables, not branches), because partners
assign qualifiers in their own guides; ``DEFAULT_PROFILE`` is documented in docs/message-formats.md.

Quarantine granularity: an envelope error (UNT/UNZ count, truncation) or a bad header quarantines the whole
message; a bad SEQ group quarantines only that vehicle (the others of the message still pass).

Pure: no files, no clock, never raises for bad input (everything bad becomes a Problem).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo

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
from app.feed.formats.edifact import Interchange, Message, Segment, read_interchanges, tokenize


@dataclass(frozen=True)
class DeljitProfile:
    """One partner's reading of DELJIT codes. Keys are EDIFACT code values, as strings."""

    # BGM 1225 message function -> (function, firm). UN/EDIFACT codes; no UN code means "release", so 51
    # (Authorisation: the held vehicle is authorised to be built) stands in for it by our agreement.
    functions: Mapping[str, tuple[Function, bool]] = field(
        default_factory=lambda: {
            "9": ("original", True),  # Original
            "7": ("original", True),  # Duplicate: a resend; the core sees identical content as a duplicate
            "35": ("original", True),  # Retransmission
            "24": ("original", True),  # Delivery instruction (a firm call)
            "25": ("original", False),  # Forecast: stored, never built
            "4": ("change", True),  # Change
            "5": ("change", True),  # Replace
            "1": ("cancel", True),  # Cancellation
            "3": ("cancel", True),  # Deletion
            "23": ("hold", True),  # Transaction on hold: "not to be processed until further release information"
            "51": ("release", True),  # Authorisation (our stand-in for release)
        }
    )
    # BGM C002/1001 document name codes that decide the function themselves (VW SYNCRO v3 moved its
    # cancellations there); empty by default, filled per partner from its guide.
    document_functions: Mapping[str, tuple[Function, bool]] = field(default_factory=dict)
    # SEQ 1245 status per vehicle, read with the 1229 action codes: 2 deleted, 3 changed override the message
    # function for that vehicle; 1 (added) and anything else keep it.
    seq_status: Mapping[str, Function] = field(default_factory=lambda: {"2": "cancel", "3": "change"})
    # SEQ C286/1159 sequence number source: 1 and 2 are broadcast points ("report from workstation 1/2").
    reporting_points: Mapping[str, str] = field(default_factory=lambda: {"1": "B1", "2": "B2"})
    # GIR C206/7405 identity qualifiers, most wanted first; else the first number of the first GIR.
    vehicle_id_qualifiers: tuple[str, ...] = ("VV", "BN", "AN")
    # canonical field <- LOC 3227 place qualifiers, most wanted first; vehicle level before header level.
    # 11 place of discharge (the unloading point), 159 additional internal destination (point of use),
    # 175 activity location (the assembly line).
    loc_fields: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {"unloading_point": ("11", "159"), "line": ("175",)}
    )
    # DTM 2005 qualifiers: requirement time (most wanted first) and document date.
    required_dtm: tuple[str, ...] = ("2", "63", "10", "11")
    document_dtm: tuple[str, ...] = ("137",)
    # LIN/PIA C212/7143 item number types, most wanted first: supplier's article number, then buyer's.
    part_qualifiers: tuple[str, ...] = ("SA", "IN", "BP")


DEFAULT_PROFILE = DeljitProfile()

# DTM 2379 date/time format code -> strptime format (wall-clock time of the sender's plant).
DTM_FORMATS = {"102": "%Y%m%d", "203": "%Y%m%d%H%M", "204": "%Y%m%d%H%M%S", "101": "%y%m%d", "201": "%y%m%d%H%M"}
_DTM_BY_LENGTH = {8: "102", 12: "203", 14: "204", 6: "101", 10: "201"}


class _Bad(Exception):
    """A message or SEQ group that must be quarantined; the text is the reason."""


@dataclass
class _Header:
    function: Function
    firm: bool
    call_off: str
    sent_at: float | None
    places: dict[str, str]


@dataclass
class _Context:
    raw: bytes
    zone: tzinfo
    profile: DeljitProfile
    registry: InterchangeRegistry
    result: ParseResult = field(default_factory=lambda: ParseResult(format="edifact-deljit"))


def parse_deljit(
    raw: bytes, *, zone: tzinfo, registry: InterchangeRegistry, profile: DeljitProfile = DEFAULT_PROFILE
) -> ParseResult:
    """Every DELJIT message of every interchange in ``raw``; feed and part families are left for the caller."""
    ctx = _Context(raw=raw, zone=zone, profile=profile, registry=registry)
    envelopes = read_interchanges(tokenize(raw))
    for p in envelopes.problems:
        ctx.result.problem(p.index, p.reason, raw[p.start : p.end])
    for ic in envelopes.interchanges:
        _read_interchange(ctx, ic)
    return ctx.result


def _read_interchange(ctx: _Context, ic: Interchange) -> None:
    key = interchange_key(ic.sender, ic.control)
    if ic.control and ctx.registry.is_duplicate(ic.sender, ic.control):
        reason = f"interchange {key} was already received (repeated UNB control reference)"
        ctx.result.problem(ENVELOPE, reason, ctx.raw[ic.start : ic.end])
        return
    ctx.result.interchange_ids.append(key)
    before = len(ctx.result.problems)
    for p in ic.problems:
        ctx.result.problem(p.index, p.reason, ctx.raw[p.start : p.end])
    broken = {p.index for p in ic.problems if p.index >= 0}
    for msg in ic.messages:
        if msg.index not in broken:
            _read_message(ctx, msg, key)
    # Only a complete, clean interchange is remembered: a partner may resend a broken one with the same number.
    if ic.trailer is not None and ic.control and len(ctx.result.problems) == before:
        ctx.registry.remember(ic.sender, ic.control)


def _read_message(ctx: _Context, msg: Message, key: str) -> None:
    raw_msg = ctx.raw[msg.start : msg.end]
    try:
        if msg.type != "DELJIT":
            raise _Bad(f"message type {msg.type!r} is not DELJIT")
        header, groups = _split_groups(msg.body)
        if not groups:
            raise _Bad(f"message {msg.reference!r} has no SEQ group: no vehicle in it")
        head = _read_header(ctx, header)
    except _Bad as exc:
        ctx.result.problem(msg.index, str(exc), raw_msg)
        return
    for group in groups:
        source = ctx.raw[group[0].start : group[-1].end]
        try:
            ctx.result.add(_vehicle(ctx, group, head, (key, msg.reference), msg.index), source)
        except _Bad as exc:
            ctx.result.problem(msg.index, str(exc), source)


def _split_groups(body: list[Segment]) -> tuple[list[Segment], list[list[Segment]]]:
    """Header segments, then one segment list per SEQ group (each starting with its SEQ)."""
    starts = [i for i, seg in enumerate(body) if seg.tag == "SEQ"]
    if not starts:
        return body, []
    ends = [*starts[1:], len(body)]
    return body[: starts[0]], [body[a:b] for a, b in zip(starts, ends, strict=True)]


def _read_header(ctx: _Context, header: list[Segment]) -> _Header:
    bgm = next((s for s in header if s.tag == "BGM"), None)
    if bgm is None:
        raise _Bad("message has no BGM")
    function, firm = _function(ctx.profile, bgm)
    sent_at = _first_time(ctx, [s for s in header if s.tag == "DTM"], ctx.profile.document_dtm)
    places = _places(ctx.profile, [s for s in header if s.tag == "LOC"])
    return _Header(function=function, firm=firm, call_off=bgm.value(2), sent_at=sent_at, places=places)


def _function(profile: DeljitProfile, bgm: Segment) -> tuple[Function, bool]:
    document, code = bgm.value(1, 1), bgm.value(3)
    if document in profile.document_functions:
        return profile.document_functions[document]
    if not code:
        return "original", True  # 1225 is conditional: absent means an original transmission
    if code not in profile.functions:
        raise _Bad(f"BGM message function {code!r} is not one we map (see docs/message-formats.md)")
    return profile.functions[code]


def _places(profile: DeljitProfile, locs: list[Segment]) -> dict[str, str]:
    by_qualifier = {loc.value(1): loc.value(2, 1).strip() for loc in reversed(locs) if loc.value(2, 1).strip()}
    places: dict[str, str] = {}
    for target, qualifiers in profile.loc_fields.items():
        found = next((by_qualifier[q] for q in qualifiers if q in by_qualifier), None)
        if found is not None:
            places[target] = found
    return places


def _first_time(ctx: _Context, dtms: list[Segment], qualifiers: tuple[str, ...]) -> float | None:
    by_qualifier = {d.value(1, 1): d for d in reversed(dtms)}  # reversed: the first of a qualifier wins
    for q in qualifiers:
        if q in by_qualifier:
            return _dtm_time(ctx, by_qualifier[q])
    return None


def _dtm_time(ctx: _Context, dtm: Segment) -> float:
    text, code = dtm.value(1, 2).strip(), dtm.value(1, 3)
    code = code or _DTM_BY_LENGTH.get(len(text), "")
    fmt = DTM_FORMATS.get(code)
    if fmt is None:
        raise _Bad(f"DTM {dtm.value(1, 1)}: date/time format {code or '(none)'!r} is not one we read")
    try:
        return epoch_seconds(text, fmt, ctx.zone)
    except ValueError as exc:
        raise _Bad(f"DTM {dtm.value(1, 1)}: {exc}") from None


@dataclass
class _Line:
    ids: list[tuple[str, str]] = field(default_factory=list)  # (7143 item number type, item number)
    qty: str = ""


@dataclass
class _Group:
    seq: Segment
    gir: list[tuple[str, str]] = field(default_factory=list)  # (7405 qualifier, identity number)
    locs: list[Segment] = field(default_factory=list)
    dtms: list[Segment] = field(default_factory=list)
    line_dtms: list[Segment] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)


def _collect(group: list[Segment]) -> _Group:
    g = _Group(seq=group[0])
    for seg in group[1:]:
        _COLLECTORS.get(seg.tag, _ignore)(g, seg)
    return g


def _ignore(g: _Group, seg: Segment) -> None:
    """IMD, PAC, ALI, RFF, FTX ...: carried in the raw message, not needed for the canonical broadcast."""


def _on_gir(g: _Group, seg: Segment) -> None:
    g.gir += [(comp[1] if len(comp) > 1 else "", comp[0].strip()) for comp in seg.elements[1:] if comp and comp[0]]


def _on_loc(g: _Group, seg: Segment) -> None:
    g.locs.append(seg)


def _on_dtm(g: _Group, seg: Segment) -> None:
    (g.line_dtms if g.lines else g.dtms).append(seg)


def _on_lin(g: _Group, seg: Segment) -> None:
    g.lines.append(_Line())
    _on_item_ids(g, seg.elements[2:3])


def _on_pia(g: _Group, seg: Segment) -> None:
    if not g.lines:
        raise _Bad("PIA before any LIN")
    _on_item_ids(g, seg.elements[1:])


def _on_item_ids(g: _Group, composites: tuple[tuple[str, ...], ...]) -> None:
    g.lines[-1].ids += [(c[1] if len(c) > 1 else "", c[0].strip()) for c in composites if c and c[0].strip()]


def _on_qty(g: _Group, seg: Segment) -> None:
    if not g.lines:
        raise _Bad("QTY before any LIN")
    g.lines[-1].qty = seg.value(1, 2)


_COLLECTORS = {"GIR": _on_gir, "LOC": _on_loc, "DTM": _on_dtm, "LIN": _on_lin, "PIA": _on_pia, "QTY": _on_qty}


def _vehicle(
    ctx: _Context, group: list[Segment], head: _Header, names: tuple[str, str], index: int
) -> CanonicalBroadcast:
    """One SEQ group as a broadcast; ``names``: its interchange's key and its message's reference (UNH 0062)."""
    g = _collect(group)
    seq_text = g.seq.value(2, 1).strip()
    if not is_digits(seq_text) or len(seq_text) > 10:
        raise _Bad(f"SEQ sequence number {seq_text!r} is not a number")
    vehicle_id = _vehicle_id(ctx.profile, g)
    function = ctx.profile.seq_status.get(g.seq.value(1), head.function)
    parts = tuple(_part(ctx.profile, line, vehicle_id) for line in g.lines)
    if function in ("original", "change") and not parts:
        raise _Bad(f"vehicle {vehicle_id} (seq {seq_text}): a {function} call with no part (no LIN)")
    places = {**head.places, **_places(ctx.profile, g.locs)}
    required_at = _first_time(ctx, g.dtms, ctx.profile.required_dtm)
    if required_at is None:
        required_at = _first_time(ctx, g.line_dtms, ctx.profile.required_dtm)
    try:
        return CanonicalBroadcast(
            feed="",
            seq=int(seq_text),
            vehicle_id=vehicle_id,
            function=function,
            firm=head.firm,
            parts=parts,
            required_at=required_at,
            sent_at=head.sent_at,
            call_off=head.call_off,
            reporting_point=ctx.profile.reporting_points.get(g.seq.value(2, 2), ""),
            interchange=names[0],
            message=names[1],
            raw_index=index,
            line=places.get("line", ""),
            unloading_point=places.get("unloading_point", ""),
        )
    except ValidationError as exc:
        raise _Bad(f"vehicle {vehicle_id}: {exc.errors()[0]['msg']}") from None


def _vehicle_id(profile: DeljitProfile, g: _Group) -> str:
    by_qualifier = dict(reversed(g.gir))
    for q in profile.vehicle_id_qualifiers:
        if by_qualifier.get(q):
            return by_qualifier[q]
    if g.gir:
        return g.gir[0][1]
    raise _Bad(f"SEQ {g.seq.value(2, 1)!r} has no vehicle id (no GIR identity number)")


def _part(profile: DeljitProfile, line: _Line, vehicle_id: str) -> PartCall:
    if not line.ids:
        raise _Bad(f"vehicle {vehicle_id}: LIN without an item number")
    by_type = dict(reversed(line.ids))
    number = next((by_type[t] for t in profile.part_qualifiers if by_type.get(t)), line.ids[0][1])
    try:
        qty = parse_qty(line.qty) if line.qty else 1  # QTY is conditional in SG7: a JIS call is one unit
    except ValueError as exc:
        raise _Bad(f"vehicle {vehicle_id}, part {number}: {exc}") from None
    return PartCall(part=number, qty=qty)
