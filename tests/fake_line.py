"""The real service with in-memory devices (``plc_io.fakes``): for service tests where no device protocol is the point
(each protocol has its own tests against its simulator, and the fakes are held to the ports' contracts there:
tests/integration/test_ptl_fake_contract.py, test_label_write_ahead.py).

``fake_line(database_url)`` runs ``app.service.runtime.Service`` for the demo plant on the test's own event loop,
with every endpoint moved to a free port on 127.0.0.1 (the feed link, the HMI bus and the command channel still
bind: tests talk to them; nothing listens for a device), and yields a ``FakeLine``: the service, its fake light
controllers and printers, ``broadcast`` (a build order through the intake, the way the feed link hands one over),
``operator`` (someone at the line who presses every bin lit green, once per pick) and ``flow`` (broadcasts at a takt
with an operator: a line that keeps moving). On the way out the service is stopped (its last read-model rows and a
snapshot written), so a test may look into the database afterwards. ``tests.live.LiveLine(fakes=True)`` runs the
same on a thread of its own, for Qt tests and module-wide fixtures.

Must not: stand in for a protocol test (the drivers' own tests do that against the simulators), or wait unbounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import Any

from app.config import load_plant, with_free_ports
from app.feed.protocol import Ack
from app.service.runtime import Service
from plc_io.fakes import FakeLabelPrinter, FakePickToLight
from plc_io.loopback_ports import free_port
from plc_io.ports import Colour
from sequencer.plant import PlantConfig
from tests.devices import until

WAIT_S = 30.0
OPERATOR_POLL_S = 0.01
SEAT_AND_BUMPER = ("S1", "P040")  # one seat and one bumper in the demo plant


class FakeLine:
    def __init__(self, plant: PlantConfig, clock: Callable[[], float] = time.time) -> None:
        self.plant = plant
        self.ptls = {
            name: FakePickToLight(name, sorted({b.light for s in plant.stations if s.ptl == name for b in s.bins}))
            for name in plant.devices.ptl
        }
        self.printers = {name: FakeLabelPrinter(name) for name in plant.devices.printers}
        self.service = Service(plant, clock=clock, ptls=self.ptls, printers=self.printers)

    async def broadcast(self, seq: int, options: Sequence[str] = SEAT_AND_BUMPER, feed: str = "L1") -> Ack:
        """An original, firm build order through the intake (as the feed link hands it over); its ACK."""
        order = {
            "feed": feed, "seq": seq, "vehicle_id": f"WVWZZZ1KZRW{seq:06d}", "function": "original", "firm": True,
            "options": list(options), "sent_at": self.service.clock(), "reporting_point": "R100", "line": "A1",
        }  # fmt: skip
        return await self.service.intake.accept(json.dumps(order).encode())

    @contextlib.asynccontextmanager
    async def operator(self, reaction_s: float = 0.0) -> AsyncIterator[None]:
        """While inside: every light lit green is pressed ``reaction_s`` after it lit, once per pick token (a red
        light is a blocked slot: not pressed)."""
        async with _running(self._press_green_lights(reaction_s), "operator"):
            yield

    @contextlib.asynccontextmanager
    async def flow(self, takt_s: float, reaction_s: float, vehicles: int | None = None) -> AsyncIterator[None]:
        """While inside: a broadcast every ``takt_s`` (``vehicles`` of them; None: until the end) and an operator."""
        async with self.operator(reaction_s), _running(self._broadcast_at_takt(takt_s, vehicles), "oem"):
            yield

    async def _press_green_lights(self, reaction_s: float) -> None:
        loop = asyncio.get_running_loop()
        seen: dict[tuple[str, int, int], float] = {}  # (controller, light, token) -> when it lit
        pressed: set[tuple[str, int, int]] = set()
        while True:
            for ptl in self.ptls.values():
                for light, shown in ptl.lit().items():
                    pick = (ptl.name, light, shown.token)
                    if shown.colour != Colour.GREEN or pick in pressed:
                        continue
                    if loop.time() - seen.setdefault(pick, loop.time()) >= reaction_s:
                        pressed.add(pick)
                        ptl.press(light)
            await asyncio.sleep(OPERATOR_POLL_S)

    async def _broadcast_at_takt(self, takt_s: float, vehicles: int | None) -> None:
        seq = 1
        while vehicles is None or seq <= vehicles:
            await self.broadcast(seq)
            seq += 1
            await asyncio.sleep(takt_s)


@contextlib.asynccontextmanager
async def _running(work: Coroutine[Any, Any, None], name: str) -> AsyncIterator[None]:
    """``work`` as a task while inside the block; cancelled and awaited on the way out."""
    task = asyncio.create_task(work, name=name)
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@contextlib.asynccontextmanager
async def running(plant: PlantConfig, clock: Callable[[], float] = time.time) -> AsyncIterator[FakeLine]:
    """The service for ``plant`` with fake devices, from ready until the block ends."""
    line = FakeLine(plant, clock)
    task = asyncio.create_task(line.service.run(), name="service")
    try:
        await until(lambda: line.service.ready.is_set() or task.done(), "the service up", within_s=WAIT_S)
        if task.done():
            task.result()  # the service failed to start: its exception, here
        yield line
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@contextlib.asynccontextmanager
async def fake_line(database_url: str, *, metrics: bool = False) -> AsyncIterator[FakeLine]:
    """The demo plant's service on free ports with ``database_url`` and fake devices, running until the block ends."""
    plant = with_free_ports(load_plant(), database=database_url)
    if metrics:
        plant = plant.model_copy(update={"service": plant.service.model_copy(update={"metrics_port": free_port()})})
    async with running(plant) as line:
        yield line
