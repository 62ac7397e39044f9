"""``jis demo``: the whole simulated plant (simulators, service, HMI screens when there is a display) in one go.

What it must not do: run the plant itself (``app.proof.demo.run_demo`` does); it checks the plant file and the
database, turns the options into ``DemoOptions``, sends the logs to the work folder when there is one, and prints
the summary. Stopped by SIGINT or SIGTERM, it prints the partial summary and exits 130 or 143.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys

from app.cli.context import database_of, plant_of
from app.cli.options import Subparsers, add_config, add_database, add_json, at_least, more_than, names_from
from app.logjson import configure
from app.signals import EXIT_SIGNALLED

HELP = "run the whole simulated plant and its HMI screens"
DESCRIPTION = (
    "Run the whole simulated plant: the simulators in their own process, the service, and the HMI screens when a "
    "display is available (else a live status line). Exit 0 only if every vehicle completed with nothing out of "
    "sequence."
)
# The simulators' faults (hardware_sims.faults.ALL_FAULTS, which app may not import; a test pins that they agree)
FAULTS = (
    "gap", "duplicate", "change", "cancel", "hold", "silence", "malformed", "wrong_pick", "devices", "notice_loss",
    "line_stop",
)  # fmt: skip


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("demo", help=HELP, description=DESCRIPTION)
    add_config(p)
    p.add_argument("--headless", action="store_true", help="no HMI window, live text status instead")
    p.add_argument("--vehicles", type=at_least(int, 1), default=None, help="vehicles per feed (default 200 headless)")
    p.add_argument(
        "--speed", type=more_than(float, 0.0), default=100.0, help="simulated seconds per real second (default 100)"
    )
    p.add_argument("--seed", type=int, default=None, help="seed of the vehicle mix and the operators")
    add_json(p, help="print one JSON summary object and nothing else")
    p.add_argument("--workdir", default=None, help="folder for the database, logs and printer records")
    add_database(p, help="SQLAlchemy URL of an empty database (default: a fresh SQLite file in the work folder)")
    p.add_argument("--timeout", type=more_than(float, 0.0), default=None, help="give up after this many seconds")
    p.add_argument("--no-line-server", action="store_true", help="no OPC UA server for SCADA/MES")
    p.add_argument(
        "--faults",
        type=names_from(FAULTS, "fault", extra=("all", "none")),
        default="none",
        help=f"inject faults: all, none, or a comma list of {','.join(FAULTS)}",
    )
    p.add_argument("--ptl", choices=["modbus", "opcua"], default=None, help="PTL protocol (default: plant file)")
    p.add_argument(
        "--printer", choices=["zpl", "modbus", "opcua"], default=None, help="printer protocol (default: plant file)"
    )
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from app.proof.demo import DemoOptions, demo_passed, display_available, run_demo

    plant_of(args.config)  # a plant file that is wrong is refused before anything starts
    if args.database:
        database_of(args, must_exist=False)
    headless = args.headless or not display_available()
    vehicles = args.vehicles if args.vehicles is not None else (200 if headless else None)
    opts = DemoOptions(
        config=args.config,
        vehicles=vehicles,
        speed=args.speed,
        seed=args.seed,
        headless=headless,
        as_json=args.json,
        workdir=args.workdir,
        timeout_s=args.timeout,
        faults=args.faults,
        ptl=args.ptl,
        printer=args.printer,
        database=args.database,
        line_server=not args.no_line_server,
    )
    if args.workdir:  # the service's log goes beside its database, not over the live status line
        os.makedirs(args.workdir, exist_ok=True)
        configure(args.log_level, args.log_json, filename=os.path.join(args.workdir, "service.log"))
    summary = asyncio.run(run_demo(opts))
    print(json.dumps(summary) if args.json else json.dumps(summary, indent=2))
    if summary.get("stopped_by"):  # SIGINT or SIGTERM: everything it started has ended; the summary is partial
        print(f"jis demo: stopped by {summary['stopped_by']}: the summary is partial", file=sys.stderr)
        return EXIT_SIGNALLED + signal.Signals[summary["stopped_by"]]
    return 0 if demo_passed(summary) else 1
