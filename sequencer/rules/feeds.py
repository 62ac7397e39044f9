"""Feed rules: what happens when a broadcast arrives (``on_broadcast``), and when the service rejected one.

Where a broadcast belongs in its feed's sequence, and what its message function asks for: wrap-around, gaps
(alarm + resend request, never renumber), identical resends (counted), same key with new content (a change),
numbers behind the sequence (late), vehicles the OEM moved (a per-feed reaction), forecast broadcasts (predicted
load, never picked, superseded by the firm call), and silence on the feed.

Plausible input only (issue 15): a firm broadcast numbered more than ``plausible_ahead`` ahead of the feed's newest,
or more than ``plausible_behind`` behind it (and not one of its missing numbers), is refused with an
``implausible`` deviation and changes nothing else: no gap, no resend request, not heard, not a vehicle. This rule
needs the feed's position, so it is the core's, deterministic on replay like every other (the refused broadcast
is journaled as received; the service acknowledges it ``refused``). A person keying a broadcast in
(``InsertBroadcast``) is not held to it. A broadcast for a position whose vehicle has shipped (and been forgotten)
is a duplicate, or a change after shipping: a replay of the OEM's history is never late work for the line. A
broadcast from a gateway not allowed to publish its feed never gets here: the service refuses it first
(``GatewayRefused``: an ``unauthorised`` deviation).

Uses the vehicle, picking and rack rules. What it must not do: touch a station or a pick itself (a new vehicle's
picks are ``picking.accept``'s, a known vehicle's changes are ``vehicles``').
"""

from __future__ import annotations

from collections.abc import Callable

from sequencer import seqnum
from sequencer.commands import Command, RequestResend
from sequencer.events import BroadcastFunction, BroadcastReceived, BroadcastRejected, GatewayRefused, QuarantineFlood
from sequencer.lifecycle import VEHICLE_IN_LINE
from sequencer.rules import vehicles
from sequencer.rules.picking import accept
from sequencer.rules.racks import rack_of, shipped_families
from sequencer.sentences import Sentence, Value, say
from sequencer.state import HOUR, Feed, LineState, SequencerError, Vehicle


def on_broadcast(line: LineState, e: BroadcastReceived, *, by_hand: bool = False) -> list[Command]:
    """A broadcast from the feed (``by_hand``: keyed in by a person, not held to the plausible window)."""
    feed = line.feeds.get(e.feed)
    if feed is None:
        return line.deviations.raise_(
            "unknown_feed", e.at, say("unknown_feed", seq=e.seq, feed=e.feed), feed=e.feed, seq=e.seq
        )
    if not 0 <= e.seq < feed.cfg.modulus:
        raise SequencerError(f"{e.feed}: sequence number {e.seq} outside 0..{feed.cfg.modulus - 1}")
    if not by_hand and feed.last_seq is not None and e.firm and (why := _implausible(feed, e.seq)) is not None:
        return line.deviations.raise_("implausible", e.at, why, feed=feed.cfg.id, seq=e.seq, vehicle_id=e.vehicle_id)
    commands = _heard(line, feed, e.at)
    if not e.firm:
        return commands + _forecast(line, feed, e)
    if feed.last_seq is None:
        feed.first_seq, feed.last_seq, feed.last_position = e.seq, e.seq, 0
        return commands + _new_vehicle(line, feed, e, 0)
    distance = seqnum.signed_distance(feed.last_seq, e.seq, feed.cfg.modulus)
    position = feed.last_position + distance
    if distance > 0:
        if distance > 1:
            commands += _open_gap(line, feed, e, position)
        feed.last_seq, feed.last_position = e.seq, position
        _forget_given_up(feed)
        return commands + _new_vehicle(line, feed, e, position)
    return commands + _behind(line, feed, e, position)


def implausible(line: LineState, e: BroadcastReceived) -> str:
    """Why the feed refuses this broadcast now as implausible ("" if it does not): a firm one numbered too far from
    its feed's newest to be believed. A query, changing nothing: the service also asks it of a repeat (its identity
    journaled already, never handled again), to answer it as its first arrival was answered."""
    feed = line.feeds.get(e.feed)
    if feed is None or not e.firm or feed.last_seq is None or not 0 <= e.seq < feed.cfg.modulus:
        return ""
    why = _implausible(feed, e.seq)
    return why.text if why is not None else ""


def _implausible(feed: Feed, seq: int) -> Sentence | None:
    """Why a firm broadcast numbered ``seq`` is too far from the feed's newest to be believed (None if it is not)."""
    assert feed.last_seq is not None
    cfg = feed.cfg
    distance = seqnum.signed_distance(feed.last_seq, seq, cfg.modulus)
    window: dict[str, Value] = {"feed": cfg.id, "seq": seq, "newest": feed.last_seq}
    window |= {"ahead": cfg.plausible_ahead, "behind": cfg.plausible_behind}
    if distance > cfg.plausible_ahead:
        return say("implausible_ahead", distance=distance, **window)
    if distance < -cfg.plausible_behind and feed.last_position + distance not in feed.missing:
        return say("implausible_behind", distance=-distance, **window)
    return None


def _forget_given_up(feed: Feed) -> None:
    """Given-up positions past the plausible window behind are refused anyway: they need not be remembered."""
    if feed.given_up:
        floor = feed.last_position - feed.cfg.plausible_behind
        feed.given_up = {p for p in feed.given_up if p >= floor}


def on_gateway_refused(line: LineState, e: GatewayRefused) -> list[Command]:
    """A broadcast the service refused because its gateway may not publish its feed: a deviation naming the
    quarantine entry, for the lead (someone on the plant network holds a gateway key and used it for another feed);
    from a gateway that keeps doing it, counted on its flood alarm (``sequencer.floods``)."""
    counted, commands = line.floods.refused("unauthorised", f"gateway {e.gateway}", e.at)
    if counted:
        return commands
    return line.deviations.raise_(
        "unauthorised", e.at, say("quarantined", quarantine_id=e.quarantine_id, reason=e.reason), feed=e.feed, seq=e.seq
    )


def on_rejected(line: LineState, e: BroadcastRejected) -> list[Command]:
    """Input the service quarantined: a deviation naming the quarantine entry; from a source that keeps sending
    it, counted on the source's one flood alarm instead (``sequencer.floods``)."""
    kind = "unknown_feed" if e.feed and e.feed not in line.feeds else "malformed"
    counted, commands = line.floods.refused(kind, e.source, e.at)
    if counted:
        return commands
    message = say("quarantined", quarantine_id=e.quarantine_id, reason=e.reason)
    return line.deviations.raise_(kind, e.at, message, feed=e.feed, seq=e.seq)


def on_flood(line: LineState, e: QuarantineFlood) -> list[Command]:
    """The service counted a source's refused input without storing it (past the quarantine's limits): counted on
    the source's flood alarm, which this starts if the source was not flooding yet."""
    return line.floods.refused("malformed", e.source, e.at, count=e.count, force=True)[1]


def _heard(line: LineState, feed: Feed, at: float) -> list[Command]:
    # the feed's entry on the screens: every broadcast on a known feed comes here first, so what else it changes on
    # the feed (numbers, counts, gaps, duplicates) is noted with it
    line.touched.feed(feed.cfg.id)
    feed.last_at = at
    feed.recent.append(at)
    while feed.recent[0] < at - HOUR:
        feed.recent.popleft()
    if feed.silence_dev is None:
        return []
    dev_id, feed.silence_dev = feed.silence_dev, None
    return line.deviations.clear(dev_id, at)


def check_silence(line: LineState, at: float) -> list[Command]:
    """A feed quiet for longer than its takts allow raises one silence alarm (cleared by its next broadcast); a feed
    whose OEM line stands is quiet for that reason, and counts its quiet from the line's restart."""
    commands: list[Command] = []
    for feed in line.feeds.values():
        limit = feed.cfg.silence_takts * feed.cfg.takt_s
        if feed.last_at is None or feed.silence_dev is not None or at - feed.last_at <= limit:
            continue
        if feed.line_stopped_since is not None or at - feed.line_restarted_at <= limit:
            continue
        commands += line.deviations.raise_(
            "silence",
            at,
            say("silence", feed=feed.cfg.id, seconds=at - feed.last_at, limit=limit),
            feed=feed.cfg.id,
        )
        feed.silence_dev = line.deviations.newest_id
    return commands


def _forecast(line: LineState, feed: Feed, e: BroadcastReceived) -> list[Command]:
    resolved, _ = line.resolver.resolve(e.options, e.parts, e.quantities)
    feed.forecast[e.vehicle_id] = tuple(r.part for r in resolved)
    return []


def _open_gap(line: LineState, feed: Feed, e: BroadcastReceived, position: int) -> list[Command]:
    first, count = feed.last_position + 1, position - feed.last_position - 1
    first_seq, last_seq = feed.seq_at(first), feed.seq_at(position - 1)
    feed.gaps += 1
    raised = line.deviations.raise_(
        "gap",
        e.at,
        say("gap", feed=feed.cfg.id, count=count, first=first_seq, last=last_seq),
        feed=feed.cfg.id,
        seq=first_seq,
    )
    for p in range(first, position):
        feed.missing[p] = line.deviations.newest_id
    return [*raised, RequestResend(feed=feed.cfg.id, from_seq=first_seq, to_seq=last_seq)]


def fill_gap(line: LineState, feed: Feed, position: int, at: float) -> list[Command]:
    """A missing position is filled (its broadcast came, or a person moved a vehicle there); the gap's alarm
    clears with its last missing number."""
    if position not in feed.missing:
        return []
    dev_id = feed.missing.pop(position)
    return [] if dev_id in feed.missing.values() else line.deviations.clear(dev_id, at)


def _behind(line: LineState, feed: Feed, e: BroadcastReceived, position: int) -> list[Command]:
    """A number at or behind the newest: a resent missing one, a resend, a change, a function, or late."""
    if position in feed.missing:
        return [*fill_gap(line, feed, position, e.at), *_new_vehicle(line, feed, e, position)]
    known = feed.vehicles.get(position)
    if known is None:
        if _shipped_and_forgotten(line, feed, position):
            return _after_shipping(line, feed, e)
        closed = [f for f in line.families if rack_of(line, feed, f, position).closed]
        sentence = (
            say("late_broadcast_rack_closed", feed=feed.cfg.id, seq=e.seq, racks=", ".join(closed))
            if closed
            else say("late_broadcast", feed=feed.cfg.id, seq=e.seq)
        )
        return line.deviations.raise_(
            "late_broadcast",
            e.at,
            sentence,
            feed=feed.cfg.id,
            seq=e.seq,
            vehicle_id=e.vehicle_id,
        )
    return _function(line, feed, known, e)


def _shipped_and_forgotten(line: LineState, feed: Feed, position: int) -> bool:
    """A position whose broadcast came, whose vehicle shipped with every rack and left the state (not one a lead
    gave up on, nor one before the feed's first broadcast)."""
    if not 0 <= position <= feed.last_position or position in feed.given_up:
        return False
    return len(shipped_families(line, feed, position)) == len(line.families)


def _after_shipping(line: LineState, feed: Feed, e: BroadcastReceived) -> list[Command]:
    """A broadcast for a vehicle that has shipped: an original is a replay (a duplicate: its vehicle left with the
    racks, there is nothing to compare it with); anything else came too late to change what shipped."""
    if e.function == "original":
        feed.duplicates += 1
        return line.deviations.raise_("duplicate", e.at, "resend of a shipped vehicle", feed=feed.cfg.id, seq=e.seq)
    return line.deviations.raise_(
        "change_after_ship",
        e.at,
        say("after_ship", feed=feed.cfg.id, seq=e.seq, function=e.function),
        feed=feed.cfg.id,
        seq=e.seq,
        vehicle_id=e.vehicle_id,
    )


def _function(line: LineState, feed: Feed, vehicle: Vehicle, e: BroadcastReceived) -> list[Command]:
    """A broadcast for a vehicle we have: apply its message function (``FUNCTIONS``)."""
    if e.function == "original" and vehicle.content == vehicles.content_of(e):
        feed.duplicates += 1
        return line.deviations.raise_("duplicate", e.at, "identical resend", feed=feed.cfg.id, seq=e.seq)
    if vehicle.status == "cancelled" and e.function != "cancel":
        return line.deviations.raise_(
            "late_broadcast",
            e.at,
            say("cancelled_ignored", feed=feed.cfg.id, seq=e.seq, function=e.function),
            feed=feed.cfg.id,
            seq=e.seq,
            vehicle_id=e.vehicle_id,
        )
    return FUNCTIONS[e.function](line, feed, vehicle, e)


def due_at(line: LineState, feed: Feed, e: BroadcastReceived) -> float:
    """The OEM's required time, else the feed's lead time counted in line time (``sequencer.calendar``) from the
    broadcast, or from the stop while the OEM's line stands (the move at its restart counts the lead time from
    there: ``sequencer.rules.line``)."""
    if e.required_at is not None:
        return e.required_at
    start = e.at if feed.line_stopped_since is None else min(e.at, feed.line_stopped_since)
    return line.calendar.add(start, feed.cfg.lead_time_s)


def _new_vehicle(line: LineState, feed: Feed, e: BroadcastReceived, position: int) -> list[Command]:
    commands: list[Command] = []
    if e.vehicle_id in feed.forecast:
        del feed.forecast[e.vehicle_id]
        commands += line.deviations.raise_("forecast_superseded", e.at, "firm call", feed=feed.cfg.id, seq=e.seq)
    moved_from = feed.position_of.get(e.vehicle_id)
    feed.broadcasts += 1
    vehicle = Vehicle(
        feed=feed.cfg.id,
        seq=e.seq,
        position=position,
        vehicle_id=e.vehicle_id,
        content=vehicles.content_of(e),
        at=e.at,
        due_at=due_at(line, feed, e),
    )
    feed.vehicles[position] = vehicle
    feed.position_of[e.vehicle_id] = position
    if moved_from is not None and moved_from != position:
        commands += _resequenced(line, feed, feed.vehicles[moved_from], vehicle, e.at)
    commands += accept(line, feed, vehicle, e.options, e.parts, e.quantities)
    if e.function == "hold" or (moved_from is not None and feed.cfg.on_out_of_order == "hold"):
        commands += vehicles.hold(line, vehicle, e.at)
    elif e.function == "cancel":
        commands += vehicles.cancel(line, feed, vehicle, e.at)
    return commands


def _resequenced(line: LineState, feed: Feed, old: Vehicle, new: Vehicle, at: float) -> list[Command]:
    """The OEM moved a vehicle (e.g. a paint repair loop): react as the feed is configured to."""
    reaction = feed.cfg.on_out_of_order
    commands = line.deviations.raise_(
        "resequenced",
        at,
        say("resequenced", feed=feed.cfg.id, vehicle=new.vehicle_id, old=old.seq, new=new.seq, reaction=reaction),
        feed=feed.cfg.id,
        seq=new.seq,
        vehicle_id=new.vehicle_id,
    )
    if reaction == "move" and old.status in VEHICLE_IN_LINE:
        commands += vehicles.cancel(line, feed, old, at)
    return commands


# -- the message function of a broadcast for a vehicle already known ("original" with new content is a change:
# the same key with different content) ------------------------------------------------------------------------
def _cancelled_by_oem(line: LineState, feed: Feed, vehicle: Vehicle, e: BroadcastReceived) -> list[Command]:
    shipped = shipped_families(line, feed, vehicle.position)
    if shipped:
        return line.deviations.raise_(
            "change_after_ship",
            e.at,
            say("cancel_after_ship", feed=feed.cfg.id, seq=e.seq, racks=", ".join(shipped)),
            feed=feed.cfg.id,
            seq=e.seq,
            vehicle_id=e.vehicle_id,
        )
    commands = line.deviations.raise_(
        "cancel",
        e.at,
        say("cancel", feed=feed.cfg.id, seq=e.seq),
        feed=feed.cfg.id,
        seq=e.seq,
        vehicle_id=e.vehicle_id,
    )
    return commands + vehicles.cancel(line, feed, vehicle, e.at)


FUNCTIONS: dict[BroadcastFunction, Callable[[LineState, Feed, Vehicle, BroadcastReceived], list[Command]]] = {
    "original": vehicles.change,
    "change": vehicles.change,
    "cancel": _cancelled_by_oem,
    "hold": lambda line, feed, vehicle, e: vehicles.hold(line, vehicle, e.at),
    "release": lambda line, feed, vehicle, e: vehicles.release(line, vehicle, e.at),
}
