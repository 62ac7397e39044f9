"""Bounds on every ZeroMQ socket and every JSON edge, on 127.0.0.1 (issue 15 item 3; docs/security.md).

Each socket's ``ZMQ_MAXMSGSIZE`` is sized from the largest legitimate message with a margin (built here), and a
frame over it is dropped by libzmq before it is allocated, its connection closed: eight connections sending frames a
few MB over the limit (in another process, so that their send buffers are not counted) leave the service's memory
where it was, reach nothing of the service, and the socket still serves the next honest peer. JSON nested deeper
than the edges allow is refused with the reason before any parser reads it: a broadcast is quarantined, an HMI
command is answered "malformed" and audited (it used to escape the audit with a RecursionError, answer "error" and
log a traceback each time), a simulator control request is answered and the channel lives on.
Loops are bounded in count and time; the flooders run under a time-out.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import zmq
import zmq.asyncio

from app.config import load_plant, with_free_ports
from app.feed.formats.canonical import Problem
from app.feed.importer import _problem_frame
from app.feed.link import MAX_FRAME_BYTES as FEED_FRAME_BYTES
from app.feed.link import FeedLink
from app.feed.protocol import BCAST, MAX_BODY_BYTES, MAX_BODY_DEPTH, decode_broadcast, raw_identity
from app.hmi.audit_bounds import ROWS_PER_SOURCE
from app.hmi.bus import HmiPublisher
from app.hmi.wire import MAX_FRAME_BYTES as COMMAND_FRAME_BYTES
from app.hmi.wire import MAX_REQUEST_BYTES, MAX_REQUEST_DEPTH
from hardware_sims.control import MAX_REQUEST_BYTES as SIM_REQUEST_BYTES
from hardware_sims.zpl_printer import ZplPrinterSim
from plc_io.zpl_labels.layouts import render_label
from sequencer.clone import ICANHAZ, KTHXBAI, MAX_FRAME_BYTES, MAX_REQUEST_FRAME_BYTES, entries
from sequencer.core import Sequencer
from sequencer.json_guard import MAX_DEPTH
from sequencer.projection import line_view
from sequencer.views import DeviationView
from tests.fake_line import running
from tests.integration.test_feed_link import Recorder
from tests.integration.test_feed_security import Gateway, order
from tests.integration.test_hmi_commands import Line, line  # noqa: F401  (the fixture)
from tests.integration.test_sim_control import LABEL
from tests.integration.test_sim_control import plant as sim_plant  # noqa: F401  (the fixture)
from tests.plants import demo_plant
from ui.bus_client import SNAPSHOT_OPTIONS, SUB_OPTIONS
from ui.command_client import DEALER_OPTIONS as COMMAND_OPTIONS
from ui.command_client import MAX_REPLY_BYTES
from ui.dealer import open_socket
from ui.engineer.link import DEALER_OPTIONS as SIM_OPTIONS
from ui.engineer.link import MAX_ANSWER_BYTES

WAIT_S = 10.0
FLOOD_CONNECTIONS, FLOOD_MESSAGES = 8, 3
OVER_BY = 3 * 1024 * 1024  # each flooding frame is this much over its socket's limit
RSS_GROWTH_LIMIT = 48 * 1024 * 1024  # the flood sends 8 x 3 x (limit + 3 MB) = over 72 MB

FLOOD = """
import os, sys, time, zmq
endpoint, size, count, connections, kind, socket_type = sys.argv[1:7]
ctx = zmq.Context()
socks = [ctx.socket(getattr(zmq, socket_type)) for _ in range(int(connections))]
for s in socks:
    s.setsockopt(zmq.LINGER, 2000)
    s.connect(endpoint)
body = b"{" + b" " * (int(size) - 2) + b"}"
frames = [kind.encode(), body] if kind else [body]
for i in range(int(count)):
    for s in socks:
        if socket_type == "SUB":
            s.setsockopt(zmq.SUBSCRIBE, body[:-1] + bytes([i]))
        else:
            s.send_multipart(frames)
if socket_type == "SUB":  # libzmq's SUB recurses per byte when it drops its subscriptions at close: just go
    time.sleep(1.5)
    os._exit(0)
for s in socks:
    s.close()
ctx.term()
"""


def flood(endpoint: str, frame_bytes: int, kind: bytes = b"", socket_type: str = "DEALER") -> None:
    """Eight connections from another process, each sending a few frames ``frame_bytes`` long (bounded: 60 s);
    a SUB's frames are its subscriptions (what a PUB reads)."""
    args = [endpoint, str(frame_bytes), str(FLOOD_MESSAGES), str(FLOOD_CONNECTIONS), kind.decode(), socket_type]
    subprocess.run([sys.executable, "-c", FLOOD, *args], check=True, timeout=60)


def rss() -> int:
    for line_ in Path("/proc/self/status").read_text().splitlines():
        if line_.startswith("VmRSS:"):
            return int(line_.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@contextmanager
def peak_rss_growth() -> Iterator[list[int]]:
    """The largest growth of this process's resident memory while inside, sampled every 10 ms (``[growth]``)."""
    gc.collect()
    base, peak, done = rss(), [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            peak[0] = max(peak[0], rss() - base)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join(5)


async def flood_while_serving(endpoint: str, frame_bytes: int, kind: bytes = b"", socket_type: str = "DEALER") -> int:
    """Run the flood in a worker thread so the event loop keeps serving; the peak memory growth it caused."""
    with peak_rss_growth() as peak:
        await asyncio.to_thread(flood, endpoint, frame_bytes, kind, socket_type)
        await asyncio.sleep(0.3)  # whatever was queued is read by now
    return peak[0]


# -- the feed ------------------------------------------------------------------------------------------------------
def largest_broadcast() -> bytes:
    """A broadcast at the schema's limits, every identifier character one that JSON escapes to two bytes."""
    worst = '"\\' * 32  # 64 characters, 128 bytes escaped
    body = {
        "feed": worst, "seq": 9999, "vehicle_id": worst, "function": "original", "firm": True,
        "options": [f"{i:03d}{worst[3:]}" for i in range(500)],
        "parts": {f"{i:03d}{worst[3:]}": worst for i in range(100)},
        "sent_at": 1.7e9, "reporting_point": "\U0001f697" * 64, "line": "\U0001f697" * 64,
    }  # fmt: skip
    return json.dumps(body, separators=(",", ":")).encode()


def test_the_largest_legitimate_broadcast_fits_the_limits_with_room() -> None:
    raw = largest_broadcast()
    assert decode_broadcast(raw).seq == 9999
    assert len(raw) < 0.8 * MAX_BODY_BYTES < FEED_FRAME_BYTES // 2  # ~94 KB, the body limit 128 KiB, the frame 256
    assert MAX_BODY_DEPTH == MAX_DEPTH == 8


async def test_a_body_too_large_or_too_deep_is_quarantined_with_the_reason(database_url: str) -> None:
    plant = with_free_ports(load_plant(), database=database_url)
    ctx = zmq.asyncio.Context()
    try:
        async with running(plant) as line_:
            gw = Gateway(ctx, plant.service.feed_endpoint, None, b"local")
            deep = b'{"feed": "L1", "seq": 1, "options": ' + b"[" * 50 + b"]" * 50 + b"}"
            big = order(1)[:-1] + b', "pad": "' + b"x" * MAX_BODY_BYTES + b'"}'
            for body, reason in ((deep, f"nested deeper than {MAX_DEPTH} levels"), (big, "larger than 131072 bytes")):
                await gw.send(BCAST, body)
                ack = await gw.next(b"ACK")
                assert ack["status"] == "quarantined" and reason in ack["reason"], ack
            await gw.send(BCAST, order(1))
            assert (await gw.next(b"ACK"))["status"] == "accepted"
            gw.close()
        malformed = [d.message for d in line_.service.core.state.deviations.by_id.values() if d.kind == "malformed"]
        assert len(malformed) == 2 and "nested deeper" in malformed[0] and "larger than" in malformed[1]
    finally:
        ctx.destroy(linger=0)


async def test_frames_over_the_feeds_limit_are_dropped_and_memory_stays_put() -> None:
    ctx = zmq.asyncio.Context()
    rec = Recorder()
    link = FeedLink("tcp://127.0.0.1:0", rec.accept, reject=rec.reject, context=ctx)
    link.bind()
    task = asyncio.create_task(link.run())
    try:
        growth = await flood_while_serving(link.endpoint, FEED_FRAME_BYTES + OVER_BY, BCAST)
        assert (link.received, link.rejected, rec.quarantined) == (0, 0, [])  # not one reached the link
        assert growth < RSS_GROWTH_LIMIT, f"grew by {growth / 1e6:.0f} MB"
        gw = Gateway(ctx, link.endpoint, None, b"honest")  # the socket still serves the next peer
        await gw.send(BCAST, order(1))
        assert (await gw.next(b"ACK"))["status"] == "accepted"
        gw.close()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        ctx.destroy(linger=0)


@pytest.mark.parametrize("raw", [b"\x01" * 1_000_000, "\u00e9".encode() * 500_000, bytes(range(256)) * 4000])
def test_jis_import_sends_a_huge_unreadable_message_within_the_body_limit(raw: bytes) -> None:
    """A message of a file that could not be read goes to the quarantine with its start only: whole, it would be
    dropped at the feed's socket (and the import would stall on a service that never answers it). It keeps its
    identity (issue 14): the service reads the message id it carries, so a second import does not keep it again."""
    file_digest = hashlib.sha256(raw).hexdigest()  # any file's SHA-256
    body = _problem_frame(Path("huge.edi"), Problem(index=3, reason="no SEQ group", raw=raw), file_digest)
    assert len(body) <= MAX_BODY_BYTES
    sent = json.loads(body)
    assert sent["raw_bytes"] == str(len(raw)) and sent["file"] == "huge.edi"
    assert sent["message_id"].startswith(f"file/{file_digest[:32]}/3/")
    assert raw_identity(body) == f"raw/msg/{sent['message_id']}"


# -- the HMI command channel ---------------------------------------------------------------------------------------
async def test_a_deeply_nested_command_is_malformed_audited_and_costs_nothing(
    line: Line,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    token = await line.login("lars")
    deep = json.dumps({"op": "intent", "token": token, "type": "HoldVehicle", "reason": "x", "fields": {}})
    deep_raw = deep[:-2].encode() + b'"f": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
    started = time.monotonic()
    for _ in range(50):
        reply = await line.ask(deep_raw)
        assert (reply["code"], reply["error"]) == (
            "malformed",
            f"not a valid HMI command: request nested deeper than {MAX_REQUEST_DEPTH} levels",
        )
    assert time.monotonic() - started < WAIT_S
    audit = line.audit()
    # audited one line each up to the source's bound, the rest counted (app/hmi/audit_bounds.py)
    assert audit[0][3] == "done" and [a[3] for a in audit[1:]] == ["malformed"] * ROWS_PER_SOURCE
    assert line.server.outcomes["error"] == 0
    assert not [r for r in caplog.records if r.exc_info]  # no traceback logged for any of them
    assert (await line.intent(token, "HoldVehicle", {"feed": "L1", "seq": 5}))["ok"]


async def test_a_command_over_the_request_limit_is_answered_and_audited(line: Line) -> None:  # noqa: F811
    body = b'{"op": "login", "user": "lars", "password": "' + b"x" * MAX_REQUEST_BYTES + b'"}'
    assert len(body) < COMMAND_FRAME_BYTES  # read, answered, audited; beyond the frame limit: dropped
    reply = await line.ask(body)
    assert reply["code"] == "malformed" and f"request larger than {MAX_REQUEST_BYTES} bytes" in reply["error"]
    assert line.audit()[-1][3] == "malformed"


async def test_commands_over_the_frame_limit_are_dropped_and_memory_stays_put(line: Line) -> None:  # noqa: F811
    growth = await flood_while_serving(line.endpoint, COMMAND_FRAME_BYTES + OVER_BY)
    assert sum(line.server.outcomes.values()) == 0 and line.audit() == []  # never read
    assert growth < RSS_GROWTH_LIMIT, f"grew by {growth / 1e6:.0f} MB"
    assert await line.login("lars")  # the channel still serves


# -- the HMI bus: what the service takes, and what a screen takes --------------------------------------------------
async def test_the_bus_sockets_drop_anything_but_small_requests() -> None:
    ctx = zmq.asyncio.Context()
    bus = HmiPublisher(ctx, "tcp://127.0.0.1:0")
    try:
        for endpoint, peer in ((bus.snapshot_endpoint, "DEALER"), (bus.endpoint, "SUB")):  # requests; subscriptions
            growth = await flood_while_serving(endpoint, MAX_REQUEST_FRAME_BYTES + OVER_BY, socket_type=peer)
            assert growth < RSS_GROWTH_LIMIT, f"{endpoint}: grew by {growth / 1e6:.0f} MB"
        asker = ctx.socket(zmq.DEALER)
        asker.setsockopt(zmq.LINGER, 0)
        asker.connect(bus.snapshot_endpoint)
        await asker.send_multipart([ICANHAZ, b"7"])
        answered = b""
        for _ in range(200):  # bounded: a few publishes' worth
            bus.serve_snapshots()
            if await asker.poll(50):
                answered = (await asker.recv_multipart())[0]
                break
        assert answered == KTHXBAI  # an empty store: the snapshot is its end alone
        asker.close(linger=0)
    finally:
        bus.close()
        ctx.destroy(linger=0)


def test_the_largest_bus_frame_of_a_busy_line_fits_a_screens_limit() -> None:
    message = "rack L1/seats/12: due in -5 min, not shipped " + "x" * 200
    alarms = tuple(
        DeviationView(
            id=100_000 + i,
            kind="late",
            priority=1,
            at=1.7e9,
            message=message,
            feed="L1",
            seq=i,
            vehicle_id="",
            station="",
        )
        for i in range(20_000)
    )
    view = line_view(Sequencer(demo_plant()), rev=1, at=1.7e9).model_copy(update={"deviations": alarms})
    largest = max(len(value) for value in entries(view).values())
    assert largest * 10 < MAX_FRAME_BYTES  # 20,000 open alarms: the order list, ~300 KB
    assert SUB_OPTIONS[zmq.MAXMSGSIZE] == SNAPSHOT_OPTIONS[zmq.MAXMSGSIZE] == MAX_FRAME_BYTES


def hear(pub: zmq.Socket[bytes], sub: zmq.Socket[bytes], frame: bytes) -> bytes:
    """Publish ``frame`` every 100 ms until the SUB hears something (bounded: WAIT_S); what it heard first."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        pub.send(frame)
        if sub.poll(100):
            return sub.recv()
    raise AssertionError(f"nothing heard within {WAIT_S} s")


def test_a_screen_drops_a_frame_over_its_limit() -> None:
    pub = zmq.Context.instance().socket(zmq.PUB)
    pub.setsockopt(zmq.LINGER, 0)
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    sub = open_socket(zmq.SUB, SUB_OPTIONS)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(f"tcp://127.0.0.1:{port}")
    try:
        assert hear(pub, sub, b"hello") == b"hello"  # connected and subscribed
        with peak_rss_growth() as peak:
            pub.send(b"x" * (MAX_FRAME_BYTES + OVER_BY))  # dropped by the screen's libzmq, with the connection
            pub.send(b"after")
            assert not sub.poll(1000)  # and libzmq does not re-dial it (the BusClient does: tests/ui/test_hmi_bus.py)
        assert peak[0] < RSS_GROWTH_LIMIT
    finally:
        sub.close(linger=0)
        pub.close(linger=0)


def test_the_screens_links_are_bounded() -> None:
    assert COMMAND_OPTIONS[zmq.MAXMSGSIZE] == MAX_REPLY_BYTES
    assert SIM_OPTIONS[zmq.MAXMSGSIZE] == MAX_ANSWER_BYTES


# -- the simulators' control channel -------------------------------------------------------------------------------
async def test_the_sim_control_channel_refuses_deep_requests_and_lives_on(sim_plant: Any) -> None:  # noqa: F811
    _, control, client = sim_plant
    deep = b'{"op": "state", "id": 3, "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    answer = await client.raw(deep)
    assert answer == {"id": None, "ok": False, "error": f"request nested deeper than {MAX_DEPTH} levels"}
    growth = await flood_while_serving(control.endpoint, SIM_REQUEST_BYTES + OVER_BY)
    assert growth < RSS_GROWTH_LIMIT, f"grew by {growth / 1e6:.0f} MB"
    assert (await client.state()).plant  # the channel lives on


async def test_the_largest_sim_state_fits_the_engineers_limit(sim_plant: Any) -> None:  # noqa: F811
    sim, _, client = sim_plant
    printer = next(p for p in sim.printers.values() if isinstance(p, ZplPrinterSim))
    _, writer = await asyncio.open_connection("127.0.0.1", printer.print_port)
    writer.write(render_label(LABEL).encode() * 20)
    await writer.drain()
    await printer.wait_printed(20, WAIT_S)
    writer.close()
    answer = json.dumps(await client.ok(op="state", labels=20)).encode()
    lights = sum(len(g.lights) for g in (await client.state()).gateways.values())
    per_light = len(json.dumps((await client.ok(op="state"))["state"]["gateways"]).encode()) / lights
    big_plant = 16 * 247 * per_light + 16 * len(answer)  # 16 controllers of 247 lights, 16 printers' 20 labels
    assert big_plant * 2 < MAX_ANSWER_BYTES, f"{len(answer)} B with 20 labels, {per_light:.0f} B a light"
