"""Shipped racks as the OEM sees them: what each rack held when it left, when it was needed, and its ship notice.

What it is for: the facts behind the KPIs shared with the OEM (``sequencer.kpis.shared_kpis``, docs/kpis.md), after
the Odette/AIAG recommendation "KPIs for Automotive Supply Chain Management" (LK03): per rack shipped, was it on
time (shipped by the time its first vehicle is needed at the OEM's line: the vehicle's due time), in full (every
part its vehicles need is in it), in sequence (every part in the slot its sequence number calls for, and the right
part: a part exchanged after shipping was the wrong one), and where its ship notice's answer stands.

A ``Shipment`` is written by the rack rules the moment a rack ships (``sequencer.rules.racks.record_shipment``),
from the core's state before the rack is forgotten, and kept up to date by the later facts that concern it: a
shipment called off and shipped again, a part exchanged or taken out after shipping, the notice sent, answered,
overdue (``sequencer.rules.notices``). ``ShipmentBook`` keeps them for ``KEEP_S`` plant seconds behind the newest
(a shift and a day for the live figures); ``jis report`` replays the journal and keeps every one it sees appended
(``appended``), so a report covers any period the journal holds.

What it must not do: decide anything (the rules do) or read a clock; it is state, pickled with the core.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

KEEP_S = 2 * 86400.0  # plant seconds of shipments kept behind the newest (the live shift and day figures)

NoticeWord = Literal["", "due", "sent", "acknowledged", "rejected"]  # "": the plant sends no ship notices
ShipmentKey = tuple[str, str, int]  # (feed, family, rack no.)


@dataclass(slots=True)
class Shipment:
    """One rack shipped, and what became of it."""

    feed: str
    family: str
    rack_no: int
    label_id: str
    low_seq: int
    high_seq: int
    shipped_at: float
    needed_at: float | None  # the earliest due time of a vehicle in it (None: no vehicle needed anything)
    capacity: int
    parts: int  # parts (pick lines) in it when it left
    expected: int  # parts its vehicles need: picks not cancelled, and a slot per number given up on (a gap)
    out_of_sequence: int  # neighbours in slot order whose sequence numbers do not come in order
    replaced: int = 0  # parts exchanged after shipping (``CorrectShippedRack`` with a part): the wrong part left
    removed: int = 0  # parts taken out after shipping (``CorrectShippedRack`` without one)
    called_off: bool = False  # the shipment was called off (``CancelShipNotice``) and the rack has not left again
    notice_id: str = ""
    notice_state: NoticeWord = ""
    notice_version: int = 0
    notice_overdue: bool = False  # no answer within ack_timeout_s (``notice_unanswered`` raised)
    notice_reason: str = ""  # the OEM's, when it rejected the newest version
    rejections: int = 0  # versions of its notice the OEM rejected

    # -- the verdicts ---------------------------------------------------------------------------------------------
    @property
    def on_time(self) -> bool:
        return self.needed_at is None or self.shipped_at <= self.needed_at

    @property
    def in_full(self) -> bool:
        return self.parts >= self.expected and self.removed == 0

    @property
    def in_sequence(self) -> bool:
        return self.out_of_sequence == 0 and self.replaced == 0

    @property
    def otif(self) -> bool:
        """On time, in full and in sequence (JIS: "in full" includes the sequence)."""
        return self.on_time and self.in_full and self.in_sequence

    @property
    def wrong_parts(self) -> int:
        """Parts that left out of sequence or as the wrong part (the numerator of the shipped-sequence ppm)."""
        return self.out_of_sequence + self.replaced

    @property
    def notice_unanswered(self) -> bool:
        return self.notice_state in ("due", "sent") and self.notice_overdue


class ShipmentBook:
    """The shipments of the last ``KEEP_S`` plant seconds, oldest first, and the newest one per rack."""

    def __init__(self) -> None:
        self.recent: deque[Shipment] = deque()
        self.of_rack: dict[ShipmentKey, Shipment] = {}
        self.appended = 0  # shipments ever written (a replay watches it to keep every one)

    def append(self, shipment: Shipment) -> None:
        self.recent.append(shipment)
        self.of_rack[(shipment.feed, shipment.family, shipment.rack_no)] = shipment
        self.appended += 1
        horizon = shipment.shipped_at - KEEP_S
        while self.recent and self.recent[0].shipped_at < horizon:
            old = self.recent.popleft()
            key = (old.feed, old.family, old.rack_no)
            if self.of_rack.get(key) is old:
                del self.of_rack[key]

    def get(self, feed: str, family: str, rack_no: int) -> Shipment | None:
        return self.of_rack.get((feed, family, rack_no))
