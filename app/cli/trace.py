"""``jis trace``: which serials and batches went into which vehicle, from the ``traced_parts`` read model and the
journal rows after its mark (``app.service.trace.traced``; the service may run or not).

``jis trace VIN`` lists the parts scanned for a vehicle; ``--serial S`` and ``--batch B`` the vehicles that got
that serial or batch (a recall). Text by default, one JSON object with ``--json``. Exit 0 when something was
found, 1 when nothing was (a script can tell "none" from an answer).
What it must not do: write to the database or create one (a database that is not there is refused).
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from app.cli.context import database_of, plant_of, zone_of
from app.cli.errors import CommandError
from app.cli.options import Subparsers, add_config, add_database, add_json

HELP = "serials and batches traced to vehicles, from the journal"


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "trace",
        help=HELP,
        description="Traceability from the journal: the parts scanned for a vehicle, or the vehicles that got a "
        "serial or a batch.",
    )
    add_config(p)
    add_database(p)
    p.add_argument("vin", nargs="?", default=None, help="the vehicle (VIN) whose scanned parts to list")
    p.add_argument("--serial", default=None, help="the vehicles that got this serial")
    p.add_argument("--batch", default=None, help="the vehicles that got a part of this batch")
    add_json(p)
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from app.persist.store import Store
    from app.service.trace import traced

    if args.vin is None and args.serial is None and args.batch is None:
        raise CommandError("name a VIN, --serial S or --batch B")
    plant = plant_of(args.config)
    zone = zone_of(plant, args.config)
    store = Store(database_of(args, plant, must_exist=True), migrate=False)
    try:
        found = traced(store, plant, vin=args.vin, serial=args.serial, batch=args.batch)
    finally:
        store.close()
    if args.json:
        asked = {"vin": args.vin, "serial": args.serial, "batch": args.batch}
        print(json.dumps({"asked": asked, "traces": [t.as_dict() for t in found]}))
    elif not found:
        print("nothing traced")
    else:
        print("when                 vehicle            feed  seq    family   part                serial       batch")
        for t in found:
            when = datetime.fromtimestamp(t.at, zone).strftime("%Y-%m-%d %H:%M:%S")
            print(
                f"{when}  {t.vehicle_id:<17}  {t.feed:<4}  {t.seq:<5}  {t.family:<7}  {t.part:<18}  "
                f"{t.serial or '-':<11}  {t.batch or '-'}   rack {t.rack_no} slot {t.slot}"
            )
    return 0 if found else 1
