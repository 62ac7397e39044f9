"""What goes on a label, as data.

What it must not do: know how a label looks or is printed (rendering to ZPL is ``plc_io.zpl_labels``'s, the layout
the plant's); the core only decides the content. The label's life (asked, sending, printed, uncertain) is
``sequencer.rules.labelling``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, kw_only=True)
class PartLabel:
    """One per confirmed pick: sequence no., customer part no., vehicle id (Code 128 + DataMatrix)."""

    label_id: str
    feed: str
    seq: int
    vehicle_id: str
    part: str
    description: str
    family: str
    rack_no: int
    slot: int
    plant: str
    reprint: int = 0
    qty: int = field(default=1, repr=False)  # parts of this number the pick takes (left out of the golden repr)


@dataclass(frozen=True, slots=True, kw_only=True)
class RackLabel:
    """One per closed rack: rack no., low and high sequence no., plant, line, dock (AIAG-style 4x6)."""

    label_id: str
    feed: str
    family: str
    rack_no: int
    low_seq: int
    high_seq: int
    slots: int
    plant: str
    line: str
    dock: str
    reprint: int = 0


Label = PartLabel | RackLabel
