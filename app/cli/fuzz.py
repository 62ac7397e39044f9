"""``jis fuzz``: a seeded mutation-fuzzing campaign over every input edge; inputs and crashes per target.

What it must not do: fuzz anything itself (``app.proof.fuzz.run`` does); it prints the report. Exit 0 only if no
target crashed and no good message was lost beside a broken one.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.cli.errors import CommandError
from app.cli.options import Subparsers, add_json, at_least

HELP = "fuzz every parser with seeded mutations"
DESCRIPTION = (
    "Feed every parser random bytes and mutations of real samples, and whole interchanges with one message broken; "
    "print inputs, crashes and lost messages per parser. Exit 0 only if nothing crashed and nothing good was lost."
)


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("fuzz", help=HELP, description=DESCRIPTION)
    p.add_argument("--inputs", type=at_least(int, 1), default=100_000, help="inputs per target (default 100000)")
    p.add_argument("--seed", type=int, default=1, help="seed of the random inputs and mutations (default 1)")
    p.add_argument("--corpus", default="tests/samples", help="folder of real sample messages to mutate")
    p.add_argument("--only", default="", help="comma list of targets (default: all)")
    add_json(p)
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from app.progress import Progress
    from app.proof.fuzz import STRUCTURE_TARGETS, TARGETS
    from app.proof.fuzz import run as fuzz

    corpus = Path(args.corpus)
    if not corpus.is_dir():
        raise CommandError(f"--corpus {corpus}: no such folder (of sample messages to mutate)")
    only = [t.strip() for t in args.only.split(",") if t.strip()]
    targets = (*TARGETS, *STRUCTURE_TARGETS)
    unknown = [t for t in only if t not in targets]
    if unknown:
        raise CommandError(f"--only: unknown target {', '.join(map(repr, unknown))}; the targets: {', '.join(targets)}")
    progress = Progress("jis fuzz", quiet=args.json)
    report = fuzz(args.inputs, args.seed, corpus, only or None, progress)
    progress.done()
    print(json.dumps(report) if args.json else _text(report))
    return 0 if all(r["crashes"] == 0 and r.get("lost", 0) == 0 for r in report.values()) else 1


def _text(report: dict[str, Any]) -> str:
    lines = []
    for name, r in report.items():
        figures = f"{r['inputs']:8,d} inputs  {r['crashes']:3d} crashes  {r['seconds']:6.1f} s"
        lost = f"  lost {r['lost']}" if "lost" in r else ""  # good messages lost beside a broken one
        lines.append(f"{name:17s} {figures}  corpus {r['corpus']}{lost}")
        lines += [f"    {ex['error']}  input={ex['input'][:80]}" for ex in r["examples"]]
    return "\n".join(lines)
