"""The cyclic scan every simulated print engine runs, and the bounded waits tests and the plant make on it.

A print engine (ZPL printer, print-and-apply PLC, OPC UA print engine) is a pure model told the time; ``Scan``
is the task that advances it: once after every poke (a write, a fault switch) and again when the model's next
job falls due on the injected clock. Waiters are told about every step and every poke, and wait bounded in real
time for a predicate on the model.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from hardware_sims.clock import Clock

Step = Callable[[float], Awaitable[float | None]]  # advance the model to ``now``; the next due time, if any


class Scan:
    def __init__(self, clock: Clock, step: Step, *, name: str) -> None:
        self._clock, self._step, self._name = clock, step, name
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def poke(self) -> None:
        """Something changed from outside (a request, a switch): scan again now, and tell the waiters."""
        self._wake.set()
        self.announce()

    def announce(self) -> None:
        """Tell the waiters the model changed (without a new scan)."""
        self._changed.set()
        self._changed = asyncio.Event()  # waiters hold the old, set event; new waiters wait for the next change

    async def wait_until(self, predicate: Callable[[], bool], timeout_s: float) -> None:
        """Wait (real time, bounded) until ``predicate()`` holds; checked after every scan and every poke."""
        async with asyncio.timeout(timeout_s):
            while not predicate():
                await self._changed.wait()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            now = self._clock.now()
            due = await self._step(now)
            self.announce()
            waits: set[asyncio.Future[object]] = {asyncio.ensure_future(self._wake.wait())}
            if due is not None:
                waits.add(asyncio.ensure_future(self._clock.sleep(due - self._clock.now())))
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waits:
                    waiter.cancel()
