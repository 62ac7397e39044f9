"""Metrics endpoint, alarm notifications and JSON logs over real loopback sockets.

/metrics is scraped over HTTP from a service double and the exposition text parsed by prometheus_client's own
parsers (the text format and OpenMetrics: an implementation independent of the families the service builds);
webhooks land on a small asyncio HTTP server and e-mail on a minimal asyncio SMTP server, both run by the test on
127.0.0.1 port 0.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import random
from collections import Counter, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email import message_from_bytes
from types import SimpleNamespace
from typing import Any

import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics_families
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from app.logjson import JsonFormatter, configure
from app.service import metrics as metrics_module
from app.service.latency import LIT_BOUNDS_S, QUEUED_BOUNDS_S, Buckets
from app.service.metrics import MetricsServer, exposition, metrics_registry
from app.service.notify import Notifier
from plc_io.loopback_ports import free_port
from sequencer.alarms import AlarmState
from sequencer.commands import RaiseDeviation
from sequencer.deviations import Deviation
from sequencer.plant import NotifyRules, PriorityRoute

WAIT_S = 10.0  # upper bound for anything a test waits on; never a timing assertion


# -- a service double with the attributes the collector reads ------------------------------------------------
def _feed(broadcasts: int, gaps: int, duplicates: int) -> SimpleNamespace:
    return SimpleNamespace(broadcasts=broadcasts, gaps=gaps, duplicates=duplicates, recent=deque([1.0] * broadcasts))


LIT_S = (0.0005, 0.003, 0.003, 0.004, 0.008, 0.015, 0.04, 3.0)  # seconds: one in a bucket of its own above 2.5


def _service() -> SimpleNamespace:
    rng = random.Random(7)
    deviations = {
        1: Deviation(deviation_id=1, kind="gap", priority=1, at=0.0, message="gap"),
        2: Deviation(deviation_id=2, kind="device_offline", priority=1, at=0.0, message="ptl-2 offline"),
        3: Deviation(deviation_id=3, kind="change", priority=2, at=0.0, message="c", state=AlarmState.RTN_UNACK),
    }
    state = SimpleNamespace(
        plant=SimpleNamespace(devices=SimpleNamespace(ptl=["ptl-1", "ptl-2"], printers=["zebra-1", "zebra-2"])),
        feeds={"seats": _feed(40, 1, 3), 'we"ird\\feed\nx': _feed(2, 0, 0)},
        devices_down={"ptl-2", "ptl-1/light-3"},
        link_detail={"ptl-2": "connection refused", "ptl-1/light-3": "exception 0x0B"},
        printer_faults={"zebra-1": ("paper out",)},
        deviations=SimpleNamespace(by_id=deviations, counts=Counter(gap=1, device_offline=1, change=1, duplicate=3)),
        vehicles_completed=37,
        labels_printed=74,
    )
    on_arrival, queued = Buckets(LIT_BOUNDS_S), Buckets(QUEUED_BOUNDS_S)
    for seconds in LIT_S:
        on_arrival.observe(seconds)
    for _ in range(50):
        queued.observe(rng.uniform(1.0, 20.0))
    stage = Buckets(LIT_BOUNDS_S)  # the way's stages and the journal's commits: the same figure for each here
    stage.observe(0.04)
    return SimpleNamespace(
        core=SimpleNamespace(state=state),
        latency=SimpleNamespace(
            on_arrival=on_arrival, queued=queued, to_core=stage, to_device=stage, loop_lag=Buckets(LIT_BOUNDS_S)
        ),
        sequencing=SimpleNamespace(
            waiting=3,
            paused=True,
            write_failures=4,
            commit_queued=stage,
            commit_took=stage,
            commit_back=stage,
        ),
        disk=SimpleNamespace(folder="/var/lib/jis", free_bytes=1_500 * 2**20, total_bytes=8_000 * 2**20, level="low"),
        devices=SimpleNamespace(
            names=["ptl-1", "ptl-2", "zebra-1", "zebra-2"],
            reports_waiting=0,
            label_backlog={"zebra-1": deque([1, 2])},
            scanners={"scan-1": SimpleNamespace(reads=12, duplicates=2, cut=1)},
        ),
        intake=SimpleNamespace(quarantined=2, budget=SimpleNamespace(counted=40), pruned=5),
        audit_pruned=7,
        hmi=SimpleNamespace(
            commands=SimpleNamespace(
                audit_budget=SimpleNamespace(counted={"login": 9}),
                answer_budget=SimpleNamespace(unanswered={"malformed": 11}),
            )
        ),
    )


# -- exposition parsing: prometheus_client's own parsers -----------------------------------------------------
@dataclass
class Family:
    kind: str
    help: str
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = field(default_factory=dict)


def _index(families: Any) -> dict[str, Family]:
    out: dict[str, Family] = {}
    for fam in families:
        assert fam.name not in out, f"family {fam.name} twice"
        samples: list[Sample] = fam.samples
        out[fam.name] = Family(
            fam.type, fam.documentation, {(s.name, tuple(sorted(s.labels.items()))): s.value for s in samples}
        )
    return out


def parse_exposition(text: str) -> dict[str, Family]:
    """The text format (0.0.4), parsed by prometheus_client.parser; families by name (a counter's without _total)."""
    assert text.endswith("\n")
    return _index(text_string_to_metric_families(text))


async def http(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), WAIT_S)  # HTTP/1.0: the server closes after the answer
    writer.close()
    await writer.wait_closed()
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(h.split(": ", 1) for h in header_lines)
    return int(status_line.split()[1]), headers, body


@pytest.fixture
async def metrics_server() -> AsyncIterator[tuple[MetricsServer, SimpleNamespace]]:
    service = _service()
    server = MetricsServer(metrics_registry(service))
    await server.start()
    yield server, service
    await server.close()


def _one(fam: Family, name: str, **labels: str) -> float:
    return fam.samples[(name, tuple(sorted(labels.items())))]


async def test_scrape_reports_service_numbers(metrics_server: tuple[MetricsServer, SimpleNamespace]) -> None:
    server, _ = metrics_server
    status, headers, body = await http(server.port, b"GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert int(headers["Content-Length"]) == len(body)
    fams = parse_exposition(body.decode("utf-8"))
    weird = 'we"ird\\feed\nx'
    broadcasts = fams["jis_broadcasts"]
    assert broadcasts.kind == "counter"
    assert _one(broadcasts, "jis_broadcasts_total", feed="seats") == 40
    assert _one(broadcasts, "jis_broadcasts_total", feed=weird) == 2
    assert _one(fams["jis_feed_gaps"], "jis_feed_gaps_total", feed="seats") == 1
    assert _one(fams["jis_feed_duplicates"], "jis_feed_duplicates_total", feed="seats") == 3
    assert _one(fams["jis_broadcasts_last_hour"], "jis_broadcasts_last_hour", feed="seats") == 40
    assert _one(fams["jis_pending_events"], "jis_pending_events") == 3
    assert _one(fams["jis_device_reports_queued"], "jis_device_reports_queued") == 0
    assert _one(fams["jis_label_backlog"], "jis_label_backlog", printer="zebra-1") == 2
    assert _one(fams["jis_scanner_reads"], "jis_scanner_reads_total", device="scan-1") == 12
    assert _one(fams["jis_scanner_duplicates"], "jis_scanner_duplicates_total", device="scan-1") == 2
    assert _one(fams["jis_scanner_cut"], "jis_scanner_cut_total", device="scan-1") == 1
    alarms = {tuple(v for _, v in labels): n for (_, labels), n in fams["jis_alarms"].samples.items()}
    assert alarms == {("1", "active_unacknowledged"): 2, ("2", "returned_unacknowledged"): 1}
    assert _one(fams["jis_deviations_raised"], "jis_deviations_raised_total", kind="duplicate") == 3
    assert _one(fams["jis_quarantined"], "jis_quarantined_total") == 2
    assert _one(fams["jis_vehicles_completed"], "jis_vehicles_completed_total") == 37
    assert _one(fams["jis_labels_printed"], "jis_labels_printed_total") == 74
    assert _one(fams["jis_journal_paused"], "jis_journal_paused") == 1
    assert _one(fams["jis_journal_write_failures"], "jis_journal_write_failures_total") == 4
    assert _one(fams["jis_disk_free_bytes"], "jis_disk_free_bytes", folder="/var/lib/jis") == 1_500 * 2**20
    assert _one(fams["jis_disk_total_bytes"], "jis_disk_total_bytes", folder="/var/lib/jis") == 8_000 * 2**20
    assert _one(fams["jis_disk_level"], "jis_disk_level", folder="/var/lib/jis") == 1
    assert _one(fams["jis_quarantine_counted"], "jis_quarantine_counted_total") == 40
    assert _one(fams["jis_quarantine_pruned"], "jis_quarantine_pruned_total") == 5
    assert _one(fams["jis_audit_pruned"], "jis_audit_pruned_total") == 7
    assert _one(fams["jis_audit_counted"], "jis_audit_counted_total", kind="login") == 9
    assert _one(fams["jis_audit_counted"], "jis_audit_counted_total", kind="unsigned") == 0
    assert _one(fams["jis_commands_unanswered"], "jis_commands_unanswered_total", result="malformed") == 11
    assert all(f.help and f.kind for f in fams.values())
    assert not any(name.endswith("_ms") for name in fams)  # base units only
    # prometheus_client's own collectors, in the service's registry
    assert {
        "process_cpu_seconds",
        "process_resident_memory_bytes",
        "python_info",
        "python_gc_objects_collected",
    } <= set(fams)
    assert server.scrapes == 1


async def test_device_state_is_one_hot_with_its_reason(metrics_server: tuple[MetricsServer, SimpleNamespace]) -> None:
    """A printer in paper-out is faulted, not up: ``jis_device_state`` names exactly one state per device, the
    reason rides on ``jis_device_fault_info``, and ``jis_device_up`` is 1 only for a device that is up."""
    server, service = metrics_server
    _, _, body = await http(server.port, b"GET /metrics HTTP/1.0\r\n\r\n")
    fams = parse_exposition(body.decode())
    assert fams["jis_device_state"].kind == "gauge"
    state: dict[str, dict[str, float]] = {}
    for (_, labels), value in fams["jis_device_state"].samples.items():
        state.setdefault(dict(labels)["device"], {})[dict(labels)["state"]] = value
    assert state == {
        "ptl-1": {"up": 0, "faulted": 1, "down": 0},  # light 3 does not answer: the controller is faulted
        "ptl-2": {"up": 0, "faulted": 0, "down": 1},
        "zebra-1": {"up": 0, "faulted": 1, "down": 0},
        "zebra-2": {"up": 1, "faulted": 0, "down": 0},
    }
    info = fams["jis_device_fault_info"]  # an info metric is a gauge of 1 in the 0.0.4 text format
    assert info.kind == "gauge"
    reasons = {dict(labels)["device"]: (dict(labels)["state"], dict(labels)["reason"]) for _, labels in info.samples}
    assert reasons == {
        "ptl-1": ("faulted", "light-3: exception 0x0B"),
        "ptl-2": ("down", "connection refused"),
        "zebra-1": ("faulted", "paper out"),
    }
    assert all(value == 1 for value in info.samples.values())
    up = {dict(labels)["device"]: v for (_, labels), v in fams["jis_device_up"].samples.items()}
    assert up == {"ptl-1": 0, "ptl-2": 0, "zebra-1": 0, "zebra-2": 1}
    service.core.state.printer_faults.clear()  # the paper is back: the next scrape says so
    _, _, body = await http(server.port, b"GET /metrics HTTP/1.0\r\n\r\n")
    again = parse_exposition(body.decode())
    assert _one(again["jis_device_state"], "jis_device_state", device="zebra-1", state="up") == 1
    assert _one(again["jis_device_up"], "jis_device_up", device="zebra-1") == 1


async def test_latencies_are_histograms_in_seconds(metrics_server: tuple[MetricsServer, SimpleNamespace]) -> None:
    server, _ = metrics_server
    _, _, body = await http(server.port, b"GET /metrics HTTP/1.0\r\n\r\n")
    lit = parse_exposition(body.decode())["jis_light_latency_seconds"]
    assert lit.kind == "histogram"
    buckets = {dict(labels)["le"]: v for (name, labels), v in lit.samples.items() if name.endswith("_bucket")}
    expected = {str(b): sum(1 for s in LIT_S if s <= b) for b in LIT_BOUNDS_S} | {"+Inf": len(LIT_S)}
    assert {float(k): v for k, v in buckets.items()} == {float(k): v for k, v in expected.items()}
    assert _one(lit, "jis_light_latency_seconds_count") == len(LIT_S)
    assert _one(lit, "jis_light_latency_seconds_sum") == pytest.approx(sum(LIT_S))
    queued = parse_exposition(body.decode())["jis_light_queued_seconds"]
    assert _one(queued, "jis_light_queued_seconds_count") == 50
    for name in STAGE_HISTOGRAMS:  # where the way's time goes (docs/observability.md): the 30-50 ms bucket
        stage = parse_exposition(body.decode())[name]
        assert stage.kind == "histogram"
        assert _one(stage, f"{name}_bucket", le="0.03") == 0
        assert _one(stage, f"{name}_bucket", le="0.05") == 1
    assert _one(parse_exposition(body.decode())["jis_loop_lag_seconds"], "jis_loop_lag_seconds_count") == 0


STAGE_HISTOGRAMS = (
    "jis_light_to_core_seconds",
    "jis_light_to_device_seconds",
    "jis_journal_commit_queued_seconds",
    "jis_journal_commit_seconds",
    "jis_journal_commit_back_seconds",
)


def test_histograms_of_two_instances_add_up() -> None:
    """What a summary's quantiles cannot do: two services' buckets summed are the buckets of all their figures
    (``sum by (le) (rate(jis_light_latency_seconds_bucket[5m]))`` across instances)."""
    rng = random.Random(3)
    figures = [rng.expovariate(200.0) for _ in range(2000)]
    one, two, both = Buckets(LIT_BOUNDS_S), Buckets(LIT_BOUNDS_S), Buckets(LIT_BOUNDS_S)
    for i, seconds in enumerate(figures):
        (one if i % 3 else two).observe(seconds)
        both.observe(seconds)
    summed = [(b, n1 + n2) for (b, n1), (_, n2) in zip(one.cumulative(), two.cumulative(), strict=True)]
    assert summed == list(both.cumulative())
    assert list(both.cumulative())[-1] == (float("inf"), 2000)


async def test_openmetrics_when_asked(metrics_server: tuple[MetricsServer, SimpleNamespace]) -> None:
    server, _ = metrics_server
    status, headers, body = await http(
        server.port, b"GET /metrics HTTP/1.0\r\nAccept: application/openmetrics-text; version=1.0.0\r\n\r\n"
    )
    assert status == 200 and headers["Content-Type"].startswith("application/openmetrics-text")
    text = body.decode()
    assert text.endswith("# EOF\n")
    fams = _index(openmetrics_families(text))
    assert fams["jis_device_fault"].kind == "info"
    assert fams["jis_light_latency_seconds"].kind == "histogram"


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET / HTTP/1.0\r\n\r\n", 404),
        (b"GET /metricsx HTTP/1.0\r\n\r\n", 404),
        (b"GET /other/metrics HTTP/1.1\r\nHost: a\r\n\r\n", 404),
        (b"POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n", 405),
        (b"nonsense\r\n\r\n", 400),
        (b"GET /metrics HTTP/1.0\r\nX-Pad: " + b"a" * 20_000 + b"\r\n\r\n", 431),
    ],
)
async def test_other_requests_refused(
    metrics_server: tuple[MetricsServer, SimpleNamespace], request_bytes: bytes, status: int
) -> None:
    server, _ = metrics_server
    got, _, _ = await http(server.port, request_bytes)
    assert got == status
    assert server.scrapes == 0


async def test_loopback_one_request_a_connection_and_a_stalled_head_dropped(
    metrics_server: tuple[MetricsServer, SimpleNamespace], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bound to 127.0.0.1 by default; the connection closes after one answer (a second request on it gets
    nothing); a client that never finishes its request head is dropped unanswered (the 5 s bound, shortened)."""
    server, _ = metrics_server
    assert server.host == "127.0.0.1"
    assert server._server is not None
    assert {s.getsockname()[0] for s in server._server.sockets} == {"127.0.0.1"}
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /metrics HTTP/1.1\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n")
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), WAIT_S)  # EOF after the first answer
    assert answer.count(b"HTTP/1.0 200 OK") == 1
    writer.close()
    monkeypatch.setattr(metrics_module, "READ_TIMEOUT_S", 0.2)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /metrics HTTP/1.0\r\nHost: x\r\n")  # never the blank line that ends the head
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), WAIT_S) == b""  # dropped, nothing answered
    writer.close()
    assert server.scrapes == 1


# -- a webhook receiver and an SMTP server, both on 127.0.0.1 port 0 ------------------------------------------
class WebhookReceiver:
    def __init__(self) -> None:
        self.bodies: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next(int(h.split(":")[1]) for h in lines if h.lower().startswith("content-length:"))
        body = await reader.readexactly(length)
        await self.bodies.put((lines[0], json.loads(body)))
        writer.write(b"HTTP/1.0 204 No Content\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()


SMTP_REPLIES = {"EHLO": b"250 test\r\n", "HELO": b"250 test\r\n", "MAIL": b"250 OK\r\n", "RCPT": b"250 OK\r\n"}


class SmtpReceiver:
    """Just enough SMTP (RFC 5321): greeting, EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, QUIT."""

    def __init__(self) -> None:
        self.mails: asyncio.Queue[tuple[list[str], bytes]] = asyncio.Queue()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 test ESMTP\r\n")
        rcpt: list[str] = []
        for _ in range(100):  # bounded: a test conversation is a handful of commands
            line = (await reader.readline()).decode("ascii").rstrip("\r\n")
            verb = line[:4].upper()
            if verb == "RCPT":
                rcpt.append(line.split(":", 1)[1].strip().strip("<>"))
            if verb == "DATA":
                writer.write(b"354 go ahead\r\n")
                await self.mails.put((rcpt, await self._data(reader)))
                rcpt = []
                writer.write(b"250 OK queued\r\n")
            elif verb in SMTP_REPLIES:
                writer.write(SMTP_REPLIES[verb])
            else:
                writer.write(b"221 bye\r\n" if verb == "QUIT" else b"502 not implemented\r\n")
            await writer.drain()
            if verb in ("QUIT", ""):
                break
        writer.close()

    @staticmethod
    async def _data(reader: asyncio.StreamReader) -> bytes:
        lines = []
        for _ in range(10_000):
            line = await reader.readline()
            if line == b".\r\n":
                break
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


async def _serve(handler: Any) -> asyncio.Server:
    return await asyncio.start_server(handler, "127.0.0.1", 0)


def _port(server: asyncio.Server) -> int:
    return int(server.sockets[0].getsockname()[1])


def _dead_port() -> int:
    """A port nothing listens on: bound, then closed (connection refused on loopback)."""
    return free_port()


def _dev(dev_id: int, priority: int, kind: str = "gap") -> RaiseDeviation:
    return RaiseDeviation(deviation_id=dev_id, kind=kind, priority=priority, message=f"{kind} on seats\nline 2")


@pytest.fixture
async def notifier_task() -> AsyncIterator[list[asyncio.Task[None]]]:
    tasks: list[asyncio.Task[None]] = []
    yield tasks
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_webhook_and_email_delivered(notifier_task: list[asyncio.Task[None]]) -> None:
    hook, smtp = WebhookReceiver(), SmtpReceiver()
    hook_server, smtp_server = await _serve(hook.handle), await _serve(smtp.handle)
    async with hook_server, smtp_server:
        url = f"http://127.0.0.1:{_port(hook_server)}/hooks/secret-token"
        rules = NotifyRules(
            routes={1: PriorityRoute(webhooks=(url,), email_to=("lead@plant.example", "qa@plant.example"))},
            smtp_port=_port(smtp_server),
            source="plant-A line 1",
        )
        notifier = Notifier(rules, clock=lambda: 1_700_000_000.0)
        notifier_task.append(asyncio.create_task(notifier.run()))
        assert notifier.notify(_dev(5, 1)) == 2
        request_line, body = await asyncio.wait_for(hook.bodies.get(), WAIT_S)
        assert request_line == "POST /hooks/secret-token HTTP/1.1"
        assert body == {
            "source": "plant-A line 1",
            "deviation_id": 5,
            "kind": "gap",
            "priority": 1,
            "message": "gap on seats\nline 2",
            "raised_at": "2023-11-14T22:13:20+00:00",
        }
        rcpt, data = await asyncio.wait_for(smtp.mails.get(), WAIT_S)
        assert rcpt == ["lead@plant.example", "qa@plant.example"]
        mail = message_from_bytes(data)
        assert mail["Subject"] == "[plant-A line 1] P1 gap: gap on seats line 2"
        assert mail["From"] == rules.sender
        assert json.loads(mail.get_payload())["deviation_id"] == 5
        await asyncio.wait_for(notifier.drain(), WAIT_S)
        text, _ = exposition(metrics_registry(None, (notifier,), process=False))
        fams = parse_exposition(text.decode())  # the secret path never reaches a label
        sent = fams["jis_notifications_sent"].samples
        hook_label = (("channel", "webhook"), ("target", f"http://127.0.0.1:{_port(hook_server)}"))
        assert sent[("jis_notifications_sent_total", hook_label)] == 1
        assert fams["jis_notifications_queued"].samples[("jis_notifications_queued", ())] == 0
        assert not notifier.failed


@dataclass
class Recorder:
    posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    mails: list[tuple[str, str]] = field(default_factory=list)

    def post(self, url: str, body: bytes, timeout_s: float) -> None:
        self.posts.append((url, json.loads(body)))

    def send(self, rules: NotifyRules, message: Any) -> None:
        self.mails.append((message["To"], message["Subject"]))


async def test_priority_routing(notifier_task: list[asyncio.Task[None]]) -> None:
    rec = Recorder()
    rules = NotifyRules(
        routes={
            1: PriorityRoute(webhooks=("http://hooks.example/p1", "https://pager.example/x"), email_to=("a@x",)),
            2: PriorityRoute(email_to=("b@x",)),
        }
    )
    notifier = Notifier(rules, webhook_post=rec.post, smtp_send=rec.send)
    notifier_task.append(asyncio.create_task(notifier.run()))
    assert notifier.notify(_dev(1, 3, "hold")) == 0  # priority 3 not routed
    assert notifier.notify(_dev(2, 2, "change")) == 1
    assert notifier.notify(_dev(3, 1)) == 3
    await asyncio.wait_for(notifier.drain(), WAIT_S)
    assert [(u, b["deviation_id"]) for u, b in rec.posts] == [
        ("http://hooks.example/p1", 3),
        ("https://pager.example/x", 3),
    ]
    assert [to for to, _ in rec.mails] == ["b@x", "a@x"]


def test_rules_refuse_non_http_webhooks_and_unknown_keys() -> None:
    with pytest.raises(ValueError, match="http"):
        PriorityRoute(webhooks=("file:///etc/passwd",))
    with pytest.raises(ValueError, match="smtp_hots"):
        NotifyRules.model_validate({"smtp_hots": "x"})
    assert NotifyRules.model_validate({"routes": {"1": {"email_to": ["a@x"]}}}).routes[1].email_to == ("a@x",)


async def test_dead_webhook_logged_once_and_counted(
    notifier_task: list[asyncio.Task[None]], caplog: pytest.LogCaptureFixture
) -> None:
    rec = Recorder()
    dead = f"http://127.0.0.1:{_dead_port()}/hook?token=s3cret"
    rules = NotifyRules(routes={1: PriorityRoute(webhooks=(dead,), email_to=("a@x",))}, timeout_s=2.0)
    notifier = Notifier(rules, smtp_send=rec.send)  # the real urllib POST against a closed port
    task = asyncio.create_task(notifier.run())
    notifier_task.append(task)
    with caplog.at_level(logging.ERROR, logger="app.service.notify"):
        for i in range(3):
            notifier.notify(_dev(i, 1))
        await asyncio.wait_for(notifier.drain(), WAIT_S * 3)
    failing = [r for r in caplog.records if "failing" in r.getMessage()]
    assert len(failing) == 1
    assert "s3cret" not in caplog.text
    assert notifier.failed[("webhook", dead)] == 3
    assert len(rec.mails) == 3  # the e-mails still went out
    assert not task.done()
    failed = next(m for m in notifier.metrics() if m.name == "jis_notifications_failed")
    assert [s.value for s in failed.samples] == [3]


async def test_full_queue_drops_oldest_and_counts(notifier_task: list[asyncio.Task[None]]) -> None:
    rec = Recorder()
    rules = NotifyRules(routes={1: PriorityRoute(webhooks=("http://hooks.example/p1",))}, queue_size=2)
    notifier = Notifier(rules, webhook_post=rec.post)
    for i in range(5):  # the worker is not running yet: the queue fills
        notifier.notify(_dev(i, 1))
    assert notifier.dropped == 3
    notifier_task.append(asyncio.create_task(notifier.run()))
    await asyncio.wait_for(notifier.drain(), WAIT_S)
    assert [b["deviation_id"] for _, b in rec.posts] == [3, 4]


# -- JSON logs -----------------------------------------------------------------------------------------------
def test_json_lines_carry_fields_and_exceptions() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure("INFO", json_lines=True, stream=stream)
        logger = logging.getLogger("jis.test")
        logger.info("broadcast %s/%d", "seats", 7, extra={"feed": "seats", "seq": 7, "obj": object()})
        logger.debug("not shown")
        try:
            raise RuntimeError("boom\nsecond line")
        except RuntimeError:
            logger.exception("failed")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["msg"] == "broadcast seats/7" and first["level"] == "INFO" and first["logger"] == "jis.test"
    assert first["feed"] == "seats" and first["seq"] == 7 and first["obj"].startswith("<object")
    assert first["ts"].endswith("+00:00") and "T" in first["ts"]
    assert second["level"] == "ERROR" and "RuntimeError: boom" in second["exc"]


def test_text_format_still_available() -> None:
    record = logging.LogRecord("x", logging.WARNING, "f.py", 1, "plain %s", ("text",), None)
    assert json.loads(JsonFormatter().format(record))["msg"] == "plain text"
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        configure(logging.WARNING, json_lines=False, stream=stream)
        logging.getLogger("x").warning("plain %s", "text")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    assert stream.getvalue().rstrip().endswith("WARNING x: plain text")
