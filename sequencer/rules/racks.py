"""Rack rules: slots filled by sequence position, racks closed at capacity, shipped, and watched against due time.

Rack n of a feed and family holds positions [(n-1)*cap, n*cap): a gap keeps its slots reserved, a resent
broadcast slots into its place, a vehicle without that family leaves its slot blank. Optional reverse load
numbers the slots backwards so a LIFO rack unloads in sequence. A rack closes when every slot is picked or
blank; its rack label waits until every part label in it is printed or explicitly resolved (``rack_label_due``):
a rack label vouches for the whole rack, and one printed while a part label was still uncertain vouched for a
part no one had checked. Its due time is the earliest of its vehicles', with warning and alarm margins.
A shipped rack whose label printed is forgotten (with its vehicles once all their racks shipped): a service
runs for months, and its state must not grow with every vehicle.

The bottom of the rule chain: it uses no other rule module.
What it must not do: change a pick or a vehicle (it only reads a shipped vehicle's status to forget it, and a
rack's picks to know whether their labels are on).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from sequencer.commands import Command, PrintLabel, RackClosed
from sequencer.events import RackShipped
from sequencer.labels import RackLabel, RackSlot
from sequencer.lifecycle import VEHICLE_DONE
from sequencer.plant import FeedConfig
from sequencer.rules import gtl
from sequencer.sentences import say
from sequencer.shipments import Shipment
from sequencer.state import Feed, LineState, Rack, RackKey, SequencerError

# (deviation kind, how long before the due time it is raised), escalating; "late" is at the due time
DUE_LEVELS: tuple[tuple[str, Callable[[FeedConfig], float]], ...] = (
    ("late_warning", lambda cfg: cfg.warn_before_due_s),
    ("late_alarm", lambda cfg: cfg.alarm_before_due_s),
    ("late", lambda cfg: 0.0),
)


def rack_slot(line: LineState, family: str, position: int) -> tuple[int, int]:
    """(rack no., slot) of a sequence position in a family's racks."""
    fam = line.families[family]
    cap = fam.rack_capacity
    rack_no, offset = divmod(position, cap)
    slot = cap - offset if fam.reverse_load else offset + 1
    return rack_no + 1, slot


def rack_of(line: LineState, feed: Feed, family: str, position: int) -> Rack:
    """The rack a position goes in (made on first use); a stand-in that says so for a rack shipped and forgotten."""
    rack_no, _ = rack_slot(line, family, position)
    key = (feed.cfg.id, family, rack_no)
    rack = line.racks.get(key)
    if rack is None:
        cap = line.families[family].rack_capacity
        if _forgotten(line, key):
            return Rack(feed=feed.cfg.id, family=family, rack_no=rack_no, capacity=cap, closed=True, shipped=True)
        rack = line.racks[key] = Rack(feed=feed.cfg.id, family=family, rack_no=rack_no, capacity=cap)
        line.touched.rack(key)  # a rack opens
    return rack


def shipped_families(line: LineState, feed: Feed, position: int) -> list[str]:
    """The families whose rack for this position has shipped: nothing about their parts can change here."""
    return [f for f in line.families if rack_of(line, feed, f, position).shipped]


def slot_done(line: LineState, feed: Feed, family: str, position: int, *, blank: bool) -> list[Command]:
    """A slot is picked (or left blank); the rack closes when it was the last one."""
    rack = rack_of(line, feed, family, position)
    rack.done.add(rack_slot(line, family, position)[1])
    line.touched.rack((rack.feed, rack.family, rack.rack_no))  # its fill, and it may close
    if len(rack.done) < rack.capacity or rack.closed:
        return []
    return _close(line, feed, rack)


def blank_slots(line: LineState, feed: Feed, position: int) -> list[Command]:
    """No vehicle will fill this position (cancelled, or a number the OEM never sends): every family's slot blank."""
    commands: list[Command] = []
    for family in line.families:
        commands += slot_done(line, feed, family, position, blank=True)
    return commands


def _close(line: LineState, feed: Feed, rack: Rack) -> list[Command]:
    rack.closed = True
    line.racks_completed += 1
    first = (rack.rack_no - 1) * rack.capacity
    closed = RackClosed(
        feed=feed.cfg.id,
        family=rack.family,
        rack_no=rack.rack_no,
        low_seq=feed.seq_at(first),
        high_seq=feed.seq_at(first + rack.capacity - 1),
    )
    return [closed, *rack_label_due(line, feed, rack)]


def rack_label_due(line: LineState, feed: Feed, rack: Rack) -> list[Command]:
    """A closed rack's label, asked for once every part label in it is printed or explicitly resolved (asked
    whenever one of them is, or a picked part leaves the rack); nothing while one is missing or uncertain."""
    if not rack.closed or rack.label_id or (rack.feed, rack.family, rack.rack_no) not in line.racks:
        return []  # open, asked for already, or a shipped rack's stand-in
    if not _part_labels_on(line, feed, rack):
        return []
    rack.label_id = f"R-{feed.cfg.id}-{rack.family}-{rack.rack_no}"
    rack.serial = gtl.take_serial(line, gtl.label_party(line, feed.cfg.id)[1])
    rack.labelled_at = line.last_at
    label = rack_label(line, feed, rack)
    printer = line.stations[line.families[rack.family].station].cfg.printer
    line.ask_label(PrintLabel(printer=printer, label=label), (rack.feed, rack.family, rack.rack_no))
    return [line.unprinted[label.label_id]]


def rack_labels_due_at(line: LineState, feed: Feed, position: int) -> list[Command]:
    """The labels of a position's closed racks that were waiting for it (a part taken back out of its slot, or a
    vehicle cancelled, may leave every part label in the rack on)."""
    commands: list[Command] = []
    for family in line.families:
        rack = line.racks.get((feed.cfg.id, family, rack_slot(line, family, position)[0]))
        commands += rack_label_due(line, feed, rack) if rack is not None else []
    return commands


def rack_picks(line: LineState, feed: Feed, rack: Rack) -> list[int]:
    """The picks in the rack (picked, of its family), in position order."""
    first = (rack.rack_no - 1) * rack.capacity
    out: list[int] = []
    for position in range(first, first + rack.capacity):
        vehicle = feed.vehicles.get(position)
        for pick_id in vehicle.picks if vehicle is not None else ():
            pick = line.picks[pick_id]
            if pick.family == rack.family and pick.status == "picked":
                out.append(pick_id)
    return out


def _part_labels_on(line: LineState, feed: Feed, rack: Rack) -> bool:
    """Every part meant for the rack is in it with its label on (printed, or found on it by a person); a part to be
    picked again after a change is not in it yet."""
    first = (rack.rack_no - 1) * rack.capacity
    for position in range(first, first + rack.capacity):
        vehicle = feed.vehicles.get(position)
        for pick_id in vehicle.picks if vehicle is not None else ():
            pick = line.picks[pick_id]
            if pick.family == rack.family and pick.status != "cancelled" and not pick.labelled:
                return False
    return True


def rack_label(line: LineState, feed: Feed, rack: Rack) -> RackLabel:
    first = (rack.rack_no - 1) * rack.capacity
    low, high = feed.seq_at(first), feed.seq_at(first + rack.capacity - 1)
    template, supplier, ship_to = gtl.label_party(line, feed.cfg.id)
    picks = sorted(rack_picks(line, feed, rack), key=lambda p: line.picks[p].slot)
    return RackLabel(
        label_id=rack.label_id,
        feed=feed.cfg.id,
        family=rack.family,
        rack_no=rack.rack_no,
        low_seq=low,
        high_seq=high,
        slots=rack.capacity,
        plant=line.plant.plant.code,
        line=feed.cfg.line,
        dock=feed.cfg.dock,
        serial=rack.serial,
        supplier=supplier,
        ship_to=ship_to,
        labelled_at=rack.labelled_at,
        timezone=line.plant.plant.timezone,
        qty=sum(line.picks[p].qty for p in picks),
        contents=tuple(_slot(line, p, traced=line.plant.labels.traced_for(feed.cfg.partner)) for p in picks),
        template=template,
    )


def _slot(line: LineState, pick_id: int, *, traced: bool) -> RackSlot:
    """A filled slot as the rack label lists it; with ``traced`` the serial and batch scanned at its pick (a
    scan-required pick is picked only once scanned, so they are in before its rack closes and its label is due)."""
    pick = line.picks[pick_id]
    scan = line.scans.get(pick_id) if traced else None
    serial, batch = (scan.serial, scan.batch) if scan is not None else ("", "")
    return RackSlot(pick.slot, pick.seq, pick.part, pick.serial, scanned_serial=serial, scanned_batch=batch)


def on_shipped(line: LineState, e: RackShipped) -> list[Command]:
    """The dock scanned a closed rack onto a truck: its due alarms clear; once labelled it is forgotten."""
    key = (e.feed, e.family, e.rack_no)
    rack = line.racks.get(key)
    if rack is None and _forgotten(line, key):
        raise SequencerError(f"rack {e.feed}/{e.family}/{e.rack_no} already shipped")
    if rack is None or not rack.closed:
        raise SequencerError(f"rack {e.feed}/{e.family}/{e.rack_no} is not closed: cannot ship")
    if rack.shipped:
        raise SequencerError(f"rack {e.feed}/{e.family}/{e.rack_no} already shipped")
    rack.shipped = True
    line.racks_shipped += 1
    record_shipment(line, rack, e.at)
    line.watched_racks.pop(key, None)
    commands: list[Command] = []
    for dev_id in list(rack.due_dev.values()):
        commands += line.deviations.clear(dev_id, e.at)
    rack.due_dev.clear()
    if rack.labelled:  # its label is printed: nothing about it can still change here
        _forget_vehicles(line, line.feeds[rack.feed], rack)
        _forget_rack(line, rack)
    return commands


def record_shipment(line: LineState, rack: Rack, at: float) -> None:
    """What the rack holds as it leaves, against what its vehicles need and when (``sequencer.shipments``)."""
    feed = line.feeds[rack.feed]
    fam = line.families[rack.family]
    first = (rack.rack_no - 1) * rack.capacity
    expected = parts = 0
    needed: float | None = None
    placed: list[tuple[int, int]] = []  # (slot rank, position) of the parts in it
    for position in range(first, first + rack.capacity):
        if position in feed.given_up:
            expected += 1  # a number the OEM's line builds that never reached us: its slot left empty
            continue
        if (rack.feed, rack.family, position) in line.blank_by_hand:
            line.blank_by_hand.discard((rack.feed, rack.family, position))
            expected += 1  # its part could not be resolved: a lead shipped the slot blank
        vehicle = feed.vehicles.get(position)
        if vehicle is None or vehicle.status == "cancelled":
            continue
        for pick_id in vehicle.picks:
            pick = line.picks[pick_id]
            if pick.family != rack.family or pick.status == "cancelled":
                continue
            expected += 1
            needed = vehicle.due_at if needed is None else min(needed, vehicle.due_at)
            if pick.status == "picked":
                parts += 1
                placed.append((rack.capacity - pick.slot + 1 if fam.reverse_load else pick.slot, pick.position))
    placed.sort()
    out_of_sequence = sum(1 for a, b in pairwise(placed) if b[1] <= a[1])
    line.shipments.append(
        Shipment(
            feed=rack.feed,
            family=rack.family,
            rack_no=rack.rack_no,
            label_id=rack.label_id,
            low_seq=feed.seq_at(first) if feed.first_seq is not None else -1,
            high_seq=feed.seq_at(first + rack.capacity - 1) if feed.first_seq is not None else -1,
            shipped_at=at,
            needed_at=needed,
            capacity=rack.capacity,
            parts=parts,
            expected=expected,
            out_of_sequence=out_of_sequence,
        )
    )


def check_due(line: LineState, at: float) -> list[Command]:
    """Racks that will miss (or have missed) their due time, escalating warning -> alarm -> late; none of a feed
    whose OEM line stands."""
    commands: list[Command] = []
    for rack in line.watched_racks.values():
        feed = line.feeds[rack.feed]
        if at < rack.due_at - feed.cfg.warn_before_due_s:
            continue  # the common case: far from due
        if feed.line_stopped_since is not None:
            continue  # the OEM's line stands: its due times move when it runs again (sequencer.rules.line)
        for kind, margin in DUE_LEVELS:
            if kind in rack.due_dev or at < rack.due_at - margin(feed.cfg):
                continue
            commands += line.deviations.raise_(
                kind,
                at,
                say("due", feed=rack.feed, family=rack.family, rack=rack.rack_no, minutes=(rack.due_at - at) / 60),
                feed=rack.feed,
            )
            rack.due_dev[kind] = line.deviations.newest_id
    return commands


# -- forgetting what has shipped ------------------------------------------------------------------------------
def _forgotten(line: LineState, key: RackKey) -> bool:
    low, above = line.shipped_marks.get((key[0], key[1]), (1, set()))
    return key[2] < low or key[2] in above


def _forget_rack(line: LineState, rack: Rack) -> None:
    """Drop a shipped rack; remember only a low-water mark and the few shipped out of order above it."""
    del line.racks[(rack.feed, rack.family, rack.rack_no)]
    line.touched.rack((rack.feed, rack.family, rack.rack_no))
    line.labels.pop(rack.label_id, None)
    low, above = line.shipped_marks.get((rack.feed, rack.family), (1, set()))
    above.add(rack.rack_no)
    while low in above:
        above.discard(low)
        low += 1
    line.shipped_marks[(rack.feed, rack.family)] = (low, above)


def _forget_vehicles(line: LineState, feed: Feed, rack: Rack) -> None:
    """Vehicles of a shipped rack whose every family has shipped leave the state, with their picks."""
    first = (rack.rack_no - 1) * rack.capacity
    for position in range(first, first + rack.capacity):
        vehicle = feed.vehicles.get(position)
        if vehicle is None or vehicle.status not in VEHICLE_DONE:
            continue
        if not all(rack_of(line, feed, f, position).shipped for f in line.families):
            continue
        for pick_id in vehicle.picks:
            pick = line.picks.pop(pick_id)
            line.labels.pop(pick.label_id, None)
            scan = line.scans.pop(pick_id, None)
            if scan is not None and scan.serial:
                line.serials.pop((scan.part, scan.serial), None)
        del feed.vehicles[position]
        line.vehicles_forgotten[vehicle.status] += 1
        if feed.position_of.get(vehicle.vehicle_id) == position:
            del feed.position_of[vehicle.vehicle_id]
