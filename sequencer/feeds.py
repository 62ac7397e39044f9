"""Feed rules: where a broadcast belongs in its feed's sequence, and what its message function asks for.

Wrap-around, gaps (alarm + resend request, never renumber), identical resends (counted), same key with new
content (a change), numbers behind the sequence (late), vehicles the OEM moved (a per-feed reaction), forecast
broadcasts (predicted load, never picked, superseded by the firm call), and silence on the feed.
"""

from __future__ import annotations

from sequencer import seqnum
from sequencer.base import CoreBase, SequencerError
from sequencer.commands import Command, RequestResend
from sequencer.events import BroadcastReceived
from sequencer.state import Feed, Vehicle

HOUR = 3600.0


def content_of(e: BroadcastReceived) -> tuple[object, ...]:
    """What makes two broadcasts with the same key identical (a resend) or different (a change)."""
    return (e.vehicle_id, tuple(sorted(e.options)), tuple(sorted(e.parts)))


class FeedRules(CoreBase):
    def _on_broadcast(self, e: BroadcastReceived) -> list[Command]:
        feed = self.feeds.get(e.feed)
        if feed is None:
            return self.deviations.raise_(
                "unknown_feed", e.at, f"broadcast {e.seq} for unknown feed {e.feed!r}", feed=e.feed, seq=e.seq
            )
        if not 0 <= e.seq < feed.cfg.modulus:
            raise SequencerError(f"{e.feed}: sequence number {e.seq} outside 0..{feed.cfg.modulus - 1}")
        commands = self._heard(feed, e.at)
        if not e.firm:
            return commands + self._forecast(feed, e)
        if feed.last_seq is None:
            feed.first_seq, feed.last_seq, feed.last_position = e.seq, e.seq, 0
            return commands + self._new_vehicle(feed, e, 0)
        distance = seqnum.signed_distance(feed.last_seq, e.seq, feed.cfg.modulus)
        position = feed.last_position + distance
        if distance > 0:
            if distance > 1:
                commands += self._open_gap(feed, e, position)
            feed.last_seq, feed.last_position = e.seq, position
            return commands + self._new_vehicle(feed, e, position)
        return commands + self._behind(feed, e, position)

    def _heard(self, feed: Feed, at: float) -> list[Command]:
        feed.last_at = at
        feed.recent.append(at)
        while feed.recent[0] < at - HOUR:
            feed.recent.popleft()
        if feed.silence_dev is None:
            return []
        dev_id, feed.silence_dev = feed.silence_dev, None
        return self.deviations.clear(dev_id, at)

    def _check_silence(self, at: float) -> list[Command]:
        commands: list[Command] = []
        for feed in self.feeds.values():
            limit = feed.cfg.silence_takts * feed.cfg.takt_s
            if feed.last_at is None or feed.silence_dev is not None or at - feed.last_at <= limit:
                continue
            commands += self.deviations.raise_(
                "silence",
                at,
                f"{feed.cfg.id}: no broadcast for {at - feed.last_at:.0f} s (limit {limit:.0f} s)",
                feed=feed.cfg.id,
            )
            feed.silence_dev = self.deviations.newest_id
        return commands

    def _forecast(self, feed: Feed, e: BroadcastReceived) -> list[Command]:
        resolved, _ = self.resolver.resolve(e.options, e.parts)
        feed.forecast[e.vehicle_id] = tuple(r.part for r in resolved)
        return []

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
        for p in range(first, position):
            feed.missing[p] = self.deviations.newest_id
        return [*raised, RequestResend(feed=feed.cfg.id, from_seq=first_seq, to_seq=last_seq)]

    def _behind(self, feed: Feed, e: BroadcastReceived, position: int) -> list[Command]:
        """A number at or behind the newest: a resent missing one, a resend, a change, a function, or late."""
        if position in feed.missing:
            dev_id = feed.missing.pop(position)
            cleared = [] if dev_id in feed.missing.values() else self.deviations.clear(dev_id, e.at)
            return [*cleared, *self._new_vehicle(feed, e, position)]
        known = feed.vehicles.get(position)
        if known is None:
            closed = [f for f in self.families if self._rack_of(feed, f, position).closed]
            fix = (
                f"; its {', '.join(closed)} rack is closed: proposed fix: pick it outside the rack, label it and "
                "send it with the next truck as a single part, or ask the OEM to pull the vehicle"
                if closed
                else ""
            )
            return self.deviations.raise_(
                "late_broadcast",
                e.at,
                f"{feed.cfg.id}: broadcast {e.seq} arrived after its place in the sequence had passed{fix}",
                feed=feed.cfg.id,
                seq=e.seq,
                vehicle_id=e.vehicle_id,
            )
        return self._function(feed, known, e)

    def _function(self, feed: Feed, vehicle: Vehicle, e: BroadcastReceived) -> list[Command]:
        """A broadcast for a vehicle we have: apply its message function (table below)."""
        if e.function == "original" and vehicle.content == content_of(e):
            feed.duplicates += 1
            return self.deviations.raise_("duplicate", e.at, "identical resend", feed=feed.cfg.id, seq=e.seq)
        if vehicle.status == "cancelled" and e.function != "cancel":
            return self.deviations.raise_(
                "late_broadcast",
                e.at,
                f"{feed.cfg.id} {e.seq}: {e.function} for a cancelled vehicle ignored",
                feed=feed.cfg.id,
                seq=e.seq,
                vehicle_id=e.vehicle_id,
            )
        return FUNCTIONS[e.function](self, feed, vehicle, e)

    def _new_vehicle(self, feed: Feed, e: BroadcastReceived, position: int) -> list[Command]:
        commands: list[Command] = []
        if e.vehicle_id in feed.forecast:
            del feed.forecast[e.vehicle_id]
            commands += self.deviations.raise_("forecast_superseded", e.at, "firm call", feed=feed.cfg.id, seq=e.seq)
        moved_from = feed.position_of.get(e.vehicle_id)
        feed.broadcasts += 1
        vehicle = Vehicle(
            feed=feed.cfg.id,
            seq=e.seq,
            position=position,
            vehicle_id=e.vehicle_id,
            content=content_of(e),
            at=e.at,
            due_at=e.at + feed.cfg.lead_time_s,
        )
        feed.vehicles[position] = vehicle
        feed.position_of[e.vehicle_id] = position
        if moved_from is not None and moved_from != position:
            commands += self._resequenced(feed, feed.vehicles[moved_from], vehicle, e.at)
        commands += self._accept(feed, vehicle, e.options, e.parts)
        if e.function == "hold" or (moved_from is not None and feed.cfg.on_out_of_order == "hold"):
            commands += self._hold(vehicle, e.at)
        elif e.function == "cancel":
            commands += self._cancel_vehicle(feed, vehicle, e.at)
        return commands

    def _resequenced(self, feed: Feed, old: Vehicle, new: Vehicle, at: float) -> list[Command]:
        """The OEM moved a vehicle (e.g. a paint repair loop): react as the feed is configured to."""
        reaction = feed.cfg.on_out_of_order
        commands = self.deviations.raise_(
            "resequenced",
            at,
            f"{feed.cfg.id}: vehicle {new.vehicle_id} moved from {old.seq} to {new.seq}; reaction: {reaction}",
            feed=feed.cfg.id,
            seq=new.seq,
            vehicle_id=new.vehicle_id,
        )
        if reaction == "move" and old.status in ("open", "held"):
            commands += self._cancel_vehicle(feed, old, at)
        return commands


def _change(core: FeedRules, feed: Feed, vehicle: Vehicle, e: BroadcastReceived) -> list[Command]:
    return core._change_vehicle(feed, vehicle, e)


def _cancel(core: FeedRules, feed: Feed, vehicle: Vehicle, e: BroadcastReceived) -> list[Command]:
    shipped = [f for f in core.families if core._rack_of(feed, f, vehicle.position).shipped]
    if shipped:
        return core.deviations.raise_(
            "change_after_ship",
            e.at,
            f"{feed.cfg.id} {e.seq}: cancelled after the {', '.join(shipped)} rack shipped; call the OEM",
            feed=feed.cfg.id,
            seq=e.seq,
            vehicle_id=e.vehicle_id,
        )
    commands = core.deviations.raise_(
        "cancel",
        e.at,
        f"{feed.cfg.id} {e.seq}: cancelled by the OEM",
        feed=feed.cfg.id,
        seq=e.seq,
        vehicle_id=e.vehicle_id,
    )
    return commands + core._cancel_vehicle(feed, vehicle, e.at)


def _hold(core: FeedRules, feed: Feed, vehicle: Vehicle, e: BroadcastReceived) -> list[Command]:
    return core._hold(vehicle, e.at)


def _release(core: FeedRules, feed: Feed, vehicle: Vehicle, e: BroadcastReceived) -> list[Command]:
    return core._release(vehicle, e.at)


# message function of a broadcast for a vehicle already known -> what to do ("original" with new content is a
# change: the same key with different content)
FUNCTIONS = {
    "original": _change,
    "change": _change,
    "cancel": _cancel,
    "hold": _hold,
    "release": _release,
}
