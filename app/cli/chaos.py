"""``jis chaos``: the fault campaign over the whole simulated plant, with a verdict from the journal and records.

What it must not do: run the campaign (``app.proof.chaos.run_chaos`` does); it builds ``ChaosOptions`` from the
options given (its defaults rule the rest) and prints the verdict. Exit 0 only if the campaign was clean; 130 or
143 when SIGINT or SIGTERM stopped it (every process it started ended, the verdict printed is partial).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from typing import Any

from app.cli.context import plant_of
from app.cli.options import Subparsers, add_config, add_json, add_log_level, at_least, between, given, more_than
from app.signals import EXIT_SIGNALLED

HELP = "run the fault campaign and print its verdict"


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("chaos", help=HELP, description="Fault campaign over the whole simulated plant.")
    count = at_least(int, 0)
    p.add_argument("--vehicles", type=at_least(int, 1), default=None, help="vehicles per feed (default 2000)")
    p.add_argument("--kills", type=count, default=None, help="SIGKILLs of the service, at random moments (default 50)")
    p.add_argument("--outages", type=count, default=None, help="device outages of random length, every kind in turn")
    p.add_argument("--db-locks", type=count, default=None, help="times another connection holds the write lock 0.5-3 s")
    p.add_argument("--db-unreachable", type=count, default=None, help="locks longer than the service's busy time-out")
    p.add_argument("--seed", type=int, default=None, help="seed of the faults' schedule and the plant (default 1)")
    p.add_argument(
        "--speed", type=more_than(float, 0.0), default=None, help="plant seconds per real second (default 300)"
    )
    p.add_argument("--no-proxy-faults", action="store_true", help="the feed proxy passes every message untouched")
    share = between(0.0, 1.0)
    p.add_argument(
        "--graceful-stops", type=share, default=None, help="share of the stops by SIGTERM or SIGINT (default 0.3)"
    )
    p.add_argument(
        "--retry-rate", type=share, default=None, help="share of the lead's operations sent twice (default 0.25)"
    )
    p.add_argument("--imports", type=count, default=None, help="imports of the emergency file, 0: none (default 2)")
    hostile = "the hostile campaign instead: rogue gateways, floods, a password spray, a full disk (docs/security.md)"
    p.add_argument("--hostile", action="store_true", help=hostile)
    p.add_argument("--garbage", type=count, default=None, help="--hostile: garbage frames per surface (100000)")
    p.add_argument(
        "--garbage-rate", type=more_than(float, 0.0), default=None, help="--hostile: garbage frames a second (1000)"
    )
    p.add_argument(
        "--database",
        default=None,
        help="--hostile: an empty PostgreSQL database for the journal (then it also turns read-only; default SQLite)",
    )
    p.add_argument("--spray", type=count, default=None, help="--hostile: failed logins from a rogue host (default 40)")
    p.add_argument(
        "--profile",
        choices=("plant", "dev"),
        default=None,
        help="--hostile: the ZeroMQ profile attacked (default plant, CURVE on the feed; dev: no CURVE, loopback)",
    )
    p.add_argument(
        "--latency-goal",
        type=at_least(float, 0.0),
        default=None,
        help="--hostile: flood p99 / quiet p99 at most (default 2; 0: measured, not held)",
    )
    add_config(p)
    p.add_argument("--workdir", default=None, help="folder for the database, logs and the simulators' records")
    add_json(p)
    add_log_level(p, " (as jis --log-level, given after the command)", default=argparse.SUPPRESS)
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from app.proof.chaos import ChaosOptions, run_chaos
    from app.proof.chaos_proxy import ProxyRates
    from app.proof.chaos_report import table

    plant_of(args.config)  # a plant file that is wrong is refused before anything starts
    if args.hostile:
        return _hostile(args)
    rates = ProxyRates(drop=0, delay=0, duplicate=0, reorder=0) if args.no_proxy_faults else ProxyRates()
    names: tuple[str, ...] = ("vehicles", "kills", "outages", "db_locks", "db_unreachable", "seed", "speed")
    names += ("workdir", "config", "graceful_stops", "retry_rate", "imports")
    opts = ChaosOptions(**given(args, *names), proxy=rates, quiet=args.json)
    verdict = asyncio.run(run_chaos(opts))
    print(json.dumps(verdict) if args.json else table(verdict))
    if verdict.get("stopped_by"):  # SIGINT or SIGTERM: everything it started has ended; the verdict is partial
        print(f"jis chaos: stopped by {verdict['stopped_by']}: the verdict is partial", file=sys.stderr)
        return EXIT_SIGNALLED + signal.Signals[verdict["stopped_by"]]
    return 0 if verdict["passed"] else 1


def _hostile(args: argparse.Namespace) -> int:
    from app.proof.hostile import run_hostile
    from app.proof.hostile_attacks import HostileOptions
    from app.proof.hostile_report import table

    goal: dict[str, Any] = {} if args.latency_goal is None else {"latency_goal": float(args.latency_goal) or None}
    opts = HostileOptions(
        **given(
            args,
            "vehicles",
            "seed",
            "speed",
            "workdir",
            "config",
            "garbage",
            "garbage_rate",
            "spray",
            "profile",
            "database",
        ),
        **goal,
        quiet=args.json,
    )
    verdict = asyncio.run(run_hostile(opts))
    print(json.dumps(verdict) if args.json else table(verdict))
    if verdict.get("stopped_by"):
        print(f"jis chaos: stopped by {verdict['stopped_by']}: the verdict is partial", file=sys.stderr)
        return EXIT_SIGNALLED + signal.Signals[verdict["stopped_by"]]
    return 0 if verdict["passed"] else 1
