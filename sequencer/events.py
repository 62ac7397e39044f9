"""Events: what happened, in the past tense. The only way anything enters the core.

Every event is a frozen, keyword-only value carrying its own time ``at`` (epoch seconds, from the service's
clock): the core never reads a clock. ``EVENT_TYPES`` names them for the journal.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True, kw_only=True)
class BroadcastRejected:
    """Input the service could not accept (malformed, unknown feed); kept in quarantine with its reason."""

    at: float
    reason: str
    feed: str = ""
    seq: int | None = None
    quarantine_id: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class BinConfirmed:
    """An operator pressed a bin's confirm button (``token``: the pick the light showed at the press; 0 = none)."""

    at: float
    station: str
    bin: str
    token: int = 0
    count: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class LabelPrinted:
    at: float
    label_id: str


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
class Tick:
    """Time passes: lets the core notice silence, time-outs and lateness without reading a clock."""

    at: float


Event = (
    BroadcastReceived | BroadcastRejected | BinConfirmed | LabelPrinted | DeviceLinkChanged | PrinterFaultChanged | Tick
)

EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        BroadcastReceived,
        BroadcastRejected,
        BinConfirmed,
        LabelPrinted,
        DeviceLinkChanged,
        PrinterFaultChanged,
        Tick,
    )
}
