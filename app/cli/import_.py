"""``jis import FILE``: emergency mode, a broadcast file fed into a running line as an OEM gateway would.

What it must not do: parse the file or speak the feed protocol itself (``app.feed.importer`` does); it opens the
gateway, runs the import and prints the report. Exit 0: all taken, 1: something quarantined, refused or corrected,
2: bad arguments or file, 3: the service did not answer.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.context import plant_of, unknown_feed
from app.cli.errors import EXIT_UNREACHABLE, CommandError
from app.cli.options import Subparsers, add_config, add_json, at_least, more_than, zmq_endpoint
from app.progress import Progress

if TYPE_CHECKING:
    from app.feed.importer import ImportReport

HELP = "feed a broadcast file into a running line (emergency)"
EXIT_OK, EXIT_PROBLEMS, EXIT_NO_SERVICE = 0, 1, EXIT_UNREACHABLE


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("import", help=HELP, description="Feed a broadcast file into a running line.")
    p.add_argument("file", help="DELJIT, X12 866, VDA 4916 or JSON broadcasts")
    add_config(p)
    p.add_argument(
        "--connect", type=zmq_endpoint, default=None, help="the service's feed endpoint (default: the plant file's)"
    )
    p.add_argument("--feed", default=None, help="feed id for messages that do not name their line")
    p.add_argument("--partner", default=None, help="the [partners.NAME] whose profile reads it (default: the feed's)")
    p.add_argument(
        "--timeout", type=more_than(float, 0.0), default=None, help="seconds to wait for each ACK (default 2)"
    )
    p.add_argument("--retries", type=at_least(int, 0), default=None, help="resends before giving up (default 5)")
    add_json(p, help="print the report as one JSON object")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from app.feed.formats.partners import UnknownPartner, partner_of
    from app.feed.importer import ACK_TIMEOUT_S, RETRIES, Gateway, import_file

    path = Path(args.file)
    plant = plant_of(args.config)
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    if args.feed is not None and plant.feed(args.feed) is None:
        raise CommandError(unknown_feed(args.feed, plant))
    try:
        partner_of(plant, partner=args.partner)
    except UnknownPartner as exc:
        raise CommandError(f"--partner: {exc}") from None
    endpoint = args.connect or plant.service.feed_endpoint
    gateway = Gateway(
        endpoint,
        ack_timeout_s=ACK_TIMEOUT_S if args.timeout is None else args.timeout,
        retries=RETRIES if args.retries is None else args.retries,
        on_resend=_resend_asked,
    )
    progress = Progress("jis import", quiet=args.json)
    try:
        report = import_file(path, plant, gateway, feed=args.feed, sent=_shown(progress), partner=args.partner)
    finally:
        gateway.close()
        progress.done()
    print(json.dumps(report.as_dict()) if args.json else _text(report))
    if report.stopped:
        print(f"jis import: no answer from the service at {endpoint}: is jis serve running there?", file=sys.stderr)
        return EXIT_NO_SERVICE
    problems = report.statuses["quarantined"] + report.statuses["refused"]
    return EXIT_PROBLEMS if problems or report.warnings else EXIT_OK


def _shown(progress: Progress) -> Callable[[int, int | None], None]:
    """The importer's count of messages answered, as a progress line (its phase starts with the first answer)."""

    def sent(done: int, total: int | None) -> None:
        if done == 1:
            progress.phase("sending", total, "messages")
        progress.update(done, force=done == total)

    return sent


def _resend_asked(what: str) -> None:
    print(f"jis import: the service asks for a resend ({what}); the file has what it has")


def _text(report: ImportReport) -> str:
    s = report.statuses
    lines = [
        f"jis import: {report.file} ({report.format or 'unknown format'}): {s['accepted']} accepted, "
        f"{s['duplicate']} duplicate, {s['quarantined']} quarantined, {s['refused']} refused, {report.unsent} not sent"
    ]
    lines += [f"  stopped: {report.stopped}"] if report.stopped else []
    lines += [f"  not taken: {r}" for r in report.reasons]
    lines += [f"  warning: {w}" for w in report.warnings]
    return "\n".join(lines)
