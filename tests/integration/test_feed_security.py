"""The OEM feed against a hostile or careless peer, on 127.0.0.1 (issue 15 items 1 and 2; docs/security.md).

The real service (fake devices) with CURVE on the feed and ``gateway_keys = ["oem-l1"]`` for L1: a peer holding
another allowed key (a spare gateway's) connects, but a broadcast it sends for L1 (a cancel of a real vehicle, a
number 5,000 ahead) is refused, quarantined with the reason and shown as an ``unauthorised`` deviation, never applied
(unless a lead reprocesses it); its heartbeats for L1 count for nothing; and the resend request for a gap goes to
L1's own gateway, never to it. In
the dev profile (no CURVE, loopback only), a number outside the plausible window is acknowledged ``refused``, with
no gap alarm and no resend; one outside the feed's ring is quarantined; a replay of what shipped is a duplicate.
Gateways here are plain DEALERs speaking the wire protocol (docs/feed-protocol.md); waits are bounded.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import zmq
import zmq.asyncio

from app.config import load_plant, with_free_ports
from app.feed.link import FeedLink
from app.feed.protocol import ACK, BCAST, HB, RESEND
from app.net.curve_keys import load_curve_server, load_public_key, write_keypair
from app.service.runtime import ExposedSurface, Service
from hardware_sims.oem_socket import CurveClientKeys
from sequencer.plant import FeedCurveConfig, PlantConfig
from tests.fake_line import FakeLine, running
from tests.integration.test_feed_link import Recorder

WAIT_S = 10.0


@pytest.fixture
def ctx() -> Iterator[zmq.asyncio.Context]:
    context = zmq.asyncio.Context()
    yield context
    context.destroy(linger=0)


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    """The service, L1's gateway and a spare gateway (both allowed to connect), and an intruder (not allowed)."""
    for name in ("service", "oem-l1", "spare", "intruder"):
        write_keypair(tmp_path, name)
    allowed = tmp_path / "gateways"
    allowed.mkdir()
    for name in ("oem-l1", "spare"):
        (allowed / f"{name}.key").write_bytes((tmp_path / f"{name}.key").read_bytes())
    return tmp_path


def curve_plant(keys: Path, database_url: str) -> PlantConfig:
    plant = with_free_ports(load_plant(), database=database_url)
    curve = FeedCurveConfig(secret_key=str(keys / "service.key_secret"), allowed_keys=str(keys / "gateways"))
    feeds = tuple(f.model_copy(update={"gateway_keys": ("oem-l1",)}) for f in plant.feeds)
    service = plant.service.model_copy(update={"feed_curve": curve, "zmq_security": "plant"})
    return plant.model_copy(update={"service": service, "feeds": feeds})


def order(seq: int, function: str = "original", feed: str = "L1") -> bytes:
    return json.dumps(
        {"feed": feed, "seq": seq, "vehicle_id": f"VIN{seq:014d}", "function": function, "firm": True,
         "options": ["S1", "P040"], "sent_at": time.time(), "reporting_point": "R100", "line": "A1"}
    ).encode()  # fmt: skip


class Gateway:
    """A DEALER speaking the feed protocol, with CURVE keys or none; ``heard`` keeps what the service sent it."""

    def __init__(self, ctx: zmq.asyncio.Context, endpoint: str, keys: CurveClientKeys | None, identity: bytes):
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.ROUTING_ID, identity)
        self.sock.setsockopt(zmq.LINGER, 0)
        if keys is not None:
            self.sock.curve_serverkey, self.sock.curve_publickey = keys.server_key, keys.public_key
            self.sock.curve_secretkey = keys.secret_key
        self.sock.connect(endpoint)
        self.heard: list[tuple[bytes, dict[str, Any]]] = []

    async def send(self, kind: bytes, body: bytes) -> None:
        await self.sock.send_multipart([kind, body])

    async def next(self, kind: bytes, within_s: float = WAIT_S) -> dict[str, Any]:
        """The next message of ``kind`` (others are kept in ``heard``); AssertionError after ``within_s``."""
        deadline = time.monotonic() + within_s
        while (left := deadline - time.monotonic()) > 0:
            if not await self.sock.poll(int(left * 1000)):
                break
            frames = await self.sock.recv_multipart()
            self.heard.append((frames[0], json.loads(frames[1])))
            if frames[0] == kind:
                return self.heard[-1][1]
        raise AssertionError(f"no {kind.decode()} within {within_s} s; heard {self.heard}")

    async def quiet(self, for_s: float) -> list[tuple[bytes, dict[str, Any]]]:
        """Everything heard within ``for_s``."""
        deadline = time.monotonic() + for_s
        while (left := deadline - time.monotonic()) > 0:
            if await self.sock.poll(int(left * 1000)):
                frames = await self.sock.recv_multipart()
                self.heard.append((frames[0], json.loads(frames[1])))
        return self.heard

    def close(self) -> None:
        self.sock.close(linger=0)


def client(keys: Path, name: str) -> CurveClientKeys:
    return CurveClientKeys.from_files(keys / f"{name}.key_secret", keys / "service.key")


@asynccontextmanager
async def gateways(
    ctx: zmq.asyncio.Context, endpoint: str, *specs: tuple[CurveClientKeys | None, bytes]
) -> AsyncIterator[list[Gateway]]:
    made = [Gateway(ctx, endpoint, keys, identity) for keys, identity in specs]
    try:
        yield made
    finally:
        for gw in made:
            gw.close()


def deviations(line: FakeLine, kind: str) -> list[Any]:
    return [d for d in line.service.core.state.deviations.by_id.values() if d.kind == kind]


async def until(predicate: Any, what: str) -> None:
    for _ in range(int(WAIT_S / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


# -- CURVE: a gateway may publish only its own feeds ----------------------------------------------------------
async def test_a_gateway_not_allowed_for_the_feed_is_refused_and_never_applied(
    ctx: zmq.asyncio.Context, keys: Path, database_url: str
) -> None:
    async with running(curve_plant(keys, database_url)) as line:
        endpoint = line.plant.service.feed_endpoint
        async with gateways(ctx, endpoint, (client(keys, "oem-l1"), b"oem-L1"), (client(keys, "spare"), b"spare")) as (
            real,
            rogue,
        ):
            await real.send(BCAST, order(1))
            assert (await real.next(ACK))["status"] == "accepted"
            for body in (order(1, "cancel"), order(2), order(5001)):  # a cancel of a real vehicle, the next, a phantom
                await rogue.send(BCAST, body)
                ack = await rogue.next(ACK)
                assert ack["status"] == "quarantined", ack
                spare = load_public_key(keys / "spare.key").decode()
                assert ack["reason"] == f"gateway key {spare} may not publish feed L1 (not among its gateway_keys)"
            feed = line.service.core.state.feeds["L1"]
            assert (feed.last_seq, feed.vehicles[0].status, feed.gaps) == (1, "open", 0)  # not cancelled
            refused = deviations(line, "unauthorised")
            assert [d.seq for d in refused] == [1, 2, 5001]
            assert all(
                d.message.startswith("quarantined #") and "may not publish feed L1" in d.message for d in refused
            )
            assert line.service.intake.quarantined == 3
            heard = line.service.feed_link.last_heard("L1")
            await rogue.send(HB, json.dumps({"feed": "L1", "last_seq": 9000, "at": time.time()}).encode())
            await until(lambda: line.service.feed_link.unauthorised == 1, "the rogue heartbeat counted")
            assert line.service.feed_link.last_heard("L1") == heard  # not liveness for L1
            ok, said = await line.service.reprocess(2)  # a lead who checked lets the rogue's seq 2 through
            assert ok and said == "L1 2: accepted"
            assert line.service.core.state.feeds["L1"].last_seq == 2


async def test_a_gap_is_asked_of_the_feeds_own_gateway_never_of_another(
    ctx: zmq.asyncio.Context, keys: Path, database_url: str
) -> None:
    async with running(curve_plant(keys, database_url)) as line:
        endpoint = line.plant.service.feed_endpoint
        async with gateways(ctx, endpoint, (client(keys, "oem-l1"), b"oem-L1"), (client(keys, "spare"), b"spare")) as (
            real,
            rogue,
        ):
            await real.send(BCAST, order(1))
            await real.next(ACK)
            await rogue.send(BCAST, order(2))  # the rogue speaks last for L1...
            await rogue.send(HB, json.dumps({"feed": "L1", "last_seq": 2, "at": time.time()}).encode())
            await rogue.next(ACK)
            await until(lambda: line.service.feed_link.unauthorised == 1, "the rogue's heartbeat")
            line.service.feed_link.request_resend("L1", 2, 3)  # ...when a resend for L1 is asked for
            resend = await real.next(RESEND)
            assert (resend["feed"], resend["from_seq"], resend["to_seq"]) == ("L1", 2, 3)
            await real.send(BCAST, order(5))  # the core's own request for a gap (2..4) goes the same way
            resend = await real.next(RESEND)
            assert (resend["from_seq"], resend["to_seq"]) == (2, 4)
            assert not [kind for kind, _ in await rogue.quiet(0.5) if kind == RESEND]  # never the rogue's


async def test_an_unknown_key_completes_no_handshake(ctx: zmq.asyncio.Context, keys: Path, database_url: str) -> None:
    async with running(curve_plant(keys, database_url)) as line:
        async with gateways(ctx, line.plant.service.feed_endpoint, (client(keys, "intruder"), b"x")) as (intruder,):
            await intruder.send(BCAST, order(1))  # queued in the DEALER: the handshake is refused
            await until(lambda: line.service.feed_link.refused >= 1, "the handshake refused")
            assert not await intruder.quiet(0.3)
        assert line.service.core.state.feeds["L1"].last_seq is None
        assert line.service.intake.quarantined == 0  # nothing of it reached the service


async def test_a_routing_id_taken_over_by_another_key_gets_no_resend(ctx: zmq.asyncio.Context, keys: Path) -> None:
    """A peer with an allowed key that connects under L1's gateway's routing id (ROUTER_HANDOVER gives it the id)
    and speaks: the route for L1 is dropped, so a RESEND for L1 waits for the real gateway to speak again."""
    publishers = {"L1": frozenset({client(keys, "oem-l1").public_key})}
    server = load_curve_server(keys / "service.key_secret", keys / "gateways")
    rec = Recorder()
    link = FeedLink("tcp://127.0.0.1:0", rec.accept, context=ctx, curve=server, publishers=publishers)
    link.bind()
    task = asyncio.create_task(link.run())
    try:
        async with gateways(ctx, link.endpoint, (client(keys, "oem-l1"), b"gw")) as (real,):
            await real.send(HB, json.dumps({"feed": "L1", "last_seq": 1, "at": time.time()}).encode())
            await until(lambda: link.last_heard("L1") is not None, "L1's gateway heard")
            real.sock.setsockopt(zmq.RECONNECT_IVL, 60_000)  # once its connection is taken, it stays away
            async with gateways(ctx, link.endpoint, (client(keys, "spare"), b"gw")) as (taker,):
                await taker.send(HB, json.dumps({"feed": "L2", "last_seq": 1, "at": time.time()}).encode())
                await until(lambda: link.unauthorised == 1, "the taker's heartbeat")
                link.request_resend("L1", 5, 6)
                assert not [kind for kind, _ in await taker.quiet(0.5) if kind == RESEND]
                assert link.pending_resends == 1  # kept for L1's own gateway
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


# -- plausible input only (the dev profile: no CURVE, loopback) ---------------------------------------------------
async def test_a_number_far_ahead_is_refused_not_accepted_and_nothing_is_resent(
    ctx: zmq.asyncio.Context, database_url: str
) -> None:
    """The issue's phantom: 5,000 ahead was picked and labelled, its "gap" asked of the sender, a P1 alarm left open."""
    plant = with_free_ports(load_plant(), database=database_url)
    async with running(plant) as line:
        async with gateways(ctx, plant.service.feed_endpoint, (None, b"local")) as (gw,):
            await gw.send(BCAST, order(1))
            assert (await gw.next(ACK))["status"] == "accepted"
            await gw.send(BCAST, order(5001))
            ack = await gw.next(ACK)
            assert (ack["status"], ack["seq"]) == ("refused", 5001)
            assert "5000 ahead of the newest, 1" in ack["reason"]
            await gw.send(BCAST, order(10_005))  # outside the ring: malformed, quarantined
            ack = await gw.next(ACK)
            assert ack["status"] == "quarantined" and "outside feed L1's numbers, 0..9999" in ack["reason"]
            assert not [kind for kind, _ in await gw.quiet(0.5) if kind == RESEND]
        assert not deviations(line, "gap")
        assert [d.seq for d in deviations(line, "implausible")] == [5001]
        assert [d.seq for d in deviations(line, "malformed")] == [10_005]
        lit = [shown for ptl in line.ptls.values() for shown in ptl.lit().values()]
        assert [shown.token for shown in lit] and all(line.service.core.state.picks[s.token].seq == 1 for s in lit)


# -- with the once-only identities (issue 14): a copy is answered as the first was, and never opens a route -------
async def test_a_copy_of_a_refused_broadcast_is_refused_again_and_copies_never_take_the_route(
    ctx: zmq.asyncio.Context, database_url: str
) -> None:
    """A broadcast refused as implausible is journaled under its identity, so a copy of it is a repeat, never handed
    to the core again: it is answered ``refused`` again (not ``duplicate``: the gateway would take it for stored and
    the link would make its sender L1's gateway). A copy of input quarantined before is answered ``duplicate`` with
    the reason ``quarantined before`` and makes no route either: the feed's RESENDs stay with its own gateway."""
    plant = with_free_ports(load_plant(), database=database_url)
    async with running(plant) as line:
        async with gateways(ctx, plant.service.feed_endpoint, (None, b"oem-L1"), (None, b"other")) as (real, other):
            await real.send(BCAST, order(1))
            assert (await real.next(ACK))["status"] == "accepted"
            phantom, outside = order(5001), order(10_005)
            for _ in range(2):
                await other.send(BCAST, phantom)
                ack = await other.next(ACK)
                assert (ack["status"], ack["seq"]) == ("refused", 5001), ack
                assert "5000 ahead of the newest, 1" in ack["reason"]
            await other.send(BCAST, outside)
            assert (await other.next(ACK))["status"] == "quarantined"
            await other.send(BCAST, outside)
            ack = await other.next(ACK)
            assert (ack["status"], ack["reason"]) == ("duplicate", "quarantined before")
            line.service.feed_link.request_resend("L1", 2, 3)
            resend = await real.next(RESEND)
            assert (resend["feed"], resend["from_seq"], resend["to_seq"]) == ("L1", 2, 3)
            assert not [kind for kind, _ in await other.quiet(0.5) if kind == RESEND]
        assert [d.seq for d in deviations(line, "implausible")] == [5001]  # the copy raised nothing
        assert line.service.core.state.deviations.counts["implausible"] == 1
        assert [d.seq for d in deviations(line, "malformed")] == [10_005]  # kept once
        assert line.service.intake.quarantined == 1
        assert line.service.intake.duplicates["L1"] == 2  # the phantom's copy and the quarantined one's


async def test_a_copy_of_a_journaled_broadcast_from_a_gateway_not_allowed_is_refused_not_a_duplicate(
    ctx: zmq.asyncio.Context, keys: Path, database_url: str
) -> None:
    """The gateway check comes before the journal's identities: a rogue replaying L1's own broadcast, byte for byte,
    is quarantined as unauthorised (the lead sees who tried), not told ``duplicate``; its next copy is kept once."""
    async with running(curve_plant(keys, database_url)) as line:
        endpoint = line.plant.service.feed_endpoint
        async with gateways(ctx, endpoint, (client(keys, "oem-l1"), b"oem-L1"), (client(keys, "spare"), b"spare")) as (
            real,
            rogue,
        ):
            first = order(1)
            await real.send(BCAST, first)
            assert (await real.next(ACK))["status"] == "accepted"
            await rogue.send(BCAST, first)
            ack = await rogue.next(ACK)
            assert ack["status"] == "quarantined" and "may not publish feed L1" in ack["reason"], ack
            await rogue.send(BCAST, first)
            ack = await rogue.next(ACK)
            assert (ack["status"], ack["reason"]) == ("duplicate", "quarantined before")
            await real.send(BCAST, first)  # the real gateway's own resend is still its duplicate
            assert (await real.next(ACK))["status"] == "duplicate"
        assert [d.seq for d in deviations(line, "unauthorised")] == [1]
        assert line.service.intake.quarantined == 1
        assert line.service.core.state.feeds["L1"].broadcasts == 1


def test_the_plant_profile_refuses_to_start_beyond_loopback_without_curve(tmp_path: Path) -> None:
    plant = with_free_ports(load_plant(), database=f"sqlite:///{tmp_path / 'jis.db'}")
    exposed = plant.service.model_copy(update={"feed_endpoint": "tcp://0.0.0.0:5555", "zmq_security": "plant"})
    with pytest.raises(ExposedSurface, match=r"feed_endpoint tcp://0\.0\.0\.0:5555 listens beyond loopback"):
        Service(plant.model_copy(update={"service": exposed}))
    assert not (tmp_path / "jis.db").exists()
