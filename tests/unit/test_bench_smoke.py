"""The benchmark commands run and report every figure they promise (no timing is asserted: machines are shared)."""

from __future__ import annotations

import math

from app import bench_core, bench_hmi
from app.bench import plant_with_feeds
from tests.plants import demo_plant


def test_core_bench_replays_equal_and_reports_a_rate():
    result = bench_core.run(demo_plant(), vehicles=200, repeats=1)
    assert result["replay_equal"] is True
    assert result["events"] > 1000
    assert result["events_per_s"] > 0


def test_hmi_frame_bench_feeds_both_screens_pictures_of_eight_feeds(qapp):
    plant = plant_with_feeds(demo_plant(), 8)
    views = bench_hmi.pictures(plant, 40)
    assert len({f.id for f in views[-1].feeds}) == 8
    result = bench_hmi.frame_times_ms(plant, 40)
    assert result["pictures"] == 20
    assert all(math.isfinite(result[role]["p99_ms"]) for role in ("operator", "lead"))
