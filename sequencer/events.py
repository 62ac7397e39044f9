"""Events: what happened, in the past tense. The only way anything enters the core.

Every event is a frozen, keyword-only value carrying its own time ``at`` (epoch seconds, from the service's
clock): the core never reads a clock. ``EVENT_TYPES`` names them for the journal.
What it must not do: validate untrusted input (the service does that at its edge, with pydantic) or change a
field's name or meaning once journaled: the journal is replayed through these classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BroadcastFunction = Literal["original", "change", "cancel", "hold", "release"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BroadcastReceived:
    """A build order for one vehicle from an OEM feed, already durably stored by the service."""

    at: float
    feed: str
    seq: int
    vehicle_id: str
    function: BroadcastFunction = "original"
    firm: bool = True
    options: tuple[str, ...] = ()
    parts: tuple[tuple[str, str], ...] = ()  # (family, part number) where the OEM names parts directly
    sent_at: float | None = None
    # (family, quantity) of the named parts that take more than one; the OEM's required time (epoch s): the due
    # time, else arrival + the feed's lead time. Left out of the repr (which the golden replay digests) so the
    # events of a feed without them read as they always did.
    quantities: tuple[tuple[str, int], ...] = field(default=(), repr=False)
    required_at: float | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class BroadcastRejected:
    """Input the service could not accept (malformed, unknown feed); kept in quarantine with its reason."""

    at: float
    reason: str
    feed: str = ""
    seq: int | None = None
    quarantine_id: int = 0
    source: str = ""  # who sent it, as the service knows (a gateway's key, else the feed link): floods are per source


@dataclass(frozen=True, slots=True, kw_only=True)
class QuarantineFlood:
    """The service's summary of one source's refused input it counted and did not store in one window (past the
    quarantine's rows or bytes per source): one row in quarantine (``quarantine_id``), counted on the source's
    flood alarm (``sequencer.floods``)."""

    at: float
    source: str
    count: int
    size: int  # bytes of the frames counted
    reason: str  # the first one's
    quarantine_id: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayRefused:
    """A broadcast for a feed from a gateway whose CURVE key the plant file does not allow to publish it
    (``[[feeds]] gateway_keys``): refused before the core, kept in quarantine with its reason, never applied."""

    at: float
    feed: str
    gateway: str  # the sender's public key (Z85)
    reason: str
    seq: int | None = None
    quarantine_id: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class BinConfirmed:
    """An operator pressed a bin's confirm button (``token``: the pick the light showed at the press; 0 = none).

    ``counter``: the light's own press counter after these presses, when the device has one. The journal keeps
    it so that after a restart the driver counts presses from the last one journaled: a press the driver took
    off the light just before a crash is reported again, one already journaled is not."""

    at: float
    station: str
    bin: str
    token: int = 0
    count: int = 1
    counter: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PartScanned:
    """A barcode read at a station: a fixed-mount reader's line or a hand scanner typed into the operator panel.

    ``code``: the read as text (bytes that are not printable ASCII as ``\\xNN``); ``raw``: the bytes as read, in
    hex, so the journal keeps exactly what the reader sent; ``source``: which reader (``tcp:NAME``, ``wedge:USER``).
    The core matches it against the lit pick's family (``sequencer.rules.scanning``)."""

    at: float
    station: str
    code: str
    raw: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelPrinted:
    at: float
    label_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelSending:
    """Write-ahead: the printer driver is about to hand this label (this reprint) to the printer. Journaled
    before a byte leaves, so after a crash a label without it never left the service and is sent again safely,
    while one with it may have printed and becomes uncertain (never resent on its own)."""

    at: float
    label_id: str
    reprint: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelSerialsReserved:
    """The service reserved label serials ``first`` to ``last`` (inclusive) in the data folder's serial file before
    journaling this: labels asked for from now take their serials from this block (``docs/printer-zpl.md``, "Label
    serials"). A block at or below one journaled before is refused: a serial is never issued twice."""

    at: float
    first: int
    last: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelUncertain:
    """A label went to its printer, but whether it printed cannot be known (the service restarted before the
    printer confirmed it, or the link tore mid-job). Never sent again on its own: a person checks the part or
    rack, then reprints it (a visible "REPRINT n") or resolves the deviation (the label is there)."""

    at: float
    label_id: str
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceLinkChanged:
    at: float
    device: str
    up: bool
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PrinterFaultChanged:
    """A printer's fault set changed; an empty ``faults`` means it is healthy again."""

    at: float
    device: str
    faults: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class JournalWriteChanged:
    """The journal could not be written (``ok`` False: disk full, database read-only) or is written again (True).
    The failing one is handed to the core before it can be journaled (its P1 alarm must show while nothing can be
    saved) and is the first row written when the journal takes writes again (``app.service.sequencing``)."""

    at: float
    ok: bool
    detail: str = ""


DiskLevel = Literal["ok", "low", "critical"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DiskSpaceChanged:
    """The free space of the database's folder crossed a threshold of the plant file (``[service.disk]``)."""

    at: float
    folder: str
    level: DiskLevel
    free_mb: float
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Tick:
    """Time passes: lets the core notice silence, time-outs and lateness without reading a clock."""

    at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class RackShipped:
    """The dock scanned a rack onto a truck (or a lead shipped it by hand)."""

    at: float
    feed: str
    family: str
    rack_no: int
    user: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RackLabelScanned:
    """The dock scanned a rack's label as the rack went onto the truck: that rack ships (docs/ship-notices.md)."""

    at: float
    label_id: str
    dock: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipNoticeSending:
    """Write-ahead: the ship notice ``notice_id`` version ``version`` was built and is about to leave (journaled with
    the message's bytes as ``raw``, before a byte leaves the service)."""

    at: float
    notice_id: str
    version: int
    format: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipNoticeAnswered:
    """The OEM answered a ship notice (APERAK / CONTRL-like): accepted, or rejected with its reason."""

    at: float
    notice_id: str
    version: int
    accepted: bool
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class StockSet:
    """A bin's stock was counted: a replenishment scan (``source`` names the scanner or the replenisher) or a lead
    by hand (``SetBinStock`` carries it, audited). The bin holds ``qty`` parts from now on."""

    at: float
    bin: str
    qty: int
    source: str


LineState = Literal["running", "stopped"]


@dataclass(frozen=True, slots=True, kw_only=True)
class LineStatusReported:
    """The OEM's line reported its state on the feed (``LINE``, docs/feed-protocol.md): running or stopped, and the
    rate it runs at (vehicles an hour) when it says. While it stands, due times move and nothing is late
    (``sequencer.rules.line``); a rate above what picking keeps up with raises ``line_too_fast``."""

    at: float
    feed: str
    state: LineState
    rate_per_h: float | None = None
    reporting_point: str = ""


# -- manual operations: intents carrying who and why; each one is audited --------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class ManualOp:
    at: float
    user: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldVehicle(ManualOp):
    feed: str
    seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseVehicle(ManualOp):
    feed: str
    seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelVehicle(ManualOp):
    feed: str
    seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MoveVehicle(ManualOp):
    """Move a vehicle to a free place in the sequence (blank, cancelled or missing), e.g. after a repair loop."""

    feed: str
    seq: int
    to_seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SwapVehicles(ManualOp):
    """Reorder: two vehicles not yet picked exchange their places."""

    feed: str
    seq: int
    other_seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class InsertBroadcast(ManualOp):
    """Emergency mode: a broadcast keyed in or imported by hand while the feed is down."""

    feed: str
    seq: int
    vehicle_id: str
    options: tuple[str, ...] = ()
    parts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestResendByHand(ManualOp):
    feed: str
    from_seq: int
    to_seq: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ReprintLabel(ManualOp):
    label_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmByHand(ManualOp):
    """A lead confirms the lit pick at a station whose device failed."""

    station: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolveDeviation(ManualOp):
    deviation_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AcknowledgeAlarm(ManualOp):
    deviation_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ShelveAlarm(ManualOp):
    deviation_id: int
    until: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressAlarm(ManualOp):
    """Suppressed by design (ISA-18.2): not annunciated while the plant is in a state where it means
    nothing (a station shut down for the shift), until a person unsuppresses it; still listed."""

    deviation_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class UnsuppressAlarm(ManualOp):
    deviation_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveAlarmFromService(ManualOp):
    """Out of service (ISA-18.2): the alarm's source is under maintenance (a printer away for repair); not
    annunciated until a person returns it to service; still listed."""

    deviation_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnAlarmToService(ManualOp):
    deviation_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipRackByHand(ManualOp):
    feed: str
    family: str
    rack_no: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelShipNotice(ManualOp):
    """The rack's shipment is called off (it did not leave, or came back): its notice is cancelled (BGM 1); a later
    scan or hand shipment of the rack sends a new original."""

    feed: str
    family: str
    rack_no: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SetBinStock(ManualOp):
    """A lead counted a bin (or filled it): it holds ``qty`` parts from now on (audited; docs/stock.md)."""

    bin: str
    qty: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CorrectShippedRack(ManualOp):
    """A shipped rack changed after it left (a runner exchanged the part in ``slot``, or took it out: ``part`` ""):
    its notice is replaced (BGM 5) with what the rack holds now."""

    feed: str
    family: str
    rack_no: int
    slot: int
    part: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ResendShipNotice(ManualOp):
    """A lead sends a rack's ship notice again after the OEM rejected it (the cause fixed on either side) or left it
    unanswered past the time-out: a new version with the same function and contents."""

    feed: str
    family: str
    rack_no: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanPart(ManualOp):
    """A hand scanner's read typed into the operator panel (a keyboard-wedge scanner): the logged-in operator's
    scan, handled as a reader's (``PartScanned``, source ``wedge:USER``) and audited under their name."""

    station: str
    code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SetLineStatus(ManualOp):
    """A lead says the OEM's line stopped or runs again (its line-status messages do not come, or are wrong): the same
    rules as ``LineStatusReported``."""

    feed: str
    state: LineState


MANUAL_OPS: tuple[type[ManualOp], ...] = (
    HoldVehicle,
    ReleaseVehicle,
    CancelVehicle,
    MoveVehicle,
    SwapVehicles,
    InsertBroadcast,
    RequestResendByHand,
    ReprintLabel,
    ConfirmByHand,
    ResolveDeviation,
    AcknowledgeAlarm,
    ShelveAlarm,
    ShipRackByHand,
    SuppressAlarm,
    UnsuppressAlarm,
    RemoveAlarmFromService,
    ReturnAlarmToService,
    CancelShipNotice,
    CorrectShippedRack,
    ResendShipNotice,
    SetBinStock,
    SetLineStatus,
    ScanPart,
)

Event = (
    BroadcastReceived
    | BroadcastRejected
    | GatewayRefused
    | QuarantineFlood
    | BinConfirmed
    | PartScanned
    | LabelPrinted
    | LabelSending
    | LabelUncertain
    | LabelSerialsReserved
    | DeviceLinkChanged
    | PrinterFaultChanged
    | JournalWriteChanged
    | DiskSpaceChanged
    | RackShipped
    | Tick
    | HoldVehicle
    | ReleaseVehicle
    | CancelVehicle
    | MoveVehicle
    | SwapVehicles
    | InsertBroadcast
    | RequestResendByHand
    | ReprintLabel
    | ConfirmByHand
    | ResolveDeviation
    | AcknowledgeAlarm
    | ShelveAlarm
    | ShipRackByHand
    | SuppressAlarm
    | UnsuppressAlarm
    | RemoveAlarmFromService
    | ReturnAlarmToService
    | RackLabelScanned
    | ShipNoticeSending
    | ShipNoticeAnswered
    | CancelShipNotice
    | CorrectShippedRack
    | ResendShipNotice
    | StockSet
    | SetBinStock
    | LineStatusReported
    | SetLineStatus
    | ScanPart
)

EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        BroadcastReceived,
        BroadcastRejected,
        GatewayRefused,
        QuarantineFlood,
        BinConfirmed,
        PartScanned,
        LabelPrinted,
        LabelSending,
        LabelUncertain,
        LabelSerialsReserved,
        DeviceLinkChanged,
        PrinterFaultChanged,
        JournalWriteChanged,
        DiskSpaceChanged,
        RackShipped,
        Tick,
        RackLabelScanned,
        ShipNoticeSending,
        ShipNoticeAnswered,
        StockSet,
        LineStatusReported,
        *MANUAL_OPS,
    )
}
