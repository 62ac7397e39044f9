"""The benchmark runs of the whole simulated line over real protocols (``jis bench``): latency, shift, soak.

Each run is ``app.proof.demo.run_demo`` (simulators in their own process, every hop over its real protocol) with a
watcher on the service:

- latency: broadcast received -> bin lit (device acknowledged) for bins lit on their broadcast's arrival; a bin
  whose station was still busy is lit only when the operator frees it, so its wait is the line's queue and is
  reported apart (``queued``). The raw reference (one durable SQLite commit + one pymodbus write to the same
  simulator) is sampled DURING the run, under the same load, and also once before it on an idle machine;
- shift: 4 feeds x 480 vehicles (an 8-hour shift at 60 vehicles/h) with the simulators sped up until the line
  itself is the limit, operators at zero reaction and the drivers' confirm poll at ``SHIFT_POLL_S`` (the plant
  file's ``service.poll_interval_s``, as a plant sets it; the drivers are unchanged): wall time from the first
  broadcast received to the last vehicle completed with every label printed (checked against the printers' own
  records), against the raw device round trips the shift needs (3 Modbus exchanges per pick, 3 ZPL per label);
- soak: resident memory of the service's process between vehicle ``first`` and ``last`` of a long accelerated
  run (run in a process of its own by ``jis bench``, so nothing else lives in that memory). For finding a leak:
  ``JIS_TRACEMALLOC=PREFIX`` writes, at each mark, the live objects counted by type to ``PREFIX.<vehicle>.types``
  (JSON; cheap) and, when ``JIS_TRACEMALLOC_FRAMES=N`` > 0, runs tracemalloc with N frames and writes a snapshot
  to ``PREFIX.<vehicle>`` (``tracemalloc.Snapshot.load``, ``compare_to``; slows the service several times, so
  lower the speed for it).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import sqlite3
import statistics
import time
import tracemalloc
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from app.config import load_plant
from app.proof.bench_core import rss_bytes
from app.proof.demo import DemoOptions, run_demo
from app.service.runtime import Service
from plc_io.bench_refs import RawRegisterWriter, raw_write_register_ms, raw_zpl_status_ms
from sequencer.plant import PlantConfig

SAMPLE_S = 0.025  # period of the raw reference samples taken during a run
WATCH_S = 0.005  # period of the watcher that stamps the first broadcast and the last completion
ZERO_REACTION_S = (0.0, 0.001)  # plant seconds: an operator who presses the moment the bin lights
SHIFT_POLL_S = 0.02  # the shift's confirm poll (its plant file's service.poll_interval_s, the default)
MODBUS_PER_PICK = 3  # light command write, confirm read, latch clear
ZPL_PER_LABEL = 3  # the status poll before the job, the job, the receipt ~HQES~HS behind it


def plant_with_feeds(plant: PlantConfig, n: int, reaction_s: tuple[float, float] = (0.05, 0.2)) -> PlantConfig:
    """``n`` feeds, and a printer per station: one Zebra cannot label 8 sped-up lines (about 20 labels/s)."""
    feeds = tuple(plant.feeds[0].model_copy(update={"id": f"L{i + 1}", "name": f"Line {i + 1}"}) for i in range(n))
    template = next(iter(plant.devices.printers.values()))
    printers = {f"zebra-{st.id}": template for st in plant.stations}
    # no bin keeps stock: 8 lines on the demo's bins would run them out, and the figure is the service's path
    stations = tuple(st.model_copy(update={"printer": f"zebra-{st.id}"}) for st in plant.without_bin_stock().stations)
    devices = plant.devices.model_copy(update={"printers": printers})
    # operators at (almost) zero reaction: the figure is the service's path, not a person's queue at the bin
    simulation = plant.simulation.model_copy(update={"operator_reaction_s": reaction_s})
    return plant.model_copy(update={"feeds": feeds, "stations": stations, "devices": devices, "simulation": simulation})


def q(values: list[float], pct: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 3)
    return round(statistics.quantiles(values, n=100, method="inclusive")[pct - 1], 3)


def raw_commit_ms(folder: Path, n: int = 200) -> list[float]:
    """One 300-byte row per durable commit, SQLite WAL + synchronous=FULL (the journal's settings)."""
    commit = _RawCommit(folder / "raw.db")
    try:
        return [commit.once_ms() for _ in range(n)]
    finally:
        commit.close()


class _RawCommit:
    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, raw BLOB)")

    def once_ms(self) -> float:
        start = time.perf_counter()
        self._db.execute("BEGIN")
        self._db.execute("INSERT INTO t (raw) VALUES (?)", (b"x" * 300,))
        self._db.execute("COMMIT")
        return (time.perf_counter() - start) * 1000

    def close(self) -> None:
        self._db.close()


def _first_ptl(plant: PlantConfig) -> tuple[str, int, int]:
    name, dev = next(iter(plant.devices.ptl.items()))
    light = max(b.light for s in plant.stations if s.ptl == name for b in s.bins)
    return dev.host, dev.port, light


async def sample_raw(
    plant: PlantConfig, db: Path, every_s: float, commit_ms: list[float], write_ms: list[float]
) -> None:
    """Until cancelled: a raw durable commit (own thread, own file ``db``) into ``commit_ms`` and a raw pymodbus
    write to the plant's first PTL simulator into ``write_ms``, every ``every_s``: what the disk and a device round
    trip cost under the run's own load, the reference beside the service's figures."""
    host, port, light = _first_ptl(plant)
    writer = RawRegisterWriter(host, port, unit=light, address=2021, value=0)
    commit = _RawCommit(db)
    thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bench-raw-commit")
    loop = asyncio.get_running_loop()
    try:
        await writer.open()
        while True:
            commit_ms.append(await loop.run_in_executor(thread, commit.once_ms))
            with contextlib.suppress(Exception):  # the simulators stop before this task does
                async with asyncio.timeout(2):
                    write_ms.append(await writer.write_ms())
            await asyncio.sleep(every_s)
    finally:
        writer.close()
        thread.shutdown(wait=True)
        commit.close()


def held(service: Service) -> dict[str, int]:
    """What the service holds that could grow with the vehicles: the soak reports it at each mark."""
    core = service.core
    return {
        "vehicles": sum(len(f.vehicles) for f in core.state.feeds.values()),
        "picks": len(core.state.picks),
        "racks": len(core.state.racks),
        "deviations": len(core.state.deviations.by_id),
        "received": len(service.latency.received),
        "lit_pending": len(service.latency.lit_since),
    }


def _dump_memory(path: str) -> None:
    """Live objects by type (always) and a tracemalloc snapshot (when tracing) to ``path``: finding a leak."""
    gc.collect()
    types = Counter(type(o).__qualname__ for o in gc.get_objects())
    Path(f"{path}.types").write_text(json.dumps(dict(types.most_common())))
    if tracemalloc.is_tracing():
        tracemalloc.take_snapshot().dump(path)


class _Watch:
    """Handed the service by ``run_demo``: samples raw references under load and stamps progress."""

    def __init__(
        self, folder: Path, *, target: int = 0, rss_marks: tuple[int, ...] = (), trace_prefix: str = ""
    ) -> None:
        self.folder, self.target, self.trace_prefix = folder, target, trace_prefix
        self.commit_ms: list[float] = []
        self.write_ms: list[float] = []
        self.first_broadcast: float | None = None
        self.done_at: float | None = None
        self.rss: dict[int, int] = dict.fromkeys(rss_marks, 0)
        self.held: dict[int, dict[str, int]] = {}  # mark -> what the service holds there (steady state or backlog)
        self.service: Service | None = None
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, service: Service) -> None:
        self.service = service
        self._tasks.append(asyncio.create_task(self._progress(service), name="bench-watch"))

    def sample_references(self, service: Service) -> None:
        self.start(service)
        self._tasks.append(asyncio.create_task(self._references(service.plant), name="bench-references"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _progress(self, service: Service) -> None:
        marks = sorted(self.rss)
        while True:
            core = service.core
            if self.first_broadcast is None and any(f.broadcasts for f in core.state.feeds.values()):
                self.first_broadcast = time.monotonic()
            ended = core.state.vehicles_completed + core.vehicle_statuses()["cancelled"] if self.target else 0
            while marks and core.state.vehicles_completed >= marks[0]:
                mark = marks.pop(0)
                self.rss[mark] = rss_bytes()
                self.held[mark] = held(service)
                if self.trace_prefix:
                    _dump_memory(f"{self.trace_prefix}.{mark}")
            if self.target and self.done_at is None and ended >= self.target and not core.state.unprinted:
                self.done_at = time.monotonic()
            await asyncio.sleep(WATCH_S)

    async def _references(self, plant: PlantConfig) -> None:
        """A raw commit (own thread, own file) and a raw pymodbus write to the same simulator, every SAMPLE_S."""
        await sample_raw(plant, self.folder / "raw-loaded.db", SAMPLE_S, self.commit_ms, self.write_ms)


async def latency(folder: Path, *, feeds: int, vehicles: int, speed: float) -> dict[str, Any]:
    """Received -> lit at ``feeds`` feeds, against raw references idle (before) and loaded (during the run)."""
    plant = plant_with_feeds(load_plant(), feeds)
    config = folder / f"plant{feeds}.json"
    config.write_text(plant.model_dump_json())
    idle_commit = raw_commit_ms(folder)
    idle_write: list[float] = []

    async def idle_reference(p: PlantConfig) -> list[float]:
        host, port, light = _first_ptl(p)
        idle_write.extend(await raw_write_register_ms(host, port, unit=light, address=2021, value=0, n=200))
        return []

    watch = _Watch(folder)
    opts = DemoOptions(
        config=str(config),
        vehicles=vehicles,
        speed=speed,
        workdir=str(folder / "latency"),
        as_json=True,
        line_server=False,  # the sequencing path on its own
    )
    try:
        summary = await run_demo(opts, reference=idle_reference, on_service=watch.sample_references)
    finally:
        await watch.stop()
    lat, queued = summary["latency_ms"], summary["queued_ms"]
    loaded_ref = (q(watch.commit_ms, 50) or 0.0) + (q(watch.write_ms, 50) or 0.0)
    idle_ref = (q(idle_commit, 50) or 0.0) + (q(idle_write, 50) or 0.0)
    p50 = lat["p50"]
    return {
        "feeds": feeds,
        "vehicles_completed": summary["vehicles_completed"],
        "p50_ms": p50,
        "p99_ms": lat["p99"],
        "samples": lat["samples"],
        "queued_picks": queued["samples"],
        "queued_p50_ms": queued["p50"],
        "queued_p99_ms": queued["p99"],
        "reference_loaded": {"commit_p50_ms": q(watch.commit_ms, 50), "write_p50_ms": q(watch.write_ms, 50)},
        "reference_idle": {"commit_p50_ms": q(idle_commit, 50), "write_p50_ms": q(idle_write, 50)},
        "reference_loaded_samples": len(watch.write_ms),
        "p50_ratio": round(p50 / loaded_ref, 2) if p50 and loaded_ref else None,
        "p50_ratio_idle": round(p50 / idle_ref, 2) if p50 and idle_ref else None,
    }


async def shift(
    folder: Path, *, feeds: int = 4, vehicles: int = 480, speed: float = 5000.0, poll_s: float = SHIFT_POLL_S
) -> dict[str, Any]:
    """An 8-hour shift (``feeds`` x ``vehicles`` at 60/h) as fast as the line allows, operators at zero reaction.
    ``poll_s``: the drivers' confirm poll, set in the run's plant file as a plant would (``service.poll_interval_s``):
    at the default 20 ms one pick a station waits for the poll, and the shift is the poll's, not the service's."""
    plant = plant_with_feeds(load_plant(), feeds, ZERO_REACTION_S)
    plant = plant.model_copy(update={"service": plant.service.model_copy(update={"poll_interval_s": poll_s})})
    config = folder / "plant-shift.json"
    config.write_text(plant.model_dump_json())
    target = feeds * vehicles
    watch = _Watch(folder, target=target)
    zpl_ms: list[float] = []
    modbus_ms: list[float] = []
    commit_ms: list[float] = []

    async def reference(p: PlantConfig) -> list[float]:
        host, port, light = _first_ptl(p)
        modbus_ms.extend(await raw_write_register_ms(host, port, unit=light, address=2021, value=0, n=100))
        printer = next(iter(p.devices.printers.values()))
        zpl_ms.extend(await raw_zpl_status_ms(printer.host, printer.port, n=100))  # ~HS: the raw port
        commit_ms.extend(raw_commit_ms(folder, n=100))
        return []

    opts = DemoOptions(
        config=str(config),
        vehicles=vehicles,
        speed=speed,
        workdir=str(folder / "shift"),
        as_json=True,
        line_server=False,
    )
    try:
        summary = await run_demo(opts, reference=reference, on_service=watch.start)
    finally:
        await watch.stop()
    assert watch.service is not None
    service = watch.service
    exchanges = sum(getattr(dev, "exchanges", 0) for dev in service.devices.ptls.values())
    picks = len(service.latency.latencies_ms) + len(service.latency.queued_ms)
    labels = summary["labels_printed_by_printers"]
    modbus_s = picks * MODBUS_PER_PICK * (q(modbus_ms, 50) or 0) / 1000
    reference_s = modbus_s + labels * ZPL_PER_LABEL * (q(zpl_ms, 50) or 0) / 1000
    # beside it, not in it: each press is journaled before the next bin lights (durable, one station's chain)
    with_commits_s = reference_s + picks * (q(commit_ms, 50) or 0) / 1000
    complete = (
        summary["vehicles_completed"] == target
        and summary["labels_printed"] == labels
        and summary["doubled"] == 0
        and summary["out_of_sequence"] == 0
    )
    seconds = (
        round(watch.done_at - watch.first_broadcast, 2)
        if complete and watch.done_at is not None and watch.first_broadcast is not None
        else None
    )
    return {
        "seconds": seconds,
        "vehicles": target,
        "vehicles_completed": summary["vehicles_completed"],
        "labels_printed": summary["labels_printed"],
        "labels_printed_by_printers": labels,
        "picks_lit": picks,
        "modbus_exchanges": exchanges,
        "raw_modbus_write_p50_ms": q(modbus_ms, 50),
        "raw_zpl_status_p50_ms": q(zpl_ms, 50),
        "reference_s": round(reference_s, 3),
        "ratio": round(seconds / reference_s, 2) if seconds and reference_s else None,
        "raw_commit_p50_ms": q(commit_ms, 50),
        "reference_with_commits_s": round(with_commits_s, 3),
        "ratio_with_commits": round(seconds / with_commits_s, 2) if seconds and with_commits_s else None,
        "deviations": summary["deviations"],
        # the journal's commits in the run (each a durable write, one after the other on its writer thread)
        "journal_commits": service.sequencing.commit_took.count,
        "journal_rows": service.sequencing.journal_id,
        "speed": speed,
        "confirm_poll_ms": round(poll_s * 1000, 1),
    }


async def soak(
    folder: Path, *, feeds: int = 4, vehicles: int, first: int, speed: float = 150.0, marks: tuple[int, ...] = ()
) -> dict[str, Any]:
    """Resident memory of this process (the service's) between completed vehicle ``first`` and the last one; at a
    speed the line keeps up with (4 x 2.5 vehicles/s at 150x), so it is a steady state, not a growing backlog:
    ``held_at`` shows it (live vehicles flat from mark to mark). At 600x (40 vehicles/s) two shared stations fall
    behind on a 2-core machine: the backlog, and the late alarms it raises, were the growth measured then.
    ``marks``: more completed-vehicle counts to sample between them (the growth's shape: a plateau or a line)."""
    plant = plant_with_feeds(load_plant(), feeds, ZERO_REACTION_S)
    config = folder / "plant-soak.json"
    config.write_text(plant.model_dump_json())
    last = feeds * vehicles
    trace_prefix = os.environ.get("JIS_TRACEMALLOC", "")
    if trace_prefix and (frames := int(os.environ.get("JIS_TRACEMALLOC_FRAMES", "0"))) > 0:
        tracemalloc.start(frames)
    watch = _Watch(folder, target=last, rss_marks=(first, *marks, last), trace_prefix=trace_prefix)
    opts = DemoOptions(
        config=str(config),
        vehicles=vehicles,
        speed=speed,
        workdir=str(folder / "soak"),
        as_json=True,
        line_server=False,
    )
    start = time.monotonic()
    try:
        summary = await run_demo(opts, on_service=watch.start)
    finally:
        await watch.stop()
    low, high = watch.rss[first], watch.rss[last]
    return {
        "first": first,
        "last": last,
        "vehicles_completed": summary["vehicles_completed"],
        "rss_mb_at_first": round(low / 2**20, 1),
        "rss_mb_at_last": round(high / 2**20, 1),
        "rss_growth_pct": round((high - low) / low * 100, 2) if low and high else None,
        "rss_mb_at": {n: round(b / 2**20, 1) for n, b in sorted(watch.rss.items())},
        "held_at": dict(sorted(watch.held.items())),
        "seconds": round(time.monotonic() - start, 1),
    }
