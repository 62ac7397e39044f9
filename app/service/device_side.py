"""The service's device side: the PTL and printer drivers, and what happens when a light is pressed. Part of
``app.service.runtime.Service``.

A press's way, start to end:
  1. The PTL driver's owning task (``plc_io``) reads the light's confirm and reports ``BinPressed`` (device, light,
     the pick token lit at the press, how many new presses, the light's press counter): ``DeviceSide.on_report``.
  2. ``on_report`` queues it (bounded: ``REPORT_QUEUE``); ``consume_reports`` takes it off in order, drops it if
     the journal has it already (``seen_before``: the light's press counter is the one last journaled for that
     bin; a label's done report names a job, label id and reprint, the core no longer waits for) and translates
     it (``ReportTranslator``: device and light -> station and bin) into ``BinConfirmed``.
  3. That event goes the one path into the core (``app.service.sequencing``): journaled, then handled.
  4. The core answers with commands (clear the bin, print the part label, light the next bin, close a rack), which
     the service carries out (``Service.carry_out`` in ``app.service.runtime``), back here to the drivers.
The other reports take the same way (a label printed, a link lost or back, a printer fault), except
``LightShown``, which only ends a latency figure.

Commands go out through ``show_light``, ``clear_light`` and ``print_label``. Labels pass the write-ahead: each is
journaled as leaving (``LabelSending``) before the printer driver sends it (``label_leaving``), and waits in a
backlog here, in order, while a printer's outbox is full.

On start: each PTL driver gets the press counters the journal last saw (``restore_counters``); lit bins are lit
again; a label that never left the service is queued again, one journaled as leaving and not confirmed becomes
uncertain (``restore``); a device fault the journal holds that no fresh driver reports again is cleared after
``RECONCILE_S`` (``reconcile_faults``).

What it must not do: speak a device protocol (the drivers in ``plc_io`` do), hand the core an event itself
(only through the sequencing path), resend a label that may have printed, or drop a report silently.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from collections.abc import Callable, Mapping
from typing import assert_never

from app.service.devices import ReportTranslator
from app.service.latency import LightLatency
from app.service.sequencing import Outcome, Sequencing
from plc_io.ports import (
    BinPressed,
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
from sequencer.commands import ClearBin, LightBin, PrintLabel, ShowBinStock
from sequencer.core import Sequencer, SequencerError
from sequencer.events import DeviceLinkChanged, LabelSending, LabelUncertain, PrinterFaultChanged

log = logging.getLogger("app.service.runtime")  # the service's log name, kept from before its parts were split

REPORT_BATCH = 500  # reports taken into one journal transaction at most (the journal's own JOURNAL_BATCH)
REPORT_QUEUE = 10_000  # device reports waiting for the core; overflow is logged as an error, never silent
RECONCILE_S = 3.0  # real seconds after a start before journaled faults that no driver reported again are cleared


class DeviceSide:
    """The drivers (``ptls``, ``printers``: ``plc_io.ports``), their reports in, and the commands out to them."""

    def __init__(
        self,
        ptls: Mapping[str, PickToLight],
        printers: Mapping[str, LabelPrinter],
        translator: ReportTranslator,
        *,
        clock: Callable[[], float],
        sequencing: Sequencing,
        latency: LightLatency,
    ) -> None:
        self.ptls = dict(ptls)
        self.printers = dict(printers)
        self.translator = translator
        self.clock = clock
        self.sequencing = sequencing
        self.latency = latency
        self.label_backlog: dict[str, deque[PrintLabel]] = {}  # printer -> labels waiting for outbox room
        # (device, light) lit for a pick, and shown low on stock: a low bin is yellow while no pick lights it
        self.lit_lights: set[tuple[str, int]] = set()
        self.low_lights: set[tuple[str, int]] = set()
        self._reports: asyncio.Queue[tuple[DeviceReport, float]] = asyncio.Queue(REPORT_QUEUE)
        self._reported_faulty: set[str] = set()  # devices the drivers of this process reported down or faulted
        self.repeats: Counter[str] = Counter()  # reports the journal had already, by kind (``seen_before``)
        for printer in self.printers.values():
            printer.before_sending(self.label_leaving)  # write-ahead: journaled before a label leaves

    @property
    def core(self) -> Sequencer:
        return self.sequencing.core

    @property
    def names(self) -> list[str]:
        """Every device this service drives: the light controllers, then the printers."""
        return [*self.ptls, *self.printers]

    @property
    def reports_waiting(self) -> int:
        return self._reports.qsize()

    # -- start ---------------------------------------------------------------------------------------------
    def restore_counters(self) -> None:
        """Tell each PTL driver the press counters the journal last saw, so that a press it took off a light and
        reported, but that a crash kept out of the journal, is reported again (and a journaled one is not).
        Before any driver polls a light."""
        counters: dict[str, dict[int, int]] = {}
        for st in self.core.state.stations.values():
            for bin_id, light in st.light_of_bin.items():
                counter = self.core.state.confirm_counters.get((st.cfg.id, bin_id))
                if counter is not None:
                    counters.setdefault(st.cfg.ptl, {})[light] = counter
        for name, lights in counters.items():
            self.ptls[name].restore_counters(lights)

    def start(self) -> list[asyncio.Task[None]]:
        """Each driver's owning task, and the task that hands their reports to the core."""
        devices: list[tuple[str, PickToLight | LabelPrinter]] = [*self.ptls.items(), *self.printers.items()]
        tasks = [asyncio.create_task(dev.run(self.on_report), name=f"device:{name}") for name, dev in devices]
        tasks.append(asyncio.create_task(self.consume_reports(), name="device-reports"))
        return tasks

    async def restore(self) -> None:
        """Bring lights and printers to the state the journal describes: lit bins lit, labels that never left the
        service queued again. A label journaled as leaving (``LabelSending``) and not confirmed may have printed
        before the restart (the printer tells no one which), so it is never resent on its own: it becomes
        uncertain, a deviation for a person to check and reprint (docs/persistence.md)."""
        for light in self.core.lit_commands():  # a blocked slot flashes red again, as before the restart
            self.show_light(light)
        for low in self.core.low_bins():  # and a low bin is yellow again
            self.show_stock(low)
        for cmd in self.core.pending_labels():
            if not self.core.label_left(cmd.label.label_id):
                self.print_label(cmd)  # journaled as never having left the service: sending it cannot double it
                continue
            reason = f"sent to {cmd.printer} before a restart, not confirmed printed"
            await self.sequencing.submit(LabelUncertain(at=self.clock(), label_id=cmd.label.label_id, reason=reason))

    async def reconcile_faults(self, journaled: set[str]) -> None:
        """A device fault the journal holds from before a restart, which the fresh drivers did not report again
        within ``RECONCILE_S``, has gone meanwhile: a fresh driver reports only the changes it sees itself, so a
        light or a printer flag that recovered while the service was down would otherwise stay alarmed forever."""
        await asyncio.sleep(RECONCILE_S)
        detail = "not reported faulty since the restart"
        for device in sorted(journaled - self._reported_faulty):
            state = self.core.state  # its driver may have reported it back meanwhile
            if device in state.devices_down:
                await self.sequencing.submit(DeviceLinkChanged(at=self.clock(), device=device, up=True, detail=detail))
            if device in state.printer_faults:
                await self.sequencing.submit(PrinterFaultChanged(at=self.clock(), device=device, faults=()))

    # -- commands out --------------------------------------------------------------------------------------
    def show_light(self, cmd: LightBin) -> None:
        colour = Colour.RED if cmd.alarm else Colour.GREEN  # red flash: blocked after a wrong pick
        self.lit_lights.add((cmd.device, cmd.light))
        self.ptls[cmd.device].show(cmd.light, colour=colour, flash=cmd.alarm, display=cmd.display, token=cmd.pick_id)

    def clear_light(self, cmd: ClearBin) -> None:
        self.lit_lights.discard((cmd.device, cmd.light))
        self._show_idle(cmd.device, cmd.light)

    def show_stock(self, cmd: ShowBinStock) -> None:
        """A bin low on stock shows steady yellow while no pick lights it (a pick's green or red comes first)."""
        key = (cmd.device, cmd.light)
        if cmd.low:
            self.low_lights.add(key)
        else:
            self.low_lights.discard(key)
        if key not in self.lit_lights and cmd.device in self.ptls:
            self._show_idle(cmd.device, cmd.light)

    def _show_idle(self, device: str, light: int) -> None:
        if (device, light) in self.low_lights:
            self.ptls[device].show(light, colour=Colour.YELLOW, flash=False, display=0, token=0)
        else:
            self.ptls[device].clear(light)

    def print_label(self, cmd: PrintLabel) -> None:
        """Into the printer's outbox; when that is full the label waits here, in order (never dropped)."""
        backlog = self.label_backlog.setdefault(cmd.printer, deque())
        if backlog:
            backlog.append(cmd)
            return
        try:
            self.printers[cmd.printer].print_label(cmd.label)
        except OutboxFull:
            log.warning("%s: outbox full, labels wait in the service's backlog", cmd.printer)
            backlog.append(cmd)

    def drain_label_backlog(self) -> None:
        """Labels waiting here into their printers' outboxes, in order, as far as there is room."""
        for printer, backlog in self.label_backlog.items():
            while backlog:
                try:
                    self.printers[printer].print_label(backlog[0].label)
                except OutboxFull:
                    break
                backlog.popleft()

    async def label_leaving(self, label_id: str, reprint: int) -> bool | None:
        """The printers' write-ahead (``plc_io.label_gate``): ``LabelSending`` is journaled before the label leaves.
        False: the core no longer wants it (printed, uncertain, another reprint); None: not journaled, it waits."""
        try:
            await self.sequencing.submit_checked(LabelSending(at=self.clock(), label_id=label_id, reprint=reprint))
        except SequencerError as exc:
            log.warning("label %s not sent: %s", label_id, exc)
            return False
        except Exception as exc:  # the journal write failed: the label stays in the printer's outbox
            log.error("label %s waits: its LabelSending could not be journaled (%r)", label_id, exc)
            return None
        return True

    # -- reports in ----------------------------------------------------------------------------------------
    def on_report(self, report: DeviceReport) -> None:
        """Every driver's report callback (called on the event loop, must not block): what it means here first,
        then, for all but ``LightShown``, into the queue for the core (``consume_reports``)."""
        match report:
            case BinPressed():
                pass  # an operator's confirm: only the core knows which pick it confirms
            case LightShown():
                self.latency.light_shown(report.token)
                return  # a metric only: the core lit the bin when it asked for the light
            case LabelDone():
                self.drain_label_backlog()  # a label left the outbox: room for the next
            case LinkChanged():
                if not report.up:
                    self._reported_faulty.add(report.device)
            case PrinterFault():
                if report.faults:
                    self._reported_faulty.add(report.device)
            case _:
                assert_never(report)
        try:
            self._reports.put_nowait((report, self.clock()))
        except asyncio.QueueFull:
            log.error("device report queue full, report lost: %r", report)

    async def consume_reports(self) -> None:
        """Reports into the core, in the order they came: every report waiting is taken at once
        (``take_reports``), so the journal commits them together (one transaction, ``Sequencing``'s group commit)
        instead of one commit each. A shift's 8,000 presses and labels no longer queue behind each other's commits."""
        while True:
            batch = [await self._reports.get()]
            while len(batch) < REPORT_BATCH and not self._reports.empty():
                batch.append(self._reports.get_nowait())
            await self.take_reports(batch)

    async def take_report(self, report: DeviceReport, at: float) -> None:
        """One report, translated to its event, journaled then handled; unless the journal has it already
        (``seen_before``): then it is counted in ``repeats`` and goes no further."""
        await self.take_reports([(report, at)])

    async def take_reports(self, batch: list[tuple[DeviceReport, float]]) -> None:
        """Reports in their order, each translated to its event and queued for the journal before the next is
        judged, then all awaited together: journaled in one transaction, then handled, in that order. A report the
        journal has already (``seen_before``), or that a report before it in the same batch has just claimed
        (``_Claims``: the same bin's press counter, a printed label), is a repeat: counted in ``repeats``, no
        further. A refused event is logged (as ``Sequencing.submit`` does); a failed journal write is raised once
        every event of the batch has its answer (the batch was not journaled, nothing of it acknowledged)."""
        claims = _Claims()
        waiting: list[asyncio.Future[Outcome]] = []
        for report, at in batch:
            if self.seen_before(report) or claims.repeat(report, self.translator):
                self.repeats[type(report).__name__] += 1
                log.info("%s reported again what the journal has: %r", report.device, report)
                continue
            claims.claim(report, self.translator)
            event = self.translator.to_event(report, at)
            if event is not None:
                waiting.append(self.sequencing.enqueue(event, None))
        failed: BaseException | None = None
        for outcome in await asyncio.gather(*waiting, return_exceptions=True):
            if isinstance(outcome, SequencerError):
                log.error("event refused by the sequencer: %s", outcome)
            elif isinstance(outcome, BaseException) and failed is None:
                failed = outcome
        if failed is not None:
            raise failed

    def seen_before(self, report: DeviceReport) -> bool:
        """A report the journal holds already, by the device's own names for it: a press by the light's press
        counter (the journal's last one for that bin: a driver that reads the same counter again reports
        nothing new), a printed label by its label id and reprint number (a job the core no longer waits for:
        printed already, or an older reprint than the one asked for). Called with the reports before it
        handled (``consume_reports`` takes them one by one), so the core's state is the journal's."""
        match report:
            case BinPressed(counter=int(counter)):
                where = self.translator.bin_of(report.device, report.light)
                return where is not None and self.core.state.confirm_counters.get(where) == counter
            case LabelDone(label_id=label_id, reprint=reprint):
                waiting = self.core.state.unprinted.get(label_id)
                if waiting is not None:
                    return reprint is not None and reprint != waiting.label.reprint
                return label_id in self.core.state.labels and label_id not in self.core.state.uncertain
            case _:
                return False


class _Claims:
    """What the reports before this one in the same batch claimed, judged as the journal will have it once they
    are handled (``DeviceSide.seen_before`` sees only the journal): a bin's press counter (the last one taken for
    that bin), a label reported printed. A report matching a claim is a repeat, exactly as it would be if the
    reports were taken one by one."""

    def __init__(self) -> None:
        self.counters: dict[tuple[str, str], int] = {}
        self.printed: set[str] = set()

    def repeat(self, report: DeviceReport, translator: ReportTranslator) -> bool:
        match report:
            case BinPressed(counter=int(counter)):
                where = translator.bin_of(report.device, report.light)
                return where is not None and self.counters.get(where) == counter
            case LabelDone(label_id=label_id):
                return label_id in self.printed
            case _:
                return False

    def claim(self, report: DeviceReport, translator: ReportTranslator) -> None:
        match report:
            case BinPressed(counter=int(counter)):
                where = translator.bin_of(report.device, report.light)
                if where is not None:
                    self.counters[where] = counter
            case LabelDone(label_id=label_id):
                self.printed.add(label_id)
            case _:
                pass
