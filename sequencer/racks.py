"""Rack rules: slots filled by sequence position, racks closed at capacity, shipped, and watched against due time.

Rack n of a feed and family holds positions [(n-1)*cap, n*cap): a gap keeps its slots reserved, a resent
broadcast slots into its place, a vehicle without that family leaves its slot blank. Optional reverse load
numbers the slots backwards so a LIFO rack unloads in sequence. A rack closes when every slot is picked or
blank and gets a rack label; its due time is the earliest of its vehicles', with warning and alarm margins.
"""

from __future__ import annotations

from sequencer.base import CoreBase, SequencerError
from sequencer.commands import Command, PrintLabel, RackClosed
from sequencer.events import RackShipped
from sequencer.labels import RackLabel
from sequencer.state import Feed, Rack

# (deviation kind, seconds before the due time it is raised) from the feed's margins; "late" is at the due time
DUE_LEVELS = (("late_warning", "warn_before_due_s"), ("late_alarm", "alarm_before_due_s"), ("late", None))


class RackRules(CoreBase):
    def _rack_slot(self, family: str, position: int) -> tuple[int, int]:
        fam = self.families[family]
        cap = fam.rack_capacity
        rack_no, offset = divmod(position, cap)
        slot = cap - offset if fam.reverse_load else offset + 1
        return rack_no + 1, slot

    def _rack_of(self, feed: Feed, family: str, position: int) -> Rack:
        rack_no, _ = self._rack_slot(family, position)
        key = (feed.cfg.id, family, rack_no)
        rack = self.racks.get(key)
        if rack is None:
            cap = self.families[family].rack_capacity
            if self._forgotten(key):  # shipped and forgotten: a stand-in that says so, not kept
                return Rack(feed=feed.cfg.id, family=family, rack_no=rack_no, capacity=cap, closed=True, shipped=True)
            rack = self.racks[key] = Rack(feed=feed.cfg.id, family=family, rack_no=rack_no, capacity=cap)
        return rack

    # -- forgetting what has shipped: a service runs for months, its state must not grow with every vehicle ----
    def _forgotten(self, key: tuple[str, str, int]) -> bool:
        low, above = self.shipped_marks.get((key[0], key[1]), (1, set()))
        return key[2] < low or key[2] in above

    def _forget_rack(self, rack: Rack) -> None:
        """Drop a shipped rack; remember only a low-water mark and the few shipped out of order above it."""
        del self.racks[(rack.feed, rack.family, rack.rack_no)]
        self.labels.pop(rack.label_id, None)
        low, above = self.shipped_marks.get((rack.feed, rack.family), (1, set()))
        above.add(rack.rack_no)
        while low in above:
            above.discard(low)
            low += 1
        self.shipped_marks[(rack.feed, rack.family)] = (low, above)

    def _forget_vehicles(self, feed: Feed, rack: Rack) -> None:
        """Vehicles of a shipped rack whose every family has shipped leave the state, with their picks."""
        first = (rack.rack_no - 1) * rack.capacity
        for position in range(first, first + rack.capacity):
            vehicle = feed.vehicles.get(position)
            if vehicle is None or vehicle.status not in ("completed", "cancelled"):
                continue
            if not all(self._rack_of(feed, f, position).shipped for f in self.families):
                continue
            for pick_id in vehicle.picks:
                pick = self.picks.pop(pick_id)
                self.labels.pop(pick.label_id, None)
            del feed.vehicles[position]
            self.vehicles_forgotten[vehicle.status] += 1
            if feed.position_of.get(vehicle.vehicle_id) == position:
                del feed.position_of[vehicle.vehicle_id]

    def _slot_done(self, feed: Feed, family: str, position: int, *, blank: bool) -> list[Command]:
        rack = self._rack_of(feed, family, position)
        rack.done.add(self._rack_slot(family, position)[1])
        if len(rack.done) < rack.capacity or rack.closed:
            return []
        return self._close_rack(feed, rack)

    def _close_rack(self, feed: Feed, rack: Rack) -> list[Command]:
        rack.closed = True
        self.racks_completed += 1
        rack.label_id = f"R-{feed.cfg.id}-{rack.family}-{rack.rack_no}"
        label = self._rack_label(feed, rack)
        printer = self.stations[self.families[rack.family].station].cfg.printer
        self._ask_label(PrintLabel(printer=printer, label=label), (rack.feed, rack.family, rack.rack_no))
        return [
            RackClosed(
                feed=feed.cfg.id,
                family=rack.family,
                rack_no=rack.rack_no,
                low_seq=label.low_seq,
                high_seq=label.high_seq,
            ),
            self.unprinted[label.label_id],
        ]

    def _rack_label(self, feed: Feed, rack: Rack) -> RackLabel:
        first = (rack.rack_no - 1) * rack.capacity
        low, high = feed.seq_at(first), feed.seq_at(first + rack.capacity - 1)
        return RackLabel(
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

    def _on_shipped(self, e: RackShipped) -> list[Command]:
        rack = self.racks.get((e.feed, e.family, e.rack_no))
        if rack is None and self._forgotten((e.feed, e.family, e.rack_no)):
            raise SequencerError(f"rack {e.feed}/{e.family}/{e.rack_no} already shipped")
        if rack is None or not rack.closed:
            raise SequencerError(f"rack {e.feed}/{e.family}/{e.rack_no} is not closed: cannot ship")
        if rack.shipped:
            raise SequencerError(f"rack {e.feed}/{e.family}/{e.rack_no} already shipped")
        rack.shipped = True
        self.racks_shipped += 1
        self.watched_racks.pop((rack.feed, rack.family, rack.rack_no), None)
        commands: list[Command] = []
        for dev_id in list(rack.due_dev.values()):
            commands += self.deviations.clear(dev_id, e.at)
        rack.due_dev.clear()
        if rack.labelled:  # its label is printed: nothing about it can still change here
            self._forget_vehicles(self.feeds[rack.feed], rack)
            self._forget_rack(rack)
        return commands

    def _check_due(self, at: float) -> list[Command]:
        """Racks that will miss (or have missed) their due time, escalating warning -> alarm -> late."""
        commands: list[Command] = []
        for rack in self.watched_racks.values():
            feed = self.feeds[rack.feed]
            if at < rack.due_at - feed.cfg.warn_before_due_s:
                continue  # the common case: far from due
            where = f"rack {rack.feed}/{rack.family}/{rack.rack_no}"
            for kind, margin_key in DUE_LEVELS:
                margin = getattr(feed.cfg, margin_key) if margin_key else 0.0
                if kind in rack.due_dev or at < rack.due_at - margin:
                    continue
                commands += self.deviations.raise_(
                    kind,
                    at,
                    f"{where}: due in {(rack.due_at - at) / 60:.0f} min, not shipped",
                    feed=rack.feed,
                )
                rack.due_dev[kind] = self.deviations.newest_id
        return commands
