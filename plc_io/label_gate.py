"""The label guarantee every printer driver shares: a label id is accepted once per reprint number, and a full
outbox refuses a label instead of dropping it. One place, so the ZPL, Modbus and OPC UA printers cannot drift.
"""

from __future__ import annotations

from collections import OrderedDict

from plc_io.ports import DeviceError, OutboxFull
from sequencer.labels import Label

REMEMBERED_LABELS = 100_000  # label ids kept for the duplicate check (days of labels at one station)


class LabelRefused(DeviceError):
    """``print_label`` refused the label: already queued or printed with this reprint number, or bad data."""


class LabelGate:
    def __init__(self, printer: str, outbox_size: int) -> None:
        self._printer = printer
        self._outbox_size = outbox_size
        self._accepted: OrderedDict[str, int] = OrderedDict()  # label id -> highest reprint accepted

    def check(self, label: Label, waiting: int) -> None:
        """Raise ``LabelRefused`` for a label already accepted at this reprint, ``OutboxFull`` when full."""
        last = self._accepted.get(label.label_id)
        if last is not None and label.reprint <= last:
            raise LabelRefused(
                f"{self._printer}: label {label.label_id} reprint {label.reprint} was already accepted "
                f"(a reprint needs reprint > {last})"
            )
        if waiting >= self._outbox_size:
            raise OutboxFull(f"{self._printer}: {waiting} labels waiting")

    def accept(self, label: Label) -> None:
        self._accepted[label.label_id] = label.reprint
        self._accepted.move_to_end(label.label_id)
        while len(self._accepted) > REMEMBERED_LABELS:
            self._accepted.popitem(last=False)
