"""The link every device driver keeps: connect, report the link once per change, back off, connect again.

What it is for: the part of a driver's owning task that is the same for every protocol, so the five drivers
cannot drift apart. ``DeviceLink.run`` calls the driver's ``connection`` (one connection's whole life: open it,
serve the device, raise ``DeviceError`` when it ends) again and again until cancelled. The driver calls ``up``
once the device has ANSWERED (a port that accepts connections and never answers is down, with the back-off
growing, not flapping) and ``down`` when a device that still answers stops serving (an OPC UA controller out of
service). The link is reported (``LinkChanged``) and logged once per change (Home Assistant's pattern: a
WARNING with the reason when the device goes away; when it comes back, a WARNING too, so a log read at the
default level never ends on a "down" that is over; the first "up" after start is INFO). These are the only lines a
link change gives at the default level: the libraries' own (pymodbus retrying, asyncua reconnecting) are held
back by the logging configuration (``app.logjson``). After a connection ends, the
next one waits a back-off that doubles from ``FIRST_DELAY_S`` up to a ceiling and starts over once the device
answers. ``LightLinks`` keeps the same promise for each light behind a controller that answers.
What it must not do: know a protocol, open sockets, read the wall clock (only the event loop's), or swallow a
cancel (``raise_if_cancelled``).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from typing import NoReturn

from plc_io.ports import DeviceError, LinkChanged, Report

FIRST_DELAY_S = 0.05  # the first reconnect waits this long; each failed one after it twice as long as the last
CEILING_S = 2.0  # light controllers and the print-and-apply PLC (docs/ptl-modbus.md, docs/printer-modbus.md)
PRINT_ENGINE_CEILING_S = 5.0  # the Zebra and the OPC UA print engine (docs/printer-zpl.md, docs/opcua.md)
OFFLINE_PROBE_S = 0.5  # a light reported down is asked again this often, not on every poll (an RTU time-out each)

PACED_FLOOR_S = 0.002  # the shortest a paced wait gets (real seconds)
_PACE = [1.0]  # plant seconds per real second of the process's line (``pace``): 1.0 on a real line


def pace(speed: float) -> None:
    """Plant time runs ``speed`` times faster than the wall clock in this process (``jis rehearse``): the reconnect
    back-offs shrink by as much, so a device back after an outage is reconnected within the same plant seconds as
    on a real line (at 600x a 5 s back-off would otherwise be 50 minutes of plant time). 1.0: real time."""
    if speed <= 0:
        raise ValueError(f"speed must be positive, got {speed}")
    _PACE[0] = speed


def paced(seconds: float) -> float:
    """A driver's own wait (a poll, a back-off) in real seconds at the process's pace (``pace``): unchanged on a
    real line, ``speed`` times shorter in a rehearsal, but never below ``PACED_FLOOR_S`` (a busy loop)."""
    return seconds if _PACE[0] == 1.0 else max(seconds / _PACE[0], min(seconds, PACED_FLOOR_S))


# One connection's whole life: returns only by raising (``DeviceError`` when the link is gone).
Connection = Callable[[], Awaitable[NoReturn]]
Sleep = Callable[[float], Awaitable[object]]


class Backoff:
    """Reconnect delays: double after each failed attempt up to the ceiling, start over on ``reset``."""

    def __init__(self, first: float = FIRST_DELAY_S, ceiling: float = CEILING_S) -> None:
        self._first, self._ceiling, self._next = first, ceiling, first

    def reset(self) -> None:
        self._next = self._first

    def next(self) -> float:
        """The delay before the next attempt; the one after it is twice as long, up to the ceiling."""
        delay, self._next = self._next, min(self._next * 2, self._ceiling)
        return delay


def _unheard(_report: object) -> None:
    """Where reports go before ``run`` is given the service's callback."""


class DeviceLink:
    """The link of one device (``device``: the name its reports carry). ``what`` is the log's word for the far
    end ("gateway", "PLC", "controller", "printer"); ``log`` is the driver's logger, so the lines name it. ``sleep``
    waits out the back-off (a test passes one that records the delays instead of waiting)."""

    def __init__(
        self,
        device: str,
        what: str,
        log: logging.Logger,
        *,
        ceiling_s: float = CEILING_S,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.device = device
        self._what, self._log, self._sleep = what, log, sleep
        self._backoff = Backoff(FIRST_DELAY_S, ceiling_s)
        self._up: bool | None = None  # None: not known yet, so the first answer or failure is always reported
        self._report: Report = _unheard

    async def run(self, report: Report, connection: Connection) -> NoReturn:
        """The driver's owning task: one ``connection`` after another, a back-off between them. Runs until
        cancelled; an exception other than ``DeviceError`` is a bug and ends it."""
        self._report = report
        while True:
            try:
                await connection()
            except DeviceError as exc:
                self.down(str(exc))
            await self._sleep(paced(self._backoff.next()))

    def up(self, detail: str = "") -> None:
        """The device answered: report the link up if it was not, and start the back-off over."""
        self._backoff.reset()
        self._change(True, detail)

    def down(self, detail: str) -> None:
        """The device is gone or does not serve: report the link down if it was not."""
        self._change(False, detail)

    def _change(self, up: bool, detail: str) -> None:
        if self._up is up:
            return
        back = up and self._up is False  # it comes back after a "down" said at WARNING: said at the same level
        self._up = up
        state = "up" if up else "down"
        level = logging.INFO if up and not back else logging.WARNING
        self._log.log(level, "%s: %s link %s %s", self.device, self._what, state, detail)
        self._report(LinkChanged(device=self.device, up=up, detail=detail))


def light_device(device: str, light: int) -> str:
    """The device name a light's own link reports carry: ``"ptl-seat/light-3"``."""
    return f"{device}/light-{light}"


class LightLinks:
    """The links of the lights behind one controller whose own link is up. A light that does not answer (Modbus
    exception 0x0B from the gateway, OPC UA Online False or a Bad method status) is reported down once and asked
    again every ``OFFLINE_PROBE_S``; the first answer after that reports it up once, and the driver writes its
    desired state again (it may have restarted dark)."""

    def __init__(self, device: str, log: logging.Logger) -> None:
        self._device, self._log = device, log
        self._probes: dict[int, float] = {}  # lights reported down -> loop time of their next probe

    def __contains__(self, light: object) -> bool:
        """The light is reported down."""
        return light in self._probes

    def down(self, report: Report, light: int, detail: str) -> None:
        """The light did not answer: report it down (once) and ask it again after ``OFFLINE_PROBE_S``."""
        already = light in self._probes
        self._probes[light] = asyncio.get_running_loop().time() + OFFLINE_PROBE_S
        if not already:
            self._log.warning("%s: %s", self._device, detail)
            report(LinkChanged(device=light_device(self._device, light), up=False, detail=detail))

    def up(self, report: Report, light: int) -> bool:
        """The light answered: True if it was reported down (now reported up once; send its desired state again)."""
        if self._probes.pop(light, None) is None:
            return False
        self._log.warning("%s: light %d answers again", self._device, light)  # as its "down" was said
        report(LinkChanged(device=light_device(self._device, light), up=True, detail=f"light {light} answers"))
        return True

    def due(self, light: int, now: float) -> bool:
        """The light may be asked now: it is up, or down with its probe due (``now``: the loop's time)."""
        return self._probes.get(light, 0.0) <= now

    def due_probes(self, now: float) -> list[int]:
        """The lights reported down whose probe is due."""
        return [light for light, due in self._probes.items() if due <= now]

    def next_probe(self) -> float:
        """The loop time of the earliest probe (infinity when every light answers)."""
        return min(self._probes.values(), default=math.inf)

    def probe_now(self) -> None:
        """After a (re)connect: every light reported down is asked at once."""
        self._probes = dict.fromkeys(self._probes, 0.0)


def raise_if_cancelled() -> None:
    """Re-raise a cancellation that a library swallowed, so a driver's ``run`` stops when it is cancelled.

    On Python 3.11, ``asyncio.wait_for`` returns the result instead of raising when the awaited future completes in
    the same loop step as the cancel (CPython gh-86296, fixed in 3.12); pymodbus calls it inside every request, and
    asyncua's task clean-up catches ``CancelledError``. The task still counts the request in ``cancelling()``.
    Call it inside the driver's own ``asyncio.timeout`` block, which turns its own expiry back into
    ``TimeoutError``.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
