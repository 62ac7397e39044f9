"""``jis bench``: the service's figures over real protocols, each beside its raw reference measured in the same run.

- latency (``app.proof.bench_line``): broadcast received -> bin lit (device acknowledged), p50 and p99, 8 feeds at
  60 vehicles an hour sped up 100x, for bins lit on arrival (a bin waiting for its station is the line's queue,
  reported apart), against one raw durable SQLite commit plus one raw pymodbus write to the same simulator,
  sampled during the run (and once idle, before it);
- catch-up (``app.proof.bench_catchup``): 10,000 broadcasts resent at once over the real feed link by a gateway in its
  own process, until all are durable, sequenced and acknowledged, against a raw batched insert of the same rows;
- shift (``app.proof.bench_line``): 4 feeds x 480 vehicles over real protocols, operators at zero reaction, against the
  raw device round trips it needs;
- core: events per second through the pure core (``app.proof.bench_core``);
- HMI frame time: operator panel and cockpit taking in pictures of an 8-feed line (``app.proof.bench_hmi``);
- memory: resident growth of the core between vehicle 10,000 and 100,000 of a mixed stream (``app.proof.bench_core``),
  and of the whole service's process over an accelerated run (``jis bench soak``, run in a process of its own).
``--quick`` runs every part small (CI); its figures prove the benchmark runs, not the goals.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from app.config import load_plant
from app.proof import bench_catchup, bench_core, bench_hmi, bench_line
from app.proof.bench_line import plant_with_feeds

FEEDS = 8
SHIFT_FEEDS, SHIFT_VEHICLES = 4, 480  # 8 hours at 60 vehicles/h on each of 4 feeds
HMI_VEHICLES = 1000  # 500 pictures: the p99 rests on the slowest five frames, not on the second slowest of 150
QUICK = {"vehicles": 4, "catchup": 300, "soak": 3000, "shift_vehicles": 10, "soak_vehicles": 40, "soak_first": 40}

__all__ = ["main_bench", "plant_with_feeds"]


def _folder(workdir: str | None) -> Path:
    folder = Path(workdir or tempfile.mkdtemp(prefix="jis-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def service_soak(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """``jis bench soak`` in a process of its own: only the service lives in the memory measured."""
    cmd = [sys.executable, "-m", "app.cli.main", "bench", "soak", "--json", "--workdir", str(folder / "soak-run")]
    cmd += ["--soak-vehicles", str(args.soak_vehicles), "--soak-first", str(args.soak_first)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


async def run_all(args: argparse.Namespace) -> dict[str, Any]:
    folder = _folder(args.workdir)
    # The core's soak first: resident memory never shrinks, so after the line runs it would hide any growth.
    soak = bench_core.soak(load_plant(), args.soak, first=args.soak // 10)
    core = bench_core.run(load_plant(), vehicles=500 if args.quick else 5000)
    lat = await bench_line.latency(folder, feeds=FEEDS, vehicles=args.vehicles, speed=args.speed)
    cu = await bench_catchup.catchup(folder, args.catchup)
    shift = await bench_line.shift(folder, feeds=SHIFT_FEEDS, vehicles=args.shift_vehicles)
    hmi = bench_hmi.frame_times_ms(plant_with_feeds(load_plant(), FEEDS), 40 if args.quick else HMI_VEHICLES)
    svc = service_soak(args, folder)
    return {
        "latency_p50_ms": lat["p50_ms"],
        "latency_p99_ms": lat["p99_ms"],
        "latency_p50_ratio": lat["p50_ratio"],
        "latency_p50_ratio_idle": lat["p50_ratio_idle"],
        "latency_queued_picks": lat["queued_picks"],
        "latency_queued_p99_ms": lat["queued_p99_ms"],
        "latency": lat,
        "catchup_s": cu["seconds"],
        "catchup_ratio": cu["ratio"],
        "catchup": cu,
        "shift_s": shift["seconds"],
        "shift_ratio": shift["ratio"],
        "shift": shift,
        "core_events_per_s": core["events_per_s"],
        "hmi_frame_p99_ms": hmi["hmi_frame_p99_ms"],
        "hmi_frames": hmi,
        "rss_growth_pct": soak["rss_growth_pct"],
        "soak": soak,
        "service_rss_growth_pct": svc.get("rss_growth_pct"),
        "service_soak": svc,
    }


def main_bench(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="jis bench", description=__doc__.splitlines()[0])
    p.add_argument("what", nargs="?", default="all", choices=["all", "core", "latency", "catchup", "hmi", "soak"])
    p.add_argument("--quick", action="store_true", help="every part small: proves the benchmark runs (CI)")
    p.add_argument("--vehicles", type=int, default=40, help="vehicles per feed in the latency run")
    p.add_argument("--speed", type=float, default=100.0)
    p.add_argument("--catchup", type=int, default=10_000)
    p.add_argument("--shift-vehicles", type=int, default=SHIFT_VEHICLES, help="vehicles per feed in the shift")
    p.add_argument("--soak", type=int, default=100_000, help="vehicles through the core in the memory soak")
    p.add_argument("--soak-vehicles", type=int, default=800, help="vehicles per feed in the service soak")
    p.add_argument("--soak-first", type=int, default=800, help="completed vehicles at the service soak's first mark")
    p.add_argument("--soak-marks", default="", help="more completed-vehicle counts to sample, comma-separated")
    p.add_argument("--workdir", default=None)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
    if args.what == "core":
        result = bench_core.run(load_plant(), vehicles=5000)
    elif args.what == "latency":
        result = asyncio.run(
            bench_line.latency(_folder(args.workdir), feeds=FEEDS, vehicles=args.vehicles, speed=args.speed)
        )
    elif args.what == "catchup":
        result = asyncio.run(bench_catchup.catchup(_folder(args.workdir), args.catchup))
    elif args.what == "hmi":
        result = bench_hmi.frame_times_ms(plant_with_feeds(load_plant(), FEEDS), 40 if args.quick else HMI_VEHICLES)
    elif args.what == "soak":
        folder = _folder(args.workdir)
        marks = tuple(int(m) for m in args.soak_marks.split(",") if m)
        result = asyncio.run(bench_line.soak(folder, vehicles=args.soak_vehicles, first=args.soak_first, marks=marks))
    else:
        result = asyncio.run(run_all(args))
    if args.json:
        print(json.dumps(result))
    else:
        rows = {key: value for key, value in result.items() if not isinstance(value, dict)}
        if args.what != "all":  # a part alone: its sections too (the whole run's sections repeat its headline)
            for key, value in result.items():
                if isinstance(value, dict):
                    rows.update({f"{key}.{k}": v for k, v in value.items() if not isinstance(v, dict)})
        width = max(len(k) for k in rows)
        for key, value in rows.items():
            print(f"{key:{width}s}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main_bench())
