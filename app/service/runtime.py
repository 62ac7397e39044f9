"""The sequencer service: the running line, composed of its parts, on one asyncio loop.

The parts, each given what it needs (none reaches into another's attributes):
- ``Sequencing`` (``app.service.sequencing``): the one path into the core: journal first (group commit on the
  single database-writer thread), then the core, then the commands out. Holds the core and the label check.
- ``Intake`` (``app.service.intake``): broadcasts in from the feed link, refused input into quarantine. Read it for
  what happens when a broadcast arrives.
- ``DeviceSide`` (``app.service.device_side``): the PTL and printer drivers, their reports in, lights and labels
  out, the devices restored on start. Read it for what happens when a light is pressed.
- ``HmiSide`` (``app.service.hmi_side``): the HMI bus, the OPC UA line server, the HMI command channel, audit lines.
- ``LightLatency`` (``app.service.latency``): the received -> lit figures.
- ``DiskWatch`` (``app.service.disk_watch``): the free space of the database's folder, alarmed well before full.
- ``NoticeSide`` (``app.service.notices``): ship notices built, journaled and sent; the OEM's answers in.
- the feed link (``app.feed.link``), the watched inbox of partner files (``app.service.inbox``), the alarm
  notifier (``app.service.notify``), the metrics endpoint.

This module wires them: ``Service.run`` starts them in order, one named step each, and serves until cancelled;
``Service.carry_out`` hands each of the core's commands to the part that carries it out (one case per command
type); ``_tick`` lets time pass for the core. On start the journal is replayed into a fresh core and the devices
are brought back to the state it describes, before the feed link takes a broadcast in.

What it must not do: decide anything about the line (the core does), or talk to a device itself (the drivers do).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, assert_never

from app.feed.line_wire import LineStatusMessage
from app.feed.link import FeedLink
from app.feed.notice_wire import NoticeAnswer
from app.hmi.accounts import AccountStore
from app.logjson import startup_log
from app.net.curve_keys import load_curve_server, load_feed_publishers
from app.persist.store import JournalPaused, Store
from app.plant_check import served_endpoints
from app.service.device_side import DeviceSide
from app.service.devices import ReportTranslator, build_printers, build_ptls, build_scanners
from app.service.disk_watch import DiskWatch, watched_folder
from app.service.hmi_side import HmiSide
from app.service.inbox import Inbox
from app.service.intake import Intake
from app.service.label_serials import BLOCK as SERIALS_BLOCK
from app.service.label_serials import LOW as SERIALS_LOW
from app.service.label_serials import SerialFileError, serial_file
from app.service.label_serials import reserve as reserve_serials
from app.service.latency import LightLatency, probe_loop
from app.service.metrics import MetricsServer, metrics_registry
from app.service.notices import NoticeSide
from app.service.notify import Notifier
from app.service.replay import answer_at
from app.service.replenish import Replenisher
from app.service.sequence_check import SequenceCheck
from app.service.sequencing import PAUSING_ERRORS, Outcome, Sequencing
from app.service.trace import matching, traced, traces
from app.signals import raise_if_stop_asked
from plc_io.ports import LabelPrinter, PickToLight
from sequencer.commands import (
    AlarmStateChanged,
    AuditRecord,
    CallReplenishment,
    ClearBin,
    ClearDeviation,
    Command,
    LightBin,
    PartTraced,
    PrintLabel,
    RackClosed,
    RaiseDeviation,
    RequestResend,
    ReturnToStock,
    SendShipNotice,
    ShowBinStock,
    VehicleCompleted,
)
from sequencer.core import Sequencer
from sequencer.events import BroadcastReceived, Event, LabelSerialsReserved, LineStatusReported, Tick
from sequencer.plant import PlantConfig
from sequencer.rules.gtl import serials_left
from sequencer.state import SequencerError

log = logging.getLogger(__name__)

STOP_SUMMARIES_S = 5.0  # seconds a stop waits for the quarantine's last summaries to be journaled
STOP_GRACE_S = 5.0  # a part still running this long after its cancel is cancelled again (and named in the log)
TICK_S = 1.0  # real seconds between ticks: silence, pick time-outs, due times and shelving expiry
RETENTION_EVERY_S = 3600.0  # real seconds between prunings of the quarantine and the audit log (and one at start)


class ExposedSurface(ValueError):
    """The plant profile refuses to start: a ZeroMQ surface listens beyond loopback without its CURVE (``jis serve``
    says so before it gets here, naming the key to set)."""


def scaled_clock(speed: float) -> Callable[[], float]:
    """Plant time running ``speed`` times faster than the wall clock (the accelerated demo); 1.0 is real time."""
    epoch, mono = time.time(), time.monotonic()
    return lambda: epoch + (time.monotonic() - mono) * speed


def lit_on_arrival(event: Event, light: LightBin) -> bool:
    """True if ``light`` was lit by its own broadcast arriving (not later, when its station freed)."""
    return isinstance(event, BroadcastReceived) and (event.feed, event.seq) == (light.feed, light.seq)


class Service:
    """The line's service for ``plant``. ``ptls`` and ``printers``: the device ports to drive (default: the drivers
    the plant file names; tests pass the in-memory fakes of ``plc_io.fakes``)."""

    def __init__(
        self,
        plant: PlantConfig,
        *,
        clock: Callable[[], float] = time.time,
        ptls: Mapping[str, PickToLight] | None = None,
        printers: Mapping[str, LabelPrinter] | None = None,
    ) -> None:
        if exposed := plant.service.exposed_without_curve():  # the plant profile (docs/security.md)
            raise ExposedSurface(exposed[0])
        self.plant = plant
        self.clock = clock
        self.store = Store(plant.service.database)
        self.accounts = AccountStore(self.store.engine)  # HMI users, sessions and the audit log
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self.latency = LightLatency()
        self.sequencing = Sequencing(plant, self.store, self.writer, self.carry_out, clock=clock)
        self.devices = DeviceSide(
            build_ptls(plant) if ptls is None else ptls,
            build_printers(plant) if printers is None else printers,
            ReportTranslator(plant),
            clock=clock,
            sequencing=self.sequencing,
            latency=self.latency,
            scanners=build_scanners(plant),
        )
        fc = plant.service.feed_curve  # only known OEM gateways may publish, each its own feeds (docs/security.md)
        feed_curve = load_curve_server(fc.secret_key, fc.allowed_keys) if fc else None
        publishers = load_feed_publishers(fc.allowed_keys, {f.id: f.gateway_keys for f in plant.feeds}) if fc else None
        self.intake = Intake(
            plant,
            clock=clock,
            store=self.store,
            writer=self.writer,
            sequencing=self.sequencing,
            latency=self.latency,
            publishers=publishers,
        )
        self.feed_link = FeedLink(
            plant.service.feed_endpoint,
            self.intake.accept,
            accept_many=self.intake.accept_many,
            reject=self.intake.reject_frames,
            curve=feed_curve,
            publishers=publishers,
            notice_answer=self._notice_answered,
            line_status=self._line_status,
        )
        self.notices = NoticeSide(plant.ship_notices, clock=clock, sequencing=self.sequencing, link=self.feed_link)
        self.hmi = HmiSide(
            plant,
            clock=clock,
            sequencing=self.sequencing,
            accounts=self.accounts,
            writer=self.writer,
            quarantined=lambda: self.intake.quarantined,
            repeats=lambda: self.intake.duplicates,
        )
        self.notifier = Notifier(plant.notify)  # alarms out to webhooks and e-mail, per priority
        self.replenisher = Replenisher(plant.stock, source=plant.notify.source)  # low bins out to the replenisher
        folder = watched_folder(plant.service.database, plant.service.data_dir)  # a SQLite database's, or data_dir
        serial_folder = Path(plant.service.data_dir) if plant.service.data_dir else folder
        self.serial_path = None if serial_folder is None else serial_file(serial_folder)  # None: the journal only
        self.disk = None if folder is None else DiskWatch(folder, plant.service.disk, clock=clock, submit=self.submit)
        inbox = (
            plant.service.inbox
        )  # partner files dropped into a folder, through the same intake (docs/message-formats.md)
        self.inbox = Inbox(plant, inbox, self.intake.accept, clock) if inbox is not None else None
        self.ready = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []
        self._replayed = False  # a snapshot of a core that was never replayed would say nothing true
        self.audit_pruned = 0  # audit lines pruned by the retention (the metrics)

    @property
    def core(self) -> Sequencer:
        """The line's state, as the journal has it."""
        return self.sequencing.core

    @property
    def check(self) -> SequenceCheck:
        """The independent check of what went onto racks (``out_of_sequence``, ``doubled``)."""
        return self.sequencing.check

    # -- the one door in (manual operations, the demo's lead, tools) ---------------------------------------------
    async def submit(self, event: Event, raw: bytes | None = None) -> list[Command]:
        """Journal, then sequence, then act. A refused event is logged and yields no commands."""
        return await self.sequencing.submit(event, raw)

    async def submit_checked(self, event: Event, raw: bytes | None = None) -> list[Command]:
        """Like ``submit`` but a refusal raises ``SequencerError`` (manual operations answer the person)."""
        return await self.sequencing.submit_checked(event, raw)

    async def submit_once(self, event: Event, identity: str) -> Outcome:
        """Journal, sequence and act unless ``identity`` (an HMI request) is journaled already (``Sequencing``)."""
        return await self.sequencing.submit_once(event, identity)

    async def answer_of(self, journal_id: int) -> list[Command]:
        """The core's answer to journal row ``journal_id`` as it was given (an HMI request asked again after a
        restart); off the event loop: the state just before that row is rebuilt."""
        return await asyncio.to_thread(answer_at, self.store, self.plant, journal_id)

    async def reprocess(self, quarantine_id: int) -> tuple[bool, str]:
        """A lead's operation: a quarantined message through the intake again (``Intake.reprocess``)."""
        return await self.intake.reprocess(quarantine_id)

    async def trace(self, *, vin: str | None, serial: str | None, batch: str | None) -> list[dict[str, Any]]:
        """A lead's question (``TraceParts``): the parts traced, from ``traced_parts`` and the rows the read models
        have not written yet (copied here, on the loop), on a thread of its own. Until the read models are caught
        up at the start, or if they stopped (another writer), a replay of the whole journal answers instead."""
        models = self.sequencing.read_models
        if models is None or models.stopped:
            found = matching(
                await asyncio.to_thread(traces, self.store, self.plant), vin=vin, serial=serial, batch=batch
            )
        else:
            ask = functools.partial(traced, vin=vin, serial=serial, batch=batch, unwritten=models.unwritten_traces())
            found = await asyncio.to_thread(ask, self.store, self.plant)
        return [t.as_dict() for t in found]

    async def _notice_answered(self, answer: NoticeAnswer) -> None:
        await self.notices.answered(answer)

    async def _line_status(self, status: LineStatusMessage) -> None:
        """The OEM line's status, journaled once per change (the gateway repeats it with its heartbeats)."""
        event = LineStatusReported(
            at=self.clock(),
            feed=status.feed,
            state=status.state,
            rate_per_h=status.rate_per_h,
            reporting_point=status.reporting_point,
        )
        try:
            await self.submit_once(event, status.identity())
        except SequencerError as exc:
            log.warning("line status refused: %s", exc)
        except JournalPaused:  # not stored: the gateway's next repeat brings it again
            log.warning("line status of %s not stored: the journal is paused", status.feed)

    # -- lifecycle ------------------------------------------------------------------------------------------
    async def run(self) -> None:
        """Start the line, one step after the other, serve until cancelled, then shut down cleanly (also when
        cancelled part-way through starting: ``jis serve`` and ``jis demo`` stop at any moment)."""
        try:
            await self._replay_journal()
            self.devices.restore_counters()  # before any driver polls a light
            self._start_sequencing()
            await self._reserve_serials()  # before any label can be asked for
            await self._start_metrics()
            self._open_hmi_bus()
            self._start_devices()
            self._start_publishing()
            self._start_ticks()
            self._watch_disk()
            await self._restore_devices()
            self.notices.restore()  # notices asked for and never journaled as leaving: sent now
            self._start_feed()
            self._start_inbox()
            self._serve_hmi_commands()
            self._announce_ready()
            raise_if_stop_asked()  # a stop asked while starting, and swallowed on the way, is not lost
            await self._serve()
        finally:
            await self._shut_down()

    async def _serve(self) -> None:
        """Until a part fails (its exception ends the service) or a stop: then, while every part still runs, the
        quarantine's summaries of what it counted in the current window are written (``_last_summaries``)."""
        try:
            done, _ = await asyncio.wait(self._tasks, return_when=asyncio.FIRST_EXCEPTION)
        except asyncio.CancelledError:
            await self._last_summaries()
            raise
        for task in done:
            task.result()

    async def _last_summaries(self) -> None:
        """At a stop, each source's frames counted and not stored since its window began: one summary row and a
        ``QuarantineFlood`` each, as at the window's end (the hostile campaign: a stop lost them, 10,000 frames
        answered "counted" and written nowhere). Bounded: a paused journal or a slow one does not hold the stop."""
        try:
            async with asyncio.timeout(STOP_SUMMARIES_S):
                await self.intake.flush_floods(everything=True)
        except PAUSING_ERRORS as exc:
            log.error("quarantine: the last summaries were not written at the stop: %r", exc)
        except (TimeoutError, JournalPaused) as exc:
            log.error("quarantine: the last summaries were not written at the stop: %r", exc)

    async def _replay_journal(self) -> None:
        """The core as the journal left it (newest snapshot plus the rows after it), and the quarantine's count."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.writer, self.sequencing.replay)
        await loop.run_in_executor(self.writer, self.intake.count_quarantined)
        self._replayed = True

    def _start_sequencing(self) -> None:
        """The one path into the core, and the alarm notifier its deviations go out through."""
        self._tasks.append(asyncio.create_task(self.sequencing.run(), name="sequencer"))
        self._tasks.append(asyncio.create_task(self.notifier.run(), name="notify"))
        self._tasks.append(asyncio.create_task(self.replenisher.run(), name="replenish"))

    async def _reserve_serials(self) -> None:
        """A fresh block of label serials (``app.service.label_serials``): at each start, so a database swapped or
        restored never issues a serial twice, and again before the block runs low (``_tick``)."""
        journaled = self.core.state.serial_last
        if self.serial_path is None:  # a database server and no data folder: beyond the journal's block only
            log.warning("label serials: no data folder ([service] data_dir) to keep the serial file in")
            first, last = journaled + 1, journaled + SERIALS_BLOCK
        else:
            loop = asyncio.get_running_loop()
            first, last = await loop.run_in_executor(self.writer, reserve_serials, self.serial_path, journaled)
        await self.submit(LabelSerialsReserved(at=self.clock(), first=first, last=last))

    async def _start_metrics(self) -> None:
        """Prometheus ``/metrics``, if the plant asks for it: listening before the service says it is ready; with it
        the event loop's lag probe (``latency.probe_loop``, 10 wake-ups a second), which only the endpoint shows."""
        svc = self.plant.service
        if svc.metrics_port is None:
            return
        metrics = MetricsServer(
            metrics_registry(self, (self.notifier, self.replenisher)), host=svc.metrics_host, port=svc.metrics_port
        )
        await metrics.start()
        self._tasks.append(asyncio.create_task(metrics.run(), name="metrics"))
        self._tasks.append(asyncio.create_task(probe_loop(self.latency.loop_lag), name="loop-lag"))

    def _open_hmi_bus(self) -> None:
        """The HMI bus and the OPC UA line server, showing the line as replayed (a line server that does not start
        ends the service, unless the plant file calls it optional)."""
        self._tasks.append(self.hmi.open_bus())
        self._tasks.append(asyncio.create_task(self.hmi.line_server_started(), name="line-server-start"))

    def _start_devices(self) -> None:
        """Every driver's owning task, and the task that takes their reports to the core."""
        self._tasks.extend(self.devices.start())

    def _start_publishing(self) -> None:
        """Pictures of the line to the HMI bus and the line server."""
        self._tasks.append(asyncio.create_task(self.hmi.publish(), name="hmi-bus"))

    def _start_ticks(self) -> None:
        """Time passing for the core (``_tick``), and the retention of the quarantine and the audit log."""
        self._tasks.append(asyncio.create_task(self._tick(), name="tick"))
        self._tasks.append(asyncio.create_task(self._retention(), name="retention"))

    def _watch_disk(self) -> None:
        """The free space of the database's folder: alarms well before a full disk pauses the journal."""
        if self.disk is not None:
            self._tasks.append(asyncio.create_task(self.disk.run(), name="disk-watch"))

    async def _restore_devices(self) -> None:
        """Lit bins lit again, labels queued again or uncertain; journaled faults no driver confirms, cleared."""
        await self.devices.restore()
        reconcile = self.devices.reconcile_faults(self.core.state.devices_down | set(self.core.state.printer_faults))
        self._tasks.append(asyncio.create_task(reconcile, name="reconcile"))

    def _start_feed(self) -> None:
        """Broadcasts in: only now, with the line as the journal left it."""
        self._tasks.append(asyncio.create_task(self.feed_link.run(), name="feed-link"))

    def _start_inbox(self) -> None:
        """Partner files from the watched folder, once the feed takes broadcasts in (``app.service.inbox``)."""
        if self.inbox is not None:
            self.inbox.prepare()  # the folders are there once the service says it is up
            self._tasks.append(asyncio.create_task(self.inbox.run(), name="inbox"))

    def _serve_hmi_commands(self) -> None:
        self._tasks.append(self.hmi.serve_commands(self))

    def _announce_ready(self) -> None:
        """One start-up line per endpoint served (shown at the default log level), then "service up"."""
        for line in served_endpoints(self.plant):
            startup_log.info("%s", line)
        devices = [*self.plant.devices.ptl, *self.plant.devices.printers, *self.plant.devices.scanners]
        startup_log.info("service up: devices %s", ", ".join(devices) or "none")
        self.ready.set()

    async def _shut_down(self) -> None:
        """Every part that started stops, and a snapshot is left behind for a fast next start."""
        for t in self._tasks:
            if not t.cancelling():  # a gather that was cancelled has cancelled its tasks already: once is enough
                t.cancel()
        _, late = await asyncio.wait(self._tasks, timeout=STOP_GRACE_S) if self._tasks else (set(), set())
        for t in late:  # its cancel was swallowed on the way (a library's wait, a race): a stop is never a hang
            log.warning("%s did not stop within %.0f s of its cancel; cancelled again", t.get_name(), STOP_GRACE_S)
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.hmi.stop_line_server()
        self.feed_link.close()
        self.hmi.close()
        if self._replayed and not self.sequencing.behind:  # never a core ahead of its journal (a pause's alarm)
            self.writer.submit(self.sequencing.snapshot)  # a fast next start
        self.writer.shutdown(wait=True)
        self.store.close()

    # -- the core's commands, carried out ----------------------------------------------------------------------
    def carry_out(self, event: Event, commands: list[Command]) -> None:
        """Each command the core answered ``event`` with, to the part that carries it out. The core's only way
        out; one case per command type (a new one fails the type check until it is handled here)."""
        for command in commands:
            match command:
                case LightBin():
                    self.latency.bin_lit(
                        command.feed, command.seq, command.pick_id, on_arrival=lit_on_arrival(event, command)
                    )
                    self.devices.show_light(command)
                case ClearBin():
                    self.devices.clear_light(command)
                case PrintLabel():
                    self.devices.print_label(command)
                case ReturnToStock():
                    log.warning(
                        "%s: return %s from rack %d slot %d to bin %s",
                        command.station,
                        command.part,
                        command.rack_no,
                        command.slot,
                        command.bin,
                    )
                case CallReplenishment():
                    log.warning(
                        "%s: bin %s low (%d left), replenishment called", command.station, command.bin, command.stock
                    )
                    self.replenisher.call(command)
                case ShowBinStock():
                    self.devices.show_stock(command)
                case RequestResend():
                    self.feed_link.request_resend(command.feed, command.from_seq, command.to_seq)
                    log.warning("gap on %s: resend %d..%d requested", command.feed, command.from_seq, command.to_seq)
                case RaiseDeviation():
                    log.warning(
                        "deviation %d P%d %s: %s", command.deviation_id, command.priority, command.kind, command.message
                    )
                    self.notifier.notify(command)
                case AuditRecord():
                    self.hmi.audit(command)
                case VehicleCompleted():
                    self.latency.vehicle_completed(command.feed, command.seq)
                case ClearDeviation():
                    log.debug("%r", command)  # the screens show it from the core's alarm table
                case RackClosed():
                    log.debug("%r", command)  # its rack label came as a PrintLabel; the screens show the rack
                case AlarmStateChanged():
                    log.debug("%r", command)  # the screens show it from the core's alarm table
                case SendShipNotice():
                    self.notices.send(command)
                case PartTraced():
                    log.info(
                        "%s: %s %s serial %r batch %r traced to %s %s",
                        command.station,
                        command.family,
                        command.part,
                        command.serial,
                        command.batch,
                        command.feed,
                        command.seq,
                    )
                case _:
                    assert_never(command)

    async def _tick(self) -> None:
        """Time passes for the core only through journaled ticks, so a replay sees the same alarms."""
        while True:
            await asyncio.sleep(TICK_S)
            self.devices.drain_label_backlog()
            self.latency.forget_stale(time.monotonic())
            if self.sequencing.paused:  # a paused journal: time passes again with the next tick after it
                continue
            self.notices.resend_unanswered()
            if serials_left(self.core.state) < SERIALS_LOW:
                try:
                    await self._reserve_serials()
                except SerialFileError as exc:  # labels still take the serials left; tried again next tick
                    log.error("%s", exc)
            try:
                await self.intake.flush_floods()  # the quarantine's summaries of what it counted, not stored
            except PAUSING_ERRORS as exc:  # the database refused a write meanwhile: the tick goes on
                log.error("quarantine summaries not written: %s", exc)
            if not self.sequencing.paused:  # (it may have paused meanwhile: a tick would be refused)
                await self.submit(Tick(at=self.clock()))

    async def _retention(self) -> None:
        """Quarantine rows and audit lines past their retention (``[service.quarantine]``, ``[service.audit]``)
        pruned on the writer thread, at start and then every ``RETENTION_EVERY_S``; a failure is logged and tried
        again next time."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                await loop.run_in_executor(self.writer, self.intake.prune)
                await loop.run_in_executor(self.writer, self._prune_audit)
            except Exception:
                log.exception("retention: pruning failed; trying again in %.0f s", RETENTION_EVERY_S)
            await asyncio.sleep(RETENTION_EVERY_S)

    def _prune_audit(self) -> None:
        now = self.clock()
        self.audit_pruned += self.accounts.audit_prune(now - self.plant.service.audit.retention_days * 86_400, at=now)
