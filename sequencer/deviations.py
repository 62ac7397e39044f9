"""Deviations: what a person must see, with the priority table (ISA-18.2 style, 1 = most urgent).

The kinds and their priorities are one table; the core raises and clears through ``DeviationBook`` so every
deviation is counted by kind (the demo's summary and the KPIs read the counts).
"""

from __future__ import annotations

from collections import Counter

from sequencer.commands import ClearDeviation, Command, RaiseDeviation
from sequencer.state import Deviation

# kind -> priority (1 high, 2 medium, 3 low). Pure events ("pick confirmed") are not deviations.
PRIORITY: dict[str, int] = {
    "gap": 1,
    "wrong_pick": 1,
    "device_offline": 1,
    "printer_fault": 1,
    "unresolved": 2,
    "unknown_feed": 2,
    "malformed": 2,
    "change": 2,
    "late_broadcast": 2,
    "unsupported_function": 2,
    "unknown_option": 3,
    "stale_confirm": 3,
    "duplicate": 3,
}

# Kinds that are counted but never open an entry in the list: nothing to act on.
COUNT_ONLY = frozenset({"duplicate"})


class DeviationBook:
    def __init__(self) -> None:
        self.by_id: dict[int, Deviation] = {}
        self.counts: Counter[str] = Counter()
        self._next_id = 1

    def raise_(
        self,
        kind: str,
        at: float,
        message: str,
        *,
        feed: str = "",
        seq: int | None = None,
        vehicle_id: str = "",
        station: str = "",
    ) -> list[Command]:
        self.counts[kind] += 1
        if kind in COUNT_ONLY:
            return []
        dev = Deviation(
            deviation_id=self._next_id,
            kind=kind,
            priority=PRIORITY[kind],
            at=at,
            message=message,
            feed=feed,
            seq=seq,
            vehicle_id=vehicle_id,
            station=station,
        )
        self._next_id += 1
        self.by_id[dev.deviation_id] = dev
        return [RaiseDeviation(deviation_id=dev.deviation_id, kind=kind, priority=dev.priority, message=message)]

    def clear(self, deviation_id: int) -> list[Command]:
        dev = self.by_id.get(deviation_id)
        if dev is None or not dev.open:
            return []
        dev.open = False
        del self.by_id[deviation_id]
        return [ClearDeviation(deviation_id=deviation_id, kind=dev.kind)]

    @property
    def newest_id(self) -> int:
        """The id of the deviation raised last."""
        return self._next_id - 1

    def open_deviations(self) -> list[Deviation]:
        return list(self.by_id.values())
