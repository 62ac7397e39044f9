"""Prometheus metrics for the sequencer service: a tiny HTTP endpoint and the service's numbers as metric families.

The endpoint is a deliberately small asyncio server (no new dependency): HTTP/1.0, ``GET /metrics`` only (404 for
any other path, 405 for another method), one request per connection, the request head bounded in size and time.
It binds 127.0.0.1 unless told otherwise: a scrape target is read-only but still tells an outsider a lot.

The text is the Prometheus text exposition format 0.0.4: one ``# HELP`` and one ``# TYPE`` line per family, then
its samples; label values escape backslash, double quote and newline; HELP text escapes backslash and newline.

What this module must not do: change the service, block the event loop for long (``collect`` runs on the loop so
it sees one consistent state, and must stay cheap), or read anything but the attributes named in
``service_metrics`` (duck-typed, so a test double serves as well as ``app.service.runtime.Service``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MAX_REQUEST_HEAD = 8192  # bytes: a scraper's request head is a few hundred; anything bigger is refused (431)
READ_TIMEOUT_S = 5.0  # a client that does not finish its request head in time is dropped
QUANTILES = (0.5, 0.9, 0.99)
QUANTILE_WINDOW = 10_000  # newest observations the quantiles are taken over: sorting 200k on the loop took ~40 ms

Kind = Literal["counter", "gauge", "summary"]
Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    value: float
    labels: Labels = ()
    suffix: str = ""  # "_sum" / "_count" for a summary's totals


@dataclass(frozen=True, slots=True, kw_only=True)
class Metric:
    """One metric family: its name, type, help text and samples."""

    name: str
    kind: Kind
    help: str
    samples: tuple[Sample, ...] = field(default_factory=tuple)


# -- exposition format ---------------------------------------------------------------------------------------
_LABEL_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n"})
_HELP_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n"})
_SPECIAL_VALUES = {math.inf: "+Inf", -math.inf: "-Inf"}


def escape_label(value: str) -> str:
    return value.translate(_LABEL_ESCAPES)


def format_value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if value in _SPECIAL_VALUES:
        return _SPECIAL_VALUES[value]
    return str(int(value)) if float(value).is_integer() and abs(value) < 2**53 else repr(float(value))


def _sample_line(name: str, sample: Sample) -> str:
    labels = ",".join(f'{k}="{escape_label(v)}"' for k, v in sample.labels)
    return (
        f"{name}{sample.suffix}{{{labels}}} {format_value(sample.value)}"
        if labels
        else (f"{name}{sample.suffix} {format_value(sample.value)}")
    )


def render(metrics: Iterable[Metric]) -> str:
    """The exposition text for ``metrics``; ends with a newline as the format requires."""
    lines: list[str] = []
    for m in metrics:
        lines.append(f"# HELP {m.name} {m.help.translate(_HELP_ESCAPES)}")
        lines.append(f"# TYPE {m.name} {m.kind}")
        lines.extend(_sample_line(m.name, s) for s in m.samples)
    return "\n".join(lines) + "\n"


def counter(name: str, help_: str, values: Mapping[Labels, float] | float) -> Metric:
    return Metric(name=name, kind="counter", help=help_, samples=_samples(values))


def gauge(name: str, help_: str, values: Mapping[Labels, float] | float) -> Metric:
    return Metric(name=name, kind="gauge", help=help_, samples=_samples(values))


def _samples(values: Mapping[Labels, float] | float) -> tuple[Sample, ...]:
    if isinstance(values, Mapping):
        return tuple(Sample(labels=k, value=float(v)) for k, v in sorted(values.items()))
    return (Sample(value=float(values)),)


def summary(name: str, help_: str, observations: Sequence[float]) -> Metric:
    """Quantiles (nearest rank) over the newest ``QUANTILE_WINDOW`` observations; sum and count over all."""
    start = max(0, len(observations) - QUANTILE_WINDOW)
    ordered = sorted(itertools.islice(observations, start, None))
    samples = [Sample(labels=(("quantile", str(q)),), value=_rank(ordered, q)) for q in QUANTILES]
    samples += [Sample(suffix="_sum", value=sum(observations)), Sample(suffix="_count", value=len(observations))]
    return Metric(name=name, kind="summary", help=help_, samples=tuple(samples))


def _rank(ordered: list[float], q: float) -> float:
    if not ordered:
        return math.nan  # the format's way to say "no observation yet"
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


# -- the service's numbers -----------------------------------------------------------------------------------
def _per(key: str, items: Mapping[str, Any], attr: str) -> dict[Labels, float]:
    return {((key, name),): getattr(item, attr) for name, item in items.items()}


def _device_links(service: Any) -> dict[Labels, float]:
    down = set(service.core.state.devices_down)
    return {(("device", d),): 0.0 if d in down else 1.0 for d in sorted({*service.devices.names, *down})}


def _alarms(service: Any) -> dict[Labels, float]:
    counts = Counter((str(d.priority), str(d.state)) for d in service.core.state.deviations.by_id.values())
    return {(("priority", p), ("state", s)): n for (p, s), n in counts.items()}


def service_metrics(service: Any) -> list[Metric]:
    """The service's metric families, read from ``app.service.runtime.Service`` (duck-typed): its ``core`` and
    its parts' figures (``latency``, ``sequencing``, ``devices``, ``intake``)."""
    core = service.core
    feeds = core.state.feeds
    devices = service.devices
    return [
        counter("jis_broadcasts_total", "Broadcasts accepted per feed.", _per("feed", feeds, "broadcasts")),
        gauge(
            "jis_broadcasts_last_hour",
            "Broadcasts received per feed within the last hour of plant time.",
            {(("feed", f),): len(getattr(feed, "recent", ())) for f, feed in feeds.items()},
        ),
        counter("jis_feed_gaps_total", "Sequence gaps detected per feed.", _per("feed", feeds, "gaps")),
        counter("jis_feed_duplicates_total", "Identical resends per feed.", _per("feed", feeds, "duplicates")),
        summary(
            "jis_light_latency_ms",
            "Broadcast received to light shown, ms; quantiles over the newest 10000 lights, sum/count over the retained"
            " window.",
            service.latency.latencies_ms,
        ),
        gauge("jis_pending_events", "Events waiting for the journal and the core.", service.sequencing.waiting),
        gauge("jis_device_reports_queued", "Device reports waiting for the core.", devices.reports_waiting),
        gauge(
            "jis_label_backlog",
            "Labels waiting in the service for printer outbox room.",
            {(("printer", p),): len(q) for p, q in devices.label_backlog.items()},
        ),
        gauge("jis_device_up", "Device link state: 1 up, 0 down.", _device_links(service)),
        gauge("jis_alarms", "Open deviations by priority (1 most urgent) and ISA-18.2 state.", _alarms(service)),
        counter(
            "jis_deviations_raised_total",
            "Deviations raised per kind (count-only kinds included).",
            {(("kind", k),): n for k, n in core.state.deviations.counts.items()},
        ),
        counter("jis_quarantined_total", "Inputs quarantined (bad or unknown broadcasts).", service.intake.quarantined),
        counter(
            "jis_quarantine_counted_total",
            "Refused frames counted, not stored: past a source's rows or bytes per window (a flood).",
            service.intake.budget.counted,
        ),
        counter("jis_quarantine_pruned_total", "Quarantine rows pruned by the retention.", service.intake.pruned),
        counter("jis_audit_pruned_total", "Audit lines pruned by the retention.", service.audit_pruned),
        counter(
            "jis_vehicles_completed_total",
            "Vehicles whose parts are all picked and labelled.",
            core.state.vehicles_completed,
        ),
        counter("jis_labels_printed_total", "Labels confirmed printed.", core.state.labels_printed),
    ]


# -- the endpoint --------------------------------------------------------------------------------------------
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 431: "Too Large"}


def _response(status: int, body: bytes, content_type: str = "text/plain; charset=utf-8") -> bytes:
    head = (
        f"HTTP/1.0 {status} {_REASONS[status]}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class MetricsServer:
    """Serves ``collect()`` as Prometheus text on ``GET /metrics``; ``port`` is the bound port after ``start``."""

    def __init__(self, collect: Callable[[], list[Metric]], *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.collect = collect
        self.host = host
        self.port = port
        self.scrapes = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port, limit=MAX_REQUEST_HEAD)
        self.port = int(self._server.sockets[0].getsockname()[1])
        log.info("metrics on http://%s:%d/metrics", self.host, self.port)

    async def run(self) -> None:
        """Serve until cancelled (one task in the service's task list); starts listening first if not yet."""
        if self._server is None:
            await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT_S)
            writer.write(self._answer(head))
            await writer.drain()
        except (asyncio.LimitOverrunError, ValueError):
            writer.write(_response(431, b"request head too large\n"))
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            pass  # the client went away or stalled: nothing to answer
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def _answer(self, head: bytes) -> bytes:
        parts = head.split(b"\r\n", 1)[0].decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            return _response(400, b"bad request line\n")
        method, target = parts[0], parts[1].split("?", 1)[0]
        if target != "/metrics":
            return _response(404, b"not found: only /metrics is served\n")
        if method != "GET":
            return _response(405, b"only GET\n")
        self.scrapes += 1
        return _response(200, render(self.collect()).encode("utf-8"), CONTENT_TYPE)
