"""A late bin refill in ``jis rehearse`` without running a line (docs/rehearse.md): the picks a bin could not cover,
how long its station stood, the alarm's lead, and the reorder point or bin size that would have kept it above zero."""

from __future__ import annotations

import tomllib
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from app.config import load_plant
from app.proof.rehearse_refill import BinTrace, LateCall, refill_avoid, refill_report
from app.proof.rehearse_report import VehicleRecord, report, table
from app.proof.rehearse_scenario import Scenario

T0 = 1_000_000.0
BASE = T0 - 3600  # the rehearsal's first broadcast: 06:00, an hour before T0
START = 6 * 3600


def trace() -> BinTrace:
    """SEAT-01 of a plant that keeps 6 in it and calls for it at 2 left, seen first with 4 left at 07:00."""
    return BinTrace("SEAT-01", "ST-SEAT", capacity=6, low_stock=2, qty=4, drawn=2)


def test_a_late_refill_reports_the_bin_empty_the_station_standing_and_the_vehicles_late() -> None:
    b = trace()
    b.look(T0 + 60, 3, 3, [("L1#3", T0 + 300, 1)], alarmed=False)
    b.look(T0 + 120, 2, 4, [("L1#4", T0 + 360, 1)], alarmed=False)  # low: the call goes out with this pick
    b.look(T0 + 150, 2, 4, [], alarmed=True)  # the station's starvation alarm, for this bin
    b.look(T0 + 180, 1, 5, [("L1#5", T0 + 420, 1)], alarmed=True)
    b.look(T0 + 200, 0, 6, [("L1#6", T0 + 480, 1)], alarmed=True)
    b.look(T0 + 220, 1, 6, [], alarmed=True)  # a part put back (its vehicle withdrawn after the pick): no refill
    b.look(T0 + 240, 0, 6, [], alarmed=True)  # taken again by hand (a count): still no refill
    b.look(T0 + 300, 0, 7, [("L1#7", T0 + 540, 1)], alarmed=True)  # a pick it could not make: the station stands
    b.look(T0 + 360, 0, 8, [("L1#8", T0 + 900, 1)], alarmed=True)  # due after the refill: not late
    b.look(T0 + 600, 6, 9, [("L1#9", T0 + 960, 1)], alarmed=False)  # refilled; this pick is taken as before it
    assert [s.vehicle for s in b.shorts] == ["L1#7", "L1#8", "L1#9"]
    out = refill_report(
        [LateCall(0, "SEAT-01", T0 + 130, 300.0)], {"SEAT-01": b}, base=BASE, start=START, last_at=T0 + 700
    )
    [row] = out["bins"]
    assert (row["called_at"], row["refilled_at"], row["ran_empty_at"]) == ("07:02:00", "07:10:00", "07:05:00")
    assert (row["starved_s"], row["picks_short"], row["min_stock"]) == (300, 3, 0)
    assert (row["alarm_at"], row["alarm_lead_s"], row["wait_s"]) == ("07:02:30", 150, 480)
    assert out["late_vehicles"] == ["L1#7"] and out["late"] == 1  # L1#8 and L1#9 were due after the refill
    assert out["ran_empty"] == ["SEAT-01"] and out["stations_starved_s"] == {"ST-SEAT": 300}
    # 5 parts asked of it in the 480 s wait (37.5 an hour, more than the 4 of the hour before): called at 6, it keeps 1
    assert row["draw_per_h"] == 37.5
    assert row["avoid"] == {"low_stock": 2, "capacity": 6, "low_stock_needed": 6, "capacity_needed": 10}


def test_a_late_refill_the_bin_outlasted_starves_nothing_and_a_refill_never_made_starves_to_the_end() -> None:
    b = trace()
    b.look(T0 + 120, 2, 4, [("L1#4", T0 + 360, 1)], alarmed=False)
    b.look(T0 + 300, 6, 4, [], alarmed=False)
    out = refill_report(
        [LateCall(0, "SEAT-01", T0 + 130, 60.0)], {"SEAT-01": b}, base=BASE, start=START, last_at=T0 + 400
    )
    assert out["ran_empty"] == [] and out["stations_starved_s"] == {} and out["bins"][0]["min_stock"] == 2
    assert out["bins"][0]["alarm_lead_s"] is None and out["late"] == 0
    c = trace()
    c.look(T0 + 120, 0, 6, [("L1#4", T0 + 200, 1), ("L1#5", T0 + 210, 1)], alarmed=False)
    c.look(T0 + 180, 0, 7, [("L1#6", T0 + 240, 1)], alarmed=False)
    out = refill_report(
        [LateCall(0, "SEAT-01", T0 + 130, 60.0)], {"SEAT-01": c}, base=BASE, start=START, last_at=T0 + 400
    )
    assert out["bins"][0]["refilled_at"] is None and out["bins"][0]["starved_s"] == 400 - 180
    assert out["late_vehicles"] == ["L1#6"] and out["bins"][0]["alarm_at"] is None
    assert refill_report([], {}, base=BASE, start=START, last_at=T0)["bins"] == []


@given(
    capacity=st.integers(1, 200),
    low=st.integers(0, 200),
    per_h=st.integers(1, 600),
    wait_s=st.integers(1, 6 * 3600),
    phase=st.integers(0, 999),
)
def test_the_reorder_point_needed_keeps_a_steady_draw_above_zero_and_is_the_least_that_does(
    capacity: int, low: int, per_h: int, wait_s: int, phase: int
) -> None:
    low = min(low, capacity)
    fix = refill_avoid(capacity, low, float(per_h), float(wait_s))
    needed = fix["low_stock_needed"]

    def picks_before_refill(offset: Fraction) -> int:
        """Parts a steady draw takes in the wait: one each 3600 / per_h s, the first ``offset`` of that after it."""
        return sum(1 for k in range(per_h * 6 + 1) if (k + offset) * Fraction(3600, per_h) < wait_s)

    assert needed - picks_before_refill(Fraction(phase, 1000)) >= 1  # called at that, it never runs out
    assert needed == low or needed - picks_before_refill(Fraction(0)) == 1  # one less: a draw that runs it out
    assert fix["capacity_needed"] - needed == capacity - low  # the bin that calls as seldom as now
    longer = refill_avoid(capacity, low, float(per_h), float(wait_s + 60))
    faster = refill_avoid(capacity, low, float(per_h + 1), float(wait_s))
    assert longer["low_stock_needed"] >= needed and faster["low_stock_needed"] >= needed


def test_the_report_gives_a_late_refill_its_calls_and_counts_its_vehicles_apart() -> None:
    s = Scenario.model_validate(
        tomllib.loads(
            '[rehearsal]\nstart = "06:00"\nend = "08:00"\n'
            '[[disruption]]\nkind = "late_refill"\nat = "07:00"\nminutes = 20\nbin = "SEAT-01"\n'
            '[[disruption]]\nkind = "late_refill"\nat = "07:30"\nminutes = 20\nbin = "SEAT-02"'
        )
    )
    b = trace()
    b.look(T0 + 120, 2, 4, [("L1#4", T0 + 360, 1)], alarmed=False)
    b.look(T0 + 240, 0, 7, [("L1#5", T0 + 400, 1), ("L1#6", T0 + 420, 1), ("L1#7", T0 + 440, 1)], alarmed=False)
    b.look(T0 + 600, 6, 7, [], alarmed=False)
    vehicles = [VehicleRecord("L1", 7, at=T0, due_at=T0 + 440, ended_at=T0 + 300)]  # on time on the simulated line
    out = report(s, load_plant(), t0=BASE, vehicles=vehicles, samples=[], bins={"SEAT-01": b},
                 late_calls=[LateCall(0, "SEAT-01", T0 + 130, 1200.0)], last_at=T0 + 700)  # fmt: skip
    _, first, second = out["disruptions"]
    assert first["refill"]["late_vehicles"] == ["L1#7"] and first["late"] == 0 and out["late"] == 0
    assert second["refill"]["bins"] == [] and out["late_for_stock"] == 1  # SEAT-02 was not called for
    assert "bin SEAT-01: called 07:02:00, refilled 07:10:00" in table(out)
    assert "no bin it names was called for after it began" in table(out)
