"""EDIFACT syntax (ISO 9735): segments and the interchange / group / message envelope, read as a stream.

``read_edifact(source)`` walks a ``Source`` once and yields, in file order, each ``Message`` (UNH..UNT with its
segments, or broken, with the reason), each ``EnvelopeProblem`` and each interchange as it opens and closes. It
honours:
- the UNA service string advice (component sep, element sep, decimal mark, release char, reserved, segment
  terminator); without UNA the ISO 9735 defaults ``:+.? '`` apply; a later UNA (concatenated interchanges)
  changes them from there on;
- release characters: ``?+ ?: ?' ??`` are literal characters (a space in the UNA's release position means none);
- CR/LF and blanks between segments, a UTF-8 byte-order mark, and NUL / blank padding or an end-of-file mark
  (^Z) after the last segment (ignored, not "truncated").
The text is read as Latin-1 so offsets are byte offsets (every service character is ASCII, so UTF-8 multi-byte
sequences never collide with one); values that are valid UTF-8 (syntax UNOY/UNOW) are then decoded as such.

Recovery is per message: a broken segment (a control character, a bad tag, a lost terminator) breaks the message
that holds it and nothing else; a new UNH, even one glued to the segment before it, starts the next message;
segments between messages are one problem per run. Counts and references the trailers repeat (UNT segments and
reference, UNE/UNZ counts and control references) are checked: a mismatch is a problem with a reason, never an
exception. Memory: the segments of one message at a time (a message over ``SPILL_SEGMENTS`` segments is counted,
not kept, and read again from the source by ``segments_of``).

This module knows nothing of DELJIT or broadcasts, does no I/O beyond the given source, never raises for bad input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, count, repeat
from typing import NamedTuple

from app.feed.formats.source import BLANKS, BOM, Region, Source, Syntax, decode_value, only_padding, scan

SPILL_SEGMENTS = 20_000  # a message longer than this is not held segment by segment (read again when mapped)
STRAY_RUN = 10_000  # segments outside any message: one problem per run of at most this many


class EdifactSyntaxError(ValueError):
    """Bytes that are not EDIFACT syntax (bad UNA)."""


@dataclass(frozen=True)
class ServiceChars:
    """The six UNA characters (ISO 9735 clause 7); the defaults apply when UNA is absent."""

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str | None = "?"
    reserved: str = " "
    terminator: str = "'"
    # derived once (the mapping asks for them per segment): the scanner's syntax and the element splitter
    syntax: Syntax = field(init=False, repr=False, compare=False)
    split: Callable[[str], list[list[str]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        syntax = Syntax(self.element, self.component, self.terminator, self.release, self.decimal, advice="UNA")
        object.__setattr__(self, "syntax", syntax)
        object.__setattr__(self, "split", splitter(syntax))


def service_string_advice(text: str, pos: int = 0) -> ServiceChars:
    """The ServiceChars a UNA at ``pos`` declares; EdifactSyntaxError if it is incomplete or inconsistent."""
    una = text[pos + 3 : pos + 9]
    if len(una) < 6:
        raise EdifactSyntaxError("UNA service string advice is cut short (needs 6 characters)")
    component, element, decimal, release, reserved, terminator = tuple(una)
    chars = ServiceChars(component, element, decimal, None if release == " " else release, reserved, terminator)
    used = [c for c in (component, element, chars.release, terminator) if c is not None]
    if len(set(used)) != len(used):
        raise EdifactSyntaxError(f"UNA declares the same character twice: {una!r}")
    if any(c.isalnum() for c in used):
        raise EdifactSyntaxError(f"UNA declares a letter or digit as a separator: {una!r}")
    if any(c in " \r\n\t" for c in (component, element, chars.release) if c):
        raise EdifactSyntaxError(f"UNA declares a blank as a separator: {una!r}")
    if decimal not in ".,":
        raise EdifactSyntaxError(f"UNA decimal mark must be '.' or ',', not {decimal!r}")
    return chars


def split_elements(body: str, syntax: Syntax) -> list[list[str]]:
    """The elements (each a list of components) after the tag, unescaped and decoded."""
    return splitter(syntax)(body)


@lru_cache(maxsize=64)
def splitter(syntax: Syntax) -> Callable[[str], list[list[str]]]:
    """``split_elements`` for one syntax, its separators bound (the mapping calls it for every segment)."""
    e, c, r = syntax.element, syntax.component, syntax.release

    def split(body: str) -> list[list[str]]:
        if (r is None or r not in body) and body.isascii():
            return [p.split(c) for p in body.split(e)[1:]]
        if r is None or r not in body:
            return [[decode_value(x) for x in p.split(c)] for p in body.split(e)[1:]]
        return [[decode_value(_unescape(x, r)) for x in _split(el, c, r)] for el in _split(body, e, r)[1:]]

    return split


def _split(s: str, sep: str, release: str) -> list[str]:
    """Split on ``sep`` where it is not released; escapes are kept for the next level."""
    out: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == release:
            cur.append(s[i : i + 2])
            i += 2
            continue
        if c == sep:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    out.append("".join(cur))
    return out


def _unescape(s: str, release: str) -> str:
    if release not in s:
        return s
    out: list[str] = []
    i = 0
    while i < len(s):
        if s[i] == release and i + 1 < len(s):
            i += 1
        out.append(s[i])
        i += 1
    return "".join(out)


DEFAULT_CHARS = ServiceChars()


class Segment(NamedTuple):
    """One segment: ``tag`` plus elements of components, and where it sits in the raw bytes."""

    tag: str
    elements: list[list[str]]
    start: int
    end: int  # one past the terminator
    chars: ServiceChars = DEFAULT_CHARS

    @classmethod
    def read(cls, body: str, start: int, end: int, chars: ServiceChars = DEFAULT_CHARS) -> Segment:
        return cls(tag_of(body, chars.element), split_elements(body, chars.syntax), start, end, chars)

    def value(self, element: int, component: int = 1) -> str:
        """Element ``element`` (1 = first after the tag), component ``component`` (1-based); "" if absent."""
        if element < 1 or element > len(self.elements):
            return ""
        comps = self.elements[element - 1]
        return comps[component - 1] if 1 <= component <= len(comps) else ""


def tag_of(body: str, element: str) -> str:
    """The segment tag: the text before the first element separator."""
    at = body.find(element)
    return body if at < 0 else body[:at]


# -- the envelope ----------------------------------------------------------------------------------------------
@dataclass
class Interchange:
    header: Segment  # UNB
    start: int  # from its UNA when it has one, so quarantined bytes can be read again on their own
    end: int = 0
    trailer: Segment | None = None  # UNZ
    messages: int = 0
    groups: int = 0
    head: bytes = b""  # its UNA and UNB as received (kept: the file's buffer moves on)
    skip: bool = False  # the reader of the events does not want its messages (a repeat): one span at the end

    @property
    def sender(self) -> str:
        return self.header.value(2, 1)

    @property
    def control(self) -> str:
        return self.header.value(5)

    @property
    def test(self) -> bool:
        """UNB 0035 test indicator = 1 (ISO 9735: the interchange is a test)."""
        return self.header.value(11) == "1"

    @property
    def name(self) -> str:
        return f"{self.sender}/{self.control}"


@dataclass
class Message:
    """One UNH..UNT message; ``broken`` says why it must be quarantined whole ("" when its envelope is sound)."""

    index: int  # number of the message in the file, from 0
    header: Segment  # UNH
    chars: ServiceChars
    interchange: Interchange | None
    bodies: list[str] = field(default_factory=list)  # the segments between UNH and UNT, as text
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    trailer: Segment | None = None  # UNT
    end: int = 0
    count: int = 0  # segments between UNH and UNT
    broken: str = ""
    spilled: bool = False  # too long to hold: ``bodies`` is empty, read them with ``segments_of``

    @property
    def start(self) -> int:
        return self.header.start

    @property
    def reference(self) -> str:
        return self.header.value(1)

    @property
    def type(self) -> str:
        return self.header.value(2, 1)

    def where(self, number: int = 0, offset: int = -1, tag: str = "") -> str:
        """Interchange, message reference and, when given, segment number (UNH = 1), tag and byte offset."""
        ic = f"interchange {self.interchange.name}, " if self.interchange else ""
        seg = f", segment {number} {tag} at byte {offset}" if number else ""
        return f"{ic}message {self.reference!r}{seg}"

    def break_(self, reason: str) -> None:
        if not self.broken:
            self.broken = reason


@dataclass(frozen=True)
class EnvelopeProblem:
    """A problem in the envelope: ``index`` is the message's number, or -1 for the interchange or group."""

    index: int
    reason: str
    start: int
    end: int
    raw: bytes | None = None  # the bytes to quarantine when they are no longer in the source's buffer


@dataclass(frozen=True)
class Opened:
    interchange: Interchange


@dataclass(frozen=True)
class Closed:
    interchange: Interchange
    complete: bool  # its UNZ came


Event = Message | EnvelopeProblem | Opened | Closed
_SERVICE = {"UNB", "UNG", "UNH", "UNT", "UNE", "UNZ"}


@lru_cache(maxsize=64)
def _anchors(chars: ServiceChars) -> re.Pattern[str]:
    """A UNH (with its message type) or UNB: where a message or an interchange starts, even glued."""
    e, c, t = (re.escape(x) for x in (chars.element, chars.component, chars.terminator))
    return re.compile(f"UNH{e}[^{e}{t}]{{1,14}}{e}[A-Z0-9]{{1,6}}{c}|UNB{e}UNO[A-Z]{c}")


class _Reader:
    """Walks the segments once; each service tag's handler is in ``_HANDLERS`` (a table, not an if/elif chain)."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.events: list[Event] = []
        self.ic: Interchange | None = None
        self.msg: Message | None = None
        self.group: Segment | None = None
        self.group_messages = 0
        self.count = 0
        self.chars = DEFAULT_CHARS
        self.una_at = -1
        self.stray: list[tuple[int, int, str]] = []  # (start, end, tag) of segments outside any message
        self.last_end = 0  # where the last segment read ends (a spilled message cut short ends there)

    # -- segments in, events out --------------------------------------------------------------------------
    def region(self, region: Region) -> int | None:
        """Consume a region's segments; returns where to scan again when a UNA changed the separators.

        Runs of plain segments move to the open message in bulk (slices, no Python step per segment); only
        segments whose tag starts with UN, and bad ones, are looked at one by one.
        """
        bodies, bad = region.bodies, region.bad
        marks: Iterator[int] = compress(count(), map(str.startswith, bodies, repeat("UN")))
        if bad:
            marks = iter(sorted({*marks, *bad}))
        e, i = self.chars.element, 0
        for j in marks:
            self._run(region, i, j)
            i = j + 1
            body, start, end = bodies[j], region.starts[j], region.ends[j]
            if body.startswith("UNA"):
                self._run(region, j, j)
                return self._una(start)
            tag = body[:3]
            if tag in _SERVICE and j not in bad and body[3:4] in (e, ""):
                self._flush_stray()
                _HANDLERS[tag](self, Segment.read(body, start, end, self.chars))
                self.una_at = -1
            else:
                self._run(region, j, j + 1)
        self._run(region, i, len(bodies))
        return None

    def _run(self, region: Region, i: int, j: int) -> None:
        """Plain segments i..j-1: into the open message, else strays."""
        if i >= j:
            return
        msg = self.msg
        if msg is None:
            for k in range(i, j):
                self._outside(region.bodies[k], region.starts[k], region.ends[k], region.bad.get(k))
            return
        if region.bad:
            for k in range(i, j):
                if k in region.bad:
                    where = msg.where(msg.count + k - i + 2, region.starts[k], region.bodies[k][:3])
                    msg.break_(f"{region.bad[k]} [{where}]")
        msg.count += j - i
        if msg.spilled:
            return
        if msg.count > SPILL_SEGMENTS:
            msg.spilled, msg.bodies, msg.starts, msg.ends = True, [], [], []
            return
        msg.bodies += region.bodies[i:j]
        msg.starts += region.starts[i:j]
        msg.ends += region.ends[i:j]

    def _outside(self, body: str, start: int, end: int, bad: str | None) -> None:
        if len(self.stray) >= STRAY_RUN:
            self._flush_stray()
        self.stray.append((start, end, body[:3] if bad is None else "?"))

    def _flush_stray(self) -> None:
        if not self.stray:
            return
        first, last = self.stray[0], self.stray[-1]
        where = f"interchange {self.ic.name}, between messages" if self.ic else "outside any interchange (no UNB)"
        tags = " ".join(dict.fromkeys(t for _, _, t in self.stray))
        reason = f"{len(self.stray)} segment(s) {tags} {where} [from byte {first[0]}]"
        self.events.append(EnvelopeProblem(-1, reason, first[0], last[1]))
        self.stray = []

    def _una(self, start: int) -> int:
        self._flush_stray()
        self.source.ensure(start + 9)
        text = self.source.text(start, start + 9)
        try:
            self.chars = service_string_advice(text)
        except EdifactSyntaxError as exc:
            self.events.append(EnvelopeProblem(-1, f"{exc} [byte {start}]", start, start + 9))
            return start + len(text)
        self.una_at = start
        return start + 9

    def unb(self, seg: Segment) -> None:
        if self.ic is not None:
            self._close_interchange(None, seg.start)
        start = self.una_at if self.una_at >= 0 else seg.start
        self.ic = Interchange(header=seg, start=start, end=seg.end, head=self.source.bytes(start, seg.end))
        self.events.append(Opened(self.ic))
        if not self.ic.control:
            reason = f"UNB has no interchange control reference (0020) [byte {seg.start}]"
            self.events.append(EnvelopeProblem(-1, reason, seg.start, seg.end))

    def unh(self, seg: Segment) -> None:
        if self.msg is not None:
            self._close_message(None, f"the next UNH at byte {seg.start}")
        self.msg = Message(index=self.count, header=seg, chars=self.chars, interchange=self.ic, end=seg.end)
        self.count += 1

    def unt(self, seg: Segment) -> None:
        if self.msg is None:
            self._outside(f"UNT{self.chars.element}", seg.start, seg.end, None)
            return
        self._close_message(seg, "")

    def ung(self, seg: Segment) -> None:
        if self.msg is not None:
            self._close_message(None, f"UNG at byte {seg.start}")
        self.group, self.group_messages = seg, 0
        if self.ic is not None:
            self.ic.groups += 1

    def une(self, seg: Segment) -> None:
        if self.msg is not None:
            self._close_message(None, f"UNE at byte {seg.start}")
        where = f"interchange {self.ic.name}, group {self.group.value(5) if self.group else '?'}" if self.ic else ""
        said = seg.value(1)
        if _number(said) != self.group_messages:
            reason = f"UNE says {said or 'nothing'} messages in the group, counted {self.group_messages} [{where}]"
            self.events.append(EnvelopeProblem(-1, reason, seg.start, seg.end))
        if self.group is not None and seg.value(2) != self.group.value(5):
            reason = f"UNE reference {seg.value(2)!r} does not match UNG {self.group.value(5)!r} [{where}]"
            self.events.append(EnvelopeProblem(-1, reason, seg.start, seg.end))
        self.group = None

    def unz(self, seg: Segment) -> None:
        if self.msg is not None:
            self._close_message(None, f"UNZ at byte {seg.start}")
        if self.ic is None:
            self.events.append(EnvelopeProblem(-1, f"UNZ without UNB [byte {seg.start}]", seg.start, seg.end))
            return
        self._close_interchange(seg, seg.end)

    def finish(self, tail: str, at: int) -> None:
        """The end of the file: ``tail`` is what followed the last terminator."""
        if tail and not only_padding(tail):
            body = tail.lstrip(" \t\r\n")
            start = at + len(tail) - len(body)
            reason = f"segment {body[:3]!r} at byte {start} has no terminator (truncated?)"
            if self.msg is not None:
                self.msg.count += 1
                self.msg.break_(f"{reason} [{self.msg.where(self.msg.count + 1, start, body[:3])}]")
                self.msg.end = at + len(tail)
            else:
                self._flush_stray()
                self.events.append(EnvelopeProblem(-1, f"{reason} [{self._ic_where()}]", start, at + len(tail)))
        self._flush_stray()
        if self.msg is not None:
            self._close_message(None, "the end of the file")
        if self.ic is not None:
            self._close_interchange(None, self.ic.end)

    def _ic_where(self) -> str:
        return f"interchange {self.ic.name}" if self.ic else "outside any interchange"

    def _close_message(self, trailer: Segment | None, cut_by: str) -> None:
        msg, self.msg = self.msg, None
        assert msg is not None
        msg.trailer = trailer
        if trailer is not None:
            msg.end = trailer.end
        elif msg.bodies:
            msg.end = max(msg.end, msg.ends[-1])
        elif msg.spilled:
            msg.end = max(msg.end, self.last_end)
        if self.ic is None:
            msg.break_(f"message {msg.reference!r} outside any interchange (no UNB) [byte {msg.start}]")
        else:
            self.ic.messages += 1
            self.ic.end = max(self.ic.end, msg.end)
        self.group_messages += 1
        if trailer is None:
            msg.break_(f"no UNT before {cut_by} (truncated?) [{msg.where()}, from byte {msg.start}]")
        else:
            counted = msg.count + 2  # UNH and UNT count themselves (ISO 9735 0074)
            said = trailer.value(1)
            if _number(said) != counted:
                where = msg.where(counted, trailer.start, "UNT")
                msg.break_(f"UNT says {said or 'nothing'} segments, the message has {counted} [{where}]")
            elif trailer.value(2) != msg.reference:
                where = msg.where(counted, trailer.start, "UNT")
                msg.break_(f"UNT reference {trailer.value(2)!r} does not match UNH {msg.reference!r} [{where}]")
        self.events.append(msg)

    def _close_interchange(self, trailer: Segment | None, end: int) -> None:
        if self.msg is not None:
            self._close_message(None, "the end of the interchange")
        ic = self.ic
        assert ic is not None
        ic.trailer, ic.end = trailer, max(ic.end, end)
        if trailer is None:
            # Its messages proved themselves (UNT): the problem holds the interchange's header, not its bytes.
            reason = f"interchange {ic.name} has no UNZ (truncated?) [from byte {ic.start}]"
            self.events.append(EnvelopeProblem(-1, reason, ic.start, ic.header.end, ic.head))
        else:
            counted = ic.groups or ic.messages
            said = trailer.value(1)
            if _number(said) != counted:
                what = "groups" if ic.groups else "messages"
                reason = f"UNZ says {said or 'nothing'} {what}, counted {counted} [interchange {ic.name}]"
                self.events.append(EnvelopeProblem(-1, reason, trailer.start, trailer.end))
            if trailer.value(2) != ic.control:
                reason = f"UNZ reference {trailer.value(2)!r} does not match UNB {ic.control!r} [interchange {ic.name}]"
                self.events.append(EnvelopeProblem(-1, reason, trailer.start, trailer.end))
        self.events.append(Closed(ic, trailer is not None))
        self.ic = None


def _number(text: str) -> int | None:
    """A count field as a number; None when it is not 1-9 ASCII digits (int() refuses 4300+ digits anyway)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


_HANDLERS = {
    "UNB": _Reader.unb,
    "UNH": _Reader.unh,
    "UNT": _Reader.unt,
    "UNG": _Reader.ung,
    "UNE": _Reader.une,
    "UNZ": _Reader.unz,
}


def read_edifact(source: Source) -> Iterator[Event]:
    """Messages, envelope problems and interchange boundaries of ``source``, in file order."""
    reader = _Reader(source)
    source.ensure(3)
    pos = len(BOM) if source.bytes(0, 3) == BOM else 0
    while True:
        keep = reader.msg.start if reader.msg is not None and not reader.msg.spilled else pos
        if reader.ic is not None and reader.ic.skip:
            keep = reader.ic.start
        if reader.una_at >= 0:  # the next interchange starts at its UNA
            keep = min(keep, reader.una_at)
        if reader.stray:  # a run of segments outside messages: one problem with its bytes
            keep = min(keep, reader.stray[0][0])
        source.keep(min(keep, pos))
        source.ensure(pos + 64)
        head = source.text(pos, pos + 64)
        lead = len(head) - len(head.lstrip(BLANKS))
        if head[lead : lead + 3] == "UNA":
            pos = reader._una(pos + lead)
            continue
        region = scan(source, pos, reader.chars.syntax, _anchors(reader.chars))
        again = reader.region(region)
        if again is None and region.tail.lstrip(BLANKS).startswith("UNA"):
            again = region.next - len(region.tail)  # a UNA whose terminator differs: read from it
        if region.ends:
            reader.last_end = region.ends[-1]
        pos = again if again is not None else region.next
        if again is None and source.eof and pos >= source.end:
            reader.finish(region.tail, region.next - len(region.tail))
        yield from reader.events
        reader.events = []
        if again is None and source.eof and pos >= source.end:
            return


def segments_of(source: Source, msg: Message) -> Iterator[tuple[str, int, int, str | None]]:
    """The body segments of ``msg`` read again from the source: (text, start, end, why it is bad or None)."""
    pos, syntax = msg.header.end, msg.chars.syntax
    stop = msg.trailer.start if msg.trailer is not None else msg.end
    while pos < stop:
        region = scan(source, pos, syntax)
        if not region.bodies:
            return
        for i, body in enumerate(region.bodies):
            if region.starts[i] >= stop:
                return
            yield body, region.starts[i], region.ends[i], region.bad.get(i)
        pos = region.next


# -- compatibility: the whole of a small input at once (tests, tools) ------------------------------------------
@dataclass
class Tokens:
    segments: list[Segment]
    problems: list[str]


def tokenize(raw: bytes) -> Tokens:
    """Every segment of ``raw`` (bad ones too) with the separators in force; a small-input convenience."""
    source = Source(raw)
    chars, pos = DEFAULT_CHARS, (len(BOM) if raw.startswith(BOM) else 0)
    out = Tokens([], [])
    while pos < len(raw):
        head = source.text(pos, pos + 64)
        lead = len(head) - len(head.lstrip(BLANKS))
        if head[lead : lead + 3] == "UNA":
            try:
                chars = service_string_advice(head, lead)
            except EdifactSyntaxError as exc:
                out.problems.append(str(exc))
                return out
            pos += lead + 9
            continue
        region = scan(source, pos, chars.syntax)
        restart = None
        for i, body in enumerate(region.bodies):
            if body.startswith("UNA"):
                restart = region.starts[i]
                break
            if i in region.bad:
                out.problems.append(f"{region.bad[i]} at byte {region.starts[i]}")
            out.segments.append(Segment.read(body, region.starts[i], region.ends[i], chars))
        if restart is None and region.tail.lstrip(BLANKS).startswith("UNA"):
            restart = region.next - len(region.tail)
        if restart is not None:
            pos = restart
            continue
        if region.tail and not only_padding(region.tail):
            out.problems.append(f"segment {region.tail.lstrip()[:3]!r} has no terminator (truncated?)")
        if region.next <= pos:
            break
        pos = region.next
    return out
