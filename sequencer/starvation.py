"""The starvation forecast: when a station's bins run short, from their stock, its open vehicles and the takt.

What it is for: one pure function, ``forecast``, that ``sequencer.rules.stock`` asks after every change of a
station's stock or queue, and that the screens show ("starves at 10:42"). The model: the station picks its open
vehicles in their order, one per takt from now (the OEM's line draws one vehicle per takt); the first open pick
whose bin holds less than it needs is when the station starves. When the open vehicles are all covered, the bins'
draw per vehicle so far (parts taken per vehicle picked) carries the forecast past them: a bin that gives ``d``
parts per vehicle and holds ``r`` after the open ones lasts ``floor(r / d)`` vehicles more.
Guarantees (tests/unit/test_starvation.py, Hypothesis): more stock never moves the forecast earlier, and for a
constant takt it is never later than the time the open vehicles, picked one per takt, really find a bin short.
What it must not do: read a clock (``now`` is the event's time) or know the line's state (it takes plain values).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

HORIZON = 500  # open picks looked at, at most (8 h at a 60 s takt): further out is no forecast
BEYOND = 100_000  # vehicles past the open ones a draw may carry the forecast; further: no forecast (not a number)


@dataclass(frozen=True, slots=True)
class Starvation:
    """The station starves at ``at`` (epoch seconds) for want of parts in ``bin``, ``vehicles`` picks from now."""

    at: float
    bin: str
    vehicles: int


def forecast(
    now: float,
    takt_s: float,
    stock: Mapping[str, int],
    open_picks: Sequence[tuple[str, int]],
    draw_per_vehicle: Mapping[str, float] | None = None,
) -> Starvation | None:
    """When the station starves, or ``None`` if nothing it knows says it will.

    ``stock``: the parts in each bin whose stock is kept (a bin not in it is never short). ``open_picks``: the
    station's open picks in pick order, each ``(bin, qty)``. ``draw_per_vehicle``: parts each bin gave per vehicle
    picked so far (absent or 0: no forecast past the open picks for it).
    """
    left = dict(stock)
    for n, (bin_id, qty) in enumerate(open_picks[:HORIZON]):
        if bin_id not in left:
            continue
        if left[bin_id] < qty:
            return Starvation(at=now + n * takt_s, bin=bin_id, vehicles=n)
        left[bin_id] -= qty
    known = min(len(open_picks), HORIZON)
    best: Starvation | None = None
    for bin_id in sorted(left):
        draw = (draw_per_vehicle or {}).get(bin_id, 0.0)
        if draw <= 0 or left[bin_id] / draw > BEYOND:
            continue
        more = known + math.floor(left[bin_id] / draw)
        if best is None or more < best.vehicles:
            best = Starvation(at=now + more * takt_s, bin=bin_id, vehicles=more)
    return best


def station_takt(takts: Sequence[float]) -> float:
    """The seconds between vehicles at a station fed by lines of these takts (two 60 s lines: one every 30 s)."""
    return 1.0 / sum(1.0 / t for t in takts)
