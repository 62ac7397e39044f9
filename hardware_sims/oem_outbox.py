"""The simulated OEM gateway's store-and-forward memory: no broadcast is lost before the service ACKs it.

Every broadcast is kept until it is acknowledged: first in the backlog (never transmitted, in sequence order),
then under a retransmission timer (REAL seconds: a network timer), or parked (deliberately dropped, or out of
automatic retries) where only a RESEND moves it. The timer adapts to the ACK round trip it observes, as TCP's
retransmission time-out does (``RetransmitTimer``, RFC 6298), so a service that is slow to answer (starting up,
on a loaded machine) is waited for instead of being sent copies it will count as duplicates. A bounded history
of bodies, never more than one lap of the sequence ring, answers RESEND requests, also for broadcasts already
acknowledged.

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

# RFC 6298's constants: the smoothing gains (alpha 1/8, beta 1/4) and the variance factor K
ALPHA, BETA, K = 0.125, 0.25, 4.0
FIRST_RTO_FACTOR = 3.0  # before any round trip is measured: 3 x the floor (TCP's 3 s first RTO against its 1 s floor)
CEILING_FACTOR = 10.0  # the time-out never backs off past 10 x the floor (a service stuck that long gets a RESEND)


class RetransmitTimer:
    """The gateway's retransmission time-out, after RFC 6298 (TCP's RTO), in real seconds.

    ``floor_s`` (the configured ``ack_timeout_s``) is the least it waits. Until the first round trip is measured
    it waits ``FIRST_RTO_FACTOR`` x the floor. Each ACK of a broadcast sent once gives a round-trip sample (Karn's
    rule: an ACK after a retransmission could answer either copy, so it measures nothing) and the time-out becomes
    SRTT + max(floor / 10, K x RTTVAR), at least the floor; each automatic retransmission doubles it (back-off),
    up to ``CEILING_FACTOR`` x the floor, until a fresh sample sets it again.
    """

    def __init__(self, floor_s: float) -> None:
        self.floor_s = floor_s
        self.ceiling_s = floor_s * CEILING_FACTOR
        self.rto_s = floor_s * FIRST_RTO_FACTOR
        self.srtt_s: float | None = None
        self.rttvar_s = 0.0
        self.samples = 0
        self.longest_s = 0.0  # the longest round trip measured: what the time-out had to cover

    def sample(self, rtt_s: float) -> None:
        """A measured round trip (the broadcast was sent once)."""
        if self.srtt_s is None:
            self.srtt_s, self.rttvar_s = rtt_s, rtt_s / 2
        else:
            self.rttvar_s = (1 - BETA) * self.rttvar_s + BETA * abs(self.srtt_s - rtt_s)
            self.srtt_s = (1 - ALPHA) * self.srtt_s + ALPHA * rtt_s
        self.samples += 1
        self.longest_s = max(self.longest_s, rtt_s)
        spread = max(self.floor_s / 10, K * self.rttvar_s)  # RFC 6298's G: the clock granularity, here a tenth
        self.rto_s = min(self.ceiling_s, max(self.floor_s, self.srtt_s + spread))

    def back_off(self) -> None:
        """A broadcast timed out and is sent again: wait twice as long from now on (RFC 6298 5.5)."""
        self.rto_s = min(self.ceiling_s, self.rto_s * 2)


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
    timeouts: int = 0  # automatic retransmissions: a broadcast not acknowledged within the time-out
    heartbeats: int = 0
    gave_up: int = 0  # broadcasts that ran out of automatic retries (they still answer RESEND)
    bad_frames: int = 0  # frames from the service this gateway could not understand


@dataclass
class Outgoing:
    seq: int
    body: bytes
    attempts: int = 0  # transmissions so far
    due: float = 0.0  # monotonic time of the next automatic retransmission
    sent_at: float = 0.0  # monotonic time of the last transmission
    sends: int = 0  # transmissions in all (``attempts`` starts over at a RESEND; this never does)
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
        self._max_retries = max_retries
        self.timer = RetransmitTimer(ack_timeout_s)
        self._history: OrderedDict[int, bytes] = OrderedDict()
        self._backlog: deque[Outgoing] = deque()  # never transmitted yet, in sequence order
        # transmitted, unacked, in the order they were armed: by due time while the time-out holds still; when it
        # shrinks, one armed later may come due before the head and waits for it (later, never earlier: no copy)
        self._timers: OrderedDict[int, Outgoing] = OrderedDict()
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
    def acknowledge(self, seq: int, now: float) -> Outgoing | None:
        """Forget the unacknowledged broadcast ``seq`` (in flight or parked); None if there is none. A broadcast
        sent once gives the timer a round-trip sample."""
        out = self._timers.pop(seq, None) or self._parked.pop(seq, None)
        if out is not None and out.sends == 1:
            self.timer.sample(max(0.0, now - out.sent_at))
        return out

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
            self.counters.timeouts += 1
            self.timer.back_off()
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
        out.sends += 1
        out.sent_at, out.due = now, now + self.timer.rto_s
        self._timers.pop(out.seq, None)
        self._timers[out.seq] = out
