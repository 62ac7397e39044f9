"""Commands: what the core wants done, in the imperative. The only way anything leaves the core.

Device commands (LightBin, ClearBin, PrintLabel, RequestResend) are carried out by the service through the
device ports; the rest (RaiseDeviation, ClearDeviation, VehicleCompleted, RackClosed) are facts for the log,
the HMI bus and the metrics.
What it must not do: carry anything mutable or anything a driver would have to look up in the core: a command
is a frozen value complete in itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sequencer.labels import Label


@dataclass(frozen=True, slots=True, kw_only=True)
class LightBin:
    station: str
    bin: str
    light: int
    device: str
    pick_id: int
    display: int
    feed: str
    seq: int
    alarm: bool = False  # red flash: a wrong pick blocks this slot until corrected


@dataclass(frozen=True, slots=True, kw_only=True)
class ClearBin:
    station: str
    bin: str
    light: int
    device: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PrintLabel:
    printer: str
    label: Label


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestResend:
    feed: str
    from_seq: int
    to_seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RaiseDeviation:
    deviation_id: int
    kind: str
    priority: int
    message: str  # in English; the screens say it in theirs from its template and values (sequencer.sentences)
    template: str = ""
    params: tuple[tuple[str, str | int | float], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ClearDeviation:
    deviation_id: int
    kind: str


@dataclass(frozen=True, slots=True, kw_only=True)
class VehicleCompleted:
    feed: str
    seq: int
    vehicle_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RackClosed:
    feed: str
    family: str
    rack_no: int
    low_seq: int
    high_seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnToStock:
    """Tell the station to put a picked part back in its bin (change or cancel after the pick)."""

    station: str
    bin: str
    part: str
    family: str
    feed: str
    seq: int
    rack_no: int
    slot: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CallReplenishment:
    """A bin went low: call the replenisher (``[stock]`` webhooks) to bring ``wanted`` parts (filling it)."""

    station: str
    bin: str
    part: str
    stock: int
    capacity: int
    wanted: int
    at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ShowBinStock:
    """A bin's light shows it is low (yellow while it is not lit for a pick), or no longer."""

    station: str
    bin: str
    light: int
    device: str
    low: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditRecord:
    """Who did what, when, why, and with what result: one per manual operation, refused ones included."""

    at: float
    user: str
    action: str
    target: str
    reason: str
    result: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AlarmStateChanged:
    deviation_id: int
    state: str
    user: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class NoticeItem:
    """One part in a shipped rack, in slot order: what the OEM's goods receipt scans (its label serial)."""

    slot: int
    seq: int
    vehicle_id: str
    part: str
    qty: int
    unit: str
    label_id: str
    # scanned at the pick (sequencer.rules.scanning); left out of the repr, so the notices of a line that never
    # scans keep their fingerprints (the scans themselves are hashed with the state)
    scanned_serial: str = field(default="", repr=False)
    scanned_batch: str = field(default="", repr=False)


NoticeFunction = Literal["original", "cancel", "replace"]  # DESADV BGM 1225: 9, 1, 5


@dataclass(frozen=True, slots=True, kw_only=True)
class SendShipNotice:
    """Send the ship notice of a rack (version ``version`` of document ``notice_id``) in the partner's format."""

    notice_id: str
    number: int  # the delivery note's number (numeric: VDA 4913)
    version: int
    function: NoticeFunction
    feed: str
    family: str
    rack_no: int
    rack_label: str
    shipped_at: float
    issued_at: float  # when the core asked for this version: the message's date, so a version always builds alike
    plant: str
    line: str
    dock: str
    items: tuple[NoticeItem, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PartTraced:
    """A scanned part's serial or batch recorded against its vehicle and slot (the trace ``jis trace`` answers).
    Nothing to drive: the record is the journal's scan event, this is what the core made of it."""

    at: float
    station: str
    feed: str
    seq: int
    vehicle_id: str
    family: str
    part: str
    serial: str
    batch: str
    rack_no: int
    slot: int
    pick_id: int
    code: str


Command = (
    ReturnToStock
    | CallReplenishment
    | ShowBinStock
    | AuditRecord
    | AlarmStateChanged
    | LightBin
    | ClearBin
    | PrintLabel
    | RequestResend
    | RaiseDeviation
    | ClearDeviation
    | VehicleCompleted
    | RackClosed
    | SendShipNotice
    | PartTraced
)
