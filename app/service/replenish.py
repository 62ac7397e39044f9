"""Replenishment calls: a bin gone low (``CallReplenishment``) out to the ``[stock]`` webhooks as a JSON POST.

``Replenisher.call`` is called on the event loop and never blocks it: it puts one delivery per URL on a bounded
queue (an ``app.service.outbox.Outbox``, as the alarm notifications are; overflow policy ``DROP_OLDEST``, counted:
the ``low_stock`` alarm stays on the screens whatever happens here). One worker task delivers them in order, each
POST on the replenisher's own thread with a time-out, and tries a failed one again after ``backoff_s``, doubling,
``attempts`` times in all; then it gives up on that call, counted and logged once per failing target (not once per
call). The body names the bin, the part, the stock and what is wanted (docs/stock.md).
What this module must not do: touch the core or the database, retry without end, or hold up the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from app.service.metrics import Metric, counter, gauge
from app.service.notify import WebhookPost, post_json, redact
from app.service.outbox import OVERFLOW_POLICY, Failing, Outbox
from sequencer.commands import CallReplenishment
from sequencer.plant import StockConfig

log = logging.getLogger(__name__)


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
        self._outbox: Outbox[Call] = Outbox(rules.queue_size, "replenish", self._dropped)
        self.sent: Counter[str] = Counter()  # by redacted target
        self.retried: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()  # calls given up after every attempt
        self._failing = Failing(log)

    @property
    def dropped(self) -> int:
        """Calls dropped from the full queue (``DROP_OLDEST``)."""
        return self._outbox.dropped

    def call(self, call: CallReplenishment) -> int:
        """Queue the call for every webhook; returns how many were queued."""
        for url in self.rules.webhooks:
            self._outbox.put(Call(url, call))
        return len(self.rules.webhooks)

    def _dropped(self, dropped: int) -> None:
        log.warning("replenishment queue full (%d): %d calls dropped", self.rules.queue_size, dropped)

    async def run(self) -> None:
        """Deliver until cancelled."""
        await self._outbox.run(self._deliver)

    async def drain(self) -> None:
        """Wait until every queued call was delivered or given up (tests, orderly shutdown)."""
        await self._outbox.drain()

    async def _deliver(self, item: Call) -> None:
        data = json.dumps(body(item.call, self.source)).encode()
        target = redact(item.url)
        delay = self.rules.backoff_s
        for attempt in range(1, self.rules.attempts + 1):
            try:
                await self._outbox.blocking(self._post, item.url, data, self.rules.timeout_s)
            except Exception as exc:  # any library error: try again after the back-off, a bounded number of times
                if attempt < self.rules.attempts:
                    self.retried[target] += 1
                    await asyncio.sleep(delay)
                    delay *= 2
                    continue
                self.failed[target] += 1
                self._failing.failed(
                    target, "replenishment call to %s failing after %d tries: %r", target, attempt, exc
                )
                return
            self.sent[target] += 1
            self._failing.worked(target, "replenishment call to %s working again", target)
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
            gauge("jis_replenish_calls_queued", "Replenishment calls waiting to be delivered.", self._outbox.qsize()),
        ]
