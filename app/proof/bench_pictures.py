"""``jis bench pictures``: what one picture of the line costs the service, for one changed pick, as the line grows.

A core is driven to a busy line (``feeds`` feeds broadcasting round-robin, picks queued at both stations, racks
filling on every feed) with ``alarms`` open alarms (quarantined input a lead suppressed: they stay open and listed);
then, ``trials`` times, the operator at the seats presses the lit bin (the next pick lights, a slot fills) and the
service's picture for it is timed:

- ``picture_us`` (now): the entries the core touched (``sequencer.pictures``) into the bus's numbered store
  (``KvStore.apply``: JSON, compare, number), as ``HmiSide`` publishes;
- ``whole_us`` (before): the whole ``LineView`` projected and split into entries and diffed (``line_view`` +
  ``KvStore.update``), as every picture was built before.

Medians of ``perf_counter`` around the picture alone (the press is not timed). Flat means the same cost at 10 and
5,000 open alarms, and at 1 and 32 feeds: ``alarms_ratio`` and ``feeds_ratio`` (the big line's median over the
small one's) near 1 for the pictures, while the whole picture grows with the line.
What it must not do: assert anything (it prints figures), or read anything but the core it drove.
"""

from __future__ import annotations

import gc
import statistics
import time
from typing import Any

from sequencer.clone import KvStore
from sequencer.core import Sequencer
from sequencer.events import BinConfirmed, BroadcastReceived, BroadcastRejected, SuppressAlarm
from sequencer.pictures import Pictures
from sequencer.plant import PlantConfig
from sequencer.projection import line_view

OPTIONS = [("S1", "P040"), ("S2", "P1A2", "PDC"), ("S2", "HEAT", "P040", "PDC"), ("S3", "P1A2")]
START = 1_700_000_000.0


def busy_line(plant: PlantConfig, *, alarms: int, vehicles: int) -> Sequencer:
    """``vehicles`` broadcast round-robin over the plant's feeds (nothing picked yet: long queues, a rack open
    on every feed and family) and ``alarms`` open alarms."""
    core = Sequencer(plant)
    at = START
    for n in range(alarms):
        core.handle(BroadcastRejected(at=at, feed="", seq=None, reason="unreadable", quarantine_id=n + 1))
        core.handle(SuppressAlarm(at=at, user="lead", reason="known", deviation_id=core.state.deviations.newest_id))
    feeds = [f.id for f in plant.feeds]
    for n in range(vehicles):
        at += 1.0
        feed = feeds[n % len(feeds)]
        vehicle = BroadcastReceived(
            at=at, feed=feed, seq=n // len(feeds) + 1, vehicle_id=f"V{n:06d}", options=OPTIONS[n % len(OPTIONS)]
        )
        core.handle(vehicle)
    return core


def _press(core: Sequencer, station: str, at: float) -> None:
    st = core.state.stations[station]
    assert st.lit is not None, f"nothing lit at {station}: broadcast more vehicles"
    pick = core.state.picks[st.lit]
    core.handle(BinConfirmed(at=at, station=station, bin=pick.bin, token=pick.pick_id))


def picture_costs(plant: PlantConfig, *, alarms: int, trials: int) -> dict[str, Any]:
    """Median cost of the picture after one pick, as built now and as built before, on a busy line (each on a core
    of its own: the garbage of one must not be collected on the other's clock)."""
    now_us, entries, open_alarms = _timed(plant, alarms=alarms, trials=trials, whole=False)
    whole_us, _, _ = _timed(plant, alarms=alarms, trials=trials, whole=True)
    return {
        "feeds": len(plant.feeds),
        "open_alarms": open_alarms,
        "picture_us": round(statistics.median(now_us), 1),
        "whole_us": round(statistics.median(whole_us), 1),
        "entries_per_picture": round(statistics.mean(entries), 2),
    }


def _timed(plant: PlantConfig, *, alarms: int, trials: int, whole: bool) -> tuple[list[float], list[int], int]:
    """``trials`` pictures, each after one pick: their costs (µs) and sizes (entries published)."""
    core = busy_line(plant, alarms=alarms, vehicles=max(2 * trials + 8, 4 * len(plant.feeds)))
    station = next(iter(core.state.stations))
    pictures, store = Pictures(), KvStore()
    at = core.state.last_at
    store.apply(pictures.picture(core, rev=0, at=at, quarantined=0, vehicles_broadcast=0, kpis=True))
    costs: list[float] = []
    sizes: list[int] = []
    gc.collect()
    for rev in range(1, trials + 1):
        at += 1.0
        _press(core, station, at)
        start = time.perf_counter()
        if whole:
            delta = store.update(line_view(core, rev=rev, at=at))
        else:
            delta = store.apply(pictures.picture(core, rev=rev, at=at, quarantined=0, vehicles_broadcast=0, kpis=False))
        costs.append((time.perf_counter() - start) * 1e6)
        sizes.append(len(delta.changes) if delta else 0)
    return costs, sizes, len(core.state.deviations.by_id)


def run(plant_of: Any, *, alarms: int = 5000, feeds: int = 32, trials: int = 200) -> dict[str, Any]:
    """The four lines (10 and ``alarms`` open alarms at 8 feeds; 1 and ``feeds`` feeds with 10 alarms), each
    picture's median cost now and before, and how flat each is. ``plant_of(n)``: the bench plant with ``n``
    feeds."""
    few = picture_costs(plant_of(8), alarms=10, trials=trials)
    many = picture_costs(plant_of(8), alarms=alarms, trials=trials)
    one = picture_costs(plant_of(1), alarms=10, trials=trials)
    wide = picture_costs(plant_of(feeds), alarms=10, trials=trials)
    return {
        "picture_us": many["picture_us"],
        "alarms_ratio": round(many["picture_us"] / few["picture_us"], 2),
        "feeds_ratio": round(wide["picture_us"] / one["picture_us"], 2),
        "whole_alarms_ratio": round(many["whole_us"] / few["whole_us"], 2),
        "whole_feeds_ratio": round(wide["whole_us"] / one["whole_us"], 2),
        "alarms_10": few,
        f"alarms_{alarms}": many,
        "feeds_1": one,
        f"feeds_{feeds}": wide,
    }
