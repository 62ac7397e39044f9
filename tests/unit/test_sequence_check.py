"""``SequenceCheck`` (app.service), the independent check behind ``out_of_sequence`` and ``doubled``: with its
memory bounded it must count exactly what a check keeping every label counts, for any stream whose late labels
stay within the open window (racks ship long before), and it must stay bounded however long the line runs."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from app.service.sequence_check import SequenceCheck
from sequencer.labels import PartLabel
from tests.plants import demo_plant

PLANT = demo_plant()
FEED = PLANT.feeds[0]
FAMILY = PLANT.families[0]


def part_label(n: int, seq: int, rack_no: int, slot: int, reprint: int = 0) -> PartLabel:
    return PartLabel(
        label_id=f"P{n}",
        feed=FEED.id,
        seq=seq % FEED.modulus,
        vehicle_id=f"V{n:08d}",
        part="X",
        description="x",
        family=FAMILY.id,
        rack_no=rack_no,
        slot=slot,
        plant="P",
        reprint=reprint,
    )


def reference(labels: list[PartLabel]) -> tuple[int, int]:
    """(out of sequence, doubled) keeping every label: the definition the bounded check must meet."""
    sent: set[tuple[str, int]] = set()
    placed, doubled = [], 0
    for label in labels:
        if (label.label_id, label.reprint) in sent:
            doubled += 1
            continue
        sent.add((label.label_id, label.reprint))
        if not label.reprint:
            rank = FAMILY.rack_capacity - label.slot + 1 if FAMILY.reverse_load else label.slot
            placed.append((label.seq, label.rack_no, rank))  # seqs below stay inside one lap of the ring
    slots = [(rack, rank) for _, rack, rank in sorted(placed)]
    return sum(1 for a, b in pairwise(slots) if b <= a), doubled


@st.composite
def streams(draw: st.DrawFn) -> list[PartLabel]:
    """Vehicles in sequence onto racks slot by slot, with local swaps (a late label), slot mix-ups, resends and
    reprints; every lateness stays far inside the open window."""
    n = draw(st.integers(1, 400))
    cap = FAMILY.rack_capacity
    labels = [part_label(i, 1 + i, 1 + i // cap, 1 + i % cap) for i in range(n)]
    for _ in range(draw(st.integers(0, 8))):
        i = draw(st.integers(0, n - 1))
        j = min(n - 1, i + draw(st.integers(1, 5)))
        labels[i], labels[j] = labels[j], labels[i]  # printed out of order (the check sorts by seq)
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, n - 1))
        old = labels[i]
        labels[i] = part_label(int(old.label_id[1:]), old.seq, old.rack_no, draw(st.integers(1, cap)))  # wrong slot
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, n - 1))
        labels.insert(i + 1, labels[i])  # sent twice
        labels.insert(i + 1, part_label(int(labels[i].label_id[1:]), labels[i].seq, 1, 1, reprint=1))
    return labels


@settings(max_examples=200, deadline=None)
@given(streams(), st.integers(12, 40))  # half the window (6+) outlasts the latest label (5)
def test_the_bounded_check_counts_what_keeping_every_label_counts(labels: list[PartLabel], keep: int) -> None:
    check = SequenceCheck(PLANT, keep=keep, keep_sent=max(keep, 50))
    for label in labels:
        check.label(label)
    assert (check.out_of_sequence, check.doubled) == reference(labels)


def test_memory_stays_bounded_over_a_long_run() -> None:
    check = SequenceCheck(PLANT, keep=100, keep_sent=300)
    cap = FAMILY.rack_capacity
    for i in range(20_000):
        check.label(part_label(i, 1 + i, 1 + i // cap, 1 + i % cap))
    assert check.part_labels == 20_000 and check.out_of_sequence == 0 and check.doubled == 0
    assert len(check._sent) <= 300
    assert all(len(placed) <= 100 for placed in check._placed.values())
    check.label(part_label(20_000, 20_001, 1, 1))  # a label into an old rack's first slot: out of sequence
    assert check.out_of_sequence == 1
