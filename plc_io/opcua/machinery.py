"""The vocabulary of the OPC UA node tables and the OPC 40001-1 building blocks both machines carry, all pure.

What it is for: ``NodeSpec`` and its builders, string NodeIds, the ``Identification`` and
``MachineryItemState`` look-alikes and the argument checks the device models (``plc_io.opcua.ptl_model``,
``plc_io.opcua.printer_model``) are written in.

Both machines sit in ``Objects/Machines`` and carry the OPC 40001-1 building blocks ``Identification``
(Manufacturer, Model, SerialNumber, ProductInstanceUri, SoftwareRevision) and
``MachineryBuildingBlocks/MachineryItemState/CurrentState`` (NotAvailable, OutOfService, NotExecuting,
Executing). They are look-alikes in this project's namespace: the Machinery nodeset is not loaded, so the
browse names match OPC 40001 but the namespace is ours.

NodeIds are strings equal to the browse path below ``Objects/Machines``; the namespace index is never
hard-coded: clients look the namespace URI up after connecting.

Must not: open sockets, read clocks, log, or know the reconnect or job guarantees (those are the drivers').
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum

from asyncua import ua

MACHINES = "Machines"  # the OPC 40001-1 entry folder below Objects
SEPARATOR = "/"

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


def variable_spec(path: str, vtype: ua.VariantType, initial: object, doc: str) -> NodeSpec:
    return NodeSpec(path=path, kind=NodeKind.VARIABLE, vtype=vtype, initial=initial, doc=doc)


def method_spec(path: str, doc: str, inputs: tuple[Argument, ...] = (), outputs: tuple[Argument, ...] = ()) -> NodeSpec:
    return NodeSpec(path=path, kind=NodeKind.METHOD, inputs=inputs, outputs=outputs, doc=doc)


def object_spec(path: str, doc: str = "") -> NodeSpec:
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


def machine_nodes(root: str, doc: str, identity: Identity, state: MachineryItemState) -> list[NodeSpec]:
    """The machine object below ``Objects/Machines`` with its Identification and MachineryItemState."""
    ident = join(root, "Identification")
    blocks = join(root, "MachineryBuildingBlocks")
    nodes = [
        object_spec(root, doc),
        object_spec(ident, "OPC 40001-1 Identification (MachineIdentificationType look-alike)"),
    ]
    nodes += [variable_spec(join(ident, n), t, _identity_value(t, identity[n]), d) for n, t, d in IDENTIFICATION]
    nodes += [
        NodeSpec(path=blocks, kind=NodeKind.FOLDER, doc="OPC 40001-1 building blocks"),
        object_spec(join(blocks, "MachineryItemState"), "MachineryItemState_StateMachineType"),
        variable_spec(
            state_path(root), V.LocalizedText, ua.LocalizedText(state.value), "NotAvailable, OutOfService, ..."
        ),
    ]
    return nodes


def decode_state(value: object) -> MachineryItemState:
    """CurrentState as a client reads it (LocalizedText); an unknown name is NotAvailable."""
    text = value.Text if isinstance(value, ua.LocalizedText) else value
    try:
        return MachineryItemState(str(text))
    except ValueError:
        return MachineryItemState.NOT_AVAILABLE


def start_time_text(value: object) -> str:
    """ServerStatus.StartTime as text: a changed value means the server restarted (OPC 10000-5 §12.10)."""
    return value.isoformat() if isinstance(value, datetime.datetime) else repr(value)


# -- value checks shared by the device codecs ----------------------------------------------------------------------
def check_types(arguments: Sequence[ua.Variant], expected: tuple[Argument, ...]) -> None:
    """Method arguments with exactly the declared VariantTypes, else ValueError."""
    got = [a.VariantType for a in arguments]
    want = [a.vtype for a in expected]
    if got != want:
        names = [a.name for a in expected]
        raise ValueError(f"arguments {names} must be {[t.name for t in want]}, got {[t.name for t in got]}")


def as_int(value: object) -> int:
    """An integer read from the server (a bool is not one), else ValueError."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"expected an integer, got {value!r}")
    return value
