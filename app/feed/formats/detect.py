"""Which format a file is, and the one entry point that parses any of them (``jis parse FILE`` prints it).

Detection is by content, never by file name: UNA/UNB -> EDIFACT (DELJIT), ISA -> X12 (866), '{' or '[' ->
JSON, fixed records whose type the VDA mapping knows -> VDA 4916. ``parse_bytes`` then completes what the
formats leave open: the feed (from the message, else the plant feed whose ``line`` the message names, else
``feed_default``) and each part's family from the plant's master data. An unknown part keeps family "" and is
reported (``Problem.kept``), never dropped.

``parse_bytes`` never raises for bad input: a parser bug is caught too and reported as a problem starting
"parser error" (the tests assert that never happens), so one bad file cannot stop the intake.
This module reads files only in ``parse_file`` and ``load_vda_profiles``; it never writes or prints anything
(``app/cli/parse.py`` prints).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from app.feed.formats.canonical import (
    ENVELOPE,
    FamilyLookup,
    InterchangeRegistry,
    ParseResult,
    Problem,
    families_of_plant,
    resolve_families,
)
from app.feed.formats.deljit import DEFAULT_PROFILE as DELJIT_DEFAULT
from app.feed.formats.deljit import DeljitProfile, parse_deljit
from app.feed.formats.jsonfmt import parse_json
from app.feed.formats.vda4916 import DEFAULT_MAPPING, VdaMapping, looks_like_vda, mapping_from_dict, parse_vda
from app.feed.formats.x12 import DEFAULT_PROFILE as X12_DEFAULT
from app.feed.formats.x12 import X12Profile, parse_x12
from sequencer.plant import PlantConfig

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class PartnerProfiles:
    """How this plant's partners use each format (codes and layouts are per partner, see the docs)."""

    deljit: DeljitProfile = DELJIT_DEFAULT
    x12: X12Profile = X12_DEFAULT
    vda: VdaMapping = DEFAULT_MAPPING


DEFAULT_PROFILES = PartnerProfiles()


def detect_format(raw: bytes, profiles: PartnerProfiles = DEFAULT_PROFILES) -> str | None:
    """'edifact', 'x12', 'json', 'vda4916', or None when the content is none of them."""
    head = raw.removeprefix(_BOM).lstrip()
    if head.startswith((b"UNA", b"UNB")):
        return "edifact"
    if head.startswith(b"ISA"):
        return "x12"
    if head.startswith((b"{", b"[")):
        return "json"
    if looks_like_vda(raw, profiles.vda):
        return "vda4916"
    return None


_Parser = Callable[[bytes, tzinfo, InterchangeRegistry, PartnerProfiles], ParseResult]
PARSERS: dict[str, _Parser] = {
    "edifact": lambda raw, zone, reg, p: parse_deljit(raw, zone=zone, registry=reg, profile=p.deljit),
    "x12": lambda raw, zone, reg, p: parse_x12(raw, zone=zone, registry=reg, profile=p.x12),
    "vda4916": lambda raw, zone, reg, p: parse_vda(raw, zone=zone, registry=reg, mapping=p.vda),
    "json": lambda raw, zone, reg, p: parse_json(raw),
}


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
    inside ``raw`` itself.
    """
    fmt = detect_format(raw, profiles)
    if fmt is None:
        what = "empty input" if not raw.strip() else "unknown format (not EDIFACT, X12, JSON or known VDA records)"
        return ParseResult(problems=[Problem(ENVELOPE, what, raw)])
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    try:
        found = PARSERS[fmt](raw, tz, registry if registry is not None else InterchangeRegistry(), profiles)
    except Exception as exc:  # a parser bug must not stop the intake; the raw file is kept for a person
        return ParseResult(format=fmt, problems=[Problem(ENVELOPE, f"parser error {type(exc).__name__}: {exc}", raw)])
    return _complete(found, family_of_part, feed_default, feed_of_line or {})


def _complete(
    found: ParseResult, family_of_part: FamilyLookup, feed_default: str, feed_of_line: Mapping[str, str]
) -> ParseResult:
    """Feed and part families filled in; what is missing is a kept problem."""
    out = ParseResult(format=found.format, problems=list(found.problems), interchange_ids=list(found.interchange_ids))
    for b, source in zip(found.broadcasts, found.sources, strict=True):
        feed = b.feed or feed_of_line.get(b.line, "") or feed_default
        done, reasons = resolve_families(b.model_copy(update={"feed": feed}), family_of_part)
        if not feed:
            reasons.append(f"vehicle {b.vehicle_id}: no feed (the message names none; give --feed)")
        out.add(done, source)
        out.problems += [Problem(b.raw_index, r, source, kept=True) for r in reasons]
    return out


def parse_file(
    path: str | Path,
    *,
    plant: PlantConfig | None = None,
    feed: str | None = None,
    registry: InterchangeRegistry | None = None,
    profiles: PartnerProfiles = DEFAULT_PROFILES,
    zone: tzinfo | str | None = None,
) -> ParseResult:
    """``parse_bytes`` of a file with the plant's master data (the shipped demo plant when ``plant`` is None).

    The feed defaults to ``feed``, else the plant feed whose line the message names, else the plant's only
    feed. Raises OSError when the file cannot be read (bad content never raises).
    """
    if plant is None:
        from app.config import load_plant

        plant = load_plant()
    raw = Path(path).read_bytes()
    only = plant.feeds[0].id if len(plant.feeds) == 1 else ""
    return parse_bytes(
        raw,
        family_of_part=families_of_plant(plant),
        feed_default=feed or only,
        feed_of_line={f.line: f.id for f in plant.feeds if f.line},
        registry=registry,
        zone=zone if zone is not None else plant.plant.timezone,
        profiles=profiles,
    )


def load_vda_profiles(path: str | Path) -> PartnerProfiles:
    """Partner profiles with the VDA 4916 record mapping in the TOML file ``path`` (the partner's flavour).
    OSError when it cannot be read, ValueError when it is not a mapping."""
    try:
        with open(path, "rb") as f:
            return PartnerProfiles(vda=mapping_from_dict(tomllib.load(f)))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ValueError(f"{path}: bad VDA mapping: {exc}") from None
