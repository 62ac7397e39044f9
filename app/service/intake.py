"""The service's intake: what happens when a broadcast arrives. Part of ``app.service.runtime.Service``.

A broadcast's way, start to end:
  1. The feed link (``app.feed.link``, the ZeroMQ ROUTER) hands over every broadcast waiting at once:
     ``Intake.accept_many``.
  2. Each is decoded and checked for a known feed; its receive time is noted for the latency figures, and it is
     queued for the sequencing task as a ``BroadcastReceived`` with its identity (``broadcast_identity``: the
     gateway's message id, else feed, sequence number and content digest; ``app.service.sequencing``): committed
     to the journal, then handed to the core. One whose identity the journal holds already (a resend, a
     re-import) is a repeat: answered "duplicate" and counted (``duplicates``), never handed to the core again.
  3. The core answers with commands (light the bin, ask for a resend of a gap, raise a deviation, ...), which
     the service carries out (``Service.carry_out`` in ``app.service.runtime``).
  4. Only then does the feed link send the ACK (``_acks``): persist before acknowledge.
Anything undecodable (too large or too deep included: ``app.feed.protocol`` refuses those before parsing), for an
unknown feed, numbered outside the feed's ring (0..modulus-1) or, with CURVE, sent by a gateway the plant file does
not allow to publish its feed (``[[feeds]] gateway_keys``, checked against the sender's key the feed link gives:
a ``GatewayRefused`` event, an ``unauthorised`` deviation) is kept in quarantine with its reason and raw bytes,
shown as a deviation, and answered "quarantined": nothing is dropped, nothing of it applied; the same message again
is answered "duplicate" (reason "quarantined before"), not kept or shown twice. These are the rules that need no
state, so they are refused before the core, and before the journal's identities: a copy of a journaled broadcast
from a gateway that may not publish its feed is refused as unauthorised, never answered as a duplicate. The
plausible window around the feed's position needs the feed's state, so it is the core's
(``sequencer.rules.feeds``): a broadcast it refuses is journaled like any event and answered "refused", never
"accepted", and so is a repeat of it while it is still outside the window. A lead may send a quarantined message
through again after a fix (``reprocess``); that goes in without a sender, so a lead can let through what a gateway
check held.

Bounded (``[service.quarantine]``, ``app.service.quarantine_bounds``): a row keeps at most ``keep_bytes`` of a frame,
with its whole size and SHA-256; one source (a gateway's key with CURVE, else the feed link) adds at most
``rows_per_source`` rows and ``bytes_per_source`` bytes a window, past which its frames are only counted (answered
"quarantined", the reason saying so) and, once the window is over, summed up in one row and one ``QuarantineFlood``
for the core's flood alarm (``flush_floods``, on every tick); ``prune`` applies the retention.

What it must not do: hand the core an event itself (only through the sequencing path, journal first), or
acknowledge anything that is not stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

from app.feed.protocol import (
    QUARANTINED_BEFORE,
    Ack,
    BadBroadcast,
    BroadcastMessage,
    broadcast_identity,
    decode_broadcast,
    raw_identity,
)
from app.persist.store import Store
from app.service.latency import LightLatency
from app.service.quarantine_bounds import Budget, kept
from app.service.sequencing import Outcome, Sequencing
from sequencer.core import SequencerError
from sequencer.events import BroadcastReceived, BroadcastRejected, GatewayRefused, QuarantineFlood
from sequencer.plant import PlantConfig

log = logging.getLogger("app.service.runtime")  # the service's log name, kept from before its parts were split


class Intake:
    """Broadcasts in, refused input into quarantine; ``quarantined`` counts what was kept there."""

    def __init__(
        self,
        plant: PlantConfig,
        *,
        clock: Callable[[], float],
        store: Store,
        writer: ThreadPoolExecutor,
        sequencing: Sequencing,
        latency: LightLatency,
        publishers: Mapping[str, frozenset[bytes]] | None = None,
    ) -> None:
        self.clock = clock
        self.store = store
        self.writer = writer
        self.sequencing = sequencing
        self.latency = latency
        self.quarantined = 0
        self.duplicates: Counter[str] = Counter()  # per feed: repeats of what the journal holds, answered duplicate
        self._holding: dict[str, asyncio.Future[Ack]] = {}  # identity -> its quarantine under way
        self._modulus = {f.id: f.modulus for f in plant.feeds}
        self._feed_ids = frozenset(self._modulus)
        self._publishers = publishers  # feed -> the Z85 keys of the gateways that may publish it (CURVE)
        self.bounds = plant.service.quarantine
        self.budget = Budget(self.bounds)  # rows and bytes per source and window; beyond: counted
        self.pruned = 0  # rows pruned by the retention (the metrics)

    def count_quarantined(self) -> None:
        """On start (on the writer thread): what the quarantine already holds."""
        self.quarantined = self.store.quarantine_count()

    async def accept(self, raw: bytes) -> Ack:
        """One broadcast (a re-processed quarantine); the feed link hands them over in batches (``accept_many``)."""
        (answer,) = await self.accept_many([raw])
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def accept_many(
        self, raws: list[bytes], *, gateways: list[bytes] | None = None
    ) -> Awaitable[list[Ack | BaseException]]:
        """Called by the feed link with every broadcast waiting, in arrival order (with CURVE, ``gateways``: each
        one's sender's key). Each is decoded and handed to the sequencing task before this returns (so the order
        is kept); the awaitable gives each one's ACK once it is committed, or the exception that kept it from being
        stored (then no ACK goes out)."""
        answers: list[tuple[BroadcastMessage, asyncio.Future[Outcome]] | Awaitable[Ack]] = []
        for i, raw in enumerate(raws):
            try:
                msg = decode_broadcast(raw)
            except BadBroadcast as exc:
                sender = gateways[i] if gateways is not None else None
                answers.append(asyncio.ensure_future(self.quarantine(raw, str(exc), "feed", sender=sender)))
                continue
            gateway = gateways[i] if gateways is not None else None
            if reason := self._refusal(msg):
                refused = self.quarantine(raw, reason, "feed", msg.feed, msg.seq, broadcast_identity(msg))
                answers.append(asyncio.ensure_future(refused))
                continue
            if gateway is not None and not self._may_publish(gateway, msg.feed):
                reason = f"gateway key {gateway.decode()} may not publish feed {msg.feed} (not among its gateway_keys)"
                named = broadcast_identity(msg)
                refused = self.quarantine(raw, reason, "feed", msg.feed, msg.seq, named, gateway=gateway)
                answers.append(asyncio.ensure_future(refused))
                continue
            self.latency.broadcast_received(msg.feed, msg.seq)
            event = broadcast_event(msg, self.clock())
            answers.append((msg, self.sequencing.enqueue(event, raw, broadcast_identity(msg))))
        return _acks(answers, self.duplicates)

    def _refusal(self, msg: BroadcastMessage) -> str:
        """Why a well-formed broadcast is refused before the core ("" if it is not): rules that need no state."""
        if msg.feed not in self._feed_ids:
            return f"unknown feed {msg.feed!r}"
        if msg.seq >= self._modulus[msg.feed]:
            return f"seq: {msg.seq} is outside feed {msg.feed}'s numbers, 0..{self._modulus[msg.feed] - 1}"
        return ""

    def _may_publish(self, gateway: bytes, feed: str) -> bool:
        """With CURVE and the plant file's gateway keys: the sender's key is one of the feed's gateways'."""
        return self._publishers is None or gateway in self._publishers.get(feed, frozenset())

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
        if held.detail and "kept" in held.detail:
            size = held.detail.get("size")
            return False, f"only {len(held.raw)} of its {size} bytes were kept: ask the gateway to send it again"
        if held.detail and "counted" in held.detail:
            return False, f"#{quarantine_id} is a flood's summary, not a message"
        try:
            msg = decode_broadcast(held.raw)
        except BadBroadcast as exc:
            return False, f"still not a valid broadcast: {exc}"
        if msg.feed not in self._feed_ids:
            return False, f"still for an unknown feed {msg.feed!r}"
        if reason := self._refusal(msg):
            return False, f"still refused: {reason}"
        ack = await self.accept(held.raw)
        await loop.run_in_executor(self.writer, self.store.mark_quarantine, quarantine_id, "reprocessed")
        return True, f"{msg.feed} {msg.seq}: {ack.status}"

    async def reject_frames(self, frames: list[bytes], reason: str) -> None:
        """The feed link's frames that are not a broadcast or a heartbeat: kept like any refused input."""
        await self.quarantine(b"\x00".join(frames), reason, "feed")

    async def quarantine(
        self,
        raw: bytes,
        reason: str,
        source: str,
        feed: str = "",
        seq: int | None = None,
        identity: str = "",
        *,
        gateway: bytes | None = None,
        sender: bytes | None = None,
    ) -> Ack:
        """Keep refused input with its reason and raw bytes, show it as a deviation, and answer the sender. What
        was quarantined once (``identity``: the message's, else its bytes') is answered duplicate the next time:
        not kept, not shown again. With ``gateway``, a broadcast refused because that gateway may not publish its
        feed (``GatewayRefused``); ``sender``: the key of the gateway that sent it (CURVE), its source. Past the
        source's rows or bytes in this window it is only counted (``quarantine_bounds``)."""
        who = sender or gateway
        origin = f"gateway {who.decode()}" if who else source
        keep = kept(raw, self.bounds.keep_bytes)
        if not self.budget.admit(origin, len(keep.raw), reason, self.clock()):
            return Ack(
                feed=feed, seq=seq, status="quarantined", reason=f"{reason} (counted, not stored: {origin} floods)"
            )
        # its own name as held input: the same message sent through again after a fix (``reprocess``) is new
        identity = "held/" + (identity or raw_identity(raw))
        holding = self._holding.get(identity)
        if holding is not None:  # the same message a moment ago (one batch), still being kept: once is enough
            await asyncio.shield(holding)  # stored first (or not: then neither is acknowledged)
            self.duplicates[feed] += 1
            return Ack(feed=feed, seq=seq, status="duplicate", reason=QUARANTINED_BEFORE)
        task = asyncio.ensure_future(self._hold(keep.raw, keep.detail, reason, origin, feed, seq, identity, gateway))
        self._holding[identity] = task
        task.add_done_callback(lambda _: self._holding.pop(identity, None))
        return await asyncio.shield(task)

    async def _hold(
        self,
        raw: bytes,
        detail: dict[str, object],
        reason: str,
        source: str,
        feed: str,
        seq: int | None,
        identity: str,
        gateway: bytes | None,
    ) -> Ack:
        """Quarantine once: unless the journal has this identity (then: duplicate), a row, a deviation, an ACK."""
        loop = asyncio.get_running_loop()
        if await loop.run_in_executor(self.writer, self.store.journaled, identity) is not None:
            self.duplicates[feed] += 1
            return Ack(feed=feed, seq=seq, status="duplicate", reason=QUARANTINED_BEFORE)
        at = self.clock()
        qid = await loop.run_in_executor(self.writer, self.store.quarantine, at, source, reason, raw, detail)
        self.quarantined += 1
        log.error("quarantined #%d from %s: %s", qid, source, reason)
        rejected: BroadcastRejected | GatewayRefused = (
            GatewayRefused(at=at, feed=feed, gateway=gateway.decode(), reason=reason, seq=seq, quarantine_id=qid)
            if gateway is not None
            else BroadcastRejected(at=at, reason=reason, feed=feed, seq=seq, quarantine_id=qid, source=source)
        )
        try:
            await self.sequencing.enqueue(rejected, None, identity)
        except SequencerError as exc:
            log.error("event refused by the sequencer: %s (%r)", exc, rejected)
        return Ack(feed=feed, seq=seq, status="quarantined", reason=reason)

    async def flush_floods(self, *, everything: bool = False) -> None:
        """Each source whose window is over and that was counted past its limits: one summary row and one
        ``QuarantineFlood`` for the core (``everything``: every such source now, at a stop)."""
        loop = asyncio.get_running_loop()
        for summary in self.budget.due(self.clock(), everything=everything):
            at = self.clock()
            detail: dict[str, object] = {
                "counted": summary.count,
                "bytes": summary.size,
                "since": summary.since,
                "until": summary.until,
            }
            qid = await loop.run_in_executor(
                self.writer, self.store.quarantine, at, summary.source, summary.message, b"", detail
            )
            log.error("quarantine #%d: %s", qid, summary.message)
            flood = QuarantineFlood(
                at=at,
                source=summary.source,
                count=summary.count,
                size=summary.size,
                reason=summary.reason,
                quarantine_id=qid,
            )
            try:
                await self.sequencing.enqueue(flood, None)
            except SequencerError as exc:
                log.error("event refused by the sequencer: %s (%r)", exc, flood)

    def prune(self) -> int:
        """The retention (on the writer thread): rows older than ``retention_days``, then the oldest past
        ``max_total_bytes``; how many went (also added to ``pruned``)."""
        before = self.clock() - self.bounds.retention_days * 86_400
        gone = self.store.prune_quarantine(before, self.bounds.max_total_bytes)
        self.pruned += gone
        if gone:
            log.warning(
                "quarantine: %d rows pruned (retention %g days, %d bytes)",
                gone,
                self.bounds.retention_days,
                self.bounds.max_total_bytes,
            )
        return gone


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
        quantities=tuple(sorted((family, n) for family, n in msg.qty.items() if n != 1)),
        required_at=msg.required_at,
    )


async def _acks(
    answers: list[tuple[BroadcastMessage, asyncio.Future[Outcome]] | Awaitable[Ack]], duplicates: Counter[str]
) -> list[Ack | BaseException]:
    """Each broadcast's ACK once committed (one coroutine for the batch, not a task each). A refusal by the core
    is journaled and kept, so it is acknowledged, as "refused" with the reason (never "accepted": the gateway must
    neither resend it nor believe it taken); an exception (not stored) is handed back instead. A repeat (its
    identity journaled already) is answered as the sequencing path says (duplicate, or refused again while its
    number is still implausible) and counted in ``duplicates``."""
    acks: list[Ack | BaseException] = []
    for answer in answers:
        try:
            if not isinstance(answer, tuple):
                acks.append(await answer)  # a quarantine
                continue
            msg, sequenced = answer
            try:
                outcome = await sequenced
            except SequencerError as exc:  # logged and visible in the journal; the gateway must not resend it
                log.error("broadcast refused by the sequencer: %s", exc)
                acks.append(Ack(feed=msg.feed, seq=msg.seq, status="refused", reason=str(exc)))
                continue
            if outcome.repeat_of is not None:
                duplicates[msg.feed] += 1
            acks.append(Ack(feed=msg.feed, seq=msg.seq, status=outcome.verdict, reason=outcome.reason))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            acks.append(exc)
    return acks
