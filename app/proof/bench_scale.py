"""``jis bench scale``: flat as the plant grows. A big line (32 feeds, 50 screens) against a small one (8 feeds, 2
screens) in the same run, and a catch-up of 100,000 broadcasts.

Each line is ``app.proof.demo.run_demo`` (simulators in their own process, every hop over its real protocol, the OPC
UA line server off as in the other benchmarks) with its screens subscribed to the service's HMI bus: lightweight
real subscribers, all in one process of their own (``app.proof.scale_screens``: a SUB and a snapshot DEALER each,
decoding and validating every picture into its replica, no drawing), so the service serves each as a real screen.
The feeds hold back (a takt of a day over the simulators' control channel: each feed's first vehicle has gone out
already, and is completed before anything counts) until every screen holds its snapshot, then broadcast at their
takt. Both lines take vehicles at the same rate in all (``RATE_PER_S``: 8 feeds at 100x): the
plant's two stations pick every vehicle, so a faster line would measure their queue, not the service. What grows
is what the service holds and serves: four times the feeds, their racks and sequence windows, 25 times the screens.

- ``cpu_us_per_broadcast``: the CPU time of the service's process (``time.process_time``: every thread, the
  journal's writer and ZeroMQ's I/O threads among them) from the feeds' release to the last vehicle completed with
  its labels printed, over the broadcasts taken in that while; ``cpu_ratio``: the big line's over the small one's.
  Most of it is what the process costs whatever arrives (the drivers' confirm polls, the bus's heartbeats, the
  timers), so ``idle_cpu_share`` is measured too, the line idle with the screens on, for ``IDLE_S`` before the
  release, and ``cpu_us_per_broadcast_over_idle`` is what the broadcasts add to it;
- ``latency_p99_ms``: broadcast received -> bin lit (device acknowledged) for bins lit on arrival, as ``jis bench
  latency`` measures it (a bin that waited for its station is the line's queue, reported apart), beside its raw
  reference sampled during the run every ``REFERENCE_S`` (a durable SQLite commit, a pymodbus write to the same
  simulator; in the service's process, so its CPU, about 2% of a core, is in the service's on both lines);
- the catch-up (``app.proof.bench_catchup``): ``catchup_big`` broadcasts of 8 feeds resent at once, until all are
  durable, sequenced and acknowledged, with the service's resident memory before and at its peak.

What it must not do: assert anything (it prints figures), or touch the line other than as its screens do.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from app.config import load_plant
from app.proof import bench_catchup
from app.proof.bench_glass import ControlLink, held_feeds
from app.proof.bench_line import plant_with_feeds, q, sample_raw
from app.proof.demo import DemoOptions, run_demo
from app.service.runtime import Service
from sequencer.plant import PlantConfig

RATE_PER_S = 8 * 100 / 60  # vehicles a second in all, on every line: 8 feeds at 60 an hour sped up 100x
CATCHUP_FEEDS = 8  # a day of 8 feeds after a long outage
READY_TIMEOUT_S = 60.0  # every screen holding its snapshot
DONE_WATCH_S = 0.02  # how often the run looks for its last vehicle
SCREENS_STOP_S = 10.0
REFERENCE_S = 0.1  # a raw commit and a raw device write this often during a line's run (cheap: ~2% of a core)
SETTLE_S = 0.5  # after every screen holds its snapshot, before the idle window
IDLE_S = 3.0  # the line idle, screens on: what the service's process costs when nothing arrives


class ScaleRun:
    """One line's screens, the feeds' release and the CPU stamps."""

    def __init__(self, folder: Path, plant: PlantConfig, screens: int, target: int, speed: float) -> None:
        self.folder, self.plant, self.screens, self.target, self.speed = folder, plant, screens, target, speed
        self.control: ControlLink | None = None
        self.service: Service | None = None
        self.proc: asyncio.subprocess.Process | None = None
        self.counts: dict[str, Any] = {}
        self.errors: list[str] = []
        self.started: tuple[float, float, int] | None = None  # (monotonic, process CPU, broadcasts) at the release
        self.ended: tuple[float, float, int] | None = None  # the same at the last vehicle
        self.idle: tuple[tuple[float, float, int], tuple[float, float, int]] | None = None  # the idle window
        self.commit_ms: list[float] = []  # the raw reference, sampled during the run
        self.write_ms: list[float] = []
        self.latency_from = 0  # received -> lit figures before the release (the screens starting) do not count
        self._tasks: list[asyncio.Task[None]] = []

    async def take_sims(self, ready: dict[str, Any]) -> None:
        """The simulators are up: the feeds hold back until the screens are up."""
        self.control = await held_feeds(self.plant, ready)

    def start(self, service: Service) -> None:
        self.service = service
        self._tasks.append(asyncio.create_task(self._run(service), name="bench-scale"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.proc is not None:
            if self.proc.returncode is None:
                self.proc.terminate()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SCREENS_STOP_S):
                    out, _ = await self.proc.communicate()
                lines = [line for line in out.decode().splitlines() if line.startswith("{")]
                self.counts = json.loads(lines[-1]) if lines else {}
            if self.proc.returncode is None:
                self.proc.kill()
                await self.proc.wait()
        if self.control is not None:
            self.control.close()

    async def _run(self, service: Service) -> None:
        svc = service.plant.service
        spec = {"connect": svc.hmi_endpoint, "snapshot": svc.hmi_snapshot_endpoint, "screens": self.screens}
        self.proc = proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app.proof.scale_screens", stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(spec).encode() + b"\n")
        await proc.stdin.drain()
        try:
            async with asyncio.timeout(READY_TIMEOUT_S):
                line = await proc.stdout.readline()
        except TimeoutError:
            line = b""
        if b"ready" not in line:
            self.errors.append(f"the screens never all held a snapshot: {line[:200]!r}")
        await self._quiet(service)  # each feed's first vehicle, sent before the hold, is done with
        await asyncio.sleep(SETTLE_S)
        before = self._stamp(service)
        await asyncio.sleep(IDLE_S)
        self.idle = (before, self._stamp(service))
        references = asyncio.create_task(self._references(service.plant), name="bench-scale-references")
        self._tasks.append(references)
        await self._release()
        core = service.core
        while core.state.vehicles_completed < self.target or core.state.unprinted:  # noqa: ASYNC110 (the core's state)
            await asyncio.sleep(DONE_WATCH_S)
        self.ended = self._stamp(service)
        references.cancel()

    async def _release(self) -> None:
        """The feeds broadcast at their takt again, spread over one takt (OEM lines are not in lock-step)."""
        assert self.control is not None and self.service is not None
        self.started = self._stamp(self.service)
        self.latency_from = len(self.service.latency.latencies_ms)
        feeds = self.plant.feeds
        for feed in feeds:
            await self.control.ask({"op": "feed", "feed": feed.id, "takt_s": feed.takt_s})
            await asyncio.sleep(feed.takt_s / self.speed / len(feeds))

    @staticmethod
    async def _quiet(service: Service) -> None:
        """Until every vehicle broadcast so far is completed with its labels printed (bounded)."""
        state, deadline = service.core.state, time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline and (  # noqa: ASYNC110 (the core's state)
            state.vehicles_completed < sum(f.broadcasts for f in state.feeds.values()) or state.unprinted
        ):
            await asyncio.sleep(DONE_WATCH_S)

    async def _references(self, plant: PlantConfig) -> None:
        """The raw references sampled every ``REFERENCE_S`` beside the run (``bench_line.sample_raw``)."""
        db = self.folder / f"raw-scale{len(plant.feeds)}.db"
        await sample_raw(plant, db, REFERENCE_S, self.commit_ms, self.write_ms)

    @staticmethod
    def _stamp(service: Service) -> tuple[float, float, int]:
        return time.monotonic(), time.process_time(), sum(f.broadcasts for f in service.core.state.feeds.values())


async def line(folder: Path, *, feeds: int, screens: int, vehicles: int) -> dict[str, Any]:
    """One line of ``feeds`` feeds and ``screens`` screens taking ``vehicles`` vehicles in all at ``RATE_PER_S``."""
    per_feed = max(1, round(vehicles / feeds))
    base = plant_with_feeds(load_plant(), feeds)
    speed = RATE_PER_S * base.feeds[0].takt_s / feeds
    config = folder / f"plant-scale{feeds}.json"
    config.write_text(base.model_dump_json())
    run = ScaleRun(folder, base, screens, feeds * per_feed, speed)
    opts = DemoOptions(
        config=str(config),
        vehicles=per_feed,
        speed=speed,
        workdir=str(folder / f"scale{feeds}x{screens}"),
        as_json=True,
        line_server=False,  # the sequencing path and the bus on their own
    )
    try:
        summary = await run_demo(opts, on_service=run.start, on_sims=run.take_sims)
    finally:
        await run.stop()
    figures: dict[str, Any] = {"feeds": feeds, "screens": screens, "speed": round(speed, 2)}
    if run.started is not None and run.ended is not None and run.idle is not None:
        wall, cpu, broadcasts = (b - a for a, b in zip(run.started, run.ended, strict=True))
        idle_wall, idle_cpu, _ = (b - a for a, b in zip(*run.idle, strict=True))
        idle_share = idle_cpu / idle_wall
        figures |= {
            "seconds": round(wall, 2),
            "broadcasts": broadcasts,
            "cpu_s": round(cpu, 3),
            "cpu_us_per_broadcast": round(cpu * 1e6 / broadcasts, 1) if broadcasts else None,
            "cpu_share": round(cpu / wall, 3) if wall else None,  # of one core
            "idle_cpu_share": round(idle_share, 3),  # the same, the line idle and the screens on
            # what the broadcasts add to the idle cost: the work that grows with them
            "cpu_us_per_broadcast_over_idle": round((cpu - idle_share * wall) * 1e6 / broadcasts, 1)
            if broadcasts
            else None,
        }
    else:
        run.errors.append("the line never completed its vehicles")
    lat = list(run.service.latency.latencies_ms)[run.latency_from :] if run.service is not None else []
    pictures = run.counts.get("pictures") or [0]
    return figures | {
        "vehicles_completed": summary["vehicles_completed"],
        "latency_p50_ms": q(lat, 50),
        "latency_p99_ms": q(lat, 99),
        "latency_samples": len(lat),
        "queued_picks": summary["queued_ms"]["samples"],
        "reference": {
            "commit_p50_ms": q(run.commit_ms, 50),
            "commit_p99_ms": q(run.commit_ms, 99),
            "write_p50_ms": q(run.write_ms, 50),
            "write_p99_ms": q(run.write_ms, 99),
            "samples": len(run.commit_ms),
        },
        "pictures_per_screen": {"min": min(pictures), "max": max(pictures)},
        "screen_gaps": sum(run.counts.get("gaps") or []),
        "screen_bad": sum(run.counts.get("bad") or []),
        "errors": run.errors,
    }


async def scale(
    folder: Path, *, small: tuple[int, int], big: tuple[int, int], vehicles: int, catchup: int
) -> dict[str, Any]:
    """The small and the big line (``(feeds, screens)``, ``vehicles`` each), then the catch-up of ``catchup``."""
    lines = {}
    for name, (feeds, screens) in (("small", small), ("big", big)):
        lines[name] = await line(folder, feeds=feeds, screens=screens, vehicles=vehicles)
    cu = await bench_catchup.catchup(folder, catchup, feeds=CATCHUP_FEEDS)
    small_us, big_us = lines["small"].get("cpu_us_per_broadcast"), lines["big"].get("cpu_us_per_broadcast")
    return {
        "cpu_ratio": round(big_us / small_us, 2) if small_us and big_us else None,
        "latency_p99_ms": lines["big"]["latency_p99_ms"],
        "catchup_s": cu["seconds"],
        "catchup_rss_mb_peak": cu["rss_mb_peak"],
        **lines,
        "catchup": cu,
    }
