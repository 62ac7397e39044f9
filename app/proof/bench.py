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
- HMI frame time: operator panel and cockpit taking in pictures of an 8-feed line (``app.proof.bench_hmi``), and the
  operator panel's CPU per picture, taken in and painted (``panel_apply_us``, ``panel_paint_us``);
- glass to glass (``app.proof.bench_glass``): broadcast received -> the operator panel painted the pick, and a press
  at the device -> the panel painted the next pick, with real screens on the bus (a panel per station, a cockpit,
  each in its own process), against a raw commit + device write + ZeroMQ publish-to-receive + panel paint;
- pictures (``app.proof.bench_pictures``): what one bus picture costs for one changed pick, with 10 and 5,000 open
  alarms and at 1 and 32 feeds, now (the entries the core touched) and before (the whole view rebuilt);
- scale (``app.proof.bench_scale``): 32 feeds and 50 screens against 8 feeds and 2 screens in the same run, at the
  same vehicles a second in all: the service's CPU per broadcast (``scale_cpu_ratio``), received -> lit p99 at 32 feeds;
  and a catch-up of 100,000 broadcasts of 8 feeds with the service's resident memory at its peak (``catchup_100k_s``);
- memory: resident growth of the core between vehicle 10,000 and 100,000 of a mixed stream (``app.proof.bench_core``),
  and of the whole service's process over an accelerated run (``jis bench soak``, run in a process of its own).
- labels (``app.proof.bench_labels``): rendering a part label and an 8-slot rack label to ZPL, p50 per label,
  against the same ZPL written as one hand-made f-string per label kind (checked byte-identical);
- trace (``app.proof.bench_trace``, not part of "all"): one batch's recall (``jis trace --batch``) over a journal of
  20,000 vehicles with scans, from the ``traced_parts`` read model against a replay of the whole journal;
``--quick`` runs every part small (CI); its figures prove the benchmark runs, not the goals.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.config import load_plant
from app.progress import Progress
from app.proof import (
    bench_catchup,
    bench_core,
    bench_formats,
    bench_glass,
    bench_hmi,
    bench_labels,
    bench_line,
    bench_pictures,
    bench_scale,
    bench_trace,
)
from app.proof.bench_line import plant_with_feeds

FEEDS = 8
SHIFT_FEEDS, SHIFT_VEHICLES = 4, 480  # 8 hours at 60 vehicles/h on each of 4 feeds
HMI_VEHICLES = 1000  # 500 pictures: the p99 rests on the slowest five frames, not on the second slowest of 150
GLASS_FEEDS = 4  # at 50x, 3.3 vehicles a second: each station's operator idle about half the time
QUICK = {
    "vehicles": 4, "catchup": 300, "soak": 3000, "shift_vehicles": 10, "soak_vehicles": 40, "soak_first": 40,
    "glass_vehicles": 10, "picture_alarms": 500, "picture_trials": 30,
    "scale_small": (2, 1), "scale_big": (4, 3), "scale_vehicles": 8, "catchup_big": 500,
    "trace_vehicles": 60, "label_trials": 200,
}  # fmt: skip

__all__ = ["PARTS", "BenchOptions", "plant_with_feeds", "run_part"]


@dataclass(frozen=True, kw_only=True)
class BenchOptions:
    """How big each part runs (``jis bench``'s options); ``quick`` makes every part small (CI)."""

    quick: bool = False
    vehicles: int = 40  # vehicles per feed in the latency run
    speed: float = 100.0
    catchup: int = 10_000
    shift_vehicles: int = SHIFT_VEHICLES  # vehicles per feed in the shift
    soak: int = 100_000  # vehicles through the core in the memory soak
    soak_vehicles: int = 800  # vehicles per feed in the service soak
    soak_first: int = 800  # completed vehicles at the service soak's first mark
    soak_marks: tuple[int, ...] = ()  # more completed-vehicle counts to sample
    glass_vehicles: int = 75  # vehicles per feed in the glass-to-glass run (4 feeds at 50x: about 90 s)
    picture_alarms: int = 5000  # open alarms on the big line of the picture costs
    picture_trials: int = 200  # pictures timed per line
    scale_small: tuple[int, int] = (8, 2)  # (feeds, screens) of the scale run's small line
    scale_big: tuple[int, int] = (32, 50)  # and of its big one
    scale_vehicles: int = 320  # vehicles in all on each line of the scale run (about 24 s each)
    catchup_big: int = 100_000  # broadcasts of 8 feeds resent at once in the scale run's catch-up
    trace_vehicles: int = 20_000  # vehicles with scanned parts in the trace run's journal
    label_trials: int = bench_labels.TRIALS  # renders timed per label kind, each beside its reference
    workdir: str | None = None

    def sized(self) -> BenchOptions:
        """These options, or with ``quick`` every part at its ``QUICK`` size."""
        return dataclasses.replace(self, **QUICK) if self.quick else self  # type: ignore[arg-type]


def _folder(workdir: str | None) -> Path:
    folder = Path(workdir or tempfile.mkdtemp(prefix="jis-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def service_soak(opts: BenchOptions, folder: Path) -> dict[str, Any]:
    """``jis bench soak`` in a process of its own: only the service lives in the memory measured."""
    cmd = [sys.executable, "-m", "app.cli.main", "bench", "soak", "--json", "--workdir", str(folder / "soak-run")]
    cmd += ["--soak-vehicles", str(opts.soak_vehicles), "--soak-first", str(opts.soak_first)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


ALL_PARTS = (
    "core memory", "core", "latency", "catch-up", "shift", "HMI frames", "glass to glass", "pictures", "scale",
    "labels", "service memory",
)  # fmt: skip


async def run_all(opts: BenchOptions, progress: Progress | None = None) -> dict[str, Any]:
    """Every part, each beside its reference; the headline figures first, then each part's section."""
    folder = _folder(opts.workdir)
    step = _steps(progress)
    # The core's soak first: resident memory never shrinks, so after the line runs it would hide any growth.
    step()
    soak = bench_core.soak(load_plant(), opts.soak, first=opts.soak // 10)
    step()
    core = bench_core.run(load_plant(), vehicles=500 if opts.quick else 5000)
    step()
    lat = await bench_line.latency(folder, feeds=FEEDS, vehicles=opts.vehicles, speed=opts.speed)
    step()
    cu = await bench_catchup.catchup(folder, opts.catchup)
    step()
    shift = await bench_line.shift(folder, feeds=SHIFT_FEEDS, vehicles=opts.shift_vehicles)
    step()
    hmi = bench_hmi.frame_times_ms(plant_with_feeds(load_plant(), FEEDS), 40 if opts.quick else HMI_VEHICLES)
    step()
    glass = await bench_glass.glass(folder, feeds=GLASS_FEEDS, vehicles=opts.glass_vehicles)
    step()
    pictures = _pictures(opts)
    step()
    scale = await _scale_run(opts, folder)
    step()
    labels = bench_labels.run(opts.label_trials)
    step()
    svc = service_soak(opts, folder)
    step()
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
        "shift_reference_s": shift["reference_s"],
        "shift": shift,
        "core_events_per_s": core["events_per_s"],
        "hmi_frame_p99_ms": hmi["hmi_frame_p99_ms"],
        "panel_apply_us": hmi["panel_apply_us"],
        "panel_paint_us": hmi["panel_paint_us"],
        "hmi_frames": hmi,
        **glass_figures(glass),
        "glass": glass,
        "picture_us": pictures["picture_us"],
        "picture_alarms_ratio": pictures["alarms_ratio"],
        "picture_feeds_ratio": pictures["feeds_ratio"],
        "pictures": pictures,
        **scale_figures(scale),
        "scale": scale,
        **labels,
        "rss_growth_pct": soak["rss_growth_pct"],
        "soak": soak,
        "service_rss_growth_pct": svc.get("rss_growth_pct"),
        "service_soak": svc,
    }


def _steps(progress: Progress | None) -> Callable[[], None]:
    """Each call: the next of ``ALL_PARTS`` begins (the last call: all done), on the progress line."""
    done = -1

    def step() -> None:
        nonlocal done
        done += 1
        if progress is None:
            return
        if done == 0:
            progress.phase("running every part", len(ALL_PARTS), "parts")
        now = f"now: {ALL_PARTS[done]}" if done < len(ALL_PARTS) else ""
        progress.update(done, now, force=True)

    return step


def _core(opts: BenchOptions) -> dict[str, Any]:
    return bench_core.run(load_plant(), vehicles=5000)


def _latency(opts: BenchOptions) -> dict[str, Any]:
    return asyncio.run(bench_line.latency(_folder(opts.workdir), feeds=FEEDS, vehicles=opts.vehicles, speed=opts.speed))


def _catchup(opts: BenchOptions) -> dict[str, Any]:
    return asyncio.run(bench_catchup.catchup(_folder(opts.workdir), opts.catchup))


def _hmi(opts: BenchOptions) -> dict[str, Any]:
    return bench_hmi.frame_times_ms(plant_with_feeds(load_plant(), FEEDS), 40 if opts.quick else HMI_VEHICLES)


def glass_figures(glass: dict[str, Any]) -> dict[str, Any]:
    """The headline figures of the glass-to-glass run; ``glass_p50_ratio`` is the larger of the two figures'."""
    ratios = [r for r in (glass.get("broadcast_p50_ratio"), glass.get("press_p50_ratio")) if r is not None]
    return {
        "glass_broadcast_p50_ms": glass.get("broadcast_p50_ms"),
        "glass_broadcast_p99_ms": glass.get("broadcast_p99_ms"),
        "glass_press_p50_ms": glass.get("press_p50_ms"),
        "glass_press_p99_ms": glass.get("press_p99_ms"),
        "glass_reference_ms": glass.get("reference_ms"),
        "glass_p50_ratio": max(ratios) if ratios else None,
    }


def _glass(opts: BenchOptions) -> dict[str, Any]:
    glass = asyncio.run(bench_glass.glass(_folder(opts.workdir), feeds=GLASS_FEEDS, vehicles=opts.glass_vehicles))
    return {**glass_figures(glass), "glass": glass}


async def _scale_run(opts: BenchOptions, folder: Path) -> dict[str, Any]:
    return await bench_scale.scale(
        folder, small=opts.scale_small, big=opts.scale_big, vehicles=opts.scale_vehicles, catchup=opts.catchup_big
    )


def scale_figures(scale: dict[str, Any]) -> dict[str, Any]:
    """The headline figures of the scale run, each beside its reference (the small line; the raw insert)."""
    small, big, cu = scale["small"], scale["big"], scale["catchup"]
    return {
        "scale_cpu_ratio": scale["cpu_ratio"],
        "scale_cpu_us_per_broadcast": big.get("cpu_us_per_broadcast"),
        "scale_cpu_us_per_broadcast_small": small.get("cpu_us_per_broadcast"),
        "scale_latency_p99_ms": scale["latency_p99_ms"],
        "scale_latency_p99_ms_small": small["latency_p99_ms"],
        "catchup_100k_s": scale["catchup_s"],
        "catchup_100k_raw_insert_s": round(cu["broadcasts"] / cu["raw_batch_insert_per_s"], 6),
        "catchup_100k_rss_mb_peak": scale["catchup_rss_mb_peak"],
        "catchup_100k_rss_mb_before": cu["rss_mb_before"],
    }


def _scale(opts: BenchOptions) -> dict[str, Any]:
    scale = asyncio.run(_scale_run(opts, _folder(opts.workdir)))
    return {**scale_figures(scale), "scale": scale}


def _shift(opts: BenchOptions) -> dict[str, Any]:
    shift = asyncio.run(bench_line.shift(_folder(opts.workdir), feeds=SHIFT_FEEDS, vehicles=opts.shift_vehicles))
    return {
        "shift_s": shift["seconds"],
        "shift_ratio": shift["ratio"],
        "shift_reference_s": shift["reference_s"],
        "shift": shift,
    }


def _pictures(opts: BenchOptions) -> dict[str, Any]:
    base = load_plant()
    return bench_pictures.run(
        lambda n: plant_with_feeds(base, n), alarms=opts.picture_alarms, trials=opts.picture_trials
    )


def _soak(opts: BenchOptions) -> dict[str, Any]:
    folder = _folder(opts.workdir)
    return asyncio.run(
        bench_line.soak(folder, vehicles=opts.soak_vehicles, first=opts.soak_first, marks=opts.soak_marks)
    )


def _formats(opts: BenchOptions) -> dict[str, Any]:
    """Partner files as a stream: ~50 MB per format (a twentieth with --quick); not part of "all" (~40 s, 150 MB
    of temporary files)."""
    return bench_formats.run(scale=0.05 if opts.quick else 1.0)


def _labels(opts: BenchOptions) -> dict[str, Any]:
    return bench_labels.run(opts.label_trials)


def _trace(opts: BenchOptions) -> dict[str, Any]:
    """One batch's recall from ``traced_parts`` against a replay of the whole journal; not part of "all"."""
    return bench_trace.run(_folder(opts.workdir), opts.trace_vehicles)


PARTS: dict[str, Callable[[BenchOptions], dict[str, Any]]] = {
    "all": lambda opts: asyncio.run(run_all(opts)),  # run_part passes its progress line
    "core": _core,
    "latency": _latency,
    "catchup": _catchup,
    "hmi": _hmi,
    "glass": _glass,
    "pictures": _pictures,
    "scale": _scale,
    "shift": _shift,
    "soak": _soak,
    "formats": _formats,
    "labels": _labels,
    "trace": _trace,
}


def run_part(what: str, opts: BenchOptions, progress: Progress | None = None) -> dict[str, Any]:
    """The part ``what`` (a key of ``PARTS``; "all": every part) at the options' sizes; ``progress``: where it is."""
    if what == "all":
        return asyncio.run(run_all(opts.sized(), progress))
    if progress is not None:
        progress.phase(what)
    return PARTS[what](opts.sized())
