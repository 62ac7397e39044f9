"""Vehicle rules: change, cancel, hold and release of a vehicle already in the sequence, and its completion.

Change: before the pick the part is re-resolved in place; after the pick the picked part goes back to stock and
the new one is picked into the same slot; after the rack shipped it is a deviation only. Cancel frees the slot
(blank) and sends picked parts back to stock. Hold takes the vehicle's open picks out of the line (its slot
stays reserved); release puts them back in sequence order. A vehicle completes when every part is picked and
labelled (``check_complete``, asked whenever one of its labels prints).

Uses the picking and rack rules. What it must not do: decide where a broadcast belongs (``feeds``) or check a
person's intent (``manual``): these functions change what they are asked to.
"""

from __future__ import annotations

from sequencer.commands import Command, VehicleCompleted
from sequencer.events import BroadcastReceived
from sequencer.lifecycle import VEHICLE_DONE, PickMove, VehicleMove, move_vehicle, pick_may
from sequencer.rules.picking import move, new_pick, queue, withdraw
from sequencer.rules.racks import blank_slots, rack_labels_due_at, rack_of, shipped_families, slot_done
from sequencer.sentences import say
from sequencer.state import Feed, LineState, Pick, Vehicle, VehicleContent


def content_of(e: BroadcastReceived) -> VehicleContent:
    """What makes two broadcasts with the same key identical (a resend) or different (a change)."""
    options, parts = tuple(sorted(e.options)), tuple(sorted(e.parts))
    if e.quantities:
        return (e.vehicle_id, options, parts, tuple(sorted(e.quantities)))
    return (e.vehicle_id, options, parts)


def content_parts(
    content: VehicleContent,
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[tuple[str, int], ...]]:
    """A vehicle's options, named parts and their quantities (none above 1: empty) from its content."""
    if len(content) == 4:
        return content[1], content[2], content[3]
    return content[1], content[2], ()


def _due_again(line: LineState, feed: Feed, vehicle: Vehicle, due_at: float) -> None:
    """The OEM sent a new required time: the vehicle and its picks are due then; a rack keeps the earliest due
    time of its vehicles (never later than before: a rack watched early stays watched)."""
    vehicle.due_at = due_at
    for pick in live_picks(line, vehicle):
        pick.due_at = due_at
        rack = rack_of(line, feed, pick.family, vehicle.position)
        rack.due_at = min(rack.due_at, due_at)


def live_picks(line: LineState, vehicle: Vehicle) -> list[Pick]:
    """The vehicle's picks not withdrawn (a change or cancel leaves the withdrawn ones behind, cancelled)."""
    return [line.picks[p] for p in vehicle.picks if line.picks[p].status != "cancelled"]


def change(line: LineState, feed: Feed, vehicle: Vehicle, e: BroadcastReceived) -> list[Command]:
    """The OEM sent new content for a vehicle we have: re-resolve it, re-pick what differs."""
    commands = line.deviations.raise_(
        "change",
        e.at,
        say("change", feed=feed.cfg.id, seq=e.seq, vehicle=e.vehicle_id),
        feed=feed.cfg.id,
        seq=e.seq,
        vehicle_id=e.vehicle_id,
    )
    resolved, unresolved = line.resolver.resolve(e.options, e.parts, e.quantities)
    wanted = {r.family: r for r in resolved}
    shipped = shipped_families(line, feed, vehicle.position)
    if shipped:
        return commands + line.deviations.raise_(
            "change_after_ship",
            e.at,
            say("change_after_ship", feed=feed.cfg.id, seq=e.seq, racks=", ".join(shipped)),
            feed=feed.cfg.id,
            seq=e.seq,
            vehicle_id=e.vehicle_id,
        )
    vehicle.content = content_of(e)
    if e.required_at is not None and e.required_at != vehicle.due_at:
        _due_again(line, feed, vehicle, e.required_at)
    if vehicle.status == "completed":  # picked and labelled, not shipped: it has to be built again
        _reopen(line, vehicle)
    for pick in live_picks(line, vehicle):
        new = wanted.pop(pick.family, None)
        if new is not None and (new.part, new.qty) == (pick.part, pick.qty):
            continue
        commands += withdraw(line, pick, e.at, PickMove.CANCEL)
        if new is not None:
            commands += queue(line, new_pick(line, feed, vehicle, new.family, new.part, new.qty, new.bin))
        else:
            commands += slot_done(line, feed, pick.family, vehicle.position, blank=True)
    for new in wanted.values():
        commands += queue(line, new_pick(line, feed, vehicle, new.family, new.part, new.qty, new.bin))
    commands += _clear_blocked(line, vehicle, e.at)
    for miss in unresolved:
        commands += line.deviations.raise_(
            "unresolved",
            e.at,
            say("unresolved", feed=feed.cfg.id, seq=e.seq, reason=miss.reason),
            feed=feed.cfg.id,
            seq=e.seq,
        )
        vehicle.blocked[miss.family] = line.deviations.newest_id
    if vehicle.status == "held":
        commands += hold(line, vehicle, e.at)
    commands += check_complete(line, vehicle, e.at)
    return commands + rack_labels_due_at(line, feed, vehicle.position)  # a part taken out without a replacement


def _reopen(line: LineState, vehicle: Vehicle) -> None:
    line.vehicles_completed -= 1
    line.vehicles_on_time -= vehicle.due_at >= vehicle.completed_at
    move_vehicle(vehicle, VehicleMove.REOPEN)
    line.feeds[vehicle.feed].position_of.setdefault(vehicle.vehicle_id, vehicle.position)


def _clear_blocked(line: LineState, vehicle: Vehicle, at: float) -> list[Command]:
    """The vehicle's unresolvable families no longer block their slots (its content changed, or it left)."""
    commands: list[Command] = []
    for dev_id in vehicle.blocked.values():
        commands += line.deviations.clear(dev_id, at)
    vehicle.blocked.clear()
    return commands


def vacate(line: LineState, feed: Feed, vehicle: Vehicle, at: float) -> list[Command]:
    """Take the vehicle out of its place: picks withdrawn, alarms about it cleared; its slots stay as they are."""
    commands: list[Command] = []
    for pick in live_picks(line, vehicle):
        commands += withdraw(line, pick, at, PickMove.CANCEL)
    commands += _clear_blocked(line, vehicle, at)
    commands += _clear_hold(line, vehicle, at)
    if vehicle.status != "cancelled":  # the OEM may cancel a vehicle twice: cancelled it stays
        move_vehicle(vehicle, VehicleMove.CANCEL)
    if feed.position_of.get(vehicle.vehicle_id) == vehicle.position:
        del feed.position_of[vehicle.vehicle_id]
    return commands


def cancel(line: LineState, feed: Feed, vehicle: Vehicle, at: float) -> list[Command]:
    """The vehicle will not be built here: its picks withdrawn (picked parts back to stock), its slots blank."""
    if vehicle.status == "completed":  # picked and labelled, not shipped: the parts go back to stock
        _reopen(line, vehicle)
    commands = vacate(line, feed, vehicle, at) + blank_slots(line, feed, vehicle.position)
    return commands + rack_labels_due_at(line, feed, vehicle.position)  # its parts, taken out, no longer wait


def hold(line: LineState, vehicle: Vehicle, at: float) -> list[Command]:
    """The vehicle's open picks leave the line (its slots stay reserved); one already picked: a person keeps
    its rack."""
    if vehicle.status in VEHICLE_DONE:  # nothing left to pick: a person holds the rack
        if vehicle.status == "cancelled" or line.deviations.find("hold", feed=vehicle.feed, seq=vehicle.seq):
            return []
        return line.deviations.raise_(
            "hold",
            at,
            say("hold_picked", feed=vehicle.feed, seq=vehicle.seq, vehicle=vehicle.vehicle_id),
            feed=vehicle.feed,
            seq=vehicle.seq,
            vehicle_id=vehicle.vehicle_id,
        )
    commands: list[Command] = []
    for pick in live_picks(line, vehicle):
        if pick_may(pick, PickMove.HOLD):  # not picked yet
            commands += withdraw(line, pick, at, PickMove.HOLD)
    if vehicle.status != "held":
        move_vehicle(vehicle, VehicleMove.HOLD)
        commands += line.deviations.raise_(
            "hold",
            at,
            say("hold", feed=vehicle.feed, seq=vehicle.seq, vehicle=vehicle.vehicle_id),
            feed=vehicle.feed,
            seq=vehicle.seq,
            vehicle_id=vehicle.vehicle_id,
        )
    return commands


def _clear_hold(line: LineState, vehicle: Vehicle, at: float) -> list[Command]:
    dev = line.deviations.find("hold", feed=vehicle.feed, seq=vehicle.seq)
    return line.deviations.clear(dev.deviation_id, at) if dev else []


def release(line: LineState, vehicle: Vehicle, at: float) -> list[Command]:
    """A held vehicle's picks go back in the line in sequence order; for any other, its hold alarm clears."""
    if vehicle.status != "held":
        return _clear_hold(line, vehicle, at)
    move_vehicle(vehicle, VehicleMove.RELEASE)
    commands = _clear_hold(line, vehicle, at)
    for pick in live_picks(line, vehicle):
        if pick.status == "held":
            move(line, pick, PickMove.RELEASE)
            commands += queue(line, pick)
    return commands + check_complete(line, vehicle, at)


def check_complete(line: LineState, vehicle: Vehicle, at: float) -> list[Command]:
    """An open vehicle with every part picked and labelled, and no slot blocked, is completed."""
    if vehicle.status != "open" or vehicle.blocked:
        return []
    if not all(p.status == "picked" and p.labelled for p in live_picks(line, vehicle)):
        return []
    move_vehicle(vehicle, VehicleMove.COMPLETE)
    vehicle.completed_at = at
    line.vehicles_completed += 1
    line.vehicles_on_time += at <= vehicle.due_at
    feed = line.feeds[vehicle.feed]
    if feed.position_of.get(vehicle.vehicle_id) == vehicle.position:
        del feed.position_of[vehicle.vehicle_id]
    return [VehicleCompleted(feed=vehicle.feed, seq=vehicle.seq, vehicle_id=vehicle.vehicle_id)]
