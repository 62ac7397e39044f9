"""The core's working state: feeds, vehicles, picks, stations, racks and deviations.

Plain mutable dataclasses owned by one ``Sequencer``; nothing outside the core mutates them. Screens see them
only through ``sequencer.projection``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Literal

from sequencer.alarms import AlarmState
from sequencer.plant import FeedConfig, StationConfig

PickStatus = Literal["queued", "lit", "blocked", "held", "picked", "cancelled"]
VehicleStatus = Literal["open", "held", "cancelled", "completed"]


@dataclass(slots=True)
class Vehicle:
    feed: str
    seq: int
    position: int
    vehicle_id: str
    content: tuple[object, ...]
    at: float
    due_at: float
    picks: list[int] = field(default_factory=list)
    blocked: dict[str, int] = field(default_factory=dict)  # family -> open "unresolved" deviation id
    status: VehicleStatus = "open"
    completed_at: float = 0.0


@dataclass(slots=True)
class Pick:
    pick_id: int
    feed: str
    seq: int
    position: int
    vehicle_id: str
    family: str
    part: str
    qty: int
    bin: str
    station: str
    rack_no: int
    slot: int
    due_at: float
    status: PickStatus = "queued"
    label_id: str = ""
    labelled: bool = False


@dataclass(slots=True)
class Station:
    cfg: StationConfig
    family: str
    light_of_bin: dict[str, int]
    queue: list[tuple[int, int]] = field(default_factory=list)  # (position, pick_id), sequence order
    lit: int | None = None
    lit_at: float = 0.0
    blocked_by: int | None = None  # open wrong-pick deviation: nothing advances until it is resolved
    timeout_dev: int | None = None


@dataclass(slots=True)
class Rack:
    feed: str
    family: str
    rack_no: int
    capacity: int
    done: set[int] = field(default_factory=set)  # slots picked or blank (vehicle needs no such part)
    closed: bool = False
    shipped: bool = False
    label_id: str = ""
    labelled: bool = False
    due_at: float = float("inf")  # earliest due time of a vehicle in it
    due_dev: dict[str, int] = field(default_factory=dict)  # late_warning / late_alarm / late -> deviation id


@dataclass(slots=True)
class Feed:
    cfg: FeedConfig
    first_seq: int | None = None
    last_seq: int | None = None
    last_position: int = 0
    last_at: float | None = None
    broadcasts: int = 0
    gaps: int = 0
    duplicates: int = 0
    missing: dict[int, int] = field(default_factory=dict)  # position -> gap deviation id
    vehicles: dict[int, Vehicle] = field(default_factory=dict)  # position -> vehicle
    position_of: dict[str, int] = field(default_factory=dict)  # vehicle id -> position, open vehicles only
    forecast: dict[str, tuple[str, ...]] = field(default_factory=dict)  # vehicle id -> predicted parts
    recent: deque[float] = field(default_factory=deque)  # broadcast times within the last hour
    silence_dev: int | None = None

    def seq_at(self, position: int) -> int:
        assert self.first_seq is not None
        return (self.first_seq + position) % self.cfg.modulus


@dataclass(slots=True)
class Deviation:
    deviation_id: int
    kind: str
    priority: int
    at: float
    message: str
    feed: str = ""
    seq: int | None = None
    vehicle_id: str = ""
    station: str = ""
    state: AlarmState = AlarmState.UNACK
    active: bool = True
    shelved_until: float = 0.0
    note: str = ""
