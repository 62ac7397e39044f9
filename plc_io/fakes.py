"""In-memory fakes of the two device ports (``plc_io.ports``): a light controller and a label printer with no socket
and no protocol, for tests of the service where no device protocol is the point (ophyd-async's in-memory backends).

Faithful to the ports' contracts, not to one device:
- commands only queue, through the same pieces the real drivers share: ``show``/``clear`` into the coalescing,
  bounded ``LightOutbox`` (a light outside the controller is refused, a full outbox raises ``OutboxFull``);
  ``print_label`` through the ``LabelGate`` (a label id once per reprint, ``OutboxFull`` when full, and the
  service's write-ahead awaited before each label leaves: send it, drop it, or keep it and ask again);
- the owning task ``run`` does the "I/O" and reports: ``LinkChanged`` once per transition (up when ``run``
  starts on a reachable device); ``LightShown`` once a light command went out, and every light written again when
  the link comes back (a real controller may have failsafed them off); ``BinPressed`` with the token lit at the
  press and the light's press counter, counted from ``restore_counters`` (never reported twice, a press made
  while the link was down reported when it returns); ``LabelDone`` once a label left; ``PrinterFault`` when the
  printer's faults change (jobs wait while there are any).

The plant side is the test's hands: ``FakePickToLight.press`` (an operator's confirm), ``shown`` (each light as
it is lit now), ``FakeLabelPrinter.printed`` (the printer's own record), ``set_faults`` (paper out, head open), and
``go_down``/``come_up`` on both (the link).

What it must not do: import a device library, open a socket, read a clock, or be built by production code (the
service builds the real drivers from the plant file; a test hands it these instead).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from plc_io.label_gate import LabelGate
from plc_io.light_outbox import LightOutbox
from plc_io.ports import (
    BinPressed,
    Colour,
    LabelDone,
    LightShown,
    LinkChanged,
    PrinterFault,
    Report,
    Sending,
)
from sequencer.labels import Label

OUTBOX_SIZE = 256  # as the real drivers' default
RETRY_S = 0.05  # how long a label the service could not journal waits before the printer asks again


@dataclass(frozen=True, slots=True, kw_only=True)
class Shown:
    """What one light shows: its colour (OFF: dark), flashing or steady, the number on its display, the pick token."""

    colour: Colour
    flash: bool = False
    display: int = 0
    token: int = 0


DARK = Shown(colour=Colour.OFF)


class _Link:
    """One device's link as its driver reports it: ``LinkChanged`` once per transition, never twice the same."""

    def __init__(self, device: str) -> None:
        self.device = device
        self.reachable = True  # the plant side: the device answers
        self.detail = ""
        self.reported: bool | None = None  # what the driver last reported (None: nothing yet)

    def follow(self, report: Report) -> bool:
        """Report a change since the last call; True if the link is up now."""
        if self.reported is not self.reachable:
            self.reported = self.reachable
            report(LinkChanged(device=self.device, up=self.reachable, detail="" if self.reachable else self.detail))
        return self.reachable


class FakePickToLight:
    """``PickToLight`` in memory for the lights ``lights``. ``shown``: each light as lit now (the plant side)."""

    def __init__(self, name: str, lights: Sequence[int], *, outbox_size: int = OUTBOX_SIZE) -> None:
        self.name = name
        self.shown: dict[int, Shown] = dict.fromkeys(lights, DARK)
        self._outbox = LightOutbox(name, lights, DARK, size=outbox_size, allowed=lights)
        self._link = _Link(name)
        self._counters = dict.fromkeys(lights, 0)  # each light's own press counter
        self._latched: dict[int, int] = {}  # light -> the token lit at its press, until the driver takes it
        self._baseline: dict[int, int] = {}  # the driver's side: the counter last reported per light
        self._wake = asyncio.Event()

    # -- the port ----------------------------------------------------------------------------------------------
    def show(self, light: int, *, colour: Colour, flash: bool, display: int, token: int) -> None:
        self._outbox.put(light, Shown(colour=colour, flash=flash, display=display, token=token))
        self._wake.set()

    def clear(self, light: int) -> None:
        self._outbox.put(light, DARK)
        self._wake.set()

    def restore_counters(self, counters: dict[int, int]) -> None:
        self._baseline.update({light: c for light, c in counters.items() if light in self.shown})

    async def run(self, report: Report) -> None:
        while True:
            self._exchange(report)
            self._wake.clear()
            await self._wake.wait()

    # -- the plant side ----------------------------------------------------------------------------------------
    def lit(self) -> dict[int, Shown]:
        """The lights that are not dark."""
        return {light: shown for light, shown in self.shown.items() if shown.colour != Colour.OFF}

    def press(self, light: int) -> None:
        """An operator presses the light's confirm: its counter counts, its latch holds the token lit now."""
        self._counters[light] += 1
        self._latched[light] = self.shown[light].token
        self._wake.set()

    def go_down(self, detail: str = "controller unreachable") -> None:
        self._link.reachable, self._link.detail = False, detail
        self._wake.set()

    def come_up(self) -> None:
        self._link.reachable = True
        self._wake.set()

    # -- the owning task's one pass --------------------------------------------------------------------------
    def _exchange(self, report: Report) -> None:
        was_up = self._link.reported is True
        if not self._link.follow(report):
            return
        if not was_up:  # (re)connected: write every light again
            self._outbox.unsent.update(dict.fromkeys(self.shown))
        for light in list(self._outbox.unsent):
            del self._outbox.unsent[light]
            self.shown[light] = self._outbox.desired[light]
            report(LightShown(device=self.name, light=light, token=self.shown[light].token))
        for light, counter in self._counters.items():
            self._take_presses(report, light, counter)

    def _take_presses(self, report: Report, light: int, counter: int) -> None:
        """New presses by the counter, not the latch (a first look without a baseline counts the latch only)."""
        baseline = self._baseline.get(light)
        count = int(light in self._latched) if baseline is None else counter - baseline
        self._baseline[light] = counter
        token = self._latched.pop(light, 0)  # the driver clears the latch
        if count > 0:
            report(BinPressed(device=self.name, light=light, token=token, count=count, counter=counter))


class FakeLabelPrinter:
    """``LabelPrinter`` in memory. ``printed``: every label it printed, in order (the printer's own record)."""

    def __init__(self, name: str, *, outbox_size: int = OUTBOX_SIZE, retry_s: float = RETRY_S) -> None:
        self.name = name
        self.printed: list[Label] = []
        self._gate: LabelGate[Label] = LabelGate(name, outbox_size)
        self._link = _Link(name)
        self._faults: tuple[str, ...] = ()
        self._reported_faults: tuple[str, ...] = ()
        self._retry_s = retry_s
        self._wake = asyncio.Event()

    @property
    def queued(self) -> int:
        """Labels in the outbox, not yet printed."""
        return len(self._gate.jobs)

    # -- the port ----------------------------------------------------------------------------------------------
    def before_sending(self, hook: Sending) -> None:
        self._gate.sending = hook

    def print_label(self, label: Label) -> None:
        self._gate.admit(label, lambda: label)
        self._wake.set()

    async def run(self, report: Report) -> None:
        while True:
            await self._exchange(report)
            self._wake.clear()
            await self._wake.wait()

    # -- the plant side ----------------------------------------------------------------------------------------
    def set_faults(self, *faults: str) -> None:
        """The printer cannot print while it has faults (``"paper out"``, ``"head open"``); none: it can again."""
        self._faults = faults
        self._wake.set()

    def go_down(self, detail: str = "printer unreachable") -> None:
        self._link.reachable, self._link.detail = False, detail
        self._wake.set()

    def come_up(self) -> None:
        self._link.reachable = True
        self._wake.set()

    # -- the owning task's one pass --------------------------------------------------------------------------
    async def _exchange(self, report: Report) -> None:
        if not self._link.follow(report):
            return
        if self._faults != self._reported_faults:
            self._reported_faults = self._faults
            report(PrinterFault(device=self.name, faults=self._faults))
        while self._gate.jobs and self._link.reachable and not self._faults:
            if await self._gate.release(self._pause):  # the service journaled that it leaves
                label = self._gate.jobs.popleft()
                self.printed.append(label)
                report(LabelDone(device=self.name, label_id=label.label_id, reprint=label.reprint))

    async def _pause(self) -> None:
        await asyncio.sleep(self._retry_s)
