"""The OPC UA node model of the label print engine and its value codecs, all pure.

What it is for: the one table both ends read, so the driver (``plc_io.opcua.printer``) and the simulator
(``hardware_sims.opcua_printer``) agree on every browse name, NodeId, data type and method signature
(docs/opcua.md has the same table).

The print engine has ``PrinterModule`` media stock (after OPC 40200's PrinterModuleType: LabelsRemaining,
MediaOut) and ``JobManagement`` after OPC 40001-3 / OPC 10031-4: ``JobOrderControl.Store``, ``StoreAndStart``,
``Start`` and ``JobOrderResults.RequestJobResponseByJobOrderID``, with ISA-95 job order states and the
ReturnStatus bit map of OPC 10031-4 Annex B.2. Simplification: the job order is two Strings (JobOrderID, ZPL
label data) instead of an ISA95JobOrderDataType structure, and the response is (JobState, LabelsPrinted,
ReturnStatus) instead of an ISA95JobResponseDataType.

Must not: open sockets, read clocks, log, or know the reconnect or job guarantees (those are the driver's).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntFlag, StrEnum

from asyncua import ua

from plc_io.opcua.machinery import (
    SERVING_STATES,
    Argument,
    Identity,
    MachineryItemState,
    NodeSpec,
    as_int,
    check_types,
    decode_state,
    join,
    machine_nodes,
    method_spec,
    object_spec,
    variable_spec,
)

PRINTER_NAMESPACE_URI = "urn:jis-sequencer:opcua:print-engine"
PRINTER_ROOT = "PrintEngine"

V = ua.VariantType


class JobState(StrEnum):
    """ISA-95 job order states (OPC 10031-4 ISA95JobOrderStateMachineType), as the JobState output names them."""

    NOT_ALLOWED_TO_START = "NotAllowedToStart"
    ALLOWED_TO_START = "AllowedToStart"
    RUNNING = "Running"
    INTERRUPTED = "Interrupted"
    ENDED = "Ended"
    ABORTED = "Aborted"


class ReturnStatus(IntFlag):
    """OPC 10031-4 Annex B.2 method ReturnStatus, a UInt64 bit map; bit 33 is this project's (33-63: ours)."""

    NO_ERROR = 1 << 0
    UNKNOWN_JOB_ORDER_ID = 1 << 1
    INVALID_JOB_ORDER_COMMAND = 1 << 2
    INVALID_JOB_ORDER_STATUS = 1 << 3
    UNABLE_TO_ACCEPT_JOB_ORDER = 1 << 4
    INVALID_REQUEST = 1 << 32
    DUPLICATE_JOB_ORDER_ID = 1 << 33  # implementation-specific: this JobOrderID is already stored


JOB_CONTROL = join(PRINTER_ROOT, "JobManagement", "JobOrderControl")
JOB_RESULTS = join(PRINTER_ROOT, "JobManagement", "JobOrderResults")
PRINTER_MODULE = join(PRINTER_ROOT, "PrinterModule")
STORE_INPUTS = (
    Argument("JobOrderID", V.String, "unique per label and reprint: label_id#reprint"),
    Argument("LabelData", V.String, "one ZPL II format (plc_io.zpl_labels.layouts.render_label)"),
)
JOB_ID_INPUT = (STORE_INPUTS[0],)
RETURN_STATUS = Argument("ReturnStatus", V.UInt64, "OPC 10031-4 B.2 bit map")
RESPONSE_OUTPUTS = (
    Argument("JobState", V.String, "ISA-95 job order state name"),
    Argument("LabelsPrinted", V.UInt32, "labels of this job that left the printer"),
    RETURN_STATUS,
)
PRINTER_VARIABLES: tuple[tuple[str, ua.VariantType, object, str], ...] = (
    ("LabelsRemaining", V.UInt32, 0, "labels left on the roll (media stock)"),
    ("MediaOut", V.Boolean, False, "True: no labels; jobs are Interrupted"),
    ("JobsStored", V.UInt32, 0, "job orders the printer holds (any state)"),
)
PRINTER_METHODS: tuple[tuple[str, str, tuple[Argument, ...], tuple[Argument, ...], str], ...] = (
    (JOB_CONTROL, "Store", STORE_INPUTS, (RETURN_STATUS,), "store a job order (AllowedToStart, not started)"),
    (JOB_CONTROL, "StoreAndStart", STORE_INPUTS, (RETURN_STATUS,), "store a job order and start it"),
    (JOB_CONTROL, "Start", JOB_ID_INPUT, (RETURN_STATUS,), "start a stored job order"),
    (JOB_RESULTS, "RequestJobResponseByJobOrderID", JOB_ID_INPUT, RESPONSE_OUTPUTS, "state of one job order"),
)
PRINTER_STATUS_READ = (join(PRINTER_MODULE, "MediaOut"), join(PRINTER_MODULE, "LabelsRemaining"))

PRINTER_IDENTITY: Identity = {
    "Manufacturer": "JIS sim",
    "Model": "PRINT-ENGINE-OPCUA-SIM",
    "SerialNumber": "PE-0001",
    "ProductInstanceUri": "urn:jis-sequencer:print-engine:0001",
    "SoftwareRevision": "1.0",
}


def printer_address_space(
    identity: Identity = PRINTER_IDENTITY, state: MachineryItemState = MachineryItemState.NOT_EXECUTING
) -> tuple[NodeSpec, ...]:
    nodes = machine_nodes(PRINTER_ROOT, "label print engine", identity, state)
    nodes.append(object_spec(PRINTER_MODULE, "OPC 40200 PrinterModuleType look-alike: media stock"))
    nodes += [variable_spec(join(PRINTER_MODULE, n), t, v, d) for n, t, v, d in PRINTER_VARIABLES]
    nodes += [
        object_spec(join(PRINTER_ROOT, "JobManagement"), "OPC 40001-3 JobManagementType look-alike"),
        object_spec(JOB_CONTROL, "ISA95JobOrderReceiverObjectType look-alike"),
        object_spec(JOB_RESULTS, "ISA95JobResponseProviderObjectType look-alike"),
    ]
    nodes += [method_spec(join(parent, n), d, i, o) for parent, n, i, o, d in PRINTER_METHODS]
    return tuple(nodes)


def job_order_id(label_id: str, reprint: int) -> str:
    """A label and its reprint number make one job order: the printer refuses the same id twice."""
    return f"{label_id}#{reprint}"


def encode_store(job_id: str, label_data: str) -> list[ua.Variant]:
    return [ua.Variant(job_id, V.String), ua.Variant(label_data, V.String)]


def decode_store(arguments: Sequence[ua.Variant]) -> tuple[str, str]:
    check_types(arguments, STORE_INPUTS)
    job_id, data = (str(a.Value) for a in arguments)
    if not job_id:
        raise ValueError("JobOrderID must not be empty")
    return job_id, data


def encode_job_id(job_id: str) -> list[ua.Variant]:
    return [ua.Variant(job_id, V.String)]


def decode_job_id(arguments: Sequence[ua.Variant]) -> str:
    check_types(arguments, JOB_ID_INPUT)
    return str(arguments[0].Value)


def encode_status(status: ReturnStatus) -> list[ua.Variant]:
    return [ua.Variant(int(status), V.UInt64)]


def decode_status(outputs: Sequence[object]) -> ReturnStatus:
    (value,) = outputs
    return ReturnStatus(as_int(value))


@dataclass(frozen=True, slots=True, kw_only=True)
class JobResponse:
    state: JobState | None  # None: the printer does not know the job order
    labels_printed: int
    status: ReturnStatus


def encode_response(response: JobResponse) -> list[ua.Variant]:
    state = response.state.value if response.state is not None else ""
    return [
        ua.Variant(state, V.String),
        ua.Variant(response.labels_printed, V.UInt32),
        ua.Variant(int(response.status), V.UInt64),
    ]


def decode_response(outputs: Sequence[object]) -> JobResponse:
    state, printed, status = outputs
    return JobResponse(
        state=JobState(str(state)) if state else None,
        labels_printed=as_int(printed),
        status=ReturnStatus(as_int(status)),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PrinterStatus:
    media_out: bool
    labels_remaining: int
    state: MachineryItemState


PRINTER_FAULTS: dict[str, Callable[[PrinterStatus], bool]] = {
    "media out": lambda s: s.media_out,
    "out of service": lambda s: s.state not in SERVING_STATES,
}


def printer_faults(status: PrinterStatus) -> tuple[str, ...]:
    return tuple(name for name, test in PRINTER_FAULTS.items() if test(status))


def decode_printer_status(values: Sequence[object]) -> PrinterStatus:
    """``PRINTER_STATUS_READ`` values followed by CurrentState."""
    media_out, remaining, state = values
    return PrinterStatus(media_out=bool(media_out), labels_remaining=as_int(remaining), state=decode_state(state))
