"""EDIFACT DELJIT (D97A, Odette SYNCRO / VDA 4986 style JIS call-offs) -> canonical broadcasts.

A DELJIT message is a header (BGM, DTM, NAD/LOC ...) and then one SEQ group per vehicle:
``SEQ`` (status + sequence number : source), ``DTM`` (times), ``GIR`` (vehicle id / production number),
``LOC`` (unloading point, point of use), then per part ``LIN`` + ``PIA`` (item numbers) and ``QTY``.
Every code this module reads is looked up in a ``DeljitProfile`` (tables, not branches), because partners
assign qualifiers in their own guides; ``DEFAULT_PROFILE`` is documented in docs/message-formats.md.

Quarantine granularity: an envelope error (UNT count or reference, a broken segment, truncation) or a bad header
quarantines that message and nothing else; a bad SEQ group quarantines only that vehicle (the others of the
message still pass). Every reason names the interchange, the message reference and, where it can, the segment
(number and byte offset), the sequence number and the vehicle. A test interchange (UNB 0035 = 1) is refused
message by message unless the profile says ``test_indicator="accept"``.

Streaming: ``iter_deljit`` reads a ``Source`` and yields broadcasts and problems one message at a time, so a
50 MB catch-up is never held whole. Pure: no files, no clock, never raises for bad input.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import BinaryIO, Literal

from pydantic import ValidationError

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
from app.feed.formats.edifact import (
    Closed,
    EnvelopeProblem,
    Interchange,
    Message,
    Opened,
    ServiceChars,
    read_edifact,
    segments_of,
)
from app.feed.formats.source import InMemory, Source


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
    # A test interchange (UNB 0035 = 1) is not a production build order: refused by default (a Problem each
    # message); "accept" reads it like any other (a later step routes it to a test feed).
    test_indicator: Literal["refuse", "accept"] = "refuse"


DEFAULT_PROFILE = DeljitProfile()

# DTM 2379 date/time format code -> strptime format (wall-clock time of the sender's plant).
DTM_FORMATS = {"102": "%Y%m%d", "203": "%Y%m%d%H%M", "204": "%Y%m%d%H%M%S", "101": "%y%m%d", "201": "%y%m%d%H%M"}
_DTM_BY_LENGTH = {8: "102", 12: "203", 14: "204", 6: "101", 10: "201"}


class _Bad(Exception):
    """A message or SEQ group that must be quarantined; the text is the reason."""


Elements = Sequence[Sequence[str]]


def _v(elements: Elements, element: int, component: int = 1) -> str:
    """Element ``element`` (1-based, after the tag), component ``component``; "" if absent."""
    if element > len(elements):
        return ""
    comps = elements[element - 1]
    return comps[component - 1] if component <= len(comps) else ""


@dataclass
class _Header:
    function: Function
    firm: bool
    call_off: str
    sent_at: float | None
    places: dict[str, str]


@dataclass
class _Context:
    source: Source
    zone: tzinfo
    profile: DeljitProfile
    registry: InterchangeRegistry
    info: StreamInfo
    finish: Finish = PLAIN
    key: str = ""
    troubled: bool = False  # the open interchange had a problem: it is not remembered as received
    # read once per distinct text (a catch-up repeats them): header DTM/LOC -> (sent_at, places); vehicle LOCs
    headers: dict[tuple[tuple[str, ...], object], tuple[float | None, dict[str, str]]] = field(default_factory=dict)
    places: dict[tuple[tuple[str, ...], object], dict[str, str]] = field(default_factory=dict)


def parse_deljit(
    raw: bytes, *, zone: tzinfo, registry: InterchangeRegistry, profile: DeljitProfile = DEFAULT_PROFILE
) -> ParseResult:
    """Every DELJIT message of every interchange in ``raw``; feed and part families are left for the caller."""
    info = StreamInfo(format="edifact-deljit")
    return collect(iter_deljit(raw, zone=zone, registry=registry, profile=profile, info=info), info)


def iter_deljit(
    data: InMemory | BinaryIO | Source,
    *,
    zone: tzinfo,
    registry: InterchangeRegistry,
    profile: DeljitProfile = DEFAULT_PROFILE,
    info: StreamInfo | None = None,
    finish: Finish = PLAIN,
) -> Iterator[Item]:
    """Broadcasts (with their raw bytes) and problems of every DELJIT message, in file order, as a stream.

    ``finish`` fills in the feed and part families as each broadcast is built (none by default)."""
    source = data if isinstance(data, Source) else Source(data)
    ctx = _Context(source, zone, profile, registry, info or StreamInfo(format="edifact-deljit"), finish)
    ctx.info.format = "edifact-deljit"
    for event in read_edifact(source):
        if isinstance(event, Message):
            ic = event.interchange
            if ic is not None and ic.skip:
                continue
            for item in _read_message(ctx, event):
                if isinstance(item, Problem):
                    ctx.troubled = True
                yield item
        elif isinstance(event, EnvelopeProblem):
            ctx.troubled = True
            raw = event.raw if event.raw is not None else source.bytes(event.start, event.end)
            yield Problem(event.index, event.reason, raw)
        elif isinstance(event, Opened):
            yield from _opened(ctx, event.interchange)
        elif isinstance(event, Closed):
            yield from _closed(ctx, event.interchange, event.complete)


def _opened(ctx: _Context, ic: Interchange) -> Iterator[Item]:
    ctx.key, ctx.troubled = interchange_key(ic.sender, ic.control), False
    if ic.control and ctx.registry.is_duplicate(ic.sender, ic.control):
        ic.skip = True
        return
    ctx.info.interchange_ids.append(ctx.key)
    yield from ()


def _closed(ctx: _Context, ic: Interchange, complete: bool) -> Iterator[Item]:
    if ic.skip:
        reason = f"interchange {ctx.key} was already received (repeated UNB control reference)"
        yield Problem(ENVELOPE, reason, ctx.source.bytes(ic.start, ic.end))
        return
    # Only a complete, clean interchange is remembered: a partner may resend a broken one with the same number.
    if complete and ic.control and not ctx.troubled:
        ctx.registry.remember(ic.sender, ic.control)


def _read_message(ctx: _Context, msg: Message) -> Iterator[Item]:
    source = ctx.source
    if msg.broken:
        yield Problem(msg.index, msg.broken, source.bytes(msg.start, msg.end))
        return
    ic = msg.interchange
    try:
        if msg.type != "DELJIT":
            raise _Bad(f"message type {msg.type!r} is not DELJIT")
        if ic is not None and ic.test and ctx.profile.test_indicator == "refuse":
            raise _Bad("test interchange refused (UNB 0035 test indicator 1): not a production build order")
        if msg.spilled:
            segments = _Peek((body, a, b, n) for n, (body, a, b, _bad) in enumerate(segments_of(source, msg), start=2))
            header = _header_segments(segments, msg.chars.element)
            groups: Iterator[list[_Seg]] = _groups(segments, msg.chars.element)
        else:
            header, groups = _split(msg)
        head = _read_header(ctx, header, msg)
    except _Bad as exc:
        yield Problem(msg.index, f"{exc} [{msg.where()}]", source.bytes(msg.start, msg.end))
        return
    seen = False
    for group in groups:
        seen = True
        raw = source.bytes(group[0][1], group[-1][2])
        try:
            yield _vehicle(ctx, group, head, msg), raw
        except _Bad as exc:
            yield Problem(msg.index, str(exc), raw)
    if not seen:
        reason = f"message {msg.reference!r} has no SEQ group: no vehicle in it [{msg.where()}]"
        yield Problem(msg.index, reason, source.bytes(msg.start, msg.end))


_Seg = tuple[str, int, int, int]  # (text, start, end, segment number in the message: UNH = 1)


def _split(msg: Message) -> tuple[list[_Seg], Iterator[list[_Seg]]]:
    """Header segments and SEQ groups of a message held whole (the common case: plain list slicing)."""
    segs = list(zip(msg.bodies, msg.starts, msg.ends, range(2, len(msg.bodies) + 2), strict=True))
    seq = "SEQ" + msg.chars.element
    at = [i for i, body in enumerate(msg.bodies) if body.startswith(seq)]
    if not at:
        return segs, iter(())
    ends = [*at[1:], len(segs)]
    return segs[: at[0]], (segs[a:b] for a, b in zip(at, ends, strict=True))


class _Peek:
    """A spilled message's segments as an iterator that can give one back (the SEQ that ends the header)."""

    def __init__(self, it: Iterator[_Seg]) -> None:
        self.it: Iterator[_Seg] = it
        self.back: _Seg | None = None

    def __iter__(self) -> _Peek:
        return self

    def __next__(self) -> _Seg:
        if self.back is not None:
            seg, self.back = self.back, None
            return seg
        return next(self.it)


def _header_segments(segments: _Peek, element: str) -> list[_Seg]:
    seq = "SEQ" + element
    header: list[_Seg] = []
    for seg in segments:
        if seg[0].startswith(seq):
            segments.back = seg
            break
        header.append(seg)
    return header


def _groups(segments: _Peek, element: str) -> Iterator[list[_Seg]]:
    """One segment list per SEQ group (each starting with its SEQ), read as the segments come."""
    seq = "SEQ" + element
    group: list[_Seg] = []
    for seg in segments:
        if seg[0].startswith(seq) and group:
            yield group
            group = []
        group.append(seg)
    if group:
        yield group


def _read_header(ctx: _Context, header: list[_Seg], msg: Message) -> _Header:
    split = msg.chars.split
    bgm = next((split(s[0]) for s in header if s[0].startswith("BGM")), None)
    if bgm is None:
        raise _Bad("message has no BGM")
    function, firm = _function(ctx.profile, bgm)
    # The rest of a header (document date, places) repeats message after message in a catch-up: read it once.
    rest = tuple(s[0] for s in header if s[0][:3] in _HEADER_REST)
    known = ctx.headers.get((rest, msg.chars))
    if known is None:
        wanted = [(body[:3], split(body)) for body in rest]
        sent_at = _first_time(ctx, [el for tag, el in wanted if tag == "DTM"], ctx.profile.document_dtm)
        locs = [el for tag, el in wanted if tag == "LOC"]
        known = (sent_at, _places(ctx.profile, locs) if locs else {})
        if len(ctx.headers) > 1000:
            ctx.headers.clear()
        ctx.headers[(rest, msg.chars)] = known
    return _Header(function=function, firm=firm, call_off=_v(bgm, 2), sent_at=known[0], places=known[1])


_HEADER_REST = frozenset({"DTM", "LOC"})


def _function(profile: DeljitProfile, bgm: Elements) -> tuple[Function, bool]:
    document, code = _v(bgm, 1, 1), _v(bgm, 3)
    if document in profile.document_functions:
        return profile.document_functions[document]
    if not code:
        return "original", True  # 1225 is conditional: absent means an original transmission
    if code not in profile.functions:
        raise _Bad(f"BGM message function {code!r} is not one we map (see docs/message-formats.md)")
    return profile.functions[code]


def _places(profile: DeljitProfile, locs: Sequence[Elements]) -> dict[str, str]:
    by_qualifier = {_v(loc, 1): _v(loc, 2).strip() for loc in reversed(locs) if _v(loc, 2).strip()}
    places: dict[str, str] = {}
    for target, qualifiers in profile.loc_fields.items():
        found = next((by_qualifier[q] for q in qualifiers if q in by_qualifier), None)
        if found is not None:
            places[target] = found
    return places


def _first_time(ctx: _Context, dtms: Sequence[Elements], qualifiers: tuple[str, ...]) -> float | None:
    by_qualifier = {d[0][0]: d for d in reversed(dtms) if d}  # reversed: the first of a qualifier wins
    for q in qualifiers:
        if q in by_qualifier:
            return _dtm_time(ctx, by_qualifier[q])
    return None


def _dtm_time(ctx: _Context, dtm: Elements) -> float:
    c506 = dtm[0]
    text, code = (c506[1].strip() if len(c506) > 1 else ""), (c506[2] if len(c506) > 2 else "")
    code = code or _DTM_BY_LENGTH.get(len(text), "")
    fmt = DTM_FORMATS.get(code)
    if fmt is None:
        raise _Bad(f"DTM {_v(dtm, 1)}: date/time format {code or '(none)'!r} is not one we read")
    try:
        return epoch_seconds(text, fmt, ctx.zone)
    except ValueError as exc:
        raise _Bad(f"DTM {_v(dtm, 1)}: {exc}") from None


def _vehicle(ctx: _Context, group: list[_Seg], head: _Header, msg: Message) -> CanonicalBroadcast:
    split, profile = msg.chars.split, ctx.profile
    seq_seg = group[0]
    seq_el = split(seq_seg[0])
    seq_text = _v(seq_el, 2, 1).strip()
    vehicle_id = ""
    gir: list[tuple[str, str]] = []  # (7405 qualifier, identity number)
    locs: list[str] = []  # LOC segments as text: their places are read once per distinct text
    dtms: list[Elements] = []
    line_dtms: list[Elements] = []
    lines: list[tuple[list[tuple[str, str]], str]] = []  # ((7143 item number type, number)..., qty text)
    first_choice = profile.part_qualifiers[0] if profile.part_qualifiers else None
    try:
        for body, _start, _end, _n in group[1:]:
            tag = body[:3]
            if tag not in _USED:
                continue  # IMD, PAC, ALI, RFF, FTX ...: carried in the raw message, not needed here
            if tag == "PIA" and lines and any(t == first_choice for t, _ in lines[-1][0]):
                continue  # the line already has the most wanted number: a PIA cannot change it
            if tag == "LOC":
                locs.append(body)
                continue
            el = split(body)
            if tag == "GIR":
                gir += [(c[1] if len(c) > 1 else "", c[0].strip()) for c in el[1:] if c and c[0]]
            elif tag == "LIN":
                lines.append(([(c[1] if len(c) > 1 else "", c[0].strip()) for c in el[2:3] if c and c[0].strip()], ""))
            elif tag == "PIA":
                if not lines:
                    raise _Bad("PIA before any LIN")
                lines[-1][0].extend((c[1] if len(c) > 1 else "", c[0].strip()) for c in el[1:] if c and c[0].strip())
            elif tag == "QTY":
                if not lines:
                    raise _Bad("QTY before any LIN")
                lines[-1] = (lines[-1][0], _v(el, 1, 2))
            else:
                (line_dtms if lines else dtms).append(el)
        if not is_digits(seq_text) or len(seq_text) > 10:
            raise _Bad(f"SEQ sequence number {seq_text!r} is not a number")
        vehicle_id = _vehicle_id(profile, gir, seq_text)
        function = profile.seq_status.get(_v(seq_el, 1), head.function)
        parts = tuple(_part(ctx, ids, qty, vehicle_id) for ids, qty in lines)
        if function in ("original", "change") and not parts:
            raise _Bad(f"vehicle {vehicle_id} (seq {seq_text}): a {function} call with no part (no LIN)")
        places = {**head.places, **_vehicle_places(ctx, tuple(locs), msg.chars)} if locs else head.places
        required_at = _first_time(ctx, dtms, profile.required_dtm)
        if required_at is None and line_dtms:
            required_at = _first_time(ctx, line_dtms, profile.required_dtm)
    except _Bad as exc:
        raise _Bad(f"{exc} [{_where(msg, seq_seg, seq_text, vehicle_id)}]") from None
    line = places.get("line", "")
    try:
        return CanonicalBroadcast(
            feed=ctx.finish.feed(line, test=msg.interchange is not None and msg.interchange.test),
            seq=int(seq_text),
            vehicle_id=vehicle_id,
            function=function,
            firm=head.firm,
            parts=parts,
            required_at=required_at,
            sent_at=head.sent_at,
            call_off=head.call_off,
            reporting_point=profile.reporting_points.get(_v(seq_el, 2, 2), ""),
            interchange=ctx.key,
            message=msg.reference,
            raw_index=msg.index,
            line=line,
            unloading_point=places.get("unloading_point", ""),
        )
    except ValidationError as exc:
        where = _where(msg, seq_seg, seq_text, vehicle_id)
        raise _Bad(f"vehicle {vehicle_id}: {exc.errors()[0]['msg']} [{where}]") from None


def _vehicle_places(ctx: _Context, locs: tuple[str, ...], chars: ServiceChars) -> dict[str, str]:
    known = ctx.places.get((locs, chars))
    if known is None:
        known = _places(ctx.profile, [chars.split(body) for body in locs])
        if len(ctx.places) > 10_000:
            ctx.places.clear()
        ctx.places[(locs, chars)] = known
    return known


def _where(msg: Message, seq: _Seg, seq_text: str, vehicle_id: str) -> str:
    vehicle = f", vehicle {vehicle_id}" if vehicle_id else ""
    return f"{msg.where(seq[3], seq[1], 'SEQ')}, seq {seq_text}{vehicle}"


_USED = frozenset({"GIR", "LOC", "DTM", "LIN", "PIA", "QTY"})


def _vehicle_id(profile: DeljitProfile, gir: list[tuple[str, str]], seq_text: str) -> str:
    by_qualifier = dict(reversed(gir))
    for q in profile.vehicle_id_qualifiers:
        if by_qualifier.get(q):
            return by_qualifier[q]
    if gir:
        return gir[0][1]
    raise _Bad(f"SEQ {seq_text!r} has no vehicle id (no GIR identity number)")


def _part(ctx: _Context, ids: list[tuple[str, str]], qty_text: str, vehicle_id: str) -> PartCall:
    if not ids:
        raise _Bad(f"vehicle {vehicle_id}: LIN without an item number")
    number = ids[0][1]
    for wanted in ctx.profile.part_qualifiers:  # most wanted type first; the first number of that type
        found = next((n for t, n in ids if t == wanted and n), None)
        if found is not None:
            number = found
            break
    try:
        qty = parse_qty(qty_text) if qty_text else 1  # QTY is conditional in SG7: a JIS call is one unit
        return ctx.finish.part(number, qty)
    except ValueError as exc:  # pydantic's ValidationError is one too
        raise _Bad(f"vehicle {vehicle_id}, part {number}: {exc}") from None
