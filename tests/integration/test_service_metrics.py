"""The running service exposes Prometheus metrics on 127.0.0.1, fed by the line it is running (in-memory devices:
``tests/fake_line.py``; the scrape is real HTTP, parsed by prometheus_client's own text parser)."""

from __future__ import annotations

import asyncio
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from tests.devices import until
from tests.fake_line import WAIT_S, fake_line


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of one scrape: (name, sorted labels) -> value."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
        text = reply.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


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
            after = await asyncio.to_thread(scrape, port)
    assert before[("jis_vehicles_completed_total", ())] == 0
    assert after[("jis_vehicles_completed_total", ())] >= 2
    assert after[("jis_broadcasts_total", (("feed", "L1"),))] == 2
    assert after[("jis_device_up", (("device", "zebra-1"),))] == 1
    assert after[("jis_light_latency_seconds_count", ())] + after[("jis_light_queued_seconds_count", ())] >= 4
    assert after[("process_resident_memory_bytes", ())] > 0


async def test_a_printer_in_paper_out_is_not_up(database_url: str) -> None:
    """The fake printer reports paper out: the next scrapes show it faulted with its reason, then up again."""
    async with fake_line(database_url, metrics=True) as line:
        port = line.plant.service.metrics_port
        assert port is not None
        printer = line.printers["zebra-1"]
        state = lambda s, now: s.get(("jis_device_state", (("device", "zebra-1"), ("state", now))))  # noqa: E731
        assert state(await asyncio.to_thread(scrape, port), "up") == 1
        printer.set_faults("paper out")
        await until(lambda: "zebra-1" in line.service.core.state.printer_faults, "paper out reached the core")
        faulted = await asyncio.to_thread(scrape, port)
        assert (state(faulted, "up"), state(faulted, "faulted"), state(faulted, "down")) == (0, 1, 0)
        assert faulted[("jis_device_up", (("device", "zebra-1"),))] == 0
        reason = (("device", "zebra-1"), ("reason", "paper out"), ("state", "faulted"))
        assert faulted[("jis_device_fault_info", reason)] == 1
        printer.set_faults()
        await until(lambda: "zebra-1" not in line.service.core.state.printer_faults, "the paper back")
        well = await asyncio.to_thread(scrape, port)
        assert state(well, "up") == 1
        assert not any(name == "jis_device_fault_info" and ("device", "zebra-1") in labels for name, labels in well)


async def test_the_loop_lag_probe_runs_only_with_the_metrics_endpoint(database_url: str) -> None:
    """Only ``/metrics`` shows the event loop's lag: without the endpoint no probe wakes the loop; with it the probe
    samples the lag and a scrape shows its figures."""
    running = lambda: {t.get_name() for t in asyncio.all_tasks()}  # noqa: E731
    async with fake_line(database_url) as line:
        assert "loop-lag" not in running()
        assert line.service.latency.loop_lag.count == 0
    async with fake_line(database_url, metrics=True) as line:
        port = line.plant.service.metrics_port
        assert port is not None
        assert "loop-lag" in running()
        await until(lambda: line.service.latency.loop_lag.count > 0, "the probe's first wake-up", within_s=WAIT_S)
        scraped = await asyncio.to_thread(scrape, port)
    assert scraped[("jis_loop_lag_seconds_count", ())] >= 1
