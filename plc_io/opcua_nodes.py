"""The OPC UA node models of the pick-to-light controller and the print engine, and their value codecs, all pure.

What it is for: one table per device that both ends read, so the driver (``plc_io.ptl_opcua``,
``plc_io.printer_opcua``) and the simulators (``hardware_sims.opcua_ptl``, ``hardware_sims.opcua_printer``)
agree on every browse name, string NodeId, data type and method signature (docs/opcua.md has the same tables,
checked against these by ``tests/unit/test_opcua_nodes.py``).

The models (no companion specification exists for pick-by-light, see /work/shared/design/devices.md):
  * both machines sit in ``Objects/Machines`` and carry the OPC 40001-1 building blocks ``Identification``
    (Manufacturer, Model, SerialNumber, ProductInstanceUri, SoftwareRevision) and
    ``MachineryBuildingBlocks/MachineryItemState/CurrentState`` (NotAvailable, OutOfService, NotExecuting,
    Executing). They are look-alikes in this project's namespace: the Machinery nodeset is not loaded, so the
    browse names match OPC 40001 but the namespace is ours;
  * the PTL controller has one object per bin (``Bins/Bin003``: light 3) with Colour, Blink, Display, Token,
    ConfirmCounter, ConfirmToken, AcknowledgedCounter, Confirmed, Online and the methods Light, Clear and
    Acknowledge. A confirm is a latch plus a counter, as on the Modbus lights, with the latch kept as a counter
    too: AcknowledgedCounter is the ConfirmCounter value the host last acknowledged, so "latched" is
    ConfirmCounter != AcknowledgedCounter (shown as Confirmed for people). The device thereby keeps the host's
    baseline: a host that restarts counts the presses it never acknowledged, and no read can catch a press
    half-published (the device writes ConfirmCounter after ConfirmToken, ``BIN_PUBLISH_ORDER``);
  * the print engine has ``PrinterModule`` media stock (after OPC 40200's PrinterModuleType: LabelsRemaining,
    MediaOut) and ``JobManagement`` after OPC 40001-3 / OPC 10031-4: ``JobOrderControl.Store``,
    ``StoreAndStart``, ``Start`` and ``JobOrderResults.RequestJobResponseByJobOrderID``, with ISA-95 job
    order states and the ReturnStatus bit map of OPC 10031-4 Annex B.2. Simplification: the job order is two
    Strings (JobOrderID, ZPL label data) instead of an ISA95JobOrderDataType structure, and the response is
    (JobState, LabelsPrinted, ReturnStatus) instead of an ISA95JobResponseDataType.

NodeIds are strings equal to the browse path below ``Objects/Machines`` (``ns=<i>;s=PickToLight/Bins/Bin003/
Colour``); the namespace index is never hard-coded: clients look the namespace URI up after connecting.

Must not: open sockets, read clocks, log, or know the reconnect or job guarantees (those are the drivers').
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum, IntFlag, StrEnum

from asyncua import ua

from plc_io.ports import Colour

PTL_NAMESPACE_URI = "urn:jis-sequencer:opcua:pick-to-light"
PRINTER_NAMESPACE_URI = "urn:jis-sequencer:opcua:print-engine"
MACHINES = "Machines"  # the OPC 40001-1 entry folder below Objects
PTL_ROOT = "PickToLight"
PRINTER_ROOT = "PrintEngine"
SEPARATOR = "/"

DISPLAY_MAX = 9999  # four display digits, as the Modbus lights
TOKEN_MAX = 0xFFFF_FFFF  # UInt32
COUNTER_MODULUS = 0x1_0000_0000  # ConfirmCounter is a UInt32 that wraps
COUNTER_JUMP_LIMIT = 1024  # more presses than this between two reads is not a person: the controller restarted
LIGHT_NUMBERS = range(1, 248)  # the same bin addresses as the Modbus unit ids (sequencer.plant.BinConfig.light)

V = ua.VariantType


class NodeKind(Enum):
    FOLDER = "folder"
    OBJECT = "object"
    VARIABLE = "variable"
    METHOD = "method"


@dataclass(frozen=True, slots=True)
class Argument:
    name: str
    vtype: ua.VariantType
    doc: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeSpec:
    """One node: its path is its browse path below ``Objects/Machines`` and its string NodeId."""

    path: str
    kind: NodeKind
    vtype: ua.VariantType | None = None
    initial: object = None
    inputs: tuple[Argument, ...] = ()
    outputs: tuple[Argument, ...] = ()
    doc: str = ""

    @property
    def browse_name(self) -> str:
        return self.path.rsplit(SEPARATOR, 1)[-1]

    @property
    def parent(self) -> str:
        return self.path.rsplit(SEPARATOR, 1)[0] if SEPARATOR in self.path else ""


def join(*parts: str) -> str:
    return SEPARATOR.join(parts)


def node_id(namespace_index: int, path: str) -> ua.NodeId:
    return ua.NodeId(ua.String(path), ua.Int16(namespace_index))


def _var(path: str, vtype: ua.VariantType, initial: object, doc: str) -> NodeSpec:
    return NodeSpec(path=path, kind=NodeKind.VARIABLE, vtype=vtype, initial=initial, doc=doc)


def _method(path: str, doc: str, inputs: tuple[Argument, ...] = (), outputs: tuple[Argument, ...] = ()) -> NodeSpec:
    return NodeSpec(path=path, kind=NodeKind.METHOD, inputs=inputs, outputs=outputs, doc=doc)


def _obj(path: str, doc: str = "") -> NodeSpec:
    return NodeSpec(path=path, kind=NodeKind.OBJECT, doc=doc)


# -- OPC 40001-1 building blocks, shared by both machines --------------------------------------------------------
class MachineryItemState(StrEnum):
    """OPC 40001-1 MachineryItemState_StateMachineType states (CurrentState is their LocalizedText name)."""

    NOT_AVAILABLE = "NotAvailable"
    OUT_OF_SERVICE = "OutOfService"
    NOT_EXECUTING = "NotExecuting"
    EXECUTING = "Executing"


SERVING_STATES = frozenset({MachineryItemState.NOT_EXECUTING, MachineryItemState.EXECUTING})

IDENTIFICATION: tuple[tuple[str, ua.VariantType, str], ...] = (
    ("Manufacturer", V.LocalizedText, "OPC 40001-1 MachineIdentificationType, mandatory"),
    ("Model", V.LocalizedText, "model name"),
    ("SerialNumber", V.String, "unique per manufacturer and model"),
    ("ProductInstanceUri", V.String, "globally unique id of this machine"),
    ("SoftwareRevision", V.String, "firmware version"),
)


Identity = dict[str, str]  # Identification browse name -> value, as ``IDENTIFICATION`` names them


def _identity_value(vtype: ua.VariantType, text: str) -> object:
    return ua.LocalizedText(text) if vtype is V.LocalizedText else text


def state_path(root: str) -> str:
    return join(root, "MachineryBuildingBlocks", "MachineryItemState", "CurrentState")


def _machine(root: str, doc: str, identity: Identity, state: MachineryItemState) -> list[NodeSpec]:
    ident = join(root, "Identification")
    nodes = [_obj(root, doc), _obj(ident, "OPC 40001-1 Identification (MachineIdentificationType look-alike)")]
    nodes += [_var(join(ident, n), t, _identity_value(t, identity[n]), d) for n, t, d in IDENTIFICATION]
    nodes += [
        NodeSpec(path=join(root, "MachineryBuildingBlocks"), kind=NodeKind.FOLDER, doc="OPC 40001-1 building blocks"),
        _obj(join(root, "MachineryBuildingBlocks", "MachineryItemState"), "MachineryItemState_StateMachineType"),
        _var(state_path(root), V.LocalizedText, ua.LocalizedText(state.value), "NotAvailable, OutOfService, ..."),
    ]
    return nodes


def decode_state(value: object) -> MachineryItemState:
    """CurrentState as a client reads it (LocalizedText); an unknown name is NotAvailable."""
    text = value.Text if isinstance(value, ua.LocalizedText) else value
    try:
        return MachineryItemState(str(text))
    except ValueError:
        return MachineryItemState.NOT_AVAILABLE


# -- the pick-to-light controller ------------------------------------------------------------------------------------
BIN_VARIABLES: tuple[tuple[str, ua.VariantType, object, str], ...] = (
    ("Colour", V.UInt16, 0, "0 off, 1 green, 2 red, 3 yellow, 4 blue, 5 white (plc_io.ports.Colour)"),
    ("Blink", V.Boolean, False, "True: flashing"),
    ("Display", V.UInt16, 0, f"display digits, 0..{DISPLAY_MAX}"),
    ("Token", V.UInt32, 0, "pick token lit (0: none)"),
    ("ConfirmCounter", V.UInt32, 0, "presses since power-up, wraps at 2^32"),
    ("ConfirmToken", V.UInt32, 0, "the Token that was lit at the latest press"),
    ("AcknowledgedCounter", V.UInt32, 0, "the ConfirmCounter value the host last acknowledged"),
    ("Confirmed", V.Boolean, False, "ConfirmCounter != AcknowledgedCounter: a press not yet acknowledged"),
    ("Online", V.Boolean, True, "the light answers on the controller's bus"),
)
# A device writes the counter last: a reader that sees a new ConfirmCounter sees the ConfirmToken of that press.
BIN_PUBLISH_ORDER = (*tuple(n for n, *_ in BIN_VARIABLES if n != "ConfirmCounter"), "ConfirmCounter")
LIGHT_INPUTS = (
    Argument("Colour", V.UInt16, "0..5 as the Colour variable"),
    Argument("Blink", V.Boolean, "True: flashing"),
    Argument("Display", V.UInt16, f"0..{DISPLAY_MAX}"),
    Argument("Token", V.UInt32, "pick token (0: none)"),
)
ACKNOWLEDGE_INPUTS = (Argument("ConfirmCounter", V.UInt32, "the counter value the host has counted"),)
BIN_METHODS: tuple[tuple[str, tuple[Argument, ...], str], ...] = (
    ("Light", LIGHT_INPUTS, "show colour, blink, digits and token at once (idempotent)"),
    ("Clear", (), "switch the light off (Token 0)"),
    ("Acknowledge", ACKNOWLEDGE_INPUTS, "AcknowledgedCounter := argument (never past ConfirmCounter)"),
)
BIN_READ = ("Online", "ConfirmCounter", "ConfirmToken", "AcknowledgedCounter")  # one Read per bin
BIN_WATCH = ("ConfirmCounter", "Online")  # monitored items per bin: a change means "read this bin"

PTL_IDENTITY: Identity = {
    "Manufacturer": "JIS sim",
    "Model": "PTL-OPCUA-SIM",
    "SerialNumber": "PTL-0001",
    "ProductInstanceUri": "urn:jis-sequencer:ptl:0001",
    "SoftwareRevision": "1.0",
}


def bin_path(light: int, member: str = "") -> str:
    """``PickToLight/Bins/Bin003`` (light 3), or one of its variables or methods."""
    if light not in LIGHT_NUMBERS:
        raise ValueError(f"light {light} is outside {LIGHT_NUMBERS.start}..{LIGHT_NUMBERS.stop - 1}")
    base = join(PTL_ROOT, "Bins", f"Bin{light:03d}")
    return join(base, member) if member else base


def ptl_address_space(
    lights: Sequence[int],
    identity: Identity = PTL_IDENTITY,
    state: MachineryItemState = MachineryItemState.NOT_EXECUTING,
) -> tuple[NodeSpec, ...]:
    """Every node of the controller, parents before children."""
    nodes = _machine(PTL_ROOT, "pick-to-light controller", identity, state)
    nodes.append(NodeSpec(path=join(PTL_ROOT, "Bins"), kind=NodeKind.FOLDER, doc="one object per bin"))
    for light in lights:
        nodes.append(_obj(bin_path(light), f"bin light {light}"))
        nodes += [_var(bin_path(light, n), t, v, d) for n, t, v, d in BIN_VARIABLES]
        nodes += [_method(bin_path(light, n), d, inputs) for n, inputs, d in BIN_METHODS]
    return tuple(nodes)


@dataclass(frozen=True, slots=True, kw_only=True)
class LightState:
    """What a bin shows. ``CLEAR`` is off with no token."""

    colour: Colour
    blink: bool
    display: int
    token: int


CLEAR = LightState(colour=Colour.OFF, blink=False, display=0, token=0)


def check_light(state: LightState) -> LightState:
    problems = {
        f"display {state.display} outside 0..{DISPLAY_MAX}": not 0 <= state.display <= DISPLAY_MAX,
        f"token {state.token} outside 0..{TOKEN_MAX}": not 0 <= state.token <= TOKEN_MAX,
        f"colour {state.colour!r} is not a Colour": not isinstance(state.colour, Colour),
    }
    failed = [message for message, bad in problems.items() if bad]
    if failed:
        raise ValueError("; ".join(failed))
    return state


def encode_light(state: LightState) -> list[ua.Variant]:
    """Light's input arguments, each with its declared VariantType (a bare int would be Int64: BadTypeMismatch)."""
    check_light(state)
    values = (int(state.colour), state.blink, state.display, state.token)
    return [ua.Variant(v, a.vtype) for v, a in zip(values, LIGHT_INPUTS, strict=True)]


def decode_light(arguments: Sequence[ua.Variant]) -> LightState:
    """The server side of ``encode_light``: exact types and ranges, else ValueError."""
    _check_types(arguments, LIGHT_INPUTS)
    colour, blink, display, token = (a.Value for a in arguments)
    try:
        return check_light(LightState(colour=Colour(colour), blink=bool(blink), display=display, token=token))
    except ValueError as exc:
        raise ValueError(f"Light arguments {[a.Value for a in arguments]}: {exc}") from exc


def encode_acknowledge(counter: int) -> list[ua.Variant]:
    return [ua.Variant(counter % COUNTER_MODULUS, V.UInt32)]


def decode_acknowledge(arguments: Sequence[ua.Variant]) -> int:
    _check_types(arguments, ACKNOWLEDGE_INPUTS)
    return int(arguments[0].Value)


@dataclass(frozen=True, slots=True, kw_only=True)
class BinSnapshot:
    """One Read of ``BIN_READ`` for one bin."""

    online: bool
    counter: int
    token: int
    acknowledged: int

    @property
    def latched(self) -> bool:
        return self.counter != self.acknowledged


def decode_bin(values: Sequence[object]) -> BinSnapshot:
    online, counter, token, acknowledged = values
    numbers = (counter, token, acknowledged)
    if not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= TOKEN_MAX for n in numbers):
        raise ValueError(f"bin read {list(values)}: ConfirmCounter, ConfirmToken, AcknowledgedCounter must be UInt32")
    return BinSnapshot(online=bool(online), counter=_int(counter), token=_int(token), acknowledged=_int(acknowledged))


def presses_since(baseline: int | None, snapshot: BinSnapshot) -> int:
    """New presses since the counter value ``baseline``; None (never read): since the host's last acknowledge.

    The counter is the truth, as in ``ptl_modbus_map.presses_since``. A counter more than
    ``COUNTER_JUMP_LIMIT`` ahead, or behind (a controller that restarted), counts the presses since its restart.
    """
    start = snapshot.acknowledged if baseline is None else baseline
    delta = (snapshot.counter - start) % COUNTER_MODULUS
    return delta if delta <= COUNTER_JUMP_LIMIT else snapshot.counter


def acknowledge_accepts(acknowledged: int, counter: int, proposed: int) -> bool:
    """Acknowledge may move AcknowledgedCounter forward up to ConfirmCounter, never past it (UInt32 wrapping)."""
    return (proposed - acknowledged) % COUNTER_MODULUS <= (counter - acknowledged) % COUNTER_MODULUS


# -- the print engine ------------------------------------------------------------------------------------------------
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
    Argument("LabelData", V.String, "one ZPL II format (plc_io.zpl.render_label)"),
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

PRINTER_IDENTITY: Identity = PTL_IDENTITY | {
    "Model": "PRINT-ENGINE-OPCUA-SIM",
    "SerialNumber": "PE-0001",
    "ProductInstanceUri": "urn:jis-sequencer:print-engine:0001",
}


def printer_address_space(
    identity: Identity = PRINTER_IDENTITY, state: MachineryItemState = MachineryItemState.NOT_EXECUTING
) -> tuple[NodeSpec, ...]:
    nodes = _machine(PRINTER_ROOT, "label print engine", identity, state)
    nodes.append(_obj(PRINTER_MODULE, "OPC 40200 PrinterModuleType look-alike: media stock"))
    nodes += [_var(join(PRINTER_MODULE, n), t, v, d) for n, t, v, d in PRINTER_VARIABLES]
    nodes += [
        _obj(join(PRINTER_ROOT, "JobManagement"), "OPC 40001-3 JobManagementType look-alike"),
        _obj(JOB_CONTROL, "ISA95JobOrderReceiverObjectType look-alike"),
        _obj(JOB_RESULTS, "ISA95JobResponseProviderObjectType look-alike"),
    ]
    nodes += [_method(join(parent, n), d, i, o) for parent, n, i, o, d in PRINTER_METHODS]
    return tuple(nodes)


def job_order_id(label_id: str, reprint: int) -> str:
    """A label and its reprint number make one job order: the printer refuses the same id twice."""
    return f"{label_id}#{reprint}"


def encode_store(job_id: str, label_data: str) -> list[ua.Variant]:
    return [ua.Variant(job_id, V.String), ua.Variant(label_data, V.String)]


def decode_store(arguments: Sequence[ua.Variant]) -> tuple[str, str]:
    _check_types(arguments, STORE_INPUTS)
    job_id, data = (str(a.Value) for a in arguments)
    if not job_id:
        raise ValueError("JobOrderID must not be empty")
    return job_id, data


def encode_job_id(job_id: str) -> list[ua.Variant]:
    return [ua.Variant(job_id, V.String)]


def decode_job_id(arguments: Sequence[ua.Variant]) -> str:
    _check_types(arguments, JOB_ID_INPUT)
    return str(arguments[0].Value)


def encode_status(status: ReturnStatus) -> list[ua.Variant]:
    return [ua.Variant(int(status), V.UInt64)]


def decode_status(outputs: Sequence[object]) -> ReturnStatus:
    (value,) = outputs
    return ReturnStatus(_int(value))


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
        state=JobState(str(state)) if state else None, labels_printed=_int(printed), status=ReturnStatus(_int(status))
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
    return PrinterStatus(media_out=bool(media_out), labels_remaining=_int(remaining), state=decode_state(state))


def start_time_text(value: object) -> str:
    """ServerStatus.StartTime as text: a changed value means the server restarted (OPC 10000-5 §12.10)."""
    return value.isoformat() if isinstance(value, datetime.datetime) else repr(value)


# -- helpers ---------------------------------------------------------------------------------------------------------
def _check_types(arguments: Sequence[ua.Variant], expected: tuple[Argument, ...]) -> None:
    got = [a.VariantType for a in arguments]
    want = [a.vtype for a in expected]
    if got != want:
        names = [a.name for a in expected]
        raise ValueError(f"arguments {names} must be {[t.name for t in want]}, got {[t.name for t in got]}")


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"expected an integer, got {value!r}")
    return value
