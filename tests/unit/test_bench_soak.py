"""The service soak reports memory and what the service holds at each mark, and writes the leak-finding dumps."""

from __future__ import annotations

import json

from app.proof import bench_line


async def test_soak_reports_each_mark_and_dumps_objects_by_type(tmp_path, monkeypatch):
    prefix = tmp_path / "mem"
    monkeypatch.setenv("JIS_TRACEMALLOC", str(prefix))
    monkeypatch.setenv("JIS_TRACEMALLOC_FRAMES", "0")  # the cheap dump only: tracemalloc would slow the test
    result = await bench_line.soak(tmp_path, feeds=1, vehicles=12, first=4, marks=(8,), speed=600.0)
    assert result["vehicles_completed"] == 12
    assert list(result["rss_mb_at"]) == [4, 8, 12]
    assert all(mb > 0 for mb in result["rss_mb_at"].values())
    held = result["held_at"][12]
    assert set(held) == {"vehicles", "picks", "racks", "deviations", "received", "lit_pending"}
    assert held["received"] == 0  # every vehicle completed: no receive time left behind
    types = json.loads((tmp_path / "mem.12.types").read_text())
    assert types["Service"] == 1
