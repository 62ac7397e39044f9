"""The ``LabelPrinter`` port for Zebra print engines: ZPL II over raw TCP, status over JSON on the status port.

What it does: ``print_label`` renders the label at once (bad barcode data is refused to the caller) and queues it
in a bounded outbox; one owning task, ``run``, does all the I/O. Before every job it polls the printer's status on
the JSON status port (9200 in the plant: the SGD getvars ``zpl.system_error`` then ``device.host_status``, which
a Link-OS Zebra answers there while it prints; ZPL sent to that port is ignored), sends the format on the raw
print port (9100, kept open, bidirectional) with ``~HQES~HS`` behind it on the same connection, and confirms the
label with further polls before reporting ``LabelDone``; the poll that confirms a label is the next job's poll.
With ``status_port`` 0 (a Zebra without the JSON port)
the polls are ``~HQES~HS`` on the print connection. Every exchange, connecting included, gets ``timeout_s`` in
all. Link loss is a ``LinkChanged`` once per transition, with reconnection on a back-off (``plc_io.link``).
What it must not do: print a label twice without a visible reprint number, treat a silent printer as healthy
(a Zebra does not answer ``~HS`` / ``device.host_status`` at all while media out, ribbon out or head open), or
share its sockets.

How silence is read: a poll asks the error flags first; a Zebra answers them always. Error flags without a host
status within ``timeout_s`` is a fault, ``PrinterFault(("status timeout", <causes from the flags>))``; no answer
at all is a printer that is gone (cable pulled, hung): ``DeviceError``, so ``LinkChanged(up=False)``. Either is
reported at most ``status_interval_s + timeout_s`` after the printer went silent (docs/printer-zpl.md).

The job guarantee is AT MOST ONCE; a job is never resent once its first byte may have reached the printer:
  1. A job leaves the outbox only after a healthy host status, with the print port connected after the service
     journaled it as leaving. Until then faults, silence and link loss leave it queued (held).
  2. The format goes out followed by ``~HQES~HS`` on the SAME connection. The printer reads the stream in order,
     so the ``~HS`` answer proves it holds the whole format ("formats in receive buffer" or "labels remaining"
     > 0): the job is RECEIVED. A received job is never resent; polls wait (through faults and link loss) until
     both counts are back to 0, then report ``LabelDone``.
  3. If the connection drops mid-send, or the receipt ``~HS`` never comes, the job is UNSURE. At the next
     healthy poll: the printer still holding it -> it is received after all; a half-received format ("partial
     format" flag) or an empty printer -> it may or may not have printed. The driver does NOT resend (a second
     label in a JIS rack is a mis-sequence); it reports ``PrinterFault(device, ("job uncertain: <id>",))`` once,
     so the plant raises a deviation and the operator checks the rack and asks for a reprint (which carries
     ``reprint + 1`` and prints "REPRINT n"). A stale half format is cancelled with ``~JA`` so it cannot swallow
     the next job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from plc_io.label_gate import LabelGate
from plc_io.link import PRINT_ENGINE_CEILING_S, DeviceLink, paced
from plc_io.ports import UNCERTAIN, DeviceError, LabelDone, PrinterFault, Report, Sending
from plc_io.zpl.status import (
    JSON_POLL,
    ZPL_POLL,
    HostStatus,
    StatusPoll,
    error_names,
    read_json_poll,
    read_zpl_poll,
)
from plc_io.zpl_labels.layouts import BUILT_IN, Layouts, render_label
from sequencer.labels import Label

log = logging.getLogger(__name__)

STATUS_TIMEOUT = "status timeout"  # the fault a silent host status raises (media out, ribbon out, head open)
STATUS_GARBLED = "status unreadable"
PRINT_IDLE_REFRESH_S = 30.0  # an idle print connection is reopened before a job: firewalls drop idle sockets
CANCEL_ALL = b"~JA"  # cancel all formats in the buffer, also a half-received one
WATCH_READS = 64  # reads of stray CR LF a quiet connection's watch takes before it gives up and reconnects
MAX_ANSWER_BYTES = 65536  # a status answer is a few hundred bytes: more without the answer asked for is garbage

PollReader = Callable[[bytes], StatusPoll]


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
    """One TCP connection to one port of the printer. The driver bounds each exchange on it (``ZplPrinter._ask``);
    a time-out closes it, so a late answer is never taken as the answer to a later question."""

    def __init__(self, host: str, port: int, timeout_s: float) -> None:
        self._address = (host, port)
        self._timeout_s = timeout_s
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.last_used = 0.0  # loop time of the connect or the last send

    @property
    def port(self) -> int:
        return self._address[1]

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
            raise DeviceError(f"connect to {self._address[0]}:{self.port} failed: {exc!r}") from exc

    async def send(self, data: bytes) -> None:
        if self._writer is None:
            raise DeviceError("not connected")
        self.last_used = asyncio.get_running_loop().time()
        try:
            self._writer.write(data)
            async with asyncio.timeout(self._timeout_s):
                await self._writer.drain()
        except (OSError, TimeoutError) as exc:
            raise DeviceError(f"send to port {self.port} failed: {exc!r}") from exc

    async def receive(self) -> bytes:
        """The next bytes the printer sends; ``DeviceError`` when it closed the connection."""
        if self._reader is None:
            raise DeviceError("not connected")
        try:
            data = await self._reader.read(4096)
        except OSError as exc:
            raise DeviceError(f"port {self.port} closed: {exc!r}") from exc
        if not data:
            raise DeviceError(f"port {self.port} closed by the printer")
        return data

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


class ZplPrinter:
    """A Zebra ZT600/ZE500 on ``host``: ZPL on ``port`` (9100), JSON status polls on ``status_port`` (9200; 0: the
    polls go to the print port as ``~HQES~HS``)."""

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
        self._timeout_s = timeout_s
        self._print = _Channel(host, port, timeout_s)
        if status_port and status_port != port:
            self._status, self._poll_query, self._read_poll = (
                _Channel(host, status_port, timeout_s),
                JSON_POLL,
                read_json_poll,
            )
        else:
            self._status, self._poll_query, self._read_poll = self._print, ZPL_POLL, read_zpl_poll
        self._channels = (self._print,) if self._status is self._print else (self._print, self._status)
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
            for channel in self._channels:
                channel.close()

    # -- one turn of the owning task -------------------------------------------------------------------------
    async def _step(self) -> None:
        poll = await self._poll()
        if poll.host is None:
            self._silent(poll)
            await self._pause(self._status_interval_s)
            return
        status = poll.host
        self._set_faults(status.faults)
        # A poll that confirms the job in flight printed is the next job's healthy status too: it goes on it, one
        # poll a label instead of two (a shift's 4,400 labels, each behind the write-ahead's commit).
        if self._inflight is not None and not await self._settle(status):
            return
        if status.partial_format:
            await self._cancel_stale_format()
        elif status.faults:
            await self._pause(self._status_interval_s)
        elif self._outbox:
            await self._send()
        else:
            await self._idle()

    async def _poll(self) -> StatusPoll:
        """One status poll, both connections opened first if need be. The link is up once both are connected AND
        the printer answered: a port that accepts and then drops every connection is down, with the back-off
        growing, not flapping."""
        poll = await self._ask(self._status, self._poll_query, self._read_poll, connect=self._channels)
        self._link.up()
        return poll

    async def _ask(
        self, channel: _Channel, query: bytes, read: PollReader, *, connect: tuple[_Channel, ...] = ()
    ) -> StatusPoll:
        """Send ``query`` on ``channel`` and read its answers, all of it (connecting ``connect`` first) within
        ``timeout_s`` from now. What was heard by then is returned (the channel closed if incomplete); nothing at
        all is a printer that is gone: ``DeviceError``."""
        data, poll = b"", StatusPoll()
        try:
            async with asyncio.timeout(self._timeout_s):
                for needed in connect:
                    if not needed.connected:
                        await needed.connect()
                await channel.send(query)
                while not poll.complete:
                    data += await channel.receive()
                    poll = read(data) if len(data) <= MAX_ANSWER_BYTES else StatusPoll(unreadable=True)
        except TimeoutError:
            channel.close()  # a late answer must never be read as the answer to a later question
        if not data:
            raise DeviceError(f"no answer on port {channel.port} within {self._timeout_s} s")
        if poll.unreadable:
            channel.close()  # out of step with the printer: start the next question on a fresh connection
        return poll

    def _silent(self, poll: StatusPoll) -> None:
        """No host status is a fault; the error flags the printer still answers name the cause when they can. While
        silent, the fault set changes only when the flags name a new cause (no flicker)."""
        reason = STATUS_GARBLED if poll.unreadable else STATUS_TIMEOUT
        causes = error_names(poll.errors) if poll.errors else ()
        if causes or reason not in self._faults:
            self._set_faults((reason, *causes))

    async def _settle(self, status: HostStatus) -> bool:
        """Follow the job at the printer (module doc, steps 2 and 3): True once it is confirmed printed on
        ``status``; False while it is still at the printer (the next poll after ``confirm_poll_s``) or when it
        became uncertain (the next job waits for a fresh poll)."""
        flight = self._inflight
        if flight is None:
            return False
        if status.holds_job:
            flight.received = True
            await self._pause(paced(self._confirm_poll_s))  # faster only in a rehearsal (plc_io.link.pace)
            return False
        self._inflight = None
        if flight.received and not status.partial_format:
            self._report(LabelDone(device=self.name, label_id=flight.job.label_id, reprint=flight.job.reprint))
            return True
        self._set_faults((UNCERTAIN + flight.job.label_id,))
        return False

    async def _send(self) -> None:
        if asyncio.get_running_loop().time() - self._print.last_used > PRINT_IDLE_REFRESH_S:
            self._print.close()
        if not self._print.connected:
            await self._print.connect()
        if not await self._journaled():
            return
        if not self._print.connected:  # closed while the service journaled it: not a byte of it has left yet
            await self._print.connect()  # so it goes out once, on a fresh connection (or stays queued)
        flight = self._inflight = _InFlight(self._outbox.popleft())
        # The receipt ~HQES~HS rides behind the format on the same connection (module doc, step 2); nothing heard
        # raises DeviceError with the job unsure, settled at the next healthy poll.
        receipt = await self._ask(self._print, flight.job.zpl + ZPL_POLL, read_zpl_poll)
        if receipt.host is None:
            self._silent(receipt)  # silent as the job arrived: reported now, not a poll later
        flight.received = receipt.host is not None and receipt.host.holds_job

    async def _journaled(self) -> bool:
        """Write-ahead for the head of the outbox (``LabelGate.release``)."""
        return await self._gate.release(lambda: self._pause(self._status_interval_s))

    async def _cancel_stale_format(self) -> None:
        """~JA: a half-received format left by a torn connection would swallow the next job's first fields."""
        if not self._print.connected:
            await self._print.connect()
        await self._print.send(CANCEL_ALL)

    async def _idle(self) -> None:
        self._wake.clear()
        await self._pause(self._status_interval_s, wake=True)

    async def _pause(self, seconds: float, *, wake: bool = False) -> None:
        """Wait ``seconds`` between polls, but only until the printer closes a connection (a printer switched
        off or set offline is seen at once, not at the next poll) or, with ``wake``, a label is queued."""
        waits: list[asyncio.Task[object]] = [
            asyncio.create_task(channel.watch()) for channel in self._channels if channel.connected
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
