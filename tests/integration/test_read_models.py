"""Read models (``read_models``): ``vehicle_status`` and ``kpi_hourly`` equal the core's state, live and after
a rebuild from the journal, on the run's database (``tests/databases.py``: SQLite, or PostgreSQL in the second pass).

The stream is ``app.proof.bench_core``'s recorded line (resends, gaps filled late, changes, holds, wrong picks, labels,
racks shipped and forgotten, ticks), journaled in batches exactly as the service's sequencing task does: rows of
the previous batch in the same transaction as the next journal rows. The live test runs the real service with
in-memory devices (``tests/fake_line.py``) and looks into the database after the service stopped.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.persist import read_models
from app.persist.read_models import (
    COUNTS,
    WRITE_AT_ROWS,
    ReadModels,
    counters,
    differences,
    kpi_rows,
    live_vehicles,
    mark,
    rebuild,
    vehicle_rows,
)
from app.persist.store import Store
from app.proof.bench_core import record_stream
from app.service.replay import rebuild as rebuild_core
from app.service.sequencing import Sequencing
from sequencer.core import Sequencer, SequencerError
from sequencer.events import Event
from sequencer.plant import PlantConfig
from tests.devices import until
from tests.fake_line import fake_line
from tests.journaling import journal_in_batches
from tests.plants import demo_plant

VEHICLES = 80
WAIT_S = 60.0


@pytest.fixture(scope="module")
def plant() -> PlantConfig:
    return demo_plant()


@pytest.fixture(scope="module")
def stream(plant: PlantConfig) -> list[Event]:
    return record_stream(plant, vehicles=VEHICLES, seed=4)[0]


def run_like_the_service(
    store: Store, plant: PlantConfig, events: list[Event], *, stop_cleanly: bool = True
) -> Sequencer:
    """Journal ``events`` in seeded batches with the read models riding along; after every event the rows the
    read models hold for the core's vehicles must be the core's (nothing an event changed is missed)."""
    core, models = Sequencer(plant), ReadModels()
    models.resume(store, plant, core, 0)

    def shows_the_core(event: Event) -> None:
        live = live_vehicles(core)
        assert {k: models._shown.get(k) for k in live} == live, event

    journal_in_batches(store, core, models, events, seed=7, each=shows_the_core)
    if stop_cleanly and (rows := models.pending()) is not None:
        store.write_read_models(rows)
    return core


def test_rows_ride_along_once_a_second_or_when_many_wait(plant: PlantConfig, stream: list[Event]) -> None:
    """A commit that carries read-model rows costs several times one that does not, so they wait (bounded)."""
    core, models = Sequencer(plant), ReadModels()
    assert models.due(100.0) is None  # nothing yet

    def observe(journal_id: int) -> None:
        event = stream[journal_id - 1]
        try:
            commands = core.handle(event)
        except SequencerError:
            commands = []
        models.observe(core, journal_id, event, commands)

    for journal_id in range(1, 31):
        observe(journal_id)
    rows = models.due(100.0)
    assert rows is not None and rows.journal_id == 30
    models.written(rows)
    observe(31)
    assert models.due(100.5) is None  # half a second later: they wait for a later batch
    assert models.due(101.0) is models.pending() is not None  # a second later: they go
    models.written(models.pending())
    observe(32)
    for key in range(WRITE_AT_ROWS):  # many vehicles changed at once (a catch-up): they go without waiting
        models._pending.vehicles[("L1", key)] = {}
    assert models.due(101.1) is not None


def assert_tables_show(store: Store, core: Sequencer) -> None:
    rows = vehicle_rows(store)
    live = live_vehicles(core)
    assert {k: rows.get(k) for k in live} == live
    totals = tuple(sum(col) for col in zip(*kpi_rows(store).values(), strict=True)) or (0,) * len(COUNTS)
    assert totals == counters(core)
    assert mark(store) == (store.last_id(), counters(core))


def test_read_models_equal_the_core_live_and_after_a_rebuild(
    database_url: str, plant: PlantConfig, stream: list[Event], jis: Callable[..., int]
) -> None:
    store = Store(database_url)
    try:
        core = run_like_the_service(store, plant, stream)
        assert_tables_show(store, core)
        rows, kpis = vehicle_rows(store), kpi_rows(store)
        assert len(rows) > len(live_vehicles(core)), "shipped vehicles stay in vehicle_status"
        assert {r[2] for r in rows.values()} >= {"completed"} and sum(k[1] for k in kpis.values()) > 0
        rebuilt = rebuild(store, plant)
        assert rebuilt.fingerprint() == core.fingerprint()
        assert vehicle_rows(store) == rows and kpi_rows(store) == kpis, "derivable: the same tables again"
        assert jis("migrate", "--database", database_url, "read-models") == 0  # the same, by hand
        assert vehicle_rows(store) == rows and kpi_rows(store) == kpis
    finally:
        store.close()


def test_a_start_after_a_kill_catches_up_and_an_old_journal_is_filled(
    database_url: str, plant: PlantConfig, stream: list[Event]
) -> None:
    store = Store(database_url)
    try:
        run_like_the_service(store, plant, stream, stop_cleanly=False)  # the last batch's rows died with it
        assert differences(store, plant) == [], "behind, but exactly the state after their mark"
        state = rebuild_core(store, plant)
        assert mark(store)[0] < state.last_id  # type: ignore[index]
        assert ReadModels().resume(store, plant, state.core, state.last_id) == "caught up"
        assert_tables_show(store, state.core)
        assert differences(store, plant) == [], "caught up event by event, as a rebuild writes them"
        assert ReadModels().resume(store, plant, state.core, state.last_id) == "current"
        with store.engine.begin() as conn:  # as if written before the read models existed
            conn.exec_driver_sql("DELETE FROM read_model_mark")
            conn.exec_driver_sql("DELETE FROM vehicle_status")
        assert ReadModels().resume(store, plant, state.core, state.last_id) == "rebuilt"
        assert_tables_show(store, state.core)
    finally:
        store.close()


async def test_the_service_keeps_them_and_a_rebuild_agrees(database_url: str) -> None:
    async with fake_line(database_url) as line:
        for seq in range(1, 5):
            await line.broadcast(seq)
        async with line.operator():
            await until(
                lambda: line.service.core.state.vehicles_completed >= 4, "4 vehicles completed", within_s=WAIT_S
            )
    core = line.service.core  # stopped: its last rows were written on the way out
    store = Store(database_url)
    try:
        assert_tables_show(store, core)
        rows, kpis = vehicle_rows(store), kpi_rows(store)
        assert rebuild(store, line.plant).fingerprint() == core.fingerprint()
        assert vehicle_rows(store) == rows and kpi_rows(store) == kpis
    finally:
        store.close()


def test_rows_written_twice_are_added_once(database_url: str, plant: PlantConfig, stream: list[Event]) -> None:
    """Each write names the mark it extends: the same rows again (a stop while they commit) change nothing."""
    store = Store(database_url)
    try:
        core, models = Sequencer(plant), ReadModels()
        models.resume(store, plant, core, 0)
        ids = store.append_many([(e, None) for e in stream[:60]])
        for event, journal_id in zip(stream[:60], ids, strict=True):
            try:
                commands = core.handle(event)
            except SequencerError:
                commands = []
            models.observe(core, journal_id, event, commands)
        rows = models.pending()
        assert rows is not None
        store.write_read_models(rows)
        store.write_read_models(rows)  # again, as the old stop path did
        assert_tables_show(store, core)
        assert differences(store, plant) == []
    finally:
        store.close()


async def test_a_stop_while_a_batch_commits_leaves_the_tables_equal_to_a_rebuild(
    database_url: str, plant: PlantConfig, stream: list[Event], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service's shutdown cancels the sequencing task twice (its gather, then each task); the second cancel
    used to land while the task waited for the batch's commit, so the rows that went with it were written again
    on the way out: ``jis report`` counted the last vehicle twice."""
    monkeypatch.setattr(read_models, "WRITE_EVERY_S", 0.0)  # rows ride with every batch
    store = Store(database_url)
    writer = ThreadPoolExecutor(max_workers=1)
    sequencing = Sequencing(plant, store, writer, lambda event, commands: None)
    entered, release = threading.Event(), threading.Event()
    append = store.append_many

    def slow_append(*args, **kwargs):  # type: ignore[no-untyped-def]
        entered.set()
        release.wait(10)
        return append(*args, **kwargs)

    task = asyncio.create_task(sequencing.run())
    try:
        for event in stream[:50]:
            await sequencing.submit(event)
        monkeypatch.setattr(store, "append_many", slow_append)
        last = sequencing.enqueue(stream[50], None)
        await asyncio.to_thread(entered.wait, 10)
        task.cancel()
        await asyncio.sleep(0.05)
        task.cancel()  # the second cancel, while the commit still runs
        await asyncio.sleep(0.05)
        release.set()
        await asyncio.gather(task, return_exceptions=True)
    finally:
        release.set()
        writer.shutdown(wait=True)
    try:
        assert differences(store, plant) == [], "nothing counted twice"
        assert last.done() and not last.exception(), "the committed batch was handed to the core"
        assert mark(store) == (store.last_id(), counters(sequencing.core)), "a clean stop writes everything"
    finally:
        store.close()
