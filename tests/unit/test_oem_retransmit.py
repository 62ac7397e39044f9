"""The simulated OEM gateway's retransmission time-out adapts to the ACK round trip, as TCP's RTO does (RFC 6298):
a service slow to acknowledge (starting up, on a loaded machine) is waited for, not sent copies it would count as
duplicates; a lost ACK is still resent, sooner once round trips are short again.

Pure: ``hardware_sims.oem_outbox.Outbox`` takes ``now`` and a ``send`` the test records; no socket, no clock.
"""

from __future__ import annotations

import pytest

from hardware_sims.oem_outbox import (
    CEILING_FACTOR,
    FIRST_RTO_FACTOR,
    FeedSimCounters,
    Outbox,
    Outgoing,
    RetransmitTimer,
)

FLOOR_S = 1.0  # the gateway's configured ack_timeout_s


def outbox() -> tuple[Outbox, list[int]]:
    sent: list[int] = []

    def send(frames: list[bytes]) -> bool:
        sent.append(int(frames[1]))
        return True

    box = Outbox(send, FeedSimCounters(), feed="L1", modulus=10_000, history=100, ack_timeout_s=FLOOR_S, max_retries=20)
    return box, sent


def broadcast(box: Outbox, seq: int, now: float) -> None:
    box.remember(seq, str(seq).encode())
    box.queue(Outgoing(seq=seq, body=str(seq).encode()))
    assert box.send_backlog(now)


def test_a_slow_start_is_waited_for_and_the_time_out_follows_the_round_trips() -> None:
    """The first ACKs take 2.5 s (longer than the 1 s floor the old fixed timer resent after): no copy goes out."""
    box, sent = outbox()
    assert box.timer.rto_s == FIRST_RTO_FACTOR * FLOOR_S  # nothing measured yet: 3 x the floor
    now = 0.0
    for seq in range(1, 4):  # a takt of 0.3 s; each ACK 2.5 s after its broadcast
        broadcast(box, seq, now + 0.3 * seq)
    for seq in range(1, 4):
        at = 0.3 * seq + 2.5
        assert box.retransmit_overdue(at)
        assert box.acknowledge(seq, at) is not None
    assert sent == [1, 2, 3] and box.counters.timeouts == 0
    assert box.timer.samples == 3 and box.timer.longest_s == pytest.approx(2.5)
    assert box.timer.rto_s > 2.5  # SRTT 2.5 plus its spread
    for seq in range(4, 40):  # the service has started: ACKs in 10 ms
        at = 10.0 + seq
        broadcast(box, seq, at)
        assert box.acknowledge(seq, at + 0.01) is not None
    assert box.timer.rto_s == FLOOR_S  # never below the floor
    assert box.counters.timeouts == 0 and box.counters.resent == 0


def test_a_lost_ack_is_still_resent_and_backs_off() -> None:
    box, sent = outbox()
    broadcast(box, 1, 0.0)
    box.acknowledge(1, 0.05)  # measured: the time-out comes down to the floor
    broadcast(box, 2, 1.0)
    assert box.retransmit_overdue(1.0 + FLOOR_S - 0.01) and sent == [1, 2]
    assert box.retransmit_overdue(1.0 + FLOOR_S) and sent == [1, 2, 2]  # its ACK never came: sent again
    assert box.timer.rto_s == 2 * FLOOR_S  # RFC 6298 5.5: doubled
    assert box.retransmit_overdue(1.0 + 3 * FLOOR_S) and sent == [1, 2, 2, 2]
    assert box.timer.rto_s == 4 * FLOOR_S
    box.acknowledge(2, 4.5)  # after a retransmission: no sample (Karn), the backed-off time-out stays
    assert box.timer.samples == 1 and box.timer.rto_s == 4 * FLOOR_S
    broadcast(box, 3, 5.0)
    box.acknowledge(3, 5.02)  # a fresh sample sets it again
    assert box.timer.rto_s == FLOOR_S
    assert box.counters.timeouts == 2


def test_the_back_off_stops_at_its_ceiling() -> None:
    timer = RetransmitTimer(FLOOR_S)
    for _ in range(20):
        timer.back_off()
    assert timer.rto_s == CEILING_FACTOR * FLOOR_S
    timer.sample(1000.0)  # a round trip longer than the ceiling: the time-out stays at the ceiling
    assert timer.rto_s == CEILING_FACTOR * FLOOR_S


def test_the_spread_of_round_trips_widens_the_time_out() -> None:
    steady, jittery = RetransmitTimer(0.1), RetransmitTimer(0.1)
    for i in range(50):
        steady.sample(0.2)
        jittery.sample(0.05 if i % 2 else 0.35)  # the same mean, a wide spread
    assert steady.rto_s == pytest.approx(0.21, abs=0.01)  # SRTT plus the granularity
    assert jittery.rto_s > 0.6  # SRTT plus 4 x RTTVAR
