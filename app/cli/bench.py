"""``jis bench``: the service's figures over real protocols, each beside a raw reference measured in the same run.

What it must not do: measure anything itself (``app.proof.bench`` does); it builds ``BenchOptions`` from the
options given (its defaults rule the rest) and prints the figures as a table or one JSON object.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.cli.options import Subparsers, add_json, at_least, given, more_than

HELP = "measure the service against raw references"
DESCRIPTION = (
    "The service's figures over real protocols (latency, catch-up, an 8-hour shift, core throughput, HMI frames, "
    "glass to glass, picture costs, 32 feeds and 50 screens against 8 and 2, label rendering, memory), each beside "
    "a raw reference measured in the same run."
)
PARTS = (
    "all",
    "core",
    "latency",
    "catchup",
    "hmi",
    "glass",
    "pictures",
    "scale",
    "shift",
    "soak",
    "formats",
    "labels",
    "trace",
)  # app.proof.bench.PARTS; a test pins that they agree


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("bench", help=HELP, description=DESCRIPTION)
    some = at_least(int, 1)
    p.add_argument("what", nargs="?", default="all", choices=PARTS, help="one part alone (default: all)")
    p.add_argument("--quick", action="store_true", help="every part small: proves the benchmark runs (CI)")
    p.add_argument("--vehicles", type=some, default=None, help="vehicles per feed in the latency run (default 40)")
    p.add_argument(
        "--speed", type=more_than(float, 0.0), default=None, help="plant seconds per real second (default 100)"
    )
    p.add_argument("--catchup", type=some, default=None, help="broadcasts resent at once (default 10000)")
    p.add_argument("--shift-vehicles", type=some, default=None, help="vehicles per feed in the shift (default 480)")
    p.add_argument("--soak", type=some, default=None, help="vehicles through the core in the memory soak")
    p.add_argument("--soak-vehicles", type=some, default=None, help="vehicles per feed in the service soak")
    p.add_argument("--soak-first", type=some, default=None, help="completed vehicles at the service soak's first mark")
    p.add_argument(
        "--soak-marks", type=counts, default=(), help="more completed-vehicle counts to sample, comma-separated"
    )
    p.add_argument(
        "--scale-lines",
        type=lines,
        default=None,
        help="the scale run's small and big line as FEEDSxSCREENS,FEEDSxSCREENS (default 8x2,32x50)",
    )
    p.add_argument("--scale-vehicles", type=some, default=None, help="vehicles in all per scale line (default 320)")
    p.add_argument(
        "--catchup-big", type=some, default=None, help="broadcasts of 8 feeds in the scale catch-up (default 100000)"
    )
    p.add_argument(
        "--trace-vehicles", type=some, default=None, help="vehicles in the trace run's journal (default 20000)"
    )
    p.add_argument("--workdir", default=None, help="folder for the runs' databases and records (default: a new one)")
    add_json(p)
    p.set_defaults(run=run)
    return p


def counts(text: str) -> tuple[int, ...]:
    """A comma list of whole numbers of 1 or more (``--soak-marks 20000,30000``)."""
    try:
        marks = tuple(int(m) for m in text.split(",") if m.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be whole numbers, comma-separated, not {text!r}") from None
    if any(m < 1 for m in marks):
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {text!r}")
    return marks


def lines(text: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """Two lines as FEEDSxSCREENS, comma-separated (``--scale-lines 8x2,32x50``), each number 1 or more."""
    try:
        small, big = (tuple(int(n) for n in part.lower().split("x")) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be FEEDSxSCREENS,FEEDSxSCREENS, not {text!r}") from None
    if len(small) != 2 or len(big) != 2 or min(*small, *big) < 1:
        raise argparse.ArgumentTypeError(f"must be FEEDSxSCREENS,FEEDSxSCREENS of 1 or more, not {text!r}")
    return (small[0], small[1]), (big[0], big[1])


def run(args: argparse.Namespace) -> int:
    from app.progress import Progress
    from app.proof.bench import BenchOptions, run_part

    names: tuple[str, ...] = ("vehicles", "speed", "catchup", "shift_vehicles", "soak", "soak_vehicles", "soak_first")
    names += ("workdir", "scale_vehicles", "catchup_big", "trace_vehicles")
    scale = {} if args.scale_lines is None else dict(zip(("scale_small", "scale_big"), args.scale_lines, strict=True))
    opts = BenchOptions(quick=args.quick, soak_marks=args.soak_marks, **scale, **given(args, *names))
    progress = Progress("jis bench", quiet=args.json)
    result = run_part(args.what, opts, progress)
    progress.done()
    print(json.dumps(result) if args.json else _table(result, part_alone=args.what != "all"))
    return 0


def _table(result: dict[str, Any], *, part_alone: bool) -> str:
    rows = {key: value for key, value in result.items() if not isinstance(value, dict)}
    if part_alone:  # a part alone: its sections too (the whole run's sections repeat its headline)
        for key, value in result.items():
            if isinstance(value, dict):
                rows.update({f"{key}.{k}": v for k, v in value.items() if not isinstance(v, dict)})
    width = max(len(k) for k in rows)
    return "\n".join(f"{key:{width}s}  {value}" for key, value in rows.items())
