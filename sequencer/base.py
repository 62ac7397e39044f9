"""The core's shared state and the seams between its rule sets (feeds, picking, racks, manual operations).

``Sequencer`` (in ``core``) is assembled from mixins that all derive from ``CoreBase``; the methods declared
here and implemented in another mixin are the only calls that cross between rule sets.
"""

from __future__ import annotations

from collections import Counter, deque

from sequencer.commands import Command, PrintLabel
from sequencer.deviations import DeviationBook
from sequencer.events import BroadcastReceived, RackShipped
from sequencer.labels import PartLabel, RackLabel
from sequencer.plant import FamilyConfig, PlantConfig
from sequencer.resolution import Resolver
from sequencer.seqnum import unwrap
from sequencer.state import Feed, Pick, Rack, Station, Vehicle


class SequencerError(Exception):
    """The one error ``handle`` raises: the event was refused and nothing changed."""


class CoreBase:
    def __init__(self, plant: PlantConfig) -> None:
        self.plant = plant
        self.resolver = Resolver(plant)
        self.feeds: dict[str, Feed] = {f.id: Feed(cfg=f) for f in plant.feeds}
        self.families: dict[str, FamilyConfig] = {f.id: f for f in plant.families}
        self.stations: dict[str, Station] = {
            s.id: Station(
                cfg=s,
                family=next(f.id for f in plant.families if f.station == s.id),
                light_of_bin={b.id: b.light for b in s.bins},
            )
            for s in plant.stations
            if any(f.station == s.id for f in plant.families)
        }
        self.part_description = {p.number: p.description for p in plant.parts}
        self.picks: dict[int, Pick] = {}
        self.labels: dict[str, int | tuple[str, str, int]] = {}  # label id -> pick id or rack key
        self.unprinted: dict[str, PrintLabel] = {}  # asked for, not yet reported printed
        self.uncertain: dict[str, int] = {}  # sent, maybe printed (LabelUncertain) -> its open deviation id
        self.sending: dict[str, int] = {}  # label id -> the reprint a driver journaled as leaving (LabelSending)
        self.label_reprints: dict[str, int] = {}
        self.racks: dict[tuple[str, str, int], Rack] = {}
        # (feed, family) -> (every rack below this number shipped and forgotten, those shipped above it)
        self.shipped_marks: dict[tuple[str, str], tuple[int, set[int]]] = {}
        self.vehicles_forgotten: Counter[str] = Counter()  # status -> vehicles dropped from the state after shipping
        self.deviations = DeviationBook()
        self.device_faults: dict[str, int] = {}  # device -> open deviation id
        self.devices_down: set[str] = set()
        self.confirm_counters: dict[tuple[str, str], int] = {}  # (station, bin) -> the light's journaled counter
        self.vehicles_completed = 0
        self.vehicles_on_time = 0
        self.picks_confirmed = 0
        self.pick_times: deque[float] = deque()  # confirms within the last hour (picks per hour)
        self.watched_racks: dict[tuple[str, str, int], Rack] = {}  # not shipped, with a due time: watched on ticks
        self.racks_completed = 0
        self.racks_shipped = 0
        self.labels_printed = 0
        self.events_handled = 0
        self.last_at = 0.0
        self._next_pick = 1

    # -- seams implemented by the rule sets ---------------------------------------------------------------
    def _accept(
        self, feed: Feed, vehicle: Vehicle, options: tuple[str, ...], parts: tuple[tuple[str, str], ...]
    ) -> list[Command]:
        raise NotImplementedError

    def _new_pick(self, feed: Feed, v: Vehicle, family: str, part: str, qty: int, bin_id: str) -> Pick:
        raise NotImplementedError

    def _queue(self, pick: Pick) -> list[Command]:
        raise NotImplementedError

    def _withdraw(self, pick: Pick, at: float, *, to: str) -> list[Command]:
        raise NotImplementedError

    def _light_next(self, station: Station, at: float) -> list[Command]:
        raise NotImplementedError

    def _picked(self, station: Station, pick: Pick, at: float) -> list[Command]:
        raise NotImplementedError

    def _rack_slot(self, family: str, position: int) -> tuple[int, int]:
        raise NotImplementedError

    def _slot_done(self, feed: Feed, family: str, position: int, *, blank: bool) -> list[Command]:
        raise NotImplementedError

    def _rack_of(self, feed: Feed, family: str, position: int) -> Rack:
        raise NotImplementedError

    def _cancel_vehicle(self, feed: Feed, vehicle: Vehicle, at: float) -> list[Command]:
        raise NotImplementedError

    def _change_vehicle(self, feed: Feed, vehicle: Vehicle, e: BroadcastReceived) -> list[Command]:
        raise NotImplementedError

    def _hold(self, vehicle: Vehicle, at: float) -> list[Command]:
        raise NotImplementedError

    def _vacate(self, feed: Feed, vehicle: Vehicle, at: float) -> list[Command]:
        raise NotImplementedError

    def _unblock(self, station: Station, at: float) -> list[Command]:
        raise NotImplementedError

    def _on_broadcast(self, e: BroadcastReceived) -> list[Command]:
        raise NotImplementedError

    def _on_shipped(self, e: RackShipped) -> list[Command]:
        raise NotImplementedError

    def _part_label(self, pick: Pick) -> PartLabel:
        raise NotImplementedError

    def _rack_label(self, feed: Feed, rack: Rack) -> RackLabel:
        raise NotImplementedError

    def _release(self, vehicle: Vehicle, at: float) -> list[Command]:
        raise NotImplementedError

    def _check_complete(self, vehicle: Vehicle, at: float) -> list[Command]:
        raise NotImplementedError

    def _labelled(self, label_id: str, at: float) -> list[Command]:
        raise NotImplementedError

    def _ask_label(self, command: PrintLabel, target: int | tuple[str, str, int]) -> None:
        """Remember a label until the printer reports it printed (restored to the printer after a restart)."""
        self.labels[command.label.label_id] = target
        self.unprinted[command.label.label_id] = command

    def vehicle_statuses(self) -> Counter[str]:
        """How many vehicles are in each status, the ones already forgotten after shipping included."""
        held = Counter(v.status for f in self.feeds.values() for v in f.vehicles.values())
        return held + self.vehicles_forgotten

    # -- look-ups shared by every rule set ----------------------------------------------------------------
    def _vehicle(self, feed_id: str, seq: int) -> tuple[Feed, Vehicle]:
        feed = self.feeds.get(feed_id)
        if feed is None:
            raise SequencerError(f"unknown feed {feed_id!r}")
        if feed.last_seq is None:
            raise SequencerError(f"{feed_id}: no broadcast yet")
        position = unwrap(feed.last_seq, feed.last_position, seq % feed.cfg.modulus, feed.cfg.modulus)
        vehicle = feed.vehicles.get(position)
        if vehicle is None or vehicle.seq != seq:
            raise SequencerError(f"{feed_id}: no vehicle at sequence {seq}")
        return feed, vehicle
