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
    # The Global Transport Label's fields (Odette LL08 / VDA 4994, data identifiers of ANSI MH10.8.2), left out of
    # the golden repr like ``qty``: empty where the plant file names none.
    serial: str = field(default="", repr=False)  # 1J license plate: supplier no. + a counter no database resets
    supplier: str = field(default="", repr=False)  # V: our supplier number at the OEM
    customer_part: str = field(default="", repr=False)  # P: the OEM's part number ("part" is ours: 1P)
    ship_to: str = field(default="", repr=False)  # 2L: the OEM's receiving plant
    unloading_point: str = field(default="", repr=False)  # the OEM's dock (the feed's ``dock``)
    labelled_at: float = field(default=0.0, repr=False)  # D: when it was labelled (printed as YYMMDD; 0: no date)
    timezone: str = field(default="UTC", repr=False)  # the plant's zone, in which the date is printed
    template: str = field(default="", repr=False)  # the partner whose label template prints it ("": the plant's)


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
    # The Global Transport Label's fields (as on ``PartLabel``): the rack is a mixed load, so its license plate is 5J.
    serial: str = field(default="", repr=False)  # 5J license plate: supplier no. + a counter no database resets
    supplier: str = field(default="", repr=False)  # V
    ship_to: str = field(default="", repr=False)  # 2L
    labelled_at: float = field(default=0.0, repr=False)  # D
    timezone: str = field(default="UTC", repr=False)
    qty: int = field(default=0, repr=False)  # Q: parts in the rack
    contents: tuple[RackSlot, ...] = field(default=(), repr=False)  # the slot list, in slot order
    template: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class RackSlot:
    """One filled slot of a rack as its label lists it: slot no., sequence no., supplier part no., part serial; with
    ``[labels] traced``, the serial and batch scanned at its pick (empty: none, or not shown)."""

    slot: int
    seq: int
    part: str
    serial: str
    scanned_serial: str = ""
    scanned_batch: str = ""


Label = PartLabel | RackLabel
