"""Label rules: what the printers report about the labels the core asked for, and a label on its part.

A driver journals a label as leaving before a byte goes to the printer (``LabelSending``, write-ahead); the
printer reports it printed (``LabelPrinted``), or the link tore and no one can know (``LabelUncertain``): never
resent on its own, since a second label in a JIS rack is a mis-sequence; a person checks, then reprints it or
resolves the deviation. A part label on its part may complete its vehicle, and let its rack's label print
(``racks.rack_label_due``: a rack label waits for every part label in the rack).

Uses the vehicle rules (completion). What it must not do: ask for a label (picking and racks do, through
``LineState.ask_label``) or print one (the service's drivers do).
"""

from __future__ import annotations

from sequencer.commands import Command, PrintLabel
from sequencer.events import LabelPrinted, LabelSending, LabelUncertain
from sequencer.labels import PartLabel
from sequencer.rules.racks import rack_label_due, rack_of
from sequencer.rules.vehicles import check_complete
from sequencer.sentences import say
from sequencer.state import LineState, SequencerError


def on_printed(line: LineState, e: LabelPrinted) -> list[Command]:
    target = line.labels.get(e.label_id)
    if target is None:
        raise SequencerError(f"printed label {e.label_id!r} was never asked for")
    line.sending.pop(e.label_id, None)
    if line.unprinted.pop(e.label_id, None) is None:
        return []  # reported twice (e.g. after a reconnect), or uncertain: printed once, counted once
    return labelled(line, e.label_id, e.at)


def on_sending(line: LineState, e: LabelSending) -> list[Command]:
    """Refused (the driver drops the job) for a label no longer waiting to print: printed, uncertain, or a
    reprint number that is not the one asked for."""
    command = line.unprinted.get(e.label_id)
    if command is None or command.label.reprint != e.reprint:
        raise SequencerError(f"label {e.label_id!r} reprint {e.reprint} is not waiting to print")
    line.sending[e.label_id] = e.reprint
    return []


def on_uncertain(line: LineState, e: LabelUncertain) -> list[Command]:
    """Never resent on its own (a second label in a JIS rack is a mis-sequence): a person decides."""
    if e.label_id not in line.labels:
        raise SequencerError(f"uncertain label {e.label_id!r} was never asked for")
    command = line.unprinted.pop(e.label_id, None)
    line.sending.pop(e.label_id, None)
    if command is None:
        return []  # printed meanwhile, or uncertain already: one deviation is enough
    label = command.label
    seq = label.seq if isinstance(label, PartLabel) else None
    message = say("label_uncertain", label=e.label_id, reason=e.reason)
    raised = line.deviations.raise_("label_uncertain", e.at, message, feed=label.feed, seq=seq)
    line.uncertain[e.label_id] = line.deviations.newest_id
    return raised


def labelled(line: LineState, label_id: str, at: float) -> list[Command]:
    """The label is on its part or rack: the printer said so, or a person found it after an uncertain job."""
    target = line.labels[label_id]
    line.labels_printed += 1
    if isinstance(target, tuple):
        line.racks[target].labelled = True
        return []
    pick = line.picks[target]
    pick.labelled = True
    feed = line.feeds[pick.feed]
    rack = rack_of(line, feed, pick.family, pick.position)  # its rack's label may have waited for this one
    return check_complete(line, feed.vehicles[pick.position], at) + rack_label_due(line, feed, rack)


def pending_labels(line: LineState) -> list[PrintLabel]:
    """Labels asked for and not yet reported printed, oldest first (to queue again after a restart)."""
    return list(line.unprinted.values())


def label_left(line: LineState, label_id: str) -> bool:
    """Whether a driver journaled this label's current reprint as leaving for its printer (``LabelSending``):
    after a restart such a label may have printed; one that never left is sent again safely."""
    command = line.unprinted.get(label_id)
    return command is not None and line.sending.get(label_id, -1) >= command.label.reprint
