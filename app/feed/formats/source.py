"""The bytes of one partner file, read forward in bounded chunks, and the segment scanner the EDI formats share.

``Source`` wraps either bytes in memory (``bytes``, ``bytearray``, an ``mmap``) or a binary file object. It hands
out text regions (Latin-1, so a character offset is a byte offset) and exact byte slices by absolute offset, and
keeps only what a parser still needs (``keep``): from the start of the open message on, so memory is bounded by
the largest message, not the file. ``scan`` cuts one region into segments with a regular expression built from
the declared separators (release characters honoured); a segment with a control character inside, or text that is
no segment at all, comes back marked bad with its reason instead of being skipped.

What it must not do: interpret segments (that is edifact.py / x12.py), or read anything but the given data.
"""

from __future__ import annotations

import bisect
import mmap
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, repeat
from operator import add
from typing import BinaryIO

CHUNK = 1 << 20  # bytes read and decoded at a time
MAX_READ = 1 << 26  # the most one read asks for
BLANKS = " \t\r\n"  # between segments (partners' one-segment-a-line files)
PADDING = frozenset("\x00\x1a \t\r\n")  # tolerated after the last trailer: NUL / blank fill and an EOF mark (^Z)
BOM = b"\xef\xbb\xbf"

InMemory = bytes | bytearray | memoryview | mmap.mmap


class Source:
    """Absolute-offset access to the bytes of a file that is read once, forward, in chunks."""

    def __init__(self, data: InMemory | BinaryIO, chunk: int = CHUNK) -> None:
        self.chunk = chunk
        self._file: BinaryIO | None = None
        if isinstance(data, bytes | bytearray | memoryview | mmap.mmap):
            self._buf: bytes | bytearray | memoryview | mmap.mmap = data
            self.eof = True
        else:
            self._file, self._buf, self.eof = data, bytearray(), False
        self.base = 0  # absolute offset of self._buf[0]

    @property
    def end(self) -> int:
        """One past the last byte read so far (the file's size once ``eof``)."""
        return self.base + len(self._buf)

    def fill(self, want: int = 0) -> bool:
        """Read at least one more chunk (more when ``want`` bytes past ``end`` are asked); False at the end."""
        if self.eof or self._file is None:
            return False
        assert isinstance(self._buf, bytearray)
        # at least a chunk, more for a long message (geometric), never one huge read (a file read "to the end")
        more = self._file.read(min(max(self.chunk, want, len(self._buf) // 2), MAX_READ))
        if not more:
            self.eof = True
            return False
        self._buf += more
        return True

    def ensure(self, upto: int) -> None:
        """Read until ``upto`` (absolute) is in the buffer or the file ends."""
        while self.end < upto and self.fill(upto - self.end):
            pass

    def keep(self, offset: int) -> None:
        """Nothing before ``offset`` will be asked for again: the buffer may drop it."""
        if self._file is not None and offset - self.base >= self.chunk:
            assert isinstance(self._buf, bytearray)
            del self._buf[: offset - self.base]
            self.base = offset

    def bytes(self, start: int, end: int) -> bytes:
        """The exact bytes [start, end) (clipped to what was read)."""
        return bytes(self._buf[max(start - self.base, 0) : max(end - self.base, 0)])

    def text(self, start: int, end: int) -> str:
        """[start, end) as Latin-1 text: one character per byte, every byte value allowed."""
        return self.bytes(start, end).decode("latin-1")


@dataclass(frozen=True)
class Syntax:
    """The separators a file declares (EDIFACT UNA / X12 ISA); ``release`` None when there is none."""

    element: str
    component: str
    terminator: str
    release: str | None = None
    decimal: str = "."
    tag: str = "[A-Z0-9]{3}"  # a regex for a segment tag (X12: two or three characters)
    advice: str = ""  # a service string that is no segment, read as one when it uses the same terminator (UNA)

    @property
    def separators(self) -> frozenset[str]:
        return frozenset(c for c in (self.element, self.component, self.terminator, self.release) if c)


@dataclass
class Region:
    """Segments cut from one region of the source: parallel lists, offsets absolute."""

    bodies: list[str] = field(default_factory=list)  # segment text without terminator and leading blanks
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)  # one past the terminator
    bad: dict[int, str] = field(default_factory=dict)  # index -> why the segment is broken
    next: int = 0  # where scanning goes on
    tail: str = ""  # at the end of the file: text after the last terminator ("" or only padding: nothing)


def _control_class(allowed: frozenset[str]) -> str:
    """A regex class body of the C0 control characters and DEL, less the declared separators."""
    return "".join(re.escape(chr(c)) for c in [*range(32), 127] if chr(c) not in allowed)


@lru_cache(maxsize=64)
def segment_pattern(syntax: Syntax) -> re.Pattern[str]:
    """(blanks)(body)(CR before a newline terminator) + terminator; bodies hold no control character."""
    t, r = re.escape(syntax.terminator), syntax.release
    ctrl = _control_class(syntax.separators)
    e = re.escape(syntax.element)
    plain = f"[^{t}{re.escape(r) if r else ''}{ctrl}]"
    rest = f"{plain}*(?:{re.escape(r)}[^{ctrl}]{plain}*)*" if r else f"{plain}*"
    advice = f"|{syntax.advice}.{{5}}(?={t})" if syntax.advice else ""
    cr = "(\r?)" if syntax.terminator == "\n" else "()"
    return re.compile(f"([ \t\r\n]*)((?:{syntax.tag}(?:{e}{rest})?){advice}){cr}{t}", re.DOTALL)


def released(text: str, at: int, release: str | None, start: int = 0) -> bool:
    """True when the character at ``at`` is escaped: an odd run of release characters right before it."""
    if not release:
        return False
    run = 0
    while at - run - 1 >= start and text[at - run - 1] == release:
        run += 1
    return run % 2 == 1


def scan(source: Source, pos: int, syntax: Syntax, anchors: re.Pattern[str] | None = None) -> Region:
    """The whole segments from ``pos`` in about one chunk (more if one segment is longer); reads as needed.

    ``anchors`` matches what starts a message or interchange (UNH, ST ...): one found inside a segment means that
    segment lost its terminator; the segment is cut there, marked bad, and the anchor starts a segment of its own.
    """
    pattern = segment_pattern(syntax)
    size = source.chunk
    while True:
        source.ensure(pos + size)
        limit = min(pos + size, source.end)
        text = source.text(pos, limit)
        found = pattern.findall(text)
        if found or (source.eof and limit >= source.end):
            break
        size *= 2  # one segment longer than a chunk: look further
    region = Region(next=pos)
    if found:
        blanks, bodies, crs = zip(*found, strict=True)
        consumed = (
            sum(map(len, blanks)) + sum(map(len, bodies)) + sum(map(len, crs)) + len(found) * len(syntax.terminator)
        )
        last = text.rfind(syntax.terminator) + 1
        if consumed == last and not released(text, last - 1, syntax.release):
            _fast(region, pos, blanks, bodies, crs, syntax)
        else:
            _careful(region, text, pos, pattern, syntax)
    if source.eof and limit >= source.end:
        region.tail = text[region.next - pos :]
        region.next = limit
    if anchors is not None and region.bodies:
        _cut_glued(region, pos, anchors, text, syntax.element)
    return region


def _cut_glued(region: Region, pos: int, anchors: re.Pattern[str], text: str, element: str) -> None:
    starts = region.starts
    for m in anchors.finditer(text, 0, region.ends[-1] - pos):
        at = pos + m.start()
        i = bisect.bisect_right(starts, at) - 1
        if i < 0 or starts[i] == at:
            continue
        k = at - starts[i]
        body = region.bodies[i]
        region.bodies[i : i + 1] = [body[:k], body[k:]]
        starts.insert(i + 1, at)
        region.ends.insert(i, at)
        reason = f"the segment has no terminator: {body[k : k + 3].split(element)[0]} at byte {at} is glued to it"
        region.bad = {(j + 1 if j > i else j): r for j, r in region.bad.items()}
        region.bad[i] = region.bad.get(i, reason)


def _fast(
    region: Region, pos: int, blanks: Sequence[str], bodies: Sequence[str], crs: Sequence[str], s: Syntax
) -> None:
    """Offsets from the lengths alone, in C (map / accumulate): no Python step per segment."""
    lead = list(map(len, blanks))
    sizes = map(add, map(add, map(add, lead, map(len, bodies)), map(len, crs)), repeat(len(s.terminator)))
    ends = list(accumulate(sizes, initial=pos))
    region.starts = list(map(add, ends[:-1], lead))
    region.ends = ends[1:]
    region.bodies = list(bodies)
    region.next = ends[-1]


def _careful(region: Region, text: str, pos: int, pattern: re.Pattern[str], s: Syntax) -> None:
    """The slow path: segment by segment, so that text the pattern skips (a control character, a bad tag) is
    seen; each stretch it skipped becomes bad segments, cut at its own terminators."""
    at = 0
    for m in pattern.finditer(text):
        gap_at = at + len(text[at : m.start(2)]) - len(text[at : m.start(2)].lstrip(BLANKS))
        pieces = _cut(text, gap_at, m.start(2), s) if gap_at < m.start(2) else []
        for start, end in pieces[:-1]:  # whole bad segments inside the stretch
            _add(region, pos, text[start:end], start, end + len(s.terminator), s, bad=True)
        start = pieces[-1][0] if pieces else m.start(2)
        _add(region, pos, text[start : m.end(2)], start, m.end(), s, bad=start < m.start(2))
        at = m.end()
    region.next = pos + at


def _cut(text: str, start: int, end: int, s: Syntax) -> list[tuple[int, int]]:
    """[start, end) cut at unreleased terminators: (start, end) of each piece, blanks before a piece skipped."""
    out, a = [], start
    at = text.find(s.terminator, a, end)
    while at >= 0:
        if not released(text, at, s.release, a):
            out.append((a, at))
            a = at + len(s.terminator)
            while a < end and text[a] in BLANKS:
                a += 1
        at = text.find(s.terminator, at + 1, end)
    out.append((a, end))
    return out


def _add(region: Region, pos: int, body: str, start: int, end: int, s: Syntax, *, bad: bool) -> None:
    region.bodies.append(body)
    region.starts.append(pos + start)
    region.ends.append(pos + end)
    if bad:
        region.bad[len(region.bodies) - 1] = _why(body, s)


def _why(body: str, s: Syntax) -> str:
    """Why the pattern would not take this segment: a control character, else its tag."""
    bad = next((c for c in body if (ord(c) < 32 or ord(c) == 127) and c not in s.separators), None)
    if bad is not None:
        return f"control character 0x{ord(bad):02X} inside the segment"
    at = body.find(s.element)
    return f"bad segment tag {(body if at < 0 else body[:at])[:10]!r}"


def only_padding(text: str) -> bool:
    """True for what may follow the last trailer: nothing, blanks, NUL fill, an end-of-file mark (^Z, 0x1A)."""
    return all(c in PADDING for c in text)


def decode_value(value: str) -> str:
    """A Latin-1 read value back to text: UTF-8 when it is valid UTF-8 (UNOY/UNOW), else Latin-1 (UNOC)."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return value
