"""The service's latency figures: broadcast received -> bin lit (the device acknowledged the light command).

What it is for: ``latencies_ms`` (bins lit by their own broadcast: the service's own speed) and ``queued_ms`` (bins
that waited for their station: the line's queue) for the demo's summary and the benchmarks, and the same figures
as running histograms in seconds (``on_arrival``, ``queued``: ``Buckets``, every figure since start) for the
metrics; for bins lit on arrival, the same way in two stages (``to_core``: received -> the light command left the
core; ``to_device``: -> the device acknowledged it), and ``probe_loop``'s lag of the event loop (``loop_lag``), so
a slow tail says where it is (docs/security.md, "The hostile campaign"). The
intake notes when a broadcast arrived, the command dispatch when a bin was lit, the device side when the light
showed it, and a completed vehicle ends its broadcast's entry.

What it must not do: grow without bound or decide anything. A receive time, or a pick lit but never shown, that
never gets its end (a cancelled vehicle, an identical resend, a light command replaced in the driver's outbox
before it was sent) is forgotten after ``LATENCY_KEEP_S`` on the tick, so the maps stay bounded (rate x that).
"""

from __future__ import annotations

import asyncio
import time
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

LATENCY_KEEP_S = 600.0  # real seconds a receive time, or a pick lit but not yet shown, is kept
KEPT_FIGURES = 200_000  # newest figures kept for the quantiles
# upper bounds (seconds) of the histograms' buckets: the service's own speed is milliseconds (README: p99 under
# 20 ms), a bin that waited for its station waits for an operator (seconds to a minute); 30, 75 and 150 ms so that a
# tail between 20 and 250 ms (the hostile campaign's floods) reads closer than one bucket's width
LIT_BOUNDS_S = (0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0)
# the loop lag probe's sleep: how late it wakes is how long the loop's turns before it took. 10 wake-ups a second: a
# sample of the lag a timer or a message due at a random moment meets (a turn shorter than the sleep is caught as
# often as it holds the loop), 600 in a 1-minute window. At 100 a second the probe cost an idle jis serve 0.82-0.91 s
# of CPU a minute (1.4 % of a core), more than all the rest of it (0.43-0.68 s); at 10 a second 0.04-0.14 s
LAG_EVERY_S = 0.1
QUEUED_BOUNDS_S = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


def forget_before(entries: dict[Any, Any], cutoff: float, stamp: Callable[[Any], float]) -> int:
    """Pop entries from the front of ``entries`` (kept in time order) while their ``stamp`` is before ``cutoff``;
    returns how many went. Stops at the first young one: a few dict operations a tick, not a scan."""
    gone = 0
    while entries:
        key = next(iter(entries))
        if stamp(entries[key]) >= cutoff:
            break
        del entries[key]
        gone += 1
    return gone


class Buckets:
    """A histogram's running totals: how many figures fell at or below each bound (and above all of them), and
    their sum. Each figure costs one bisect; a scrape reads the totals as they are."""

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)  # the last: above every bound
        self.sum = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.sum += value
        self.count += 1

    def cumulative(self) -> Iterator[tuple[float, int]]:
        """(upper bound, figures at or below it), ending with (+inf, all of them), as Prometheus buckets are."""
        total = 0
        for bound, n in zip((*self.bounds, float("inf")), self.counts, strict=True):
            total += n
            yield bound, total


class LightLatency:
    """Received -> lit, measured on the monotonic clock. Every map is kept in time order (see ``forget_stale``)."""

    def __init__(self) -> None:
        self.latencies_ms: deque[float] = deque(maxlen=KEPT_FIGURES)  # bins lit on arrival
        self.queued_ms: deque[float] = deque(maxlen=KEPT_FIGURES)  # bins that waited for their station
        self.on_arrival = Buckets(LIT_BOUNDS_S)  # the same figures in seconds, every one since start
        self.queued = Buckets(QUEUED_BOUNDS_S)
        # the same way in two stages, for bins lit on arrival: received -> the light command left the core (the
        # journal's commit and the core), and -> the device acknowledged it (the driver's outbox and the device)
        self.to_core = Buckets(LIT_BOUNDS_S)
        self.to_device = Buckets(LIT_BOUNDS_S)
        self.loop_lag = Buckets(LIT_BOUNDS_S)  # how late the event loop woke a sleeper (``probe_loop``)
        self.received: dict[tuple[str, int], float] = {}  # (feed, seq) -> monotonic receive time
        self.lit_since: dict[int, tuple[float, bool, float]] = {}  # pick id -> (received, on arrival, lit at)
        # (pick id, received, lit on arrival, lit at) of each bin lit, kept only when a benchmark asks (jis bench glass
        # sets a bounded deque): the broadcast each pick on the glass is measured from
        self.lit_log: deque[tuple[int, float, bool, float]] | None = None

    def broadcast_received(self, feed: str, seq: int) -> None:
        self.received.setdefault((feed, seq), time.monotonic())

    def bin_lit(self, feed: str, seq: int, pick_id: int, *, on_arrival: bool) -> None:
        """A light command left the core, lit by its own broadcast (``on_arrival``) or later, when its station
        freed."""
        now = time.monotonic()
        self.lit_since.pop(pick_id, None)  # lit again: to the end, so the map stays in lit order
        received = self.received.get((feed, seq), now)
        self.lit_since[pick_id] = (received, on_arrival, now)
        if on_arrival:
            self.to_core.observe(now - received)
        if self.lit_log is not None:
            self.lit_log.append((pick_id, received, on_arrival, now))

    def light_shown(self, token: int) -> None:
        """The device acknowledged the light command for pick ``token``: one figure, if that pick was lit here."""
        lit = self.lit_since.pop(token, None)
        if lit is not None:  # a bin that waited for its station measures the line's queue, not the service
            now = time.monotonic()
            seconds = now - lit[0]
            (self.latencies_ms if lit[1] else self.queued_ms).append(seconds * 1000)
            (self.on_arrival if lit[1] else self.queued).observe(seconds)
            if lit[1]:
                self.to_device.observe(now - lit[2])

    def vehicle_completed(self, feed: str, seq: int) -> None:
        self.received.pop((feed, seq), None)

    def forget_stale(self, now: float) -> None:
        """Drop receive times and lit picks older than ``LATENCY_KEEP_S`` (both maps are in time order)."""
        forget_before(self.received, now - LATENCY_KEEP_S, lambda received: received)
        forget_before(self.lit_since, now - LATENCY_KEEP_S, lambda lit: lit[2])


async def probe_loop(lag: Buckets, every_s: float = LAG_EVERY_S) -> None:
    """Until cancelled: sleep ``every_s`` and observe how much later than asked the loop woke (seconds) into
    ``lag``: a turn of another task that held the loop (a batch of garbage answered, a commit's callbacks) shows
    here as a late wake-up, whatever task it was."""
    while True:
        asked = time.monotonic() + every_s
        await asyncio.sleep(every_s)
        lag.observe(max(0.0, time.monotonic() - asked))
