"""Manual operations: intents from a person (who and why), checked, carried out and audited.

``MANUAL_RULES`` is the table from intent type to the function that carries it out. Each function checks
everything first and raises ``SequencerError`` before changing anything, so a refused operation leaves the state
as it was (the service audits refusals too); what a vehicle intent may do in the vehicle's status is the
vehicle table's answer (``sequencer.lifecycle.vehicle_may``). Every operation that is carried out ends with one
``AuditRecord``.

Uses every other rule module (the ship notices' too). What it must not do: decide who may do what (roles are the
service's business).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sequencer.alarms import AlarmAction
from sequencer.commands import AuditRecord, Command, PrintLabel, RequestResend
from sequencer.deviations import DeviationError
from sequencer.events import (
    AcknowledgeAlarm,
    BroadcastReceived,
    CancelShipNotice,
    CancelVehicle,
    ConfirmByHand,
    CorrectShippedRack,
    HoldVehicle,
    InsertBroadcast,
    ManualOp,
    MoveVehicle,
    PartScanned,
    ReleaseVehicle,
    RemoveAlarmFromService,
    ReprintLabel,
    RequestResendByHand,
    ResendShipNotice,
    ResolveDeviation,
    ReturnAlarmToService,
    ScanPart,
    SetBinStock,
    SetLineStatus,
    ShelveAlarm,
    ShipRackByHand,
    SuppressAlarm,
    SwapVehicles,
    UnsuppressAlarm,
)
from sequencer.labels import Label
from sequencer.lifecycle import VehicleMove, vehicle_may
from sequencer.rules import feeds, notices, picking, racks, scanning, stock, vehicles
from sequencer.rules import line as oem_line
from sequencer.rules.labelling import labelled
from sequencer.sentences import say
from sequencer.seqnum import unwrap
from sequencer.state import Feed, LabelTarget, LineState, SequencerError, Vehicle

Done = tuple[str, list[Command]]  # (what the audit record names as the target, the commands)


def on_manual(line: LineState, op: ManualOp) -> list[Command]:
    if not op.user.strip():
        raise SequencerError(f"{type(op).__name__}: a manual operation needs a user")
    if not op.reason.strip() and not isinstance(op, AcknowledgeAlarm):
        raise SequencerError(f"{type(op).__name__}: a manual operation needs a reason")
    target, commands = MANUAL_RULES[type(op)](line, op)
    return [*commands, _audit(op, target)]


def _audit(op: ManualOp, target: str, result: str = "done") -> AuditRecord:
    return AuditRecord(at=op.at, user=op.user, action=type(op).__name__, target=target, reason=op.reason, result=result)


# -- vehicles -------------------------------------------------------------------------------------------------
def _known_feed(line: LineState, feed_id: str) -> Feed:
    feed = line.feeds.get(feed_id)
    if feed is None:
        raise SequencerError(f"unknown feed {feed_id!r}")
    return feed


def _find_vehicle(line: LineState, feed_id: str, seq: int) -> tuple[Feed, Vehicle]:
    feed = _known_feed(line, feed_id)
    if feed.last_seq is None:
        raise SequencerError(f"{feed_id}: no broadcast yet")
    position = unwrap(feed.last_seq, feed.last_position, seq % feed.cfg.modulus, feed.cfg.modulus)
    vehicle = feed.vehicles.get(position)
    if vehicle is None or vehicle.seq != seq:
        raise SequencerError(f"{feed_id}: no vehicle at sequence {seq}")
    return feed, vehicle


def _vehicle_that_may(line: LineState, feed_id: str, seq: int, move: VehicleMove) -> tuple[Feed, Vehicle]:
    """The vehicle, if the vehicle table lets it ``move`` from its status now."""
    feed, vehicle = _find_vehicle(line, feed_id, seq)
    if not vehicle_may(vehicle, move):
        raise SequencerError(f"{feed_id} {seq}: vehicle is {vehicle.status}")
    return feed, vehicle


def _unpicked(line: LineState, v: Vehicle) -> None:
    if any(line.picks[p].status == "picked" for p in v.picks):
        raise SequencerError(f"{v.feed} {v.seq}: already picked; cancel it instead (parts go back to stock)")


def hold(line: LineState, op: HoldVehicle) -> Done:
    _, v = _vehicle_that_may(line, op.feed, op.seq, VehicleMove.HOLD)
    return f"{op.feed} {op.seq}", vehicles.hold(line, v, op.at)


def release(line: LineState, op: ReleaseVehicle) -> Done:
    _, v = _vehicle_that_may(line, op.feed, op.seq, VehicleMove.RELEASE)
    return f"{op.feed} {op.seq}", vehicles.release(line, v, op.at)


def cancel(line: LineState, op: CancelVehicle) -> Done:
    feed, v = _vehicle_that_may(line, op.feed, op.seq, VehicleMove.CANCEL)
    return f"{op.feed} {op.seq}", vehicles.cancel(line, feed, v, op.at)


def move(line: LineState, op: MoveVehicle) -> Done:
    """Cancel the vehicle at its place and build it again at a free one (blank, cancelled or missing)."""
    feed, v = _vehicle_that_may(line, op.feed, op.seq, VehicleMove.CANCEL)
    _unpicked(line, v)
    assert feed.last_seq is not None
    target = unwrap(feed.last_seq, feed.last_position, op.to_seq % feed.cfg.modulus, feed.cfg.modulus)
    there = feed.vehicles.get(target)
    if target not in feed.missing and (there is None or there.status != "cancelled") and target <= feed.last_position:
        raise SequencerError(f"{op.feed} {op.to_seq}: that place is taken")
    if target > feed.last_position:
        raise SequencerError(f"{op.feed} {op.to_seq}: that number has not been broadcast yet")
    commands = vehicles.cancel(line, feed, v, op.at)
    commands += feeds.fill_gap(line, feed, target, op.at)
    commands += _place(line, feed, v, target, op.at)
    return f"{op.feed} {op.seq} -> {op.to_seq}", commands


def swap(line: LineState, op: SwapVehicles) -> Done:
    """Two vehicles not yet picked exchange their places."""
    if op.seq == op.other_seq:
        raise SequencerError(f"{op.feed} {op.seq}: a vehicle cannot swap with itself")
    feed, a = _vehicle_that_may(line, op.feed, op.seq, VehicleMove.CANCEL)
    _, b = _vehicle_that_may(line, op.feed, op.other_seq, VehicleMove.CANCEL)
    _unpicked(line, a)
    _unpicked(line, b)
    commands = vehicles.vacate(line, feed, a, op.at) + vehicles.vacate(line, feed, b, op.at)
    commands += _place(line, feed, a, b.position, op.at) + _place(line, feed, b, a.position, op.at)
    return f"{op.feed} {op.seq} <-> {op.other_seq}", commands


def _place(line: LineState, feed: Feed, old: Vehicle, position: int, at: float) -> list[Command]:
    """Build ``old``'s content again at another position (a move or a swap)."""
    options, parts, quantities = vehicles.content_parts(old.content)
    new = Vehicle(
        feed=feed.cfg.id,
        seq=feed.seq_at(position),
        position=position,
        vehicle_id=old.vehicle_id,
        content=old.content,
        at=at,
        due_at=old.due_at,
    )
    feed.vehicles[position] = new
    feed.position_of[new.vehicle_id] = position
    return picking.accept(line, feed, new, options, parts, quantities)


# -- the feed -------------------------------------------------------------------------------------------------
def insert(line: LineState, op: InsertBroadcast) -> Done:
    """Emergency mode: a broadcast keyed in by hand goes where a broadcast from the feed would. A person is not held
    to the plausible window: keying in the number the OEM really jumped to is how a lead moves the feed there."""
    _known_feed(line, op.feed)
    event = BroadcastReceived(
        at=op.at, feed=op.feed, seq=op.seq, vehicle_id=op.vehicle_id, options=op.options, parts=op.parts
    )
    return f"{op.feed} {op.seq}", feeds.on_broadcast(line, event, by_hand=True)


def resend(line: LineState, op: RequestResendByHand) -> Done:
    _known_feed(line, op.feed)
    return f"{op.feed} {op.from_seq}..{op.to_seq}", [
        RequestResend(feed=op.feed, from_seq=op.from_seq, to_seq=op.to_seq)
    ]


# -- stations, labels and racks -------------------------------------------------------------------------------
def confirm(line: LineState, op: ConfirmByHand) -> Done:
    """A lead confirms the lit pick at a station whose device failed."""
    station = line.stations.get(op.station)
    if station is None or station.lit is None:
        raise SequencerError(f"station {op.station}: nothing lit to confirm")
    if station.blocked_by is not None:
        raise SequencerError(f"station {op.station}: blocked by a wrong pick; resolve it first")
    pick = line.picks[station.lit]
    commands = line.deviations.raise_(
        "manual_confirm",
        op.at,
        say("manual_confirm", station=op.station, bin=pick.bin, user=op.user, reason=op.reason),
        feed=pick.feed,
        seq=pick.seq,
        station=op.station,
    )
    return f"{op.station} {pick.bin}", commands + picking.picked(line, station, pick, op.at)


def scan(line: LineState, op: ScanPart) -> Done:
    """An operator's hand scanner read a code at the panel: what a reader's read does (``scanning.on_scan``)."""
    if op.station not in line.stations:
        raise SequencerError(f"station {op.station}: no such station")
    if not 0 < len(op.code) <= 512:
        raise SequencerError(f"station {op.station}: a scan of {len(op.code)} characters (1 to 512)")
    read = PartScanned(
        at=op.at, station=op.station, code=op.code, raw=op.code.encode().hex(), source=f"wedge:{op.user}"
    )
    return f"{op.station} {op.code[:60]}", scanning.on_scan(line, read)


def reprint(line: LineState, op: ReprintLabel) -> Done:
    """A label printed (or maybe printed) once is printed again, marked "REPRINT n"; never on its own."""
    target = line.labels.get(op.label_id)
    if target is None:
        raise SequencerError(f"label {op.label_id!r} was never printed")
    if op.label_id in line.unprinted:
        raise SequencerError(f"label {op.label_id!r} is still waiting for the printer")
    original = _label_data(line, target)
    count = line.label_reprints.get(op.label_id, 0) + 1
    line.label_reprints[op.label_id] = count
    label = replace(original, reprint=count)
    printer = line.stations[line.families[label.family].station].cfg.printer
    line.ask_label(PrintLabel(printer=printer, label=label), target)
    uncertain = line.uncertain.pop(op.label_id, None)  # the person checked and chose to reprint
    commands = line.deviations.clear(uncertain, op.at) if uncertain is not None else []
    commands += line.deviations.raise_("reprint", op.at, say("reprint", label=op.label_id, count=count, user=op.user))
    return op.label_id, [*commands, line.unprinted[op.label_id]]


def _label_data(line: LineState, target: LabelTarget) -> Label:
    if isinstance(target, int):
        return picking.part_label(line, line.picks[target])
    feed, family, rack_no = target
    return racks.rack_label(line, line.feeds[feed], line.racks[(feed, family, rack_no)])


def ship(line: LineState, op: ShipRackByHand) -> Done:
    """The rack ships by hand, as a dock scan would ship it (its notice too, with ``[ship_notices]``)."""
    commands = notices.ship(line, op.feed, op.family, op.rack_no, op.at, op.user)
    return f"rack {op.feed}/{op.family}/{op.rack_no}", commands


def cancel_notice(line: LineState, op: CancelShipNotice) -> Done:
    return f"ship notice {notices.notice_id(op.feed, op.family, op.rack_no)}", notices.cancel(line, op)


def send_notice_again(line: LineState, op: ResendShipNotice) -> Done:
    return f"ship notice {notices.notice_id(op.feed, op.family, op.rack_no)}", notices.send_again(line, op)


def correct_shipped(line: LineState, op: CorrectShippedRack) -> Done:
    target = f"ship notice {notices.notice_id(op.feed, op.family, op.rack_no)} slot {op.slot}"
    return target, notices.correct(line, op)


def set_bin_stock(line: LineState, op: SetBinStock) -> Done:
    """A lead counted or filled a bin by hand."""
    was = stock.kept(line, op.bin).qty
    return f"bin {op.bin} {was} -> {op.qty}", stock.set_stock(line, op.bin, op.qty, op.at)


# -- deviations -----------------------------------------------------------------------------------------------
def resolve(line: LineState, op: ResolveDeviation) -> Done:
    """A person fixed the cause: what the deviation held up goes on (a blocked station, a blocked slot, a gap
    given up, an uncertain label found on its part), and the deviation closes."""
    dev = line.deviations.by_id.get(op.deviation_id)
    if dev is None:
        raise SequencerError(f"deviation {op.deviation_id} is not open")
    commands: list[Command] = []
    for station in line.stations.values():
        if station.blocked_by == dev.deviation_id:
            commands += picking.unblock(line, station, op.at)
    for feed in line.feeds.values():
        commands += _resolve_in_feed(line, feed, dev.deviation_id, op.at)
    for label_id in [k for k, d in line.uncertain.items() if d == dev.deviation_id]:
        del line.uncertain[label_id]  # the person found the uncertain label on its part or rack
        commands += labelled(line, label_id, op.at)
    commands += line.deviations.resolve(dev.deviation_id, op.at, op.user, op.reason)
    return f"deviation {op.deviation_id} ({dev.kind})", commands


def _resolve_in_feed(line: LineState, feed: Feed, dev_id: int, at: float) -> list[Command]:
    """A lead gives up on missing numbers or an unresolvable part: those slots are shipped blank. A part of a
    family the plant does not build (the OEM named it) blocks only its vehicle's completion: there is no slot."""
    commands: list[Command] = []
    for position in [p for p, d in feed.missing.items() if d == dev_id]:
        del feed.missing[position]
        feed.given_up.add(position)  # its broadcast, should it come after all, is late (feeds._behind)
        commands += racks.blank_slots(line, feed, position)
    for vehicle in feed.vehicles.values():
        for family in [f for f, d in vehicle.blocked.items() if d == dev_id]:
            del vehicle.blocked[family]
            if family in line.families:  # a family the plant does not build (named by the OEM) has no slot
                line.blank_by_hand.add((feed.cfg.id, family, vehicle.position))  # the rack leaves short
                commands += racks.slot_done(line, feed, family, vehicle.position, blank=True)
            commands += vehicles.check_complete(line, vehicle, at)
    return commands


def acknowledge(line: LineState, op: AcknowledgeAlarm) -> Done:
    return f"deviation {op.deviation_id}", _alarm(line, op.deviation_id, AlarmAction.ACK, op)


def shelve(line: LineState, op: ShelveAlarm) -> Done:
    if op.until <= op.at:
        raise SequencerError("shelving needs an expiry in the future")
    commands = _alarm(line, op.deviation_id, AlarmAction.SHELVE, op, until=op.until)
    return f"deviation {op.deviation_id} until {op.until:.0f}", commands


# ISA-18.2: suppressed by design and out of service are a person's, each until a person ends it; what each
# may do in the alarm's state is the alarm table's answer (``sequencer.alarms``)
def suppress(line: LineState, op: SuppressAlarm) -> Done:
    return f"deviation {op.deviation_id}", _alarm(line, op.deviation_id, AlarmAction.SUPPRESS, op)


def unsuppress(line: LineState, op: UnsuppressAlarm) -> Done:
    return f"deviation {op.deviation_id}", _alarm(line, op.deviation_id, AlarmAction.UNSUPPRESS, op)


def remove_from_service(line: LineState, op: RemoveAlarmFromService) -> Done:
    return f"deviation {op.deviation_id}", _alarm(line, op.deviation_id, AlarmAction.REMOVE_FROM_SERVICE, op)


def return_to_service(line: LineState, op: ReturnAlarmToService) -> Done:
    return f"deviation {op.deviation_id}", _alarm(line, op.deviation_id, AlarmAction.RETURN_TO_SERVICE, op)


def _alarm(line: LineState, dev_id: int, action: AlarmAction, op: ManualOp, until: float = 0.0) -> list[Command]:
    try:
        line.deviations.check(dev_id, action)
    except DeviationError as exc:
        raise SequencerError(str(exc)) from exc
    return line.deviations.act(dev_id, action, op.at, op.user, until=until)


MANUAL_RULES: dict[type[ManualOp], Callable[[LineState, Any], Done]] = {
    HoldVehicle: hold,
    ReleaseVehicle: release,
    CancelVehicle: cancel,
    MoveVehicle: move,
    SwapVehicles: swap,
    InsertBroadcast: insert,
    RequestResendByHand: resend,
    ReprintLabel: reprint,
    ConfirmByHand: confirm,
    ResolveDeviation: resolve,
    AcknowledgeAlarm: acknowledge,
    ShelveAlarm: shelve,
    ShipRackByHand: ship,
    SuppressAlarm: suppress,
    UnsuppressAlarm: unsuppress,
    RemoveAlarmFromService: remove_from_service,
    ReturnAlarmToService: return_to_service,
    CancelShipNotice: cancel_notice,
    CorrectShippedRack: correct_shipped,
    ResendShipNotice: send_notice_again,
    SetBinStock: set_bin_stock,
    SetLineStatus: oem_line.set_by_hand,
    ScanPart: scan,
}
