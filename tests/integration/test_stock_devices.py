"""Bin stock out to the devices: a low bin's light yellow on the PTL simulator between its picks (Modbus on
127.0.0.1), and the replenishment call to a webhook on a local HTTP server, retried with back-off and bounded
(app.service.device_side, app.service.replenish; docs/stock.md)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

import pytest

from app.service.device_side import DeviceSide
from app.service.replenish import Replenisher
from hardware_sims.clock import ManualClock
from hardware_sims.ptl_gateway import PtlGatewaySim
from plc_io.modbus.ptl import ModbusPickToLight
from plc_io.ports import Colour
from sequencer.commands import CallReplenishment, ClearBin, LightBin, ShowBinStock
from sequencer.plant import StockConfig
from tests.devices import Reports, stop, until

PTL = "ptl-seat"


# -- the light ----------------------------------------------------------------------------------------------------
async def test_a_low_bin_is_yellow_on_the_ptl_between_its_picks() -> None:
    sim = PtlGatewaySim((1, 2), clock=ManualClock(), watchdog_s=60.0)
    await sim.start()
    driver = ModbusPickToLight(PTL, sim.host, sim.port, (1, 2), timeout_s=0.5, poll_interval_s=0.01)
    task = asyncio.create_task(driver.run(Reports(PTL)))
    try:
        devices = DeviceSide({PTL: driver}, {}, cast(Any, None), clock=lambda: 0.0, sequencing=cast(Any, None),
                             latency=cast(Any, None))  # fmt: skip
        low = ShowBinStock(station="ST-SEAT", bin="SEAT-01", light=1, device=PTL, low=True)
        devices.show_stock(low)
        await until(lambda: sim.lit(1).colour is Colour.YELLOW and not sim.lit(1).flash, "low bin yellow")
        assert sim.lit(2).colour is Colour.OFF
        pick = LightBin(station="ST-SEAT", bin="SEAT-01", light=1, device=PTL, pick_id=7, display=1, feed="L1", seq=3)
        devices.show_light(pick)  # a pick from the low bin: green first
        await until(lambda: sim.lit(1).colour is Colour.GREEN and sim.lit(1).token == 7, "pick green")
        devices.clear_light(ClearBin(station="ST-SEAT", bin="SEAT-01", light=1, device=PTL))
        await until(lambda: sim.lit(1).colour is Colour.YELLOW, "yellow again after the pick")
        devices.show_stock(ShowBinStock(station="ST-SEAT", bin="SEAT-01", light=1, device=PTL, low=False))
        await until(lambda: sim.lit(1).colour is Colour.OFF, "dark once refilled")
    finally:
        await stop(task)
        await sim.stop()


# -- the webhook ----------------------------------------------------------------------------------------------------
class Hook:
    """A local webhook that answers 500 to its first ``failures`` POSTs, then 204; keeps every body."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.bodies: list[dict[str, Any]] = []
        self.tries = 0
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers["Content-Length"]))
                hook.tries += 1
                if hook.tries <= hook.failures:
                    self.send_response(500)
                else:
                    hook.bodies.append(json.loads(data))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/replenish?token=secret"
        self.thread = threading.Thread(target=self.server.serve_forever, name="hook", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook(request: pytest.FixtureRequest) -> Iterator[Hook]:
    h = Hook(getattr(request, "param", 0))
    yield h
    h.close()


CALL = CallReplenishment(
    station="ST-SEAT", bin="SEAT-01", part="SEAT-CLOTH-BLK", stock=3, capacity=10, wanted=7, at=1_750_000_000.0
)


async def deliver(replenisher: Replenisher) -> None:
    task = asyncio.create_task(replenisher.run())
    try:
        replenisher.call(CALL)
        async with asyncio.timeout(20):
            await replenisher.drain()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.parametrize("hook", [2], indirect=True)
async def test_a_replenishment_call_is_posted_and_retried_with_back_off(hook: Hook) -> None:
    rules = StockConfig(webhooks=(hook.url,), attempts=4, backoff_s=0.01)
    replenisher = Replenisher(rules, source="SC01")
    await deliver(replenisher)
    assert hook.tries == 3  # two failures, then delivered
    assert hook.bodies == [
        {
            "source": "SC01",
            "kind": "replenishment",
            "station": "ST-SEAT",
            "bin": "SEAT-01",
            "part": "SEAT-CLOTH-BLK",
            "stock": 3,
            "capacity": 10,
            "wanted": 7,
            "called_at": "2025-06-15T15:06:40+00:00",
        }
    ]
    target = f"http://127.0.0.1:{hook.server.server_address[1]}"  # the token never shows
    assert replenisher.sent == {target: 1} and replenisher.retried == {target: 2} and not replenisher.failed


@pytest.mark.parametrize("hook", [100], indirect=True)
async def test_a_call_that_keeps_failing_is_given_up_after_its_attempts(hook: Hook) -> None:
    replenisher = Replenisher(StockConfig(webhooks=(hook.url,), attempts=3, backoff_s=0.01))
    await deliver(replenisher)
    assert hook.tries == 3 and hook.bodies == []
    assert sum(replenisher.failed.values()) == 1 and not replenisher.sent
    names = {m.name for m in replenisher.metrics()}
    assert "jis_replenish_calls_failed" in names or "jis_replenish_calls_failed_total" in names


async def test_a_full_queue_drops_its_oldest_call_counted() -> None:
    rules = StockConfig(webhooks=("http://127.0.0.1:9/a", "http://127.0.0.1:9/b"), queue_size=1)
    replenisher = Replenisher(rules)
    assert replenisher.call(CALL) == 2  # two URLs, room for one: the older delivery goes
    assert replenisher.dropped == 1
    queued = {m.name: m for m in replenisher.metrics()}["jis_replenish_calls_queued"]
    assert [s.value for s in queued.samples] == [1.0]
