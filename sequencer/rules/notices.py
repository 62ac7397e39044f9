"""Ship-notice rules: a rack shipped (by hand or by a dock scan of its label) is announced to the OEM, and the OEM's
answer is tracked (docs/ship-notices.md).

With ``[ship_notices]`` in the plant file, shipping a rack asks for its notice (``SendShipNotice``): the rack's
parts in slot order with their vehicles, sequence numbers and label serials, taken before the rack is forgotten.
A notice's life is a table (``NOTICE_MOVES``): asked for (``due``) -> journaled as leaving (``sent``,
``ShipNoticeSending``) -> ``acknowledged`` or ``rejected`` by the OEM (``ShipNoticeAnswered``). No answer within
``ack_timeout_s`` plant seconds raises ``notice_unanswered`` (cleared by the answer); a rejection raises
``notice_rejected`` (cleared when a later version is acknowledged, or by a person). A new version of the same
document follows three intents of a lead: the shipment called off (``CancelShipNotice``: BGM 1 = cancel; scanning or
shipping the rack again later sends a new original, BGM 9) and a shipped rack changed after it left
(``CorrectShippedRack``: BGM 5 = replace, with what the rack holds now); a notice the OEM rejected, or left
unanswered past ``ack_timeout_s``, sent again (``ResendShipNotice``: the same function and contents, a new version).
An answer for an older version is refused:
only the newest version's answer counts.

Bounded: acknowledged notices are kept up to ``keep_answered`` (the newest), so a correction can still name what
was sent; the unanswered and the rejected are kept until answered or replaced.

Each change a screen sees is noted in ``line.touched`` (the cockpit's ship notice list, ``sequencer.pictures``).
Uses the rack rules. What it must not do: build the partner's message (``app.feed.outbound`` does) or send it.
"""

from __future__ import annotations

from dataclasses import replace

from sequencer.commands import Command, NoticeFunction, NoticeItem, SendShipNotice
from sequencer.events import (
    CancelShipNotice,
    CorrectShippedRack,
    RackLabelScanned,
    RackShipped,
    ResendShipNotice,
    ShipNoticeAnswered,
    ShipNoticeSending,
)
from sequencer.rules import racks
from sequencer.sentences import say
from sequencer.state import LineState, Notice, NoticeState, Rack, SequencerError

# What may happen to a notice in each state: (from, what happened) -> to
NOTICE_MOVES: dict[tuple[NoticeState, str], NoticeState] = {
    ("due", "sending"): "sent",
    ("due", "accepted"): "acknowledged",  # an answer overtook its own write-ahead row (a restart between them)
    ("due", "refused"): "rejected",
    ("sent", "sending"): "sent",  # sent again after a restart
    ("sent", "accepted"): "acknowledged",
    ("sent", "refused"): "rejected",
    ("acknowledged", "reissued"): "due",
    ("rejected", "reissued"): "due",
    ("due", "reissued"): "due",
    ("sent", "reissued"): "due",
}


def notice_id(feed: str, family: str, rack_no: int) -> str:
    """The notice's document number (DESADV BGM 1004, VDA 4913 delivery note): one per rack, kept across versions."""
    return f"{feed}-{family}-{rack_no}"


def _move(line: LineState, notice: Notice, happened: str) -> None:
    to = NOTICE_MOVES.get((notice.state, happened))
    if to is None:
        raise SequencerError(f"ship notice {notice.notice_id}: cannot be {happened} while {notice.state}")
    notice.state = to
    line.touched.notice(notice.notice_id)


# -- a rack ships -----------------------------------------------------------------------------------------------
def on_shipped(line: LineState, e: RackShipped) -> list[Command]:
    return ship(line, e.feed, e.family, e.rack_no, e.at, e.user)


def on_scanned(line: LineState, e: RackLabelScanned) -> list[Command]:
    """The dock scanned a rack label (its label id, or its serial with or without the data identifier 5J): the rack
    it is on ships."""
    target = line.labels.get(e.label_id) or _rack_of_serial(line, e.label_id.removeprefix("5J"))
    if isinstance(target, tuple):
        return ship(line, *target, e.at, "")
    scanned = (e.label_id, e.label_id.removeprefix("5J"))
    called_off = next((n for n in line.notices.values() if n.rack_label in scanned), None)
    if called_off is not None:
        return ship(line, called_off.feed, called_off.family, called_off.rack_no, e.at, "")
    raise SequencerError(f"label {e.label_id!r} is not the label of a rack on the line")


def _rack_of_serial(line: LineState, serial: str) -> tuple[str, str, int] | None:
    if not serial:
        return None
    rack = next((r for r in line.racks.values() if r.serial == serial), None)
    return (rack.feed, rack.family, rack.rack_no) if rack is not None else None


def ship(line: LineState, feed: str, family: str, rack_no: int, at: float, user: str) -> list[Command]:
    """The rack ships (its due alarms clear, it may be forgotten) and, with ``[ship_notices]``, its notice is asked
    for; a rack whose notice was called off ships again with a new original."""
    nid = notice_id(feed, family, rack_no)
    called_off = line.notices.get(nid)
    if called_off is not None and called_off.function == "cancel":
        shipment = line.shipments.get(feed, family, rack_no)
        if shipment is not None:  # it leaves again: the OEM gets it now
            shipment.shipped_at, shipment.called_off = at, False
        return _issue(line, called_off, "original", called_off.items, at)
    rack = line.racks.get((feed, family, rack_no))
    items = _items(line, rack) if rack is not None else ()
    commands = racks.on_shipped(line, RackShipped(at=at, feed=feed, family=family, rack_no=rack_no, user=user))
    if line.plant.ship_notices is None or rack is None:
        return commands
    line.notice_counts["numbered"] += 1
    notice = Notice(
        notice_id=nid,
        number=line.notice_counts["numbered"],
        feed=feed,
        family=family,
        rack_no=rack_no,
        rack_label=rack.serial or rack.label_id,  # the serial goods receipt scans (GTL 5J); the id without one
        shipped_at=at,
        items=items,
    )
    line.notices[nid] = notice
    commands += _issue(line, notice, "original", items, at)
    return commands


def _items(line: LineState, rack: Rack) -> tuple[NoticeItem, ...]:
    """The parts in the rack, in slot order (blank slots left out)."""
    feed = line.feeds[rack.feed]
    first = (rack.rack_no - 1) * rack.capacity
    items: list[NoticeItem] = []
    for position in range(first, first + rack.capacity):
        vehicle = feed.vehicles.get(position)
        for pick_id in vehicle.picks if vehicle is not None else ():
            pick = line.picks[pick_id]
            if pick.family != rack.family or pick.status != "picked":
                continue
            part = line.plant.part(pick.part)
            scan = line.scans.get(pick.pick_id)
            items.append(
                NoticeItem(
                    slot=pick.slot,
                    seq=pick.seq,
                    vehicle_id=pick.vehicle_id,
                    part=pick.part,
                    qty=pick.qty,
                    unit=part.unit if part is not None else "PCE",
                    label_id=pick.serial or pick.label_id,  # the serial on its label (GTL 1J); the id without one
                    scanned_serial=scan.serial if scan is not None else "",
                    scanned_batch=scan.batch if scan is not None else "",
                )
            )
    return tuple(sorted(items, key=lambda i: i.slot))


def _issue(
    line: LineState, notice: Notice, function: NoticeFunction, items: tuple[NoticeItem, ...], at: float
) -> list[Command]:
    """A new version of the notice is asked for; its answer is awaited from now."""
    line.touched.notice(notice.notice_id)
    if notice.version:
        _move(line, notice, "reissued")
    line.answered.pop(notice.notice_id, None)
    line.unanswered.pop(notice.notice_id, None)
    line.unanswered[notice.notice_id] = None
    commands: list[Command] = []
    if notice.unanswered_dev is not None:  # the earlier version's answer no longer counts
        commands += line.deviations.clear(notice.unanswered_dev, at)
        notice.unanswered_dev = None
    notice.version += 1
    notice.function = function
    notice.items = items
    notice.issued_at = at
    notice.reason = ""
    line.notice_counts["issued"] += 1
    _note(line, notice)
    return [*commands, command_of(line, notice)]


def _note(line: LineState, notice: Notice) -> None:
    """The rack's shipment (``sequencer.shipments``) follows its notice: state, version, overdue, the OEM's reason."""
    shipment = line.shipments.get(notice.feed, notice.family, notice.rack_no)
    if shipment is None:
        return
    shipment.notice_id = notice.notice_id
    shipment.notice_state = notice.state
    shipment.notice_version = notice.version
    shipment.notice_overdue = notice.unanswered_dev is not None
    shipment.notice_reason = notice.reason
    shipment.called_off = notice.function == "cancel"


def command_of(line: LineState, notice: Notice) -> SendShipNotice:
    """What the service needs to build and send the notice's newest version."""
    feed_cfg = line.feeds[notice.feed].cfg
    return SendShipNotice(
        notice_id=notice.notice_id,
        number=notice.number,
        version=notice.version,
        function=notice.function,
        feed=notice.feed,
        family=notice.family,
        rack_no=notice.rack_no,
        rack_label=notice.rack_label,
        shipped_at=notice.shipped_at,
        issued_at=notice.issued_at,
        plant=line.plant.plant.code,
        line=feed_cfg.line,
        dock=feed_cfg.dock,
        items=notice.items,
    )


def unanswered(line: LineState) -> list[SendShipNotice]:
    """The notices the OEM has not answered, oldest first: after a restart each is sent (again: the same version
    builds the same bytes, and the OEM's answer is taken once per version)."""
    return [command_of(line, line.notices[n]) for n in line.unanswered]


# -- the notice leaves, and is answered -------------------------------------------------------------------------
def _current(line: LineState, nid: str, version: int) -> Notice:
    notice = line.notices.get(nid)
    if notice is None:
        raise SequencerError(f"ship notice {nid} is not awaited")
    if version != notice.version:
        raise SequencerError(f"ship notice {nid}: version {version} is not the newest ({notice.version})")
    return notice


def on_sending(line: LineState, e: ShipNoticeSending) -> list[Command]:
    notice = _current(line, e.notice_id, e.version)
    _move(line, notice, "sending")
    line.notice_counts["sent"] += 1
    _note(line, notice)
    return []


def on_answered(line: LineState, e: ShipNoticeAnswered) -> list[Command]:
    """The OEM took the notice (its rejection alarm, if an earlier version had one, clears) or refused it."""
    notice = _current(line, e.notice_id, e.version)
    _move(line, notice, "accepted" if e.accepted else "refused")  # notes it touched: its state, reason and alarms
    line.unanswered.pop(notice.notice_id, None)
    commands: list[Command] = []
    if notice.unanswered_dev is not None:
        commands += line.deviations.clear(notice.unanswered_dev, e.at)
        notice.unanswered_dev = None
    if e.accepted:
        line.notice_counts["acknowledged"] += 1
        if notice.rejected_dev is not None:
            commands += line.deviations.clear(notice.rejected_dev, e.at)
            notice.rejected_dev = None
        line.answered[notice.notice_id] = None
        _note(line, notice)
        _forget_answered(line)
        return commands
    line.notice_counts["rejected"] += 1
    notice.reason = e.reason
    _note(line, notice)
    shipment = line.shipments.get(notice.feed, notice.family, notice.rack_no)
    if shipment is not None:
        shipment.rejections += 1
    if notice.rejected_dev is None or notice.rejected_dev not in line.deviations.by_id:
        commands += line.deviations.raise_(
            "notice_rejected",
            e.at,
            say("notice_rejected", notice=notice.notice_id, version=notice.version, reason=e.reason)
            if e.reason
            else say("notice_rejected_no_reason", notice=notice.notice_id, version=notice.version),
            feed=notice.feed,
        )
        notice.rejected_dev = line.deviations.newest_id
    return commands


def _forget_answered(line: LineState) -> None:
    cfg = line.plant.ship_notices
    keep = cfg.keep_answered if cfg is not None else 0
    while len(line.answered) > keep:
        oldest = next(iter(line.answered))
        del line.answered[oldest]
        del line.notices[oldest]
        line.touched.notice(oldest)


def check_unanswered(line: LineState, at: float) -> list[Command]:
    """Notices the OEM has not answered within ``ack_timeout_s``: one ``notice_unanswered`` each (oldest first; the
    scan stops at the first one not yet due, as they are in the order they were issued)."""
    cfg = line.plant.ship_notices
    if cfg is None or not line.unanswered:
        return []
    commands: list[Command] = []
    for nid in line.unanswered:
        notice = line.notices[nid]
        if at < notice.issued_at + cfg.ack_timeout_s:
            break
        if notice.unanswered_dev is not None:
            continue
        line.notice_counts["overdue"] += 1
        line.touched.notice(nid)
        commands += line.deviations.raise_(
            "notice_unanswered",
            at,
            say("notice_unanswered", notice=nid, version=notice.version, seconds=cfg.ack_timeout_s),
            feed=notice.feed,
        )
        notice.unanswered_dev = line.deviations.newest_id
        _note(line, notice)
    return commands


# -- a lead's corrections ---------------------------------------------------------------------------------------
def _shipped_notice(line: LineState, feed: str, family: str, rack_no: int) -> Notice:
    notice = line.notices.get(notice_id(feed, family, rack_no))
    if notice is None:
        raise SequencerError(f"rack {feed}/{family}/{rack_no}: no ship notice kept for it")
    return notice


def cancel(line: LineState, op: CancelShipNotice) -> list[Command]:
    """The shipment is called off: the notice is cancelled (BGM 1)."""
    notice = _shipped_notice(line, op.feed, op.family, op.rack_no)
    if notice.function == "cancel":
        raise SequencerError(f"ship notice {notice.notice_id} is cancelled already")
    return _issue(line, notice, "cancel", notice.items, op.at)


def correct(line: LineState, op: CorrectShippedRack) -> list[Command]:
    """The rack changed after it shipped: the notice is replaced (BGM 5) with the slot as it is now."""
    notice = _shipped_notice(line, op.feed, op.family, op.rack_no)
    if notice.function == "cancel":
        raise SequencerError(f"ship notice {notice.notice_id} is cancelled: ship the rack again instead")
    item = next((i for i in notice.items if i.slot == op.slot), None)
    if item is None:
        raise SequencerError(f"rack {op.feed}/{op.family}/{op.rack_no}: slot {op.slot} shipped empty")
    if not op.part:
        items = tuple(i for i in notice.items if i.slot != op.slot)
    else:
        part = line.plant.part(op.part)
        if part is None or part.family != op.family:
            raise SequencerError(f"part {op.part!r} is not a part of family {op.family}")
        if part.number == item.part:
            raise SequencerError(f"slot {op.slot} holds {op.part} already: nothing to correct")
        items = tuple(replace(i, part=part.number, unit=part.unit) if i.slot == op.slot else i for i in notice.items)
    shipment = line.shipments.get(op.feed, op.family, op.rack_no)
    if shipment is not None:  # what left was not what the OEM needed in that slot
        if op.part:
            shipment.replaced += 1
        else:
            shipment.removed += 1
    return _issue(line, notice, "replace", items, op.at)


def send_again(line: LineState, op: ResendShipNotice) -> list[Command]:
    """A rejected notice, or one unanswered past the time-out, is sent again as a new version (same function and
    contents); one acknowledged, or still within its time-out, is not (the OEM has it, or may still answer)."""
    notice = _shipped_notice(line, op.feed, op.family, op.rack_no)
    if notice.state == "acknowledged":
        raise SequencerError(f"ship notice {notice.notice_id} v{notice.version} is acknowledged: nothing to send")
    if notice.state in ("due", "sent") and notice.unanswered_dev is None:
        raise SequencerError(
            f"ship notice {notice.notice_id} v{notice.version} is awaiting its answer: send it again once the OEM "
            "rejects it or the time-out passes"
        )
    return _issue(line, notice, notice.function, notice.items, op.at)
