"""An independent check of what went onto racks: is every part in the slot its sequence number calls for?

It looks only at the part labels the service sends to the printers, not at the core's state: per feed and
family, ordering the labels by (wrap-aware) sequence number must give strictly increasing rack positions, no
slot may be used twice, and no label may be sent twice without a reprint number. The demo's summary and the
fault campaign read ``out_of_sequence`` and ``doubled`` from here.
"""

from __future__ import annotations

from itertools import pairwise

from sequencer import seqnum
from sequencer.labels import Label, PartLabel
from sequencer.plant import PlantConfig


class SequenceCheck:
    def __init__(self, plant: PlantConfig) -> None:
        self._modulus = {f.id: f.modulus for f in plant.feeds}
        self._family = {f.id: f for f in plant.families}
        self._last: dict[str, tuple[int, int]] = {}  # feed -> (last seq, its position)
        self._placed: dict[tuple[str, str], list[tuple[int, int, int]]] = {}  # -> (position, rack, slot rank)
        self._sent: set[tuple[str, int]] = set()
        self.doubled = 0
        self.part_labels = 0

    def label(self, label: Label) -> None:
        key = (label.label_id, label.reprint)
        if key in self._sent:
            self.doubled += 1
            return
        self._sent.add(key)
        if not isinstance(label, PartLabel) or label.reprint:
            return
        self.part_labels += 1
        position = self._position(label.feed, label.seq)
        fam = self._family[label.family]
        rank = fam.rack_capacity - label.slot + 1 if fam.reverse_load else label.slot
        self._placed.setdefault((label.feed, label.family), []).append((position, label.rack_no, rank))

    def returned(self, feed: str, family: str, rack_no: int, slot: int) -> None:
        """A part taken back out of its slot (change or cancel after the pick): its label no longer counts."""
        fam = self._family[family]
        rank = fam.rack_capacity - slot + 1 if fam.reverse_load else slot
        placed = self._placed.get((feed, family), [])
        for i in range(len(placed) - 1, -1, -1):
            if placed[i][1:] == (rack_no, rank):
                del placed[i]
                return

    def _position(self, feed: str, seq: int) -> int:
        if feed not in self._last:
            self._last[feed] = (seq, 0)
            return 0
        last_seq, last_pos = self._last[feed]
        pos = seqnum.unwrap(last_seq, last_pos, seq, self._modulus[feed])
        if pos > last_pos:
            self._last[feed] = (seq, pos)
        return pos

    @property
    def out_of_sequence(self) -> int:
        """Labels whose rack slot breaks the order of their sequence numbers, or share a slot with another."""
        bad = 0
        for placed in self._placed.values():
            placed = sorted(placed)
            slots = [(rack, rank) for _, rack, rank in placed]
            bad += sum(1 for a, b in pairwise(slots) if b <= a)
        return bad
