"""Injected clocks for the simulators: real time, sped-up time, and a manual clock for tests.

A simulator never calls ``time`` or ``asyncio.sleep`` directly; it asks its clock, so a run can go 100x faster
than real time and a test can step time by hand without flaking.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Simulated epoch seconds."""

    async def sleep(self, seconds: float) -> None:
        """Sleep for ``seconds`` of simulated time."""


class ScaledClock:
    """Simulated time running ``speed`` times faster than the wall clock, starting at the real time now."""

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._epoch = time.time()
        self._mono = time.monotonic()

    def now(self) -> float:
        return self._epoch + (time.monotonic() - self._mono) * self.speed

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)


class ManualClock:
    """A clock that moves only when a test calls ``advance``; sleepers wake when their time has come."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._changed = asyncio.Event()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds
        self._changed.set()

    async def sleep(self, seconds: float) -> None:
        wake = self._now + seconds
        while self._now < wake:
            self._changed.clear()
            await self._changed.wait()
