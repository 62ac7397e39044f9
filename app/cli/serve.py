"""``jis serve``: run the sequencing service for a plant, as the active service or a hot standby.

What it must not do: decide anything about the line; it loads the plant file, applies ``--database`` and hands
over to ``app.service.standby.serve``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from app.cli.options import Subparsers, add_config, add_database

HELP = "run the sequencing service for a plant"
DESCRIPTION = (
    "Run the sequencing service for a plant: the feed intake, the core, the devices and the HMI bus. Of the serve "
    "processes on one database one is active; --standby waits to take over."
)


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("serve", help=HELP, description=DESCRIPTION)
    add_config(p)
    add_database(p)
    p.add_argument("--standby", action="store_true", help="wait as a hot standby while another serve is active")
    p.add_argument("--speed", type=float, default=1.0, help="plant seconds per real second (simulated plants)")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from app.config import load_plant
    from app.service.standby import serve

    plant = load_plant(args.config)
    if args.database:
        plant = plant.model_copy(update={"service": plant.service.model_copy(update={"database": args.database})})
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(serve(plant, standby=args.standby, speed=args.speed))
    return 0
