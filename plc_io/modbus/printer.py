"""The ``LabelPrinter`` port for a print-and-apply PLC over Modbus TCP (a PLC in front of a Zebra engine).

What it does: ``print_label`` checks the label against the register map at once (data the map cannot carry is
refused to the caller) and queues it in a bounded outbox; one owning task, ``run``, owns the one
``AsyncModbusTcpClient`` and does all the I/O: each poll reads the coils, the applicator signals and the job
counters (``plc_io.modbus.printer_map``), reports faults, and drives one job at a time through the PLC's job
handshake. Link loss is a ``LinkChanged`` once per transition, with reconnection on a back-off table.
What it must not do: print a label twice, drop one silently, write REPRINT or FEED (a reprint is a new job
with ``reprint + 1``), be used from more than one task, or block the event loop.

The job guarantee is EXACTLY ONCE while the PLC keeps its counters, and never worse than at most once:
  1. A job leaves the outbox only while the engine is healthy and idle (no fault, no PAUSE, no DATA READY,
     START clear). Its JOB ID is LAST ACCEPTED + 1, read from the PLC, so a restarted service continues the
     PLC's count instead of reusing an id the PLC would ignore.
  2. The job block (id and data, one write) then START PRINT. Either write may be lost or retried: the PLC
     takes an id once, so resending the same id and data is safe and a retry is ignored.
  3. Each poll compares the counters with the job: LAST PRINTED = id -> ``LabelDone``; LAST ACCEPTED = id ->
     printing, wait (through faults and link loss); LAST ACCEPTED unchanged and START clear -> the PLC never
     took it: send it again, same id. The PLC refusing that id for bad data or sequence ends the job with
     ``PrinterFault(("job refused: <id> (<reason>)",))``.
  4. Anything else (the counter moved past the job, or the PLC's session stamp changed: a cold start lost its
     counters and the held label) means the job's fate cannot be known: the driver does NOT resend; it
     reports ``"job uncertain: <label id>"`` once, like the ZPL driver, so the plant raises a deviation and
     the operator checks the rack and asks for a reprint.
  5. END PRINT pulses are counted by the PLC; a label that is not a newly printed job (the REPRINT input
     pressed at the line) is reported as ``"unexpected labels: <n>"``, so a doubled label is never silent.
Every call has a time-out; library errors become ``DeviceError`` inside this module and end the connection,
which is then re-established. See docs/printer-modbus.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import NoReturn

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.pdu import ModbusPDU

from plc_io import counters
from plc_io.label_gate import LabelGate
from plc_io.link import DeviceLink
from plc_io.modbus import client as modbus
from plc_io.modbus import printer_map as prn
from plc_io.modbus import registers
from plc_io.ports import UNCERTAIN, DeviceError, LabelDone, PrinterFault, Report, Sending
from sequencer.labels import Label

log = logging.getLogger(__name__)
JOURNAL_RETRY_S = 0.5  # a label the service could not journal as leaving is offered again after this
REFUSED = "job refused: "  # + label id and reason: the PLC will not take this job; it was not printed
UNEXPECTED = "unexpected labels: "  # + count: END PRINT pulses that were not a newly printed job
GIVE_UP = frozenset({prn.StartResult.OUT_OF_SEQUENCE, prn.StartResult.BAD_DATA})  # resending cannot help


@dataclass(frozen=True, slots=True, kw_only=True)
class PlcState:
    """One poll: the coils, the applicator signals and the job counters, read in that order."""

    coils: prn.Coils
    signals: prn.Signals
    status: prn.Status

    @property
    def faults(self) -> tuple[str, ...]:
        return prn.fault_names(self.signals, self.coils)

    @property
    def ready(self) -> bool:
        """The engine would take a job now (a Zebra answers START only when ready and holding no label)."""
        return not self.faults and not self.signals.data_ready and not self.coils.start_print


@dataclass(slots=True)
class _InFlight:
    label: Label
    job_id: int
    baseline: int  # LAST ACCEPTED JOB ID before the job: while the PLC shows it, the job was not taken
    session: int  # the PLC's cold-start stamp when the job began: the counters mean nothing across a new one
    taken: bool = False


def _carried(label: Label) -> Label:
    """The label itself, once the job block is known to carry it (ValueError otherwise: refused at the door)."""
    prn.encode_job(1, label)
    return label


class ModbusPrinter:
    """A print-and-apply PLC at ``host``:``port`` (502 in the plant), unit ``device_id``."""

    def __init__(
        self,
        name: str,
        host: str,
        port: int,
        *,
        timeout_s: float = 2.0,
        outbox_size: int = 256,
        poll_interval_s: float = 0.05,
        device_id: int = 1,
    ) -> None:
        if timeout_s <= 0 or poll_interval_s <= 0 or outbox_size < 1 or device_id not in registers.UNIT_IDS:
            raise ValueError(
                f"ModbusPrinter config: timeout_s and poll_interval_s must be positive, outbox_size >= 1, "
                f"device_id in 1..247 (got {timeout_s}, {poll_interval_s}, {outbox_size}, {device_id})"
            )
        self.name = name
        self._host, self._port, self._device_id = host, port, device_id
        self._timeout_s, self._poll_interval_s = timeout_s, poll_interval_s
        self._gate: LabelGate[Label] = LabelGate(name, outbox_size)
        self._outbox = self._gate.jobs
        self._inflight: _InFlight | None = None
        self._last_status: prn.Status | None = None  # the counters at the last poll
        self._wake = asyncio.Event()
        self._link = DeviceLink(name, "PLC", log)
        self._faults: tuple[str, ...] = ()
        self._ribbon_low = False
        self._lost = asyncio.Event()  # the current connection dropped (a new one per connection)
        self._report: Report = lambda _report: None

    @property
    def queued(self) -> int:
        """Jobs not yet reported done, refused or uncertain (the outbox plus the one at the PLC)."""
        return len(self._outbox) + (self._inflight is not None)

    # -- the port: non-blocking ---------------------------------------------------------------------------
    def before_sending(self, hook: Sending) -> None:
        """The service's write-ahead, awaited before each label leaves (``plc_io.label_gate``)."""
        self._gate.sending = hook

    def print_label(self, label: Label) -> None:
        """Queue one label. Raises ``LabelRefused`` (duplicate or data the map cannot carry) or ``OutboxFull``."""
        self._gate.admit(label, lambda: _carried(label))
        self._wake.set()

    # -- the owning task ----------------------------------------------------------------------------------
    async def run(self, report: Report) -> None:
        """Connect, poll, drive jobs, reconnect with back-off (``plc_io.link``). Runs until cancelled."""
        self._report = report
        await self._link.run(report, self._connection)

    async def _connection(self) -> NoReturn:
        lost = self._lost = asyncio.Event()  # set the moment this connection drops (see ``_exchange``)
        client = modbus.new_client(self.name, self._host, self._port, self._timeout_s, on_lost=lost.set)
        try:
            await modbus.connect(client, self.name, self._host, self._port, self._timeout_s)
            state = await self._read_state(client)  # the link is up once the PLC has answered
            self._link.up()
            while True:
                await self._turn(client, state)
                await self._idle(state)
                state = await self._read_state(client)
        finally:
            client.close()

    async def _turn(self, client: AsyncModbusTcpClient, state: PlcState) -> None:
        """One poll's decisions: account labels, follow or start a job, report the fault set."""
        notes = self._count_end_prints(state.status)
        if self._inflight is not None:
            notes += await self._follow(client, state, self._inflight)
        elif self._outbox and state.ready and await self._journaled():
            label, status = self._outbox.popleft(), state.status
            job_id = prn.next_job_id(status.accepted_job_id)
            self._inflight = _InFlight(label, job_id, baseline=status.accepted_job_id, session=status.plc_session)
            await self._send(client, self._inflight)
        self._warn_ribbon_low(state.signals.ribbon_low)
        self._set_faults(state.faults + notes)

    async def _journaled(self) -> bool:
        """Write-ahead for the head of the outbox (``LabelGate.release``)."""
        return await self._gate.release(lambda: asyncio.sleep(JOURNAL_RETRY_S))

    async def _idle(self, state: PlcState) -> None:
        """Sleep one poll interval, or less if a label is queued meanwhile and the engine would take it."""
        if self._inflight is None and self._outbox and state.ready:
            return
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._poll_interval_s):
                await self._wake.wait()

    # -- the job handshake (module doc, steps 2-4) --------------------------------------------------------
    async def _send(self, client: AsyncModbusTcpClient, flight: _InFlight) -> None:
        """Job block then START. Idempotent: the PLC takes this id once, whatever is resent."""
        await self._exchange(
            lambda: client.write_registers(
                prn.JOB.start, prn.encode_job(flight.job_id, flight.label), device_id=self._device_id
            )
        )
        await self._exchange(lambda: client.write_coil(prn.START_PRINT, True, device_id=self._device_id))

    async def _follow(self, client: AsyncModbusTcpClient, state: PlcState, flight: _InFlight) -> tuple[str, ...]:
        status = state.status
        if status.plc_session != flight.session:
            return self._drop(flight, UNCERTAIN + flight.label.label_id)
        if status.printed_job_id == flight.job_id:
            self._inflight = None
            self._report(LabelDone(device=self.name, label_id=flight.label.label_id, reprint=flight.label.reprint))
            return ()
        if status.accepted_job_id == flight.job_id:
            flight.taken = True
            return ()
        if flight.taken or status.accepted_job_id != flight.baseline:
            return self._drop(flight, UNCERTAIN + flight.label.label_id)
        if status.start_job_id == flight.job_id and status.start_result in GIVE_UP:
            return self._drop(flight, f"{REFUSED}{flight.label.label_id} ({status.start_result.name.lower()})")
        if state.ready:  # the PLC has not taken it and is idle: the data or the START never arrived
            log.info("%s: job %d (%s) not taken; sending it again", self.name, flight.job_id, flight.label.label_id)
            await self._send(client, flight)
        return ()

    def _drop(self, flight: _InFlight, note: str) -> tuple[str, ...]:
        log.warning("%s: job %d: %s", self.name, flight.job_id, note)
        self._inflight = None
        return (note,)

    def _count_end_prints(self, status: prn.Status) -> tuple[str, ...]:
        """END PRINT pulses beyond the newly printed jobs are labels nobody asked for (module doc, step 5)."""
        last, self._last_status = self._last_status, status
        if last is None or last.plc_session != status.plc_session:
            return ()  # first poll, or a cold start: a new baseline
        pulses = counters.moved(last.end_print_count, status.end_print_count, registers.COUNTER_MODULUS)
        extra = pulses - (status.printed_job_id != last.printed_job_id)
        return (f"{UNEXPECTED}{extra}",) if 0 < extra <= counters.JUMP_LIMIT else ()  # past it: re-based, ignored

    # -- one poll -----------------------------------------------------------------------------------------
    async def _read_state(self, client: AsyncModbusTcpClient) -> PlcState:
        """Coils first: a START seen clear here was scanned before the counters read after it."""
        device = self._device_id
        coils = await self._exchange(lambda: client.read_coils(0, count=len(prn.COILS), device_id=device))
        signals = await self._exchange(
            lambda: client.read_discrete_inputs(0, count=len(prn.DISCRETE_INPUTS), device_id=device)
        )
        status = await self._exchange(
            lambda: client.read_input_registers(prn.STATUS.start, count=prn.STATUS.count, device_id=device)
        )
        try:
            return PlcState(
                coils=prn.decode_coils(coils.bits),
                signals=prn.decode_signals(signals.bits),
                status=prn.decode_status(status.registers),
            )
        except ValueError as exc:
            raise DeviceError(f"{self.name}: unreadable PLC state: {exc}") from exc

    async def _exchange(self, call: Callable[[], Awaitable[ModbusPDU]]) -> ModbusPDU:
        response = await modbus.ask(lambda: self._unless_lost(call()), self.name, self._timeout_s)
        if response.isError():  # the PLC (or a gateway before it) refused: this map is not what it serves
            raise DeviceError(f"{self.name}: {modbus.exception_text(response.exception_code)}")
        return response

    async def _unless_lost(self, request: Awaitable[ModbusPDU]) -> ModbusPDU:
        """The answer, or ``ConnectionError`` the moment the connection drops: pymodbus leaves a request whose
        connection closed waiting for its full time-out, so a PLC switched off mid-poll was seen 2 s late."""
        answer = asyncio.ensure_future(request)
        dropped = asyncio.ensure_future(self._lost.wait())
        try:
            await asyncio.wait((answer, dropped), return_when=asyncio.FIRST_COMPLETED)
        finally:
            dropped.cancel()
            if not answer.done():
                answer.cancel()  # not awaited: pymodbus may swallow the cancel (``plc_io.link.raise_if_cancelled``)
                answer.add_done_callback(_consume)
        if not answer.done():
            raise ConnectionError("connection lost while waiting for an answer")
        return answer.result()

    # -- reports, each once per change --------------------------------------------------------------------
    def _set_faults(self, faults: tuple[str, ...]) -> None:
        """Report a changed fault set; an empty one clears the fault. A note lasts one poll."""
        if faults != self._faults:
            self._faults = faults
            self._report(PrinterFault(device=self.name, faults=faults))

    def _warn_ribbon_low(self, low: bool) -> None:
        """RIBBON LOW is a warning, not a fault (the engine keeps printing): logged once each way."""
        if low != self._ribbon_low:
            self._ribbon_low = low
            log.warning("%s: ribbon %s", self.name, "low" if low else "replaced")


def _consume(task: asyncio.Future[ModbusPDU]) -> None:
    """Retrieve an abandoned request's outcome, so asyncio does not log it as never retrieved."""
    if not task.cancelled():
        task.exception()
