"""Replenishment calls: a bin gone low (``CallReplenishment``) out to the ``[stock]`` webhooks as a JSON POST.

``Replenisher.call`` is called on the event loop and never blocks it: it puts one delivery per URL on a bounded
queue (overflow policy ``DROP_OLDEST``, counted: the ``low_stock`` alarm stays on the screens whatever happens
here). One worker task delivers them in order, each POST on the replenisher's own thread with a time-out, and
tries a failed one again after ``backoff_s``, doubling, ``attempts`` times in all; then it gives up on that call,
counted and logged once per failing target (not once per call). The body names the bin, the part, the stock and
what is wanted (docs/stock.md).
What this module must not do: touch the core or the database, retry without end, or hold up the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from app.service.metrics import Metric, counter, gauge
from app.service.notify import WebhookPost, post_json, redact
from sequencer.commands import CallReplenishment
from sequencer.plant import StockConfig

log = logging.getLogger(__name__)

OVERFLOW_POLICY = "DROP_OLDEST"


@dataclass(frozen=True, slots=True)
class Call:
    url: str
    call: CallReplenishment


def body(call: CallReplenishment, source: str) -> dict[str, object]:
    """The JSON a replenisher gets: what to bring where."""
    return {
        "source": source,
        "kind": "replenishment",
        "station": call.station,
        "bin": call.bin,
        "part": call.part,
        "stock": call.stock,
        "capacity": call.capacity,
        "wanted": call.wanted,
        "called_at": datetime.fromtimestamp(call.at, UTC).isoformat(),
    }


class Replenisher:
    def __init__(self, rules: StockConfig, *, source: str = "jis-sequencer", post: WebhookPost = post_json) -> None:
        self.rules = rules
        self.source = source
        self._post = post
        self._queue: asyncio.Queue[Call] = asyncio.Queue(rules.queue_size)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="replenish")
        self.sent: Counter[str] = Counter()  # by redacted target
        self.retried: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()  # calls given up after every attempt
        self.dropped = 0
        self._failing: set[str] = set()

    def call(self, call: CallReplenishment) -> int:
        """Queue the call for every webhook; returns how many were queued."""
        for url in self.rules.webhooks:
            if self._queue.full():
                self._queue.get_nowait()
                self._queue.task_done()
                self.dropped += 1
                log.warning("replenishment queue full (%d): %d calls dropped", self.rules.queue_size, self.dropped)
            self._queue.put_nowait(Call(url, call))
        return len(self.rules.webhooks)

    async def run(self) -> None:
        """Deliver until cancelled."""
        try:
            while True:
                item = await self._queue.get()
                try:
                    await self._deliver(item)
                finally:
                    self._queue.task_done()
        finally:
            self._pool.shutdown(wait=False, cancel_futures=True)

    async def drain(self) -> None:
        """Wait until every queued call was delivered or given up (tests, orderly shutdown)."""
        await self._queue.join()

    async def _deliver(self, item: Call) -> None:
        loop = asyncio.get_running_loop()
        data = json.dumps(body(item.call, self.source)).encode()
        target = redact(item.url)
        delay = self.rules.backoff_s
        for attempt in range(1, self.rules.attempts + 1):
            try:
                await loop.run_in_executor(self._pool, self._post, item.url, data, self.rules.timeout_s)
            except Exception as exc:  # any library error: try again after the back-off, a bounded number of times
                if attempt < self.rules.attempts:
                    self.retried[target] += 1
                    await asyncio.sleep(delay)
                    delay *= 2
                    continue
                self.failed[target] += 1
                if target not in self._failing:
                    self._failing.add(target)
                    log.error("replenishment call to %s failing after %d tries: %r", target, attempt, exc)
                return
            self.sent[target] += 1
            if target in self._failing:
                self._failing.discard(target)
                log.warning("replenishment call to %s working again", target)
            return

    def metrics(self) -> list[Metric]:
        def by(counts: Counter[str]) -> dict[tuple[tuple[str, str], ...], float]:
            return {(("target", t),): float(n) for t, n in counts.items()}

        return [
            counter("jis_replenish_calls_sent_total", "Replenishment calls delivered.", by(self.sent)),
            counter(
                "jis_replenish_calls_retried_total",
                "Replenishment tries that failed and were retried.",
                by(self.retried),
            ),
            counter(
                "jis_replenish_calls_failed_total", "Replenishment calls given up after every try.", by(self.failed)
            ),
            counter(
                "jis_replenish_calls_dropped_total",
                f"Replenishment calls dropped from the full queue ({OVERFLOW_POLICY}).",
                self.dropped,
            ),
            gauge("jis_replenish_calls_queued", "Replenishment calls waiting to be delivered.", self._queue.qsize()),
        ]
