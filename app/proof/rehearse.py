"""``jis rehearse SCENARIO.toml``: a shift with planned disruptions, played against the real service and simulators.

What it is for: the whole simulated plant of ``jis demo`` (``app.proof.demo.run_demo``: simulators in their own
process, every hop over its real protocol, the service in this process) at the scenario's speed, with a watcher that

- takes the plant time of the first broadcast as the scenario's start (``Rehearsal.start``), and at each
  disruption's plant time turns the simulators' switch or knob over their control channel (docs/sim-control.md),
  and back at its end (``app.proof.rehearse_scenario``);
- samples, every ``WATCH_S`` of real time, each station's most urgent open pick (not yet picked, or picked and
  its label not yet printed): its margin to its vehicle's due time is the station's buffer;
- records every vehicle's due time and the plant time it completed (before its rack ships and the core lets go);
- follows every bin that keeps stock (``app.proof.rehearse_refill.BinTrace``), and answers the replenishment calls a
  ``late_refill`` names late: it gives the demo's replenisher its round per call (``refill_round``).

The report (``app.proof.rehearse_report``) judges those against the due times. Plant time runs ``speed`` times
faster than the wall clock for the simulators and the service alike; the reconnect back-offs of the drivers are
paced with it (``plc_io.link.pace``), so a device back after an outage is taken up within the same plant seconds
as on a real line. What is not paced is the service's own work (milliseconds of real time, ``speed`` times more
plant seconds): docs/rehearse.md says how far that moves a prediction.

What it must not do: change the service or the core (it only reads their state), or hide a vehicle it did not see
end (``unseen`` in the report).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.config import load_plant
from app.proof.chaos_faults import SimControlClient
from app.proof.demo import DemoOptions, run_demo
from app.proof.demo_replenisher import REPLENISH_DELAY_S
from app.proof.rehearse_refill import BinTrace, LateCall
from app.proof.rehearse_report import StationSample, VehicleRecord, report
from app.proof.rehearse_scenario import (
    Disruption,
    Scenario,
    begin_requests,
    checked_against,
    end_requests,
    refill_matches,
)
from app.service.runtime import Service
from plc_io.link import PACED_FLOOR_S, pace
from sequencer.plant import PlantConfig
from sequencer.state import LineState

log = logging.getLogger(__name__)
WATCH_S = 0.01  # real seconds between the watcher's looks at the line (6 plant seconds at 600x)
OPEN_PICKS = ("queued", "lit", "blocked", "held")


@dataclass(frozen=True, kw_only=True)
class RehearseOptions:
    speed: float | None = None  # plant seconds per real second (default: the scenario's)
    workdir: str | None = None
    quiet: bool = False


def rehearsal_plant(scenario: Scenario, folder: Path) -> PlantConfig:
    """The scenario's plant: its plant file (default: the demo plant) with its feeds, lead, takt and operators."""
    r = scenario.rehearsal
    plant = load_plant(str(folder / r.plant) if r.plant else None)
    margins = {k: v for k, v in (("lead_time_s", r.lead_time_s), ("takt_s", r.takt_s)) if v}
    if r.feeds:
        feed = plant.feeds[0].model_copy(update=margins)
        feeds = tuple(feed.model_copy(update={"id": f"L{i + 1}", "name": f"Line {i + 1}"}) for i in range(r.feeds))
    else:
        feeds = tuple(f.model_copy(update=margins) for f in plant.feeds)
    simulation = plant.simulation
    if r.operator_reaction_s is not None:
        simulation = simulation.model_copy(update={"operator_reaction_s": r.operator_reaction_s})
    return plant.model_copy(update={"feeds": feeds, "simulation": simulation})


def paced_poll(poll_s: float, speed: float) -> float:
    """The confirm poll of the rehearsal's plant file: the plant's, in plant seconds (``speed`` times shorter in real
    seconds, not below ``PACED_FLOOR_S``): at 600x the plant's 20 ms would be 12 plant seconds per press."""
    return max(poll_s / speed, min(poll_s, PACED_FLOOR_S))


@dataclass
class _Action:
    """A switch or knob turned at a plant offset: a disruption's begin or end."""

    offset_s: float
    disruption: int
    phase: str  # "begin" | "end"
    requests: list[dict[str, Any]]


@dataclass
class _Watch:
    """Handed the service by ``run_demo``: plays the disruptions and samples the line (``app.proof.rehearse``)."""

    scenario: Scenario
    plant: PlantConfig
    control: str = ""
    service: Service | None = None
    t0: float | None = None  # plant time of the first broadcast: the scenario's start
    vehicles: dict[tuple[str, int], VehicleRecord] = field(default_factory=dict)
    samples: list[StationSample] = field(default_factory=list)
    played: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    bins: dict[str, BinTrace] = field(default_factory=dict)
    late_calls: list[LateCall] = field(default_factory=list)
    picked: set[int] = field(default_factory=set)  # picks seen picked
    last_at: float = 0.0  # plant time of the last look

    def refill_round(self, bin_id: str, now: float) -> float:
        """The replenisher's round for a call it took at ``now``: a ``late_refill``'s minutes late for the first call
        it names (its bin, a bin of its station, or any bin) taken at or after it begins; the usual round otherwise."""
        station = next((s.id for s in self.plant.stations for b in s.bins if b.id == bin_id), "")
        for i, d in enumerate(self.scenario.disruption):
            begun = self.t0 is not None and now - self.t0 >= self.scenario.offset_s(d)
            answered = any(c.disruption == i for c in self.late_calls)
            if begun and not answered and refill_matches(d, bin_id, station):
                self.late_calls.append(LateCall(i, bin_id, now, d.minutes * 60))
                return REPLENISH_DELAY_S + d.minutes * 60
        return REPLENISH_DELAY_S

    async def on_sims(self, ready: dict[str, Any]) -> None:
        self.control = str(ready["control"])

    def start(self, service: Service) -> None:
        self.service = service
        self.tasks.append(asyncio.create_task(self._look(service), name="rehearse-watch"))
        self.tasks.append(asyncio.create_task(self._play(service), name="rehearse-play"))

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.service is not None:
            self._sample(self.service)  # the last look: vehicles that completed since

    def _actions(self) -> list[_Action]:
        actions = []
        for i, d in enumerate(self.scenario.disruption):
            off = self.scenario.offset_s(d)
            actions.append(_Action(off, i, "begin", begin_requests(d, self.plant)))
            if ends := end_requests(d, self.plant):
                actions.append(_Action(off + d.minutes * 60, i, "end", ends))
        return sorted(actions, key=lambda a: a.offset_s)

    async def _play(self, service: Service) -> None:
        """Each disruption's requests at its plant time after the first broadcast, in plant-time order."""
        client = SimControlClient(self.control)
        try:
            for action in self._actions():
                while self.t0 is None or service.clock() < self.t0 + action.offset_s:  # noqa: ASYNC110 (plant time)
                    await asyncio.sleep(WATCH_S / 2)
                assert self.t0 is not None
                for req in action.requests:
                    try:
                        reply = await client.ask(req)
                    except TimeoutError as exc:  # the simulators did not answer: said in the report, never lost
                        reply = {"ok": False, "error": str(exc)}
                    if not reply.get("ok"):
                        self.errors.append(f"{req}: {reply.get('error')}")
                d: Disruption = self.scenario.disruption[action.disruption]
                late_s = service.clock() - self.t0 - action.offset_s
                self.played.append({"disruption": d.label, "phase": action.phase, "late_s": round(late_s, 1)})
        finally:
            client.close()

    async def _look(self, service: Service) -> None:
        while True:
            self._sample(service)
            await asyncio.sleep(WATCH_S)

    def _sample(self, service: Service) -> None:
        state, now = service.core.state, service.clock()
        for feed in state.feeds.values():
            for v in feed.vehicles.values():
                key = (feed.cfg.id, v.seq)
                rec = self.vehicles.get(key)
                if rec is None:
                    rec = self.vehicles[key] = VehicleRecord(feed=feed.cfg.id, seq=v.seq, at=v.at, due_at=v.due_at)
                    if self.t0 is None or v.at < self.t0:
                        self.t0 = v.at
                rec.due_at = v.due_at  # a change may move it
                if v.status in ("completed", "cancelled") and rec.ended_at is None:
                    rec.ended_at = v.completed_at if v.status == "completed" else now
                    rec.cancelled = v.status == "cancelled"
        if self.t0 is None:
            return
        urgent: dict[str, float] = {}
        waiting: dict[str, int] = dict.fromkeys(state.stations, 0)
        for p in state.picks.values():
            if p.status in OPEN_PICKS or (p.status == "picked" and not p.labelled):
                waiting[p.station] = waiting.get(p.station, 0) + 1
                urgent[p.station] = min(urgent.get(p.station, math.inf), p.due_at)
        for st, n in waiting.items():
            due = urgent.get(st)
            self.samples.append(StationSample(at=now, station=st, buffer_s=None if due is None else due - now, open=n))
        self._look_at_bins(state, now)

    def _look_at_bins(self, state: LineState, now: float) -> None:
        """Each kept bin's count, the picks made from it since the last look, and the station's starvation alarm."""
        self.last_at = now
        picked: dict[str, list[tuple[str, float, int]]] = {}
        for p in state.picks.values():
            if p.status == "picked" and p.pick_id not in self.picked:
                self.picked.add(p.pick_id)
                picked.setdefault(p.bin, []).append((f"{p.feed}#{p.seq}", p.due_at, p.qty))
        for bs in state.stock.values():
            trace = self.bins.get(bs.bin)
            if trace is None:
                trace = BinTrace(bs.bin, bs.station, bs.capacity, bs.low_stock, qty=bs.qty, drawn=bs.drawn)
                self.bins[bs.bin] = trace
            starves = state.starves.get(bs.station)
            alarmed = bs.station in state.starving and starves is not None and starves[1] == bs.bin
            trace.look(now, bs.qty, bs.drawn, picked.get(bs.bin, []), alarmed=alarmed)


async def rehearse(scenario: Scenario, folder: Path, opts: RehearseOptions) -> dict[str, Any]:
    """Play ``scenario`` (its plant file relative to ``folder``) and report on it (``app.proof.rehearse_report``)."""
    plant = rehearsal_plant(scenario, folder)
    if problems := checked_against(scenario, plant):
        raise ValueError("; ".join(problems))
    speed = opts.speed or scenario.rehearsal.speed
    poll = paced_poll(plant.service.poll_interval_s, speed)
    plant = plant.model_copy(update={"service": plant.service.model_copy(update={"poll_interval_s": poll})})
    work = _work_folder(opts.workdir, plant)
    config = work / "rehearsal-plant.json"
    takt = min(f.takt_s for f in plant.feeds)
    vehicles = max(1, math.ceil(scenario.rehearsal.length_s / takt))
    demo = DemoOptions(
        config=str(config),
        vehicles=vehicles,
        speed=speed,
        seed=scenario.rehearsal.seed,
        workdir=str(work / "run"),
        as_json=opts.quiet,
        line_server=False,
    )
    watch = _Watch(scenario, plant)
    begun = time.monotonic()
    pace(speed)
    try:
        summary = await run_demo(demo, on_service=watch.start, on_sims=watch.on_sims, refill_round=watch.refill_round)
    finally:
        with contextlib.suppress(Exception):
            await watch.stop()
        pace(1.0)
    wall_s = time.monotonic() - begun
    steps = list(watch.service.latency.latencies_ms) if watch.service is not None else []
    step_p50, step_p90 = _quantile(steps, 0.5), _quantile(steps, 0.9)
    out = report(
        scenario,
        plant,
        t0=watch.t0,
        vehicles=list(watch.vehicles.values()),
        samples=watch.samples,
        bins=watch.bins,
        late_calls=watch.late_calls,
        last_at=watch.last_at,
    )
    out["run"] = {
        "speed": speed,
        "wall_s": round(wall_s, 1),
        "vehicles_per_feed": vehicles,
        "vehicles_completed": summary["vehicles_completed"],
        "out_of_sequence": summary["out_of_sequence"],
        "doubled": summary["doubled"],
        "step_ms_p50": step_p50,
        "step_ms_p90": step_p90,
        "step_plant_s": round(step_p90 * speed / 1000, 1) if step_p90 is not None else None,
        "played": watch.played,
        "control_errors": watch.errors,
        "partial": bool(summary.get("partial")),
        "stopped_by": summary.get("stopped_by"),  # SIGINT or SIGTERM: what was played so far
        "workdir": str(work),
    }
    return out


def _work_folder(workdir: str | None, plant: PlantConfig) -> Path:
    """The run's folder (made if missing) with the rehearsal's plant file in it, before the loop has work to do."""
    work = Path(workdir or tempfile.mkdtemp(prefix="jis-rehearse-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "rehearsal-plant.json").write_text(plant.model_dump_json())
    return work


def _quantile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (real ms), None without figures."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)
