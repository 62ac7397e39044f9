"""What the device driver tests share: bounded waits, a bounded task stop, and the report callback they drive.

Every wait here is bounded in count and in real time: a driver that never reports fails the test, it does not
hang it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from plc_io.ports import BinPressed, DeviceReport, LabelDone, LightShown, LinkChanged, PrinterFault

DEADLINE_S = 15.0
POLL_S = 0.005


async def until(predicate: Callable[[], bool], what: str, within_s: float = DEADLINE_S) -> None:
    """Poll ``predicate`` every 5 ms until true; fail after ``within_s`` (bounded in count and time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    for _ in range(int(within_s / POLL_S) + 1):
        if predicate():
            return
        if loop.time() > deadline:
            break
        await asyncio.sleep(POLL_S)
    raise AssertionError(f"timed out waiting for {what}")


async def stop(task: asyncio.Task[None]) -> None:
    """Cancel a driver or operator task and wait for it, bounded: a swallowed cancel fails instead of hanging."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        async with asyncio.timeout(DEADLINE_S):
            await task


class Reports:
    """The report callback a driver is given: keeps every report in order and wakes waiters.

    ``device`` names the driver whose link ``links()`` follows by default (a PTL driver also reports a link per
    light, under the light's own device name)."""

    def __init__(self, device: str | None = None) -> None:
        self.device = device
        self.items: list[DeviceReport] = []
        self._changed = asyncio.Event()

    def __call__(self, report: DeviceReport) -> None:
        self.items.append(report)
        self._changed.set()

    def of(self, kind: type[Any], **fields: object) -> list[Any]:
        return [r for r in self.items if isinstance(r, kind) and all(getattr(r, k) == v for k, v in fields.items())]

    def links(self, device: str | None = None) -> list[bool]:
        device = device or self.device
        return [r.up for r in self.of(LinkChanged) if device is None or r.device == device]

    def done(self) -> list[str]:
        return [r.label_id for r in self.of(LabelDone)]

    def faults(self) -> list[tuple[str, ...]]:
        return [r.faults for r in self.of(PrinterFault)]

    def fault_seen(self, faults: tuple[str, ...]) -> Callable[[], bool]:
        return lambda: faults in self.faults()

    def presses(self, light: int | None = None) -> int:
        return sum(p.count for p in self.of(BinPressed) if light is None or p.light == light)

    async def shown(self, light: int, token: int) -> None:
        await until(lambda: bool(self.of(LightShown, light=light, token=token)), f"LightShown {light}/{token}")

    async def wait(self, predicate: Callable[[Reports], bool], timeout_s: float = DEADLINE_S) -> None:
        """Wait (real time, bounded) until ``predicate(self)`` holds; checked after every report."""
        async with asyncio.timeout(timeout_s):
            while not predicate(self):
                self._changed.clear()
                await self._changed.wait()
