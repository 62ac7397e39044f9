"""What several commands take from the same places: the plant file and the database URL, checked before use.

What it is for: ``plant_of`` loads the plant file (``--config``); ``database_of`` picks the database (``--database``,
else the plant file's ``[service] database``) and checks it (``app.persist.database``), naming in a refusal where
the URL came from, so the person knows which to fix; ``zone_of`` is the plant's time zone, refused by name.
What it must not do: open or create a database, or import a heavy module before a command runs.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.persist.database import DatabaseUrlError, check_database
from sequencer.plant import PlantConfigError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from sequencer.plant import PlantConfig


def plant_of(path: str | None) -> PlantConfig:
    """The plant file at ``path`` (the shipped demo plant when None); PlantConfigError names file and key."""
    from app.config import load_plant

    return load_plant(path)


def database_of(
    args: argparse.Namespace, plant: PlantConfig | None = None, *, must_exist: bool, probe: bool = True
) -> str:
    """The database URL the command is to use, checked: ``must_exist`` for a command that only reads, ``probe``
    to see that a PostgreSQL server answers. ``plant``: the plant file already loaded (else ``args.config``)."""
    if args.database:
        url, origin = str(args.database), "--database"
    else:
        url = (plant or plant_of(args.config)).service.database
        origin = f"[service] database in {args.config or 'the demo plant'}"
    try:
        check_database(url, must_exist=must_exist, probe=probe)
    except DatabaseUrlError as exc:
        raise DatabaseUrlError(f"{origin}: {exc}") from None
    return url


def zone_of(plant: PlantConfig, config: str | None) -> ZoneInfo:
    """The plant's time zone (``[plant] timezone``), refused by name when it is not one."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(plant.plant.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        where = config or "the demo plant"
        raise PlantConfigError(
            f"{where}: plant.timezone: {plant.plant.timezone!r} is not a time zone (an IANA name: Europe/Berlin)"
        ) from None


def unknown_feed(feed: str, plant: PlantConfig) -> str:
    """The refusal of ``--feed FEED`` that is not one of the plant's, naming the ones that are."""
    return f"--feed {feed!r} is not a feed of this plant: {', '.join(f.id for f in plant.feeds)}"
