"""``jis rehearse SCENARIO.toml``: a shift with planned disruptions played against the real service and simulators.

What it must not do: play or judge anything itself (``app.proof.rehearse`` does); it reads the scenario (a wrong
one is refused in one line, exit 2, before anything starts) and prints the report as lines or one JSON object.
Exit 0 when the rehearsal ran to its end with nothing out of sequence or doubled (late vehicles are its finding,
not a failure); 1 otherwise; 130 or 143 when SIGINT or SIGTERM stopped it (the report printed is partial).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys

from app.cli.options import Subparsers, add_json, add_log_level, more_than
from app.signals import EXIT_SIGNALLED

HELP = "play a shift with planned disruptions: what each did"


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "rehearse",
        help=HELP,
        description="A shift with planned disruptions (a scenario file, docs/rehearse.md) played at high speed "
        "against the real service and simulators: per disruption the vehicles late, the least buffer, when each "
        "station would starve, and the lead that would have avoided it.",
    )
    p.add_argument("scenario", help="the scenario file (TOML, docs/rehearse.md)")
    p.add_argument(
        "--speed", type=more_than(float, 0.0), default=None, help="plant seconds per real second (default: the file's)"
    )
    p.add_argument("--workdir", default=None, help="folder for the database, logs and the simulators' records")
    add_json(p)
    add_log_level(p, " (as jis --log-level, given after the command)", default=argparse.SUPPRESS)
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from app.proof.rehearse import RehearseOptions, rehearsal_plant, rehearse
    from app.proof.rehearse_report import table
    from app.proof.rehearse_scenario import checked_against, load_scenario

    try:
        scenario, folder = load_scenario(args.scenario)
    except OSError as exc:
        print(f"jis rehearse: {args.scenario}: cannot read: {exc.strerror}", file=sys.stderr)
        return 2
    except ValueError as exc:  # TOML or the scenario's model (a pydantic ValidationError is a ValueError)
        first = exc.errors()[0] if isinstance(exc, ValidationError) else None
        why = f"{'.'.join(map(str, first['loc']))}: {first['msg']}" if first else str(exc)
        print(f"jis rehearse: {args.scenario}: {why}", file=sys.stderr)
        return 2
    try:
        problems = checked_against(scenario, rehearsal_plant(scenario, folder))
    except (OSError, ValueError) as exc:  # its plant file
        problems = [f"rehearsal.plant: {exc}"]
    if problems:  # names something the plant does not have
        print(f"jis rehearse: {args.scenario}: {'; '.join(problems)}", file=sys.stderr)
        return 2
    opts = RehearseOptions(speed=args.speed, workdir=args.workdir, quiet=args.json)
    out = asyncio.run(rehearse(scenario, folder, opts))
    print(json.dumps(out) if args.json else table(out))
    run_ = out["run"]
    if run_["stopped_by"]:  # every process it started has ended; the report covers what was played
        print(f"jis rehearse: stopped by {run_['stopped_by']}: the report is partial", file=sys.stderr)
        return EXIT_SIGNALLED + signal.Signals[run_["stopped_by"]]
    return 0 if not run_["partial"] and not run_["out_of_sequence"] and not run_["doubled"] else 1
