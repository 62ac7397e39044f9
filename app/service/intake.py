"""The service's intake: broadcasts from the feed link, refused input kept in quarantine, and a quarantined
message re-processed after a fix (a lead's operation). Part of ``app.service.runtime.Service``.

The feed link hands over every broadcast waiting at once (``accept_many``). Each is decoded and checked for a
known feed, then queued for the sequencing task (journal first, ``Service._enqueue``); the feed link sends its
ACK only once it is committed. Anything undecodable or for an unknown feed is kept with its reason and raw
bytes, shown as a deviation, and answered "quarantined": nothing is dropped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from app.feed.protocol import Ack, BadBroadcast, BroadcastMessage, decode_broadcast
from app.persist.store import Store
from sequencer.core import SequencerError
from sequencer.events import BroadcastReceived, BroadcastRejected, Event
from sequencer.plant import PlantConfig

log = logging.getLogger("app.service.runtime")


class Intake:
    """Mixed into ``Service``; uses its clock, store, writer thread and sequencing path."""

    plant: PlantConfig
    clock: Callable[[], float]
    store: Store
    writer: ThreadPoolExecutor
    quarantined: int
    _received: dict[tuple[str, int], float]
    _feed_ids: frozenset[str]

    def _enqueue(self, event: Event, raw: bytes | None) -> asyncio.Future[tuple[Any, bool]]:
        raise NotImplementedError

    async def submit(self, event: Event, raw: bytes | None = None) -> Any:
        raise NotImplementedError

    async def accept(self, raw: bytes) -> Ack:
        """One broadcast (a re-processed quarantine); the feed link hands them over in batches (``accept_many``)."""
        (answer,) = await self.accept_many([raw])
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def accept_many(self, raws: list[bytes]) -> Awaitable[list[Ack | BaseException]]:
        """Called by the feed link with every broadcast waiting, in arrival order. Each is decoded and handed to
        the sequencing task before this returns (so the order is kept); the awaitable gives each one's ACK once
        it is committed, or the exception that kept it from being stored (then no ACK goes out)."""
        answers: list[tuple[BroadcastMessage, asyncio.Future[tuple[Any, bool]]] | Awaitable[Ack]] = []
        for raw in raws:
            try:
                msg = decode_broadcast(raw)
            except BadBroadcast as exc:
                answers.append(asyncio.ensure_future(self._quarantine(raw, str(exc), "feed")))
                continue
            if msg.feed not in self._feed_ids:
                reason = f"unknown feed {msg.feed!r}"
                answers.append(asyncio.ensure_future(self._quarantine(raw, reason, "feed", feed=msg.feed, seq=msg.seq)))
                continue
            self._received.setdefault((msg.feed, msg.seq), time.monotonic())
            answers.append((msg, self._enqueue(broadcast_event(msg, self.clock()), raw)))
        return _acks(answers)

    async def reprocess(self, quarantine_id: int) -> tuple[bool, str]:
        """Feed a quarantined message through the intake again, after a fix (master data, mapping).

        Still bad: refused with today's reason and left held (no second quarantine row). Good: accepted like a
        fresh broadcast and the row marked reprocessed. (ok, message)
        """
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(self.writer, self.store.quarantined_one, quarantine_id)
        if found is None:
            return False, f"no quarantined message #{quarantine_id}"
        held, status = found
        if status != "held":
            return False, f"quarantined message #{quarantine_id} is already {status}"
        try:
            msg = decode_broadcast(held.raw)
        except BadBroadcast as exc:
            return False, f"still not a valid broadcast: {exc}"
        if msg.feed not in self._feed_ids:
            return False, f"still for an unknown feed {msg.feed!r}"
        ack = await self.accept(held.raw)
        await loop.run_in_executor(self.writer, self.store.mark_quarantine, quarantine_id, "reprocessed")
        return True, f"{msg.feed} {msg.seq}: {ack.status}"

    async def reject_frames(self, frames: list[bytes], reason: str) -> None:
        await self._quarantine(b"\x00".join(frames), reason, "feed")

    async def _quarantine(self, raw: bytes, reason: str, source: str, feed: str = "", seq: int | None = None) -> Ack:
        """Keep refused input with its reason and raw bytes, show it as a deviation, and answer the sender."""
        at = self.clock()
        qid = await asyncio.get_running_loop().run_in_executor(
            self.writer, self.store.quarantine, at, source, reason, raw
        )
        self.quarantined += 1
        log.error("quarantined #%d from %s: %s", qid, source, reason)
        await self.submit(BroadcastRejected(at=at, reason=reason, feed=feed, seq=seq, quarantine_id=qid))
        return Ack(feed=feed, seq=seq, status="quarantined", reason=reason)


def broadcast_event(msg: BroadcastMessage, at: float) -> BroadcastReceived:
    """The core's event for a decoded broadcast, received at ``at``."""
    return BroadcastReceived(
        at=at,
        feed=msg.feed,
        seq=msg.seq,
        vehicle_id=msg.vehicle_id,
        function=msg.function,
        firm=msg.firm,
        options=tuple(msg.options),
        parts=tuple(sorted(msg.parts.items())),
        sent_at=msg.sent_at,
    )


async def _acks(
    answers: list[tuple[BroadcastMessage, asyncio.Future[tuple[Any, bool]]] | Awaitable[Ack]],
) -> list[Ack | BaseException]:
    """Each broadcast's ACK once committed (one coroutine for the batch, not a task each). A refusal by the core
    is journaled and kept, so it is acknowledged; an exception (not stored) is handed back instead."""
    acks: list[Ack | BaseException] = []
    for answer in answers:
        try:
            if not isinstance(answer, tuple):
                acks.append(await answer)  # a quarantine
                continue
            msg, sequenced = answer
            try:
                _, duplicate = await sequenced
            except SequencerError as exc:  # logged and visible in the journal; the gateway must not resend it
                log.error("broadcast refused by the sequencer: %s", exc)
                duplicate = False
            acks.append(Ack(feed=msg.feed, seq=msg.seq, status="duplicate" if duplicate else "accepted"))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            acks.append(exc)
    return acks
