"""The simulated OEM gateway's store-and-forward memory: no broadcast is lost before the service ACKs it.

Every broadcast is kept until it is acknowledged: first in the backlog (never transmitted, in sequence order),
then under a retransmission timer (``ack_timeout_s`` after each send, REAL seconds: a network timer), or parked
(deliberately dropped, or out of automatic retries) where only a RESEND moves it. A bounded history of bodies,
never more than one lap of the sequence ring, answers RESEND requests, also for broadcasts already acknowledged.

The sending steps take ``now`` (monotonic seconds) and use the injected ``send``, which takes the frames at once
or answers False (no service connected, or its pipe is full); a step that cannot send stops where it is, so the
order survives until the next round. Must not: own a socket, read a clock, or sleep.
"""

from __future__ import annotations

import logging
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from hardware_sims.oem_wire import BCAST

log = logging.getLogger(__name__)

Send = Callable[[list[bytes]], bool]


@dataclass
class FeedSimCounters:
    generated: int = 0  # broadcasts created, one per vehicle
    sent: int = 0  # first transmissions
    resent: int = 0  # retransmissions: ack time-outs and answers to RESEND
    duplicated: int = 0  # deliberate second copies (duplicate_next)
    dropped: int = 0  # deliberately never sent (drop_next), kept for RESEND
    acked: int = 0  # broadcasts acknowledged, whatever the status
    quarantined: int = 0  # ... of which the service kept in quarantine
    refused: int = 0  # ... of which the service refused (a number outside its plausible window)
    stray_acks: int = 0  # ACKs that matched no unacknowledged broadcast (e.g. for a duplicate)
    resend_requests: int = 0
    heartbeats: int = 0
    gave_up: int = 0  # broadcasts that ran out of automatic retries (they still answer RESEND)
    bad_frames: int = 0  # frames from the service this gateway could not understand


@dataclass
class Outgoing:
    seq: int
    body: bytes
    attempts: int = 0  # transmissions so far
    due: float = 0.0  # monotonic time of the next automatic retransmission
    twice: bool = False  # duplicate_next(): send the first transmission twice


class Outbox:
    """One feed's broadcasts from creation to ACK; counts sends, resends, duplicates and give-ups."""

    def __init__(
        self,
        send: Send,
        counters: FeedSimCounters,
        *,
        feed: str,
        modulus: int,
        history: int,
        ack_timeout_s: float,
        max_retries: int,
    ) -> None:
        self.feed = feed
        self.modulus = modulus
        self.counters = counters
        self.history_size = min(history, modulus)  # a seq names one broadcast only within one lap of the ring
        self._send = send
        self._ack_timeout_s, self._max_retries = ack_timeout_s, max_retries
        self._history: OrderedDict[int, bytes] = OrderedDict()
        self._backlog: deque[Outgoing] = deque()  # never transmitted yet, in sequence order
        self._timers: OrderedDict[int, Outgoing] = OrderedDict()  # transmitted, unacked, in order of due time
        self._parked: dict[int, Outgoing] = {}  # dropped or out of retries: only a RESEND moves them
        self._resend_asked: deque[int] = deque()

    # -- what is kept ----------------------------------------------------------------------------------------
    @property
    def unacked(self) -> frozenset[int]:
        """Sequence numbers created but not yet acknowledged (waiting, in flight, dropped or given up)."""
        return frozenset(e.seq for e in self._backlog) | self._timers.keys() | self._parked.keys()

    @property
    def empty(self) -> bool:
        """Nothing waits for an ACK."""
        return not (self._backlog or self._timers or self._parked)

    def body(self, seq: int) -> bytes | None:
        """The last body broadcast under ``seq``, while the history still holds it."""
        return self._history.get(seq)

    def recent(self, n: int) -> list[int]:
        """The last ``n`` sequence numbers in the history, oldest first (acknowledged or not)."""
        return list(self._history)[-n:]

    def remember(self, seq: int, body: bytes) -> None:
        self._history[seq] = body
        self._history.move_to_end(seq)
        while len(self._history) > self.history_size:
            self._history.popitem(last=False)

    def queue(self, out: Outgoing) -> None:
        """Send ``out`` after everything already waiting."""
        self._backlog.append(out)

    def park(self, out: Outgoing) -> None:
        """Keep ``out`` unsent until a RESEND asks for it (a deliberate gap)."""
        self._parked[out.seq] = out

    def next_due(self) -> float | None:
        """When the first automatic retransmission is due (monotonic), if any broadcast is in flight."""
        return next(iter(self._timers.values())).due if self._timers else None

    # -- what the service says ---------------------------------------------------------------------------------
    def acknowledge(self, seq: int) -> Outgoing | None:
        """Forget the unacknowledged broadcast ``seq`` (in flight or parked); None if there is none."""
        return self._timers.pop(seq, None) or self._parked.pop(seq, None)

    def ask_resend(self, first: int, last: int) -> None:
        """Queue ``first``..``last`` (inclusive, around the ring) for retransmission, at most a history's worth."""
        count = min((last - first) % self.modulus + 1, self.history_size)
        self._resend_asked.extend((first + i) % self.modulus for i in range(count))

    # -- sending: each step answers whether the link took everything it had ----------------------------------
    def send_backlog(self, now: float) -> bool:
        while self._backlog:
            out = self._backlog[0]
            if not self._send([BCAST, out.body]):
                return False
            if out.twice and self._send([BCAST, out.body]):
                self.counters.duplicated += 1
            self._backlog.popleft()
            self.counters.sent += 1
            self._arm(out, now)
        return True

    def answer_resends(self, now: float) -> bool:
        while self._resend_asked:
            seq = self._resend_asked[0]
            body = self._history.get(seq)
            if body is not None and not self._transmit_again(seq, body, now):
                return False
            if body is None:
                log.warning("oem feed %s: RESEND of %d: no longer in history", self.feed, seq)
            self._resend_asked.popleft()
        return True

    def retransmit_overdue(self, now: float) -> bool:
        while self._timers:
            seq, out = next(iter(self._timers.items()))
            if out.due > now:
                return True
            if out.attempts > self._max_retries:
                del self._timers[seq]
                self._parked[seq] = out
                self.counters.gave_up += 1
                log.error("oem feed %s: seq %d unacked after %d sends: parked", self.feed, seq, out.attempts)
                continue
            if not self._send([BCAST, out.body]):
                return False
            self.counters.resent += 1
            self._arm(out, now)
        return True

    def _transmit_again(self, seq: int, body: bytes, now: float) -> bool:
        if any(out.seq == seq for out in self._backlog):
            return True  # not sent even once yet: it goes in order with the backlog
        if not self._send([BCAST, body]):
            return False
        self.counters.resent += 1
        out = self._timers.pop(seq, None) or self._parked.pop(seq, None)
        if out is not None:  # still outstanding (an acked one is just sent; its ACK will be a stray)
            out.attempts = 0  # a RESEND re-arms a broadcast that ran out of automatic retries
            self._arm(out, now)
        return True

    def _arm(self, out: Outgoing, now: float) -> None:
        out.attempts += 1
        out.due = now + self._ack_timeout_s
        self._timers[out.seq] = out
        self._timers.move_to_end(out.seq)
