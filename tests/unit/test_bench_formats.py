"""The formats benchmark runs end to end (small): files written, parsed in a fresh interpreter, figures reported.

Its figures at this size prove the benchmark works, not the goals (README, "Measured", has the 50 MB run)."""

from __future__ import annotations

from app.proof import bench_formats


def test_the_formats_benchmark_parses_every_message_and_reports_its_figures(capsys):
    report = bench_formats.run(json=True, scale=0.004)
    assert set(report) == {"deljit", "x12", "vda"}
    for figures in report.values():
        assert figures["messages"] == figures["expected"] > 0 and figures["problems"] == 0
        assert figures["messages_per_s"] > 0 and figures["peak_mb_above_idle"] < 200
    assert capsys.readouterr().out.startswith("{")
