"""ANSI X12 866 Production Sequence -> canonical broadcasts, with the ISA/GS/ST envelope checked, read as a stream.

Separators are whatever the ISA declares (X12.5): the ISA is fixed width, so the element separator is the
character at position 3, the component separator ISA16 at position 104 and the segment terminator at 105.
A sender that trimmed the ISA's padding is still read (the 16th element separator is found by counting).
CR/LF after a terminator is ignored; several interchanges may follow each other, each with its own separators;
NUL / blank padding or an end-of-file mark (^Z) after the last IEA is ignored.

866 mapping (our choice, docs/message-formats.md; partners differ, so the codes are an ``X12Profile``):
  BSS01 purpose -> function; BSS02 -> call-off number; GS04/GS05 -> sent_at.
  Each DTM loop is one vehicle: DTM01 002 (delivery requested) with DTM02 date, DTM03 time, DTM04 time code
  -> required_at; REF*JS (job sequence number) -> seq; REF*VT (motor vehicle id) -> vehicle id;
  REF*DK (dock) -> unloading point; REF*LF (assembly line feed location) -> line (a header REF, in the N1
  loop, is the default for every vehicle); each LIN (VP vendor's / BP buyer's part number) + QTY -> a part.
Checks: SE01 segment count, SE02/ST02, GE01/GE02, IEA01/IEA02, CTT01 line-item count when present. A test
interchange (ISA15 = T) is refused set by set unless the profile says ``test_indicator="accept"``. A DTM04 time
code we do not know is a problem naming it, never the plant's zone by default.

Recovery is per transaction set: a broken segment (a control character, a bad tag, a lost terminator) breaks the
set that holds it; the next ST, even one glued to the segment before it, starts the next set. A bad DTM loop
quarantines that vehicle only. Every reason names the interchange, the set's control number and, where it can,
the segment (number and byte offset), the sequence number and the vehicle.

Pure and streaming (``iter_x12`` over a ``Source``: one transaction set in memory at a time); never raises for
bad input.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, timedelta, timezone, tzinfo
from functools import lru_cache
from itertools import compress, count, repeat
from typing import BinaryIO, Literal, NamedTuple
from zoneinfo import ZoneInfo

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
from app.feed.formats.source import BLANKS, BOM, InMemory, Region, Source, Syntax, only_padding, scan

LOCAL = "LT"  # DTM04 "local time": the plant's own zone, said explicitly


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
    # DTM04 time codes (element 623) this partner uses beyond TIME_CODES, e.g. {"AT": "America/Halifax"}.
    time_codes: Mapping[str, str] = field(default_factory=dict)
    # ISA15 = T (test data) is not a production build order: refused by default, "accept" reads it as any other.
    test_indicator: Literal["refuse", "accept"] = "refuse"


DEFAULT_PROFILE = X12Profile()

# DTM04 time code (element 623) -> zone. Absent or LT (local time): the plant's own zone. Any other code is a
# problem naming it (a partner's own codes go in X12Profile.time_codes).
_FIXED = {"ES": -5, "ED": -4, "CS": -6, "CD": -5, "MS": -7, "MD": -6, "PS": -8, "PD": -7, "AS": -4, "AD": -3}
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

    @property
    def syntax(self) -> Syntax:
        return _syntax(self)


@lru_cache(maxsize=32)
def _syntax(chars: X12Chars) -> Syntax:
    return Syntax(chars.element, chars.component, chars.terminator, None, tag="[A-Z][A-Z0-9]{1,2}")


@lru_cache(maxsize=32)
def _anchors(chars: X12Chars) -> re.Pattern[str]:
    """An ST (with a three-digit set id) or an ISA: where a transaction set or interchange starts, even glued."""
    e, t = re.escape(chars.element), re.escape(chars.terminator)
    st = f"ST{e}[0-9]{{3}}{e}[^{e}{t}]{{4,9}}(?:{e}[^{e}{t}]*)?{t}"  # ST01 set id, ST02 control number (4-9)
    return re.compile(f"{st}|ISA{e}[0-9]{{2}}{e}")


class Segment(NamedTuple):
    """One segment (a tuple: thousands are made per second)."""

    tag: str
    elements: tuple[str, ...]
    start: int
    end: int

    @classmethod
    def read(cls, body: str, start: int, end: int, element: str) -> Segment:
        parts = body.split(element)
        return cls(parts[0].strip(), tuple(parts[1:]), start, end)

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
    if (
        not terminator
        or len({element, component, terminator}) != 3
        or any(c.isalnum() or c in " \t\r" for c in (element, component))
        or terminator.isalnum()
    ):
        raise X12SyntaxError(f"ISA declares unusable separators {element!r} {component!r} {terminator!r}")
    return chars, at + 3


def _nth(text: str, char: str, start: int, n: int) -> int:
    at = start
    for _ in range(n - 1):
        at = text.find(char, at + 1, start + 200)
        if at < 0:
            raise X12SyntaxError("ISA has fewer than 16 elements")
    return at


# -- the envelope ----------------------------------------------------------------------------------------------
@dataclass
class Interchange:
    isa: Segment
    chars: X12Chars
    start: int
    end: int = 0
    groups: int = 0
    head: bytes = b""  # the ISA as received (kept: the file's buffer moves on)
    troubled: bool = False
    skip: bool = False  # a repeat: one problem with its bytes at the end

    @property
    def sender(self) -> str:
        return self.isa.value(6)

    @property
    def control(self) -> str:
        return self.isa.value(13)

    @property
    def test(self) -> bool:
        return self.isa.value(15) == "T"

    @property
    def key(self) -> str:
        return interchange_key(self.sender, self.control)


@dataclass
class Transaction:
    header: Segment  # ST
    interchange: Interchange
    group: Segment | None = None  # GS
    index: int = 0
    bodies: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    trailer: Segment | None = None  # SE
    end: int = 0
    count: int = 0
    broken: str = ""

    @property
    def start(self) -> int:
        return self.header.start

    @property
    def control(self) -> str:
        return self.header.value(2)

    def where(self, number: int = 0, offset: int = -1, tag: str = "") -> str:
        seg = f", segment {number} {tag} at byte {offset}" if number else ""
        return f"interchange {self.interchange.key}, transaction set {self.control!r}{seg}"

    def break_(self, reason: str) -> None:
        if not self.broken:
            self.broken = reason


@dataclass
class _Ctx:
    source: Source
    zone: tzinfo
    profile: X12Profile
    registry: InterchangeRegistry
    info: StreamInfo
    finish: Finish = PLAIN
    count: int = 0
    out: list[Item] = field(default_factory=list)


def parse_x12(
    raw: bytes, *, zone: tzinfo, registry: InterchangeRegistry, profile: X12Profile = DEFAULT_PROFILE
) -> ParseResult:
    """Every 866 transaction set of every interchange in ``raw``; feed and families are left for the caller."""
    info = StreamInfo(format="x12-866")
    return collect(iter_x12(raw, zone=zone, registry=registry, profile=profile, info=info), info)


def iter_x12(
    data: InMemory | BinaryIO | Source,
    *,
    zone: tzinfo,
    registry: InterchangeRegistry,
    profile: X12Profile = DEFAULT_PROFILE,
    info: StreamInfo | None = None,
    finish: Finish = PLAIN,
) -> Iterator[Item]:
    """Broadcasts (with their raw bytes) and problems of every 866 transaction set, in file order, as a stream.

    ``finish`` fills in the feed and part families as each broadcast is built (none by default)."""
    source = data if isinstance(data, Source) else Source(data)
    ctx = _Ctx(source, zone, profile, registry, info or StreamInfo(), finish)
    ctx.info.format = "x12-866"
    source.ensure(3)
    pos = len(BOM) if source.bytes(0, 3) == BOM else 0
    while True:
        source.keep(pos)
        source.ensure(pos + 4096)
        head = source.text(pos, pos + 4096)
        lead = len(head) - len(head.lstrip(BLANKS))
        if lead == len(head) and source.eof and pos + lead >= source.end:
            return
        if head[lead : lead + 3] != "ISA":
            rest = source.text(pos + lead, source.end) if source.eof else ""
            if source.eof and only_padding(rest):
                return
            source.ensure(source.end + (1 << 62))  # the rest of the file is the problem's bytes
            reason = f"expected ISA at byte {pos + lead}, found {head[lead : lead + 3]!r}"
            yield Problem(ENVELOPE, reason, source.bytes(pos + lead, source.end))
            return
        pos = yield from _interchange(ctx, pos + lead, head[lead:])


def _interchange(ctx: _Ctx, pos: int, head: str) -> Generator[Item, None, int]:
    """One interchange from the ISA at ``pos``; returns where the next one may start."""
    source = ctx.source
    try:
        chars, isa_len = isa_chars(head, 0)
    except X12SyntaxError as exc:
        source.ensure(source.end + (1 << 62))
        yield Problem(ENVELOPE, f"{exc} [byte {pos}]", source.bytes(pos, source.end))
        return source.end
    isa = Segment.read(head[: isa_len - 1], pos, pos + isa_len, chars.element)
    ic = Interchange(isa=isa, chars=chars, start=pos, end=pos + isa_len, head=source.bytes(pos, pos + isa_len))
    if ctx.registry.is_duplicate(ic.sender, ic.control):
        ic.skip = True
    else:
        ctx.info.interchange_ids.append(ic.key)
    reader = _Reader(ctx, ic)
    pos = pos + isa_len
    while not reader.done:
        source.keep(ic.start if ic.skip else reader.keep(pos))
        region = scan(source, pos, chars.syntax, _anchors(chars))
        reader.region(region)
        pos = reader.next if reader.done else region.next
        if not reader.done and source.eof and pos >= source.end:
            reader.finish(region.tail, region.next - len(region.tail))
            pos = source.end
        if not ic.skip:
            yield from ctx.out
        ctx.out = []
    if ic.skip:
        reason = f"interchange {ic.key} was already received (repeated ISA13)"
        yield Problem(ENVELOPE, reason, source.bytes(ic.start, ic.end))
    elif reader.complete and not ic.troubled:
        ctx.registry.remember(ic.sender, ic.control)
    return pos


class _Reader:
    """The segments of one interchange: transaction sets in, items out (``ctx.out``)."""

    def __init__(self, ctx: _Ctx, ic: Interchange) -> None:
        self.ctx, self.ic = ctx, ic
        self.tx: Transaction | None = None
        self.group: Segment | None = None
        self.group_raw = b""
        self.group_sets = 0
        self.done = self.complete = False
        self.next = 0
        self.stray: list[tuple[int, int, str]] = []

    def keep(self, pos: int) -> int:
        """Where the bytes still needed start: the open transaction set, else a run of stray segments."""
        if self.tx is not None:
            return self.tx.start
        return min(pos, self.stray[0][0]) if self.stray else pos

    def problem(self, index: int, reason: str, start: int, end: int) -> None:
        self.ic.troubled = True
        self.ctx.out.append(Problem(index, reason, self.ctx.source.bytes(start, end)))

    def region(self, region: Region) -> None:
        bodies, bad = region.bodies, region.bad
        e = self.ic.chars.element
        marks: Iterator[int] = compress(count(), map(str.startswith, bodies, repeat(_ENVELOPE_STARTS)))
        if bad:
            marks = iter(sorted({*marks, *bad}))
        i = 0
        for j in marks:
            self._run(region, i, j)
            i = j + 1
            body, start, end = bodies[j], region.starts[j], region.ends[j]
            tag = body.split(e, 1)[0].strip()
            if j in bad or (tag not in _HANDLERS and tag != "ISA"):
                self._run(region, j, j + 1)
                continue
            self._flush_stray()
            if tag == "ISA":
                self._cut(f"a new ISA at byte {start} before this interchange's IEA")
                self.next, self.done = start, True
                return
            _HANDLERS[tag](self, Segment.read(body, start, end, e))
            self.ic.end = max(self.ic.end, end)
            if self.done:
                self.next = end
                return
        self._run(region, i, len(bodies))
        if bodies:
            self.ic.end = max(self.ic.end, region.ends[-1])

    def _run(self, region: Region, i: int, j: int) -> None:
        if i >= j:
            return
        tx = self.tx
        if tx is None:
            self.stray += [(region.starts[k], region.ends[k], region.bodies[k][:3]) for k in range(i, j)]
            if len(self.stray) >= 10_000:
                self._flush_stray()
            return
        for k in (k for k in region.bad if i <= k < j):
            where = tx.where(
                tx.count + k - i + 2, region.starts[k], region.bodies[k][:3].split(self.ic.chars.element)[0]
            )
            tx.break_(f"{region.bad[k]} [{where}]")
        tx.count += j - i
        tx.bodies += region.bodies[i:j]
        tx.starts += region.starts[i:j]
        tx.ends += region.ends[i:j]

    def _flush_stray(self) -> None:
        if not self.stray:
            return
        tags = " ".join(dict.fromkeys(t.split(self.ic.chars.element)[0] for _, _, t in self.stray))
        reason = f"{len(self.stray)} segment(s) {tags} outside a transaction set [interchange {self.ic.key}]"
        self.problem(ENVELOPE, reason, self.stray[0][0], self.stray[-1][1])
        self.stray = []

    def gs(self, seg: Segment) -> None:
        self._cut(f"GS at byte {seg.start}")
        self._close_group(None)
        self.group, self.group_sets = seg, 0
        self.group_raw = self.ctx.source.bytes(seg.start, seg.end)  # kept: the buffer moves on
        self.ic.groups += 1

    def st(self, seg: Segment) -> None:
        self._cut(f"the next ST at byte {seg.start}")
        self.tx = Transaction(header=seg, interchange=self.ic, group=self.group, index=self.ctx.count, end=seg.end)
        self.ctx.count += 1

    def se(self, seg: Segment) -> None:
        tx = self.tx
        if tx is None:
            self.stray.append((seg.start, seg.end, "SE"))
            return
        tx.trailer, tx.end = seg, seg.end
        counted = tx.count + 2  # SE01 counts ST and SE too
        where = tx.where(counted, seg.start, "SE")
        if not _same_number(seg.value(1), counted):
            tx.break_(f"SE says {seg.value(1) or 'nothing'} segments, the transaction set has {counted} [{where}]")
        elif seg.value(2) != tx.control:
            tx.break_(f"SE02 {seg.value(2)!r} does not match ST02 {tx.control!r} [{where}]")
        self._close_tx()

    def ge(self, seg: Segment) -> None:
        self._cut(f"GE at byte {seg.start}")
        self._close_group(seg)

    def iea(self, seg: Segment) -> None:
        self._cut(f"IEA at byte {seg.start}")
        self._close_group(None)
        ic = self.ic
        if not _same_number(seg.value(1), ic.groups) or seg.value(2) != ic.control:
            said = f"IEA says {seg.value(1)!r} groups / control {seg.value(2)!r}"
            reason = f"{said}, counted {ic.groups} / ISA13 {ic.control!r} [interchange {ic.key}]"
            self.problem(ENVELOPE, reason, seg.start, seg.end)
        self.done = self.complete = True

    def finish(self, tail: str, at: int) -> None:
        """The file ended before the IEA."""
        if tail and not only_padding(tail):
            body = tail.lstrip(BLANKS)
            start = at + len(tail) - len(body)
            reason = f"segment {body[:3]!r} at byte {start} has no terminator (truncated?)"
            if self.tx is not None:
                self.tx.count += 1
                self.tx.break_(f"{reason} [{self.tx.where(self.tx.count + 1, start, body[:3])}]")
                self.tx.end = at + len(tail)
            else:
                self.stray.append((start, at + len(tail), body[:3]))
        self._flush_stray()
        self._cut("the end of the file")
        self._close_group(None, closing=False)
        reason = f"interchange {self.ic.key} has no IEA (truncated?) [from byte {self.ic.start}]"
        self.ic.troubled = True  # the sets proved themselves (SE): the problem holds the ISA
        self.ctx.out.append(Problem(ENVELOPE, reason, self.ic.head))
        self.done = True

    def _cut(self, by: str) -> None:
        """A transaction set still open: it has no SE."""
        tx = self.tx
        if tx is None:
            return
        tx.end = max(tx.end, tx.ends[-1] if tx.ends else tx.end)
        tx.break_(f"transaction set {tx.control!r} has no SE before {by} (truncated?) [{tx.where()}]")
        self._close_tx()

    def _close_tx(self) -> None:
        tx, self.tx = self.tx, None
        assert tx is not None
        self.group_sets += 1
        self.ic.end = max(self.ic.end, tx.end)
        if self.ic.skip:
            return
        if tx.group is None:
            reason = f"transaction set outside a functional group (no GS) [{tx.where()}]"
            self.problem(ENVELOPE, reason, tx.start, tx.end)
        before = len(self.ctx.out)
        _transaction(self.ctx, tx)
        if any(isinstance(item, Problem) for item in self.ctx.out[before:]):
            self.ic.troubled = True

    def _close_group(self, ge: Segment | None, closing: bool = True) -> None:
        gs = self.group
        if gs is None:
            if ge is not None:
                self.problem(ENVELOPE, f"GE without GS [interchange {self.ic.key}]", ge.start, ge.end)
            return
        where = f"interchange {self.ic.key}, group {gs.value(6)!r}"
        if ge is None:
            if closing or self.group_sets:
                self.ic.troubled = True
                self.ctx.out.append(Problem(ENVELOPE, f"group {gs.value(6)!r} has no GE [{where}]", self.group_raw))
        elif not _same_number(ge.value(1), self.group_sets) or ge.value(2) != gs.value(6):
            said = f"GE says {ge.value(1)!r} sets / control {ge.value(2)!r}"
            reason = f"{said}, counted {self.group_sets} / GS06 {gs.value(6)!r} [{where}]"
            self.problem(ENVELOPE, reason, ge.start, ge.end)
        self.group, self.group_sets = None, 0


_ENVELOPE_STARTS = ("IS", "GS", "ST", "SE", "GE", "IE")
_HANDLERS = {"GS": _Reader.gs, "ST": _Reader.st, "SE": _Reader.se, "GE": _Reader.ge, "IEA": _Reader.iea}


def _same_number(text: str, n: int) -> bool:
    """X12 counts (SE01, GE01, IEA01, CTT01) compared as numbers: '0012' is 12."""
    return is_digits(text) and len(text) <= 9 and int(text) == n


# -- the 866 transaction set --------------------------------------------------------------------------------
@dataclass
class _Header:
    function: Function
    firm: bool
    call_off: str
    sent_at: float | None
    fields: dict[str, str]
    message: str = ""  # ST02, the transaction set control number: with ISA06/ISA13 it names the message


def _transaction(ctx: _Ctx, tx: Transaction) -> None:
    """The vehicles of one closed transaction set into ``ctx.out``."""
    source, ic = ctx.source, tx.interchange
    if tx.broken:
        ctx.out.append(Problem(tx.index, tx.broken, source.bytes(tx.start, tx.end)))
        return
    e = ic.chars.element
    body = [Segment.read(b, a, z, e) for b, a, z in zip(tx.bodies, tx.starts, tx.ends, strict=True)]
    try:
        if tx.header.value(1) != "866":
            raise _Bad(f"transaction set {tx.header.value(1)!r} is not an 866 Production Sequence")
        if ic.test and ctx.profile.test_indicator == "refuse":
            raise _Bad("test interchange refused (ISA15 test indicator T): not a production build order")
        starts = [i for i, s in enumerate(body) if s.tag == "DTM"]
        if not starts:
            raise _Bad(f"transaction set {tx.control!r} has no DTM loop: no vehicle in it")
        _check_ctt(body)
        head = _header(ctx, tx, body[: starts[0]])
    except _Bad as exc:
        ctx.out.append(Problem(tx.index, f"{exc} [{tx.where()}]", source.bytes(tx.start, tx.end)))
        return
    ends = [*starts[1:], len(body)]
    for a, b in zip(starts, ends, strict=True):
        loop = [s for s in body[a:b] if s.tag != "CTT"]
        raw = source.bytes(loop[0].start, loop[-1].end)
        try:
            ctx.out.append((_vehicle(ctx, loop, head, tx, a + 2), raw))
        except _Bad as exc:
            ctx.out.append(Problem(tx.index, str(exc), raw))


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
        sent_at = _time(tx.group.value(4), tx.group.value(5)[:6], ctx.zone, "GS04/GS05")
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


def _zone(ctx: _Ctx, code: str) -> tzinfo:
    """The zone of a DTM04 time code: none or LT is the plant's; an unknown code is a reason, never a guess."""
    if not code or code == LOCAL:
        return ctx.zone
    if code in ctx.profile.time_codes:
        return _named_zone(ctx.profile.time_codes[code])
    if code in TIME_CODES:
        return TIME_CODES[code]
    known = ", ".join(sorted({*TIME_CODES, LOCAL, *ctx.profile.time_codes}))
    raise _Bad(f"DTM04 time code {code!r} is not one we know ({known}); map it in the partner profile")


@lru_cache(maxsize=32)
def _named_zone(name: str) -> tzinfo:
    return ZoneInfo(name)


def _time(date: str, time: str, zone: tzinfo, what: str) -> float:
    date_fmt, time_fmt = _DATE_FORMATS.get(len(date)), _TIME_FORMATS.get(len(time))
    if date_fmt is None or time_fmt is None:
        raise _Bad(f"{what}: {date!r} {time!r} is not a date (YYMMDD/CCYYMMDD) and time (HHMM/HHMMSS)")
    try:
        return epoch_seconds(date + time, date_fmt + time_fmt, zone)
    except ValueError as exc:
        raise _Bad(f"{what}: {exc}") from None


def _vehicle(ctx: _Ctx, loop: list[Segment], head: _Header, tx: Transaction, number: int) -> CanonicalBroadcast:
    dtm = loop[0]
    fields = {**head.fields}
    fields.update(_refs(ctx.profile, [s for s in loop if s.tag == "REF"]))
    at = tx.where(number, dtm.start, "DTM")
    try:
        parts = _parts(ctx, loop, fields, tx.interchange.chars)
        seq_text, vehicle_id = fields.get("seq", ""), fields.get("vehicle_id", "")
        at += f", seq {seq_text}" if seq_text else ""
        if not is_digits(seq_text) or len(seq_text) > 10:
            raise _Bad(f"sequence number {seq_text!r} (REF*JS) is not a number")
        at += f", vehicle {vehicle_id}" if vehicle_id else ""
        if not vehicle_id:
            raise _Bad(f"seq {seq_text}: no vehicle id (REF*VT or LIN VV)")
        if head.function in ("original", "change") and not parts:
            raise _Bad(f"vehicle {vehicle_id} (seq {seq_text}): a {head.function} call with no part (no LIN)")
        required_at = None
        if dtm.value(1) in ctx.profile.required_dtm:
            zone = _zone(ctx, dtm.value(4))
            required_at = _time(dtm.value(2), dtm.value(3), zone, f"DTM*{dtm.value(1)}")
    except _Bad as exc:
        raise _Bad(f"{exc} [{at}]") from None
    try:
        return CanonicalBroadcast(
            feed=ctx.finish.feed(fields.get("line", ""), test=tx.interchange.test),
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
            interchange=tx.interchange.key,
            message=tx.header.value(2),
            raw_index=tx.index,
        )
    except ValidationError as exc:
        raise _Bad(f"vehicle {vehicle_id}: {exc.errors()[0]['msg']} [{at}]") from None


def _parts(ctx: _Ctx, loop: list[Segment], fields: dict[str, str], chars: X12Chars) -> tuple[PartCall, ...]:
    profile = ctx.profile
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
        return tuple(ctx.finish.part(p, parse_qty(q) if q else 1) for p, q in lines)
    except ValueError as exc:  # pydantic's ValidationError is one too
        raise _Bad(f"vehicle {fields.get('vehicle_id', '?')}: {exc}") from None
