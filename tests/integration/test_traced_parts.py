"""The traced-parts read model (``traced_parts``; ``app.service.trace.traced``) answers as the replay of the whole
journal (``traces``, the reference) for every VIN, serial and batch, on the run's database (SQLite, or PostgreSQL
in the second pass): with the rows written, with the rows the service has not written yet, and with the read
models behind the journal after a kill (the CLI replays the tail). A start after a kill resumes it without a gap
or a double; an upgrade to revision 0005 has it rebuilt, and ``jis trace`` answers by the replay until then.

The scans are ``app.proof.bench_trace.scan_stream``'s (the demo-scan plant: seats pressed and scanned, sometimes
scanned twice, bumpers scanned, no-reads), journaled in seeded batches with the read models riding along, as the
service's sequencing task does (``tests/journaling.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, Inspector, inspect

from app.persist.read_models import ReadModels, differences, mark, trace_rows
from app.persist.store import Store
from app.proof.bench_trace import SCAN_PLANT, scan_plant, scan_stream
from app.service import trace
from app.service.replay import rebuild as rebuild_core
from app.service.trace import Trace, matching, traced, traces
from sequencer.core import Sequencer
from sequencer.plant import PlantConfig
from tests.databases import fresh_database
from tests.journaling import journal_in_batches


@pytest.fixture(scope="module")
def plant() -> PlantConfig:
    return scan_plant()


def assert_same_answers(store: Store, plant: PlantConfig, reference: list[Trace], **how: object) -> None:
    """For every VIN, serial and batch the reference names (and one it does not), the same traces in its order."""
    asked = [("vin", t.vehicle_id) for t in reference] + [("batch", t.batch) for t in reference]
    asked += [("serial", t.serial) for t in reference if t.serial] + [("batch", "B9999x"), ("serial", "none")]
    for key, value in sorted(set(asked)):
        got = traced(store, plant, **{key: value}, **how)  # type: ignore[arg-type]
        assert got == matching(reference, **{key: value}), (key, value)  # type: ignore[arg-type]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    vehicles=st.integers(2, 24),
    seed=st.integers(0, 10_000),
    rescan=st.sampled_from((0.0, 0.3, 1.0)),
    noread=st.sampled_from((0.0, 0.2)),
    batch_every=st.integers(1, 6),
)
def test_the_read_model_answers_as_the_replay_for_every_vin_serial_and_batch(
    tmp_path: Path, plant: PlantConfig, vehicles: int, seed: int, rescan: float, noread: float, batch_every: int
) -> None:
    events = scan_stream(plant, vehicles, seed, rescan=rescan, noread=noread, batch_every=batch_every)
    with fresh_database(tmp_path, f"trace-{len(list(tmp_path.iterdir()))}.db") as url:
        store = Store(url)
        try:
            core, models = Sequencer(plant), ReadModels()
            models.resume(store, plant, core, 0)
            journal_in_batches(store, core, models, events, seed)
            reference = traces(store, plant)
            assert reference and len(reference) == len({(t.feed, t.seq, t.family) for t in reference})
            assert_same_answers(store, plant, reference, unwritten=models.unwritten_traces())  # the service's
            assert_same_answers(store, plant, reference)  # killed now: the CLI replays the rows after the mark
            rows = models.pending()
            assert rows is not None
            store.write_read_models(rows)  # a clean stop
            assert mark(store) == (store.last_id(), rows.totals)
            assert_same_answers(store, plant, reference)
            assert len(trace_rows(store)) == len(reference)
        finally:
            store.close()


def test_a_start_after_a_kill_resumes_the_traced_parts_without_a_gap_or_a_double(
    database_url: str, plant: PlantConfig
) -> None:
    events = scan_stream(plant, 40, seed=3, rescan=0.3, noread=0.1)
    half = len(events) // 2
    store = Store(database_url)
    try:
        core, models = Sequencer(plant), ReadModels()
        models.resume(store, plant, core, 0)
        # killed: the rows observed since the last write are lost
        journal_in_batches(store, core, models, events[:half], seed=5)
        state = rebuild_core(store, plant)
        assert mark(store)[0] < state.last_id  # type: ignore[index]
        assert len(trace_rows(store)) < len(traces(store, plant)), "the kill lost traced parts"
        models = ReadModels()
        assert models.resume(store, plant, state.core, state.last_id) == "caught up"
        assert len(trace_rows(store)) == len(traces(store, plant))
        journal_in_batches(store, state.core, models, events[half:], seed=6)
        rows = models.pending()
        assert rows is not None
        store.write_read_models(rows)
        reference = traces(store, plant)
        stored = sorted(trace_rows(store).values())
        assert stored == sorted(_row(t) for t in reference), "each pick once, as its last scan"
        assert differences(store, plant) == []
        assert_same_answers(store, plant, reference)
    finally:
        store.close()


def test_an_upgrade_to_0005_rebuilds_the_read_models_and_trace_answers_by_the_replay_until_then(
    database_url: str, plant: PlantConfig, jis: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(database_url)
    try:
        core, models = Sequencer(plant), ReadModels()
        models.resume(store, plant, core, 0)
        journal_in_batches(store, core, models, scan_stream(plant, 12, seed=2), seed=2)
        store.write_read_models(models.pending())  # type: ignore[arg-type]
        reference = traces(store, plant)
    finally:
        store.close()
    assert jis("migrate", "--database", database_url, "downgrade", "0004") == 0  # as written before 0005
    assert jis("migrate", "--database", database_url, "upgrade") == 0
    store = Store(database_url)
    try:
        assert mark(store) is None and trace_rows(store) == {}
        capsys.readouterr()
        vin = reference[0].vehicle_id
        assert jis("trace", "--config", str(SCAN_PLANT), "--database", database_url, "--json", vin) == 0
        answer = json.loads(capsys.readouterr().out)["traces"]
        assert answer == [t.as_dict() for t in matching(reference, vin=vin)]
        state = rebuild_core(store, plant)
        assert ReadModels().resume(store, plant, state.core, state.last_id) == "rebuilt"
        assert len(trace_rows(store)) == len(reference)
        assert_same_answers(store, plant, reference)
    finally:
        store.close()


def test_the_table_is_looked_for_until_it_is_there_then_no_more(
    database_url: str, plant: PlantConfig, jis: Callable[..., int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``traced`` asks the database for ``traced_parts`` on each question while it is missing (before 0005: the
    replay answers; ``jis migrate`` may bring it meanwhile), and once it is there, no more."""
    looked: list[Engine] = []

    def counted(engine: Engine) -> Inspector:
        looked.append(engine)
        return inspect(engine)

    monkeypatch.setattr(trace, "inspect", counted)
    store = Store(database_url)
    try:
        store.append_many([(e, None) for e in scan_stream(plant, 6, seed=4)])  # the journal alone
        reference = traces(store, plant)
    finally:
        store.close()
    assert jis("migrate", "--database", database_url, "downgrade", "0004") == 0
    store = Store(database_url, migrate=False)
    try:
        vin = reference[0].vehicle_id
        for _ in range(2):
            assert traced(store, plant, vin=vin) == matching(reference, vin=vin)
        assert len(looked) == 2, "missing: asked again each time"
        assert jis("migrate", "--database", database_url, "upgrade") == 0
        state = rebuild_core(store, plant)
        assert ReadModels().resume(store, plant, state.core, state.last_id) == "rebuilt"
        for _ in range(3):
            assert traced(store, plant, vin=vin) == matching(reference, vin=vin)  # now by the read model
        assert len(looked) == 3, "there: asked once"
    finally:
        store.close()


def _row(t: Trace) -> tuple[object, ...]:
    d = t.as_dict()
    return tuple(d[f] for f in ("journal_id", "at", "vehicle_id", "feed", "seq", "family", "part", "serial", "batch",
                                "rack_no", "slot", "station", "code"))  # fmt: skip
