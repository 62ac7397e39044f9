"""The formats benchmark runs end to end (small): files written, parsed in a fresh interpreter, figures reported.

Its figures at this size prove the benchmark works, not the goals (README, "Measured", has the 50 MB run)."""

from __future__ import annotations

import json

from app.proof import bench_formats


def test_the_formats_benchmark_parses_every_message_and_reports_its_figures() -> None:
    report = bench_formats.run(scale=0.004)
    assert set(report) == {"deljit", "x12", "vda", "goal"}
    for name in ("deljit", "x12", "vda"):
        figures = report[name]
        assert figures["messages"] == figures["expected"] > 0 and figures["problems"] == 0
        assert figures["messages_per_s"] > 0 and figures["peak_mb_above_idle"] < 200


def test_jis_bench_formats_prints_the_figures_as_json(jis, capsys, monkeypatch) -> None:
    monkeypatch.setattr(bench_formats, "run", lambda scale=1.0: {"deljit": {"messages": 3}, "scale": scale})
    assert jis("bench", "formats", "--quick", "--json") == 0
    assert json.loads(capsys.readouterr().out) == {"deljit": {"messages": 3}, "scale": 0.05}
