"""A late bin refill in ``jis rehearse`` (docs/rehearse.md): what the bins did while the replenisher was late, and
what would have kept them above zero.

What it is for: ``BinTrace`` follows one bin that keeps stock as the rehearsal's watcher sees it (its count, the
parts drawn from it, its refills, the station's starvation alarm for it), and notes each pick it could not make: a
pick that took more than the bin held (the core never refuses a pick for stock: the simulated operator takes the
part anyway, so the line runs on; on a real line the station would have stood until the refill). ``refill_report``
judges each call a ``late_refill`` answered late: the bin that ran empty, how long its station starved (from the
first pick it could not make to the refill), the vehicles late for it (a vehicle whose part could only be picked
after the refill, due before it), the least stock, the starvation alarm's lead (how long before the bin ran out
the alarm fired), and ``refill_avoid``: the reorder point (``low_stock``) and the bin size (``capacity``) that
would have kept it above zero, from the draw rate measured.
What it must not do: run anything, or read the service (the watcher hands it plain values).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from app.proof.rehearse_scenario import clock_text


@dataclass(frozen=True)
class ShortPick:
    """A pick its bin could not cover: on a real line the vehicle's part waits for the refill."""

    at: float  # plant time it was seen
    vehicle: str  # FEED#SEQ
    due_at: float


@dataclass(frozen=True)
class LateCall:
    """A replenishment call a ``late_refill`` answered late."""

    disruption: int  # index in the scenario's disruptions
    bin: str
    seen_at: float  # plant time the replenisher took it
    late_s: float  # plant seconds added to its round


@dataclass
class BinTrace:
    """One kept bin as the watcher saw it, sample after sample."""

    bin: str
    station: str
    capacity: int
    low_stock: int
    qty: int
    drawn: int
    levels: list[tuple[float, int]] = field(default_factory=list)  # (plant time, count) at each change
    draws: list[tuple[float, int]] = field(default_factory=list)  # (plant time, parts drawn so far) at each pick
    fills: list[float] = field(default_factory=list)  # plant times a count filled it
    shorts: list[ShortPick] = field(default_factory=list)
    alarms: list[float] = field(default_factory=list)  # plant times the station's starvation alarm rose for it
    alarmed: bool = False

    def __post_init__(self) -> None:
        self.draws.append((-math.inf, self.drawn))  # what was drawn and held before the first look
        self.levels.append((-math.inf, self.qty))

    def look(self, at: float, qty: int, drawn: int, picked: list[tuple[str, float, int]], *, alarmed: bool) -> None:
        """A sample: its count and parts drawn now; ``picked``, the picks made from it since the last sample, each
        ``(FEED#SEQ, due, qty)``; ``alarmed``, the station's starvation alarm is up for this bin."""
        taken = drawn - self.drawn
        # a count filled it (the replenisher's: to its capacity; a part put back only raises it): the picks seen
        # with it are taken as made before it
        filled = qty > max(0, self.qty - taken) and qty == self.capacity
        short = max(0, taken - self.qty) if filled else taken - (self.qty - qty)
        for vehicle, due, parts in sorted(picked, key=lambda p: p[1], reverse=True):
            if short <= 0:
                break
            self.shorts.append(ShortPick(at, vehicle, due))
            short -= parts
        if filled:
            self.fills.append(at)
        if taken:
            self.draws.append((at, drawn))
        if qty != self.qty:
            self.levels.append((at, qty))
        if alarmed and not self.alarmed:
            self.alarms.append(at)
        self.alarmed, self.qty, self.drawn = alarmed, qty, drawn

    def drawn_by(self, at: float) -> int:
        """Parts drawn from it (those it could not cover too) by plant time ``at``."""
        return max(n for t, n in self.draws if t <= at)

    def called_at(self, seen_at: float) -> float:
        """When the call the replenisher took at ``seen_at`` was made: the pick that brought the bin to its low
        stock (the replenisher sees it on its next round of the loop)."""
        went_low = seen_at
        for (_, before), (t, now) in zip(self.levels, self.levels[1:], strict=False):
            if t > seen_at:
                break
            if now <= self.low_stock < before:
                went_low = t
        return went_low


def refill_avoid(capacity: int, low_stock: int, draw_per_h: float, wait_s: float) -> dict[str, int]:
    """What would have kept the bin above zero while its refill was on its way (``wait_s``: call to refill), at
    ``draw_per_h`` parts an hour: the call when it still holds every part the wait draws and one more
    (``low_stock_needed``), and the bin that calls as seldom as now with that reorder point (``capacity_needed``:
    the same parts between two calls, ``capacity - low_stock``)."""
    drawn = math.ceil(draw_per_h * wait_s / 3600 - 1e-9)  # parts the wait draws (1e-9: a float's rounding)
    low = max(low_stock, drawn + 1)
    return {"low_stock_needed": low, "capacity_needed": capacity + low - low_stock}


def refill_report(
    calls: list[LateCall], bins: dict[str, BinTrace], *, base: float, start: int, last_at: float
) -> dict[str, Any]:
    """A ``late_refill``'s calls judged: per bin and per station, and the vehicles late for it."""
    rows: list[dict[str, Any]] = []
    starved: dict[str, list[tuple[float, float]]] = {}
    late: list[str] = []
    for call in calls:
        trace = bins[call.bin]
        row = _bin_row(call, trace, base, start, last_at)
        interval = row.pop("_interval")
        if row.pop("_starved"):
            starved.setdefault(trace.station, []).append(interval)
        rows.append(row)
        late += row["late_vehicles"]
    return {
        "bins": rows,
        "ran_empty": [r["bin"] for r in rows if r["ran_empty_at"]],
        "stations_starved_s": {st: round(_union_s(spans)) for st, spans in sorted(starved.items())},
        "late": len(late),
        "late_vehicles": late,
        "min_stock": min((r["min_stock"] for r in rows), default=None),
    }


def _bin_row(call: LateCall, trace: BinTrace, base: float, start: int, last_at: float) -> dict[str, Any]:
    called = trace.called_at(call.seen_at)
    filled = next((f for f in trace.fills if f > call.seen_at), None)
    until = filled if filled is not None else last_at
    shorts = [s for s in trace.shorts if called <= s.at <= until]
    ran_out = shorts[0].at if shorts else None
    before = [q for t, q in trace.levels if t <= called]
    held = [q for t, q in trace.levels if called <= t <= until] + before[-1:]
    previous_fill = max((f for f in trace.fills if f <= called), default=-math.inf)
    alarm = max((a for a in trace.alarms if previous_fill < a <= (ran_out or until)), default=None)
    wait_s = until - called
    demand = trace.drawn_by(until) - trace.drawn_by(called)
    rate_wait = demand / wait_s * 3600 if wait_s > 0 else 0.0
    rate_shift = trace.drawn_by(called) / (called - base) * 3600 if called > base else 0.0
    rate = max(rate_wait, rate_shift)
    late = [s.vehicle for s in shorts if s.due_at < until]
    return {
        "bin": trace.bin,
        "station": trace.station,
        "called_at": clock_text(start + called - base),
        "refilled_at": clock_text(start + filled - base) if filled is not None else None,
        "late_s": round(call.late_s),
        "wait_s": round(wait_s),
        "ran_empty_at": clock_text(start + ran_out - base) if ran_out is not None else None,
        "starved_s": round(until - ran_out) if ran_out is not None else 0,
        "picks_short": len(shorts),
        "late_vehicles": late,
        "min_stock": min(held, default=trace.qty),
        "alarm_at": clock_text(start + alarm - base) if alarm is not None else None,
        "alarm_lead_s": round(ran_out - alarm) if ran_out is not None and alarm is not None else None,
        "draw_per_h": round(rate, 1),
        "avoid": {"low_stock": trace.low_stock, "capacity": trace.capacity}
        | refill_avoid(trace.capacity, trace.low_stock, rate, wait_s),
        "_starved": ran_out is not None,
        "_interval": (ran_out, until),
    }


def _union_s(spans: list[tuple[float, float]]) -> float:
    """Seconds covered by the spans together (two bins of a station empty at once: it stood once)."""
    total, reach = 0.0, -math.inf
    for lo, hi in sorted(spans):
        lo = max(lo, reach)
        if hi > lo:
            total += hi - lo
            reach = hi
    return total


def refill_lines(refill: dict[str, Any]) -> list[str]:
    """The late refill's lines in the terminal report."""
    if not refill["bins"]:
        return ["    no bin it names was called for after it began: no refill was late"]
    lines = []
    for b in refill["bins"]:
        fix = b["avoid"]
        empty = (
            f"ran empty at {b['ran_empty_at']}, {b['picks_short']} picks short, station stood {b['starved_s']} s, "
            f"alarm {b['alarm_lead_s']} s before"
            if b["ran_empty_at"]
            else f"kept {b['min_stock']} at least"
        )
        lines.append(
            f"    bin {b['bin']}: called {b['called_at']}, refilled {b['refilled_at'] or 'never'} "
            f"({b['wait_s']} s); {empty}; {b['draw_per_h']} parts/h: a low stock of {fix['low_stock_needed']} "
            f"(now {fix['low_stock']}) or a bin of {fix['capacity_needed']} (now {fix['capacity']}) keeps it above 0"
        )
    lines.append(f"    vehicles late for want of a part: {refill['late']} {' '.join(refill['late_vehicles'])}".rstrip())
    return lines
