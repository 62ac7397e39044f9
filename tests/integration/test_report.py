"""``jis report`` (``shift_report``): the shift report read from the read models, on the run's database (SQLite, or
PostgreSQL in the second pass).

The read models are written as the service writes them (``run_like_the_service`` of ``test_read_models``: the
recorded ``app.proof.bench_core`` stream journaled in batches, the rows riding along); the report over everything must
then say what the core that saw the stream says. The pure part (``shift_report``) is checked with Hypothesis.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.persist.read_models import COUNTS, counters, kpi_rows, mark
from app.persist.shift_report import (
    NO_RATE,
    ReportError,
    Window,
    as_text,
    on_time_pct,
    read_report,
    shift_report,
    shift_window,
)
from app.persist.store import Store
from app.proof.bench_core import record_stream
from sequencer.calendar import LineCalendar
from sequencer.events import Event
from sequencer.plant import CalendarConfig, PlantConfig
from tests.integration.test_read_models import run_like_the_service
from tests.plants import demo_plant

VEHICLES = 80
EVERYTHING = ["--from", "2000-01-01T00:00", "--to", "2100-01-01T00:00"]
NOTHING = ["--from", "2001-01-01T00:00", "--to", "2001-01-02T00:00"]
ZONE = ZoneInfo("Europe/Berlin")  # the demo plant's
PLANT = demo_plant()


@pytest.fixture(scope="module")
def plant() -> PlantConfig:
    return demo_plant()


@pytest.fixture(scope="module")
def stream(plant: PlantConfig) -> list[Event]:
    return record_stream(plant, vehicles=VEHICLES, seed=4)[0]


Report = Callable[..., tuple[int, str, str]]


@pytest.fixture
def report(capsys: pytest.CaptureFixture[str], jis: Callable[..., int]) -> Report:
    """``jis report --database URL OPTION...``: (exit code, stdout, stderr)."""

    def run(url: str, *options: str) -> tuple[int, str, str]:
        capsys.readouterr()  # what came before (jis migrate prints too)
        code = jis("report", "--database", url, *options)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_the_report_says_what_the_core_says(
    database_url: str, plant: PlantConfig, stream: list[Event], report: Report
) -> None:
    store = Store(database_url)
    try:
        core = run_like_the_service(store, plant, stream)
        kpis, marked = kpi_rows(store), mark(store)
        whole = read_report(store.engine, Window("everything", 0.0, 4e9))
    finally:
        store.close()
    assert whole is not None and marked is not None and len(whole.hours) > 1
    assert whole.totals == counters(core), "totals over everything = the core's counters"
    assert tuple(map(sum, zip(*(c for _, c in whole.hours), strict=True))) == whole.totals
    assert {s: n for s, n in whole.vehicles.items() if n} == dict(core.vehicle_statuses())
    assert whole.journal_id == marked[0]

    code, out, _ = report(database_url, *EVERYTHING, "--json")
    assert code == 0
    doc = json.loads(out)
    assert [doc["totals"][c] for c in COUNTS] == list(counters(core))
    assert [h["hour_start"] for h in doc["hours"]] == sorted(kpis)
    assert doc["vehicles"] == whole.vehicles and doc["journal_id"] == marked[0]
    assert doc["hours"][0]["hour"] == datetime.fromtimestamp(min(kpis), ZONE).strftime("%Y-%m-%d %H:00")

    code, out, _ = report(database_url, *EVERYTHING)
    assert code == 0 and f"as of journal row {marked[0]}" in out
    assert sum(line[:16] in {h["hour"] for h in doc["hours"]} for line in out.splitlines()) == len(kpis)
    assert out.splitlines()[-3].split() == ["total", *_cells(doc["totals"])]

    first = min(kpis)  # one hour's window: that hour alone
    code, out, _ = report(database_url, "--from", str(first), "--to", str(first + 3600), "--json")
    assert code == 0 and [h["hour_start"] for h in json.loads(out)["hours"]] == [first]

    code, out, _ = report(database_url, *NOTHING, "--json")
    empty = json.loads(out)
    assert code == 0 and empty["hours"] == [] and [empty["totals"][c] for c in COUNTS] == [0] * len(COUNTS)
    assert empty["totals"]["on_time_pct"] is None and empty["vehicles"] == doc["vehicles"]
    code, out, _ = report(database_url, *NOTHING)
    assert code == 0 and "(no activity in this window)" in out


def _cells(totals: dict[str, int | float | None]) -> list[str]:
    pct = totals["on_time_pct"]
    rate = NO_RATE if pct is None else f"{pct:.1f}"
    return [rate if c == "vehicles_on_time" else str(totals[c]) for c in COUNTS]


def test_no_read_models_is_a_clear_error(
    database_url: str, plant: PlantConfig, stream: list[Event], report: Report, jis: Callable[..., int]
) -> None:
    store = Store(database_url)  # a journal, but the read models never written
    try:
        store.append_many([(e, None) for e in stream[:20]])
    finally:
        store.close()
    code, out, err = report(database_url, *EVERYTHING)
    assert code == 2 and out == "" and "no read models" in err and "read-models` with the service stopped" in err
    assert jis("migrate", "--database", database_url, "downgrade", "0002") == 0  # before revision 0003
    code, _, err = report(database_url, *EVERYTHING)
    assert code == 2 and "revision 0003" in err and "jis migrate" in err
    assert jis("migrate", "--database", database_url, "read-models") == 0  # what the message says to do
    code, out, _ = report(database_url, *EVERYTHING, "--json")
    assert code == 0 and json.loads(out)["journal_id"] == 20


def test_a_missing_database_or_a_bad_window_is_refused(tmp_path: Path, report: Report) -> None:
    url = f"sqlite:///{tmp_path / 'none.db'}"
    code, _, err = report(url, *EVERYTHING)
    assert code == 2 and "no database at" in err
    assert not (tmp_path / "none.db").exists(), "a report never makes a database"
    bad_windows = (
        ["--from", "2025-01-01T00:00"],
        ["--shift", "late", *EVERYTHING],
        ["--shift", "noon"],
        ["--date", "2025-13-01"],
        ["--from", "2025-01-02", "--to", "2025-01-01"],
    )
    for bad in bad_windows:
        code, _, err = report(url, *bad)
        assert code == 2 and err.startswith("jis report: "), bad


def test_shift_windows_are_the_calendar_s_in_the_plant_zone() -> None:
    """The report's shifts are the plant file's calendar's (the same the core and the cockpit use)."""
    day = date(2025, 3, 29)  # the night before summer time: seven hours
    early, night, whole = (shift_window(day, s, ZONE) for s in ("early", "night", None))
    assert early.start == datetime(2025, 3, 29, 6, tzinfo=ZONE).timestamp() and early.end - early.start == 8 * 3600
    assert night.end == datetime(2025, 3, 30, 6, tzinfo=ZONE).timestamp() and night.end - night.start == 7 * 3600
    assert (whole.start, whole.name) == (datetime(2025, 3, 29, tzinfo=ZONE).timestamp(), "day 2025-03-29")
    two = CalendarConfig.model_validate(
        {"shifts": [{"name": "a", "start": "05:30", "end": "14:00"}, {"name": "b", "start": "14:00", "end": "22:30"}]}
    )
    b = shift_window(day, "b", ZONE, LineCalendar(two, ZONE.key))
    assert (b.name, b.end - b.start) == ("b shift 2025-03-29", 8.5 * 3600)
    with pytest.raises(ReportError, match="unknown shift 'night': a, b"):
        shift_window(day, "night", ZONE, LineCalendar(two, ZONE.key))


HOURS = st.integers(min_value=0, max_value=200).map(lambda n: 1_700_000_000 // 3600 * 3600 + n * 3600)
COUNT_ROWS = st.tuples(*(st.integers(min_value=-3, max_value=500) for _ in COUNTS))


@given(
    kpis=st.dictionaries(HOURS, COUNT_ROWS, max_size=40),
    start=HOURS.map(lambda h: h - 1800) | HOURS,
    length=st.integers(min_value=1, max_value=100).map(lambda n: n * 3600) | st.integers(1, 100 * 3600),
)
def test_totals_are_the_rows_inside_the_window(kpis: dict[int, tuple[int, ...]], start: int, length: int) -> None:
    window = Window("w", float(start), float(start + length))
    made = shift_report(kpis, window, {"open": 2, "parked": 1}, 7)
    inside = sorted(hour for hour in kpis if start <= hour < start + length)
    sums = tuple(sum(col) for col in zip(*(kpis[h] for h in inside), strict=True))
    assert made.totals == (sums if inside else (0,) * len(COUNTS))
    assert [h for h, _ in made.hours] == inside
    assert made.vehicles == {"open": 2, "held": 0, "completed": 0, "cancelled": 0, "parked": 1}
    lines = as_text(made, PLANT, ZONE).splitlines()
    shown = [line.split()[4] for line in lines[4 : 4 + len(inside)]]  # hour (two words), broadcasts, completed, %
    shown.append(next(line for line in lines if line.startswith("total")).split()[3])
    for counts, cell in zip([*(c for _, c in made.hours), made.totals], shown, strict=True):
        pct = on_time_pct(counts)
        assert pct is None or 0 <= pct <= 100
        assert cell == (NO_RATE if pct is None else f"{pct:.1f}")
        completed, on_time = counts[COUNTS.index("vehicles_completed")], counts[COUNTS.index("vehicles_on_time")]
        assert (pct is None) == (completed <= 0 or not 0 <= on_time <= completed)
