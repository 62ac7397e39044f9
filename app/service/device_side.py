"""The service's device side: PTLs and printers brought back to the journal's state on start, their reports
turned into journaled events, and labels handed to the printers (the write-ahead, a backlog when an outbox is
full). Part of ``app.service.runtime.Service``.

On start: each PTL driver gets the press counters the journal last saw; lit bins are lit again; a label that
never left the service is queued again, one journaled as leaving and not confirmed becomes uncertain; a device
fault the journal holds that no fresh driver reports again is cleared after ``RECONCILE_S``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from app.service.devices import ReportTranslator
from plc_io.ports import (
    Colour,
    DeviceReport,
    LabelDone,
    LabelPrinter,
    LightShown,
    LinkChanged,
    OutboxFull,
    PickToLight,
    PrinterFault,
)
from sequencer.commands import LightBin, PrintLabel
from sequencer.core import Sequencer, SequencerError
from sequencer.events import DeviceLinkChanged, Event, LabelSending, LabelUncertain, PrinterFaultChanged

log = logging.getLogger("app.service.runtime")

RECONCILE_S = 3.0  # real seconds after a start before journaled faults that no driver reported again are cleared


class DeviceSide:
    """Mixed into ``Service``; uses its core, drivers, clock and sequencing path."""

    core: Sequencer
    clock: Callable[[], float]
    ptls: dict[str, PickToLight]
    printers: dict[str, LabelPrinter]
    translator: ReportTranslator
    latencies_ms: deque[float]
    queued_ms: deque[float]
    _reports: asyncio.Queue[tuple[DeviceReport, float]]
    _reported_faulty: set[str]
    _lit_since: dict[int, Any]
    _label_backlog: dict[str, deque[PrintLabel]]

    async def submit(self, event: Event, raw: bytes | None = None) -> Any:
        raise NotImplementedError

    async def submit_checked(self, event: Event, raw: bytes | None = None) -> Any:
        raise NotImplementedError

    def _restore_counters(self) -> None:
        """Tell each PTL driver the press counters the journal last saw, so that a press it took off a light and
        reported, but that a crash kept out of the journal, is reported again (and a journaled one is not)."""
        counters: dict[str, dict[int, int]] = {}
        for st in self.core.state.stations.values():
            for bin_id, light in st.light_of_bin.items():
                counter = self.core.state.confirm_counters.get((st.cfg.id, bin_id))
                if counter is not None:
                    counters.setdefault(st.cfg.ptl, {})[light] = counter
        for name, lights in counters.items():
            self.ptls[name].restore_counters(lights)

    async def _restore_devices(self) -> None:
        """Bring lights and printers to the state the journal describes: lit bins lit, labels that never left the
        service queued again. A label journaled as leaving (``LabelSending``) and not confirmed may have printed
        before the restart (the printer tells no one which), so it is never resent on its own: it becomes
        uncertain, a deviation for a person to check and reprint (docs/persistence.md)."""
        for light in self.core.lit_commands():  # a blocked slot flashes red again, as before the restart
            self._show_light(light)
        for cmd in self.core.pending_labels():
            if not self.core.label_left(cmd.label.label_id):
                self._send_label(cmd)  # journaled as never having left the service: sending it cannot double it
                continue
            reason = f"sent to {cmd.printer} before a restart, not confirmed printed"
            await self.submit(LabelUncertain(at=self.clock(), label_id=cmd.label.label_id, reason=reason))

    async def _reconcile_faults(self, journaled: set[str]) -> None:
        """A device fault the journal holds from before a restart, which the fresh drivers did not report again
        within ``RECONCILE_S``, has gone meanwhile: a fresh driver reports only the changes it sees itself, so a
        light or a printer flag that recovered while the service was down would otherwise stay alarmed forever."""
        await asyncio.sleep(RECONCILE_S)
        for device in sorted(journaled - self._reported_faulty):
            if device not in self.core.state.device_faults:
                continue  # its driver reported it back already
            detail = "not reported faulty since the restart"
            down = device in self.core.state.devices_down
            event = (
                DeviceLinkChanged(at=self.clock(), device=device, up=True, detail=detail)
                if down
                else PrinterFaultChanged(at=self.clock(), device=device, faults=())
            )
            await self.submit(event)

    def _show_light(self, cmd: LightBin) -> None:
        colour = Colour.RED if cmd.alarm else Colour.GREEN  # red flash: blocked after a wrong pick
        self.ptls[cmd.device].show(cmd.light, colour=colour, flash=cmd.alarm, display=cmd.display, token=cmd.pick_id)

    def _on_report(self, report: DeviceReport) -> None:
        if (isinstance(report, LinkChanged) and not report.up) or (isinstance(report, PrinterFault) and report.faults):
            self._reported_faulty.add(report.device)
        if isinstance(report, LightShown):
            lit = self._lit_since.pop(report.token, None)
            if lit is not None:  # a bin that waited for its station measures the line's queue, not the service
                (self.latencies_ms if lit[1] else self.queued_ms).append((time.monotonic() - lit[0]) * 1000)
            return
        if isinstance(report, LabelDone):
            self._drain_label_backlog()  # a label left the outbox: room for the next
        try:
            self._reports.put_nowait((report, self.clock()))
        except asyncio.QueueFull:
            log.error("device report queue full, report lost: %r", report)

    async def _consume_reports(self) -> None:
        while True:
            report, at = await self._reports.get()
            event = self.translator.to_event(report, at)
            if event is not None:
                await self.submit(event)

    async def _label_leaving(self, label_id: str, reprint: int) -> bool | None:
        """The printers' write-ahead (``plc_io.label_gate``): ``LabelSending`` is journaled before the label leaves.
        False: the core no longer wants it (printed, uncertain, another reprint); None: not journaled, it waits."""
        try:
            await self.submit_checked(LabelSending(at=self.clock(), label_id=label_id, reprint=reprint))
        except SequencerError as exc:
            log.warning("label %s not sent: %s", label_id, exc)
            return False
        except Exception as exc:  # the journal write failed: the label stays in the printer's outbox
            log.error("label %s waits: its LabelSending could not be journaled (%r)", label_id, exc)
            return None
        return True

    def _send_label(self, cmd: PrintLabel) -> None:
        """Into the printer's outbox; when that is full the label waits here, in order (never dropped)."""
        backlog = self._label_backlog.setdefault(cmd.printer, deque())
        if backlog:
            backlog.append(cmd)
            return
        try:
            self.printers[cmd.printer].print_label(cmd.label)
        except OutboxFull:
            log.warning("%s: outbox full, labels wait in the service's backlog", cmd.printer)
            backlog.append(cmd)

    def _drain_label_backlog(self) -> None:
        for printer, backlog in self._label_backlog.items():
            while backlog:
                try:
                    self.printers[printer].print_label(backlog[0].label)
                except OutboxFull:
                    break
                backlog.popleft()
