"""The sequencer service: intake -> journal -> core -> devices, and the HMI bus, on one asyncio loop.

Order of work for every event: commit it to the journal (on the single database-writer thread), hand it to the
core, carry out the commands. One task (``_sequence``) owns that path, committing whatever is waiting as one
batch (group commit), so the journal order is the order the core saw.
The feed link acknowledges a broadcast only after ``accept`` returns, i.e. after the commit. On start the
journal is replayed into a fresh core and the devices are brought back to the state it describes.
The intake (``app.service.intake``) and the device side (``app.service.device_side``) are the service's other two parts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import zmq
import zmq.asyncio
from sqlalchemy.exc import OperationalError

from app.feed.link import FeedLink
from app.hmi.accounts import AccountStore
from app.hmi.bus import HmiPublisher
from app.hmi.commands import HmiCommandServer
from app.net.curve_keys import load_curve_server
from app.persist.read_models import Pending, ReadModels
from app.persist.store import ReadModelWrites, Store
from app.service.device_side import DeviceSide
from app.service.devices import ReportTranslator, build_printers, build_ptls
from app.service.intake import Intake
from app.service.metrics import MetricsServer, service_metrics
from app.service.notify import Notifier
from app.service.replay import Snapshotter, rebuild
from app.service.sequence_check import SequenceCheck
from plc_io.line_server.server import LineServer, LineServerThread
from plc_io.ports import (
    DeviceReport,
    LabelPrinter,
    PickToLight,
)
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
from sequencer.events import (
    BroadcastReceived,
    Event,
    Tick,
)
from sequencer.plant import PlantConfig
from sequencer.projection import line_view
from sequencer.views import LineView

Waiting = tuple[Event, bytes | None, asyncio.Future[tuple[list[Command], bool]]]  # an event for the sequencing task
log = logging.getLogger(__name__)

REPORT_QUEUE = 10_000  # device reports waiting for the core; overflow is logged as an error, never silent
HMI_MAX_RATE_HZ = 10
HMI_HEARTBEAT_S = 1.0
HMI_LOOP_SHARE = 0.2  # at most this share of the event loop goes to pictures (thousands of open alarms are slow)
JOURNAL_BATCH = 500  # events committed in one transaction at most (group commit)
# Another connection holding SQLite's write lock past busy_timeout (5 s) fails a commit with "database is locked";
# nothing was written, so the batch is tried again, this many times, before it fails as any write failure does.
JOURNAL_LOCKED_RETRIES, JOURNAL_LOCKED_WAIT_S = 6, 0.5
TICK_S = 1.0  # real seconds between ticks: silence, pick time-outs, due times and shelving expiry
# Real seconds a receive time, or a pick lit but not yet shown, is kept for the latency figures: the one
# that never gets its end (a cancelled vehicle, an identical resend, a light command replaced in the driver's
# outbox before it was sent) is forgotten on the tick, so these maps stay bounded (rate x this).
LATENCY_KEEP_S = 600.0


def _log_audit_failure(written: Future[int]) -> None:
    if written.exception() is not None:
        log.error("audit write failed: %r", written.exception())


def forget_before(entries: dict[Any, Any], cutoff: float, stamp: Callable[[Any], float]) -> int:
    """Pop entries from the front of ``entries`` (kept in time order) while their ``stamp`` is before ``cutoff``;
    returns how many went. Stops at the first young one: a few dict operations a tick, not a scan."""
    gone = 0
    while entries:
        key = next(iter(entries))
        if stamp(entries[key]) >= cutoff:
            break
        del entries[key]
        gone += 1
    return gone


def scaled_clock(speed: float) -> Callable[[], float]:
    """Plant time running ``speed`` times faster than the wall clock (the accelerated demo); 1.0 is real time."""
    epoch, mono = time.time(), time.monotonic()
    return lambda: epoch + (time.monotonic() - mono) * speed


class Service(Intake, DeviceSide):
    def __init__(self, plant: PlantConfig, *, clock: Callable[[], float] = time.time) -> None:
        self.plant = plant
        self.clock = clock
        self.core = Sequencer(plant)
        self.store = Store(plant.service.database)
        self.accounts = AccountStore(self.store.engine)  # HMI users, sessions and the audit log
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self.ptls: dict[str, PickToLight] = build_ptls(plant)
        self.printers: dict[str, LabelPrinter] = build_printers(plant)
        for printer in self.printers.values():
            printer.before_sending(self._label_leaving)  # write-ahead: journaled before a label leaves
        self.translator = ReportTranslator(plant)
        self.check = SequenceCheck(plant)
        self.snapshots = Snapshotter(self.store, plant)
        self.journal_id = 0  # the last journal row the core has handled
        self.ctx = zmq.asyncio.Context()
        # The HMI's sockets get a context of their own: CURVE's ZAP handler is one per context (app/net/curve_guard.py).
        self.hmi_ctx = zmq.asyncio.Context()
        fc = plant.service.feed_curve  # only known OEM gateways may publish (docs/feed-protocol.md)
        curve = load_curve_server(fc.secret_key, fc.allowed_keys) if fc else None
        self.feed_link = FeedLink(
            plant.service.feed_endpoint,
            self.accept,
            accept_many=self.accept_many,
            reject=self.reject_frames,
            curve=curve,
        )
        self.hmi: HmiPublisher | None = None
        self.hmi_commands: HmiCommandServer | None = None
        self.notifier = Notifier(plant.notify)  # alarms out to webhooks and e-mail, per priority
        self.metrics: MetricsServer | None = None
        ua_cfg = plant.service.opcua_server  # the line for SCADA and MES (docs/opcua.md); None: off
        self.opcua_server: LineServerThread | None = None
        if ua_cfg is not None:  # on its own thread: its clients never hold up this loop
            self.opcua_server = LineServerThread(LineServer.from_config(ua_cfg, name=f"JIS {plant.plant.name}"))
        self.quarantined = 0
        self.latencies_ms: deque[float] = deque(maxlen=200_000)  # received -> lit, bins lit on arrival
        self.queued_ms: deque[float] = deque(maxlen=200_000)  # received -> lit, bins that waited for their station
        self.ready = asyncio.Event()
        self._pending: asyncio.Queue[Waiting] = (
            asyncio.Queue()  # bounded in practice by the feed link's high-water mark and one HMI command at a time
        )
        self._reports: asyncio.Queue[tuple[DeviceReport, float]] = asyncio.Queue(REPORT_QUEUE)
        self._received: dict[tuple[str, int], float] = {}  # (feed, seq) -> monotonic receive time
        self._feed_ids = frozenset(f.id for f in plant.feeds)
        # pick id -> (receive time, lit on arrival, lit at); in the order lit
        self._lit_since: dict[int, tuple[float, bool, float]] = {}
        self._arriving: tuple[str, int] | None = None  # (feed, seq) of the broadcast being handled
        self._rev = 0
        self._dirty = True
        self._tasks: list[asyncio.Task[Any]] = []
        self._reported_faulty: set[str] = set()  # devices the drivers of this process reported down or faulted
        self._label_backlog: dict[str, deque[PrintLabel]] = {}  # printer -> labels waiting for outbox room

    # -- lifecycle ------------------------------------------------------------------------------------------
    async def run(self) -> None:
        """Start everything, serve until cancelled, then shut down cleanly."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.writer, self._replay)
        self.quarantined = await loop.run_in_executor(self.writer, self.store.quarantine_count)
        self._restore_counters()  # before any driver polls a light
        self._tasks.append(asyncio.create_task(self._sequence(), name="sequencer"))
        self._tasks.append(asyncio.create_task(self.notifier.run(), name="notify"))
        if self.plant.service.metrics_port is not None:
            self.metrics = MetricsServer(
                lambda: service_metrics(self) + self.notifier.metrics(),
                host=self.plant.service.metrics_host,
                port=self.plant.service.metrics_port,
            )
            await self.metrics.start()  # listening before the service says it is ready
            self._tasks.append(asyncio.create_task(self.metrics.run(), name="metrics"))
        svc = self.plant.service
        hc = svc.hmi_curve  # only listed screens see the bus and reach the commands (docs/hmi-bus.md)
        hmi_curve = load_curve_server(hc.secret_key, hc.allowed_keys) if hc else None
        self.hmi = HmiPublisher(self.hmi_ctx, svc.hmi_endpoint, svc.hmi_snapshot_endpoint, curve=hmi_curve)
        if self.opcua_server is not None:
            self.opcua_server.start(self.view())
        self._tasks.append(asyncio.create_task(self.hmi.run(), name="hmi-snapshots"))
        devices: list[tuple[str, PickToLight | LabelPrinter]] = [*self.ptls.items(), *self.printers.items()]
        for name, dev in devices:
            self._tasks.append(asyncio.create_task(dev.run(self._on_report), name=f"device:{name}"))
        self._tasks.append(asyncio.create_task(self._consume_reports(), name="device-reports"))
        self._tasks.append(asyncio.create_task(self._publish_hmi(), name="hmi-bus"))
        self._tasks.append(asyncio.create_task(self._tick(), name="tick"))
        await self._restore_devices()
        self._tasks.append(
            asyncio.create_task(self._reconcile_faults(set(self.core.state.device_faults)), name="reconcile")
        )
        self._tasks.append(asyncio.create_task(self.feed_link.run(), name="feed-link"))
        endpoint = self.plant.service.hmi_command_endpoint
        self.hmi_commands = HmiCommandServer(
            self, self.accounts, endpoint, context=self.hmi_ctx, executor=self.writer, curve=self.hmi.guard
        )
        self._tasks.append(asyncio.create_task(self.hmi_commands.run(), name="hmi-commands"))
        log.info("service up: feed %s, HMI %s", self.plant.service.feed_endpoint, self.plant.service.hmi_endpoint)
        self.ready.set()
        try:
            await asyncio.gather(*self._tasks)
        finally:
            for t in self._tasks:
                t.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            if self.opcua_server is not None:
                await self.opcua_server.stop()
            self.feed_link.close()
            if self.hmi:
                self.hmi.close()
            self.hmi_ctx.term()
            self.ctx.term()
            self.writer.submit(self.snapshots.take, self.core, self.check, self.journal_id)  # a fast next start
            self.writer.shutdown(wait=True)
            self.store.close()

    def _replay(self) -> None:
        """Rebuild the core from the newest snapshot plus the journal after it (``replay``); commands are not
        re-executed (devices are restored instead)."""
        state = rebuild(self.store, self.plant)
        self.core, self.check, self.journal_id = state.core, state.check, state.last_id
        self.snapshots.last_id = state.snapshot.journal_id if state.snapshot else 0
        if state.replayed or state.snapshot:
            log.info("replayed %d journal events up to row %d", state.replayed, state.last_id)

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
        commands, _ = await self._enqueue(event, raw)
        return commands

    def _enqueue(self, event: Event, raw: bytes | None) -> asyncio.Future[tuple[list[Command], bool]]:
        """Queue the event for the sequencing task now (callers keep their order by calling in order)."""
        done: asyncio.Future[tuple[list[Command], bool]] = asyncio.get_running_loop().create_future()
        self._pending.put_nowait((event, raw, done))
        return done

    async def _sequence(self) -> None:
        """The one path into the core, with group commit: every event waiting is journaled in one transaction,
        then handed to the core in arrival order. A catch-up of thousands of resent broadcasts costs a few
        commits instead of one each; a lone broadcast still gets its own commit at once."""
        loop = asyncio.get_running_loop()
        read_models = ReadModels()  # written with the next batch's journal rows (app.persist.read_models)
        state = self.store, self.plant, self.core, self.journal_id
        try:
            log.info("read models %s", await loop.run_in_executor(self.writer, read_models.resume, *state))
        except Exception:  # a projection never stops the line; `jis migrate read-models` rebuilds it
            log.exception("read models not brought up to date at the start")
        try:
            while True:
                batch = [await self._pending.get()]
                while len(batch) < JOURNAL_BATCH and not self._pending.empty():
                    batch.append(self._pending.get_nowait())
                rows = read_models.due(time.monotonic())
                items = [(e, r) for e, r, _ in batch]
                journaling = asyncio.create_task(self._journal(items, rows))
                try:
                    ids = await asyncio.shield(journaling)
                except asyncio.CancelledError:
                    # A stop while the batch commits: the commit goes on in the writer thread, so finish it and
                    # hand its events to the core; the core then holds everything the journal does.
                    with contextlib.suppress(Exception):
                        self._handle_batch(batch, await journaling, rows, read_models)
                    raise
                except Exception as exc:  # not journaled, so not handled and not acknowledged: the sender retries
                    log.error("journal write failed for %d event(s): %r", len(batch), exc)
                    for _, _, done in batch:
                        if not done.done():
                            done.set_exception(exc)
                    continue
                self._handle_batch(batch, ids, rows, read_models)
                if self.snapshots.due(self.journal_id):  # between batches: the core cannot change while pickled
                    await loop.run_in_executor(self.writer, self.snapshots.take, self.core, self.check, self.journal_id)
        finally:  # a clean stop: the last batch's rows, before the final snapshot
            if (rows := read_models.pending()) is not None:
                self.writer.submit(self.store.write_read_models, rows)

    def _handle_batch(
        self, batch: list[Waiting], ids: list[int], rows: Pending | None, read_models: ReadModels
    ) -> None:
        """A committed batch: the core takes its events in journal order; the read models follow."""
        read_models.written(rows)
        self.journal_id = ids[-1]
        for (event, _, done), journal_id in zip(batch, ids, strict=True):
            read_models.observe(self.core, journal_id, event, self._handle(event, done))
        self._dirty = True

    async def _journal(
        self, items: list[tuple[Event, bytes | None]], read_models: ReadModelWrites | None = None
    ) -> list[int]:
        """Commit a batch on the writer thread; retried (bounded) while the database is locked by another writer."""
        loop = asyncio.get_running_loop()
        for attempt in range(1, JOURNAL_LOCKED_RETRIES + 1):
            try:
                return await loop.run_in_executor(self.writer, self.store.append_many, items, read_models)
            except OperationalError as exc:
                if "database is locked" not in str(exc) or attempt == JOURNAL_LOCKED_RETRIES:
                    raise
                log.warning("journal locked by another connection (attempt %d): %d event(s) wait", attempt, len(items))
                await asyncio.sleep(JOURNAL_LOCKED_WAIT_S)
        raise AssertionError("unreachable")

    def _handle(self, event: Event, done: asyncio.Future[tuple[list[Command], bool]]) -> list[Command]:
        duplicates = sum(f.duplicates for f in self.core.state.feeds.values())
        try:
            commands = self.core.handle(event)
        except SequencerError as exc:
            if not done.done():
                done.set_exception(exc)
            return []
        self._arriving = (event.feed, event.seq) if isinstance(event, BroadcastReceived) else None
        self._dispatch(commands)
        if not done.done():
            done.set_result((commands, sum(f.duplicates for f in self.core.state.feeds.values()) > duplicates))
        return commands

    def _dispatch(self, commands: list[Command]) -> None:
        for cmd in commands:
            match cmd:
                case LightBin():
                    key = (cmd.feed, cmd.seq)  # lit by its own broadcast, or later when the station freed
                    now = time.monotonic()
                    self._lit_since.pop(cmd.pick_id, None)  # lit again: to the end, so the map stays in lit order
                    self._lit_since[cmd.pick_id] = (self._received.get(key, now), key == self._arriving, now)
                    self._show_light(cmd)
                case ClearBin():
                    self.ptls[cmd.device].clear(cmd.light)
                case PrintLabel():
                    self.check.label(cmd.label)
                    self._send_label(cmd)
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
                    self.notifier.notify(cmd)
                case AuditRecord():
                    self.audit(cmd)
                case VehicleCompleted():
                    self._received.pop((cmd.feed, cmd.seq), None)
                case _:
                    log.debug("%r", cmd)

    def audit(self, record: AuditRecord) -> None:
        """Every manual operation carried out goes to the audit log; one asked for over the HMI command channel
        is written there by the command server (with the role and the HMI's address), so it is not doubled."""
        log.info("audit: %s %s %s (%s): %s", record.user, record.action, record.target, record.reason, record.result)
        if self.hmi_commands is None or not self.hmi_commands.owns(record):
            written = self.writer.submit(self.accounts.audit_record, record)
            written.add_done_callback(_log_audit_failure)

    async def _tick(self) -> None:
        """Time passes for the core only through journaled ticks, so a replay sees the same alarms."""
        while True:
            await asyncio.sleep(TICK_S)
            self._drain_label_backlog()
            self._forget_stale(time.monotonic())
            await self.submit(Tick(at=self.clock()))

    def _forget_stale(self, now: float) -> None:
        """Drop receive times and lit picks older than ``LATENCY_KEEP_S`` (both maps are in time order)."""
        forget_before(self._received, now - LATENCY_KEEP_S, lambda received: received)
        forget_before(self._lit_since, now - LATENCY_KEEP_S, lambda lit: lit[2])

    # -- HMI bus --------------------------------------------------------------------------------------------
    def view(self) -> LineView:
        self._rev += 1
        vehicles = sum(f.broadcasts for f in self.core.state.feeds.values())
        return line_view(
            self.core, rev=self._rev, at=self.clock(), quarantined=self.quarantined, vehicles_broadcast=vehicles
        )

    async def _publish_hmi(self) -> None:
        assert self.hmi is not None
        last, took = 0.0, 0.0
        while True:
            # a picture that took long waits longer for the next, so the line's own work keeps the loop
            await asyncio.sleep(max(1 / HMI_MAX_RATE_HZ, took * (1 / HMI_LOOP_SHARE - 1)))
            now = time.monotonic()
            if self._dirty or now - last >= HMI_HEARTBEAT_S:
                self._dirty = False
                last = now
                view = self.view()
                await self.hmi.publish(view)
                if self.opcua_server is not None:
                    self.opcua_server.publish(view)
                took = time.monotonic() - now
