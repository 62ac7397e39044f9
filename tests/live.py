"""A live line for tests: the simulated plant and the real service, on free ports on 127.0.0.1.

Runs both on their own asyncio loop in a background thread, so a Qt test can keep the main thread for the GUI
and talk to the service only over the HMI bus, as a panel at the line would. ``control=True`` also opens the
simulators' control channel (``hardware_sims.control``) on a free port: ``control_endpoint``. The service's
database is a fresh one of the run's backend (``tests/databases.py``), dropped when the line stops, unless
the test gives its own (``database=``: to look into it after the line stopped). ``fakes=True`` runs the service
with in-memory devices instead of the simulated plant (``tests/fake_line.py``: a broadcast every ``FAKE_TAKT_S``
and an operator who presses after ``FAKE_REACTION_S``), for tests where no device protocol is the point.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from app.config import load_plant, with_free_ports
from app.service.runtime import Service, scaled_clock
from hardware_sims.control import SimControl
from hardware_sims.plant import SimulatedPlant
from plc_io.loopback_ports import free_port
from sequencer.plant import PlantConfig
from tests.databases import fresh_database
from tests.fake_line import FakeLine, running

FAKE_TAKT_S = 0.2  # real seconds between broadcasts on a line with fake devices
FAKE_REACTION_S = 0.1  # real seconds its operator takes to press a lit bin


class LiveLine:
    def __init__(
        self,
        tmp_path: Path,
        *,
        speed: float = 20.0,
        vehicles: int | None = None,
        control: bool = False,
        metrics: bool = False,
        database: str | None = None,
        fakes: bool = False,
    ) -> None:
        if fakes and control:
            raise ValueError("the simulators' control channel needs the simulated plant, not fakes")
        self._resources = ExitStack()  # a database of its own lives as long as the line; a given one is the caller's
        database = database or self._resources.enter_context(fresh_database(tmp_path, "live.db"))
        self.plant: PlantConfig = with_free_ports(load_plant(), database=database)
        if metrics:
            service = self.plant.service.model_copy(update={"metrics_port": free_port()})
            self.plant = self.plant.model_copy(update={"service": service})
        self.speed = speed
        self.vehicles = vehicles
        self.service: Service | None = None
        self.fake: FakeLine | None = None  # the service's in-memory devices (``fakes=True``)
        self.sim: SimulatedPlant | None = None
        self.control: SimControl | None = None
        self.control_endpoint = ""
        self._with_control = control
        self._fakes = fakes
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="live-line", daemon=True)

    def __enter__(self) -> LiveLine:
        self._thread.start()
        try:
            if not self._ready.wait(60):
                raise TimeoutError("live line did not start within 60 s")
            if self._error:
                raise self._error
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)
        self._resources.close()

    def on_loop(self, work: Callable[[], object]) -> None:
        """Run ``work`` on the line's loop (the devices' plant side lives there), and wait until it ran."""
        assert self._loop is not None
        done = threading.Event()
        self._loop.call_soon_threadsafe(lambda: (work(), done.set()))
        assert done.wait(30), "the line's loop did not run the work"

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # surfaced to the test in __enter__
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        if self._fakes:
            await self._with_fakes(self._stop)
            return
        self.sim = SimulatedPlant(self.plant, speed=self.speed, vehicles=self.vehicles)
        await self.sim.start()
        if self._with_control:
            self.control = SimControl(self.sim, "tcp://127.0.0.1:0")
            self.control_endpoint = await self.control.start()
        self.service = Service(self.plant, clock=scaled_clock(self.speed))
        task = asyncio.create_task(self.service.run())
        await asyncio.wait_for(self.service.ready.wait(), 30)
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            if self.control is not None:
                await self.control.stop()
            await self.sim.stop()

    async def _with_fakes(self, stop: asyncio.Event) -> None:
        async with running(self.plant, clock=scaled_clock(self.speed)) as line:
            self.service, self.fake = line.service, line
            async with line.flow(FAKE_TAKT_S, FAKE_REACTION_S, vehicles=self.vehicles):
                self._ready.set()
                await stop.wait()
