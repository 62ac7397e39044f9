"""The report of ``jis rehearse`` (docs/rehearse.md): what each planned disruption did to the line.

What it is for: from what the watcher saw (``app.proof.rehearse``: each vehicle's due time and end, each station's
most urgent open pick over time), per disruption:

- ``late``: vehicles due in the disruption's window (from its start to the next one's) that completed after
  their due time, or never; ``late_max_s``, the latest of them;
- ``min_slack_s``: the least margin a vehicle of the window completed with (negative: late by that much);
- per station: ``min_buffer_s``, the least margin of its most urgent open pick (not yet picked, or picked and its
  label not printed) to its due time, ``starves_at``, the plant time that margin first went below zero (the OEM
  line would have stood waiting for that station's part), and ``peak_open``, the most picks it had open;
- ``avoid``: what would have kept every vehicle of the window on time: a lead (broadcast -> due) longer by the
  latest lateness (the line's work does not depend on the due times, so every vehicle gains exactly that margin),
  i.e. ``lead_needed_s``; ``recovered_at``, when the last late vehicle completed.

A late bin refill (``late_refill``) adds ``refill`` to its window: the calls it answered late judged by
``app.proof.rehearse_refill`` (bins that ran empty, how long each station starved, the vehicles late for want of a
part, the least stock, the starvation alarm's lead and the reorder point or bin size that would have avoided it),
whenever those calls came. Its vehicles late are not in the window's ``late`` (the simulated line ran on: the core
never refuses a pick for stock) but in ``late_for_stock`` at the top.
A window "before" the first disruption is the baseline: a line that is late there is late without any disruption.
What it must not do: run anything, or count a vehicle the watcher did not see end as on time (``unseen``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

from app.proof.rehearse_refill import BinTrace, LateCall, refill_lines, refill_report
from app.proof.rehearse_scenario import Scenario, clock_s, clock_text
from sequencer.plant import PlantConfig


@dataclass
class VehicleRecord:
    feed: str
    seq: int
    at: float  # plant time its broadcast was received
    due_at: float
    ended_at: float | None = None  # completed (or cancelled) at, plant time
    cancelled: bool = False


@dataclass(frozen=True)
class StationSample:
    at: float
    station: str
    buffer_s: float | None  # its most urgent open pick's margin to its due time; None: nothing open
    open: int


def report(
    scenario: Scenario,
    plant: PlantConfig,
    *,
    t0: float | None,
    vehicles: list[VehicleRecord],
    samples: list[StationSample],
    bins: dict[str, BinTrace] | None = None,
    late_calls: list[LateCall] | None = None,
    last_at: float = 0.0,
) -> dict[str, Any]:
    """The rehearsal's report: a window per disruption (and the baseline before them), each judged on its own;
    ``bins``, ``late_calls`` and ``last_at`` (the watcher's last look) judge the late refills."""
    r = scenario.rehearsal
    start = clock_s(r.start)
    lead = max(f.lead_time_s for f in plant.feeds)
    order = scenario.in_order()
    bounds = [0.0, *(float(scenario.offset_s(d)) for d in order), math.inf]
    names = ["before", *(d.label for d in order)]
    windows = []
    for i, name in enumerate(names):
        lo, hi = bounds[i], bounds[i + 1]
        if i == 0 and hi == 0.0:
            continue
        d = order[i - 1] if i else None
        window = _window(
            name, d.kind if d else "none", lo, hi, start, lead, t0, vehicles, samples, d.minutes if d else 0
        )
        if d is not None and d.kind == "late_refill":
            index = next(k for k, x in enumerate(scenario.disruption) if x is d)
            calls = [c for c in late_calls or [] if c.disruption == index]
            window["refill"] = refill_report(calls, bins or {}, base=t0 or 0.0, start=start, last_at=last_at)
        windows.append(window)
    ended = [v for v in vehicles if v.ended_at is not None]
    return {
        "scenario": r.name,
        "start": r.start,
        "end": r.end,
        "lead_time_s": lead,
        "vehicles_seen": len(vehicles),
        "unseen": len(vehicles) - len(ended),
        "late": sum(w["late"] for w in windows),
        "late_for_stock": sum(w["refill"]["late"] for w in windows if "refill" in w),
        "disruptions": windows,
    }


def _window(
    name: str,
    kind: str,
    lo: float,
    hi: float,
    start: int,
    lead: float,
    t0: float | None,
    vehicles: list[VehicleRecord],
    samples: list[StationSample],
    minutes: float,
) -> dict[str, Any]:
    base = t0 or 0.0
    extra: dict[str, Any] = {}
    due = [v for v in vehicles if not v.cancelled and lo <= v.due_at - base < hi]
    late_s = [(v.ended_at if v.ended_at is not None else math.inf) - v.due_at for v in due]
    late = [s for s in late_s if s > 0]
    finite = [s for s in late_s if s != math.inf]
    stations: dict[str, dict[str, Any]] = {}
    for s in samples:
        if not (lo <= s.at - base < hi):
            continue
        st = stations.setdefault(s.station, {"min_buffer_s": None, "starves_at": None, "peak_open": 0})
        st["peak_open"] = max(st["peak_open"], s.open)
        if s.buffer_s is not None:
            if st["min_buffer_s"] is None or s.buffer_s < st["min_buffer_s"]:
                st["min_buffer_s"] = round(s.buffer_s)
            if s.buffer_s < 0 and st["starves_at"] is None:
                st["starves_at"] = clock_text(start + s.at + s.buffer_s - base)  # when its pick fell due
    if kind == "broadcast_outage":
        extra["catch_up"] = catch_up(due, lead, base, start)
    worst = max(late) if late else 0.0
    recovered = max((v.ended_at for v, s in zip(due, late_s, strict=True) if s > 0 and v.ended_at), default=None)
    return {
        "disruption": name,
        "kind": kind,
        "from": clock_text(start + lo),
        "to": clock_text(start + hi) if hi != math.inf else "end",
        "minutes": minutes,
        "vehicles_due": len(due),
        "late": len(late),
        "never_completed": sum(1 for s in late_s if s == math.inf),
        "late_vehicles": [f"{v.feed}#{v.seq}" for v, s in zip(due, late_s, strict=True) if s > 0],
        "late_max_s": None if not late else (round(worst) if worst != math.inf else "never"),
        "min_slack_s": round(-max(finite)) if finite else None,
        "stations": dict(sorted(stations.items())),
        **extra,
        "avoid": {
            "lead_needed_s": round(lead + math.ceil(worst / 60) * 60) if late and worst != math.inf else None,
            "extra_lead_s": math.ceil(worst / 60) * 60 if late and worst != math.inf else 0,
            "recovered_at": clock_text(start + recovered - base) if recovered is not None else None,
        },
    }


def catch_up(vehicles: list[VehicleRecord], lead: float, base: float, start: int) -> dict[str, Any]:
    """A broadcast outage seen in the arrivals: per feed, the longest silence between two broadcasts and the
    vehicles that came after it back to back (the catch-up: the gateway resending what the link lost). Each of
    those would have come one takt after the one before it (``expected``); the core dues a vehicle at its arrival
    plus the lead when the OEM sends no required time, so these are late only if the catch-up overloads the line.
    An OEM line that kept running wants them at ``expected`` + lead: ``late_if_line_ran`` counts those that
    completed after that, ``lead_lost_max_s`` is the most lead a vehicle lost to the outage."""
    feeds: dict[str, list[VehicleRecord]] = {}
    for v in vehicles:
        feeds.setdefault(v.feed, []).append(v)
    silence, lost, late_if_ran, caught = 0.0, 0.0, 0, 0
    for arrivals in feeds.values():
        arrivals.sort(key=lambda v: v.at)
        gaps = [b.at - a.at for a, b in itertools.pairwise(arrivals)]
        if not gaps:
            continue
        i = max(range(len(gaps)), key=gaps.__getitem__)
        usual = sorted(gaps[:i] or gaps)
        takt = usual[len(usual) // 2]  # the feed's spacing before the silence: the OEM line's pace then
        silence = max(silence, gaps[i])
        burst = [arrivals[i + 1]]
        for v in arrivals[i + 2 :]:
            if v.at - burst[-1].at > takt / 2:
                break
            burst.append(v)
        for k, v in enumerate(burst, start=1):
            expected = arrivals[i].at + k * takt
            if v.at - expected <= 0:
                continue
            caught += 1
            lost = max(lost, v.at - expected)
            late_if_ran += v.ended_at is None or v.ended_at > expected + lead
    return {
        "longest_silence_s": round(silence),
        "caught_up": caught,
        "lead_lost_max_s": round(lost),
        "late_if_line_ran": late_if_ran,
    }


def table(out: dict[str, Any]) -> str:
    """The report as lines for a terminal."""
    lines = [
        f"{out['scenario']}: {out['start']}-{out['end']}, lead {out['lead_time_s'] / 60:.0f} min, "
        f"{out['vehicles_seen']} vehicles, {out['late']} late, {out['unseen']} unseen"
        + (f", {out['late_for_stock']} late for want of a part" if out.get("late_for_stock") else ""),
    ]
    for w in out["disruptions"]:
        avoid = w["avoid"]
        fix = (
            f"a lead of {avoid['lead_needed_s'] / 60:.0f} min (+{avoid['extra_lead_s'] / 60:.0f}) would have had 0 late"
            if avoid["lead_needed_s"]
            else ("0 late" if not w["late"] else "vehicles never completed: no lead avoids it")
        )
        lines.append(
            f"{w['disruption']} [{w['from']} - {w['to']}]: {w['late']}/{w['vehicles_due']} late"
            f" (worst {w['late_max_s']} s), least slack {w['min_slack_s']} s; {fix}"
        )
        if cu := w.get("catch_up"):
            lines.append(
                f"    catch-up: {cu['caught_up']} vehicles after {cu['longest_silence_s']} s of silence, up to "
                f"{cu['lead_lost_max_s']} s of lead lost; {cu['late_if_line_ran']} late if the OEM line ran on"
            )
        if refill := w.get("refill"):
            lines += refill_lines(refill)
        for st, s in w["stations"].items():
            starve = f", starves at {s['starves_at']}" if s["starves_at"] else ""
            lines.append(f"    {st}: least buffer {s['min_buffer_s']} s, up to {s['peak_open']} picks open{starve}")
    run = out.get("run", {})
    for error in run.get("control_errors", ()):
        lines.append(f"NOT PLAYED (the simulators refused or did not answer): {error}")
    if run:
        lines.append(
            f"played at {run['speed']:g}x in {run['wall_s']} s (real); one step of the service (received -> lit) "
            f"p90 {run['step_ms_p90']} ms real = {run['step_plant_s']} plant s at this speed"
        )
    return "\n".join(lines)
