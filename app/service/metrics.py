"""Prometheus metrics for the sequencer service: the service's numbers as a ``prometheus_client`` collector, served by
a small bounded HTTP endpoint.

The numbers: ``ServiceCollector`` reads the service (duck-typed: only the attributes named in ``service_families``,
so a test double serves as well as ``app.service.runtime.Service``) at each scrape and yields metric families in
base units (seconds), latencies as histograms (cumulative buckets since start: they aggregate across instances and
over time, which quantiles cannot), and each device's state one-hot (``jis_device_state{device,state}``, exactly one
of up / faulted / down is 1) with the reason on an info metric (``jis_device_fault_info{device,state,reason}``).
``metrics_registry`` puts it in a ``CollectorRegistry`` of its own beside prometheus_client's process, platform
and garbage-collector collectors. prometheus_client writes the exposition text (0.0.4, or OpenMetrics when the
scraper's ``Accept`` asks for it: ``prometheus_client.exposition.choose_encoder``).

The endpoint: a deliberately small asyncio server rather than ``prometheus_client.start_http_server``, whose
server answers every path and method, bounds no request head, and collects on a thread of its own (reading the
service while the loop changes it). This one serves ``GET /metrics`` only (404 for any other path, 405 for another
method), HTTP/1.0, one request per connection, the request head bounded in size and time (docs/security.md, "The
metrics endpoint"), and collects on the event loop, so a scrape is one consistent picture of the service.
It binds 127.0.0.1 unless told otherwise: a scrape target is read-only but still tells an outsider a lot.

What this module must not do: change the service, or block the event loop for long (a scrape reads counters and
bucket totals kept as the service goes: no sort, no scan of a window).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    InfoMetricFamily,
    Metric,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from app.hmi.answer_bounds import ANSWERS
from app.hmi.audit_bounds import BOUNDS
from sequencer.projection import DEVICE_STATES, device_state

log = logging.getLogger(__name__)

MAX_REQUEST_HEAD = 8192  # bytes: a scraper's request head is a few hundred; anything bigger is refused (431)
READ_TIMEOUT_S = 5.0  # a client that does not finish its request head in time is dropped

Labels = tuple[tuple[str, str], ...]
F = TypeVar("F", CounterMetricFamily, GaugeMetricFamily)
__all__ = ["Labels", "Metric", "MetricsServer", "counter", "gauge", "metrics_registry", "service_families"]


# -- family builders (label names from the first key; values a mapping of label values or one number) -----------
def counter(name: str, help_: str, values: dict[Labels, float] | float) -> CounterMetricFamily:
    return _fill(CounterMetricFamily, name, help_, values)


def gauge(name: str, help_: str, values: dict[Labels, float] | float) -> GaugeMetricFamily:
    return _fill(GaugeMetricFamily, name, help_, values)


def _fill(kind: type[F], name: str, help_: str, values: dict[Labels, float] | float) -> F:
    if not isinstance(values, dict):
        return kind(name, help_, value=float(values))
    names = [k for k, _ in next(iter(values))] if values else []
    family = kind(name, help_, labels=names)
    for labels, value in sorted(values.items()):
        family.add_metric([v for _, v in labels], float(value))
    return family


def histogram(name: str, help_: str, figures: Any) -> HistogramMetricFamily:
    """A histogram from running totals (``app.service.latency.Buckets``: upper bounds, cumulative counts, sum)."""
    buckets = [(_le(bound), float(n)) for bound, n in figures.cumulative()]
    return HistogramMetricFamily(name, help_, buckets=buckets, sum_value=float(figures.sum))


def _le(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(float(bound))


# -- the service's numbers -----------------------------------------------------------------------------------
def _per(key: str, items: Any, attr: str) -> dict[Labels, float]:
    return {((key, name),): getattr(item, attr) for name, item in items.items()}


def _device_names(service: Any) -> list[str]:
    plant = service.core.state.plant.devices
    return sorted({*plant.ptl, *plant.printers, *service.devices.names})


def device_families(service: Any) -> list[Metric]:
    """Each device's state, one-hot, and why; ``jis_device_up`` 1 only for a device that is up (not faulted)."""
    line = service.core.state
    states = {name: device_state(line, name) for name in _device_names(service)}
    state = GaugeMetricFamily(
        "jis_device_state",
        "Device state as it reports itself now: 1 for its one current state of up, faulted (answers but cannot work:"
        " paper out, head open, lights that do not answer), down (link down).",
        labels=["device", "state"],
    )
    info = InfoMetricFamily(
        "jis_device_fault",
        "Why a device is faulted or down (the printer's faults, the driver's reason); absent while it is up.",
        labels=["device", "state", "reason"],
    )
    up = GaugeMetricFamily(
        "jis_device_up", "1 while a device is up (linked and without fault), else 0.", labels=["device"]
    )
    for name, (now, reason) in states.items():
        for s in DEVICE_STATES:
            state.add_metric([name, s], 1.0 if s == now else 0.0)
        up.add_metric([name], 1.0 if now == "up" else 0.0)
        if now != "up":
            info.add_metric([name, now, reason], {})
    return [state, info, up]


def _alarms(service: Any) -> dict[Labels, float]:
    counts = Counter((str(d.priority), str(d.state)) for d in service.core.state.deviations.by_id.values())
    return {(("priority", p), ("state", s)): n for (p, s), n in counts.items()}


def service_families(service: Any) -> list[Metric]:
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
        histogram(
            "jis_light_latency_seconds",
            "Broadcast received to bin lit (the device acknowledged the light), seconds, for bins lit on arrival.",
            service.latency.on_arrival,
        ),
        histogram(
            "jis_light_to_core_seconds",
            "Bins lit on arrival: broadcast received to the light command leaving the core (journal and core), s.",
            service.latency.to_core,
        ),
        histogram(
            "jis_light_to_device_seconds",
            "Bins lit on arrival: the light command leaving the core to the device acknowledging it, seconds.",
            service.latency.to_device,
        ),
        histogram(
            "jis_journal_commit_queued_seconds",
            "Journal commits: asked on the event loop to started on the writer thread, seconds.",
            service.sequencing.commit_queued,
        ),
        histogram(
            "jis_journal_commit_seconds",
            "Journal commits: on the writer thread, from start to end (the batch's insert and commit), seconds.",
            service.sequencing.commit_took,
        ),
        histogram(
            "jis_journal_commit_back_seconds",
            "Journal commits: the end on the writer thread to the core taking the batch on the event loop, seconds.",
            service.sequencing.commit_back,
        ),
        histogram(
            "jis_loop_lag_seconds",
            "How much later than asked the event loop woke a sleeper due every 100 ms (10 samples a second): the"
            " lag a timer due at a random moment meets, how long other tasks held the loop, seconds.",
            service.latency.loop_lag,
        ),
        histogram(
            "jis_light_queued_seconds",
            "Broadcast received to bin lit, seconds, for bins that waited for their station (the line's queue).",
            service.latency.queued,
        ),
        gauge("jis_pending_events", "Events waiting for the journal and the core.", service.sequencing.waiting),
        gauge(
            "jis_journal_paused",
            "1 while the journal refuses writes (disk full, read-only): nothing is acknowledged; 0 otherwise.",
            int(service.sequencing.paused),
        ),
        counter(
            "jis_journal_write_failures_total",
            "Journal writes refused by the database (each retry of a paused batch counts).",
            service.sequencing.write_failures,
        ),
        *_disk(service),
        gauge("jis_device_reports_queued", "Device reports waiting for the core.", devices.reports_waiting),
        gauge(
            "jis_label_backlog",
            "Labels waiting in the service for printer outbox room.",
            {(("printer", p),): len(q) for p, q in devices.label_backlog.items()},
        ),
        *device_families(service),
        counter(
            "jis_scanner_reads_total", "Reads each barcode reader sent.", _per("device", devices.scanners, "reads")
        ),
        counter(
            "jis_scanner_duplicates_total",
            "Repeats of a read within the reader's same_code_s, taken as one read (docs/scanner-tcp.md).",
            _per("device", devices.scanners, "duplicates"),
        ),
        counter(
            "jis_scanner_cut_total",
            "Reads longer than the driver's MAX_LINE, reported cut.",
            _per("device", devices.scanners, "cut"),
        ),
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
            "jis_audit_counted_total",
            "Command-channel requests counted, not audited one by one, past a source's lines a minute: unsigned "
            "requests, and refused logins of unknown names (a spray's guesses).",
            _audit_counted(service),
        ),
        counter(
            "jis_commands_unanswered_total",
            "Command-channel requests not answered, past a source's answers a minute: requests no live session "
            "signed that could not be read (a garbage flood).",
            _unanswered(service),
        ),
        counter(
            "jis_vehicles_completed_total",
            "Vehicles whose parts are all picked and labelled.",
            core.state.vehicles_completed,
        ),
        counter("jis_labels_printed_total", "Labels confirmed printed.", core.state.labels_printed),
    ]


class ServiceCollector(Collector):
    """The service's families at each scrape (none for ``service`` None), and those of its other parts (``extra``:
    e.g. the notifier's)."""

    def __init__(self, service: Any, extra: Sequence[Any] = ()) -> None:
        self.service = service
        self.extra = extra

    def collect(self) -> Iterator[Metric]:
        if self.service is not None:
            yield from service_families(self.service)
        for part in self.extra:
            yield from part.metrics()


def metrics_registry(service: Any, extra: Sequence[Any] = (), *, process: bool = True) -> CollectorRegistry:
    """A registry of its own (never the global one: two services in one process, as tests run them, each have
    theirs): the service's collector, and the process, platform and GC collectors (``process=False``: without)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ServiceCollector(service, extra))
    if process:
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
    return registry


def exposition(registry: CollectorRegistry, accept: str = "") -> tuple[bytes, str]:
    """The registry's text and its content type, as the scraper's ``Accept`` header asks (0.0.4 by default)."""
    encode, content_type = choose_encoder(accept)
    return encode(registry), content_type


def _audit_counted(service: Any) -> dict[Labels, float]:
    """The command channel's requests counted past its audit bounds, by kind (0 before the channel runs)."""
    commands = getattr(getattr(service, "hmi", None), "commands", None)
    counted = commands.audit_budget.counted if commands is not None else {}
    return {(("kind", kind),): counted.get(kind, 0) for kind in BOUNDS}


def _unanswered(service: Any) -> dict[Labels, float]:
    """The command channel's requests not answered past its answer bounds, by result (0 before the channel runs)."""
    commands = getattr(getattr(service, "hmi", None), "commands", None)
    unanswered = commands.answer_budget.unanswered if commands is not None else {}
    return {(("result", result),): unanswered.get(result, 0) for result in ANSWERS}


def _disk(service: Any) -> list[Metric]:
    """The disk-space watch's figures, when it watches a folder (a SQLite database's)."""
    disk = getattr(service, "disk", None)
    if disk is None or disk.free_bytes is None:
        return []
    labels = (("folder", str(disk.folder)),)
    return [
        gauge("jis_disk_free_bytes", "Free space of the database's folder, bytes.", {labels: disk.free_bytes}),
        gauge(
            "jis_disk_total_bytes", "Size of the database's folder's file system, bytes.", {labels: disk.total_bytes}
        ),
        gauge(
            "jis_disk_level",
            "Disk-space level of the database's folder: 0 ok, 1 low (P3 alarm), 2 critical (P2 alarm).",
            {labels: {"ok": 0, "low": 1, "critical": 2}[disk.level]},
        ),
    ]


# -- the endpoint --------------------------------------------------------------------------------------------
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 431: "Too Large"}


def _response(status: int, body: bytes, content_type: str = "text/plain; charset=utf-8") -> bytes:
    head = (
        f"HTTP/1.0 {status} {_REASONS[status]}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def _header(lines: Iterable[str], name: str) -> str:
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip().lower() == name:
            return value.strip()
    return ""


class MetricsServer:
    """Serves ``registry`` on ``GET /metrics``; ``port`` is the bound port after ``start``."""

    def __init__(self, registry: CollectorRegistry, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.registry = registry
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
            async with asyncio.timeout(READ_TIMEOUT_S):  # not wait_for: on 3.11 it can swallow a stop
                head = await reader.readuntil(b"\r\n\r\n")
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
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        parts = request_line.split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            return _response(400, b"bad request line\n")
        method, target = parts[0], parts[1].split("?", 1)[0]
        if target != "/metrics":
            return _response(404, b"not found: only /metrics is served\n")
        if method != "GET":
            return _response(405, b"only GET\n")
        self.scrapes += 1
        body, content_type = exposition(self.registry, _header(header_lines, "accept"))
        return _response(200, body, content_type)
