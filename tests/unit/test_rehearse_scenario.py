"""``jis rehearse``'s scenario file and report without running a line (docs/rehearse.md): what a scenario may say,
which switch each disruption turns, how a window is judged, and the drivers' waits paced with the plant's speed."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import load_plant
from app.proof.rehearse import paced_poll
from app.proof.rehearse_report import StationSample, VehicleRecord, report
from app.proof.rehearse_scenario import (
    Scenario,
    begin_requests,
    checked_against,
    clock_text,
    end_requests,
    refill_matches,
)
from plc_io import link

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "docs" / "scenarios" / "rehearse-shift.toml"


def scenario(text: str) -> Scenario:
    return Scenario.model_validate(tomllib.loads(text))


def test_the_shipped_scenario_reads_and_names_only_what_the_demo_plant_has() -> None:
    s = Scenario.model_validate(tomllib.loads(SHIPPED.read_text()))
    assert s.rehearsal.length_s == 8 * 3600 and len(s.disruption) == 6
    assert checked_against(s, load_plant()) == []
    kinds = {"printer_down", "ptl_lost", "line_stop", "line_speed", "broadcast_outage", "late_refill"}
    assert {d.kind for d in s.disruption} == kinds


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('[[disruption]]\nkind = "bin_refill"\nat = "09:00"\nminutes = 5', "late_refill"),
        ('[[disruption]]\nkind = "printer_down"\nat = "09:00"\nminutes = 5\nbin = "SEAT-01"', "late_refill only"),
        ('[[disruption]]\nkind = "late_refill"\nat = "09:00"\nminutes = 0', "greater than 0"),
        ('[[disruption]]\nkind = "printer_down"\nat = "09:00"\nminutes = 5\ndevise = "z"', "devise"),
        ('[[disruption]]\nkind = "printer_down"\nat = "15:00"\nminutes = 5', "after the shift's end"),
        ('[[disruption]]\nkind = "printer_down"\nat = "9h"\nminutes = 5', "HH:MM"),
        ('[[disruption]]\nkind = "line_speed"\nat = "09:00"\nminutes = 5', "needs a factor"),
        ('[[disruption]]\nkind = "ptl_lost"\nat = "09:00"\nminutes = 5\nfactor = 2', "line_speed only"),
    ],
)
def test_a_scenario_that_cannot_be_played_is_refused_naming_why(text: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        scenario(text)


def test_a_device_or_feed_the_plant_does_not_have_is_named() -> None:
    s = scenario('[[disruption]]\nkind = "printer_down"\nat = "09:00"\nminutes = 5\ndevice = "zebra-9"')
    [problem] = checked_against(s, load_plant())
    assert "zebra-9" in problem and "zebra-1" in problem


SEATS_AND_BUMPERS = "BMP-01, BMP-02, BMP-03, BMP-04, SEAT-01, SEAT-02, SEAT-03, SEAT-04"


@pytest.mark.parametrize(
    ("names", "problem"),
    [
        ('bin = "SEAT-09"', f"no bin 'SEAT-09' that keeps stock (the plant has {SEATS_AND_BUMPERS})"),
        ('station = "ST-DOOR"', "no station 'ST-DOOR' with stock kept (the plant has ST-BUMP, ST-SEAT)"),
        ('bin = "SEAT-01"\nstation = "ST-BUMP"', "bin SEAT-01 is at ST-SEAT, not ST-BUMP"),
    ],
)
def test_a_late_refill_names_only_a_bin_or_station_that_keeps_stock(names: str, problem: str) -> None:
    s = scenario(f'[[disruption]]\nkind = "late_refill"\nat = "09:00"\nminutes = 30\n{names}')
    assert checked_against(s, load_plant()) == [f"late_refill at 09:00: {problem}"]


def test_a_late_refill_in_a_plant_that_keeps_no_stock_is_refused() -> None:
    plant = load_plant()
    bare = tuple(
        st.model_copy(update={"bins": tuple(b.model_copy(update={"capacity": None, "low_stock": 0}) for b in st.bins)})
        for st in plant.stations
    )
    s = scenario('[[disruption]]\nkind = "late_refill"\nat = "09:00"\nminutes = 30')
    [problem] = checked_against(s, plant.model_copy(update={"stations": bare}))
    assert "no bin of the plant keeps stock" in problem
    assert checked_against(s, plant) == []


def test_a_late_refill_turns_no_switch_and_names_the_calls_it_makes_late() -> None:
    s = scenario('[[disruption]]\nkind = "late_refill"\nat = "07:30"\nminutes = 60\nstation = "ST-SEAT"')
    [d] = s.disruption
    assert begin_requests(d, load_plant()) == [] and end_requests(d, load_plant()) == []
    assert refill_matches(d, "SEAT-03", "ST-SEAT") and not refill_matches(d, "BMP-01", "ST-BUMP")
    [one] = scenario('[[disruption]]\nkind = "late_refill"\nat = "07:30"\nminutes = 5\nbin = "BMP-02"').disruption
    assert refill_matches(one, "BMP-02", "ST-BUMP") and not refill_matches(one, "BMP-01", "ST-BUMP")
    assert s.offset_s(d) == 90 * 60


def test_each_disruption_turns_its_switch_on_and_off_or_its_feed_knob() -> None:
    plant = load_plant()
    s = scenario(SHIPPED.read_text())
    by_kind = {d.kind: d for d in s.disruption}
    assert begin_requests(by_kind["printer_down"], plant) == [
        {"op": "fault", "device": "zebra-1", "name": "offline", "on": True}
    ]
    assert end_requests(by_kind["printer_down"], plant)[0]["on"] is False
    assert begin_requests(by_kind["ptl_lost"], plant)[0] | {"on": True} == {
        "op": "fault", "device": "ptl-seat", "name": "down", "on": True
    }  # fmt: skip
    assert begin_requests(by_kind["line_stop"], plant) == [{"op": "feed", "feed": "L1", "line": "stopped"}]
    assert end_requests(by_kind["line_stop"], plant) == [{"op": "feed", "feed": "L1", "line": "running"}]
    faster = {"op": "feed", "feed": "L1", "line": "running", "rate_per_h": 90.0}
    assert begin_requests(by_kind["line_speed"], plant) == [faster]
    assert end_requests(by_kind["line_speed"], plant) == [faster | {"rate_per_h": 60.0}]
    assert end_requests(by_kind["broadcast_outage"], plant) == []
    assert begin_requests(by_kind["broadcast_outage"], plant) == [{"op": "feed", "feed": "L1", "drop_next": 15}]
    assert s.offset_s(by_kind["printer_down"]) == 4 * 3600


def test_a_window_counts_the_vehicles_due_in_it_that_completed_late_and_the_lead_that_avoids_it() -> None:
    s = scenario(
        '[rehearsal]\nstart = "06:00"\nend = "08:00"\nlead_time_s = 600\n'
        '[[disruption]]\nkind = "printer_down"\nat = "07:00"\nminutes = 20'
    )
    plant = load_plant().model_copy(
        update={"feeds": (load_plant().feeds[0].model_copy(update={"lead_time_s": 600.0}),)}
    )
    t0 = 1_000_000.0
    vehicles = [
        VehicleRecord("L1", 1, at=t0, due_at=t0 + 600, ended_at=t0 + 100),  # before: on time, 500 s slack
        VehicleRecord("L1", 2, at=t0 + 3000, due_at=t0 + 3600, ended_at=t0 + 3700),  # 100 s late
        VehicleRecord("L1", 3, at=t0 + 3100, due_at=t0 + 3700, ended_at=t0 + 3830),  # 130 s late: 3 min more lead
        VehicleRecord("L1", 4, at=t0 + 3200, due_at=t0 + 3800, ended_at=t0 + 3790),  # on time, by 10 s
        VehicleRecord("L1", 5, at=t0 + 3300, due_at=t0 + 3900),  # never completed
    ]
    samples = [
        StationSample(at=t0 + 50, station="ST-SEAT", buffer_s=550.0, open=1),
        StationSample(at=t0 + 3650, station="ST-SEAT", buffer_s=-50.0, open=4),  # its pick fell due at 07:00:00
        StationSample(at=t0 + 3660, station="ST-SEAT", buffer_s=-60.0, open=3),
    ]
    out = report(s, plant, t0=t0, vehicles=vehicles, samples=samples)
    before, printer = out["disruptions"]
    assert (before["late"], before["min_slack_s"], before["vehicles_due"]) == (0, 500, 1)
    assert printer["late_vehicles"] == ["L1#2", "L1#3", "L1#5"] and printer["never_completed"] == 1
    assert printer["late_max_s"] == "never" and printer["avoid"]["lead_needed_s"] is None  # no lead finishes it
    seat = printer["stations"]["ST-SEAT"]
    assert (seat["min_buffer_s"], seat["starves_at"], seat["peak_open"]) == (-60, "07:00:00", 4)
    vehicles[-1].ended_at = t0 + 3920  # it did complete, 20 s late
    printer = report(s, plant, t0=t0, vehicles=vehicles, samples=samples)["disruptions"][1]
    assert printer["avoid"] == {"lead_needed_s": 780, "extra_lead_s": 180, "recovered_at": "07:05:20"}
    assert printer["min_slack_s"] == -130 and out["unseen"] == 1


def test_a_broadcast_outage_shows_as_a_silence_and_a_burst_of_caught_up_vehicles() -> None:
    s = scenario('[[disruption]]\nkind = "broadcast_outage"\nat = "06:30"\nminutes = 5')
    t0 = 0.0
    arrivals = [0, 60, 120, 180, 540, 541, 542, 543, 544, 600]  # silence after 180: 5 vehicles caught up at once
    vehicles = [VehicleRecord("L1", i, at=a, due_at=a + 7200, ended_at=a + 30) for i, a in enumerate(arrivals)]
    out = report(s, load_plant(), t0=t0, vehicles=vehicles, samples=[])
    cu = out["disruptions"][-1]["catch_up"]
    assert cu["longest_silence_s"] == 360 and cu["caught_up"] == 5 and cu["lead_lost_max_s"] == 300
    assert cu["late_if_line_ran"] == 0
    assert clock_text(6 * 3600 + 59.6) == "06:01:00"


def test_the_drivers_waits_are_paced_with_the_plants_speed_and_real_on_a_real_line() -> None:
    assert link.paced(2.0) == 2.0
    try:
        link.pace(600.0)
        assert link.paced(6.0) == pytest.approx(0.01)
        assert link.paced(0.05) == link.PACED_FLOOR_S  # never a busy loop
        assert link.paced(0.001) == 0.001  # a wait already shorter than the floor is kept
    finally:
        link.pace(1.0)
    assert link.paced(2.0) == 2.0
    assert paced_poll(0.02, 600.0) == link.PACED_FLOOR_S and paced_poll(0.02, 2.0) == 0.01
    with pytest.raises(ValueError, match="positive"):
        link.pace(0.0)
