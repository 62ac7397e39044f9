"""The running service exposes Prometheus metrics on 127.0.0.1, fed by the line it is running (in-memory devices:
``tests/fake_line.py``; the scrape is real HTTP)."""

from __future__ import annotations

import asyncio
import urllib.request

from tests.devices import until
from tests.fake_line import WAIT_S, fake_line


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
        return reply.read().decode()


def value(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in metrics:\n{text[:2000]}")


async def test_metrics_follow_the_line(database_url: str) -> None:
    async with fake_line(database_url, metrics=True) as line:
        port = line.plant.service.metrics_port
        assert port is not None
        before = await asyncio.to_thread(scrape, port)  # off the loop: the service answers on it
        for seq in (1, 2):
            await line.broadcast(seq)
        async with line.operator():
            await until(
                lambda: line.service.core.state.vehicles_completed >= 2, "2 vehicles completed", within_s=WAIT_S
            )
            text = await asyncio.to_thread(scrape, port)
    assert value(before, "jis_vehicles_completed_total") == 0
    assert value(text, "jis_vehicles_completed_total") >= 2
    assert value(text, 'jis_broadcasts_total{feed="L1"}') == 2
    assert value(text, 'jis_device_up{device="zebra-1"}') == 1
    assert "# TYPE jis_vehicles_completed_total counter" in text
