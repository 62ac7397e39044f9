"""EDIFACT syntax (ISO 9735): the tokenizer and the interchange / group / message envelope, for any message type.

``tokenize(raw)`` turns bytes into segments, each a tag plus elements of components, with its byte offsets so a
bad message can be quarantined byte for byte. It honours:
- the UNA service string advice (component sep, element sep, decimal mark, release char, reserved, segment
  terminator); without UNA the ISO 9735 defaults ``:+.? '`` apply; a later UNA (concatenated interchanges)
  changes them from there on;
- release characters: ``?+ ?: ?' ??`` are literal characters (a space in the UNA's release position means none);
- a segment terminator followed by CR/LF (partners' "one segment a line" files) and a UTF-8 byte-order mark.
The text is read as Latin-1 so offsets are byte offsets (every service character is ASCII, so UTF-8 multi-byte
sequences never collide with one); values that are valid UTF-8 (syntax UNOY/UNOW) are then decoded as such.

``read_interchanges(tokens)`` splits segments into UNB..UNZ interchanges, optional UNG..UNE groups and UNH..UNT
messages, and checks the counts and references the trailers repeat (UNT segment count and message reference,
UNE/UNZ counts and control references): a mismatch is a problem with a reason, never an exception.

This module knows nothing of DELJIT or broadcasts, does no I/O, and never raises for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_BOM = "\xef\xbb\xbf"  # the UTF-8 byte-order mark, read as Latin-1
_BLANKS = " \t\r\n"


class EdifactSyntaxError(ValueError):
    """Bytes that are not EDIFACT syntax (bad UNA, bad tag, unterminated segment)."""


@dataclass(frozen=True)
class ServiceChars:
    """The six UNA characters (ISO 9735 clause 7); the defaults apply when UNA is absent."""

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str | None = "?"
    reserved: str = " "
    terminator: str = "'"


DEFAULT_CHARS = ServiceChars()


@dataclass(frozen=True)
class Segment:
    """One segment: ``tag`` plus elements of components, and where it sits in the raw bytes."""

    tag: str
    elements: tuple[tuple[str, ...], ...]
    start: int
    end: int  # one past the terminator
    chars: ServiceChars = DEFAULT_CHARS
    una_at: int = -1  # where the UNA right before this segment starts (a UNB's service string advice)

    def value(self, element: int, component: int = 1) -> str:
        """Element ``element`` (1 = first after the tag), component ``component`` (1-based); "" if absent."""
        if element < 1 or element > len(self.elements):
            return ""
        comps = self.elements[element - 1]
        return comps[component - 1] if 1 <= component <= len(comps) else ""


@dataclass(frozen=True)
class SyntaxProblem:
    offset: int
    reason: str


@dataclass
class Tokens:
    text: str
    segments: list[Segment]
    error: SyntaxProblem | None = None


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
    if decimal not in ".,":
        raise EdifactSyntaxError(f"UNA decimal mark must be '.' or ',', not {decimal!r}")
    return chars


def tokenize(raw: bytes) -> Tokens:
    """Segments of ``raw``; stops at the first syntax error and reports it (segments before it are kept)."""
    text = raw.decode("latin-1")
    tokens = Tokens(text=text, segments=[])
    pos, chars, una_at = (len(_BOM) if text.startswith(_BOM) else 0), DEFAULT_CHARS, -1
    while (pos := _skip_blanks(text, pos)) < len(text):
        try:
            if text.startswith("UNA", pos):
                chars, una_at = service_string_advice(text, pos), pos
                pos += 9
                continue
            end = _find_terminator(text, pos, chars)
            tokens.segments.append(_segment(text, pos, end, chars, una_at))
            una_at = -1
        except EdifactSyntaxError as exc:
            tokens.error = SyntaxProblem(pos, str(exc))
            break
        pos = end + 1
    return tokens


def _skip_blanks(text: str, pos: int) -> int:
    # CR/LF after a terminator is not data (ISO 9735 allows no characters between segments; partners add them).
    while pos < len(text) and text[pos] in _BLANKS:
        pos += 1
    return pos


def _find_terminator(text: str, pos: int, chars: ServiceChars) -> int:
    end = text.find(chars.terminator, pos)
    while end >= 0 and chars.release and _released(text, pos, end, chars.release):
        end = text.find(chars.terminator, end + 1)
    if end < 0:
        raise EdifactSyntaxError(f"segment {text[pos : pos + 3]!r} at byte {pos} has no terminator (truncated?)")
    return end


def _released(text: str, start: int, at: int, release: str) -> bool:
    """True when the character at ``at`` is escaped: an odd run of release characters right before it."""
    run = 0
    while at - run - 1 >= start and text[at - run - 1] == release:
        run += 1
    return run % 2 == 1


def _segment(text: str, start: int, end: int, chars: ServiceChars, una_at: int) -> Segment:
    body = text[start:end]
    parts = _split(body, chars.element, chars.release)
    tag = parts[0]
    if len(tag) != 3 or not tag.isascii() or not tag.isalnum() or not tag.isupper():
        raise EdifactSyntaxError(f"bad segment tag {tag[:10]!r} at byte {start}")
    if (chars.release is None or chars.release not in body) and body.isascii():  # the common case, fast
        elements = tuple(tuple(e.split(chars.component)) for e in parts[1:])
    else:
        elements = tuple(
            tuple(_decode(_unescape(c, chars.release)) for c in _split(e, chars.component, chars.release))
            for e in parts[1:]
        )
    return Segment(tag, elements, start, end + 1, chars, una_at)


def _split(s: str, sep: str, release: str | None) -> list[str]:
    """Split on ``sep`` where it is not released; escapes are kept for the next level."""
    if release is None or release not in s:
        return s.split(sep)
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


def _unescape(s: str, release: str | None) -> str:
    if release is None or release not in s:
        return s
    out: list[str] = []
    i = 0
    while i < len(s):
        if s[i] == release and i + 1 < len(s):
            i += 1
        out.append(s[i])
        i += 1
    return "".join(out)


def _decode(value: str) -> str:
    """A Latin-1 read value back to text: UTF-8 when it is valid UTF-8 (UNOY/UNOW), else Latin-1 (UNOC)."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return value


# -- envelope ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EnvelopeProblem:
    """A problem in the envelope: ``index`` is the message's number, or -1 for the interchange or group."""

    index: int
    reason: str
    start: int
    end: int


@dataclass
class Message:
    index: int  # number of the message in the file, from 0
    header: Segment  # UNH
    body: list[Segment] = field(default_factory=list)
    trailer: Segment | None = None  # UNT

    @property
    def start(self) -> int:
        return self.header.start

    @property
    def end(self) -> int:
        last = self.trailer or (self.body[-1] if self.body else self.header)
        return last.end

    @property
    def reference(self) -> str:
        return self.header.value(1)

    @property
    def type(self) -> str:
        return self.header.value(2, 1)


@dataclass
class Interchange:
    header: Segment  # UNB
    trailer: Segment | None = None  # UNZ
    messages: list[Message] = field(default_factory=list)
    groups: int = 0
    problems: list[EnvelopeProblem] = field(default_factory=list)
    last_end: int = 0

    @property
    def sender(self) -> str:
        return self.header.value(2, 1)

    @property
    def control(self) -> str:
        return self.header.value(5)

    @property
    def start(self) -> int:
        """From its UNA when it has one, so quarantined bytes can be read again on their own."""
        return self.header.una_at if self.header.una_at >= 0 else self.header.start

    @property
    def end(self) -> int:
        return self.trailer.end if self.trailer else self.last_end


@dataclass
class Envelopes:
    interchanges: list[Interchange] = field(default_factory=list)
    problems: list[EnvelopeProblem] = field(default_factory=list)  # outside any interchange


class _Reader:
    """Walks the segments once; each tag's handler is in ``_HANDLERS`` (a table, not an if/elif chain)."""

    def __init__(self) -> None:
        self.out = Envelopes()
        self.ic: Interchange | None = None
        self.msg: Message | None = None
        self.group_messages = 0
        self.group: Segment | None = None
        self.count = 0

    def feed(self, seg: Segment) -> None:
        handler = _HANDLERS.get(seg.tag)
        if handler is not None:
            handler(self, seg)
        elif self.msg is not None:
            self.msg.body.append(seg)
        else:
            self._stray(seg)
        if self.ic is not None:
            self.ic.last_end = seg.end

    def _stray(self, seg: Segment) -> None:
        where = "between messages" if self.ic else "outside any interchange (no UNB)"
        self._problem(-1, f"segment {seg.tag} {where}", seg.start, seg.end)

    def _problem(self, index: int, reason: str, start: int, end: int) -> None:
        target = self.ic.problems if self.ic else self.out.problems
        target.append(EnvelopeProblem(index, reason, start, end))

    def unb(self, seg: Segment) -> None:
        if self.ic is not None:
            self._close_interchange(None)
        self.ic = Interchange(header=seg, last_end=seg.end)
        if not self.ic.control:
            self._problem(-1, "UNB has no interchange control reference (0020)", seg.start, seg.end)
        self.out.interchanges.append(self.ic)

    def unh(self, seg: Segment) -> None:
        if self.msg is not None:
            self._close_message(None)
        self.msg = Message(index=self.count, header=seg)
        self.count += 1

    def unt(self, seg: Segment) -> None:
        if self.msg is None:
            self._problem(-1, "UNT without UNH", seg.start, seg.end)
            return
        self._close_message(seg)

    def ung(self, seg: Segment) -> None:
        self.group, self.group_messages = seg, 0
        if self.ic is not None:
            self.ic.groups += 1

    def une(self, seg: Segment) -> None:
        _check_count(self, seg, "UNE", self.group_messages, "messages in the group")
        if self.group is not None and seg.value(2) != self.group.value(5):
            reason = f"UNE reference {seg.value(2)!r} does not match UNG {self.group.value(5)!r}"
            self._problem(-1, reason, seg.start, seg.end)
        self.group = None

    def unz(self, seg: Segment) -> None:
        if self.ic is None:
            self._problem(-1, "UNZ without UNB", seg.start, seg.end)
            return
        self._close_interchange(seg)

    def finish(self) -> Envelopes:
        if self.ic is not None:
            self._close_interchange(None)
        return self.out

    def _close_message(self, trailer: Segment | None) -> None:
        msg, self.msg = self.msg, None
        assert msg is not None
        msg.trailer = trailer
        if self.ic is None:
            self._problem(msg.index, f"message {msg.reference!r} outside any interchange (no UNB)", msg.start, msg.end)
            return
        self.ic.messages.append(msg)
        self.group_messages += 1
        if trailer is None:
            self._problem(msg.index, f"message {msg.reference!r} has no UNT (truncated?)", msg.start, msg.end)
            return
        counted = len(msg.body) + 2  # UNH and UNT count themselves (ISO 9735 0074)
        said = trailer.value(1)
        if _number(said) != counted:
            reason = f"UNT says {said or 'nothing'} segments, the message has {counted}"
            self._problem(msg.index, reason, msg.start, msg.end)
        if trailer.value(2) != msg.reference:
            reason = f"UNT reference {trailer.value(2)!r} does not match UNH {msg.reference!r}"
            self._problem(msg.index, reason, msg.start, msg.end)

    def _close_interchange(self, trailer: Segment | None) -> None:
        if self.msg is not None:
            self._close_message(None)
        ic = self.ic
        assert ic is not None
        ic.trailer = trailer
        if trailer is None:
            self._problem(-1, f"interchange {ic.control!r} has no UNZ (truncated?)", ic.start, ic.end)
        else:
            counted = ic.groups or len(ic.messages)
            _check_count(self, trailer, "UNZ", counted, "groups" if ic.groups else "messages")
            if trailer.value(2) != ic.control:
                reason = f"UNZ reference {trailer.value(2)!r} does not match UNB {ic.control!r}"
                self._problem(-1, reason, ic.start, ic.end)
        self.ic = None


def _check_count(reader: _Reader, seg: Segment, tag: str, counted: int, what: str) -> None:
    said = seg.value(1)
    if _number(said) != counted:
        reader._problem(-1, f"{tag} says {said or 'nothing'} {what}, counted {counted}", seg.start, seg.end)


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


def read_interchanges(tokens: Tokens) -> Envelopes:
    """Interchanges, groups and messages of ``tokens`` with every envelope problem named."""
    reader = _Reader()
    for seg in tokens.segments:
        reader.feed(seg)
    if tokens.error is not None:
        err = tokens.error
        reader._problem(-1, f"syntax: {err.reason}", err.offset, len(tokens.text))
    return reader.finish()
