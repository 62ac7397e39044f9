"""Stops of every kind keep the derived state exact: ``jis serve`` over the simulated plant, stopped again and again.

The simulated plant runs in its own process and ``jis serve`` in another (as in ``test_recovery.py``), on the run's
test database. The service is stopped at a random moment, a random number of journal rows after it came up, with
SIGINT (Ctrl-C), SIGTERM (a supervisor) or SIGKILL, and started again, several times with each signal. After every
stop, read from the database alone:
- the read models (``vehicle_status``, ``kpi_hourly``, ``read_model_mark``) equal a replay of the journal up to
  their mark (``app.persist.read_models.differences``), and after SIGINT or SIGTERM the mark is the journal's
  last row (a clean stop writes everything; after SIGKILL the next start catches up, checked after that start's
  own stop);
- every snapshot equals a replay from the first row to its journal row (``jis replay --verify``);
- the shift report (``jis report``, over all time) equals the report of that replay.
A Ctrl-C used to leave ``jis report`` counting the last vehicle twice, about one stop in seven.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from app.persist.read_models import differences, mark, replayed
from app.persist.shift_report import Window, read_report, shift_report
from app.persist.store import Store
from app.service.replay import verify
from sequencer.plant import PlantConfig
from tests.integration.test_recovery import WAIT_S, log_says, plant_files, start_serve, start_sims, stop_sims, wait_for

SEED = 23
STOPS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL) * 3  # shuffled by the seed
VEHICLES = 400  # more than the stops need: the line never runs dry
ALL_TIME = Window(name="all time", start=0.0, end=1e12)


def journal_rows(url: str) -> int:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            if not engine.dialect.has_table(conn, "journal"):
                return 0
            return int(conn.scalar(text("SELECT coalesce(max(id), 0) FROM journal")) or 0)
    finally:
        engine.dispose()


def stop(proc: subprocess.Popen[bytes], sig: signal.Signals, log: Path) -> int:
    proc.send_signal(sig)
    try:
        return proc.wait(WAIT_S)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)  # -X faulthandler writes every thread's stack into the log
        proc.wait(WAIT_S)
        raise AssertionError(f"no stop on {sig.name}:\n{log.read_text(errors='replace')[-6000:]}") from None


def check_derived_state(url: str, plant: PlantConfig, sig: signal.Signals) -> tuple[int, int]:
    """Read models, snapshots and the shift report against a replay of the journal; (mark, journal rows)."""
    store = Store(url, migrate=False)
    try:
        found = differences(store, plant)
        assert found == [], f"after {sig.name}: read models differ from a replay: {found[:5]}"
        marked, last = mark(store), store.last_id()
        assert marked is not None
        if sig != signal.SIGKILL:
            assert marked[0] == last, f"after {sig.name}: the mark {marked[0]} is behind the journal ({last})"
        snapshots = verify(store, plant)
        assert all(s["equal"] for s in snapshots), f"after {sig.name}: a snapshot differs from a replay: {snapshots}"
        _, pending = replayed(store, plant, marked[0])
        statuses: dict[str, int] = {}
        for row in pending.vehicles.values():
            statuses[row["status"]] = statuses.get(row["status"], 0) + 1
        expected = shift_report(pending.kpis, ALL_TIME, statuses, marked[0])
        engine = store.engine
        assert read_report(engine, ALL_TIME) == expected, f"after {sig.name}: the shift report differs"
        return marked[0], last
    finally:
        store.close()


def test_any_stop_leaves_read_models_snapshots_and_the_report_equal_to_a_replay(
    tmp_path: Path, database_url: str
) -> None:
    plant, config = plant_files(tmp_path, database_url)
    records, log = tmp_path / "printed.jsonl", tmp_path / "serve.log"
    rng = random.Random(SEED)
    stops = list(STOPS)
    rng.shuffle(stops)
    sims = start_sims(config, records, vehicles=VEHICLES)
    seen: list[str] = []
    try:
        for round_no, sig in enumerate(stops, start=1):
            serve = start_serve(config, log)
            try:
                wait_for(f"serve #{round_no} up", log_says(log, "service up", round_no))
                target = journal_rows(database_url) + rng.randint(1, 40)
                wait_for(f"journal row {target}", lambda target=target: journal_rows(database_url) >= target)
                time.sleep(rng.uniform(0.0, 0.03))  # anywhere between two commits, or during one
                code = stop(serve, sig, log)
            except BaseException:
                serve.kill()
                serve.wait(WAIT_S)
                raise
            assert code == (-signal.SIGKILL if sig == signal.SIGKILL else 0), (sig.name, code)
            marked, last = check_derived_state(database_url, plant, sig)
            seen.append(f"{sig.name} at row {last} (mark {marked})")
    finally:
        stop_sims(sims)
    print("\nstops: " + "; ".join(seen))
