"""The canonical broadcast every OEM message format is turned into, and the parse result around it.

One ``CanonicalBroadcast`` is one build order for one vehicle, whatever it arrived as (EDIFACT DELJIT, X12 866,
VDA 4916 records, JSON). The parsers fill it; ``jis parse`` prints it as JSON lines; ``to_feed_json`` turns it
into the body of a feed BCAST frame (``app.feed.protocol.BroadcastMessage``), named by ``identity`` (interchange,
message reference, sequence number and content digest), so a message is journaled once however often it is
imported.

Also here, because every parser needs them: ``Problem`` (what could not be parsed or validated, with the raw
bytes to quarantine), ``ParseResult``, the ``InterchangeRegistry`` that recognises a repeated interchange, the
part-number -> family look-up, and local-time conversion.

This module is pure: no files, no sockets, no clock. It must not know any wire syntax (separators, segments,
record positions): that is each format module's business.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.feed.protocol import MESSAGE_ID_MAX, BadBroadcast, decode_broadcast

if TYPE_CHECKING:
    from sequencer.plant import PlantConfig

Function = Literal["original", "change", "cancel", "hold", "release"]

# Problem.index of a problem that concerns an envelope (interchange, group, file) rather than one message.
ENVELOPE = -1
IDENTITY_DIGEST_HEX = 24  # 96 bits of SHA-256 of a broadcast's content in its identity


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartCall(_Frozen):
    """One part the vehicle needs: the family is filled from the plant's master data ("" = unknown part)."""

    family: str = ""
    part: str = Field(min_length=1)
    qty: int = Field(default=1, ge=1)


class CanonicalBroadcast(_Frozen):
    """One build order for one vehicle, in the project's own terms (docs/message-formats.md)."""

    feed: str
    seq: int = Field(ge=0)
    vehicle_id: str = Field(min_length=1)
    function: Function
    firm: bool = True
    options: tuple[str, ...] = ()
    parts: tuple[PartCall, ...] = ()
    required_at: float | None = Field(default=None, allow_inf_nan=False, description="epoch seconds UTC")
    sent_at: float | None = Field(default=None, allow_inf_nan=False, description="document date, epoch s UTC")
    line: str = ""
    unloading_point: str = ""
    call_off: str = ""
    reporting_point: str = ""
    interchange: str = Field(default="", description="partner/control number of the envelope it came in")
    message: str = Field(default="", description="its message's reference in the interchange (UNH 0062, ST02, ...)")
    raw_index: int = Field(default=0, description="which message of the file it came from")

    def to_json_line(self) -> str:
        """The line ``jis parse`` prints (and ``jsonfmt`` reads back)."""
        return self.model_dump_json()

    def feed_problems(self) -> list[str]:
        """Why this broadcast cannot travel as a feed BCAST as it is (empty: it can)."""
        # The feed carries one part number per family, with its quantity (app/feed/protocol.py ``parts``, ``qty``).
        problems = [f"part {p.part!r} has no family (not in master data)" for p in self.parts if not p.family]
        families = [p.family for p in self.parts if p.family]
        twice = sorted({f for f in families if families.count(f) > 1})
        return problems + [f"family {f!r} is called more than once" for f in twice]

    def identity(self) -> str:
        """What names this broadcast however often, and in whichever file, it arrives (the feed's ``message_id``):
        the interchange (sender / control reference), the message reference and the sequence number when the
        format has an envelope, else the sequence number alone; with a digest of the content as parsed, so two
        vehicles of one message, or an original and its change, are never one. Neither the file it came in, its
        place there, the feed it is sent for (the service keeps identities per feed), the part families the
        master data gave, nor a send time ``jis import`` filled in is part of it."""
        parts = [[p.part, p.qty] for p in self.parts]
        content = self.model_dump(mode="json", exclude={"feed", "raw_index", "parts"}) | {"parts": parts}
        digest = _digest(json.dumps(content, sort_keys=True, separators=(",", ":")))
        where = f"{self.interchange}/{self.message}" if self.interchange else "-"
        named = f"{where}/{self.seq}/{digest[:IDENTITY_DIGEST_HEX]}"
        if len(named) > MESSAGE_ID_MAX or not named.isascii() or not named.isprintable() or named != named.strip():
            return f"h/{_digest(named)[:40]}"  # an envelope's references too long or odd for a message id
        return named

    def to_feed_json(self, *, sent_at: float | None = None, message_id: str | None = None) -> bytes:
        """The BCAST body for this broadcast, validated exactly as the service validates it.

        ``sent_at`` overrides the message's own document time (``jis import`` passes the import time when the
        format carries none); ``message_id`` names it on the feed (``jis import`` passes ``identity()``). Raises
        ``FeedMismatch`` naming every reason it cannot be sent.
        """
        problems = self.feed_problems()
        when = sent_at if sent_at is not None else self.sent_at
        if when is None:
            problems.append("no send time: the message carries no document date and none was given")
        if problems:
            raise FeedMismatch("; ".join(problems))
        body = {
            "feed": self.feed,
            "seq": self.seq,
            "vehicle_id": self.vehicle_id,
            "function": self.function,
            "firm": self.firm,
            "options": list(self.options),
            "parts": {p.family: p.part for p in self.parts},
            "sent_at": float(when or 0.0),
            "reporting_point": self.reporting_point,
            "line": self.line,
        }
        if message_id is not None:
            body["message_id"] = message_id
        if quantities := {p.family: p.qty for p in self.parts if p.qty != 1}:
            body["qty"] = quantities
        if self.required_at is not None:
            body["required_at"] = self.required_at
        try:
            return decode_broadcast(json.dumps(body).encode()).encode()
        except BadBroadcast as exc:
            raise FeedMismatch(exc.reason) from None


class FeedMismatch(ValueError):
    """A canonical broadcast the feed protocol cannot carry (unknown family, a quantity, no send time, ...)."""


@dataclass(frozen=True)
class Problem:
    """Something that could not be parsed or validated: quarantine material.

    ``index`` is the message's number in the file (``raw_index``), or ``ENVELOPE`` (-1) for an interchange,
    group or file. ``raw`` holds the bytes of that message / segment group / record group. ``kept`` is True when
    the broadcast was still produced (an unknown part number keeps family "" and is reported, never dropped).
    """

    index: int
    reason: str
    raw: bytes = b""
    kept: bool = False

    def describe(self) -> str:
        where = "envelope" if self.index == ENVELOPE else f"message {self.index}"
        return f"{where}: {self.reason}{' (broadcast kept)' if self.kept else ''}"


@dataclass
class ParseResult:
    """What a file gave: broadcasts (each with the raw bytes of its message), problems, interchanges seen."""

    format: str = ""
    broadcasts: list[CanonicalBroadcast] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    interchange_ids: list[str] = field(default_factory=list)
    sources: list[bytes] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, broadcast: CanonicalBroadcast, source: bytes) -> None:
        self.broadcasts.append(broadcast)
        self.sources.append(source)

    def problem(self, index: int, reason: str, raw: bytes = b"") -> None:
        self.problems.append(Problem(index=index, reason=reason, raw=raw))


Parsed = tuple[CanonicalBroadcast, bytes]  # a broadcast and the raw bytes of its message / group / records
Item = Parsed | Problem  # what a streaming parser yields, in file order


@dataclass
class StreamInfo:
    """What a streaming parser learns besides its items: the format, and the interchanges it read (in order)."""

    format: str = ""
    interchange_ids: list[str] = field(default_factory=list)


def collect(items: Iterable[Item], info: StreamInfo) -> ParseResult:
    """A whole ``ParseResult`` from a stream (for small files and tests; the intake consumes the stream)."""
    result = ParseResult(format=info.format)
    for item in items:
        if isinstance(item, Problem):
            result.problems.append(item)
        else:
            result.add(*item)
    result.format, result.interchange_ids = info.format, list(info.interchange_ids)
    return result


def interchange_key(partner: str, control: str) -> str:
    """How an interchange is named in ``CanonicalBroadcast.interchange`` and ``ParseResult.interchange_ids``."""
    return f"{partner}/{control}"


class InterchangeRegistry:
    """Which (partner, control number) interchanges were already received: pure, in memory, bounded.

    EDIFACT UNB 0020 and X12 ISA13 are unique per sender (ISO 9735, X12.5), so a repeat is a resend or a replayed
    batch. The oldest keys are forgotten past ``capacity`` (a bounded memory, not a history).
    """

    def __init__(self, capacity: int = 100_000) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._capacity = capacity

    def is_duplicate(self, partner: str, control: str) -> bool:
        return interchange_key(partner, control) in self._seen

    def remember(self, partner: str, control: str) -> None:
        self._seen[interchange_key(partner, control)] = None
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)

    def __len__(self) -> int:
        return len(self._seen)


# -- part number -> family ---------------------------------------------------------------------------------
FamilyLookup = Mapping[str, str] | Callable[[str], str | None]


def families_of_plant(plant: PlantConfig) -> dict[str, str]:
    """The plant's master data as a part-number -> family table."""
    return {p.number: p.family for p in plant.parts}


def family_resolver(lookup: FamilyLookup) -> Callable[[str], str | None]:
    """A part-number -> family function from a table or a function."""
    if isinstance(lookup, Mapping):
        return lookup.get
    return lookup


def resolve_families(
    b: CanonicalBroadcast, lookup: FamilyLookup, *, feed: str | None = None
) -> tuple[CanonicalBroadcast, list[str]]:
    """Fill each part's family from master data (and the feed, when given); unknown or contradicting part
    numbers are reasons, not drops."""
    family_of = family_resolver(lookup)
    parts: list[PartCall] = []
    reasons: list[str] = []
    for p in b.parts:
        known = family_of(p.part)
        if known is None:
            reasons.append(f"vehicle {b.vehicle_id}: part {p.part!r} is not in the plant's master data")
            parts.append(p)
        elif p.family and p.family != known:
            said = f"part {p.part!r} sent as family {p.family!r}"
            reasons.append(f"vehicle {b.vehicle_id}: {said}, master data says {known!r}")
            parts.append(p.model_copy(update={"family": known}))
        else:
            parts.append(p if p.family == known else p.model_copy(update={"family": known}))
    update: dict[str, object] = {"parts": tuple(parts)}
    if feed is not None:
        update["feed"] = feed
    return b.model_copy(update=update), reasons


class Finish:
    """What the formats leave open, filled in as each broadcast is built (once: no copies): the feed, from the
    line the message names else the default, and each part's family from the plant's master data (unknown:
    family ""). Part calls are cached (they are frozen): a catch-up repeats the same few hundred parts.
    """

    def __init__(
        self,
        family_of_part: FamilyLookup | None = None,
        feed_default: str = "",
        feed_of_line: Mapping[str, str] | None = None,
        *,
        test_feed: str = "",
    ) -> None:
        self.test_feed = test_feed  # the partner routes its test interchanges here (``feed(line, test=True)``)
        self.family_of = family_resolver(family_of_part) if family_of_part is not None else (lambda _part: None)
        self.feed_default, self.feed_of_line = feed_default, dict(feed_of_line or {})
        self._parts: dict[tuple[str, int], PartCall] = {}

    def part(self, number: str, qty: int = 1) -> PartCall:
        """The part call for ``number`` x ``qty`` with its family (raises pydantic ValidationError when invalid)."""
        key = (number, qty)
        found = self._parts.get(key)
        if found is None:
            found = PartCall(family=self.family_of(number) or "", part=number, qty=qty)
            if len(self._parts) < 100_000:
                self._parts[key] = found
        return found

    def feed(self, line: str, *, test: bool = False) -> str:
        """The feed of a message naming ``line``; a test interchange's is the partner's test feed when it has one."""
        if test and self.test_feed:
            return self.test_feed
        return self.feed_of_line.get(line, "") or self.feed_default

    def reasons(self, b: CanonicalBroadcast) -> list[str]:
        """What a finished broadcast still lacks (kept problems): unknown parts, no feed."""
        out = [
            f"vehicle {b.vehicle_id}: part {p.part!r} is not in the plant's master data"
            for p in b.parts
            if not p.family
        ]
        if not b.feed:
            out.append(f"vehicle {b.vehicle_id}: no feed (the message names none; give --feed)")
        return out


PLAIN = Finish()  # no master data, no feed: what the format parsers give when called on their own


# -- numbers and local date/time text -----------------------------------------------------------------------
MAX_QTY = 9999  # a JIS call is a handful of parts; a bigger number is a corrupt field, not an order


def is_digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts '²', which int() refuses."""
    return text.isascii() and text.isdigit()


@lru_cache(maxsize=1024)
def parse_qty(text: str) -> int:
    """A quantity field ('1', '1.000', '1,000' with either decimal mark) as a whole number 1..MAX_QTY."""
    cleaned = text.strip().replace(",", ".")
    whole, _, fraction = cleaned.partition(".")
    if not is_digits(whole) or (fraction and not is_digits(fraction)) or len(whole) > 9:
        raise ValueError(f"quantity {text!r} is not a number")
    if fraction.strip("0"):
        raise ValueError(f"quantity {text!r} is not a whole number")
    qty = int(whole)
    if not 1 <= qty <= MAX_QTY:
        raise ValueError(f"quantity {qty} is outside 1..{MAX_QTY}")
    return qty


_WIDTH = {"Y": 4, "y": 2, "m": 2, "d": 2, "H": 2, "M": 2, "S": 2}


@lru_cache(maxsize=64)
def _layout(fmt: str) -> tuple[tuple[str, int, int], ...]:
    """(directive, start, end) per field of a digits-only strptime format such as %Y%m%d%H%M."""
    out, at = [], 0
    for directive in fmt.split("%")[1:]:
        width = _WIDTH[directive]
        out.append((directive, at, at + width))
        at += width
    return tuple(out)


@lru_cache(maxsize=8192)
def epoch_seconds(text: str, fmt: str, zone: tzinfo) -> float:
    """``text`` in strptime ``fmt`` (digits only: %Y %y %m %d %H %M %S) as wall-clock time in ``zone`` -> epoch s UTC.

    The length is checked first (strptime alone accepts '2025035' for %Y%m%d). Raises ValueError. Cached: a
    catch-up file repeats its times.
    """
    layout = _layout(fmt)
    if len(text) != (layout[-1][2] if layout else 0) or not is_digits(text):
        raise ValueError(f"{text!r} is not a date/time of the form {fmt}")
    f = {d: int(text[a:b]) for d, a, b in layout}
    year = f["Y"] if "Y" in f else f["y"] + (1900 if f["y"] >= 69 else 2000)  # as strptime's %y
    try:
        when = datetime(year, f["m"], f["d"], f.get("H", 0), f.get("M", 0), f.get("S", 0), tzinfo=zone)
    except ValueError:
        raise ValueError(f"{text!r} is not a date/time of the form {fmt}") from None
    return when.timestamp()
