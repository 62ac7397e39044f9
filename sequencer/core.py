"""The sequencer: one door, ``handle(event) -> commands``, over one state (``Sequencer.state``).

``EVENT_RULES`` is the table from event type to the rule that handles it; the rules live in ``sequencer.rules``,
one module per idea, each using only the ones below it:
racks, stock <- picking <- vehicles <- feeds <- labelling <- manual (and devices, on its own).
This module adds time passing (``Tick``), the replay proof (``fingerprint``) and the few questions the service
asks after a restart (which labels to send again, which lights to show).

Rules of the room: no I/O, no clock, no randomness; time comes in each event's ``at``. A refused event raises
``SequencerError`` and leaves the state as it was (every check runs before the first change). Replaying the
same events gives the same state, in any process (``fingerprint`` proves it).
What it must not do: hold a rule itself; anything that decides belongs in ``sequencer.rules``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from typing import Any

from sequencer.commands import Command, LightBin, PrintLabel, SendShipNotice, ShowBinStock
from sequencer.events import (
    BinConfirmed,
    BroadcastReceived,
    BroadcastRejected,
    DeviceLinkChanged,
    DiskSpaceChanged,
    Event,
    GatewayRefused,
    JournalWriteChanged,
    LabelPrinted,
    LabelSending,
    LabelSerialsReserved,
    LabelUncertain,
    LineStatusReported,
    PrinterFaultChanged,
    QuarantineFlood,
    RackLabelScanned,
    RackShipped,
    ShipNoticeAnswered,
    ShipNoticeSending,
    StockSet,
    Tick,
)
from sequencer.plant import PlantConfig
from sequencer.rules import devices, feeds, gtl, labelling, manual, notices, picking, racks, stock
from sequencer.rules import line as oem_line
from sequencer.state import LineState, SequencerError

__all__ = ["EVENT_RULES", "Sequencer", "SequencerError"]


def on_tick(line: LineState, e: Tick) -> list[Command]:
    """Time passes: shelving expires, devices' alarm delays run out, and silence, time-outs and lateness are
    noticed without reading a clock; a bin low from the start is called for."""
    return (
        line.deviations.expire_shelving(e.at)
        + line.alarm_points.advance(e.at)
        + line.floods.advance(e.at)
        + feeds.check_silence(line, e.at)
        + picking.check_pick_timeouts(line, e.at)
        + racks.check_due(line, e.at)
        + notices.check_unanswered(line, e.at)
        + stock.settle(line, e.at)
    )


EVENT_RULES: dict[type[Any], Callable[[LineState, Any], list[Command]]] = {
    BroadcastReceived: feeds.on_broadcast,
    BroadcastRejected: feeds.on_rejected,
    GatewayRefused: feeds.on_gateway_refused,
    QuarantineFlood: feeds.on_flood,
    BinConfirmed: picking.on_confirm,
    LabelPrinted: labelling.on_printed,
    LabelSending: labelling.on_sending,
    LabelUncertain: labelling.on_uncertain,
    LabelSerialsReserved: gtl.on_serials,
    DeviceLinkChanged: devices.on_link,
    PrinterFaultChanged: devices.on_printer_fault,
    JournalWriteChanged: devices.on_journal,
    DiskSpaceChanged: devices.on_disk_space,
    RackShipped: notices.on_shipped,
    RackLabelScanned: notices.on_scanned,
    ShipNoticeSending: notices.on_sending,
    ShipNoticeAnswered: notices.on_answered,
    StockSet: stock.on_stock_set,
    LineStatusReported: oem_line.on_status,
    Tick: on_tick,
    **dict.fromkeys(manual.MANUAL_RULES, manual.on_manual),
}


class Sequencer:
    """The core: its state, and the one door that changes it."""

    def __init__(self, plant: PlantConfig) -> None:
        self.state = LineState(plant)

    def handle(self, event: Event) -> list[Command]:
        rule = EVENT_RULES.get(type(event))
        if rule is None:
            raise SequencerError(f"unknown event type {type(event).__name__}")
        line = self.state
        previous = line.last_at
        line.last_at = max(line.last_at, event.at)
        try:
            commands = rule(line, event)
        except SequencerError:
            line.last_at = previous
            raise
        line.events_handled += 1
        return commands

    # -- what the service asks after a restart ------------------------------------------------------------------
    def pending_labels(self) -> list[PrintLabel]:
        """Labels asked for and not yet reported printed, oldest first (to queue again after a restart)."""
        return labelling.pending_labels(self.state)

    def label_left(self, label_id: str) -> bool:
        """Whether this label's current reprint was journaled as leaving for its printer (``LabelSending``)."""
        return labelling.label_left(self.state, label_id)

    def lit_commands(self) -> list[LightBin]:
        """What the stations' lights show now, red where a wrong pick blocked the slot."""
        return picking.lit_commands(self.state)

    def low_bins(self) -> list[ShowBinStock]:
        """The bins low on stock now, as the lights show them (a restart shows them again)."""
        return stock.low_bins(self.state)

    def implausible(self, event: BroadcastReceived) -> str:
        """Why the feed refuses this broadcast now as implausible, far outside its plausible window ("" if it does
        not); changes nothing (the service answers a repeat of a refused broadcast with it)."""
        return feeds.implausible(self.state, event)

    def notices_unanswered(self) -> list[SendShipNotice]:
        """Ship notices the OEM has not answered (to send again after a restart), oldest first."""
        return notices.unanswered(self.state)

    def vehicle_statuses(self) -> Counter[str]:
        """How many vehicles are in each status, the ones already forgotten after shipping included."""
        line = self.state
        held = Counter(v.status for f in line.feeds.values() for v in f.vehicles.values())
        return held + line.vehicles_forgotten

    # -- replay proof ---------------------------------------------------------------------------------------
    def fingerprint(self) -> str:
        """A digest of the whole state: two cores that saw the same events have the same fingerprint."""
        line = self.state
        h = hashlib.sha256()
        parts: list[object] = [
            sorted((k, repr(f)) for k, f in line.feeds.items()),
            sorted(repr(p) for p in line.picks.values()),
            sorted((repr(k), repr(r)) for k, r in line.racks.items()),
            sorted(repr(d) for d in line.deviations.by_id.values()),
            sorted(line.deviations.counts.items()),
            sorted((k, repr(s.queue), s.lit, s.blocked_by, s.timeout_dev) for k, s in line.stations.items()),
            sorted(line.unprinted),
            sorted(line.uncertain.items()),
            sorted(line.sending.items()),
            sorted(line.confirm_counters.items()),
            (line.vehicles_completed, line.racks_completed, line.labels_printed, line.events_handled),
        ]
        # The alarm points only while one is watched: a state that never saw a device's condition keeps the
        # fingerprint it had before there were points (tests/samples/core_golden.json).
        if line.alarm_points.points:
            parts.append(sorted((repr(k), repr(p)) for k, p in line.alarm_points.points.items()))
        if line.floods.sources:  # the same: only while a source's refusals are watched
            parts.append(sorted((k, repr(f)) for k, f in line.floods.sources.items()))
        for part in parts:
            h.update(repr(part).encode())
        # State added after the golden streams were recorded is hashed only when it holds something, so a stream
        # that never uses it keeps its recorded fingerprints (tests/unit/test_core_golden.py).
        if line.notices:  # ship notices, with [ship_notices] only
            h.update(repr(sorted((k, repr(n)) for k, n in line.notices.items())).encode())
        if line.serial_last:  # label serials, once the service reserved a block (sequencer.rules.gtl)
            h.update(repr((line.serial_next, line.serial_last)).encode())
        if line.stock:  # bin stock, with a bin's capacity in the plant file only
            h.update(repr(sorted((k, repr(b)) for k, b in line.stock.items())).encode())
            h.update(repr((sorted(line.station_picks.items()), sorted(line.starving.items()))).encode())
        given_up = sorted((k, sorted(f.given_up)) for k, f in line.feeds.items() if f.given_up)
        if given_up:
            h.update(repr(given_up).encode())
        oem_lines = sorted((k, f.line_status()) for k, f in line.feeds.items() if f.line_status())
        if oem_lines:  # the OEM lines' reported state (sequencer.rules.line)
            h.update(repr(oem_lines).encode())
        return h.hexdigest()
