"""Alarm notifications: raised deviations out to webhooks (JSON POST) and e-mail (SMTP), routed per priority.

``Notifier.notify(RaiseDeviation)`` is called on the event loop and never blocks it: it only puts deliveries on a
bounded queue (an ``app.service.outbox.Outbox``). One worker task takes them off and runs the blocking call (urllib,
smtplib) on the notifier's own thread, with a time-out. Overflow policy ``DROP_OLDEST``: when the queue is full the
oldest waiting delivery is dropped and counted (the newest alarm is the one a person needs; the dropped ones are
still on the HMI).

A failing target is logged once when it starts failing and once when it works again (not once per alarm), and
every failure is counted; nothing here raises into the service. Webhook URLs often carry a secret token in the
path, so logs and metric labels show only ``scheme://host:port``.

What this module must not do: touch the core or the database, retry forever, or let a slow target hold up the
event loop.
"""

from __future__ import annotations

import json
import logging
import smtplib
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from app.service.metrics import Labels, Metric, counter, gauge
from app.service.outbox import OVERFLOW_POLICY, Failing, Outbox
from sequencer.commands import RaiseDeviation
from sequencer.plant import NotifyRules

log = logging.getLogger(__name__)

SUBJECT_MAX = 160  # characters; a long message stays in the body


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Channel = Literal["webhook", "email"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    channel: Channel
    target: str  # the webhook URL, or the SMTP relay as smtp://host:port
    deviation: RaiseDeviation
    raised_at: float
    recipients: tuple[str, ...] = ()


WebhookPost = Callable[[str, bytes, float], None]  # (url, JSON body, time-out s); raises on failure
SmtpSend = Callable[[NotifyRules, EmailMessage], None]  # raises on failure


def post_json(url: str, body: bytes, timeout_s: float) -> None:
    """POST ``body`` as JSON; any non-2xx answer raises (urllib raises HTTPError for them)."""
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout_s) as answer:  # http(s) only: checked in PriorityRoute
        answer.read()


def send_mail(rules: NotifyRules, message: EmailMessage) -> None:
    with smtplib.SMTP(rules.smtp_host, rules.smtp_port, timeout=rules.timeout_s) as smtp:
        if rules.smtp_starttls:
            smtp.starttls()
        smtp.send_message(message)


def redact(target: str) -> str:
    """``scheme://host:port`` only: a webhook's path and query often hold its secret."""
    parts = urlsplit(target)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}:{parts.port}" if parts.port else f"{parts.scheme}://{host}"


def payload(delivery: Delivery, source: str) -> dict[str, object]:
    dev = delivery.deviation
    return {
        "source": source,
        "deviation_id": dev.deviation_id,
        "kind": dev.kind,
        "priority": dev.priority,
        "message": dev.message,
        "raised_at": datetime.fromtimestamp(delivery.raised_at, UTC).isoformat(),
    }


def email(delivery: Delivery, rules: NotifyRules) -> EmailMessage:
    dev = delivery.deviation
    subject = " ".join(f"[{rules.source}] P{dev.priority} {dev.kind}: {dev.message}".split())  # no header breaks
    msg = EmailMessage()
    msg["From"] = rules.sender
    msg["To"] = ", ".join(delivery.recipients)
    msg["Subject"] = subject[:SUBJECT_MAX]
    msg.set_content(json.dumps(payload(delivery, rules.source), indent=2) + "\n")
    return msg


class Notifier:
    def __init__(
        self,
        rules: NotifyRules,
        *,
        webhook_post: WebhookPost = post_json,
        smtp_send: SmtpSend = send_mail,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.rules = rules
        self.clock = clock
        self._senders: dict[Channel, Callable[[Delivery], None]] = {
            "webhook": lambda d: webhook_post(d.target, json.dumps(payload(d, rules.source)).encode(), rules.timeout_s),
            "email": lambda d: smtp_send(rules, email(d, rules)),
        }
        self._outbox: Outbox[Delivery] = Outbox(rules.queue_size, "notify", self._dropped)
        self.sent: Counter[tuple[Channel, str]] = Counter()
        self.failed: Counter[tuple[Channel, str]] = Counter()
        self._failing = Failing(log)

    @property
    def dropped(self) -> int:
        """Deliveries dropped from the full queue (``DROP_OLDEST``)."""
        return self._outbox.dropped

    # -- in: on the event loop, never blocking ----------------------------------------------------------------
    def notify(self, deviation: RaiseDeviation) -> int:
        """Queue the deliveries the rules ask for; returns how many were queued (0: priority not routed)."""
        deliveries = self.deliveries(deviation, self.clock())
        for d in deliveries:
            self._put(d)
        return len(deliveries)

    def deliveries(self, deviation: RaiseDeviation, at: float) -> list[Delivery]:
        route = self.rules.routes.get(deviation.priority)
        if route is None:
            return []
        hooks = [Delivery(channel="webhook", target=u, deviation=deviation, raised_at=at) for u in route.webhooks]
        if not route.email_to:
            return hooks
        relay = f"smtp://{self.rules.smtp_host}:{self.rules.smtp_port}"
        mail = Delivery(channel="email", target=relay, deviation=deviation, raised_at=at, recipients=route.email_to)
        return [*hooks, mail]

    def _put(self, delivery: Delivery) -> None:
        self._outbox.put(delivery)  # DROP_OLDEST: keep the newest alarms, count what was dropped

    def _dropped(self, dropped: int) -> None:
        if dropped == 1 or dropped % 100 == 0:
            log.warning("notification queue full (%d): %d dropped so far", self.rules.queue_size, dropped)

    # -- out: one worker task, the blocking calls on the notifier's thread -------------------------------------
    async def run(self) -> None:
        """Deliver until cancelled."""
        await self._outbox.run(lambda delivery: self._outbox.blocking(self._deliver, delivery))

    async def drain(self) -> None:
        """Wait until every queued delivery has been tried (tests, orderly shutdown)."""
        await self._outbox.drain()

    def _deliver(self, delivery: Delivery) -> None:
        key = (delivery.channel, delivery.target)
        shown = redact(delivery.target)
        try:
            self._senders[delivery.channel](delivery)
        except Exception as exc:  # any library error: count it, log it once per target, carry on
            self.failed[key] += 1
            self._failing.failed(key, "%s notification to %s failing: %r", delivery.channel, shown, exc)
            return
        self.sent[key] += 1
        self._failing.worked(key, "%s notification to %s working again", delivery.channel, shown)

    # -- numbers for /metrics ----------------------------------------------------------------------------------
    def metrics(self) -> list[Metric]:
        return [
            counter("jis_notifications_sent_total", "Alarm notifications delivered.", _by_target(self.sent)),
            counter("jis_notifications_failed_total", "Alarm notifications that failed.", _by_target(self.failed)),
            counter(
                "jis_notifications_dropped_total",
                f"Alarm notifications dropped from the full queue ({OVERFLOW_POLICY}).",
                self.dropped,
            ),
            gauge("jis_notifications_queued", "Alarm notifications waiting to be delivered.", self._outbox.qsize()),
        ]


def _by_target(counts: Counter[tuple[Channel, str]]) -> dict[Labels, float]:
    out: Counter[Labels] = Counter()
    for (channel, target), n in counts.items():
        out[(("channel", channel), ("target", redact(target)))] += n
    return dict(out)
