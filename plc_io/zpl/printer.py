"""The ``LabelPrinter`` port for Zebra print engines: ZPL II over raw TCP plus a separate status port.

What it does: ``print_label`` renders the label at once (bad barcode data is refused to the caller) and queues it
in a bounded outbox; one owning task, ``run``, does all the I/O: before every job it asks ``~HS`` on the status
port (9200 in the plant) with a time-out, sends the format on the print port (9100, kept open), and confirms the
label with further ``~HS`` polls before reporting ``LabelDone``. Link loss is a ``LinkChanged`` once per
transition, with reconnection on a back-off (``plc_io.link``).
What it must not do: print a label twice without a visible reprint number, treat a silent printer as healthy
(a Zebra does not answer ``~HS`` at all while media out, ribbon out or head open), or share its sockets.

The job guarantee is AT MOST ONCE; a job is never resent once its first byte may have reached the printer:
  1. A job leaves the outbox only after a healthy ``~HS`` and a connected print port. Until then faults, silence
     and link loss leave it queued, so nothing is lost and nothing is doubled.
  2. The format goes out followed by ``~HS`` on the SAME connection. The printer reads the stream in order, so
     that answer proves it holds the whole format ("formats in receive buffer" or "labels remaining" > 0):
     the job is RECEIVED. A received job is never resent; polls on the status port wait (through faults and
     link loss) until both counts are back to 0, then report ``LabelDone``.
  3. If the connection drops mid-send, or the receipt answer never comes, the job is UNSURE. After the link
     returns: the printer still holding it -> it is received after all; a half-received format ("partial
     format" flag) or an empty printer -> it may or may not have printed. The driver does NOT resend (a
     second label in a JIS rack is a mis-sequence); it reports ``PrinterFault(device, ("job uncertain: <id>",))``
     once, so the plant raises a deviation and the operator checks the rack and asks for a reprint (which
     carries ``reprint + 1`` and prints "REPRINT n"). A stale half format is cancelled with ``~JA`` so it
     cannot swallow the next job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import NoReturn

from plc_io.label_gate import LabelGate
from plc_io.link import PRINT_ENGINE_CEILING_S, DeviceLink
from plc_io.ports import UNCERTAIN, DeviceError, LabelDone, PrinterFault, Report, Sending
from plc_io.zpl.status import (
    ERROR_STATUS,
    ETX,
    HOST_STATUS,
    HostStatus,
    ZplStatusError,
    error_names,
    parse_error_status,
    parse_host_status,
    split_frames,
)
from plc_io.zpl_labels.layouts import BUILT_IN, Layouts, render_label
from sequencer.labels import Label

log = logging.getLogger(__name__)

STATUS_TIMEOUT = "status timeout"  # the fault a silent ~HS raises (media out, ribbon out, head open)
STATUS_GARBLED = "status unreadable"
PRINT_IDLE_REFRESH_S = 30.0  # an idle print connection is reopened before a job: firewalls drop idle sockets
CANCEL_ALL = b"~JA"  # cancel all formats in the buffer, also a half-received one
WATCH_READS = 64  # reads of stray CR LF a quiet connection's watch takes before it gives up and reconnects


@dataclass(frozen=True, slots=True)
class _Job:
    label_id: str
    reprint: int
    zpl: bytes


@dataclass(slots=True)
class _InFlight:
    job: _Job
    received: bool = False  # the printer has shown it holds the whole format


class _Channel:
    """One TCP connection with STX/ETX framing. A time-out closes it, so a late answer is never taken as the
    answer to a later question."""

    def __init__(self, host: str, port: int, timeout_s: float) -> None:
        self._address = (host, port)
        self._timeout_s = timeout_s
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.last_used = 0.0  # loop time of the connect or the last send

    @property
    def connected(self) -> bool:
        """Open, and not closed by the printer (its FIN has not arrived)."""
        if self._reader is None or self._writer is None:
            return False
        if self._reader.at_eof() or self._writer.is_closing():
            self.close()
            return False
        return True

    async def connect(self) -> None:
        try:
            async with asyncio.timeout(self._timeout_s):
                self._reader, self._writer = await asyncio.open_connection(*self._address)
            self.last_used = asyncio.get_running_loop().time()
        except (OSError, TimeoutError) as exc:
            raise DeviceError(f"connect to {self._address[0]}:{self._address[1]} failed: {exc!r}") from exc

    async def send(self, data: bytes) -> None:
        if self._writer is None:
            raise DeviceError("not connected")
        self.last_used = asyncio.get_running_loop().time()
        try:
            self._writer.write(data)
            async with asyncio.timeout(self._timeout_s):
                await self._writer.drain()
        except (OSError, TimeoutError) as exc:
            raise DeviceError(f"send to port {self._address[1]} failed: {exc!r}") from exc

    async def ask(self, query: bytes, frames: int) -> bytes | None:
        """Send ``query`` and read ``frames`` STX...ETX strings; None (and closed) if they do not come in time."""
        await self.send(query)
        reader, answer = self._reader, b""
        try:
            async with asyncio.timeout(self._timeout_s):
                while reader is not None and len(split_frames(answer)) < frames:
                    answer += await reader.readuntil(ETX)
        except TimeoutError:
            self.close()
            return None
        except (EOFError, OSError, asyncio.LimitOverrunError) as exc:
            raise DeviceError(f"port {self._address[1]} closed: {exc!r}") from exc
        return answer

    async def watch(self) -> None:
        """Return as soon as the printer closes this connection (then closed here too), or sends anything but the
        CR LF that ends each answer (then closed: an unasked answer is never read as the next one's). Never
        returns while the connection is quiet; the caller cancels it."""
        reader = self._reader
        for _ in range(WATCH_READS):
            if reader is None or reader is not self._reader:
                return
            try:
                data = await reader.read(4096)
            except (OSError, EOFError):
                data = b""
            if data.strip(b"\r\n") or not data:
                break
        if reader is self._reader:
            self.close()

    def close(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(OSError):
                self._writer.close()
        self._reader = self._writer = None


def _read_host_status(answer: bytes | None) -> HostStatus | str:
    """The status, or the fault name for a printer that is silent or garbled."""
    if answer is None:
        return STATUS_TIMEOUT
    try:
        return parse_host_status(answer)
    except ZplStatusError:
        return STATUS_GARBLED


class ZplPrinter:
    """A Zebra ZT600/ZE500 on ``host``: print data on ``port``, ``~HS``/``~HQES`` on ``status_port``."""

    def __init__(
        self,
        name: str,
        host: str,
        port: int,
        status_port: int,
        *,
        timeout_s: float = 2.0,
        outbox_size: int = 256,
        status_interval_s: float = 1.0,
        confirm_poll_s: float = 0.05,
        layouts: Layouts = BUILT_IN,
    ) -> None:
        self.name = name
        self._layouts = layouts  # the plant file's label templates (plc_io.zpl_labels.layouts.layouts_from_plant)
        self._status = _Channel(host, status_port, timeout_s)
        self._print = _Channel(host, port, timeout_s)
        self._gate: LabelGate[_Job] = LabelGate(name, outbox_size)
        self._outbox = self._gate.jobs
        self._status_interval_s = status_interval_s
        self._confirm_poll_s = confirm_poll_s
        self._inflight: _InFlight | None = None
        self._wake = asyncio.Event()
        self._link = DeviceLink(name, "printer", log, ceiling_s=PRINT_ENGINE_CEILING_S)
        self._faults: tuple[str, ...] = ()
        self._report: Report = lambda _report: None

    @property
    def queued(self) -> int:
        """Jobs not yet reported done or uncertain (the outbox plus the one at the printer)."""
        return len(self._outbox) + (self._inflight is not None)

    def before_sending(self, hook: Sending) -> None:
        """The service's write-ahead, awaited before each label leaves (``plc_io.label_gate``)."""
        self._gate.sending = hook

    def print_label(self, label: Label) -> None:
        """Queue one label. Raises ``LabelRefused`` (duplicate or unprintable) or ``OutboxFull``; never drops."""
        self._gate.admit(
            label, lambda: _Job(label.label_id, label.reprint, render_label(label, self._layouts).encode())
        )
        self._wake.set()

    async def run(self, report: Report) -> None:
        """The owning task of both connections: runs until cancelled."""
        self._report = report
        await self._link.run(report, self._connection)

    async def _connection(self) -> NoReturn:
        """Turns of the owning task until a connection fails (``DeviceError``); then both are closed."""
        try:
            while True:
                await self._step()
        finally:
            self._status.close()
            self._print.close()

    # -- one turn of the owning task -------------------------------------------------------------------------
    async def _step(self) -> None:
        status = _read_host_status(await self._ask_status(HOST_STATUS, 3))
        if isinstance(status, str):
            await self._on_silence(status)
            return
        self._set_faults(status.faults)
        if self._inflight is not None:
            await self._settle(status)
        elif status.partial_format:
            await self._cancel_stale_format()
        elif status.faults:
            await self._pause(self._status_interval_s)
        elif self._outbox:
            await self._send()
        else:
            await self._idle()

    async def _ask_status(self, query: bytes, frames: int) -> bytes | None:
        """Ask on the status port. The link is up once both ports are connected AND the printer answered: a port
        that accepts and then drops every connection is down, with the back-off growing, not flapping."""
        await self._connect()
        answer = await self._status.ask(query, frames)
        if answer is not None:
            self._link.up()
        return answer

    async def _connect(self) -> None:
        """Both connections open, or ``DeviceError``."""
        for channel in (self._status, self._print):
            if not channel.connected:
                await channel.connect()

    async def _on_silence(self, reason: str) -> None:
        """No ~HS answer is a fault; ~HQES (which a Zebra still answers) names the cause when it can."""
        answer = await self._ask_status(ERROR_STATUS, 1)
        causes: tuple[str, ...] = ()
        with contextlib.suppress(ZplStatusError):
            causes = error_names(parse_error_status(answer)) if answer is not None else ()
        if causes or reason not in self._faults:  # while silent, only a newly named cause changes the report
            self._set_faults((reason, *causes))
        await self._pause(self._status_interval_s)

    async def _settle(self, status: HostStatus) -> None:
        """Follow the job at the printer (module doc, steps 2 and 3)."""
        flight = self._inflight
        if flight is None:
            return
        if status.holds_job:
            flight.received = True
            await self._pause(self._confirm_poll_s)
            return
        self._inflight = None
        if flight.received and not status.partial_format:
            self._report(LabelDone(device=self.name, label_id=flight.job.label_id, reprint=flight.job.reprint))
        else:
            self._set_faults((UNCERTAIN + flight.job.label_id,))

    async def _send(self) -> None:
        if asyncio.get_running_loop().time() - self._print.last_used > PRINT_IDLE_REFRESH_S:
            self._print.close()
        await self._connect()  # a job leaves the outbox only with a connected print port
        if not await self._journaled():
            return
        flight = self._inflight = _InFlight(self._outbox.popleft())
        # The receipt ~HS rides behind the format on the same connection (module doc, step 2).
        receipt = _read_host_status(await self._print.ask(flight.job.zpl + HOST_STATUS, 3))
        flight.received = isinstance(receipt, HostStatus) and receipt.holds_job

    async def _journaled(self) -> bool:
        """Write-ahead for the head of the outbox (``LabelGate.release``)."""
        return await self._gate.release(lambda: self._pause(self._status_interval_s))

    async def _cancel_stale_format(self) -> None:
        """~JA: a half-received format left by a torn connection would swallow the next job's first fields."""
        await self._connect()
        await self._print.send(CANCEL_ALL)

    async def _idle(self) -> None:
        self._wake.clear()
        await self._pause(self._status_interval_s, wake=True)

    async def _pause(self, seconds: float, *, wake: bool = False) -> None:
        """Wait ``seconds`` between polls, but only until the printer closes a connection (a printer switched
        off or set offline is seen at once, not at the next poll) or, with ``wake``, a label is queued."""
        waits: list[asyncio.Task[object]] = [
            asyncio.create_task(channel.watch()) for channel in (self._status, self._print) if channel.connected
        ]
        if wake:
            waits.append(asyncio.create_task(self._wake.wait()))
        if not waits:
            await asyncio.sleep(seconds)
            return
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
            await asyncio.wait(waits)  # no read is left pending on a connection the next exchange uses

    # -- reports, each once per change ----------------------------------------------------------------------
    def _set_faults(self, faults: tuple[str, ...]) -> None:
        """Report a changed fault set; an empty one clears the fault."""
        if faults != self._faults:
            self._faults = faults
            self._report(PrinterFault(device=self.name, faults=faults))
