"""The ``LabelPrinter`` port for an OPC UA print engine with Machinery Job Management (``printer_model``).

What it does: ``print_label`` renders the label to ZPL II at once (``plc_io.zpl_labels.layouts``: bad barcode data
is refused to the caller) and queues it in a bounded outbox; one owning task, ``run``, does all the I/O over one
asyncua ``Client`` per connection. The label travels as ZPL text in a job order (StoreAndStart(JobOrderID,
LabelData)) rather than as structured fields: the same renderer and golden tests serve both printer kinds, and
an engine that speaks OPC UA towards the line usually prints ZPL or a dialect of it inside. The JobOrderID is
``label_id#reprint``.

The job guarantee is EXACTLY ONCE while the printer keeps its job list, and at most once otherwise:
  1. A job leaves the outbox only with the link up and the printer healthy (not media out, in service).
  2. StoreAndStart answered NoError (or "duplicate JobOrderID": it was stored earlier) means the printer holds
     the job; from then on the driver only asks RequestJobResponseByJobOrderID until the job is Ended
     (``LabelDone``) or Aborted (``PrinterFault("job aborted: <id>")``), through faults and link loss.
  3. If the call's answer is lost (the link dropped or timed out), the job is UNSURE. After reconnecting, the
     driver asks the printer for that JobOrderID: known -> follow it as in 2; unknown and ServerStatus.StartTime
     unchanged -> it never arrived: it is sent again (safe: the printer refuses a JobOrderID it already holds,
     so even a late copy of the first call cannot print a second label); unknown and StartTime changed (the
     printer restarted and lost its list) -> whether it printed cannot be known: the driver does NOT resend,
     it reports ``PrinterFault(device, ("job uncertain: <id>",))`` once, as ``plc_io.zpl.printer`` does, so the
     plant raises a deviation and asks for a reprint (``reprint + 1``: a new JobOrderID).
  4. A job the printer refuses outright (a Bad status or InvalidRequest) is reported as "job rejected: <id>".

Must not: print a label id twice without a new reprint number, share its client, or block the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import NoReturn

from asyncua import ua
from asyncua.client.client import Client
from asyncua.ua.object_ids import ObjectIds

from plc_io.label_gate import LabelGate
from plc_io.link import PRINT_ENGINE_CEILING_S, DeviceLink
from plc_io.opcua import machinery, printer_model
from plc_io.opcua.client import close_client, guarded, namespace_index, open_client
from plc_io.opcua.printer_model import JobResponse, JobState, ReturnStatus
from plc_io.opcua.security import ClientSecurity, log_profile
from plc_io.ports import UNCERTAIN, DeviceError, LabelDone, PrinterFault, Report, Sending
from plc_io.zpl_labels.layouts import BUILT_IN, Layouts, render_label
from sequencer.labels import Label

log = logging.getLogger(__name__)

ABORTED = "job aborted: "  # + label id: the printer gave the job up (cancelled at the panel, jammed)
REJECTED = "job rejected: "  # + label id: the printer refused the job order; nothing was stored
STORED = ReturnStatus.NO_ERROR | ReturnStatus.DUPLICATE_JOB_ORDER_ID  # either bit: the printer holds the job


@dataclass(frozen=True, slots=True)
class _Job:
    label_id: str
    job_id: str
    zpl: str
    reprint: int = 0


@dataclass(slots=True)
class _InFlight:
    job: _Job
    start_time: str  # the printer's ServerStatus.StartTime when the job was sent
    stored: bool = False  # False while the answer to StoreAndStart is unknown


class _Ids:
    def __init__(self, namespace: int) -> None:
        self.ns = namespace
        self.status = [machinery.node_id(namespace, p) for p in printer_model.PRINTER_STATUS_READ]
        self.status.append(machinery.node_id(namespace, machinery.state_path(printer_model.PRINTER_ROOT)))

    def call(self, parent: str, method: str, arguments: list[ua.Variant]) -> ua.CallMethodRequest:
        return ua.CallMethodRequest(
            ObjectId=machinery.node_id(self.ns, parent),
            MethodId=machinery.node_id(self.ns, machinery.join(parent, method)),
            InputArguments=arguments,
        )


class OpcUaPrinter:
    """A print engine at ``url`` (``opc.tcp://host:port/path``)."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        security: ClientSecurity | None = None,
        timeout_s: float = 2.0,
        outbox_size: int = 256,
        layouts: Layouts = BUILT_IN,
        status_interval_s: float = 1.0,
        confirm_poll_s: float = 0.05,
    ) -> None:
        if timeout_s <= 0 or status_interval_s <= 0 or confirm_poll_s <= 0 or outbox_size < 1:
            raise ValueError("OpcUaPrinter: timeouts and intervals must be positive, outbox_size at least 1")
        self.name = name
        self._url, self._security = url, security or ClientSecurity()
        self._timeout_s, self._status_interval_s, self._confirm_poll_s = timeout_s, status_interval_s, confirm_poll_s
        self._gate: LabelGate[_Job] = LabelGate(name, outbox_size)
        self._outbox = self._gate.jobs
        self._layouts = layouts  # the plant file's label templates (plc_io.zpl_labels.layouts.layouts_from_plant)
        self._inflight: _InFlight | None = None
        self._wake = asyncio.Event()
        self._link = DeviceLink(name, "printer", log, ceiling_s=PRINT_ENGINE_CEILING_S)
        self._faults: tuple[str, ...] = ()
        self._report: Report = lambda _report: None

    @property
    def queued(self) -> int:
        """Jobs not yet reported done, aborted or uncertain (the outbox plus the one at the printer)."""
        return len(self._outbox) + (self._inflight is not None)

    def before_sending(self, hook: Sending) -> None:
        """The service's write-ahead, awaited before each label leaves (``plc_io.label_gate``)."""
        self._gate.sending = hook

    def print_label(self, label: Label) -> None:
        """Queue one label. Raises ``LabelRefused`` (duplicate or unprintable) or ``OutboxFull``; never drops."""
        job_id = printer_model.job_order_id(label.label_id, label.reprint)
        self._gate.admit(label, lambda: _Job(label.label_id, job_id, render_label(label, self._layouts), label.reprint))
        self._wake.set()

    # -- the owning task ----------------------------------------------------------------------------------------
    async def run(self, report: Report) -> None:
        self._report = report
        log_profile(log, f"{self.name} -> {self._url}", self._security.profile)
        await self._link.run(report, self._connection)

    async def _connection(self) -> NoReturn:
        client = await open_client(self._url, self._security, name=self.name, timeout_s=self._timeout_s)
        try:
            ids = await self._resolve(client)
            start_time = await self._read_start_time(client)
            self._link.up()
            await self._settle_unsure(client, ids, start_time)
            while True:
                await self._step(client, ids, start_time)
        except DeviceError as exc:
            # shown now, not after the polite close below: against a printer gone silent (a pulled cable) that
            # close waits a whole timeout_s more, which made the bound status_interval_s + 2 x timeout_s
            self._link.down(str(exc))
            raise
        finally:
            await close_client(client, self._timeout_s)

    async def _resolve(self, client: Client) -> _Ids:
        uri = printer_model.PRINTER_NAMESPACE_URI
        return _Ids(await namespace_index(client, uri, self.name, self._url, self._timeout_s))

    async def _read_start_time(self, client: Client) -> str:
        async with guarded(f"{self.name}: ServerStatus", self._timeout_s):
            value = await client.get_node(ua.NodeId(ua.Int32(ObjectIds.Server_ServerStatus_StartTime))).read_value()
        return machinery.start_time_text(value)

    async def _step(self, client: Client, ids: _Ids, start_time: str) -> None:
        async with guarded(f"{self.name}: status", self._timeout_s):
            values = await client.read_values([client.get_node(i) for i in ids.status])
        try:
            faults = printer_model.printer_faults(printer_model.decode_printer_status(values))
        except ValueError as exc:
            raise DeviceError(f"{self.name}: unreadable printer status {values}: {exc}") from exc
        self._set_faults(faults)
        if self._inflight is not None:
            await self._follow(client, ids)
        elif faults:
            await asyncio.sleep(self._status_interval_s)
        elif self._outbox and await self._journaled():
            await self._send(client, ids, start_time)
        else:
            await self._idle()

    # -- the job at the printer (module doc) ----------------------------------------------------------------------
    async def _send(self, client: Client, ids: _Ids, start_time: str) -> None:
        flight = self._inflight = _InFlight(self._outbox.popleft(), start_time)
        request = ids.call(
            printer_model.JOB_CONTROL, "StoreAndStart", printer_model.encode_store(flight.job.job_id, flight.job.zpl)
        )
        result = await self._call(client, request)  # a lost answer leaves the job unsure (module doc, step 3)
        status = printer_model.decode_status(_outputs(result)) if result.StatusCode.is_good() else None
        if status is not None and status & STORED:
            flight.stored = True
        elif status is not None and status & ReturnStatus.UNABLE_TO_ACCEPT_JOB_ORDER:
            self._inflight = None  # not stored: it waits at the head of the outbox for a healthy printer
            self._outbox.appendleft(flight.job)
            await asyncio.sleep(self._status_interval_s)
        else:
            self._inflight = None
            why = status.name if status is not None else result.StatusCode.name
            log.error("%s: job %s rejected by the printer: %s", self.name, flight.job.job_id, why)
            self._set_faults((REJECTED + flight.job.label_id,))

    async def _journaled(self) -> bool:
        """Write-ahead for the head of the outbox (``LabelGate.release``)."""
        return await self._gate.release(lambda: asyncio.sleep(self._status_interval_s))

    async def _follow(self, client: Client, ids: _Ids) -> None:
        flight = self._inflight
        assert flight is not None
        response = await self._job_response(client, ids, flight.job.job_id)
        if response.state is JobState.ENDED:
            self._inflight = None
            self._report(LabelDone(device=self.name, label_id=flight.job.label_id, reprint=flight.job.reprint))
        elif response.state is JobState.ABORTED:
            self._inflight = None
            self._set_faults((ABORTED + flight.job.label_id,))
        elif response.state is None:  # the printer forgot it without restarting (list cleared at the panel)
            self._inflight = None
            self._set_faults((UNCERTAIN + flight.job.label_id,))
        else:
            await asyncio.sleep(self._confirm_poll_s)

    async def _settle_unsure(self, client: Client, ids: _Ids, start_time: str) -> None:
        """After a (re)connect: find out what became of the job at the printer (module doc, step 3)."""
        flight = self._inflight
        if flight is None:
            return
        response = await self._job_response(client, ids, flight.job.job_id)
        if response.state is not None:
            flight.stored = True
            return
        self._inflight = None
        if not flight.stored and flight.start_time == start_time:
            log.info("%s: job %s never reached the printer: sending it again", self.name, flight.job.job_id)
            self._outbox.appendleft(flight.job)
            return
        log.error("%s: the printer restarted and lost job %s: reprint needed", self.name, flight.job.job_id)
        self._set_faults((UNCERTAIN + flight.job.label_id,))

    async def _job_response(self, client: Client, ids: _Ids, job_id: str) -> JobResponse:
        request = ids.call(
            printer_model.JOB_RESULTS, "RequestJobResponseByJobOrderID", printer_model.encode_job_id(job_id)
        )
        result = await self._call(client, request)
        if not result.StatusCode.is_good():
            raise DeviceError(f"{self.name}: RequestJobResponseByJobOrderID: {result.StatusCode.name}")
        try:
            return printer_model.decode_response(_outputs(result))
        except ValueError as exc:
            raise DeviceError(f"{self.name}: bad job response {_outputs(result)}: {exc}") from exc

    async def _call(self, client: Client, request: ua.CallMethodRequest) -> ua.CallMethodResult:
        async with guarded(f"{self.name}: call", self._timeout_s):
            (result,) = await client.uaclient.call([request])
        return result

    async def _idle(self) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._status_interval_s):
                await self._wake.wait()

    # -- reports, each once per change ----------------------------------------------------------------------
    def _set_faults(self, faults: tuple[str, ...]) -> None:
        """Report a changed fault set; an empty one clears the fault."""
        if faults != self._faults:
            self._faults = faults
            self._report(PrinterFault(device=self.name, faults=faults))


def _outputs(result: ua.CallMethodResult) -> list[object]:
    return [v.Value for v in result.OutputArguments or []]
