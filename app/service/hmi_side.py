"""The service's HMI side: the line shown to screens and to SCADA, and the screens' commands taken in. Part of
``app.service.runtime.Service``.

What it is for: the HMI bus (``app.hmi.bus.HmiPublisher``: numbered updates and snapshots of the ``LineView``), the
OPC UA line server for SCADA and MES (``plc_io.line_server``, on its own thread, fed the same changed entries), and
the HMI command channel (``app.hmi.commands.HmiCommandServer``: logins, role checks and the audit log in front of
the service's manual operations); the core's audit records go to the audit log here unless the command server is
writing that line itself.

When a picture goes out: as soon as the core has handled a batch (``Sequencing.handled``; the core changes only
through the journal), at most one per frame (``HMI_FRAME_S``, 60 Hz: what else changes within the frame rides in
the next picture), and at least every ``HMI_HEARTBEAT_S`` when idle (the plant time moves on). A picture holds only
the entries the core touched since the last one (``sequencer.pictures``), the header and counters, and the KPIs
once a second; the bus sends those whose value changed and the line server is handed the same.

What it must not do: change the line (a screen's intent goes the one path into the core, through the service's
``submit_checked``), get ahead of the lights (a picture waits for the batch's light commands to go out first), or
take more than ``HMI_LOOP_SHARE`` of the event loop for pictures.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor

import zmq.asyncio

from app.hmi.accounts import AccountStore
from app.hmi.bus import HmiPublisher
from app.hmi.commands import CommandService, HmiCommandServer
from app.logjson import startup_log
from app.net.curve_keys import load_curve_server
from app.service.sequencing import Sequencing
from plc_io.line_server.server import LineServer, LineServerFailed, LineServerThread
from sequencer.clone import Picture
from sequencer.commands import AuditRecord
from sequencer.core import Sequencer
from sequencer.pictures import Pictures
from sequencer.plant import PlantConfig
from sequencer.projection import line_view
from sequencer.views import LineView

log = logging.getLogger("app.service.runtime")  # the service's log name, kept from before its parts were split

HMI_FRAME_S = 1 / 60  # at most one picture per frame of a 60 Hz screen: changes within it ride together
HMI_HEARTBEAT_S = 1.0  # a picture at least this often (the plant time, the KPIs), changed or not
HMI_LOOP_SHARE = 0.2  # at most this share of the event loop goes to pictures (a whole picture of a big line is slow)


def _log_audit_failure(written: Future[int]) -> None:
    if written.exception() is not None:
        log.error("audit write failed: %r", written.exception())


class HmiSide:
    """``bus`` and ``commands`` exist once ``open_bus`` and ``serve_commands`` ran; ``line_server`` if configured."""

    def __init__(
        self,
        plant: PlantConfig,
        *,
        clock: Callable[[], float],
        sequencing: Sequencing,
        accounts: AccountStore,
        writer: ThreadPoolExecutor,
        quarantined: Callable[[], int],
        repeats: Callable[[], Mapping[str, int]] = dict,
    ) -> None:
        self.plant = plant
        self.clock = clock
        self.sequencing = sequencing
        self.accounts = accounts  # HMI users, sessions and the audit log
        self.writer = writer
        self._quarantined = quarantined
        self._repeats = repeats  # per feed: resends answered "duplicate" before the core (the intake's count)
        # The HMI's sockets get a context of their own: CURVE's ZAP handler is one per context (app/net/curve_guard.py).
        self.ctx = zmq.asyncio.Context()
        self.bus: HmiPublisher | None = None
        self.commands: HmiCommandServer | None = None
        ua_cfg = plant.service.opcua_server  # the line for SCADA and MES (docs/opcua.md); None: off
        self.line_server: LineServerThread | None = None
        if ua_cfg is not None:  # on its own thread: its clients never hold up this loop
            self.line_server = LineServerThread(LineServer.from_config(ua_cfg, name=f"JIS {plant.plant.name}"))
        self._rev = 0
        self._shown_id: int | None = None  # the journal row the last picture showed
        self.pictures = Pictures()  # what the screens have, and what the core touched since

    @property
    def core(self) -> Sequencer:
        return self.sequencing.core

    def view(self) -> LineView:
        """The whole picture of the line now (the line server's first)."""
        self._rev += 1
        return line_view(
            self.core,
            rev=self._rev,
            at=self.clock(),
            quarantined=self._quarantined(),
            vehicles_broadcast=self._vehicles(),
            repeats=self._repeats(),
        )

    def picture(self, *, kpis: bool) -> Picture:
        """The entries the core touched since the last picture (all of them the first time), the header and the
        counters, and the KPIs if ``kpis``."""
        self._rev += 1
        return self.pictures.picture(
            self.core,
            rev=self._rev,
            at=self.clock(),
            quarantined=self._quarantined(),
            vehicles_broadcast=self._vehicles(),
            kpis=kpis,
            repeats=self._repeats(),
        )

    def _vehicles(self) -> int:
        return sum(f.broadcasts for f in self.core.state.feeds.values())

    # -- start ---------------------------------------------------------------------------------------------
    def open_bus(self) -> asyncio.Task[None]:
        """Bind the bus (with CURVE if configured), start the line server with the line as it is now, and return
        the task that serves snapshots."""
        svc = self.plant.service
        hc = svc.hmi_curve  # only listed screens see the bus and reach the commands (docs/hmi-bus.md)
        curve = load_curve_server(hc.secret_key, hc.allowed_keys) if hc else None
        self.bus = HmiPublisher(self.ctx, svc.hmi_endpoint, svc.hmi_snapshot_endpoint, curve=curve)
        if self.line_server is not None:
            self.line_server.start(self.view())
        return asyncio.create_task(self.bus.run(), name="hmi-snapshots")

    async def line_server_started(self) -> None:
        """Wait for the line server's start. One that did not start stops the service (``LineServerFailed``, one line
        saying why), unless ``[service.opcua_server] optional``: then it is an ERROR and the line runs on."""
        server, cfg = self.line_server, self.plant.service.opcua_server
        if server is None or cfg is None:
            return
        await asyncio.to_thread(server.started.wait)
        if server.error is None:
            startup_log.info("OPC UA %s", server.server.describe())
            return
        why = f"the line OPC UA server at {server.endpoint} did not start: {server.error}"
        if not cfg.optional:
            raise LineServerFailed(f"{why} (or set optional = true to run the line without it)")
        log.error("%s; the line runs on without it ([service.opcua_server] optional)", why)

    def serve_commands(self, service: CommandService) -> asyncio.Task[None]:
        """The command channel for ``service``, under the bus's CURVE guard; its owning task."""
        assert self.bus is not None, "open_bus first: the command channel shares the bus's CURVE guard"
        self.commands = HmiCommandServer(
            service,
            self.accounts,
            self.plant.service.hmi_command_endpoint,
            context=self.ctx,
            executor=self.writer,
            curve=self.bus.guard,
        )
        return asyncio.create_task(self.commands.run(), name="hmi-commands")

    # -- running -------------------------------------------------------------------------------------------
    async def publish(self) -> None:
        """Pictures to the bus and the line server until cancelled: when the core handled a batch (at most one a
        frame), or on the heartbeat."""
        assert self.bus is not None
        handled = self.sequencing.handled
        last = kpis_at = -HMI_HEARTBEAT_S
        took = 0.0
        while True:
            idle = last + HMI_HEARTBEAT_S - time.monotonic()
            if self.sequencing.journal_id == self._shown_id and idle > 0:
                # asyncio.timeout, not wait_for: on Python 3.11 a wait_for whose event is set in the same loop pass
                # as the task's cancel returns normally and swallows the cancel (CPython gh-86296), so a service
                # stopping just after a batch waited forever for this task (tests/integration/test_service_paths.py)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(idle):
                        await handled.wait()
            # one picture a frame; one that took long waits longer for the next, so the line's own work keeps the
            # loop. Never less than one pass of the loop: the batch's light commands go out before its picture.
            gap = max(HMI_FRAME_S, took * (1 / HMI_LOOP_SHARE - 1))
            await asyncio.sleep(max(0.0, last + gap - time.monotonic()))
            handled.clear()
            now, cpu = time.monotonic(), time.thread_time()
            self._shown_id = self.sequencing.journal_id
            kpis = now - kpis_at >= HMI_HEARTBEAT_S
            picture = self.picture(kpis=kpis)
            kpis_at = now if kpis else kpis_at
            delta = self.bus.publish_picture(picture)
            if delta is not None and self.line_server is not None:
                self.line_server.publish_entries({key: picture.values.get(key) for key, _ in delta.changes})
            last = now
            took = time.thread_time() - cpu  # the loop's CPU, not the wall clock: a preempted picture is no slower

    def audit(self, record: AuditRecord) -> None:
        """Every manual operation carried out goes to the audit log; one asked for over the HMI command channel
        is written there by the command server (with the role and the HMI's address), so it is not doubled."""
        log.info("audit: %s %s %s (%s): %s", record.user, record.action, record.target, record.reason, record.result)
        if self.commands is None or not self.commands.owns(record):
            written = self.writer.submit(self.accounts.audit_record, record)
            written.add_done_callback(_log_audit_failure)

    # -- stop ----------------------------------------------------------------------------------------------
    async def stop_line_server(self) -> None:
        if self.line_server is not None:
            await self.line_server.stop()

    def close(self) -> None:
        """Close the bus and the HMI's ZeroMQ context (the command server closed its socket when its task ended)."""
        if self.bus:
            self.bus.close()
        self.ctx.term()
