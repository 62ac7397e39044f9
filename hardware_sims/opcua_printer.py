"""A simulated OPC UA label print engine: media stock, job orders stored and started by method, job results.

Two layers. ``PrintEngineModel`` is the behaviour, pure and clock-free (time is an argument): job orders kept
by JobOrderID (the same id is refused a second time, so a resent job can never print twice), printed one at a
time in start order, ``print_time_s`` each; every label takes one from the media stock; with no media the
running job is Interrupted and resumes when media is loaded; printed labels are decoded with the Zebra
simulator's ZPL parser, so tests read what a scanner would. ``OpcUaPrinterSim`` hosts it with
``hardware_sims.opcua_sim_server.SimServer`` (same security profiles and user check) on an injected clock.

Fault switches: ``set_media`` (media out at 0), ``set_out_of_service``, ``set_offline`` (cable pulled),
``clear_jobs`` (the job list cleared at the panel),
``cut_next_call`` (the connection drops while a StoreAndStart is handled: "before" it is stored, or "after"
it is stored but before the answer leaves), ``restart`` (power cycle: every job order forgotten, a new
ServerStatus.StartTime, connections dropped).

Must not: read the wall clock or sleep directly, or be imported by production code.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from asyncua import ua
from asyncua.ua.object_ids import ObjectIds

from hardware_sims.clock import Clock
from hardware_sims.opcua_sim_server import HostedSim, MethodHandler, SimServer
from hardware_sims.scan import Scan
from hardware_sims.zpl_printer import PrintedLabel, parse_format
from plc_io.opcua import machinery, printer_model
from plc_io.opcua.machinery import MachineryItemState
from plc_io.opcua.printer_model import JobResponse, JobState, ReturnStatus
from plc_io.opcua.security import ServerSecurity, UserTable

FULL_ROLL = 500  # labels on a fresh roll of media
REMEMBERED_JOBS = 10_000  # finished job orders kept for RequestJobResponseByJobOrderID and the duplicate check
CutMoment = Literal["before", "after"]
V = ua.VariantType


@dataclass
class Job:
    job_id: str
    zpl: str
    state: JobState
    printed: int = 0
    started_at: float | None = None  # when the label being printed was started (None: not printing)


@dataclass
class PrintEngineModel:
    labels_remaining: int = FULL_ROLL
    print_time_s: float = 0.5
    out_of_service: bool = False
    jobs: OrderedDict[str, Job] = field(default_factory=OrderedDict)
    started: deque[str] = field(default_factory=deque)  # started job orders in print order
    printed: list[PrintedLabel] = field(default_factory=list)
    version: int = 0

    @property
    def media_out(self) -> bool:
        return self.labels_remaining <= 0

    @property
    def state(self) -> MachineryItemState:
        if self.out_of_service:
            return MachineryItemState.OUT_OF_SERVICE
        return MachineryItemState.EXECUTING if self.started else MachineryItemState.NOT_EXECUTING

    # -- JobOrderControl / JobOrderResults ------------------------------------------------------------------------
    def store(self, job_id: str, zpl: str, *, start: bool, now: float) -> ReturnStatus:
        if job_id in self.jobs:
            return ReturnStatus.UNABLE_TO_ACCEPT_JOB_ORDER | ReturnStatus.DUPLICATE_JOB_ORDER_ID
        if self.out_of_service:
            return ReturnStatus.UNABLE_TO_ACCEPT_JOB_ORDER
        if "^XA" not in zpl or "^XZ" not in zpl:
            return ReturnStatus.INVALID_REQUEST
        self.jobs[job_id] = Job(job_id, zpl, JobState.ALLOWED_TO_START)
        while len(self.jobs) > REMEMBERED_JOBS:
            self.jobs.popitem(last=False)
        self._changed()
        return self.start(job_id, now) if start else ReturnStatus.NO_ERROR

    def start(self, job_id: str, now: float) -> ReturnStatus:
        job = self.jobs.get(job_id)
        if job is None:
            return ReturnStatus.UNKNOWN_JOB_ORDER_ID
        if job.state is not JobState.ALLOWED_TO_START or job_id in self.started:
            return ReturnStatus.INVALID_JOB_ORDER_STATUS
        self.started.append(job_id)
        self.advance(now)
        self._changed()
        return ReturnStatus.NO_ERROR

    def response(self, job_id: str) -> JobResponse:
        job = self.jobs.get(job_id)
        if job is None:
            return JobResponse(state=None, labels_printed=0, status=ReturnStatus.UNKNOWN_JOB_ORDER_ID)
        return JobResponse(state=job.state, labels_printed=job.printed, status=ReturnStatus.NO_ERROR)

    # -- the print mechanism ----------------------------------------------------------------------------------------
    def advance(self, now: float) -> None:
        """Finish every label whose print time is over, start the next; media out interrupts the running job."""
        while self.started:
            job = self.jobs[self.started[0]]
            if self.media_out or self.out_of_service:
                self._set(job, JobState.INTERRUPTED if job.state is not JobState.ALLOWED_TO_START else job.state)
                job.started_at = None
                return
            if job.started_at is None:
                job.started_at = now
                self._set(job, JobState.RUNNING)
            if now < job.started_at + self.print_time_s:
                return
            self._finish(job, job.started_at + self.print_time_s)

    def next_due(self) -> float | None:
        job = self.jobs[self.started[0]] if self.started else None
        return job.started_at + self.print_time_s if job is not None and job.started_at is not None else None

    def set_media(self, labels: int, now: float) -> None:
        self.labels_remaining = max(0, labels)
        self.advance(now)
        self._changed()

    def set_out_of_service(self, out: bool, now: float) -> None:
        self.out_of_service = out
        self.advance(now)
        self._changed()

    def restart(self) -> None:
        """Power cycle: job orders, results and the label being printed are gone; the media stays."""
        self.jobs.clear()
        self.started.clear()
        self._changed()

    def _finish(self, job: Job, done: float) -> None:
        fmt = parse_format(job.zpl)
        self.printed.append(
            PrintedLabel(
                zpl=fmt.zpl,
                label_id=fmt.label_id,
                reprint=fmt.reprint,
                fields=tuple(f.data for f in fmt.fields),
                barcodes=tuple((f.kind, f.data) for f in fmt.fields if f.kind != "text"),
                time=done,
            )
        )
        self.labels_remaining -= 1
        job.printed, job.started_at = 1, None
        self._set(job, JobState.ENDED)
        self.started.popleft()

    def _set(self, job: Job, state: JobState) -> None:
        if job.state is not state:
            job.state = state
            self._changed()

    def _changed(self) -> None:
        self.version += 1


class OpcUaPrinterSim(HostedSim):
    """``PrintEngineModel`` behind an OPC UA server; the print mechanism runs on the injected clock."""

    def __init__(
        self,
        *,
        clock: Clock,
        security: ServerSecurity | None = None,
        users: UserTable | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        print_time_s: float = 0.5,
        labels: int = FULL_ROLL,
        name: str = "printer-sim",
    ) -> None:
        self.model = PrintEngineModel(labels_remaining=labels, print_time_s=print_time_s)
        self.host = SimServer(
            name=name,
            namespace_uri=printer_model.PRINTER_NAMESPACE_URI,
            node_specs=printer_model.printer_address_space(),
            security=security or ServerSecurity(),
            users=users or UserTable({}),
            host=host,
            port=port,
            path="jis/printer",
        )
        self._clock = clock
        self._cut: CutMoment | None = None
        self._scan = Scan(clock, self._print, name=f"{self.host.name}-engine")
        self._start_time = datetime.datetime.fromtimestamp(clock.now(), datetime.UTC)

    @property
    def printed(self) -> list[PrintedLabel]:
        return self.model.printed

    async def start(self) -> str:
        control, results = printer_model.JOB_CONTROL, printer_model.JOB_RESULTS
        methods: dict[str, MethodHandler] = {
            machinery.join(control, "Store"): lambda a: self._store(a, start=False),
            machinery.join(control, "StoreAndStart"): lambda a: self._store(a, start=True),
            machinery.join(control, "Start"): self._start_job,
            machinery.join(results, "RequestJobResponseByJobOrderID"): self._response,
        }
        await self.host.start(methods)
        await self._write_start_time()
        self._scan.start()
        return self.url

    async def stop(self) -> None:
        await self._scan.stop()
        await self.host.stop()

    async def wait_printed(self, count: int, timeout_s: float) -> None:
        """Wait (real time, bounded) until at least ``count`` labels have printed."""
        await self.wait_until(lambda model: len(model.printed) >= count, timeout_s)

    async def wait_until(self, predicate: Callable[[PrintEngineModel], bool], timeout_s: float) -> None:
        """Wait (real time, bounded) until ``predicate(model)`` holds; checked after every change."""
        await self._scan.wait_until(lambda: predicate(self.model), timeout_s)

    # -- fault switches -----------------------------------------------------------------------------------------------
    def set_media(self, labels: int) -> None:
        self.model.set_media(labels, self._clock.now())
        self._poke()

    def set_out_of_service(self, out: bool) -> None:
        self.model.set_out_of_service(out, self._clock.now())
        self._poke()

    async def set_offline(self, down: bool) -> None:
        await self.host.set_offline(down)

    def clear_jobs(self) -> None:
        """The operator clears the job list at the panel (no restart: StartTime stays); the media stays."""
        self.model.restart()
        self._poke()

    def cut_next_call(self, moment: CutMoment) -> None:
        """The next StoreAndStart (or Store) loses its connection: ``before`` storing it or ``after``."""
        self._cut = moment

    async def restart(self) -> None:
        self.model.restart()
        self._start_time = max(
            self._start_time + datetime.timedelta(milliseconds=1),
            datetime.datetime.fromtimestamp(self._clock.now(), datetime.UTC),
        )
        await self._write_start_time()
        self.host.drop_connections()
        self._poke()

    # -- methods ------------------------------------------------------------------------------------------------------
    async def _store(self, arguments: list[ua.Variant], *, start: bool) -> list[ua.Variant]:
        job_id, zpl = printer_model.decode_store(arguments)
        cut, self._cut = self._cut, None
        if cut == "before":
            self.host.drop_connections()
            return printer_model.encode_status(ReturnStatus.UNABLE_TO_ACCEPT_JOB_ORDER)  # never reaches the client
        status = self.model.store(job_id, zpl, start=start, now=self._clock.now())
        self._poke()
        if cut == "after":
            self.host.drop_connections()
        return printer_model.encode_status(status)

    async def _start_job(self, arguments: list[ua.Variant]) -> list[ua.Variant]:
        status = self.model.start(printer_model.decode_job_id(arguments), self._clock.now())
        self._poke()
        return printer_model.encode_status(status)

    async def _response(self, arguments: list[ua.Variant]) -> list[ua.Variant]:
        self.model.advance(self._clock.now())
        return printer_model.encode_response(self.model.response(printer_model.decode_job_id(arguments)))

    # -- the print mechanism on the clock -------------------------------------------------------------------------
    def _poke(self) -> None:
        self._scan.poke()

    async def _print(self, now: float) -> float | None:
        self.model.advance(now)
        await self._publish()
        return self.model.next_due()

    async def _publish(self) -> None:
        module = printer_model.PRINTER_MODULE
        values: Sequence[tuple[str, object, ua.VariantType]] = (
            (machinery.join(module, "LabelsRemaining"), self.model.labels_remaining, V.UInt32),
            (machinery.join(module, "MediaOut"), self.model.media_out, V.Boolean),
            (machinery.join(module, "JobsStored"), len(self.model.jobs), V.UInt32),
            (
                machinery.state_path(printer_model.PRINTER_ROOT),
                ua.LocalizedText(self.model.state.value),
                V.LocalizedText,
            ),
        )
        for path, value, vtype in values:
            await self.host.write(path, value, vtype)

    async def _write_start_time(self) -> None:
        await self.host.write_standard(ObjectIds.Server_ServerStatus_StartTime, self._start_time, V.DateTime)
