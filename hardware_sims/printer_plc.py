"""A simulated print-and-apply station: a PLC speaking Modbus TCP in front of a Zebra print engine.

Two layers. ``PlcModel`` is the pure behaviour: the PLC's scan (START PRINT, FEED, REPRINT taken and cleared,
the job handshake), the engine (one label buffer, ``print_time_s`` per label, faults that stop it) and the
applicator outputs; it is told the time and never opens a socket. ``PrinterPlcSim`` puts it behind
``hardware_sims.modbus_server`` on 127.0.0.1, with the fault switches a test or the demo flips. Both use
``plc_io.modbus.printer_map``, the driver's own map.

Device behaviour modelled (docs/printer-modbus.md, Zebra applicator interface):
- START PRINT is a command bit: the PLC scans it after the write, takes the job only when its id is LAST
  ACCEPTED + 1 and the engine holds no label (the engine answers START only when ready), clears it either way
  and records why (``StartResult``); the same id again is a retry and is ignored;
- the engine prints the accepted label after ``print_time_s``; media out, ribbon out, an operational fault
  (SERVICE REQUIRED) or PAUSE stop it, and a label interrupted by a fault starts over when it clears;
- END PRINT pulses 20 ms per label (mode 3) and the PLC counts it; LAST PRINTED JOB ID latches;
- REPRINT prints the last label again (counted by END PRINT, LAST PRINTED unchanged); FEED feeds a blank;
- ``reset_plc`` is a cold start: counters and the held job are lost and the session stamp changes.
The Modbus face (docs/printer-modbus.md; the PLC is this project's, so it follows the Modbus standard): function
codes 1, 2, 3, 4, 5, 6, 15 and 16, any other 01; quantities out of the standard's range 03; an address outside
a table (coils and discrete inputs 0-15, reserved ones reading 0; input registers 0-10; holding registers
0-121), or a coil write past START/FEED/PAUSE/REPRINT, 02; a unit id other than its own 0x0B. Holding register
values are not checked at the write: the PLC checks the job block when START takes it (``StartResult``).

Must not: read the wall clock or sleep directly (the injected clock does both), or be imported by production
code (import-linter forbids it).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType

from hardware_sims.clock import Clock
from hardware_sims.modbus_pdu import ExceptionCode, ModbusFault, Request
from hardware_sims.modbus_server import Device, ModbusSimServer
from hardware_sims.scan import Scan
from plc_io.modbus import printer_map as prn
from plc_io.modbus.registers import COUNTER_MODULUS
from sequencer.labels import Label

END_PRINT_PULSE_S = 0.020  # Zebra applicator mode 3: END PRINT asserted for 20 ms per completed label
ILLEGAL_ADDRESS = ExceptionCode.ILLEGAL_DATA_ADDRESS
WRITABLE: dict[prn.Table, int] = {prn.Table.COIL: len(prn.COILS), prn.Table.HOLDING_REGISTER: prn.JOB.count}


@dataclass(frozen=True, slots=True, kw_only=True)
class PrintedLabel:
    label_id: str
    reprint: int  # the label's own reprint number (what it prints as "REPRINT n")
    job_id: int
    label: Label
    time: float  # simulated time the label left the engine
    by_reprint_signal: bool = False  # printed again by the REPRINT input, not by a job


@dataclass(frozen=True, slots=True)
class _Held:
    """The one label the engine holds: DATA READY is asserted while it exists."""

    job: prn.Job
    by_reprint_signal: bool = False


def _starts(model: PlcModel, job_id: int) -> tuple[tuple[prn.StartResult, bool], ...]:
    """Why a START is not taken, in the order the PLC checks; the first true rule wins."""
    return (
        (prn.StartResult.DUPLICATE, job_id == model.status.accepted_job_id),
        (prn.StartResult.BUSY, model.held is not None),
        (prn.StartResult.OUT_OF_SEQUENCE, job_id != prn.next_job_id(model.status.accepted_job_id)),
    )


@dataclass
class PlcModel:
    """The PLC and its engine. Pure: every call that depends on time is given ``now``."""

    print_time_s: float = 0.5
    coils: prn.Coils = field(default_factory=prn.Coils)
    job_registers: list[int] = field(default_factory=lambda: [0] * prn.JOB.count)
    status: prn.Status = field(default_factory=prn.Status)
    media_out: bool = False
    ribbon_out: bool = False
    ribbon_low: bool = False
    service_required: bool = False  # head open or an operational fault: SERVICE REQUIRED alone
    held: _Held | None = None
    started_at: float | None = None
    last_job: prn.Job | None = None
    end_print_until: float = float("-inf")
    printed: list[PrintedLabel] = field(default_factory=list)
    fed: int = 0
    version: int = 0
    on_change: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        if self.print_time_s <= 0:
            raise ValueError("print_time_s must be positive: a real label takes time to print")

    @property
    def blocked(self) -> bool:
        return self.media_out or self.ribbon_out or self.service_required or self.coils.pause

    # -- the host side: Modbus requests -------------------------------------------------------------------
    def read(self, table: prn.Table, address: int, count: int, now: float) -> list[int] | list[bool]:
        """The table as the latest scan left it (the server scans before it answers a read)."""
        image = self._image(table, now)
        if address < 0 or address + count > len(image):
            raise ModbusFault(ILLEGAL_ADDRESS, f"{table.value} {address}+{count} is outside the map")
        return image[address : address + count]

    def write(self, table: prn.Table, address: int, values: Sequence[int] | Sequence[bool], now: float) -> None:
        """A coil or job-block write; the PLC acts on it at its next scan, not inside the request."""
        size, span = WRITABLE.get(table, 0), slice(address, address + len(values))
        if address < 0 or span.stop > size:
            raise ModbusFault(ILLEGAL_ADDRESS, f"{table.value} {address}+{len(values)} is not writable")
        if table is prn.Table.COIL:
            bits = prn.encode_coils(self.coils)
            bits[span] = [bool(v) for v in values]
            self.coils = prn.decode_coils(bits)
        else:
            self.job_registers[span] = [int(v) for v in values]
        self._changed()

    # -- the scan: commands, printing ---------------------------------------------------------------------
    def scan(self, now: float) -> None:
        """One PLC scan: take the command bits, then let the engine print what is due by ``now``."""
        before = (self.coils, self.status, self.held, len(self.printed), self.fed)
        self._advance(now)  # labels finished before a command count first
        if self.coils.start_print:
            self._take_start()
        if self.coils.reprint:
            self._take_reprint()
        if self.coils.feed:
            self._take_feed()
        self._advance(now)
        if before != (self.coils, self.status, self.held, len(self.printed), self.fed):
            self._changed()

    def next_due(self) -> float | None:
        if self.blocked or self.held is None or self.started_at is None:
            return None
        return self.started_at + self.print_time_s

    # -- the plant side: fault switches ---------------------------------------------------------------------
    def set_fault(self, now: float, **flags: bool | None) -> None:
        self._advance(now)
        for name, value in flags.items():
            if value is not None:
                setattr(self, name, value)
        self._advance(now)
        self._changed()

    def cold_start(self, now: float) -> None:
        """Power-up with non-retentive memory lost (or a program download): counters, bits and the held job go;
        the session stamp is the PLC clock in ms, so the host can tell the counters started a new life."""
        stamp = int(now * 1000) % prn.JOB_ID_MODULUS
        if stamp == self.status.plc_session:  # a ManualClock that did not move: still a new session
            stamp = (stamp + 1) % prn.JOB_ID_MODULUS
        self.coils, self.held, self.started_at, self.last_job = prn.Coils(), None, None, None
        self.status = prn.Status(plc_session=stamp)
        self.job_registers = [0] * prn.JOB.count
        self._changed()

    def signals(self, now: float) -> prn.Signals:
        return prn.Signals(
            data_ready=self.held is not None,
            end_print=now < self.end_print_until,
            service_required=self.blocked,  # Zebra: head open, media/ribbon out, paused, an operational fault
            media_out=self.media_out,
            ribbon_out=self.ribbon_out,
            ribbon_low=self.ribbon_low,
        )

    # -- internals ----------------------------------------------------------------------------------------
    def _image(self, table: prn.Table, now: float) -> list[int] | list[bool]:
        images: dict[prn.Table, Callable[[], list[int] | list[bool]]] = {
            prn.Table.COIL: lambda: _bit_table(prn.encode_coils(self.coils)),
            prn.Table.DISCRETE_INPUT: lambda: _bit_table(prn.encode_signals(self.signals(now))),
            prn.Table.INPUT_REGISTER: lambda: prn.encode_status(self.status),
            prn.Table.HOLDING_REGISTER: lambda: list(self.job_registers),
        }
        return images[table]()

    def _take_start(self) -> None:
        self.coils = replace(self.coils, start_print=False)  # a command bit: cleared when scanned, taken or not
        job_id = prn.job_id_of(self.job_registers)
        result = next((result for result, applies in _starts(self, job_id) if applies), prn.StartResult.ACCEPTED)
        job: prn.Job | None = None
        if result is prn.StartResult.ACCEPTED:
            try:
                job = prn.decode_job(self.job_registers)
            except ValueError:
                result = prn.StartResult.BAD_DATA
        ignored = (self.status.starts_ignored + (result is not prn.StartResult.ACCEPTED)) % COUNTER_MODULUS
        self.status = replace(self.status, start_job_id=job_id, start_result=result, starts_ignored=ignored)
        if job is not None:
            self.status = replace(self.status, accepted_job_id=job_id)
            self.held = _Held(job)  # starts printing in this scan's _advance, unless blocked

    def _take_reprint(self) -> None:
        self.coils = replace(self.coils, reprint=False)
        if self.held is None and self.last_job is not None:
            self.held = _Held(self.last_job, by_reprint_signal=True)

    def _take_feed(self) -> None:
        self.coils = replace(self.coils, feed=False)
        if self.held is None and not self.blocked:
            self.fed += 1  # a blank label: no END PRINT (Zebra: only printed formats signal it)

    def _advance(self, now: float) -> None:
        """Print the held label if due by ``now``; a fault stops it, and it starts over when the fault clears."""
        if self.held is None:
            return
        if self.blocked:
            self.started_at = None
            return
        if self.started_at is None:
            self.started_at = now
        done = self.started_at + self.print_time_s
        if done <= now:
            self._finish(self.held, done)

    def _finish(self, held: _Held, done: float) -> None:
        job, label = held.job, held.job.label
        record = PrintedLabel(label_id=label.label_id, reprint=label.reprint, job_id=job.job_id, label=label, time=done)
        self.printed.append(replace(record, by_reprint_signal=held.by_reprint_signal))
        count = (self.status.end_print_count + 1) % COUNTER_MODULUS
        printed_id = self.status.printed_job_id if held.by_reprint_signal else job.job_id
        self.status = replace(self.status, end_print_count=count, printed_job_id=printed_id)
        self.held, self.started_at, self.last_job = None, None, job
        self.end_print_until = done + END_PRINT_PULSE_S
        self._changed()

    def _changed(self) -> None:
        self.version += 1
        if self.on_change is not None:
            self.on_change()


def _bit_table(bits: list[bool]) -> list[bool]:
    """A whole bit table: the signals, then the reserved addresses up to ``BIT_TABLE_SIZE``, which read 0."""
    return bits + [False] * (prn.BIT_TABLE_SIZE - len(bits))


class PrinterPlcSim:
    """``PlcModel`` on the network: a pymodbus TCP server (one unit id) with fault switches."""

    def __init__(
        self, *, clock: Clock, host: str = "127.0.0.1", port: int = 0, unit_id: int = 1, print_time_s: float = 0.5
    ) -> None:
        self.model = PlcModel(print_time_s=print_time_s)
        self.model.cold_start(clock.now())
        self.model.on_change = self._notify
        self.unit_id = unit_id
        self.requests: Counter[int] = Counter()  # answered Modbus requests by function code
        self._clock = clock
        device = Device(functions=frozenset(prn.TABLE_OF_FUNCTION), reach=self._reach, serve=self._serve)
        self._server = ModbusSimServer(device, host=host, port=port)
        self._answering = asyncio.Event()
        self._answering.set()
        self._cut: tuple[int, bool] | None = None
        self._scan = Scan(clock, self._scan_once, name="printer-plc-scan")

    @property
    def host(self) -> str:
        return self._server.host

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def printed(self) -> list[PrintedLabel]:
        return self.model.printed

    async def start(self) -> int:
        """Listen on ``host``:``port`` (0: any free port), start the PLC scan, and return the bound port."""
        await self._server.start()
        self._scan.start()
        return self.port

    async def stop(self) -> None:
        self._answering.set()  # release answers held back by set_silent
        await self._scan.stop()
        self._server.stop()

    async def __aenter__(self) -> PrinterPlcSim:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # -- fault switches ---------------------------------------------------------------------------------------
    def set_fault(
        self,
        *,
        media_out: bool | None = None,
        ribbon_out: bool | None = None,
        ribbon_low: bool | None = None,
        service_required: bool | None = None,
    ) -> None:
        """Change the engine's fault switches; None leaves one as it is. ``service_required``: head open."""
        flags = {"media_out": media_out, "ribbon_out": ribbon_out, "ribbon_low": ribbon_low}
        self.model.set_fault(self._clock.now(), **flags, service_required=service_required)

    async def set_offline(self, offline: bool) -> None:
        """Offline (PLC off, switch down): every connection dropped, connects refused. Back: the same port."""
        if offline:
            self._server.stop()
        elif not self._server.listening:
            await self._server.start()

    def set_silent(self, silent: bool) -> None:
        """Silent: connections are accepted and requests read, but no answer goes out until un-silenced."""
        if silent:
            self._answering.clear()
        else:
            self._answering.set()

    def cut_link(self, function_code: int, *, after_apply: bool) -> None:
        """One shot: the next request with ``function_code`` is applied (or not) and then every connection drops,
        so its answer never arrives: a cable pulled in the middle of a job."""
        self._cut = (function_code, after_apply)

    def reset_plc(self) -> None:
        """A cold start of the PLC while the network stays up (see ``PlcModel.cold_start``)."""
        self.model.cold_start(self._clock.now())

    # -- observers --------------------------------------------------------------------------------------------
    async def wait_printed(self, count: int, timeout_s: float) -> None:
        """Wait (real time, bounded) until at least ``count`` labels have printed."""
        await self.wait_until(lambda model: len(model.printed) >= count, timeout_s)

    async def wait_until(self, predicate: Callable[[PlcModel], bool], timeout_s: float) -> None:
        """Wait (real time, bounded) until ``predicate(model)`` holds; checked after every change."""
        await self._scan.wait_until(lambda: predicate(self.model), timeout_s)

    # -- the device behind the server -------------------------------------------------------------------------
    async def _reach(self, unit: int) -> None:
        await self._answering.wait()
        if unit != self.unit_id:
            raise ModbusFault(ExceptionCode.GATEWAY_TARGET_FAILED_TO_RESPOND, f"no PLC at unit id {unit}")

    async def _serve(self, request: Request) -> list[int] | None:
        table = prn.TABLE_OF_FUNCTION[request.function_code]
        now = self._clock.now()
        if request.values is not None:
            self._write(request.function_code, table, request.address, request.values, now)
            return None
        self.model.scan(now)  # the PLC answers a read from the state its latest scan left
        values = [int(v) for v in self.model.read(table, request.address, request.count, now)]
        self.requests[request.function_code] += 1
        return values

    def _write(self, function_code: int, table: prn.Table, address: int, values: tuple[int, ...], now: float) -> None:
        cut = self._cut if self._cut is not None and self._cut[0] == function_code else None
        if cut is not None:
            self._cut = None
        if cut is None or cut[1]:
            self.model.write(table, address, values, now)  # the change wakes the scan loop: the next PLC cycle
        if cut is not None:
            self._server.drop_connections()  # the answer has nowhere to go
            raise ModbusFault(ExceptionCode.SERVER_DEVICE_FAILURE, "link cut")
        self.requests[function_code] += 1

    async def _scan_once(self, now: float) -> float | None:
        """One pass of the PLC's cyclic scan: after every write and whenever the held label is due."""
        self.model.scan(now)
        return self.model.next_due()

    def _notify(self) -> None:
        self._scan.poke()  # a change made by a read's scan or by the plant side re-arms the scan
