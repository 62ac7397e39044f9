"""The service's latency maps stay bounded: what never gets its end is forgotten after LATENCY_KEEP_S."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest

from app.service.latency import LATENCY_KEEP_S, LIT_BOUNDS_S, Buckets, LightLatency, forget_before, probe_loop


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


def test_a_bin_lit_on_arrival_is_measured_in_its_two_stages_too() -> None:
    """Received -> the command left the core -> the device showed it: each stage one figure, and the two add up to
    the whole way; a bin that waited for its station is in neither stage (it measures the line's queue)."""
    latency = LightLatency()
    latency.broadcast_received("L1", 1)
    latency.broadcast_received("L1", 2)
    latency.bin_lit("L1", 1, 11, on_arrival=True)
    latency.bin_lit("L1", 2, 12, on_arrival=False)
    latency.light_shown(11)
    latency.light_shown(12)
    assert (latency.on_arrival.count, latency.to_core.count, latency.to_device.count, latency.queued.count) == (
        1,
        1,
        1,
        1,
    )
    assert latency.to_core.sum + latency.to_device.sum == pytest.approx(latency.on_arrival.sum)


async def test_the_loop_lag_probe_sees_a_turn_that_held_the_loop() -> None:
    """A task that holds the event loop for 50 ms (a blocking call) makes the probe wake at least that late."""
    lag = Buckets(LIT_BOUNDS_S)
    probe = asyncio.create_task(probe_loop(lag, every_s=0.001))
    await asyncio.sleep(0)  # the probe starts its first sleep
    time.sleep(0.05)  # noqa: ASYNC251 - holding the loop is the point
    for _ in range(1000):  # bounded: the probe's first wake-up comes one turn after the block
        if lag.count:
            break
        await asyncio.sleep(0.001)
    probe.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await probe
    late = LIT_BOUNDS_S.index(0.05)  # the bucket of 30 to 50 ms and those above it
    assert sum(lag.counts[late:]) >= 1
    assert lag.sum >= 0.045
