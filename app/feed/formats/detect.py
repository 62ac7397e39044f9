"""Which format a file is, and the one entry point that parses any of them (``jis parse FILE`` prints it).

Detection is by content, never by file name: UNA/UNB -> EDIFACT (DELJIT), ISA -> X12 (866), '{' or '[' ->
JSON, fixed records whose type the VDA mapping knows -> VDA 4916. ``parse_bytes`` then completes what the
formats leave open: the feed (from the message, else the plant feed whose ``line`` the message names, else
``feed_default``) and each part's family from the plant's master data. An unknown part keeps family "" and is
reported (``Problem.kept``), never dropped.

``ParseStream`` (``open_stream`` for a path) is the streaming entry point: broadcasts and problems one at a time,
memory bounded by the largest message; ``parse_bytes`` / ``parse_file`` collect a stream into a ``ParseResult``
for small files. Neither raises for bad input: a parser bug is caught too and reported as a problem starting
"parser error" (the tests assert that never happens), so one bad file cannot stop the intake.
This module reads files only in ``open_stream`` / ``parse_file`` and ``load_vda_profiles``; it never writes or
prints anything (``app/cli/parse.py`` prints).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from app.feed.formats.canonical import (
    ENVELOPE,
    CanonicalBroadcast,
    FamilyLookup,
    Finish,
    InterchangeRegistry,
    Item,
    ParseResult,
    Problem,
    StreamInfo,
    collect,
    families_of_plant,
    resolve_families,
)
from app.feed.formats.deljit import DEFAULT_PROFILE as DELJIT_DEFAULT
from app.feed.formats.deljit import DeljitProfile, iter_deljit
from app.feed.formats.jsonfmt import parse_json
from app.feed.formats.source import CHUNK, InMemory, Source
from app.feed.formats.vda4916 import (
    DEFAULT_MAPPING,
    MappingError,
    VdaMapping,
    iter_vda,
    looks_like_vda,
    mapping_from_dict,
)
from app.feed.formats.x12 import DEFAULT_PROFILE as X12_DEFAULT
from app.feed.formats.x12 import X12Profile, iter_x12
from sequencer.plant import PlantConfig

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class PartnerProfiles:
    """How one partner uses each format (codes and layouts are per partner, see the docs; the plant file's
    ``[partners.NAME]`` through ``app.feed.formats.partners.profiles_of``)."""

    deljit: DeljitProfile = DELJIT_DEFAULT
    x12: X12Profile = X12_DEFAULT
    vda: VdaMapping = DEFAULT_MAPPING
    format: str | None = None  # the only format this partner sends (None: any)
    test_feed: str = ""  # where its test interchanges go (the parsers accept them; "" with accept: the usual feed)
    zone: str = ""  # its wall-clock zone ("" : the one the caller gives, the plant's)


DEFAULT_PROFILES = PartnerProfiles()


def detect_format(raw: bytes, profiles: PartnerProfiles = DEFAULT_PROFILES) -> str | None:
    """'edifact', 'x12', 'json', 'vda4916', or None when the content is none of them (the first KiB decides)."""
    head = raw[:4096].removeprefix(_BOM).lstrip()
    if head.startswith((b"UNA", b"UNB")):
        return "edifact"
    if head.startswith(b"ISA"):
        return "x12"
    if head.startswith((b"{", b"[")):
        return "json"
    if looks_like_vda(raw[:4096], profiles.vda):
        return "vda4916"
    return None


_Stream = Callable[[Source, tzinfo, InterchangeRegistry, PartnerProfiles, StreamInfo, Finish], Iterator[Item]]


def _json(
    source: Source, zone: tzinfo, reg: InterchangeRegistry, p: PartnerProfiles, info: StreamInfo, finish: Finish
) -> Iterator[Item]:
    """JSON is read whole (the files are small: emergency keying, ``jis parse`` output); completed afterwards."""
    source.ensure(1 << 62)
    found = parse_json(source.bytes(0, source.end))
    info.format, info.interchange_ids = found.format, found.interchange_ids
    yield from zip(found.broadcasts, found.sources, strict=True)
    yield from found.problems


PARSERS: dict[str, _Stream] = {
    "edifact": lambda src, zone, reg, p, info, finish: iter_deljit(
        src, zone=zone, registry=reg, profile=p.deljit, info=info, finish=finish
    ),
    "x12": lambda src, zone, reg, p, info, finish: iter_x12(
        src, zone=zone, registry=reg, profile=p.x12, info=info, finish=finish
    ),
    "vda4916": lambda src, zone, reg, p, info, finish: iter_vda(
        src, zone=zone, registry=reg, mapping=p.vda, info=info, finish=finish
    ),
    "json": _json,
}


class ParseStream:
    """Broadcasts (with their raw bytes) and problems of one file, in file order, never all of them at once.

    Iterate it; ``format`` and ``interchange_ids`` fill in as it goes. Each broadcast has its feed and part
    families completed as in ``parse_bytes``. Never raises for bad input: a parser bug ends the stream with a
    problem starting "parser error" (the tests assert that never happens).
    """

    def __init__(
        self,
        data: InMemory | BinaryIO,
        *,
        family_of_part: FamilyLookup,
        feed_default: str = "",
        feed_of_line: Mapping[str, str] | None = None,
        registry: InterchangeRegistry | None = None,
        zone: tzinfo | str = "UTC",
        profiles: PartnerProfiles = DEFAULT_PROFILES,
        chunk: int = CHUNK,
    ) -> None:
        self.source = Source(data, chunk)
        self.info = StreamInfo()
        self._finish = Finish(family_of_part, feed_default, feed_of_line, test_feed=profiles.test_feed)
        self._pending: list[Problem] = []
        zone = profiles.zone or zone  # the partner's own zone before the plant's
        tz = ZoneInfo(zone) if isinstance(zone, str) else zone
        try:
            self._items = self._start(registry, tz, profiles)
        except Exception as exc:  # a parser bug (see __next__)
            self._items = iter([self._bug(exc)])

    @property
    def format(self) -> str:
        return self.info.format

    @property
    def interchange_ids(self) -> list[str]:
        return self.info.interchange_ids

    def _start(self, registry: InterchangeRegistry | None, zone: tzinfo, profiles: PartnerProfiles) -> Iterator[Item]:
        self.source.ensure(4096)
        head = self.source.bytes(0, 4096)
        fmt = detect_format(head, profiles)
        if fmt is None:
            self.source.ensure(1 << 62)
            raw = self.source.bytes(0, self.source.end)
            what = "empty input" if not raw.strip() else "unknown format (not EDIFACT, X12, JSON or known VDA records)"
            return iter([Problem(ENVELOPE, what, raw)])
        self.info.format = fmt
        if profiles.format is not None and fmt != profiles.format:
            self.source.ensure(1 << 62)
            expected = f"expected {profiles.format} (the partner's or the inbox route's format)"
            reason = f"{expected}, this file is {fmt}: refused whole"
            return iter([Problem(ENVELOPE, reason, self.source.bytes(0, self.source.end))])
        registry = registry if registry is not None else InterchangeRegistry()
        return PARSERS[fmt](self.source, zone, registry, profiles, self.info, self._finish)

    def _bug(self, exc: Exception) -> Problem:
        raw = self.source.bytes(self.source.base, self.source.end)
        return Problem(ENVELOPE, f"parser error {type(exc).__name__}: {exc}", raw)

    def __iter__(self) -> ParseStream:
        return self

    def __next__(self) -> Item:
        if self._pending:
            return self._pending.pop(0)
        try:
            item = next(self._items)
        except StopIteration:
            raise
        except Exception as exc:  # a parser bug must not stop the intake; the bytes still held go to a person
            self._items = iter(())
            return self._bug(exc)
        if isinstance(item, Problem):
            return item
        broadcast, source = item
        if self.info.format == "json":  # JSON may name families and a feed itself: checked against master data
            broadcast, reasons = complete(broadcast, self._finish)
        else:  # the EDI parsers built it with the feed and families already (``Finish``)
            reasons = self._finish.reasons(broadcast)
        if reasons:
            self._pending = [Problem(broadcast.raw_index, r, source, kept=True) for r in reasons]
        return broadcast, source


def complete(b: CanonicalBroadcast, finish: Finish) -> tuple[CanonicalBroadcast, list[str]]:
    """Feed and part families filled in; what is missing is a reason (a kept problem)."""
    feed = b.feed or finish.feed(b.line)
    done, reasons = resolve_families(b, finish.family_of, feed=feed)
    if not feed:
        reasons.append(f"vehicle {b.vehicle_id}: no feed (the message names none; give --feed)")
    return done, reasons


def parse_bytes(
    raw: bytes,
    *,
    family_of_part: FamilyLookup,
    feed_default: str = "",
    feed_of_line: Mapping[str, str] | None = None,
    registry: InterchangeRegistry | None = None,
    zone: tzinfo | str = "UTC",
    profiles: PartnerProfiles = DEFAULT_PROFILES,
) -> ParseResult:
    """Canonical broadcasts and problems of ``raw``, whatever its format. Never raises for bad input.

    ``zone``: the senders' wall-clock zone for times that carry none (the plant's, e.g. "Europe/Berlin").
    ``registry``: interchanges already received (a repeat is quarantined); a fresh one still catches a repeat
    inside ``raw`` itself. For big files use ``ParseStream`` (or ``open_stream``): this holds every broadcast.
    """
    stream = ParseStream(
        raw,
        family_of_part=family_of_part,
        feed_default=feed_default,
        feed_of_line=feed_of_line,
        registry=registry,
        zone=zone,
        profiles=profiles,
    )
    return collect(stream, stream.info)


def _plant_args(plant: PlantConfig | None, feed: str | None) -> dict[str, object]:
    if plant is None:
        from app.config import load_plant

        plant = load_plant()
    only = plant.feeds[0].id if len(plant.feeds) == 1 else ""
    return {
        "family_of_part": families_of_plant(plant),
        "feed_default": feed or only,
        "feed_of_line": {f.line: f.id for f in plant.feeds if f.line},
        "zone": plant.plant.timezone,
    }


@contextmanager
def open_stream(
    path: str | Path,
    *,
    plant: PlantConfig | None = None,
    feed: str | None = None,
    registry: InterchangeRegistry | None = None,
    profiles: PartnerProfiles = DEFAULT_PROFILES,
    zone: tzinfo | str | None = None,
) -> Iterator[ParseStream]:
    """``ParseStream`` over a file, read in chunks (memory: the largest message, not the file); closes it after."""
    args = _plant_args(plant, feed)
    with open(path, "rb") as f:
        yield ParseStream(
            f,
            family_of_part=args["family_of_part"],  # type: ignore[arg-type]
            feed_default=str(args["feed_default"]),
            feed_of_line=args["feed_of_line"],  # type: ignore[arg-type]
            registry=registry,
            zone=zone if zone is not None else str(args["zone"]),
            profiles=profiles,
        )


def parse_file(
    path: str | Path,
    *,
    plant: PlantConfig | None = None,
    feed: str | None = None,
    registry: InterchangeRegistry | None = None,
    profiles: PartnerProfiles = DEFAULT_PROFILES,
    zone: tzinfo | str | None = None,
) -> ParseResult:
    """The whole ``ParseResult`` of a file with the plant's master data (the shipped demo plant when ``plant``
    is None). The feed defaults to ``feed``, else the plant feed whose line the message names, else the plant's
    only feed. Raises OSError when the file cannot be read (bad content never raises).
    """
    with open_stream(path, plant=plant, feed=feed, registry=registry, profiles=profiles, zone=zone) as stream:
        return collect(stream, stream.info)


def load_vda_profiles(path: str | Path) -> PartnerProfiles:
    """Partner profiles with the VDA 4916 record mapping in the TOML file ``path`` (the partner's flavour).
    OSError when it cannot be read, ValueError when it is not a mapping."""
    try:
        with open(path, "rb") as f:
            return PartnerProfiles(vda=mapping_from_dict(tomllib.load(f)))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: bad VDA mapping: {exc}") from None
    except MappingError as exc:
        count = f"{len(exc.errors)} errors" if len(exc.errors) > 1 else "1 error"
        raise ValueError(f"{path}: bad VDA mapping ({count}): {'; '.join(exc.errors)}") from None
