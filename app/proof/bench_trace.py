"""``jis bench trace``: a recall question (``jis trace --batch B``) over a big journal with scans, answered from the
``traced_parts`` read model (``app.service.trace.traced``) against the replay of the whole journal it replaced
(``traces``, the reference), on SQLite; both answers must be equal.

The journal is recorded the way ``app.proof.bench_core`` records its stream, on the demo-scan plant (seats
confirmed by a press and a scan, bumpers by the scan alone; the codes its simulated operators' parts carry,
``[simulation] scan_labels``): every vehicle broadcast, its picks scanned and pressed, labels printed, racks
shipped, a tick. A seat is now and then scanned twice before its press (another label: the last scan counts), a
reader now and then sends a no-read (the deviation resolved). Bumper batches change every ``BATCH_EVERY``
vehicles. ``scan_stream`` is also the traced-parts tests' generator (``tests/integration/test_traced_parts.py``).
"""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path
from typing import Any

from app.config import load_plant
from app.persist.read_models import rebuild
from app.persist.store import Store
from app.proof.bench_core import OPTION_SETS, _Recorder
from app.service.trace import matching, traced, traces
from sequencer.commands import RaiseDeviation
from sequencer.events import BinConfirmed, BroadcastReceived, Event, PartScanned, RackShipped, ResolveDeviation, Tick
from sequencer.plant import PlantConfig

SCAN_PLANT = Path(__file__).resolve().parents[1] / "plants" / "demo-scan.toml"
BATCH_EVERY = 40  # vehicles per bumper batch
JOURNAL_BATCH = 2000  # journal rows per insert while building the journal
TIMES = 5  # each question asked this many times; the median is reported


def scan_plant() -> PlantConfig:
    return load_plant(SCAN_PLANT)


def scan_stream(
    plant: PlantConfig,
    vehicles: int,
    seed: int = 1,
    *,
    rescan: float = 0.05,
    noread: float = 0.02,
    batch_every: int = BATCH_EVERY,
) -> list[Event]:
    """A line with scanned picks, recorded by driving a core (``rescan``, ``noread``: chances per pick)."""
    rng = random.Random(seed)
    rec = _Recorder(plant)
    feed = plant.feeds[0]
    labels = plant.simulation.scan_labels
    at, serial = 1_700_000_000.0, 0
    for n in range(vehicles):
        at += feed.takt_s
        seq = (n + 1) % feed.modulus
        rec.feed(
            BroadcastReceived(at=at, feed=feed.id, seq=seq, vehicle_id=f"V{n:07d}", options=rng.choice(OPTION_SETS))
        )
        batch = f"B{n // batch_every % 10_000:04d}"
        for name, station in rec.core.state.stations.items():
            for _ in range(4):
                if station.lit is None:
                    break
                pick = rec.core.state.picks[station.lit]
                confirm = rec.core.state.families[pick.family].confirm
                if rng.random() < noread:
                    raised = rec.feed(PartScanned(at=at + 1, station=name, code="NOREAD", source="bench"))
                    for dev in (c for c in raised if isinstance(c, RaiseDeviation)):
                        rec.feed(
                            ResolveDeviation(at=at + 1, user="bench", reason="read", deviation_id=dev.deviation_id)
                        )
                if confirm in ("scan", "both"):
                    scans = 2 if confirm == "both" and rng.random() < rescan else 1
                    for _ in range(scans):
                        serial += 1
                        code = labels[pick.family].format(part=pick.part, serial=serial, batch=batch)
                        rec.feed(
                            PartScanned(at=at + 2, station=name, code=code, raw=code.encode().hex(), source="bench")
                        )
                if confirm in ("light", "both"):
                    rec.feed(BinConfirmed(at=at + 3, station=name, bin=pick.bin, token=pick.pick_id))
        for rack in [r for r in rec.core.state.watched_racks.values() if r.closed and r.labelled]:
            rec.feed(RackShipped(at=at + 4, feed=rack.feed, family=rack.family, rack_no=rack.rack_no))
        rec.feed(Tick(at=at + 5))
    return rec.events


def journal_of(store: Store, events: list[Event]) -> None:
    """``events`` into the journal (batched inserts, no read models: ``rebuild`` fills them after)."""
    for i in range(0, len(events), JOURNAL_BATCH):
        store.append_many([(e, None) for e in events[i : i + JOURNAL_BATCH]])


def _median_s(ask: Any, times: int) -> tuple[float, Any]:
    spent, answer = [], None
    for _ in range(times):
        start = time.perf_counter()
        answer = ask()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent), answer


def run(folder: Path, vehicles: int = 20_000, times: int = TIMES) -> dict[str, Any]:
    """Build the journal in ``folder``, rebuild the read models, then ask for one batch both ways."""
    plant = scan_plant()
    started = time.perf_counter()
    events = scan_stream(plant, vehicles)
    database = folder / "trace.db"
    database.unlink(missing_ok=True)
    store = Store(f"sqlite:///{database}")
    try:
        journal_of(store, events)
        rebuild(store, plant)
        built_s = time.perf_counter() - started
        batch = f"B{vehicles // 2 // BATCH_EVERY:04d}"
        index_s, found = _median_s(lambda: traced(store, plant, batch=batch), times)
        replay_s, reference = _median_s(lambda: matching(traces(store, plant), batch=batch), max(1, times // 2))
        vin = found[0].vehicle_id if found else ""
        vin_s, _ = _median_s(lambda: traced(store, plant, vin=vin), times)
    finally:
        store.close()
    return {
        "vehicles": vehicles,
        "journal_rows": len(events),
        "batch": batch,
        "traced": len(found),
        "equal": found == reference,
        "read_model_batch_ms": round(index_s * 1000, 2),
        "read_model_vin_ms": round(vin_s * 1000, 2),
        "replay_batch_ms": round(replay_s * 1000, 1),
        "speedup": round(replay_s / index_s) if index_s else None,
        "build_s": round(built_s, 1),
    }
