"""The OEM line's progress moves due times (``sequencer.rules.line``): no late while the OEM's line stands, due times
moved by the stop when it runs again, lead times counted in line time, and a warning when the line runs faster
than picking keeps up with."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sequencer.commands import ClearDeviation
from sequencer.core import Sequencer
from sequencer.events import Event, LineStatusReported, SetLineStatus, Tick
from sequencer.plant import CalendarConfig, PlantConfig
from sequencer.testing import (
    BUMPERS,
    SEATS,
    broadcast,
    by_hand,
    fed,
    kinds,
    of,
    open_deviations,
    pick_and_print,
    with_feed,
)
from tests.plants import demo_plant

LATE = {"lead_time_s": 3600, "warn_before_due_s": 1800, "alarm_before_due_s": 600}
DUE_KINDS = ("late_warning", "late_alarm", "late")


def plant(**feed: float) -> PlantConfig:
    return with_feed(demo_plant(), **{**LATE, **feed})


def stopped(at: float) -> LineStatusReported:
    return LineStatusReported(at=at, feed="L1", state="stopped", reporting_point="R100")


def running(at: float, rate: float | None = None) -> LineStatusReported:
    return LineStatusReported(at=at, feed="L1", state="running", rate_per_h=rate)


def due_raised(core: Sequencer, *ticks: float) -> list[str]:
    """The due kinds the ticks raise, in order, once each (a vehicle's seat rack and bumper rack each raise one)."""
    return list(dict.fromkeys(k for t in ticks for k in kinds(core.handle(Tick(at=t)), *DUE_KINDS)))


def test_a_stopped_line_raises_no_late_and_its_due_times_move_by_the_stop() -> None:
    core = fed(plant(), broadcast(1, at=0), stopped(100))
    assert due_raised(core, 1800, 3000, 3600, 5000) == []  # the line stands: nothing is late
    core.handle(running(5100))
    vehicle = core.state.feeds["L1"].vehicles[0]
    assert vehicle.due_at == 5100 + (3600 - 100)  # the line time it had left at the stop, from the restart
    assert {p.due_at for p in (core.state.picks[i] for i in vehicle.picks)} == {8600}
    assert due_raised(core, 6800) == ["late_warning"] and due_raised(core, 8600) == ["late_alarm", "late"]


def test_a_lead_stops_and_restarts_the_line_by_hand() -> None:
    core = fed(plant(), broadcast(1, at=0))
    core.handle(by_hand(SetLineStatus, at=100, feed="L1", state="stopped"))
    assert due_raised(core, 3600) == []
    core.handle(by_hand(SetLineStatus, at=700, feed="L1", state="running"))
    assert core.state.feeds["L1"].vehicles[0].due_at == 4200


def test_a_broadcast_while_the_line_stands_counts_its_lead_time_from_the_restart() -> None:
    core = fed(plant(), stopped(100), broadcast(1, at=500))
    core.handle(running(1000))
    assert core.state.feeds["L1"].vehicles[0].due_at == 1000 + 3600


def test_a_due_time_passed_before_the_stop_stays_late() -> None:
    core = fed(plant(), broadcast(1, at=0))
    assert due_raised(core, 1800, 3000, 3600) == ["late_warning", "late_alarm", "late"]
    core.handle(stopped(3700))
    core.handle(running(4000))
    assert core.state.feeds["L1"].vehicles[0].due_at == 3600
    assert open_deviations(core, "late")[0].active


def test_a_completed_vehicle_keeps_its_due_time_and_its_on_time_count() -> None:
    core = fed(plant(), broadcast(1, at=0), broadcast(2, at=60))
    pick_and_print(core, SEATS, at=10)
    pick_and_print(core, BUMPERS, at=20)
    core.handle(stopped(100))
    core.handle(running(700))
    first, second = core.state.feeds["L1"].vehicles[0], core.state.feeds["L1"].vehicles[1]
    assert (first.status, first.due_at, second.due_at) == ("completed", 3600, 3660 + 600)
    assert core.state.vehicles_on_time == 1


def test_a_warning_the_move_makes_untrue_clears() -> None:
    """A break after the restart pushes the due time out past the warning's margin: the warning goes."""
    zone = ZoneInfo("Europe/Berlin")
    calendar = CalendarConfig.model_validate({"breaks": [{"start": "10:00", "end": "11:00"}]})
    base = plant().model_copy(update={"calendar": calendar})
    t0 = datetime(2026, 12, 7, 8, 0, tzinfo=zone).timestamp()
    core = fed(base, broadcast(1, at=t0))
    assert core.state.feeds["L1"].vehicles[0].due_at == t0 + 3600
    assert due_raised(core, t0 + 1800) == ["late_warning"]
    core.handle(stopped(t0 + 1900))  # 1700 s of line time left
    commands = core.handle(running(t0 + 7000))  # 09:56:40: 200 s to the break, then 1500 s after it
    assert core.state.feeds["L1"].vehicles[0].due_at == t0 + 3 * 3600 + 1500
    assert of(ClearDeviation, commands) or not open_deviations(core, "late_warning")[0].active


def test_lead_times_count_line_time_only() -> None:
    zone = ZoneInfo("Europe/Berlin")
    calendar = CalendarConfig.model_validate(
        {"breaks": [{"start": "09:00", "end": "09:30"}], "holidays": ["2026-12-25"]}
    )
    core = fed(plant().model_copy(update={"calendar": calendar}))
    t0 = datetime(2026, 12, 7, 8, 30, tzinfo=zone).timestamp()
    core.handle(broadcast(1, at=t0))
    assert core.state.feeds["L1"].vehicles[0].due_at == t0 + 3600 + 1800  # the break does not count


def test_a_line_faster_than_picking_warns_until_it_slows() -> None:
    core = fed(plant(), broadcast(1, at=0))
    assert kinds(core.handle(running(10, rate=60))) == []  # one a takt: what picking keeps up with
    assert kinds(core.handle(running(20, rate=72))) == ["line_too_fast"]
    assert kinds(core.handle(running(30, rate=80))) == []  # raised once
    core.handle(running(40, rate=58))
    assert not open_deviations(core, "line_too_fast")[0].active
    faster_picking = fed(plant(keep_up_rate_per_h=90), broadcast(1, at=0))
    assert kinds(faster_picking.handle(running(10, rate=80))) == []


def test_line_status_replays_to_the_same_state() -> None:
    events: list[Event] = [broadcast(1, at=0), stopped(100), Tick(at=3600), running(700, rate=75), broadcast(2, at=800)]
    one, two = fed(plant(), *events), fed(plant(), *events)
    assert one.fingerprint() == two.fingerprint()
    assert one.fingerprint() != fed(plant(), broadcast(1, at=0), broadcast(2, at=800)).fingerprint()


def test_a_stopped_line_is_silent_without_a_silence_alarm() -> None:
    core = fed(plant(), broadcast(1, at=0), stopped(30))
    assert kinds(core.handle(Tick(at=1000)), "silence") == []  # five takts of 60 s passed: the line stands
    core.handle(running(1200))
    assert kinds(core.handle(Tick(at=1400)), "silence") == []  # counted from the restart
    assert kinds(core.handle(Tick(at=1501)), "silence") == ["silence"]
