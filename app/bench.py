"""``jis bench``: the service's figures over real protocols, each beside its raw reference measured in the same run.

- latency: broadcast received -> bin lit (device acknowledged), p50 and p99, with 8 feeds at 60 vehicles an hour
  sped up 100x, against one raw durable SQLite commit plus one raw pymodbus register write to the same simulator;
- catch-up: 10,000 broadcasts resent at once over the real feed link, until all are durable, sequenced and
  acknowledged, against a raw batched durable insert of the same rows;
- core: events per second through the pure core (``app.bench_core``);
- HMI frame time: operator panel and cockpit taking in pictures of an 8-feed line (``app.bench_hmi``);
- memory: resident growth of the core between vehicle 10,000 and 100,000 of a mixed stream (shipped racks and
  their vehicles are forgotten), the sequencer's own soak; the full service's soak is not measured yet.
Figures the benchmark does not measure yet are printed as null, never invented.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import zmq
import zmq.asyncio

from app import bench_core, bench_hmi
from app.config import load_plant, with_free_ports
from app.demo import DemoOptions, run_demo
from app.runtime import Service
from plc_io.bench_refs import raw_write_register_ms
from sequencer.plant import PlantConfig

FEEDS = 8


def _q(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def plant_with_feeds(plant: PlantConfig, n: int) -> PlantConfig:
    """``n`` feeds, and a printer per station: one Zebra cannot label 8 sped-up lines (about 20 labels/s)."""
    feeds = tuple(plant.feeds[0].model_copy(update={"id": f"L{i + 1}", "name": f"Line {i + 1}"}) for i in range(n))
    template = next(iter(plant.devices.printers.values()))
    printers = {f"zebra-{st.id}": template for st in plant.stations}
    stations = tuple(st.model_copy(update={"printer": f"zebra-{st.id}"}) for st in plant.stations)
    devices = plant.devices.model_copy(update={"printers": printers})
    # operators at (almost) zero reaction: the figure is the service's path, not a person's queue at the bin
    simulation = plant.simulation.model_copy(update={"operator_reaction_s": (0.05, 0.2)})
    return plant.model_copy(update={"feeds": feeds, "stations": stations, "devices": devices, "simulation": simulation})


def raw_commit_ms(folder: Path, n: int = 200) -> list[float]:
    """One 300-byte row per durable commit, SQLite WAL + synchronous=FULL (the journal's settings)."""
    db = sqlite3.connect(folder / "raw.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, raw BLOB)")
    times = []
    for _ in range(n):
        start = time.perf_counter()
        db.execute("BEGIN")
        db.execute("INSERT INTO t (raw) VALUES (?)", (b"x" * 300,))
        db.execute("COMMIT")
        times.append((time.perf_counter() - start) * 1000)
    db.close()
    return times


def raw_batch_insert_s(folder: Path, rows: list[bytes]) -> float:
    db = sqlite3.connect(folder / "raw-batch.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, raw BLOB)")
    start = time.perf_counter()
    db.execute("BEGIN")
    db.executemany("INSERT INTO t (raw) VALUES (?)", [(r,) for r in rows])
    db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


async def latency(folder: Path, vehicles: int, speed: float) -> dict[str, Any]:
    plant = plant_with_feeds(load_plant(), FEEDS)
    config = folder / "plant8.json"
    config.write_text(plant.model_dump_json())
    opts = DemoOptions(
        config=str(config), vehicles=vehicles, speed=speed, workdir=str(folder / "latency"), as_json=True
    )
    summary = await run_demo(opts, reference=_reference_write)
    return summary


async def _reference_write(plant: PlantConfig) -> list[float]:
    name, dev = next(iter(plant.devices.ptl.items()))
    light = max(b.light for s in plant.stations if s.ptl == name for b in s.bins)
    return await raw_write_register_ms(dev.host, dev.port, unit=light, address=2021, value=0, n=200)


async def catchup(folder: Path, n: int) -> dict[str, Any]:
    plant = with_free_ports(load_plant(), database=f"sqlite:///{folder / 'catchup.db'}")
    feed = plant.feeds[0]
    bodies = [
        json.dumps(
            {
                "feed": feed.id,
                "seq": (i + 1) % feed.modulus,
                "vehicle_id": f"CATCHUP{i:08d}",
                "function": "original",
                "firm": True,
                "options": ["S1", "P040"],
                "sent_at": 1_700_000_000.0 + i,
                "reporting_point": "R100",
                "line": "A1",
            }
        ).encode()
        for i in range(n)
    ]
    service = Service(plant)
    task = asyncio.create_task(service.run())
    await asyncio.wait_for(service.ready.wait(), 30)
    ctx = zmq.asyncio.Context()
    dealer = ctx.socket(zmq.DEALER)
    dealer.setsockopt(zmq.SNDHWM, n + 10)
    dealer.setsockopt(zmq.RCVHWM, n + 10)
    dealer.connect(plant.service.feed_endpoint)
    try:
        start = time.perf_counter()
        for body in bodies:
            await dealer.send_multipart([b"BCAST", body])
        acked = 0
        deadline = time.monotonic() + 600
        while acked < n and time.monotonic() < deadline:
            frames = await asyncio.wait_for(dealer.recv_multipart(), 60)
            acked += frames[0] == b"ACK"
        elapsed = time.perf_counter() - start
    finally:
        dealer.close(0)
        ctx.term()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    raw = raw_batch_insert_s(folder, bodies)
    return {
        "broadcasts": n,
        "acked": acked,
        "sequenced": sum(f.broadcasts for f in service.core.feeds.values()),
        "seconds": round(elapsed, 3),
        "per_s": round(n / elapsed),
        "raw_batch_insert_per_s": round(n / raw),
        "ratio": round((n / elapsed) / (n / raw), 4),
    }


def _folder(workdir: str | None) -> Path:
    folder = Path(workdir or tempfile.mkdtemp(prefix="jis-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def run_all(args: argparse.Namespace) -> dict[str, Any]:
    folder = _folder(args.workdir)
    core = bench_core.run(load_plant(), vehicles=5000)
    commit = raw_commit_ms(folder)
    lat = await latency(folder, args.vehicles, args.speed)
    write = lat.pop("reference_write_ms", []) or [float("nan")]
    reference_p50 = statistics.median(commit) + statistics.median(write)
    cu = await catchup(folder, args.catchup)
    hmi = bench_hmi.frame_times_ms(plant_with_feeds(load_plant(), FEEDS))
    soak = bench_core.soak(load_plant(), args.soak)
    p50, p99 = lat["latency_ms"]["p50"], lat["latency_ms"]["p99"]
    return {
        "latency_p50_ms": p50,
        "latency_p99_ms": p99,
        "reference_commit_p50_ms": round(statistics.median(commit), 3),
        "reference_modbus_write_p50_ms": round(statistics.median(write), 3),
        "latency_p50_ratio": round(p50 / reference_p50, 2) if p50 else None,
        "latency_vehicles": lat["vehicles_completed"],
        "latency_feeds": FEEDS,
        "catchup_s": cu["seconds"],
        "catchup_ratio": cu["ratio"],
        "catchup": cu,
        "core_events_per_s": core["events_per_s"],
        "shift_s": None,
        "hmi_frame_p99_ms": hmi["hmi_frame_p99_ms"],
        "hmi_frames": hmi,
        "rss_growth_pct": soak["rss_growth_pct"],
        "soak": soak,
    }


def main_bench(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="jis bench", description=__doc__.splitlines()[0])
    p.add_argument("what", nargs="?", default="all", choices=["all", "core"])
    p.add_argument("--vehicles", type=int, default=40, help="vehicles per feed in the latency run")
    p.add_argument("--speed", type=float, default=100.0)
    p.add_argument("--catchup", type=int, default=10_000)
    p.add_argument("--soak", type=int, default=100_000, help="vehicles through the core in the memory soak")
    p.add_argument("--workdir", default=None)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.what == "core":
        result = bench_core.run(load_plant(), vehicles=5000)
    else:
        result = asyncio.run(run_all(args))
    if args.json:
        print(json.dumps(result))
    else:
        width = max(len(k) for k in result)
        for key, value in result.items():
            if not isinstance(value, dict):
                print(f"{key:{width}s}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main_bench())
