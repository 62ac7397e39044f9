"""The sequencer: one door, ``handle(event) -> commands``.

It turns broadcasts into picks at the stations, in sequence order, fills rack slots by sequence position, asks
for labels and watches the feeds for gaps, duplicates and wrap-around. Rules of the room: no I/O, no clock, no
randomness; a rejected event raises ``SequencerError`` and leaves the state exactly as it was (every check runs
before the first change). Replaying the same events gives the same state.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable
from typing import Any

from sequencer import seqnum
from sequencer.commands import (
    ClearBin,
    Command,
    LightBin,
    PrintLabel,
    RackClosed,
    RequestResend,
    VehicleCompleted,
)
from sequencer.deviations import DeviationBook
from sequencer.events import (
    BinConfirmed,
    BroadcastReceived,
    BroadcastRejected,
    DeviceLinkChanged,
    Event,
    LabelPrinted,
    PrinterFaultChanged,
    Tick,
)
from sequencer.labels import PartLabel, RackLabel
from sequencer.plant import PlantConfig
from sequencer.resolution import Resolver
from sequencer.state import Feed, Pick, Rack, Station, Vehicle


class SequencerError(Exception):
    """The one error ``handle`` raises: the event was refused and nothing changed."""


class Sequencer:
    def __init__(self, plant: PlantConfig) -> None:
        self.plant = plant
        self.resolver = Resolver(plant)
        self.feeds = {f.id: Feed(cfg=f) for f in plant.feeds}
        self.families = {f.id: f for f in plant.families}
        self.stations = {
            s.id: Station(
                cfg=s,
                family=next(f.id for f in plant.families if f.station == s.id),
                light_of_bin={b.id: b.light for b in s.bins},
            )
            for s in plant.stations
            if any(f.station == s.id for f in plant.families)
        }
        self.picks: dict[int, Pick] = {}
        self.racks: dict[tuple[str, str, int], Rack] = {}
        self.labels: dict[str, int | tuple[str, str, int]] = {}  # label id -> pick id or rack key
        self.unprinted: dict[str, PrintLabel] = {}  # asked for, not yet reported printed
        self.deviations = DeviationBook()
        self.device_faults: dict[str, int] = {}  # device -> open deviation id
        self.devices_down: set[str] = set()
        self.vehicles_completed = 0
        self.racks_completed = 0
        self.labels_printed = 0
        self.events_handled = 0
        self._next_pick = 1
        self._handlers: dict[type[Any], Callable[[Any], list[Command]]] = {
            BroadcastReceived: self._on_broadcast,
            BroadcastRejected: self._on_rejected,
            BinConfirmed: self._on_confirm,
            LabelPrinted: self._on_label_printed,
            DeviceLinkChanged: self._on_link,
            PrinterFaultChanged: self._on_printer_fault,
            Tick: lambda _e: [],
        }

    # -- the door -------------------------------------------------------------------------------------------
    def handle(self, event: Event) -> list[Command]:
        handler = self._handlers.get(type(event))
        if handler is None:
            raise SequencerError(f"unknown event type {type(event).__name__}")
        commands = handler(event)
        self.events_handled += 1
        return commands

    # -- broadcasts -----------------------------------------------------------------------------------------
    def _on_broadcast(self, e: BroadcastReceived) -> list[Command]:
        feed = self.feeds.get(e.feed)
        if feed is None:
            return self.deviations.raise_(
                "unknown_feed", e.at, f"broadcast {e.seq} for unknown feed {e.feed!r}", feed=e.feed, seq=e.seq
            )
        if not 0 <= e.seq < feed.cfg.modulus:
            raise SequencerError(f"{e.feed}: sequence number {e.seq} outside 0..{feed.cfg.modulus - 1}")
        feed.last_at = e.at
        if feed.last_seq is None:
            feed.first_seq, feed.last_seq, feed.last_position = e.seq, e.seq, 0
            return self._accept(feed, e, 0)
        distance = seqnum.signed_distance(feed.last_seq, e.seq, feed.cfg.modulus)
        position = feed.last_position + distance
        if distance > 0:
            commands = self._open_gap(feed, e, position) if distance > 1 else []
            feed.last_seq, feed.last_position = e.seq, position
            return commands + self._accept(feed, e, position)
        return self._behind(feed, e, position)

    def _open_gap(self, feed: Feed, e: BroadcastReceived, position: int) -> list[Command]:
        first, count = feed.last_position + 1, position - feed.last_position - 1
        first_seq, last_seq = feed.seq_at(first), feed.seq_at(position - 1)
        feed.gaps += 1
        raised = self.deviations.raise_(
            "gap",
            e.at,
            f"{feed.cfg.id}: {count} broadcast(s) missing, {first_seq}..{last_seq}; resend requested",
            feed=feed.cfg.id,
            seq=first_seq,
        )
        dev_id = self.deviations.newest_id
        for p in range(first, position):
            feed.missing[p] = dev_id
        return [*raised, RequestResend(feed=feed.cfg.id, from_seq=first_seq, to_seq=last_seq)]

    def _behind(self, feed: Feed, e: BroadcastReceived, position: int) -> list[Command]:
        """A number at or behind the newest: a resent missing one, a duplicate, a change, or late."""
        if position in feed.missing:
            dev_id = feed.missing.pop(position)
            cleared = [] if dev_id in feed.missing.values() else self.deviations.clear(dev_id)
            return [*cleared, *self._accept(feed, e, position)]
        known = feed.vehicles.get(position)
        if known is None:
            return self.deviations.raise_(
                "late_broadcast",
                e.at,
                f"{feed.cfg.id}: broadcast {e.seq} arrived after its place in the sequence had passed",
                feed=feed.cfg.id,
                seq=e.seq,
                vehicle_id=e.vehicle_id,
            )
        if known.content == _content(e):
            feed.duplicates += 1
            return self.deviations.raise_("duplicate", e.at, "identical resend", feed=feed.cfg.id, seq=e.seq)
        return self.deviations.raise_(
            "change",
            e.at,
            f"{feed.cfg.id}: broadcast {e.seq} sent again with different content (vehicle {e.vehicle_id})",
            feed=feed.cfg.id,
            seq=e.seq,
            vehicle_id=e.vehicle_id,
        )

    def _accept(self, feed: Feed, e: BroadcastReceived, position: int) -> list[Command]:
        feed.broadcasts += 1
        vehicle = Vehicle(
            feed=feed.cfg.id,
            seq=e.seq,
            position=position,
            vehicle_id=e.vehicle_id,
            content=_content(e),
            at=e.at,
            due_at=e.at + feed.cfg.lead_time_s,
        )
        feed.vehicles[position] = vehicle
        commands: list[Command] = []
        if e.function != "original" or not e.firm:
            commands += self.deviations.raise_(
                "unsupported_function",
                e.at,
                f"{feed.cfg.id} {e.seq}: {'forecast' if not e.firm else e.function} not yet handled",
                feed=feed.cfg.id,
                seq=e.seq,
                vehicle_id=e.vehicle_id,
            )
        unknown = sorted(set(e.options) - self.resolver.known_codes)
        if unknown:
            commands += self.deviations.raise_(
                "unknown_option",
                e.at,
                f"{feed.cfg.id} {e.seq}: unknown option code(s) {' '.join(unknown)}",
                feed=feed.cfg.id,
                seq=e.seq,
                vehicle_id=e.vehicle_id,
            )
        resolved, unresolved = self.resolver.resolve(e.options, e.parts)
        for miss in unresolved:
            vehicle.blocked.append(miss.family)
            commands += self.deviations.raise_(
                "unresolved",
                e.at,
                f"{feed.cfg.id} {e.seq}: {miss.reason}; slot blocked",
                feed=feed.cfg.id,
                seq=e.seq,
                vehicle_id=e.vehicle_id,
            )
        needed = {r.family for r in resolved} | set(vehicle.blocked)
        for family in self.families:
            if family not in needed:
                commands += self._slot_done(feed, family, position, blank=True)
        for r in resolved:
            pick = self._new_pick(feed, vehicle, r.family, r.part, r.qty, r.bin)
            commands += self._queue(pick)
        return commands

    def _new_pick(self, feed: Feed, v: Vehicle, family: str, part: str, qty: int, bin_id: str) -> Pick:
        rack_no, slot = self._rack_slot(family, v.position)
        pick = Pick(
            pick_id=self._next_pick,
            feed=feed.cfg.id,
            seq=v.seq,
            position=v.position,
            vehicle_id=v.vehicle_id,
            family=family,
            part=part,
            qty=qty,
            bin=bin_id,
            station=self.families[family].station,
            rack_no=rack_no,
            slot=slot,
            due_at=v.due_at,
        )
        self._next_pick += 1
        self.picks[pick.pick_id] = pick
        v.picks.append(pick.pick_id)
        return pick

    # -- stations and picks ---------------------------------------------------------------------------------
    def _queue(self, pick: Pick) -> list[Command]:
        station = self.stations[pick.station]
        insort(station.queue, (pick.position, pick.pick_id))
        return self._light_next(station)

    def _light_next(self, station: Station) -> list[Command]:
        if station.lit is not None or not station.queue:
            return []
        _, pick_id = station.queue[0]
        pick = self.picks[pick_id]
        pick.status = "lit"
        station.lit = pick_id
        return [
            LightBin(
                station=station.cfg.id,
                bin=pick.bin,
                light=station.light_of_bin[pick.bin],
                device=station.cfg.ptl,
                pick_id=pick_id,
                display=pick.qty,
                feed=pick.feed,
                seq=pick.seq,
            )
        ]

    def _on_confirm(self, e: BinConfirmed) -> list[Command]:
        station = self.stations.get(e.station)
        if station is None or e.bin not in station.light_of_bin:
            raise SequencerError(f"confirm from unknown station/bin {e.station}/{e.bin}")
        lit = self.picks[station.lit] if station.lit is not None else None
        if lit is None or lit.bin != e.bin:
            expected = f"bin {lit.bin} is lit" if lit else "no bin is lit"
            return self.deviations.raise_(
                "wrong_pick", e.at, f"{e.station}: confirm on bin {e.bin}, {expected}", station=e.station
            )
        if e.token and e.token != lit.pick_id:
            return self.deviations.raise_(
                "stale_confirm",
                e.at,
                f"{e.station}: confirm on {e.bin} carried pick {e.token}, pick {lit.pick_id} is lit; ignored",
                station=e.station,
            )
        return self._picked(station, lit)

    def _picked(self, station: Station, pick: Pick) -> list[Command]:
        pick.status = "picked"
        station.lit = None
        station.queue.pop(0)
        pick.label_id = f"P{pick.pick_id}"
        self.labels[pick.label_id] = pick.pick_id
        label = PartLabel(
            label_id=pick.label_id,
            feed=pick.feed,
            seq=pick.seq,
            vehicle_id=pick.vehicle_id,
            part=pick.part,
            description=(p.description if (p := self.plant.part(pick.part)) else ""),
            family=pick.family,
            rack_no=pick.rack_no,
            slot=pick.slot,
            plant=self.plant.plant.code,
        )
        self.unprinted[label.label_id] = PrintLabel(printer=station.cfg.printer, label=label)
        commands: list[Command] = [
            ClearBin(
                station=station.cfg.id, bin=pick.bin, light=station.light_of_bin[pick.bin], device=station.cfg.ptl
            ),
            self.unprinted[label.label_id],
        ]
        commands += self._slot_done(self.feeds[pick.feed], pick.family, pick.position, blank=False)
        return commands + self._light_next(station)

    # -- racks ----------------------------------------------------------------------------------------------
    def _rack_slot(self, family: str, position: int) -> tuple[int, int]:
        """Slots follow sequence position: rack n holds positions [n*cap, (n+1)*cap) of its feed."""
        fam = self.families[family]
        cap = fam.rack_capacity
        rack_no, offset = divmod(position, cap)
        slot = cap - offset if fam.reverse_load else offset + 1
        return rack_no + 1, slot

    def _slot_done(self, feed: Feed, family: str, position: int, *, blank: bool) -> list[Command]:
        rack_no, slot = self._rack_slot(family, position)
        cap = self.families[family].rack_capacity
        key = (feed.cfg.id, family, rack_no)
        rack = self.racks.setdefault(key, Rack(feed=feed.cfg.id, family=family, rack_no=rack_no, capacity=cap))
        rack.done.add(slot)
        if len(rack.done) < cap or rack.closed:
            return []
        return self._close_rack(feed, rack)

    def _close_rack(self, feed: Feed, rack: Rack) -> list[Command]:
        rack.closed = True
        self.racks_completed += 1
        first = (rack.rack_no - 1) * rack.capacity
        low, high = feed.seq_at(first), feed.seq_at(first + rack.capacity - 1)
        rack.label_id = f"R-{feed.cfg.id}-{rack.family}-{rack.rack_no}"
        self.labels[rack.label_id] = (rack.feed, rack.family, rack.rack_no)
        label = RackLabel(
            label_id=rack.label_id,
            feed=feed.cfg.id,
            family=rack.family,
            rack_no=rack.rack_no,
            low_seq=low,
            high_seq=high,
            slots=rack.capacity,
            plant=self.plant.plant.code,
            line=feed.cfg.line,
            dock=feed.cfg.dock,
        )
        printer = self.stations[self.families[rack.family].station].cfg.printer
        self.unprinted[label.label_id] = PrintLabel(printer=printer, label=label)
        return [
            RackClosed(feed=feed.cfg.id, family=rack.family, rack_no=rack.rack_no, low_seq=low, high_seq=high),
            self.unprinted[label.label_id],
        ]

    def pending_labels(self) -> list[PrintLabel]:
        """Labels asked for and not yet reported printed, oldest first (to queue again after a restart)."""
        return list(self.unprinted.values())

    # -- labels ---------------------------------------------------------------------------------------------
    def _on_label_printed(self, e: LabelPrinted) -> list[Command]:
        target = self.labels.get(e.label_id)
        if target is None:
            raise SequencerError(f"printed label {e.label_id!r} was never asked for")
        if self.unprinted.pop(e.label_id, None) is None:
            return []  # reported twice (e.g. after a reconnect): printed once, counted once
        self.labels_printed += 1
        if isinstance(target, tuple):
            self.racks[target].labelled = True
            return []
        pick = self.picks[target]
        pick.labelled = True
        vehicle = self.feeds[pick.feed].vehicles[pick.position]
        done = all(self.picks[p].labelled for p in vehicle.picks) and not vehicle.blocked
        if not done or vehicle.status == "completed":
            return []
        vehicle.status = "completed"
        self.vehicles_completed += 1
        return [VehicleCompleted(feed=vehicle.feed, seq=vehicle.seq, vehicle_id=vehicle.vehicle_id)]

    # -- devices and bad input ------------------------------------------------------------------------------
    def _on_link(self, e: DeviceLinkChanged) -> list[Command]:
        if e.up:
            self.devices_down.discard(e.device)
            return self._device_ok(e.device)
        self.devices_down.add(e.device)
        return self._device_fault(e.device, "device_offline", e.at, f"{e.device} offline: {e.detail}")

    def _on_printer_fault(self, e: PrinterFaultChanged) -> list[Command]:
        if not e.faults:
            return self._device_ok(e.device)
        return self._device_fault(e.device, "printer_fault", e.at, f"{e.device}: {', '.join(e.faults)}")

    def _device_fault(self, device: str, kind: str, at: float, message: str) -> list[Command]:
        if device in self.device_faults:
            return []
        raised = self.deviations.raise_(kind, at, message, station=device)
        self.device_faults[device] = self.deviations.newest_id
        return list(raised)

    def _device_ok(self, device: str) -> list[Command]:
        dev_id = self.device_faults.pop(device, None)
        return list(self.deviations.clear(dev_id)) if dev_id is not None else []

    def _on_rejected(self, e: BroadcastRejected) -> list[Command]:
        kind = "unknown_feed" if e.feed and e.feed not in self.feeds else "malformed"
        return self.deviations.raise_(kind, e.at, f"quarantined #{e.quarantine_id}: {e.reason}", feed=e.feed, seq=e.seq)


def _content(e: BroadcastReceived) -> tuple[object, ...]:
    """What makes two broadcasts with the same key identical (a resend) or different (a change)."""
    return (e.vehicle_id, e.function, e.firm, tuple(sorted(e.options)), tuple(sorted(e.parts)))
