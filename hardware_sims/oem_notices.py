"""The simulated OEM's goods-receipt desk: it reads each ship notice the service sends over the feed link, checks
it against what the OEM broadcast (every vehicle id at its sequence number, the rack's parts in sequence), and
answers accepted or rejected (``NOTICE_ANS``, docs/ship-notices.md).

The notice is read by an injected reader (tests give it the project's own parser, ``app.feed.outbound.read``) or,
by default, by this module's own small readers, written from docs/ship-notices.md and not imported from ``app``:
a simulator must not import the service (import-linter layers), and an OEM would not share our code either.

Knobs for tests and faults: ``mode`` = "answer" (check and answer), "reject" (reject every notice) or "ignore"
(never answer: the service's time-out); ``lose_every`` = n loses the first arrival of every n-th notice version
(the ``notice_loss`` fault: the service sends it again).
Must not: keep a socket (the feed sim sends what ``answer`` returns) or read any clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

NOTICE, NOTICE_ANS = b"NOTICE", b"NOTICE_ANS"
Mode = Literal["answer", "reject", "ignore"]


class ReadItemLike(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def vehicle_id(self) -> str: ...


class NoticeLike(Protocol):
    @property
    def notice_id(self) -> str: ...
    @property
    def items(self) -> Sequence[ReadItemLike]: ...


NoticeReader = Callable[[str, bytes], NoticeLike]  # (format, message bytes) -> what it says; ValueError if unreadable


@dataclass(frozen=True)
class _Item:
    seq: int
    vehicle_id: str


@dataclass
class _Notice:
    notice_id: str = ""
    items: list[_Item] = field(default_factory=list)


def _edifact_segments(text: str) -> list[list[list[str]]]:
    """Segments as elements of components, with the ISO 9735 default separators and ``?`` releasing."""
    if text.startswith("UNA"):
        text = text[9:]
    segments: list[list[list[str]]] = []
    seg: list[list[str]] = [[]]
    cur: list[str] = []
    chars = iter(text)
    for ch in chars:
        if ch == "?":
            cur.append(next(chars, ""))
        elif ch == ":":
            seg[-1].append("".join(cur))
            cur = []
        elif ch == "+":
            seg[-1].append("".join(cur))
            seg.append([])
            cur = []
        elif ch == "'":
            seg[-1].append("".join(cur))
            segments.append(seg)
            seg, cur = [[]], []
        elif ch not in "\r\n" or cur:
            cur.append(ch)
    return segments


def read_desadv(raw: bytes) -> _Notice:
    out = _Notice()
    seq: int | None = None
    for seg in _edifact_segments(raw.decode("utf-8")):
        tag = seg[0][0]
        if tag == "BGM" and len(seg) > 2:
            out.notice_id = seg[2][0]
        elif tag == "RFF" and len(seg) > 1 and seg[1][0] == "AAN":
            seq = int(seg[1][1])
        elif tag == "GIR" and len(seg) > 2 and seq is not None:
            out.items.append(_Item(seq, seg[2][0]))
            seq = None
    if not out.notice_id:
        raise ValueError("DESADV without a BGM document number")
    return out


def read_vda4913(raw: bytes) -> _Notice:
    out = _Notice()
    for line in raw.decode("ascii").splitlines():
        if len(line) != 128:
            raise ValueError(f"VDA 4913 record of {len(line)} characters")
        if line.startswith("713"):
            out.notice_id = line[28:63].rstrip()
        elif line.startswith("714"):
            out.items.append(_Item(int(line[49:57]), line[72:94].rstrip()))
    if not out.notice_id:
        raise ValueError("VDA 4913 without a 713 record")
    return out


def read_x12_856(raw: bytes) -> _Notice:
    """The separators are the ISA's: element at position 4, component at 105, segment terminator at 106."""
    text = raw.decode("ascii")
    if not text.startswith("ISA") or len(text) < 106:
        raise ValueError("X12 without an ISA")
    element, terminator = text[3], text[105]
    out = _Notice()
    item: dict[str, str] | None = None
    for seg in text.split(terminator):
        e = seg.strip().split(element)
        if e[0] == "BSN" and len(e) > 2:
            out.notice_id = e[2].rpartition("-")[0]
        elif e[0] == "HL":
            item = {} if len(e) > 3 and e[3] == "I" else None
        elif e[0] == "REF" and item is not None and len(e) > 2:
            item[e[1]] = e[2]
            if "JS" in item and "VV" in item:
                out.items.append(_Item(int(item["JS"]), item["VV"]))
                item = None
    if not out.notice_id:
        raise ValueError("856 without a BSN document number")
    return out


OWN_READERS: dict[str, Callable[[bytes], _Notice]] = {
    "desadv": read_desadv,
    "vda4913": read_vda4913,
    "x12_856": read_x12_856,
}


def own_reader(fmt: str, raw: bytes) -> NoticeLike:
    reader = OWN_READERS.get(fmt)
    if reader is None:
        raise ValueError(f"unknown format {fmt!r}")
    return reader(raw)


class NoticeDesk:
    """Checks notices against the broadcasts (``broadcast_of(seq)`` -> the JSON body the OEM sent for it)."""

    def __init__(
        self,
        feed: str,
        broadcast_of: Callable[[int], bytes | None],
        *,
        modulus: int,
        reader: NoticeReader | None = None,
    ) -> None:
        self.feed = feed
        self.modulus = modulus
        self.mode: Mode = "answer"
        self.lose_every = 0  # fault: lose the first arrival of every n-th notice version (0: none)
        self.lost = 0
        self._arrived: set[tuple[str, int]] = set()  # (notice id, version) seen: only a first arrival is lost
        self._broadcast_of = broadcast_of
        self._reader = reader or own_reader
        self.received = 0
        self.accepted = 0
        self.rejected = 0
        self.reasons: list[str] = []  # the newest rejections' reasons (at most 100)

    def answer(self, msg: dict[str, Any]) -> list[bytes] | None:
        """The NOTICE_ANS frames for a NOTICE body (None: no answer)."""
        self.received += 1
        key = (str(msg.get("notice_id", "")), int(msg.get("version", 0) or 0))
        first = key not in self._arrived
        self._arrived.add(key)
        if self.lose_every and first and len(self._arrived) % self.lose_every == 0:
            self.lost += 1  # lost on the way: the service sends it again after resend_after_s
            return None
        if self.mode == "ignore":
            return None
        reason = "rejected by the OEM (fault switch)" if self.mode == "reject" else self.check(msg)
        accepted = not reason
        if accepted:
            self.accepted += 1
        else:
            self.rejected += 1
            self.reasons = [*self.reasons[-99:], reason]
        body = {
            "feed": self.feed,
            "notice_id": str(msg.get("notice_id", "")),
            "version": msg.get("version", 0),
            "accepted": accepted,
            "reason": reason,
        }
        return [NOTICE_ANS, json.dumps(body, separators=(",", ":")).encode()]

    def check(self, msg: dict[str, Any]) -> str:
        """Why the notice is wrong ("" when it is right): readable, its own document, every vehicle at the sequence
        number the OEM broadcast it with, the parts in sequence."""
        try:
            notice = self._reader(str(msg.get("format", "")), str(msg.get("message", "")).encode("utf-8"))
        except ValueError as exc:
            return f"unreadable: {exc}"
        if notice.notice_id != msg.get("notice_id"):
            return f"document {notice.notice_id!r} is not the notice {msg.get('notice_id')!r}"
        if msg.get("function") == "cancel":
            return ""
        previous: int | None = None
        for item in notice.items:
            body = self._broadcast_of(item.seq)
            sent = json.loads(body).get("vehicle_id") if body else None
            if sent is None:
                return f"sequence {item.seq} was never broadcast"
            if sent != item.vehicle_id:
                return f"sequence {item.seq} was vehicle {sent}, not {item.vehicle_id}"
            if previous is not None and not 0 < (item.seq - previous) % self.modulus < self.modulus // 2:
                return f"sequence {item.seq} after {previous}: not in sequence"
            previous = item.seq
        return ""
