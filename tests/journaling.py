"""Journaling as the service's sequencing task does, for the read-model tests (``test_read_models.py``,
``test_traced_parts.py``): events in seeded batches, the read models' rows riding along in the same transaction as
the next journal rows, at most once a second, then the core and the read models taking each event."""

from __future__ import annotations

import random
from collections.abc import Callable

from app.persist.read_models import ReadModels
from app.persist.store import Store
from sequencer.core import Sequencer, SequencerError
from sequencer.events import Event

BATCH_SIZES = (1, 1, 2, 5, 40)  # events in one journal transaction: mostly few, sometimes a burst
GAPS_S = (0.05, 0.3, 1.2)  # seconds between batches: the rows ride along with some, wait for others


def journal_in_batches(
    store: Store,
    core: Sequencer,
    models: ReadModels,
    events: list[Event],
    seed: int,
    each: Callable[[Event], None] | None = None,
) -> None:
    """``events`` journaled in batches drawn with ``seed``, the rows ``models`` has due riding along; the core
    handles each (an event it refuses is journaled all the same) and ``models`` observes it; ``each(event)`` after."""
    rng, i, now = random.Random(seed), 0, 0.0
    while i < len(events):
        batch = events[i : i + rng.choice(BATCH_SIZES)]
        i += len(batch)
        now += rng.choice(GAPS_S)
        rows = models.due(now)
        ids = store.append_many([(e, None) for e in batch], rows)
        models.written(rows)
        for event, journal_id in zip(batch, ids, strict=True):
            try:
                commands = core.handle(event)
            except SequencerError:
                commands = []
            models.observe(core, journal_id, event, commands)
            if each is not None:
                each(event)
