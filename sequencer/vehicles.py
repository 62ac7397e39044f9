"""Vehicle rules: change, cancel, hold and release of a vehicle already in the sequence, and its completion.

Change: before the pick the part is re-resolved in place; after the pick the picked part goes back to stock and
the new one is picked into the same slot; after the rack shipped it is a deviation only. Cancel frees the slot
(blank) and sends picked parts back to stock. Hold takes the vehicle's open picks out of the line (its slot
stays reserved); release puts them back in sequence order.
"""

from __future__ import annotations

from sequencer.base import CoreBase
from sequencer.commands import Command, VehicleCompleted
from sequencer.events import BroadcastReceived
from sequencer.feeds import content_of
from sequencer.state import Feed, Pick, Vehicle

OPEN_PICK = ("queued", "lit", "blocked", "held")


class VehicleRules(CoreBase):
    def _live_picks(self, vehicle: Vehicle) -> list[Pick]:
        return [self.picks[p] for p in vehicle.picks if self.picks[p].status != "cancelled"]

    def _shipped(self, feed: Feed, family: str, position: int) -> bool:
        return self._rack_of(feed, family, position).shipped

    def _change_vehicle(self, feed: Feed, vehicle: Vehicle, e: BroadcastReceived) -> list[Command]:
        commands = self.deviations.raise_(
            "change",
            e.at,
            f"{feed.cfg.id} {e.seq}: vehicle {e.vehicle_id} changed",
            feed=feed.cfg.id,
            seq=e.seq,
            vehicle_id=e.vehicle_id,
        )
        resolved, unresolved = self.resolver.resolve(e.options, e.parts)
        wanted = {r.family: r for r in resolved}
        shipped = [f for f in self.families if self._shipped(feed, f, vehicle.position)]
        if shipped:
            return commands + self.deviations.raise_(
                "change_after_ship",
                e.at,
                f"{feed.cfg.id} {e.seq}: change after the {', '.join(shipped)} rack shipped; call the OEM",
                feed=feed.cfg.id,
                seq=e.seq,
                vehicle_id=e.vehicle_id,
            )
        vehicle.content = content_of(e)
        if vehicle.status == "completed":  # picked and labelled, not shipped: it has to be built again
            self._reopen(vehicle)
        for pick in self._live_picks(vehicle):
            new = wanted.pop(pick.family, None)
            if new is not None and (new.part, new.qty) == (pick.part, pick.qty):
                continue
            commands += self._withdraw(pick, e.at, to="cancelled")
            if new is not None:
                commands += self._queue(self._new_pick(feed, vehicle, new.family, new.part, new.qty, new.bin))
            else:
                commands += self._slot_done(feed, pick.family, vehicle.position, blank=True)
        for new in wanted.values():
            commands += self._queue(self._new_pick(feed, vehicle, new.family, new.part, new.qty, new.bin))
        for dev_id in vehicle.blocked.values():
            commands += self.deviations.clear(dev_id, e.at)
        vehicle.blocked.clear()
        for miss in unresolved:
            commands += self.deviations.raise_(
                "unresolved", e.at, f"{feed.cfg.id} {e.seq}: {miss.reason}; slot blocked", feed=feed.cfg.id, seq=e.seq
            )
            vehicle.blocked[miss.family] = self.deviations.newest_id
        if vehicle.status == "held":
            commands += self._hold(vehicle, e.at)
        return commands + self._check_complete(vehicle, e.at)

    def _reopen(self, vehicle: Vehicle) -> None:
        self.vehicles_completed -= 1
        self.vehicles_on_time -= vehicle.due_at >= vehicle.completed_at
        vehicle.status = "open"
        self.feeds[vehicle.feed].position_of.setdefault(vehicle.vehicle_id, vehicle.position)

    def _vacate(self, feed: Feed, vehicle: Vehicle, at: float) -> list[Command]:
        """Take the vehicle out of its place: picks withdrawn, alarms about it cleared; its slots stay as they are."""
        commands: list[Command] = []
        for pick in self._live_picks(vehicle):
            commands += self._withdraw(pick, at, to="cancelled")
        for dev_id in vehicle.blocked.values():
            commands += self.deviations.clear(dev_id, at)
        vehicle.blocked.clear()
        commands += self._clear_hold(vehicle, at)
        vehicle.status = "cancelled"
        if feed.position_of.get(vehicle.vehicle_id) == vehicle.position:
            del feed.position_of[vehicle.vehicle_id]
        return commands

    def _cancel_vehicle(self, feed: Feed, vehicle: Vehicle, at: float) -> list[Command]:
        if vehicle.status == "completed":  # picked and labelled, not shipped: the parts go back to stock
            self._reopen(vehicle)
        commands = self._vacate(feed, vehicle, at)
        for family in self.families:
            commands += self._slot_done(feed, family, vehicle.position, blank=True)
        return commands

    def _hold(self, vehicle: Vehicle, at: float) -> list[Command]:
        if vehicle.status in ("completed", "cancelled"):  # nothing left to pick: a person holds the rack
            if vehicle.status == "cancelled" or self.deviations.find("hold", feed=vehicle.feed, seq=vehicle.seq):
                return []
            return self.deviations.raise_(
                "hold",
                at,
                f"{vehicle.feed} {vehicle.seq}: hold for vehicle {vehicle.vehicle_id}, already picked: keep its rack",
                feed=vehicle.feed,
                seq=vehicle.seq,
                vehicle_id=vehicle.vehicle_id,
            )
        commands: list[Command] = []
        for pick in self._live_picks(vehicle):
            if pick.status in OPEN_PICK:
                commands += self._withdraw(pick, at, to="held")
        if vehicle.status != "held":
            vehicle.status = "held"
            commands += self.deviations.raise_(
                "hold",
                at,
                f"{vehicle.feed} {vehicle.seq}: vehicle {vehicle.vehicle_id} on hold",
                feed=vehicle.feed,
                seq=vehicle.seq,
                vehicle_id=vehicle.vehicle_id,
            )
        return commands

    def _clear_hold(self, vehicle: Vehicle, at: float) -> list[Command]:
        dev = self.deviations.find("hold", feed=vehicle.feed, seq=vehicle.seq)
        return self.deviations.clear(dev.deviation_id, at) if dev else []

    def _release(self, vehicle: Vehicle, at: float) -> list[Command]:
        if vehicle.status != "held":
            return self._clear_hold(vehicle, at)
        vehicle.status = "open"
        commands = self._clear_hold(vehicle, at)
        for pick in self._live_picks(vehicle):
            if pick.status == "held":
                commands += self._queue(pick)
        return commands + self._check_complete(vehicle, at)

    def _check_complete(self, vehicle: Vehicle, at: float) -> list[Command]:
        if vehicle.status != "open" or vehicle.blocked:
            return []
        picks = self._live_picks(vehicle)
        if not all(p.status == "picked" and p.labelled for p in picks):
            return []
        vehicle.status = "completed"
        vehicle.completed_at = at
        self.vehicles_completed += 1
        self.vehicles_on_time += at <= vehicle.due_at
        feed = self.feeds[vehicle.feed]
        if feed.position_of.get(vehicle.vehicle_id) == vehicle.position:
            del feed.position_of[vehicle.vehicle_id]
        return [VehicleCompleted(feed=vehicle.feed, seq=vehicle.seq, vehicle_id=vehicle.vehicle_id)]
