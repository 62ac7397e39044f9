"""``jis parse FILE``: an OEM message file as canonical broadcasts, one JSON line each; problems on stderr.

What it must not do: parse (``app.feed.formats`` does) or send anything anywhere. Exit 0: no problem, 1: problems,
2: cannot run (file, plant file, feed, mapping or time zone wrong).
"""

from __future__ import annotations

import argparse
import sys
from datetime import tzinfo
from typing import TYPE_CHECKING

from app.cli.context import plant_of, unknown_feed, zone_of
from app.cli.errors import CommandError
from app.cli.options import Subparsers, add_config

if TYPE_CHECKING:
    from app.feed.formats import PartnerProfiles
    from sequencer.plant import PlantConfig

HELP = "print an OEM message file as canonical broadcasts"


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "parse",
        help=HELP,
        description="Print an OEM message file (DELJIT, X12 866, VDA 4916, JSON) as canonical broadcasts, "
        "one JSON object a line; problems go to stderr. Exit 0: no problem, 1: problems, 2: cannot run.",
    )
    p.add_argument("file", help="the message file; its format is detected from its content")
    p.add_argument("--feed", default=None, help="feed id for messages that name none (default: the plant's only feed)")
    add_config(p, help="plant file for part families, feeds and time zone (default: the shipped demo plant)")
    p.add_argument("--plant", dest="config", help=argparse.SUPPRESS)  # the old spelling of --config
    p.add_argument("--partner", default=None, help="the [partners.NAME] whose profile reads it (default: the feed's)")
    p.add_argument("--vda-mapping", default=None, help="TOML record mapping of the partner's VDA 4916 flavour")
    p.add_argument("--timezone", default=None, help="senders' zone for times without one (default: the plant's)")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from app.feed.formats import parse_file

    plant, profiles, zone = _setup(args)
    try:
        result = parse_file(args.file, plant=plant, feed=args.feed, profiles=profiles, zone=zone)
    except OSError as exc:
        raise CommandError(f"{args.file}: cannot read: {exc.strerror}") from None
    for b in result.broadcasts:
        print(b.to_json_line())
    for problem in result.problems:
        print(f"jis parse: {args.file}: {problem.describe()}", file=sys.stderr)
    return 0 if result.ok else 1


def _setup(args: argparse.Namespace) -> tuple[PlantConfig, PartnerProfiles, tzinfo]:
    from dataclasses import replace
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from app.feed.formats import load_vda_profiles
    from app.feed.formats.partners import UnknownPartner, partner_of, profiles_of

    plant = plant_of(args.config)
    if args.feed is not None and plant.feed(args.feed) is None:
        raise CommandError(unknown_feed(args.feed, plant))
    try:
        profiles = profiles_of(partner_of(plant, partner=args.partner, feed=args.feed))
        if args.vda_mapping:
            profiles = replace(profiles, vda=load_vda_profiles(args.vda_mapping).vda)
    except UnknownPartner as exc:
        raise CommandError(f"--partner: {exc}") from None
    except OSError as exc:
        raise CommandError(f"--vda-mapping {args.vda_mapping}: cannot read: {exc.strerror}") from None
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if args.timezone is None:
        return plant, profiles, zone_of(plant, args.config)
    try:
        return plant, replace(profiles, zone=""), ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CommandError(f"--timezone {args.timezone!r} is not a time zone (an IANA name: Europe/Berlin)") from None
