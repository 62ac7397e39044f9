"""The sequencer service: intake -> journal -> core -> devices, and the HMI bus, on one asyncio loop.

Order of work for every event: commit it to the journal (on the single database-writer thread), hand it to the
core, carry out the commands. One lock serialises that path so the journal order is the order the core saw.
The feed link acknowledges a broadcast only after ``accept`` returns, i.e. after the commit. On start the
journal is replayed into a fresh core and the devices are brought back to the state it describes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import zmq
import zmq.asyncio

from app.devices import ReportTranslator, build_printers, build_ptls
from app.feed_link import FeedLink
from app.feed_protocol import Ack, BadBroadcast, decode_broadcast
from app.hmi_bus import HmiPublisher
from app.sequence_check import SequenceCheck
from app.store import Store
from plc_io.ports import Colour, DeviceReport, LabelPrinter, LightShown, PickToLight
from sequencer.commands import (
    AuditRecord,
    ClearBin,
    Command,
    LightBin,
    PrintLabel,
    RaiseDeviation,
    RequestResend,
    ReturnToStock,
    VehicleCompleted,
)
from sequencer.core import Sequencer, SequencerError
from sequencer.events import BroadcastReceived, BroadcastRejected, Event, Tick
from sequencer.plant import PlantConfig
from sequencer.projection import line_view

log = logging.getLogger(__name__)

REPORT_QUEUE = 10_000  # device reports waiting for the core; overflow is logged as an error, never silent
HMI_MAX_RATE_HZ = 10
HMI_HEARTBEAT_S = 1.0
TICK_S = 1.0  # real seconds between ticks: silence, pick time-outs, due times and shelving expiry


def scaled_clock(speed: float) -> Callable[[], float]:
    """Plant time running ``speed`` times faster than the wall clock (the accelerated demo); 1.0 is real time."""
    epoch, mono = time.time(), time.monotonic()
    return lambda: epoch + (time.monotonic() - mono) * speed


class Service:
    def __init__(self, plant: PlantConfig, *, clock: Callable[[], float] = time.time) -> None:
        self.plant = plant
        self.clock = clock
        self.core = Sequencer(plant)
        self.store = Store(plant.service.database)
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self.ptls: dict[str, PickToLight] = build_ptls(plant)
        self.printers: dict[str, LabelPrinter] = build_printers(plant)
        self.translator = ReportTranslator(plant)
        self.check = SequenceCheck(plant)
        self.ctx = zmq.asyncio.Context()
        self.feed_link = FeedLink(plant.service.feed_endpoint, self.accept, reject=self.reject_frames)
        self.hmi: HmiPublisher | None = None
        self.quarantined = 0
        self.latencies_ms: deque[float] = deque(maxlen=200_000)
        self.ready = asyncio.Event()
        self._lock = asyncio.Lock()
        self._reports: asyncio.Queue[tuple[DeviceReport, float]] = asyncio.Queue(REPORT_QUEUE)
        self._received: dict[tuple[str, int], float] = {}  # (feed, seq) -> monotonic receive time
        self._lit_since: dict[int, float] = {}  # pick id -> receive time of its broadcast
        self._rev = 0
        self._dirty = True
        self._tasks: list[asyncio.Task[Any]] = []

    # -- lifecycle ------------------------------------------------------------------------------------------
    async def run(self) -> None:
        """Start everything, serve until cancelled, then shut down cleanly."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.writer, self._replay)
        self.quarantined = await loop.run_in_executor(self.writer, self.store.quarantine_count)
        self.hmi = HmiPublisher(self.ctx, self.plant.service.hmi_endpoint)
        for name, dev in {**self.ptls, **self.printers}.items():
            self._tasks.append(asyncio.create_task(dev.run(self._on_report), name=f"device:{name}"))
        self._tasks.append(asyncio.create_task(self._consume_reports(), name="device-reports"))
        self._tasks.append(asyncio.create_task(self._publish_hmi(), name="hmi-bus"))
        self._tasks.append(asyncio.create_task(self._tick(), name="tick"))
        self._restore_devices()
        self._tasks.append(asyncio.create_task(self.feed_link.run(), name="feed-link"))
        log.info("service up: feed %s, HMI %s", self.plant.service.feed_endpoint, self.plant.service.hmi_endpoint)
        self.ready.set()
        try:
            await asyncio.gather(*self._tasks)
        finally:
            for t in self._tasks:
                t.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            self.feed_link.close()
            if self.hmi:
                self.hmi.close()
            self.ctx.term()
            self.writer.shutdown(wait=True)
            self.store.close()

    def _replay(self) -> None:
        """Rebuild the core from the journal; commands are not re-executed (devices are restored instead)."""
        replayed = 0
        for _, event in self.store.journal():
            try:
                for cmd in self.core.handle(event):
                    if isinstance(cmd, PrintLabel):
                        self.check.label(cmd.label)
                    elif isinstance(cmd, ReturnToStock):
                        self.check.returned(cmd.feed, cmd.family, cmd.rack_no, cmd.slot)
            except SequencerError:
                pass  # it was refused the first time too: the core is deterministic
            replayed += 1
        if replayed:
            log.info("replayed %d journal events", replayed)

    def _restore_devices(self) -> None:
        """Bring lights and printers to the state the journal describes: lit bins lit, unprinted labels queued."""
        for st in self.core.stations.values():
            if st.lit is not None:
                pick = self.core.picks[st.lit]
                self.ptls[st.cfg.ptl].show(
                    st.light_of_bin[pick.bin], colour=Colour.GREEN, flash=False, display=pick.qty, token=pick.pick_id
                )
        for cmd in self.core.pending_labels():
            self.printers[cmd.printer].print_label(cmd.label)

    # -- the one path into the core -------------------------------------------------------------------------
    async def submit(self, event: Event, raw: bytes | None = None) -> list[Command]:
        """Journal, then sequence, then act. A refused event is logged and yields no commands."""
        try:
            return await self.submit_checked(event, raw)
        except SequencerError as exc:
            log.error("event refused by the sequencer: %s (%r)", exc, event)
            return []

    async def submit_checked(self, event: Event, raw: bytes | None = None) -> list[Command]:
        """Like ``submit`` but a refusal raises ``SequencerError`` (manual operations answer the person)."""
        async with self._lock:
            await asyncio.get_running_loop().run_in_executor(self.writer, self.store.append, event, raw)
            commands = self.core.handle(event)
            self._dispatch(commands)
            self._dirty = True
            return commands

    def _dispatch(self, commands: list[Command]) -> None:
        for cmd in commands:
            match cmd:
                case LightBin():
                    self._lit_since[cmd.pick_id] = self._received.get((cmd.feed, cmd.seq), time.monotonic())
                    colour = Colour.RED if cmd.alarm else Colour.GREEN  # red flash: blocked after a wrong pick
                    self.ptls[cmd.device].show(
                        cmd.light, colour=colour, flash=cmd.alarm, display=cmd.display, token=cmd.pick_id
                    )
                case ClearBin():
                    self.ptls[cmd.device].clear(cmd.light)
                case PrintLabel():
                    self.check.label(cmd.label)
                    self.printers[cmd.printer].print_label(cmd.label)
                case ReturnToStock():
                    self.check.returned(cmd.feed, cmd.family, cmd.rack_no, cmd.slot)
                    log.warning(
                        "%s: return %s from rack %d slot %d to bin %s",
                        cmd.station,
                        cmd.part,
                        cmd.rack_no,
                        cmd.slot,
                        cmd.bin,
                    )
                case RequestResend():
                    self.feed_link.request_resend(cmd.feed, cmd.from_seq, cmd.to_seq)
                    log.warning("gap on %s: resend %d..%d requested", cmd.feed, cmd.from_seq, cmd.to_seq)
                case RaiseDeviation():
                    log.warning("deviation %d P%d %s: %s", cmd.deviation_id, cmd.priority, cmd.kind, cmd.message)
                case AuditRecord():
                    self.audit(cmd)
                case VehicleCompleted():
                    self._received.pop((cmd.feed, cmd.seq), None)
                case _:
                    log.debug("%r", cmd)

    def audit(self, record: AuditRecord) -> None:
        """Every manual operation carried out; the audit store replaces this hook where one is wired."""
        log.info("audit: %s %s %s (%s): %s", record.user, record.action, record.target, record.reason, record.result)

    # -- intake ---------------------------------------------------------------------------------------------
    async def accept(self, raw: bytes) -> Ack:
        """Called by the feed link for every broadcast; the ack goes out only after this returns."""
        try:
            msg = decode_broadcast(raw)
        except BadBroadcast as exc:
            return await self._quarantine(raw, str(exc), "feed")
        if self.plant.feed(msg.feed) is None:
            return await self._quarantine(raw, f"unknown feed {msg.feed!r}", "feed", feed=msg.feed, seq=msg.seq)
        self._received.setdefault((msg.feed, msg.seq), time.monotonic())
        feed = self.core.feeds[msg.feed]
        duplicates = feed.duplicates
        event = BroadcastReceived(
            at=self.clock(),
            feed=msg.feed,
            seq=msg.seq,
            vehicle_id=msg.vehicle_id,
            function=msg.function,
            firm=msg.firm,
            options=tuple(msg.options),
            parts=tuple(sorted(msg.parts.items())),
            sent_at=msg.sent_at,
        )
        await self.submit(event, raw)
        status = "duplicate" if feed.duplicates > duplicates else "accepted"
        return Ack(feed=msg.feed, seq=msg.seq, status=status)

    async def reject_frames(self, frames: list[bytes], reason: str) -> None:
        await self._quarantine(b"\x00".join(frames), reason, "feed")

    async def _quarantine(self, raw: bytes, reason: str, source: str, feed: str = "", seq: int | None = None) -> Ack:
        """Keep refused input with its reason and raw bytes, show it as a deviation, and answer the sender."""
        at = self.clock()
        qid = await asyncio.get_running_loop().run_in_executor(
            self.writer, self.store.quarantine, at, source, reason, raw
        )
        self.quarantined += 1
        log.error("quarantined #%d from %s: %s", qid, source, reason)
        await self.submit(BroadcastRejected(at=at, reason=reason, feed=feed, seq=seq, quarantine_id=qid))
        return Ack(feed=feed, seq=seq, status="quarantined", reason=reason)

    # -- devices --------------------------------------------------------------------------------------------
    def _on_report(self, report: DeviceReport) -> None:
        if isinstance(report, LightShown):
            since = self._lit_since.pop(report.token, None)
            if since is not None:
                self.latencies_ms.append((time.monotonic() - since) * 1000)
            return
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

    async def _tick(self) -> None:
        """Time passes for the core only through journaled ticks, so a replay sees the same alarms."""
        while True:
            await asyncio.sleep(TICK_S)
            await self.submit(Tick(at=self.clock()))

    # -- HMI bus --------------------------------------------------------------------------------------------
    def view(self):  # -> LineView
        self._rev += 1
        vehicles = sum(f.broadcasts for f in self.core.feeds.values())
        return line_view(
            self.core, rev=self._rev, at=self.clock(), quarantined=self.quarantined, vehicles_broadcast=vehicles
        )

    async def _publish_hmi(self) -> None:
        assert self.hmi is not None
        last = 0.0
        while True:
            await asyncio.sleep(1 / HMI_MAX_RATE_HZ)
            now = time.monotonic()
            if self._dirty or now - last >= HMI_HEARTBEAT_S:
                self._dirty = False
                last = now
                await self.hmi.publish(self.view())
