"""``jis bench core``: events per second through the pure core on a realistic mixed stream.

The stream is recorded once by driving a core like a line would (broadcasts with resends, gaps filled late,
changes, cancellations, holds, right and wrong confirms, labels printed, ticks), then replayed into a fresh core
under the timer: only ``handle`` is measured. The replayed state must equal the recorded one.
"""

from __future__ import annotations

import gc
import os
import random
import time
from typing import Any

from sequencer.commands import PrintLabel, RaiseDeviation
from sequencer.core import Sequencer
from sequencer.events import (
    BinConfirmed,
    BroadcastReceived,
    Event,
    LabelPrinted,
    RackShipped,
    ReleaseVehicle,
    ResolveDeviation,
    Tick,
)
from sequencer.plant import PlantConfig

OPTION_SETS = [("S1", "P040"), ("S2", "P1A2", "PDC"), ("S2", "HEAT", "P040", "PDC"), ("S3", "P1A2")]


class _Recorder:
    def __init__(self, plant: PlantConfig, *, keep: bool = True) -> None:
        self.core = Sequencer(plant)
        self.events: list[Event] = []
        self._keep = keep  # a soak does not keep its events: their memory is not the core's

    def feed(self, event: Event) -> list[Any]:
        if self._keep:
            self.events.append(event)
        commands = self.core.handle(event)
        for cmd in commands:
            if isinstance(cmd, PrintLabel):
                printed = LabelPrinted(at=event.at, label_id=cmd.label.label_id)
                if self._keep:
                    self.events.append(printed)
                commands += self.core.handle(printed)
        return commands


def record_stream(
    plant: PlantConfig, vehicles: int, seed: int = 1, *, keep: bool = True, marks: dict[int, int] | None = None
) -> tuple[list[Event], str]:
    """The mixed stream (kept unless ``keep`` is False); ``marks`` maps vehicle counts to the RSS seen there."""
    rng = random.Random(seed)
    rec = _Recorder(plant, keep=keep)
    feed = plant.feeds[0]
    at, seq, held_back = 1_700_000_000.0, 0, []
    for n in range(vehicles):
        if marks is not None and n in marks:
            marks[n] = rss_bytes()
        at += feed.takt_s
        seq = (seq + 1) % feed.modulus
        options = rng.choice(OPTION_SETS)
        broadcast = BroadcastReceived(at=at, feed=feed.id, seq=seq, vehicle_id=f"V{n:07d}", options=options)
        roll = rng.random()
        if roll < 0.005:
            held_back.append(broadcast)  # lost on the way: a gap, resent a few vehicles later
            continue
        commands = rec.feed(broadcast)
        if roll < 0.015:
            rec.feed(broadcast)  # an identical resend
        elif roll < 0.025:
            rec.feed(
                BroadcastReceived(**{**_fields(broadcast), "options": rng.choice(OPTION_SETS), "function": "change"})
            )
        elif roll < 0.03:
            rec.feed(BroadcastReceived(**{**_fields(broadcast), "function": "hold"}))
            rec.feed(ReleaseVehicle(at=at, user="bench", reason="released", feed=feed.id, seq=seq))
        if held_back and rng.random() < 0.3:
            rec.feed(held_back.pop(0))
        _confirm_all(rec, rng, at, commands)
        for rack in [r for r in rec.core.state.watched_racks.values() if r.closed and r.labelled]:
            rec.feed(RackShipped(at=at + 2, feed=rack.feed, family=rack.family, rack_no=rack.rack_no))
        rec.feed(Tick(at=at + 3))
    for broadcast in held_back:
        rec.feed(broadcast)
    return rec.events, rec.core.fingerprint()


def rss_bytes() -> int:
    """Resident memory of this process now (Linux /proc), not the peak."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def soak(plant: PlantConfig, vehicles: int = 100_000, first: int = 10_000) -> dict[str, Any]:
    """Resident memory growth of the core between vehicle ``first`` and ``vehicles`` of a mixed stream."""
    gc.collect()
    marks = {first: 0, vehicles - 1: 0}
    start = time.perf_counter()
    record_stream(plant, vehicles, keep=False, marks=marks)
    low, high = marks[first], marks[vehicles - 1]
    return {
        "vehicles": vehicles,
        "rss_mb_at_first": round(low / 2**20, 1),
        "rss_mb_at_last": round(high / 2**20, 1),
        "rss_growth_pct": round((high - low) / low * 100, 2),
        "seconds": round(time.perf_counter() - start, 1),
    }


def _fields(e: BroadcastReceived) -> dict[str, Any]:
    return {k: getattr(e, k) for k in e.__dataclass_fields__}


def _confirm_all(rec: _Recorder, rng: random.Random, at: float, _commands: list[Any]) -> None:
    for name, station in rec.core.state.stations.items():
        for _ in range(4):
            if station.lit is None:
                break
            pick = rec.core.state.picks[station.lit]
            if rng.random() < 0.002 and station.blocked_by is None:
                wrong = next(b.id for b in station.cfg.bins if b.id != pick.bin)
                raised = [
                    c for c in rec.feed(BinConfirmed(at=at, station=name, bin=wrong)) if isinstance(c, RaiseDeviation)
                ]
                rec.feed(ResolveDeviation(at=at, user="bench", reason="put back", deviation_id=raised[0].deviation_id))
                continue
            rec.feed(BinConfirmed(at=at + 5, station=name, bin=pick.bin, token=pick.pick_id))


def run(plant: PlantConfig, vehicles: int = 5000, seed: int = 1, repeats: int = 3) -> dict[str, Any]:
    events, recorded = record_stream(plant, vehicles, seed)
    best = float("inf")
    replayed = ""
    for _ in range(repeats):
        core = Sequencer(plant)
        start = time.perf_counter()
        for event in events:
            core.handle(event)
        best = min(best, time.perf_counter() - start)
        replayed = core.fingerprint()
    kinds: dict[str, int] = {}
    for e in events:
        kinds[type(e).__name__] = kinds.get(type(e).__name__, 0) + 1
    return {
        "events": len(events),
        "vehicles": vehicles,
        "seconds": round(best, 4),
        "events_per_s": round(len(events) / best),
        "replay_equal": replayed == recorded,
        "mix": kinds,
    }
