"""Partner profiles from the plant file: ``[partners.NAME]`` turned into the parsers' profiles, and checked.

What it is for: ``profiles_of`` builds the ``PartnerProfiles`` a parse stream takes (DELJIT and X12 codes over
the shipped defaults, the VDA 4916 record mapping, the partner's zone, the format it sends and its test-file
policy) from one ``sequencer.plant.PartnerConfig``; ``partner_problems`` is what ``app.config.load_plant``
refuses beyond the schema (a VDA mapping that does not hold, a zone that is not one), each as a key path and a
one-line message; ``partner_of`` chooses the partner of an import (named, or the feed's). docs/message-formats.md,
"Partner profiles", says how a profile is written.
What it must not do: read files or talk to anything (pure: plant data in, profiles out).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.feed.formats.deljit import DEFAULT_PROFILE as DELJIT_DEFAULT
from app.feed.formats.detect import DEFAULT_PROFILES, PartnerProfiles
from app.feed.formats.vda4916 import DEFAULT_MAPPING, MappingError, mapping_from_dict
from app.feed.formats.x12 import DEFAULT_PROFILE as X12_DEFAULT
from sequencer.plant import PartnerConfig, PlantConfig

Loc = tuple[str | int, ...]
_RECORD = re.compile(r"record (\w{3}) \(")


class UnknownPartner(ValueError):
    """An import named a partner the plant file does not have."""


def _set(codes: Any) -> dict[str, Any]:
    """The keys a partner's code table sets (left out: the shipped default stays)."""
    return {key: getattr(codes, key) for key in codes.model_fields_set if getattr(codes, key) is not None}


def profiles_of(partner: PartnerConfig | None) -> PartnerProfiles:
    """The parsers' profiles for ``partner`` (None: the shipped defaults). The partner must have passed
    ``partner_problems`` (``load_plant`` sees to it); a bad VDA mapping raises ``MappingError`` here."""
    if partner is None:
        return DEFAULT_PROFILES
    policy: Literal["refuse", "accept"] = "refuse" if partner.test_indicator == "refuse" else "accept"  # route: read
    vda = mapping_from_dict(partner.vda) if partner.vda is not None else DEFAULT_MAPPING
    return PartnerProfiles(
        deljit=replace(DELJIT_DEFAULT, **_set(partner.deljit), test_indicator=policy),
        x12=replace(X12_DEFAULT, **_set(partner.x12), test_indicator=policy),
        vda=vda.model_copy(update={"test_indicator": policy}),
        format=partner.format,
        test_feed=partner.test_feed if partner.test_indicator == "route" else "",
        zone=partner.timezone,
    )


def _zone_problem(name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{name!r} is not a time zone (an IANA name such as Europe/Berlin)"
    return None


def partner_problems(plant: PlantConfig) -> list[tuple[Loc, str]]:
    """What the schema cannot see in ``[partners]``: (key path, one-line message) each."""
    problems: list[tuple[Loc, str]] = []
    for name, partner in plant.partners.items():
        at: Loc = ("partners", name)
        if partner.timezone and (why := _zone_problem(partner.timezone)):
            problems.append(((*at, "timezone"), why))
        for code, zone in (partner.x12.time_codes or {}).items():
            if why := _zone_problem(zone):
                problems.append(((*at, "x12", "time_codes", code), why))
        if partner.vda is not None:
            try:
                mapping_from_dict(partner.vda)
            except MappingError as exc:
                for line in exc.errors:
                    path, _, message = line.partition(": ")
                    keys = tuple(k for k in path.split(".") if k and k != "mapping")
                    if not keys and (record := _RECORD.match(message)):  # the whole-mapping check names a record
                        keys = ("records", record[1], "fields")
                    problems.append(((*at, "vda", *keys), message))
    return problems


def partner_of(plant: PlantConfig, *, partner: str | None = None, feed: str | None = None) -> PartnerConfig | None:
    """The partner whose profile reads a file: ``partner`` when named (``UnknownPartner`` if the plant has none of
    that name), else the partner of ``feed``, else the one partner every feed of the plant names (none when they
    name none or several: the shipped codes)."""
    if partner:
        if partner not in plant.partners:
            known = ", ".join(plant.partners) or "none"
            raise UnknownPartner(f"unknown partner {partner!r} (the plant file's partners: {known})")
        return plant.partners[partner]
    if feed is not None and (cfg := plant.feed(feed)) is not None:
        return plant.partners.get(cfg.partner) if cfg.partner else None
    named = {f.partner for f in plant.feeds if f.partner}
    if len(named) == 1:
        return plant.partners[named.pop()]
    return None
