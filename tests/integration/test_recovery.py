"""A real SIGKILL over a running line: ``jis serve`` is killed mid-run, again and again, and started again.

The simulated plant runs in its own process (``python -m hardware_sims plant``: OEM feed over ZeroMQ, lights
over Modbus TCP, the Zebra over ZPL/TCP), the service in another (``python -m app.cli.main serve``), both on free
ports on 127.0.0.1 with the run's test database (``tests/databases.py``: SQLite or PostgreSQL). The service is
SIGKILLed right after the journal shows a confirm (its label has just gone to the printer: the window where a
label may print without its confirmation being journaled) or a broadcast, then restarted. The last restart runs
in this process, where a simulated shift lead does what a person does after a crash: checks each uncertain
label and reprints it explicitly, and confirms by hand a pick whose confirm was lost with the service.

Checked against the journal and against the printer simulator's own records, not the service's beliefs: no
broadcast lost, no label printed twice under the same reprint number, every reprint asked for in the journal,
every vehicle completed, and the replayed state equal to the running one. Helpers here are reused by
``test_postgres.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from app.config import load_plant, with_free_ports
from app.persist.store import Store
from app.service.replay import rebuild
from app.service.runtime import Service
from app.service.standby import ResumingClock
from sequencer.events import ConfirmByHand, ReprintLabel
from sequencer.plant import PlantConfig

REPO = Path(__file__).resolve().parents[2]
SPEED = 100.0  # plant seconds per real second: a takt of 60 s is 0.6 s
VEHICLES = 40
SEED = 11
KILLS = ("BinConfirmed", "BroadcastReceived", "BinConfirmed")  # what the journal has just shown at each kill
WAIT_S = 60.0  # upper bound of any wait; a healthy run needs a fraction of it
POLL_S = 0.01


# -- processes (also used by test_postgres.py) ---------------------------------------------------------------
def plant_files(tmp_path: Path, database: str) -> tuple[PlantConfig, Path]:
    """The demo plant on free ports with ``database``, written where both processes read it."""
    plant = with_free_ports(load_plant(), database=database)
    config = tmp_path / "plant.json"
    config.write_text(plant.model_dump_json(indent=2))
    return load_plant(config), config


def start_sims(config: Path, records: Path, vehicles: int = VEHICLES) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "hardware_sims", "plant", "--config", str(config), "--speed", str(SPEED)]
    cmd += ["--vehicles", str(vehicles), "--seed", str(SEED), "--records", str(records)]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], WAIT_S)
    line = proc.stdout.readline() if ready else b""
    assert b"ready" in line, f"simulated plant did not start: {line!r}"
    return proc


def stop_sims(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM: the simulators write the printers' records on the way out."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(WAIT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(WAIT_S)


def start_serve(config: Path, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-X", "faulthandler", "-m", "app.cli.main", "--log-level", "INFO", "serve"]
    cmd += ["--config", str(config), "--speed", str(SPEED), *extra]
    with log.open("ab") as out:
        return subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=out)


def stop_gracefully(proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 20.0) -> int:
    """SIGTERM and wait; a service that does not stop gets SIGABRT, so its log shows every thread's stack."""
    proc.terminate()
    try:
        return proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)  # -X faulthandler prints the tracebacks into the log
        proc.wait(WAIT_S)
        raise AssertionError(f"service did not stop on SIGTERM:\n{log.read_text(errors='replace')[-6000:]}") from None


def wait_for(what: str, condition: Callable[[], bool], timeout_s: float = WAIT_S) -> float:
    """Poll ``condition`` until true (bounded); returns the monotonic time it became true."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(POLL_S)
    return time.monotonic()


def log_says(log: Path, words: str, occurrence: int = 1) -> Callable[[], bool]:
    return lambda: log.exists() and log.read_text(errors="replace").count(words) >= occurrence


def journal_count(url: str, kind: str) -> int:
    """Rows of one event kind in the journal, read beside the running service (a reader never blocks it)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            if not engine.dialect.has_table(conn, "journal"):
                return 0
            return int(conn.scalar(text("SELECT count(*) FROM journal WHERE kind = :k"), {"k": kind}) or 0)
    finally:
        engine.dispose()


def journal_seqs(url: str) -> set[int]:
    """The broadcast sequence numbers the journal holds so far (a resend is journaled too: count it once)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            if not engine.dialect.has_table(conn, "journal"):
                return set()
            rows = conn.scalars(text("SELECT payload FROM journal WHERE kind = 'BroadcastReceived'"))
            return {json.loads(payload)["seq"] for payload in rows}
    finally:
        engine.dispose()


def kill_hard(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(WAIT_S)
    assert proc.returncode == -signal.SIGKILL


def printer_records(path: Path) -> Counter[tuple[str, int]]:
    """(label id, reprint number) -> how many times the printer simulator printed it."""
    lines = path.read_text().splitlines() if path.exists() else []
    return Counter((rec["label_id"], rec.get("reprint", 0)) for rec in map(json.loads, lines))


def expected_seqs(plant: PlantConfig, vehicles: int = VEHICLES) -> set[int]:
    feed = plant.feeds[0]
    return {(plant.simulation.start_seq + i) % feed.modulus for i in range(vehicles)}


def journal_facts(store: Store) -> tuple[set[int], Counter[str]]:
    """(broadcast sequence numbers in the journal, label ids reprinted by hand -> how often)."""
    seqs: set[int] = set()
    reprints: Counter[str] = Counter()
    for _, event in store.journal():
        if type(event).__name__ == "BroadcastReceived":
            seqs.add(event.seq)  # type: ignore[union-attr]
        elif isinstance(event, ReprintLabel):
            reprints[event.label_id] += 1
    return seqs, reprints


def assert_no_label_doubled(printed: Counter[tuple[str, int]], reprints: Counter[str]) -> None:
    doubled = {key: n for key, n in printed.items() if n > 1}
    assert not doubled, f"labels printed twice under one reprint number: {doubled}"
    for label_id, reprint in printed:
        assert reprint <= reprints[label_id], f"{label_id} printed as reprint {reprint} nobody asked for"


# -- the shift lead of the last restart -----------------------------------------------------------------------
class Lead:
    """Acts as a person does after a crash, through the service's door: never guesses, always leaves a trace."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.reprinted: list[str] = []
        self.confirmed: list[str] = []

    async def round(self) -> None:
        core, now = self.service.core, self.service.clock()
        for label_id in sorted(core.state.uncertain):  # checked the part: reprint, the label says REPRINT 1
            await self.service.submit(
                ReprintLabel(at=now, user="lead", reason="uncertain after restart", label_id=label_id)
            )
            self.reprinted.append(label_id)
        for station_id, st in core.state.stations.items():
            if st.lit is not None and st.timeout_dev is not None and st.blocked_by is None:
                # the operator picked before the crash; the press died with the service
                op = ConfirmByHand(at=now, user="lead", reason="picked before the restart", station=station_id)
                await self.service.submit(op)
                self.confirmed.append(station_id)


async def finish_line(plant: PlantConfig, vehicles: int) -> tuple[Service, Lead]:
    """The last restart, in this process: run until every vehicle is completed, then stop cleanly."""
    clock = ResumingClock(SPEED)
    service = Service(plant, clock=clock)
    clock.resume_from(service.store.last_event_at())
    lead = Lead(service)
    task = asyncio.create_task(service.run())
    try:
        await asyncio.wait_for(service.ready.wait(), WAIT_S)
        deadline = time.monotonic() + 2 * WAIT_S
        while service.core.state.vehicles_completed < vehicles or service.core.state.unprinted:
            assert time.monotonic() < deadline, (
                f"line did not finish: {service.core.state.vehicles_completed} completed"
            )
            assert not task.done(), task
            await lead.round()
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return service, lead


# -- the test ---------------------------------------------------------------------------------------------------
def test_sigkill_at_any_moment_loses_no_broadcast_and_doubles_no_label(tmp_path: Path, database_url: str) -> None:
    url = database_url
    plant, config = plant_files(tmp_path, url)
    records, log = tmp_path / "printed.jsonl", tmp_path / "serve.log"
    rng = random.Random(SEED)
    sims = start_sims(config, records)
    try:
        for round_no, kind in enumerate(KILLS, start=1):
            serve = start_serve(config, log)
            try:
                wait_for(f"serve #{round_no} up", log_says(log, "service up", round_no))
                target = journal_count(url, kind) + rng.randint(2, 5)
                wait_for(f"{target} {kind} rows", lambda kind=kind, target=target: journal_count(url, kind) >= target)
            finally:
                kill_hard(serve)
        service, lead = asyncio.run(finish_line(plant, VEHICLES))
    finally:
        stop_sims(sims)

    printed = printer_records(records)
    store = Store(url)
    try:
        seqs, reprints = journal_facts(store)
        replayed = rebuild(store, plant, use_snapshot=False)
    finally:
        store.close()
    assert seqs == expected_seqs(plant), "a broadcast is missing from the journal"
    assert_no_label_doubled(printed, reprints)
    assert sorted(reprints.elements()) == sorted(lead.reprinted), "every reprint is one the lead asked for"
    assert set(service.core.state.labels) <= {label_id for label_id, _ in printed}, "a label was never printed"
    assert service.core.state.vehicles_completed == VEHICLES
    assert not service.core.state.uncertain and not service.core.state.unprinted
    assert service.check.doubled == 0 and service.check.out_of_sequence == 0
    assert len(lead.confirmed) <= len(KILLS) * len(plant.stations), "a confirm lost per kill and station at most"
    assert replayed.core.fingerprint() == service.core.fingerprint(), "the replayed state is the recorded one"
    already = sum(1 for label_id in lead.reprinted if (label_id, 0) in printed)
    print(
        f"\nrecovery: {len(KILLS)} SIGKILLs, {len(lead.reprinted)} uncertain labels reprinted "
        f"({already} had printed before the kill), {len(lead.confirmed)} confirms by hand, "
        f"{sum(printed.values())} labels printed, journal {replayed.last_id} rows"
    )
