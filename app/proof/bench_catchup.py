"""``jis bench`` catch-up: thousands of broadcasts resent at once over the real feed link, until every one is
durable, sequenced and acknowledged, against a raw batched durable insert of the same journal rows.

The gateway runs in a process of its own (``python -m app.proof.bench_catchup gateway ENDPOINT FEEDS MODULUS N``), as
the OEM's does:
sending 10,000 frames and taking 10,000 ACKs in the service's own event loop would charge the gateway's work to
the service. It times itself from the first send to the last ACK and prints one JSON line. With several feeds
(``feeds``: a day of 8 lines after a long outage) their backlogs are interleaved, each feed's in its own order.
The service's resident memory is sampled while it catches up (``rss_mb_before``, ``rss_mb_peak``): what a backlog
costs it to hold (the vehicles and their picks wait for the line, which is down in this benchmark).

The raw reference inserts exactly the rows the journal writes (time, kind, the event as JSON, the raw bytes
received) with ``executemany`` in one transaction on SQLite WAL + synchronous=FULL, rows prepared beforehand.

``stage_us`` times, in the same run and on one thread, the pure work each broadcast needs whatever the plumbing:
decoding it, the core, the read models and the journal row's encoding. Beside ``budget_us`` (what a broadcast
may cost in all for 0.3x the raw rate) it shows how far tuning can go.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import zmq

from app.config import load_plant, with_free_ports
from app.feed.protocol import decode_broadcast
from app.persist.codec import encode_event
from app.persist.read_models import ReadModels
from app.proof.bench_core import rss_bytes
from app.proof.bench_line import plant_with_feeds
from app.service.intake import broadcast_event
from app.service.runtime import Service
from sequencer.core import Sequencer
from sequencer.events import BroadcastReceived
from sequencer.plant import PlantConfig

AT = 1_700_000_000.0
RSS_SAMPLE_S = 0.1  # how often the service's resident memory is sampled while it catches up


def bodies(feed: str, modulus: int, n: int, *, feeds: tuple[str, ...] = ()) -> list[bytes]:
    """``n`` broadcasts in sequence, as the OEM's gateway would resend its backlog: of ``feed``, or of ``feeds``
    interleaved (one of each in turn, each feed's in its own order)."""
    names = feeds or (feed,)
    return [
        json.dumps(
            {
                "feed": names[i % len(names)],
                "seq": (i // len(names) + 1) % modulus,
                "vehicle_id": f"CATCHUP{i:08d}",
                "function": "original",
                "firm": True,
                "options": ["S1", "P040"],
                "sent_at": AT + i,
                "reporting_point": "R100",
                "line": "A1",
            }
        ).encode()
        for i in range(n)
    ]


def journal_rows(raw_bodies: list[bytes]) -> list[tuple[float, str, str, bytes]]:
    """The rows the journal writes for these broadcasts: (at, kind, payload, raw)."""
    rows = []
    for i, raw in enumerate(raw_bodies):
        msg = json.loads(raw)
        event = BroadcastReceived(
            at=AT + i,
            feed=msg["feed"],
            seq=msg["seq"],
            vehicle_id=msg["vehicle_id"],
            function=msg["function"],
            firm=msg["firm"],
            options=tuple(msg["options"]),
            sent_at=msg["sent_at"],
        )
        kind, payload = encode_event(event)
        rows.append((event.at, kind, payload, raw))
    return rows


def stage_us(plant: PlantConfig, raw_bodies: list[bytes]) -> dict[str, float]:
    """Microseconds per broadcast of each pure stage of the intake, on a fresh core, one stage at a time."""
    core, read_models = Sequencer(plant), ReadModels()
    start = time.perf_counter()
    msgs = [decode_broadcast(raw) for raw in raw_bodies]
    decoded = time.perf_counter()
    events = [broadcast_event(m, AT + i) for i, m in enumerate(msgs)]
    built = time.perf_counter()
    commands = [core.handle(event) for event in events]
    sequenced = time.perf_counter()
    for journal_id, (event, cmds) in enumerate(zip(events, commands, strict=True), 1):
        read_models.observe(core, journal_id, event, cmds)
    observed = time.perf_counter()
    for event in events:
        encode_event(event)
    encoded = time.perf_counter()
    per = 1e6 / len(raw_bodies)
    stages = {
        "decode": (decoded - start) * per,
        "event": (built - decoded) * per,
        "core": (sequenced - built) * per,
        "read_models": (observed - sequenced) * per,
        "journal_encode": (encoded - observed) * per,
    }
    return {**{k: round(v, 1) for k, v in stages.items()}, "pure_total": round(sum(stages.values()), 1)}


def raw_batch_insert_s(folder: Path, rows: list[tuple[float, str, str, bytes]]) -> float:
    path = folder / "raw-batch.db"
    for suffix in ("", "-wal", "-shm"):  # a fresh file: the scale run's catch-up follows the catch-up part's
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, at REAL, kind TEXT, payload TEXT, raw BLOB)")
    start = time.perf_counter()
    db.execute("BEGIN")
    db.executemany("INSERT INTO t (at, kind, payload, raw) VALUES (?, ?, ?, ?)", rows)
    db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


def gateway(endpoint: str, feeds: str, modulus: int, n: int, timeout_s: float = 300.0) -> dict[str, Any]:
    """Send ``n`` broadcasts of ``feeds`` (comma-separated) at once and wait for their ``n`` ACKs (plain blocking
    ZeroMQ, its own process)."""
    names = tuple(feeds.split(","))
    frames = bodies(names[0], modulus, n, feeds=names)
    ctx = zmq.Context()
    dealer = ctx.socket(zmq.DEALER)
    dealer.setsockopt(zmq.SNDHWM, n + 10)
    dealer.setsockopt(zmq.RCVHWM, n + 10)
    dealer.setsockopt(zmq.RCVTIMEO, 60_000)
    dealer.connect(endpoint)
    try:
        start = time.perf_counter()
        for body in frames:
            dealer.send_multipart([b"BCAST", body])
        acked, deadline = 0, time.monotonic() + timeout_s
        while acked < n and time.monotonic() < deadline:
            acked += dealer.recv_multipart()[0] == b"ACK"
        return {"acked": acked, "seconds": time.perf_counter() - start}
    finally:
        dealer.close(0)
        ctx.term()


async def catchup(folder: Path, n: int, *, feeds: int = 1) -> dict[str, Any]:
    """``n`` broadcasts of ``feeds`` feeds resent at once, until all are acknowledged, against the raw insert."""
    base = load_plant() if feeds == 1 else plant_with_feeds(load_plant(), feeds)
    plant = with_free_ports(base, database=f"sqlite:///{folder / f'catchup{feeds}x{n}.db'}")
    names = tuple(f.id for f in plant.feeds)
    modulus = plant.feeds[0].modulus
    service = Service(plant)
    task = asyncio.create_task(service.run())
    async with asyncio.timeout(30):
        await service.ready.wait()
    memory = _Memory()
    sampling = asyncio.create_task(memory.sample(), name="bench-catchup-rss")
    cmd = [sys.executable, "-m", "app.proof.bench_catchup", "gateway", plant.service.feed_endpoint, ",".join(names)]
    proc = await asyncio.create_subprocess_exec(*cmd, str(modulus), str(n), stdout=subprocess.PIPE)
    try:
        async with asyncio.timeout(600):
            out, _ = await proc.communicate()
        sent = json.loads(out)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        sampling.cancel()
        await asyncio.gather(sampling, return_exceptions=True)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    elapsed = sent["seconds"]
    sent_bodies = bodies(names[0], modulus, n, feeds=names)
    raw = raw_batch_insert_s(folder, journal_rows(sent_bodies))
    stages = stage_us(plant, sent_bodies)
    return {
        "broadcasts": n,
        "feeds": feeds,
        "acked": sent["acked"],
        "sequenced": sum(f.broadcasts for f in service.core.state.feeds.values()),
        "seconds": round(elapsed, 3),
        "per_s": round(n / elapsed),
        "raw_batch_insert_per_s": round(n / raw),
        "ratio": round(raw / elapsed, 4),
        "us_per_broadcast": round(1e6 * elapsed / n, 1),
        "budget_us": round(1e6 * raw / 0.3 / n, 1),  # all a broadcast may cost for 0.3x the raw rate
        "stage_us": stages,
        "rss_mb_before": round(memory.before / 2**20, 1),
        "rss_mb_peak": round(memory.peak / 2**20, 1),
        "rss_kb_per_broadcast": round((memory.peak - memory.before) / 1024 / n, 2),
    }


class _Memory:
    """The service's process's resident memory: before the backlog arrives, and its peak while it is taken in."""

    def __init__(self) -> None:
        self.before = self.peak = rss_bytes()

    async def sample(self) -> None:
        while True:
            self.peak = max(self.peak, rss_bytes())
            await asyncio.sleep(RSS_SAMPLE_S)


if __name__ == "__main__" and sys.argv[1:2] == ["gateway"]:
    _endpoint, _feeds, _modulus, _n = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    print(json.dumps(gateway(_endpoint, _feeds, _modulus, _n)))
