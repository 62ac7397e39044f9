"""The running service exposes Prometheus metrics on 127.0.0.1, fed by the line it is running."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

from tests.live import LiveLine


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
        return reply.read().decode()


def value(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in metrics:\n{text[:2000]}")


def test_metrics_follow_the_line(tmp_path: Path) -> None:
    with LiveLine(tmp_path, speed=50, metrics=True) as line:
        port = line.plant.service.metrics_port
        assert port is not None
        deadline = time.monotonic() + 60
        text = scrape(port)
        while value(text, "jis_vehicles_completed_total") < 2:
            assert time.monotonic() < deadline, text[:2000]
            time.sleep(0.5)
            text = scrape(port)
        assert "# TYPE jis_vehicles_completed_total counter" in text
