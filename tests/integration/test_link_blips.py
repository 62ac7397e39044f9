"""A link blip of a simulated device raises no P1 alarm; an outage longer than the on-delay still does (issue 14,
ISA-18.2 alarm on-delay).

The real service against the simulated plant on 127.0.0.1, the plant clock at real speed (so 50 ms of the PTL
gateway away is 50 ms of plant time, well under ``device_offline``'s 3 s on-delay). The gateway's ``down`` switch
(docs/sim-control.md: it stops listening and drops its connections) is flipped on the simulators' control channel,
as the engineer's view does. The driver notices (a poll fails) and reconnects after its first back-off; the core
sees the link down and up again, counts a ``link_blip`` and raises nothing, also after the on-delay and the next
ticks have passed. Every wait is a poll with a deadline.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import zmq
import zmq.asyncio

from app.config import load_plant, with_free_ports
from app.service.runtime import Service, scaled_clock
from hardware_sims.control import SimControl
from hardware_sims.plant import SimulatedPlant
from sequencer.deviations import KINDS
from sequencer.events import DeviceLinkChanged

GATEWAY = "ptl-seat"
BLIP_S = 0.05
DEADLINE_S = 15.0
PARKED_TAKT_S = 86_400.0  # no vehicle comes by itself during the test


@dataclass
class Line:
    service: Service
    control: zmq.asyncio.Socket

    async def switch(self, on: bool) -> None:
        request = {"op": "fault", "device": GATEWAY, "name": "down", "on": on}
        await self.control.send(json.dumps(request).encode())
        async with asyncio.timeout(DEADLINE_S):
            answer: dict[str, Any] = json.loads(await self.control.recv())
        assert answer["ok"], answer

    def link_reports(self) -> list[bool]:
        """The gateway's link as the journal holds it, oldest first (True: up)."""
        journal = self.service.store.journal()
        return [e.up for _, e in journal if isinstance(e, DeviceLinkChanged) and e.device == GATEWAY]

    def raised(self, kind: str) -> int:
        return self.service.core.state.deviations.counts[kind]


async def until(predicate: Callable[[], bool], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_S
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@pytest.fixture
async def line(database_url: str) -> AsyncIterator[Line]:
    plant = with_free_ports(load_plant(), database=database_url)
    sim = SimulatedPlant(plant, speed=1.0)
    await sim.start()
    control = SimControl(sim, "tcp://127.0.0.1:0")
    endpoint = await control.start()
    sock = zmq.asyncio.Context.instance().socket(zmq.REQ)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)
    service = Service(plant, clock=scaled_clock(1.0))
    task = asyncio.create_task(service.run())
    try:
        await asyncio.wait_for(service.ready.wait(), 30)
        await sock.send(json.dumps({"op": "feed", "feed": "L1", "takt_s": PARKED_TAKT_S}).encode())
        assert json.loads(await asyncio.wait_for(sock.recv(), DEADLINE_S))["ok"]
        ln = Line(service, sock)
        await until(lambda: ln.link_reports()[-1:] == [True], "the service's driver connected to the gateway")
        yield ln
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        sock.close(linger=0)
        await control.stop()
        await sim.stop()


async def test_a_50_ms_link_blip_is_counted_and_raises_no_p1_and_a_longer_outage_does(line: Line) -> None:
    on_delay = KINDS["device_offline"].timing.on_delay_s  # type: ignore[union-attr]
    reports = len(line.link_reports())
    await line.switch(True)
    await asyncio.sleep(BLIP_S)
    await line.switch(False)
    await until(lambda: line.link_reports()[reports:][-2:] == [False, True], "the driver saw the link drop and return")
    await asyncio.sleep(on_delay + 1.5)  # past the on-delay and the tick after it
    deviations = line.service.core.state.deviations
    assert line.raised("device_offline") == 0 and line.raised("link_blip") >= 1
    assert [d.kind for d in deviations.by_id.values() if d.priority == 1] == []

    await line.switch(True)  # an outage: the alarm comes once the on-delay has passed
    try:
        await until(lambda: line.raised("device_offline") == 1, "device_offline for an outage past its on-delay")
    finally:
        await line.switch(False)
    (alarm,) = [d for d in deviations.by_id.values() if d.kind == "device_offline"]
    assert (alarm.priority, alarm.station) == (1, GATEWAY)
