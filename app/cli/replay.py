"""``jis replay``: rebuild the line's state from the journal, check the snapshots against it, or re-run it paced.

What it must not do: write to the journal or drive devices; the rebuilding is ``app.service.replay``'s. This
module turns the options into plain values and prints the summary, the verdicts and a paced run's progress.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.cli.context import database_of, plant_of, zone_of
from app.cli.options import Subparsers, add_config, add_database, add_json, at_least, moment, more_than, zmq_endpoint

if TYPE_CHECKING:
    from app.persist.store import Store
    from app.service.replay import Rebuilt
    from sequencer.plant import PlantConfig

HELP = "rebuild, verify or re-run the state from the journal"


def add_parser(subparsers: Subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("replay", help=HELP, description="Rebuild the line's state from the journal.")
    add_config(p)
    add_database(p)
    to = p.add_mutually_exclusive_group()
    to.add_argument("--upto", type=at_least(int, 0), default=None, help="stop after this journal id")
    to.add_argument(
        "--until", type=moment, default=None, help="stop before the first event later than this (epoch s or ISO)"
    )
    p.add_argument("--no-snapshot", action="store_true", help="replay from the first journal row")
    p.add_argument("--verify", action="store_true", help="replay to every snapshot and compare (exit 1: differ)")
    p.add_argument(
        "--speed", type=more_than(float, 0.0), default=None, help="re-run paced by event times, X times faster"
    )
    p.add_argument(
        "--from", dest="start", type=moment, default=None, help="with --speed: start the re-run at this moment"
    )
    p.add_argument(
        "--max-gap",
        type=more_than(float, 0.0),
        default=None,
        help="with --speed: longest quiet spell shown (s; default 600)",
    )
    p.add_argument(
        "--hmi", type=zmq_endpoint, default=None, help="with --speed: publish the line on this HMI bus endpoint"
    )
    add_json(p, help="print the summary as one JSON object")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from app.net.endpoints import refuse_if_taken
    from app.persist.store import Store
    from app.plant_time import parse_moment

    plant = plant_of(args.config)
    zone = zone_of(plant, args.config).key
    until = parse_moment(args.until, zone) if args.until else None
    start = parse_moment(args.start, zone) if args.start else None
    if args.hmi:
        refuse_if_taken(args.hmi, "--hmi")
    store = Store(database_of(args, plant, must_exist=True))
    try:
        return _replay(args, store, plant, until, start)
    finally:
        store.close()


def _replay(
    args: argparse.Namespace, store: Store, plant: PlantConfig, until: float | None, start: float | None
) -> int:
    from app.service.replay import rebuild, summary, verify_all

    if args.verify:
        results = verify_all(store, plant)
        print(json.dumps(results) if args.json else "\n".join(_verdict(r) for r in results))
        return 0 if all(r["equal"] is not False for r in results) else 1
    if args.speed is not None:
        state = asyncio.run(_paced(args, store, plant, until, start))
    else:
        state = rebuild(store, plant, upto_id=args.upto, until=until, use_snapshot=not args.no_snapshot)
    report = summary(state, store)
    print(json.dumps(report) if args.json else _text(report))
    return 0


def _verdict(result: dict[str, Any]) -> str:
    what = f"snapshot #{result['snapshot']}" if result["snapshot"] is not None else "start from snapshot + tail"
    word = {True: "equal", False: "DIFFERENT", None: f"skipped ({result.get('why')})"}[result["equal"]]
    return f"{what} at journal row {result['journal_id']}: replay {word}"


def _text(report: dict[str, Any]) -> str:
    moment = datetime.fromtimestamp(report["plant_time"]).isoformat(timespec="seconds") if report["plant_time"] else "-"
    lines = [
        f"journal row {report['replayed_to']} of {report['journal_rows']} ({report['events_replayed']} replayed"
        f"{', from snapshot at row ' + str(report['from_snapshot']) if report['from_snapshot'] else ''}), "
        f"plant time {moment}",
    ]
    lines += [f"  {key}: {value}" for key, value in report.items() if key not in ("plant_time", "fingerprint")]
    lines.append(f"fingerprint {report['fingerprint']}")
    return "\n".join(lines)


async def _paced(
    args: argparse.Namespace, store: Store, plant: PlantConfig, until: float | None, start: float | None
) -> Rebuilt:
    from app.service.replay import ReplayBus, rerun

    bus = ReplayBus(args.hmi) if args.hmi else None

    async def progress(state: Rebuilt, at: float) -> None:
        core = state.core
        moment = datetime.fromtimestamp(at).isoformat(timespec="seconds") if at else "-"
        print(
            f"{moment}  row {state.last_id}  broadcast {sum(f.broadcasts for f in core.state.feeds.values())}  "
            f"completed {core.state.vehicles_completed}  labels {core.state.labels_printed}  "
            f"open deviations {len(core.state.deviations.by_id)}",
            file=sys.stderr,
        )
        if bus is not None:
            await bus.publish(state, at)

    try:
        return await rerun(
            store,
            plant,
            speed=args.speed,
            start=start,
            upto_id=args.upto,
            until=until,
            progress=progress,
            **({} if args.max_gap is None else {"max_gap_s": args.max_gap}),
        )
    finally:
        if bus is not None:
            bus.close()
