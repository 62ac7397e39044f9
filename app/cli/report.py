"""``jis report``: the shift report (KPIs per hour of plant time) from the read models, as text or JSON; with
``--format json|csv|pdf`` the joint review with the OEM instead (``app.persist.joint_review``, docs/kpis.md): the
shared KPIs, the racks shipped with their verdicts and notice states, and the deviations, from the journal.

What it must not do: write to the database or create one: a database that is not there is refused, and the
report is read by ``app.persist.shift_report`` (the joint review by ``app.persist.joint_review``) without migrating
anything.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.context import database_of, plant_of, zone_of
from app.cli.errors import CommandError
from app.cli.options import Subparsers, add_config, add_database, add_json, day, moment

if TYPE_CHECKING:
    from app.persist.shift_report import Window
    from sequencer.plant import PlantConfig

FORMATS = ("json", "csv", "pdf")

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
        "--shift",
        default=None,
        help="a shift of the plant file's [calendar] (default: early, late or night), or current: the one the plant "
        "clock is in now",
    )
    p.add_argument("--date", type=day, default=None, help="YYYY-MM-DD: the day (of the shift's start); default today")
    p.add_argument("--from", dest="start", type=moment, default=None, help="window start, ISO (plant time) or epoch s")
    p.add_argument("--to", dest="end", type=moment, default=None, help="window end (exclusive), with --from")
    add_json(p)
    p.add_argument(
        "--format",
        default=None,
        choices=FORMATS,
        help="the joint review with the OEM instead of the hourly report: shared KPIs, racks, notices, deviations",
    )
    p.add_argument("--output", default=None, help="write the joint review to this file (default: standard output)")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    if args.format is None and args.output is not None:
        raise CommandError("--output goes with --format json, csv or pdf (the joint review)")
    if args.format is not None and args.json:
        raise CommandError("--json is the hourly report's; the joint review takes --format json")

    from app.persist.database import safe_url
    from app.persist.shift_report import ReportError, as_json, as_text, report_from, window_of
    from sequencer.calendar import LineCalendar

    plant = plant_of(args.config)
    zone = zone_of(plant, args.config)
    try:
        calendar = LineCalendar(plant.calendar, zone.key)  # the plant's shifts: the one place they come from
        if args.shift == "current":
            if args.date is not None:
                raise CommandError("--shift current is the shift the plant clock is in now: give it without --date")
            now = calendar.shift_at(time.time())
            if now is None:
                raise CommandError("--shift current: the plant clock is between shifts now; name the shift")
            args.shift, args.date = now.name, now.day.isoformat()
        window = window_of(zone, calendar=calendar, shift=args.shift, day=args.date, start=args.start, end=args.end)
    except ReportError as exc:
        raise CommandError(str(exc)) from None
    url = database_of(args, plant, must_exist=True)
    if args.format is not None:
        return _joint_review(args, plant, url, window)
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


def _joint_review(args: argparse.Namespace, plant: PlantConfig, url: str, window: Window) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from app.persist.database import safe_url
    from app.persist.joint_review import as_csv, as_json, review_from

    try:
        review = review_from(url, plant, window)
    except SQLAlchemyError as exc:
        print(f"jis report: {safe_url(url)}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    if args.format == "pdf":
        from app.cli.report_pdf import render_pdf

        data = render_pdf(review)
    else:
        text = json.dumps(as_json(review), indent=1) + "\n" if args.format == "json" else as_csv(review)
        data = text.encode()
    if args.output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    try:
        Path(args.output).write_bytes(data)
    except OSError as exc:
        raise CommandError(f"--output {args.output}: {exc.strerror or exc}") from None
    print(f"jis report: {args.format} written to {args.output} ({len(review.racks)} racks, {window.name})")
    return 0
