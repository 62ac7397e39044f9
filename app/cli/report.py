"""``jis report``: the shift report (KPIs per hour of plant time) from the read models, as text or JSON.

What it must not do: write to the database or create one: a SQLite file that is not there is refused, and the
report is read by ``app.persist.shift_report`` without migrating anything.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.cli.options import Subparsers, add_config, add_database

HELP = "the shift report: KPIs per hour from the read models"
DESCRIPTION = (
    "The shift report from the read models: per hour of plant time the broadcasts, vehicles completed, on-time %, "
    "picks, wrong picks, labels, racks and deviations, a totals row, and the vehicles by status now."
)


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("report", help=HELP, description=DESCRIPTION)
    add_config(p)
    add_database(p)
    p.add_argument("--shift", default=None, help="early, late or night (06-14, 14-22, 22-06 plant time)")
    p.add_argument("--date", default=None, help="YYYY-MM-DD: the day (of the shift's start); default today")
    p.add_argument("--from", dest="start", default=None, help="window start, ISO (plant time) or epoch s")
    p.add_argument("--to", dest="end", default=None, help="window end (exclusive), with --from")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from app.config import load_plant
    from app.persist.shift_report import ReportError, as_json, as_text, report_from, window_of

    plant = load_plant(args.config)
    url = args.database or plant.service.database
    try:
        parsed, zone = make_url(url), ZoneInfo(plant.plant.timezone)
        window = window_of(zone, shift=args.shift, day=args.date, start=args.start, end=args.end)
    except (ReportError, ValueError, ZoneInfoNotFoundError, SQLAlchemyError) as exc:
        print(f"jis report: {exc}", file=sys.stderr)
        return 2
    safe, file = parsed.render_as_string(hide_password=True), parsed.database
    if parsed.get_backend_name() == "sqlite" and file not in (None, "", ":memory:") and not Path(str(file)).exists():
        print(f"jis report: no database at {file}", file=sys.stderr)  # and none made: a report never writes
        return 2
    try:
        report = report_from(url, window)
    except (ReportError, SQLAlchemyError) as exc:
        print(f"jis report: {safe}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    if report is None:
        where = (f" --config {args.config}" if args.config else "") + (f" --database {safe}" if args.database else "")
        print(
            f"jis report: {safe} has no read models yet (never written, or a journal from before revision 0003): "
            f"run `jis migrate{where} read-models` with the service stopped",
            file=sys.stderr,
        )
        return 2
    print(json.dumps(as_json(report, plant, zone)) if args.json else as_text(report, plant, zone))
    return 0
