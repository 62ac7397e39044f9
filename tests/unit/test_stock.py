"""Bin stock in the core: counted, drawn per pick, called for when low, and the starvation alarm before it runs out
(sequencer.rules.stock; docs/stock.md)."""

from __future__ import annotations

import pytest

from sequencer.commands import AuditRecord, CallReplenishment, ShowBinStock
from sequencer.core import Sequencer, SequencerError
from sequencer.events import SetBinStock, StockSet, Tick
from sequencer.plant import PlantConfig
from sequencer.testing import (
    SEATS,
    broadcast,
    by_hand,
    fed,
    kinds,
    of,
    open_deviations,
    press_lit,
    station_view,
    with_stock,
    without_stock,
)
from tests.plants import demo_plant


def stocked(capacity: int = 10, low: int = 3, initial: int | None = None, alarm_s: float = 900) -> PlantConfig:
    """The demo plant with every seat bin kept at ``capacity`` (no stock kept at the bumper station)."""
    return with_stock(demo_plant(), capacity=capacity, low=low, initial=initial, alarm_s=alarm_s)


def stock_of(core: Sequencer, bin_id: str) -> int | None:
    return next(b.stock for b in station_view(core).bins if b.id == bin_id)


def test_a_pick_takes_its_quantity_from_the_bin() -> None:
    core = fed(stocked(), broadcast(1))
    press_lit(core)
    assert stock_of(core, "SEAT-01") == 9
    assert stock_of(core, "SEAT-02") == 10


def test_a_bin_at_its_low_stock_raises_one_alarm_calls_once_and_shows_yellow() -> None:
    core = fed(stocked(capacity=10, low=3, initial=5), *(broadcast(n, at=n) for n in range(1, 5)))
    press_lit(core, at=10)
    commands = press_lit(core, at=11)  # 5 -> 4 -> 3: low
    assert kinds(commands, "low_stock") == ["low_stock"]
    [call] = of(CallReplenishment, commands)
    assert (call.bin, call.stock, call.capacity, call.wanted, call.part) == ("SEAT-01", 3, 10, 7, "SEAT-CLOTH-BLK")
    assert [(s.bin, s.light, s.low) for s in of(ShowBinStock, commands)] == [("SEAT-01", 1, True)]
    again = press_lit(core, at=12)  # still low: no second alarm, no second call
    assert kinds(again, "low_stock") == [] and of(CallReplenishment, again) == []
    assert [(s.bin, s.low) for s in core.low_bins()] == [("SEAT-01", True)]
    assert len(open_deviations(core, "low_stock")) == 1


def test_a_replenishment_scan_clears_the_low_alarm_and_the_light() -> None:
    core = fed(stocked(capacity=10, low=3, initial=3), broadcast(1))
    press_lit(core, at=2)
    assert len(open_deviations(core, "low_stock")) == 1
    commands = core.handle(StockSet(at=5, bin="SEAT-01", qty=10, source="replenisher"))
    assert [(s.bin, s.low) for s in of(ShowBinStock, commands)] == [("SEAT-01", False)]
    assert [d.active for d in open_deviations(core, "low_stock")] == [False]  # returned, listed until acknowledged
    assert stock_of(core, "SEAT-01") == 10


def test_a_lead_sets_a_bins_stock_by_hand_audited() -> None:
    core = fed(stocked())
    commands = core.handle(by_hand(SetBinStock, bin="SEAT-02", qty=4, reason="counted at shift start"))
    [audit] = of(AuditRecord, commands)
    assert (audit.action, audit.target, audit.user) == ("SetBinStock", "bin SEAT-02 10 -> 4", "lead1")
    assert stock_of(core, "SEAT-02") == 4


@pytest.mark.parametrize(
    ("event", "why"),
    [
        (StockSet(at=1, bin="SEAT-01", qty=11, source="scan"), "holds 0 to 10"),
        (StockSet(at=1, bin="SEAT-01", qty=-1, source="scan"), "holds 0 to 10"),
        (StockSet(at=1, bin="BMP-01", qty=1, source="scan"), "no stock is kept"),
        (StockSet(at=1, bin="NOPE", qty=1, source="scan"), "no stock is kept"),
        (StockSet(at=1, bin="SEAT-01", qty=1, source=" "), "needs its source"),
    ],
)
def test_a_count_that_cannot_be_is_refused_and_changes_nothing(event: StockSet, why: str) -> None:
    core = fed(stocked())
    before = core.fingerprint()
    with pytest.raises(SequencerError, match=why):
        core.handle(event)
    assert core.fingerprint() == before


def test_stock_never_goes_below_zero_and_a_pick_is_never_refused_for_it() -> None:
    core = fed(stocked(capacity=10, low=0, initial=0), broadcast(1))
    commands = press_lit(core)
    assert kinds(commands, "wrong_pick") == []
    assert stock_of(core, "SEAT-01") == 0


def test_the_starvation_alarm_fires_before_the_bin_runs_out() -> None:
    """Takt 60 s, alarm 300 s ahead: with four cloth seats open and three in the bin, the fourth finds it empty three
    takts (180 s) from now: the alarm is raised while the bin still holds three."""
    core = fed(stocked(capacity=10, low=0, initial=3, alarm_s=300))
    commands = []
    for n in range(1, 5):
        commands += core.handle(broadcast(n, at=n))
    assert kinds(commands, "starvation") == ["starvation"]
    view = station_view(core)
    assert view.starves_bin == "SEAT-01"
    assert view.starves_at == pytest.approx(4 + 3 * 60)
    assert stock_of(core, "SEAT-01") == 3
    [dev] = open_deviations(core, "starvation")
    assert dev.station == SEATS and "SEAT-01" in dev.message
    core.handle(StockSet(at=10, bin="SEAT-01", qty=10, source="replenisher"))
    assert [d.active for d in open_deviations(core, "starvation")] == [False]
    assert not station_view(core).starving


def test_a_forecast_on_the_threshold_keeps_one_starvation_alarm_until_it_moves_past_the_deadband() -> None:
    """Alarm 600 s ahead, takt 60 s, one cloth seat a vehicle: counts of 11, 10, 11 put the forecast at 660, 600 and
    660 s, on the threshold: the one alarm stays (without the deadband each crossing cleared it and raised a new
    one); a count of 13 (780 s, beyond 600 s + 20 %) returns it to normal."""
    core = fed(stocked(capacity=40, low=0, initial=10, alarm_s=600), broadcast(1))
    press_lit(core, at=5)  # 9 left, 1 drawn a vehicle: starves 9 takts (540 s) from now
    [raised] = open_deviations(core, "starvation")
    for at, qty in ((10, 11), (11, 10), (12, 11)):
        commands = core.handle(StockSet(at=at, bin="SEAT-01", qty=qty, source="count"))
        assert kinds(commands, "starvation") == []
        assert [(d.id, d.active) for d in open_deviations(core, "starvation")] == [(raised.id, True)]
    assert station_view(core).starves_at == pytest.approx(12 + 11 * 60)
    core.handle(StockSet(at=13, bin="SEAT-01", qty=13, source="count"))
    assert [(d.id, d.active) for d in open_deviations(core, "starvation")] == [(raised.id, False)]


def test_the_forecast_runs_past_the_open_vehicles_on_the_draw_so_far() -> None:
    core = fed(stocked(capacity=10, low=0, initial=6), broadcast(1))
    press_lit(core, at=5)  # one vehicle picked, one cloth seat drawn: 1 per vehicle; 5 left
    assert station_view(core).starves_at == pytest.approx(5 + 5 * 60)


def test_a_cancel_after_the_pick_returns_the_part_to_its_bin() -> None:
    from sequencer.events import CancelVehicle

    core = fed(stocked(), broadcast(1))
    press_lit(core)
    core.handle(by_hand(CancelVehicle, at=3, feed="L1", seq=1))
    assert stock_of(core, "SEAT-01") == 10


def test_stock_replays_to_the_same_fingerprint() -> None:
    events = [
        broadcast(1, at=1),
        broadcast(2, at=2, options=("S3", "P040")),
        StockSet(at=3, bin="SEAT-04", qty=2, source="scan"),
        by_hand(SetBinStock, at=4, bin="SEAT-01", qty=7),
    ]
    a, b = fed(stocked(), *events), fed(stocked(), *events)
    assert a.fingerprint() == b.fingerprint()
    assert a.fingerprint() != fed(stocked(), *events[:-1]).fingerprint()


def test_a_plant_without_capacities_keeps_no_stock() -> None:
    core = fed(without_stock(demo_plant()), broadcast(1))
    press_lit(core)
    assert all(b.stock is None for b in station_view(core).bins)
    assert station_view(core).starves_at is None


def test_a_bin_low_from_the_start_is_called_for_at_the_first_tick() -> None:
    core = Sequencer(stocked(capacity=10, low=3, initial=2))
    commands = core.handle(Tick(at=1))
    assert sorted(c.bin for c in of(CallReplenishment, commands)) == ["SEAT-01", "SEAT-02", "SEAT-03", "SEAT-04"]
    assert len(open_deviations(core, "low_stock")) == 4
    assert core.handle(Tick(at=2)) == []  # once
