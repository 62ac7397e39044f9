"""The sequencer: one door, ``handle(event) -> commands``.

Assembled from rule sets, each in its own module: ``feeds`` (where a broadcast belongs), ``picking`` (stations
and picks), ``racks`` (slots, closing, shipping, due times), ``vehicles`` (change, cancel, hold, release) and
``manual`` (a person's intents). This module holds the door, the event table and the device and label rules.

Rules of the room: no I/O, no clock, no randomness; time comes in each event's ``at``. A refused event raises
``SequencerError`` and leaves the state as it was (every check runs before the first change). Replaying the
same events gives the same state (``fingerprint`` proves it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from sequencer.base import SequencerError
from sequencer.commands import Command
from sequencer.events import (
    MANUAL_OPS,
    BinConfirmed,
    BroadcastReceived,
    BroadcastRejected,
    DeviceLinkChanged,
    Event,
    LabelPrinted,
    LabelSending,
    LabelUncertain,
    PrinterFaultChanged,
    RackShipped,
    Tick,
)
from sequencer.feeds import FeedRules
from sequencer.labels import PartLabel
from sequencer.manual import ManualRules
from sequencer.picking import PickRules
from sequencer.plant import PlantConfig
from sequencer.racks import RackRules
from sequencer.vehicles import VehicleRules

__all__ = ["Sequencer", "SequencerError"]


class Sequencer(ManualRules, VehicleRules, FeedRules, PickRules, RackRules):
    def __init__(self, plant: PlantConfig) -> None:
        super().__init__(plant)
        self._handlers: dict[type[Any], Callable[[Any], list[Command]]] = {
            BroadcastReceived: self._on_broadcast,
            BroadcastRejected: self._on_rejected,
            BinConfirmed: self._on_confirm,
            LabelPrinted: self._on_label_printed,
            LabelSending: self._on_label_sending,
            LabelUncertain: self._on_label_uncertain,
            DeviceLinkChanged: self._on_link,
            PrinterFaultChanged: self._on_printer_fault,
            RackShipped: self._on_shipped,
            Tick: self._on_tick,
            **dict.fromkeys(MANUAL_OPS, self._on_manual),
        }

    def handle(self, event: Event) -> list[Command]:
        handler = self._handlers.get(type(event))
        if handler is None:
            raise SequencerError(f"unknown event type {type(event).__name__}")
        previous = self.last_at
        self.last_at = max(self.last_at, event.at)
        try:
            commands = handler(event)
        except SequencerError:
            self.last_at = previous
            raise
        self.events_handled += 1
        return commands

    def pending_labels(self) -> list[Any]:
        """Labels asked for and not yet reported printed, oldest first (to queue again after a restart)."""
        return list(self.unprinted.values())

    def label_left(self, label_id: str) -> bool:
        """Whether a driver journaled this label's current reprint as leaving for its printer (``LabelSending``):
        after a restart such a label may have printed; one that never left is sent again safely."""
        command = self.unprinted.get(label_id)
        return command is not None and self.sending.get(label_id, -1) >= command.label.reprint

    # -- time ------------------------------------------------------------------------------------------------
    def _on_tick(self, e: Tick) -> list[Command]:
        return (
            self.deviations.expire_shelving(e.at)
            + self._check_silence(e.at)
            + self._check_pick_timeouts(e.at)
            + self._check_due(e.at)
        )

    # -- labels ----------------------------------------------------------------------------------------------
    def _on_label_printed(self, e: LabelPrinted) -> list[Command]:
        target = self.labels.get(e.label_id)
        if target is None:
            raise SequencerError(f"printed label {e.label_id!r} was never asked for")
        self.sending.pop(e.label_id, None)
        if self.unprinted.pop(e.label_id, None) is None:
            return []  # reported twice (e.g. after a reconnect), or uncertain: printed once, counted once
        return self._labelled(e.label_id, e.at)

    def _on_label_sending(self, e: LabelSending) -> list[Command]:
        """Refused (the driver drops the job) for a label no longer waiting to print: printed, uncertain, or a
        reprint number that is not the one asked for."""
        command = self.unprinted.get(e.label_id)
        if command is None or command.label.reprint != e.reprint:
            raise SequencerError(f"label {e.label_id!r} reprint {e.reprint} is not waiting to print")
        self.sending[e.label_id] = e.reprint
        return []

    def _labelled(self, label_id: str, at: float) -> list[Command]:
        """The label is on its part or rack: the printer said so, or a person found it after an uncertain job."""
        target = self.labels[label_id]
        self.labels_printed += 1
        if isinstance(target, tuple):
            self.racks[target].labelled = True
            return []
        pick = self.picks[target]
        pick.labelled = True
        return self._check_complete(self.feeds[pick.feed].vehicles[pick.position], at)

    def _on_label_uncertain(self, e: LabelUncertain) -> list[Command]:
        """Never resent on its own (a second label in a JIS rack is a mis-sequence): a person decides."""
        if e.label_id not in self.labels:
            raise SequencerError(f"uncertain label {e.label_id!r} was never asked for")
        command = self.unprinted.pop(e.label_id, None)
        self.sending.pop(e.label_id, None)
        if command is None:
            return []  # printed meanwhile, or uncertain already: one deviation is enough
        label = command.label
        seq = label.seq if isinstance(label, PartLabel) else None
        message = f"label {e.label_id} may or may not have printed ({e.reason}): check it, then reprint or resolve"
        raised = self.deviations.raise_("label_uncertain", e.at, message, feed=label.feed, seq=seq)
        self.uncertain[e.label_id] = self.deviations.newest_id
        return raised

    # -- devices and bad input -------------------------------------------------------------------------------
    def _on_link(self, e: DeviceLinkChanged) -> list[Command]:
        if e.up:
            self.devices_down.discard(e.device)
            return self._device_ok(e.device, e.at)
        self.devices_down.add(e.device)
        return self._device_fault(e.device, "device_offline", e.at, f"{e.device} offline: {e.detail}")

    def _on_printer_fault(self, e: PrinterFaultChanged) -> list[Command]:
        if not e.faults:
            return self._device_ok(e.device, e.at)
        return self._device_fault(e.device, "printer_fault", e.at, f"{e.device}: {', '.join(e.faults)}")

    def _device_fault(self, device: str, kind: str, at: float, message: str) -> list[Command]:
        if device in self.device_faults:
            return []
        raised = self.deviations.raise_(kind, at, message, station=device)
        self.device_faults[device] = self.deviations.newest_id
        return raised

    def _device_ok(self, device: str, at: float) -> list[Command]:
        dev_id = self.device_faults.pop(device, None)
        return self.deviations.clear(dev_id, at) if dev_id is not None else []

    def _on_rejected(self, e: BroadcastRejected) -> list[Command]:
        kind = "unknown_feed" if e.feed and e.feed not in self.feeds else "malformed"
        message = f"quarantined #{e.quarantine_id}: {e.reason}"
        return self.deviations.raise_(kind, e.at, message, feed=e.feed, seq=e.seq)

    # -- replay proof ----------------------------------------------------------------------------------------
    def fingerprint(self) -> str:
        """A digest of the whole state: two cores that saw the same events have the same fingerprint."""
        h = hashlib.sha256()
        for part in (
            sorted((k, repr(f)) for k, f in self.feeds.items()),
            sorted(repr(p) for p in self.picks.values()),
            sorted((repr(k), repr(r)) for k, r in self.racks.items()),
            sorted(repr(d) for d in self.deviations.by_id.values()),
            sorted(self.deviations.counts.items()),
            sorted((k, repr(s.queue), s.lit, s.blocked_by, s.timeout_dev) for k, s in self.stations.items()),
            sorted(self.unprinted),
            sorted(self.uncertain.items()),
            sorted(self.sending.items()),
            sorted(self.confirm_counters.items()),
            (self.vehicles_completed, self.racks_completed, self.labels_printed, self.events_handled),
        ):
            h.update(repr(part).encode())
        return h.hexdigest()
