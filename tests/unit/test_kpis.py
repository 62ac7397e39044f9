"""KPIs are a pure function of the journal: the same events give the same figures."""

from __future__ import annotations

import pytest

from sequencer.core import Sequencer
from sequencer.events import BinConfirmed, BroadcastReceived, LabelPrinted
from sequencer.kpis import kpis_from_journal, kpis_of
from sequencer.testing import lit
from tests.plants import demo_plant


def run_shift():
    plant = demo_plant()
    core = Sequencer(plant)
    journal = []

    def feed(event):
        journal.append(event)
        return core.handle(event)

    for i in range(10):
        at = 1000.0 + i * 60
        feed(BroadcastReceived(at=at, feed="L1", seq=i, vehicle_id=f"V{i}", options=("S1", "P040")))
        for station in ("ST-SEAT", "ST-BUMP"):
            pick = lit(core, station)
            if i == 3 and station == "ST-SEAT":
                feed(BinConfirmed(at=at + 5, station=station, bin="SEAT-02"))  # a wrong pick
                continue
            for cmd in feed(BinConfirmed(at=at + 10, station=station, bin=pick.bin, token=pick.pick_id)):
                if hasattr(cmd, "label"):
                    feed(LabelPrinted(at=at + 20, label_id=cmd.label.label_id))
    return plant, core, journal


def test_kpis_from_the_journal_equal_the_live_figures():
    plant, core, journal = run_shift()
    at = 1000.0 + 10 * 60
    assert kpis_from_journal(plant, journal, at) == kpis_of(core, at)


def test_kpi_figures():
    _, core, _ = run_shift()
    k = kpis_of(core, 1000.0 + 10 * 60)
    assert k.picks_per_hour == 13  # seats blocked after vehicle 3: 3 seat + 10 bumper picks
    assert k.pick_accuracy == pytest.approx(13 / 14)
    assert k.sequence_error_ppm == pytest.approx(1 / 13 * 1e6)
    assert k.takt_picks_per_hour == 120  # one feed at 60 s, two families
    assert k.broadcasts_per_hour == 10
    assert k.seconds_since_last_broadcast == 60
    assert k.on_time_rate == 1.0
    assert k.vehicles_completed == 3
    assert k.buffer_minutes == pytest.approx((1000 + 3 * 60 + 7200 - 1600) / 60)
