"""The verdict of a run, from the records that do not depend on the service's beliefs: the journal and the devices.

What it is for: ``printer_records`` reads what the printer simulators say they printed; ``journal_facts`` replays
the journal from its first row into a fresh core (``app.service.replay``) and collects what a verdict needs: the
broadcasts journaled per feed, the reprints people asked for, labels the service sent twice, picks confirmed
twice, slots out of sequence, and the deviations raised by kind. ``label_doubles`` puts the two together: a label
printed twice under one reprint number, or a reprint nobody asked for, is a double. ``jis demo`` and
``jis chaos`` report from here.
What it must not do: write to the database, or trust the running service's counters where a device's own record
or the journal can say the same.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from app.persist.store import Store
from app.service.replay import Rebuilt
from sequencer.commands import PrintLabel, RaiseDeviation
from sequencer.events import MANUAL_OPS, BroadcastReceived, ReprintLabel
from sequencer.labels import PartLabel
from sequencer.plant import PlantConfig


def printer_records(path: Path) -> Counter[tuple[str, int]]:
    """(label id, reprint number) -> how many times the printer simulators printed it (their own records)."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return Counter((str(rec.get("label_id")), int(rec.get("reprint", 0))) for rec in map(json.loads, lines))


@dataclass
class JournalFacts:
    seqs: dict[str, set[int]] = field(default_factory=dict)  # feed -> sequence numbers of original broadcasts
    reprints: Counter[str] = field(default_factory=Counter)  # label id -> ReprintLabel rows
    sent_twice: int = 0  # labels the service sent twice under one reprint number (the label check)
    picks_doubled: int = 0  # picks whose confirm took effect more than once (a second part label, reprint 0)
    out_of_sequence: int = 0
    raised: Counter[str] = field(default_factory=Counter)  # deviations raised, by kind
    statuses: Counter[str] = field(default_factory=Counter)  # vehicles by status at the end
    uncertain: int = 0
    unprinted: int = 0
    rows: int = 0
    core_labels: set[str] = field(default_factory=set)
    operations: Counter[str] = field(default_factory=Counter)  # manual operations journaled, by user


def journal_facts(url: str, plant: PlantConfig) -> JournalFacts:
    """Replay the whole journal at ``url`` (no snapshot) and collect the facts a verdict needs."""
    facts = JournalFacts()
    state = Rebuilt.fresh(plant)
    part_labels: Counter[str] = Counter()
    store = Store(url, migrate=False)
    try:
        for row_id, event in store.journal():
            for cmd in state.apply(row_id, event):
                if isinstance(cmd, RaiseDeviation):
                    facts.raised[cmd.kind] += 1
                elif isinstance(cmd, PrintLabel) and isinstance(cmd.label, PartLabel) and cmd.label.reprint == 0:
                    part_labels[cmd.label.label_id] += 1
            if isinstance(event, BroadcastReceived) and event.function == "original":
                facts.seqs.setdefault(event.feed, set()).add(event.seq)
            elif isinstance(event, ReprintLabel):
                facts.reprints[event.label_id] += 1
            if isinstance(event, MANUAL_OPS):
                facts.operations[event.user] += 1
    finally:
        store.close()
    core = state.core
    facts.sent_twice = state.check.doubled
    facts.picks_doubled = sum(1 for n in part_labels.values() if n > 1)
    facts.out_of_sequence = state.check.out_of_sequence
    facts.statuses = Counter(core.vehicle_statuses())
    facts.uncertain, facts.unprinted = len(core.state.uncertain), len(core.state.unprinted)
    facts.rows = state.last_id
    facts.core_labels = set(part_labels)
    return facts


def label_doubles(printed: Counter[tuple[str, int]], reprints: Counter[str]) -> tuple[int, int]:
    """(extra prints of one label under one reprint number, reprints printed that nobody asked for)."""
    twice = sum(n - 1 for n in printed.values() if n > 1)
    unasked = sum(1 for label_id, reprint in printed if reprint > reprints[label_id])
    return twice, unasked


def expected_seqs(plant: PlantConfig, feed_id: str, generated: int) -> set[int]:
    """The sequence numbers an OEM simulator gave its first ``generated`` vehicles (it counts up from start_seq)."""
    feed = plant.feed(feed_id)
    assert feed is not None
    start = plant.simulation.start_seq % feed.modulus
    return {(start + i) % feed.modulus for i in range(generated)}
