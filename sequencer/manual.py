"""Manual operations: intents from a person (who and why), checked, carried out and audited.

Each handler checks everything first and raises ``SequencerError`` before changing anything, so a refused
operation leaves the state as it was (the service audits refusals too). Every operation that is carried out
ends with one ``AuditRecord``. Which role may do what is the service's business, not the core's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sequencer.alarms import AlarmAction
from sequencer.base import CoreBase, SequencerError
from sequencer.commands import AuditRecord, Command, PrintLabel, RequestResend
from sequencer.deviations import DeviationError
from sequencer.events import (
    AcknowledgeAlarm,
    BroadcastReceived,
    CancelVehicle,
    ConfirmByHand,
    HoldVehicle,
    InsertBroadcast,
    ManualOp,
    MoveVehicle,
    RackShipped,
    ReleaseVehicle,
    ReprintLabel,
    RequestResendByHand,
    ResolveDeviation,
    ShelveAlarm,
    ShipRackByHand,
    SwapVehicles,
)
from sequencer.labels import PartLabel, RackLabel
from sequencer.seqnum import unwrap
from sequencer.state import Feed, Vehicle


def _audit(op: ManualOp, target: str, result: str = "done") -> AuditRecord:
    return AuditRecord(at=op.at, user=op.user, action=type(op).__name__, target=target, reason=op.reason, result=result)


class ManualRules(CoreBase):
    def _on_manual(self, op: ManualOp) -> list[Command]:
        if not op.user.strip():
            raise SequencerError(f"{type(op).__name__}: a manual operation needs a user")
        if not op.reason.strip() and not isinstance(op, AcknowledgeAlarm):
            raise SequencerError(f"{type(op).__name__}: a manual operation needs a reason")
        handler: Callable[[Any], tuple[str, list[Command]]] = getattr(self, MANUAL_HANDLERS[type(op)])
        target, commands = handler(op)
        return [*commands, _audit(op, target)]

    def _open_vehicle(
        self, feed_id: str, seq: int, allowed: tuple[str, ...] = ("open", "held")
    ) -> tuple[Feed, Vehicle]:
        feed, vehicle = self._vehicle(feed_id, seq)
        if vehicle.status not in allowed:
            raise SequencerError(f"{feed_id} {seq}: vehicle is {vehicle.status}")
        return feed, vehicle

    def _op_hold(self, op: HoldVehicle) -> tuple[str, list[Command]]:
        _, v = self._open_vehicle(op.feed, op.seq, ("open",))
        return f"{op.feed} {op.seq}", self._hold(v, op.at)

    def _op_release(self, op: ReleaseVehicle) -> tuple[str, list[Command]]:
        _, v = self._open_vehicle(op.feed, op.seq, ("held",))
        return f"{op.feed} {op.seq}", self._release(v, op.at)

    def _op_cancel(self, op: CancelVehicle) -> tuple[str, list[Command]]:
        feed, v = self._open_vehicle(op.feed, op.seq)
        return f"{op.feed} {op.seq}", self._cancel_vehicle(feed, v, op.at)

    def _unpicked(self, v: Vehicle) -> None:
        if any(self.picks[p].status == "picked" for p in v.picks):
            raise SequencerError(f"{v.feed} {v.seq}: already picked; cancel it instead (parts go back to stock)")

    def _op_move(self, op: MoveVehicle) -> tuple[str, list[Command]]:
        feed, v = self._open_vehicle(op.feed, op.seq)
        self._unpicked(v)
        assert feed.last_seq is not None
        target = unwrap(feed.last_seq, feed.last_position, op.to_seq % feed.cfg.modulus, feed.cfg.modulus)
        there = feed.vehicles.get(target)
        if (
            target not in feed.missing
            and (there is None or there.status != "cancelled")
            and target <= feed.last_position
        ):
            raise SequencerError(f"{op.feed} {op.to_seq}: that place is taken")
        if target > feed.last_position:
            raise SequencerError(f"{op.feed} {op.to_seq}: that number has not been broadcast yet")
        commands = self._cancel_vehicle(feed, v, op.at)
        if target in feed.missing:
            dev_id = feed.missing.pop(target)
            if dev_id not in feed.missing.values():
                commands += self.deviations.clear(dev_id, op.at)
        commands += self._place(feed, v, target, op.at)
        return f"{op.feed} {op.seq} -> {op.to_seq}", commands

    def _place(self, feed: Feed, old: Vehicle, position: int, at: float) -> list[Command]:
        """Build ``old``'s content again at another position (a move or a swap)."""
        _, options, parts = old.content
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
        return self._accept(feed, new, options, parts)  # type: ignore[arg-type]

    def _op_swap(self, op: SwapVehicles) -> tuple[str, list[Command]]:
        if op.seq == op.other_seq:
            raise SequencerError(f"{op.feed} {op.seq}: a vehicle cannot swap with itself")
        feed, a = self._open_vehicle(op.feed, op.seq)
        _, b = self._open_vehicle(op.feed, op.other_seq)
        self._unpicked(a)
        self._unpicked(b)
        commands = self._vacate(feed, a, op.at) + self._vacate(feed, b, op.at)
        commands += self._place(feed, a, b.position, op.at) + self._place(feed, b, a.position, op.at)
        return f"{op.feed} {op.seq} <-> {op.other_seq}", commands

    def _op_insert(self, op: InsertBroadcast) -> tuple[str, list[Command]]:
        if op.feed not in self.feeds:
            raise SequencerError(f"unknown feed {op.feed!r}")
        event = BroadcastReceived(
            at=op.at, feed=op.feed, seq=op.seq, vehicle_id=op.vehicle_id, options=op.options, parts=op.parts
        )
        return f"{op.feed} {op.seq}", self._on_broadcast(event)

    def _op_resend(self, op: RequestResendByHand) -> tuple[str, list[Command]]:
        if op.feed not in self.feeds:
            raise SequencerError(f"unknown feed {op.feed!r}")
        return f"{op.feed} {op.from_seq}..{op.to_seq}", [
            RequestResend(feed=op.feed, from_seq=op.from_seq, to_seq=op.to_seq)
        ]

    def _op_reprint(self, op: ReprintLabel) -> tuple[str, list[Command]]:
        target = self.labels.get(op.label_id)
        if target is None:
            raise SequencerError(f"label {op.label_id!r} was never printed")
        if op.label_id in self.unprinted:
            raise SequencerError(f"label {op.label_id!r} is still waiting for the printer")
        original = self._label_data(target)
        count = self.label_reprints.get(op.label_id, 0) + 1
        self.label_reprints[op.label_id] = count
        label = _with_reprint(original, count)
        printer = self.stations[self.families[label.family].station].cfg.printer
        self._ask_label(PrintLabel(printer=printer, label=label), target)
        uncertain = self.uncertain.pop(op.label_id, None)  # the person checked and chose to reprint
        commands = self.deviations.clear(uncertain, op.at) if uncertain is not None else []
        commands += self.deviations.raise_("reprint", op.at, f"label {op.label_id} reprint {count} by {op.user}")
        return op.label_id, [*commands, self.unprinted[op.label_id]]

    def _op_confirm(self, op: ConfirmByHand) -> tuple[str, list[Command]]:
        station = self.stations.get(op.station)
        if station is None or station.lit is None:
            raise SequencerError(f"station {op.station}: nothing lit to confirm")
        if station.blocked_by is not None:
            raise SequencerError(f"station {op.station}: blocked by a wrong pick; resolve it first")
        pick = self.picks[station.lit]
        commands = self.deviations.raise_(
            "manual_confirm",
            op.at,
            f"{op.station}: {pick.bin} confirmed by hand by {op.user}: {op.reason}",
            feed=pick.feed,
            seq=pick.seq,
            station=op.station,
        )
        return f"{op.station} {pick.bin}", commands + self._picked(station, pick, op.at)

    def _op_resolve(self, op: ResolveDeviation) -> tuple[str, list[Command]]:
        dev = self.deviations.by_id.get(op.deviation_id)
        if dev is None:
            raise SequencerError(f"deviation {op.deviation_id} is not open")
        commands: list[Command] = []
        for station in self.stations.values():
            if station.blocked_by == dev.deviation_id:
                commands += self._unblock(station, op.at)
        for feed in self.feeds.values():
            commands += self._resolve_in_feed(feed, dev.deviation_id, op.at)
        for label_id in [k for k, d in self.uncertain.items() if d == dev.deviation_id]:
            del self.uncertain[label_id]  # the person found the uncertain label on its part or rack
            commands += self._labelled(label_id, op.at)
        commands += self.deviations.resolve(dev.deviation_id, op.at, op.user, op.reason)
        return f"deviation {op.deviation_id} ({dev.kind})", commands

    def _resolve_in_feed(self, feed: Feed, dev_id: int, at: float) -> list[Command]:
        """A lead gives up on missing numbers or an unresolvable part: those slots are shipped blank."""
        commands: list[Command] = []
        for position in [p for p, d in feed.missing.items() if d == dev_id]:
            del feed.missing[position]
            for family in self.families:
                commands += self._slot_done(feed, family, position, blank=True)
        for vehicle in feed.vehicles.values():
            for family in [f for f, d in vehicle.blocked.items() if d == dev_id]:
                del vehicle.blocked[family]
                commands += self._slot_done(feed, family, vehicle.position, blank=True)
                commands += self._check_complete(vehicle, at)
        return commands

    def _op_ack(self, op: AcknowledgeAlarm) -> tuple[str, list[Command]]:
        return f"deviation {op.deviation_id}", self._alarm(op.deviation_id, AlarmAction.ACK, op)

    def _op_shelve(self, op: ShelveAlarm) -> tuple[str, list[Command]]:
        if op.until <= op.at:
            raise SequencerError("shelving needs an expiry in the future")
        return f"deviation {op.deviation_id} until {op.until:.0f}", self._alarm(op.deviation_id, AlarmAction.SHELVE, op)

    def _alarm(self, dev_id: int, action: AlarmAction, op: ManualOp) -> list[Command]:
        try:
            self.deviations.check(dev_id, action)
        except DeviationError as exc:
            raise SequencerError(str(exc)) from exc
        return self.deviations.act(dev_id, action, op.at, op.user, until=getattr(op, "until", 0.0))

    def _op_ship(self, op: ShipRackByHand) -> tuple[str, list[Command]]:
        event = RackShipped(at=op.at, feed=op.feed, family=op.family, rack_no=op.rack_no, user=op.user)
        return f"rack {op.feed}/{op.family}/{op.rack_no}", self._on_shipped(event)

    def _label_data(self, target: int | tuple[str, str, int]) -> PartLabel | RackLabel:
        if isinstance(target, int):
            return self._part_label(self.picks[target])
        feed, family, rack_no = target
        return self._rack_label(self.feeds[feed], self.racks[(feed, family, rack_no)])


def _with_reprint(label: PartLabel | RackLabel, count: int) -> PartLabel | RackLabel:
    return replace(label, reprint=count)


MANUAL_HANDLERS: dict[type[ManualOp], str] = {
    HoldVehicle: "_op_hold",
    ReleaseVehicle: "_op_release",
    CancelVehicle: "_op_cancel",
    MoveVehicle: "_op_move",
    SwapVehicles: "_op_swap",
    InsertBroadcast: "_op_insert",
    RequestResendByHand: "_op_resend",
    ReprintLabel: "_op_reprint",
    ConfirmByHand: "_op_confirm",
    ResolveDeviation: "_op_resolve",
    AcknowledgeAlarm: "_op_ack",
    ShelveAlarm: "_op_shelve",
    ShipRackByHand: "_op_ship",
}
