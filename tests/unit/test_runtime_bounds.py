"""The service's latency maps stay bounded: what never gets its end is forgotten after LATENCY_KEEP_S."""

from __future__ import annotations

from app.service.latency import LATENCY_KEEP_S, LightLatency, forget_before


def test_forget_before_pops_only_the_old_front() -> None:
    entries = {("L1", 1): 10.0, ("L1", 2): 20.0, ("L1", 3): 30.0}
    assert forget_before(entries, 20.0, lambda at: at) == 1
    assert list(entries) == [("L1", 2), ("L1", 3)]
    assert forget_before(entries, 5.0, lambda at: at) == 0
    assert forget_before(entries, 99.0, lambda at: at) == 2
    assert entries == {}


def test_a_cancelled_vehicle_and_a_light_replaced_before_it_was_sent_are_forgotten() -> None:
    now = 10_000.0
    old, young = now - LATENCY_KEEP_S - 1, now - 1
    latency = LightLatency()
    # a cancelled vehicle never completes; an identical resend after completion is received again
    latency.received.update({("L1", 7): old, ("L1", 8): young})
    # pick 41's light command was replaced in the outbox before it was sent: no LightShown ever comes for it;
    # pick 40 was received long ago but lit just now (it waited for its station): it stays
    latency.lit_since.update({41: (old, True, old), 40: (old, False, young)})
    latency.forget_stale(now)
    assert latency.received == {("L1", 8): young}
    assert latency.lit_since == {40: (old, False, young)}
