"""Picking rules: one pick per vehicle and family, released at its station in sequence order, one lit at a time.

What happens when a light is pressed (``on_confirm``): a confirm on the lit bin picks it (part label, slot
filled, next bin lit). A confirm on any other bin is a wrong pick: the slot is blocked, the expected bin flashes
red and nothing advances until a person corrects it. A pick not confirmed within the station's limit raises a
time-out alarm. A withdrawn pick (hold, cancel, change) leaves the queue; one already picked goes back to stock.

Uses the rack rules (slots, rack of a position). What it must not do: change a vehicle's status (that is
``vehicles``: a vehicle completes when its labels print, not when it is picked).
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable

from sequencer.commands import ClearBin, Command, LightBin, PrintLabel, ReturnToStock
from sequencer.events import BinConfirmed
from sequencer.labels import PartLabel
from sequencer.lifecycle import PickMove, move_pick
from sequencer.rules import gtl, stock
from sequencer.rules.racks import rack_of, rack_slot, slot_done
from sequencer.sentences import Value, say
from sequencer.state import HOUR, Feed, LineState, Pick, SequencerError, Station, Vehicle


def accept(
    line: LineState,
    feed: Feed,
    vehicle: Vehicle,
    options: tuple[str, ...],
    parts: tuple[tuple[str, str], ...],
    quantities: tuple[tuple[str, int], ...] = (),
) -> list[Command]:
    """Resolve a new vehicle's parts and queue one pick per family; blank the slots of families it lacks."""
    at = vehicle.at
    commands: list[Command] = []
    unknown = sorted(set(options) - line.resolver.known_codes)
    if unknown:
        commands += line.deviations.raise_(
            "unknown_option",
            at,
            say("unknown_option", feed=feed.cfg.id, seq=vehicle.seq, codes=" ".join(unknown)),
            feed=feed.cfg.id,
            seq=vehicle.seq,
            vehicle_id=vehicle.vehicle_id,
        )
    resolved, unresolved = line.resolver.resolve(options, parts, quantities)
    for miss in unresolved:
        commands += line.deviations.raise_(
            "unresolved",
            at,
            say("unresolved", feed=feed.cfg.id, seq=vehicle.seq, reason=miss.reason),
            feed=feed.cfg.id,
            seq=vehicle.seq,
            vehicle_id=vehicle.vehicle_id,
        )
        vehicle.blocked[miss.family] = line.deviations.newest_id
    needed = {r.family for r in resolved} | set(vehicle.blocked)
    for family in line.families:
        if family not in needed:
            commands += slot_done(line, feed, family, vehicle.position, blank=True)
    for r in resolved:
        commands += queue(line, new_pick(line, feed, vehicle, r.family, r.part, r.qty, r.bin))
    # in the plant's order: a set of names iterates in the order of the process's hash seed, and the order the
    # racks are watched in numbers their due-time deviations (a replay in another process must agree)
    for family in [f for f in line.families if f in needed]:
        rack = rack_of(line, feed, family, vehicle.position)
        rack.due_at = min(rack.due_at, vehicle.due_at)
        if not rack.shipped:
            line.watched_racks[(rack.feed, rack.family, rack.rack_no)] = rack
    return commands


def new_pick(line: LineState, feed: Feed, v: Vehicle, family: str, part: str, qty: int, bin_id: str) -> Pick:
    """A queued pick for one part of a vehicle, in the slot its sequence position gives."""
    rack_no, slot = rack_slot(line, family, v.position)
    pick = Pick(
        pick_id=line.next_pick,
        feed=feed.cfg.id,
        seq=v.seq,
        position=v.position,
        vehicle_id=v.vehicle_id,
        family=family,
        part=part,
        qty=qty,
        bin=bin_id,
        station=line.families[family].station,
        rack_no=rack_no,
        slot=slot,
        due_at=v.due_at,
    )
    line.next_pick += 1
    line.picks[pick.pick_id] = pick
    v.picks.append(pick.pick_id)
    return pick


def move(line: LineState, pick: Pick, step: PickMove) -> None:
    """Every status change of a pick (``sequencer.lifecycle``), noted on its station's entry for the screens."""
    move_pick(pick, step)
    line.touched.station(pick.station)


def queue(line: LineState, pick: Pick) -> list[Command]:
    """A queued pick takes its place in its station's queue (sequence order); the station lights if idle."""
    station = line.stations[pick.station]
    insort(station.queue, (pick.position, pick.pick_id))
    line.touched.station(pick.station)
    return light_next(line, station, line.last_at) + stock.station_changed(line, station.cfg.id, line.last_at)


def lit_commands(line: LineState) -> list[LightBin]:
    """What the stations' lights show now, as commands (a restart shows them again): each lit pick, flashing
    red where a wrong pick blocked the slot."""
    return [
        _light(st, line.picks[st.lit], alarm=st.blocked_by is not None)
        for st in line.stations.values()
        if st.lit is not None
    ]


def _light(station: Station, pick: Pick, *, alarm: bool = False) -> LightBin:
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


def _clear(station: Station, bin_id: str) -> ClearBin:
    return ClearBin(station=station.cfg.id, bin=bin_id, light=station.light_of_bin[bin_id], device=station.cfg.ptl)


def light_next(line: LineState, station: Station, at: float) -> list[Command]:
    if station.lit is not None or not station.queue:
        return []
    pick = line.picks[station.queue[0][1]]
    move(line, pick, PickMove.LIGHT)
    station.lit, station.lit_at = pick.pick_id, at
    return [_light(station, pick)]


Confirmed = Callable[[LineState, Station, Pick, float], list[Command]]


def on_confirm(line: LineState, e: BinConfirmed, confirmed: Confirmed | None = None) -> list[Command]:
    """A bin's confirm button was pressed. A press on the lit bin picks it, or, given ``confirmed`` (a family
    that scans: ``sequencer.rules.scanning``), goes to it instead."""
    station = line.stations.get(e.station)
    if station is None or e.bin not in station.light_of_bin:
        raise SequencerError(f"confirm from unknown station/bin {e.station}/{e.bin}")
    if e.counter is not None:
        line.confirm_counters[(e.station, e.bin)] = e.counter  # whatever the press means, it was counted
    if station.blocked_by is not None:
        return []  # blocked after a wrong pick: only a correction moves it on
    lit = line.picks[station.lit] if station.lit is not None else None
    if lit is None or lit.bin != e.bin:
        return _wrong_pick(line, station, lit, e)
    if e.token and e.token != lit.pick_id:
        return line.deviations.raise_(
            "stale_confirm",
            e.at,
            say("stale_confirm_token", station=e.station, bin=e.bin, token=e.token, pick=lit.pick_id),
            station=e.station,
        )
    return (confirmed or picked)(line, station, lit, e.at)


def _wrong_pick(line: LineState, station: Station, lit: Pick | None, e: BinConfirmed) -> list[Command]:
    if lit is None:
        return line.deviations.raise_(
            "stale_confirm", e.at, say("stale_confirm_unlit", station=e.station, bin=e.bin), station=e.station
        )
    return block(line, station, lit, e.at, pressed=e.bin)


def block(
    line: LineState, station: Station, lit: Pick, at: float, *, pressed: str = "", scanned: str = ""
) -> list[Command]:
    """A wrong pick (the bin ``pressed``, or the part ``scanned``, that showed it): the slot is blocked, the lit bin
    flashes red."""
    where: dict[str, Value] = {"station": station.cfg.id, "bin": lit.bin, "feed": lit.feed, "seq": lit.seq}
    commands = line.deviations.raise_(
        "wrong_pick",
        at,
        say("wrong_pick_scanned", part=scanned, **where)
        if scanned
        else say("wrong_pick_pressed", pressed=pressed, **where),
        feed=lit.feed,
        seq=lit.seq,
        vehicle_id=lit.vehicle_id,
        station=station.cfg.id,
    )
    station.blocked_by = line.deviations.newest_id
    move(line, lit, PickMove.BLOCK)
    return [*commands, _light(station, lit, alarm=True)]


def unblock(line: LineState, station: Station, at: float) -> list[Command]:
    """A person corrected the wrong pick: the blocked pick is lit again (or the next one, if it went meanwhile)."""
    station.blocked_by = None
    if station.lit is None:
        return light_next(line, station, at)
    pick = line.picks[station.lit]
    move(line, pick, PickMove.UNBLOCK)
    station.lit_at = at
    return [_light(station, pick)]


def picked(line: LineState, station: Station, pick: Pick, at: float) -> list[Command]:
    """The lit pick is in its slot: clear the light, print its part label, fill the slot, light the next."""
    move(line, pick, PickMove.PICK)
    station.lit = None
    station.queue.remove((pick.position, pick.pick_id))
    line.picks_confirmed += 1
    line.pick_times.append(at)
    while line.pick_times[0] < at - HOUR:
        line.pick_times.popleft()
    commands: list[Command] = [_clear(station, pick.bin)]
    if station.timeout_dev is not None:
        commands += line.deviations.clear(station.timeout_dev, at)
        station.timeout_dev = None
    pick.label_id = f"P{pick.pick_id}"
    supplier = gtl.label_party(line, pick.feed)[1]
    pick.serial = gtl.take_serial(line, supplier)
    pick.labelled_at = at
    label = part_label(line, pick)
    line.ask_label(PrintLabel(printer=station.cfg.printer, label=label), pick.pick_id)
    commands.append(line.unprinted[label.label_id])
    commands += slot_done(line, line.feeds[pick.feed], pick.family, pick.position, blank=False)
    commands += stock.drawn(line, pick, at)  # after the slot: a low bin's alarm follows the pick's own commands
    return commands + light_next(line, station, at)


def part_label(line: LineState, pick: Pick) -> PartLabel:
    template, supplier, ship_to = gtl.label_party(line, pick.feed)
    part = line.plant.part(pick.part)
    return PartLabel(
        label_id=pick.label_id,
        feed=pick.feed,
        seq=pick.seq,
        vehicle_id=pick.vehicle_id,
        part=pick.part,
        description=line.part_description.get(pick.part, ""),
        family=pick.family,
        rack_no=pick.rack_no,
        slot=pick.slot,
        plant=line.plant.plant.code,
        qty=pick.qty,
        serial=pick.serial,
        supplier=supplier,
        customer_part=part.customer_number if part is not None else "",
        ship_to=ship_to,
        unloading_point=line.feeds[pick.feed].cfg.dock,
        labelled_at=pick.labelled_at,
        timezone=line.plant.plant.timezone,
        template=template,
    )


def withdraw(line: LineState, pick: Pick, at: float, step: PickMove) -> list[Command]:
    """Take a pick out of the line (``HOLD`` or ``CANCEL``); a picked part goes back to stock."""
    station = line.stations[pick.station]
    scan = line.scans.pop(pick.pick_id, None)  # back to stock or never picked: its serial may be scanned again
    if scan is not None and scan.serial:
        line.serials.pop((scan.part, scan.serial), None)
    if pick.status == "picked":
        move(line, pick, step)
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
            *line.deviations.raise_(
                "return_to_stock",
                at,
                say(
                    "return_to_stock",
                    station=station.cfg.id,
                    part=pick.part,
                    rack=pick.rack_no,
                    slot=pick.slot,
                    bin=pick.bin,
                ),
                feed=pick.feed,
                seq=pick.seq,
                vehicle_id=pick.vehicle_id,
                station=station.cfg.id,
            ),
            *stock.returned(line, pick, at),
        ]
    commands: list[Command] = []
    if (pick.position, pick.pick_id) in station.queue:
        station.queue.remove((pick.position, pick.pick_id))
    if station.lit == pick.pick_id:
        station.lit = None
        commands.append(_clear(station, pick.bin))
        if station.blocked_by is not None:
            commands += line.deviations.clear(station.blocked_by, at)
            station.blocked_by = None
        if station.timeout_dev is not None:
            commands += line.deviations.clear(station.timeout_dev, at)
            station.timeout_dev = None
    move(line, pick, step)
    return commands + light_next(line, station, at) + stock.station_changed(line, station.cfg.id, at)


def check_pick_timeouts(line: LineState, at: float) -> list[Command]:
    """A lit pick not confirmed within its station's limit raises one time-out alarm (cleared by its confirm)."""
    commands: list[Command] = []
    for station in line.stations.values():
        if station.lit is None or station.timeout_dev is not None or station.blocked_by is not None:
            continue
        if at - station.lit_at <= station.cfg.pick_timeout_s:
            continue
        pick = line.picks[station.lit]
        commands += line.deviations.raise_(
            "pick_timeout",
            at,
            say("pick_timeout", station=station.cfg.id, bin=pick.bin, seconds=at - station.lit_at),
            feed=pick.feed,
            seq=pick.seq,
            vehicle_id=pick.vehicle_id,
            station=station.cfg.id,
        )
        station.timeout_dev = line.deviations.newest_id
    return commands
