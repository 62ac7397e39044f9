"""Picking rules: one pick per vehicle and family, released at its station in sequence order, one lit at a time.

A confirm on the lit bin picks it (part label, slot filled, next bin lit). A confirm on any other bin is a wrong
pick: the slot is blocked, the expected bin flashes red and nothing advances until a person corrects it. A pick
not confirmed within the station's limit raises a time-out alarm. A withdrawn pick (hold, cancel, change) leaves
the queue; one already picked goes back to stock.
"""

from __future__ import annotations

from bisect import insort

from sequencer.base import CoreBase, SequencerError
from sequencer.commands import ClearBin, Command, LightBin, PrintLabel, ReturnToStock
from sequencer.events import BinConfirmed
from sequencer.labels import PartLabel
from sequencer.state import Feed, Pick, Station, Vehicle


class PickRules(CoreBase):
    def _accept(
        self, feed: Feed, vehicle: Vehicle, options: tuple[str, ...], parts: tuple[tuple[str, str], ...]
    ) -> list[Command]:
        """Resolve a new vehicle's parts and queue one pick per family; blank the slots of families it lacks."""
        at = vehicle.at
        commands: list[Command] = []
        unknown = sorted(set(options) - self.resolver.known_codes)
        if unknown:
            commands += self.deviations.raise_(
                "unknown_option",
                at,
                f"{feed.cfg.id} {vehicle.seq}: unknown option code(s) {' '.join(unknown)}",
                feed=feed.cfg.id,
                seq=vehicle.seq,
                vehicle_id=vehicle.vehicle_id,
            )
        resolved, unresolved = self.resolver.resolve(options, parts)
        for miss in unresolved:
            commands += self.deviations.raise_(
                "unresolved",
                at,
                f"{feed.cfg.id} {vehicle.seq}: {miss.reason}; slot blocked",
                feed=feed.cfg.id,
                seq=vehicle.seq,
                vehicle_id=vehicle.vehicle_id,
            )
            vehicle.blocked[miss.family] = self.deviations.newest_id
        needed = {r.family for r in resolved} | set(vehicle.blocked)
        for family in self.families:
            if family not in needed:
                commands += self._slot_done(feed, family, vehicle.position, blank=True)
        for r in resolved:
            commands += self._queue(self._new_pick(feed, vehicle, r.family, r.part, r.qty, r.bin))
        # in the plant's order: a set of names iterates in the order of the process's hash seed, and the order the
        # racks are watched in numbers their due-time deviations (a replay in another process must agree)
        for family in [f for f in self.families if f in needed]:
            rack = self._rack_of(feed, family, vehicle.position)
            rack.due_at = min(rack.due_at, vehicle.due_at)
            if not rack.shipped:
                self.watched_racks[(rack.feed, rack.family, rack.rack_no)] = rack
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

    def _queue(self, pick: Pick) -> list[Command]:
        station = self.stations[pick.station]
        pick.status = "queued"
        insort(station.queue, (pick.position, pick.pick_id))
        return self._light_next(station, self.last_at)

    def lit_commands(self) -> list[LightBin]:
        """What the stations' lights show now, as commands (a restart shows them again): each lit pick, flashing
        red where a wrong pick blocked the slot."""
        return [
            self._light_command(st, self.picks[st.lit], alarm=st.blocked_by is not None)
            for st in self.stations.values()
            if st.lit is not None
        ]

    def _light_command(self, station: Station, pick: Pick, *, alarm: bool = False) -> LightBin:
        return LightBin(
            station=station.cfg.id,
            bin=pick.bin,
            light=station.light_of_bin[pick.bin],
            device=station.cfg.ptl,
            pick_id=pick.pick_id,
            display=pick.qty,
            feed=pick.feed,
            seq=pick.seq,
            alarm=alarm,
        )

    def _clear_command(self, station: Station, bin_id: str) -> ClearBin:
        return ClearBin(station=station.cfg.id, bin=bin_id, light=station.light_of_bin[bin_id], device=station.cfg.ptl)

    def _light_next(self, station: Station, at: float) -> list[Command]:
        if station.lit is not None or not station.queue:
            return []
        pick = self.picks[station.queue[0][1]]
        pick.status = "lit"
        station.lit, station.lit_at = pick.pick_id, at
        return [self._light_command(station, pick)]

    def _on_confirm(self, e: BinConfirmed) -> list[Command]:
        station = self.stations.get(e.station)
        if station is None or e.bin not in station.light_of_bin:
            raise SequencerError(f"confirm from unknown station/bin {e.station}/{e.bin}")
        if e.counter is not None:
            self.confirm_counters[(e.station, e.bin)] = e.counter  # whatever the press means, it was counted
        if station.blocked_by is not None:
            return []  # blocked after a wrong pick: only a correction moves it on
        lit = self.picks[station.lit] if station.lit is not None else None
        if lit is None or lit.bin != e.bin:
            return self._wrong_pick(station, lit, e)
        if e.token and e.token != lit.pick_id:
            return self.deviations.raise_(
                "stale_confirm",
                e.at,
                f"{e.station}: confirm on {e.bin} carried pick {e.token}, pick {lit.pick_id} is lit; ignored",
                station=e.station,
            )
        return self._picked(station, lit, e.at)

    def _wrong_pick(self, station: Station, lit: Pick | None, e: BinConfirmed) -> list[Command]:
        if lit is None:
            return self.deviations.raise_(
                "stale_confirm", e.at, f"{e.station}: confirm on bin {e.bin} with no bin lit", station=e.station
            )
        commands = self.deviations.raise_(
            "wrong_pick",
            e.at,
            f"{e.station}: bin {e.bin} pressed, {lit.bin} is lit for {lit.feed} {lit.seq}; slot blocked, correct it",
            feed=lit.feed,
            seq=lit.seq,
            vehicle_id=lit.vehicle_id,
            station=e.station,
        )
        station.blocked_by = self.deviations.newest_id
        lit.status = "blocked"
        return [*commands, self._light_command(station, lit, alarm=True)]

    def _unblock(self, station: Station, at: float) -> list[Command]:
        station.blocked_by = None
        if station.lit is None:
            return self._light_next(station, at)
        pick = self.picks[station.lit]
        pick.status, station.lit_at = "lit", at
        return [self._light_command(station, pick)]

    def _picked(self, station: Station, pick: Pick, at: float) -> list[Command]:
        pick.status = "picked"
        station.lit = None
        station.queue.remove((pick.position, pick.pick_id))
        self.picks_confirmed += 1
        self.pick_times.append(at)
        while self.pick_times[0] < at - 3600:
            self.pick_times.popleft()
        commands: list[Command] = [self._clear_command(station, pick.bin)]
        if station.timeout_dev is not None:
            commands += self.deviations.clear(station.timeout_dev, at)
            station.timeout_dev = None
        pick.label_id = f"P{pick.pick_id}"
        label = self._part_label(pick)
        self._ask_label(PrintLabel(printer=station.cfg.printer, label=label), pick.pick_id)
        commands.append(self.unprinted[label.label_id])
        commands += self._slot_done(self.feeds[pick.feed], pick.family, pick.position, blank=False)
        return commands + self._light_next(station, at)

    def _part_label(self, pick: Pick) -> PartLabel:
        return PartLabel(
            label_id=pick.label_id,
            feed=pick.feed,
            seq=pick.seq,
            vehicle_id=pick.vehicle_id,
            part=pick.part,
            description=self.part_description.get(pick.part, ""),
            family=pick.family,
            rack_no=pick.rack_no,
            slot=pick.slot,
            plant=self.plant.plant.code,
        )

    def _withdraw(self, pick: Pick, at: float, *, to: str) -> list[Command]:
        """Take a pick out of the line ("held" or "cancelled"); a picked part goes back to stock."""
        station = self.stations[pick.station]
        commands: list[Command] = []
        if pick.status == "picked":
            pick.status = "cancelled"
            return [
                ReturnToStock(
                    station=station.cfg.id,
                    bin=pick.bin,
                    part=pick.part,
                    family=pick.family,
                    feed=pick.feed,
                    seq=pick.seq,
                    rack_no=pick.rack_no,
                    slot=pick.slot,
                ),
                *self.deviations.raise_(
                    "return_to_stock",
                    at,
                    f"{station.cfg.id}: take {pick.part} from rack {pick.rack_no} slot {pick.slot} back to {pick.bin}",
                    feed=pick.feed,
                    seq=pick.seq,
                    vehicle_id=pick.vehicle_id,
                    station=station.cfg.id,
                ),
            ]
        if (pick.position, pick.pick_id) in station.queue:
            station.queue.remove((pick.position, pick.pick_id))
        if station.lit == pick.pick_id:
            station.lit = None
            commands.append(self._clear_command(station, pick.bin))
            if station.blocked_by is not None:
                commands += self.deviations.clear(station.blocked_by, at)
                station.blocked_by = None
            if station.timeout_dev is not None:
                commands += self.deviations.clear(station.timeout_dev, at)
                station.timeout_dev = None
        pick.status = "held" if to == "held" else "cancelled"
        return commands + self._light_next(station, at)

    def _check_pick_timeouts(self, at: float) -> list[Command]:
        commands: list[Command] = []
        for station in self.stations.values():
            if station.lit is None or station.timeout_dev is not None or station.blocked_by is not None:
                continue
            if at - station.lit_at <= station.cfg.pick_timeout_s:
                continue
            pick = self.picks[station.lit]
            commands += self.deviations.raise_(
                "pick_timeout",
                at,
                f"{station.cfg.id}: {pick.bin} lit for {at - station.lit_at:.0f} s without a confirm",
                feed=pick.feed,
                seq=pick.seq,
                vehicle_id=pick.vehicle_id,
                station=station.cfg.id,
            )
            station.timeout_dev = self.deviations.newest_id
        return commands
