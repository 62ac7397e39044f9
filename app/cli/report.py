"""``jis report``: the shift report (KPIs per hour of plant time) from the read models, as text or JSON.

What it must not do: write to the database or create one: a database that is not there is refused, and the
report is read by ``app.persist.shift_report`` without migrating anything.
"""

from __future__ import annotations

import argparse
import json
import sys

from app.cli.context import database_of, plant_of, zone_of
from app.cli.errors import CommandError
from app.cli.options import Subparsers, add_config, add_database, add_json, day, moment

HELP = "the shift report: KPIs per hour from the read models"
DESCRIPTION = (
    "The shift report from the read models: per hour of plant time the broadcasts, vehicles completed, on-time %, "
    "picks, wrong picks, labels, racks and deviations, a totals row, and the vehicles by status now."
)


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("report", help=HELP, description=DESCRIPTION)
    add_config(p)
    add_database(p)
    p.add_argument(
        "--shift", default=None, help="a shift of the plant file's [calendar] (default: early, late or night)"
    )
    p.add_argument("--date", type=day, default=None, help="YYYY-MM-DD: the day (of the shift's start); default today")
    p.add_argument("--from", dest="start", type=moment, default=None, help="window start, ISO (plant time) or epoch s")
    p.add_argument("--to", dest="end", type=moment, default=None, help="window end (exclusive), with --from")
    add_json(p)
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from app.persist.database import safe_url
    from app.persist.shift_report import ReportError, as_json, as_text, report_from, window_of
    from sequencer.calendar import LineCalendar

    plant = plant_of(args.config)
    zone = zone_of(plant, args.config)
    try:
        calendar = LineCalendar(plant.calendar, zone.key)  # the plant's shifts: the one place they come from
        window = window_of(zone, calendar=calendar, shift=args.shift, day=args.date, start=args.start, end=args.end)
    except ReportError as exc:
        raise CommandError(str(exc)) from None
    url = database_of(args, plant, must_exist=True)
    try:
        report = report_from(url, window)
    except (ReportError, SQLAlchemyError) as exc:
        print(f"jis report: {safe_url(url)}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    if report is None:
        safe = safe_url(url)
        where = (f" --config {args.config}" if args.config else "") + (f" --database {safe}" if args.database else "")
        raise CommandError(
            f"{safe} has no read models yet (never written, or a journal from before revision 0003): "
            f"run `jis migrate{where} read-models` with the service stopped"
        )
    print(json.dumps(as_json(report, plant, zone)) if args.json else as_text(report, plant, zone))
    return 0
