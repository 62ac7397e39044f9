"""CURVE on the OEM feed link, on 127.0.0.1: only gateways with an allowed key publish; the key tooling.

A gateway with an allowed key delivers and gets its ACKs over an encrypted link. A gateway with an unknown key,
one that does not speak CURVE, and one that holds a different server's key deliver nothing: the handshake is
refused before any frame, so the service's accept / reject / heartbeat callbacks see nothing of them, and each
refusal is counted and logged once. Ports are 0, waits are bounded (tests/integration/test_feed_link.py helpers),
vehicles are seeded.
"""

from __future__ import annotations

import logging
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import zmq
import zmq.asyncio

from app.feed.link import FeedLink
from app.net.curve_keys import (
    CurveServer,
    FeedKeyError,
    load_allowed_keys,
    load_curve_server,
    load_keypair,
    load_public_key,
    write_keypair,
)
from hardware_sims.clock import ManualClock
from hardware_sims.oem_feed import OemFeedSim
from hardware_sims.oem_socket import CurveClientKeys
from tests.integration.test_feed_link import FEED, Recorder, make_sim, running, wait_event, wait_until
from tests.plants import demo_plant

Ctx = zmq.asyncio.Context


@pytest.fixture
def ctx() -> Iterator[zmq.asyncio.Context]:
    context = zmq.asyncio.Context()
    yield context
    context.destroy(linger=0)


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    """service + one allowed gateway (its .key copied into allowed/) + an intruder and a foreign service."""
    for name in ("service", "gateway", "intruder", "other-service"):
        write_keypair(tmp_path, name)
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "gateway.key").write_bytes((tmp_path / "gateway.key").read_bytes())
    return tmp_path


def curve_server(keys: Path) -> CurveServer:
    return load_curve_server(keys / "service.key_secret", keys / "allowed")


def client(keys: Path, name: str, server: str = "service") -> CurveClientKeys:
    return CurveClientKeys.from_files(keys / f"{name}.key_secret", keys / f"{server}.key")


def make_curve_link(ctx: Ctx, rec: Recorder, keys: Path, endpoint: str = "tcp://127.0.0.1:0") -> FeedLink:
    link = FeedLink(
        endpoint, rec.accept, reject=rec.reject, heartbeat=rec.heartbeat, context=ctx, curve=curve_server(keys)
    )
    link.bind()
    return link


# -- the link ----------------------------------------------------------------------------------------------
async def test_an_allowed_gateway_delivers_and_gets_acks(ctx: Ctx, keys: Path) -> None:
    rec = Recorder()
    link = make_curve_link(ctx, rec, keys)
    sim = make_sim(ctx, link.endpoint, vehicles=12, start_seq=9995, curve=client(keys, "gateway"))
    async with running(link.run, sim.run):
        await wait_event(sim.done, "all 12 broadcasts acknowledged over CURVE")
    assert rec.seqs == [9995, 9996, 9997, 9998, 9999, *range(7)]
    assert sim.counters.acked == 12
    assert link.acked == 12
    assert link.refused == 0
    assert rec.rejected == []


# kind -> (its key, the server key it holds, what the service logs, refusals to wait for). libzmq 4.3 stops a
# client after a ZAP refusal (ERROR command) or a mechanism mismatch, but one holding a wrong server key retries
# every reconnect interval: waiting for several proves "counted every time, logged once".
INTRUDERS = {
    "an unknown key": ("intruder", "service", "refused gateway key", 1),
    "no CURVE": (None, None, "handshake protocol error", 1),
    "another service's key": ("gateway", "other-service", "handshake protocol error", 3),
}


@pytest.mark.parametrize("kind", list(INTRUDERS))
async def test_a_gateway_without_the_right_key_delivers_nothing(
    ctx: Ctx, keys: Path, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="app.net.curve_guard")
    name, server, logged, refusals_to_see = INTRUDERS[kind]
    rec = Recorder()
    link = make_curve_link(ctx, rec, keys)
    good = make_sim(ctx, link.endpoint, vehicles=3, curve=client(keys, "gateway"))
    intruder_keys = client(keys, name, server) if name and server else None
    bad = make_sim(ctx, link.endpoint, feed="L2", vehicles=3, heartbeat_s=0.02, curve=intruder_keys)
    async with running(link.run, good.run, bad.run):
        await wait_event(good.done, "the allowed gateway's broadcasts acknowledged")
        await wait_until(lambda: link.refused >= refusals_to_see, f"{refusals_to_see} refused handshake(s)")
        await wait_until(lambda: bad.counters.generated == 3, "the intruder's vehicles produced")
    assert rec.seqs == [1, 2, 3]
    assert {m.feed for m in rec.accepted} == {FEED}
    assert {hb.feed for hb in rec.heartbeats} <= {FEED}  # not one heartbeat of L2 got through
    assert rec.rejected == []
    assert rec.quarantined == []
    assert (bad.counters.sent, bad.counters.heartbeats, bad.counters.acked) == (0, 0, 0)
    assert bad.unacked == {1, 2, 3}  # still held by the gateway: IMMEDIATE never saw a completed connection
    refusals = [r for r in caplog.records if r.name == "app.net.curve_guard" and logged in r.getMessage()]
    assert len(refusals) == 1  # logged once, however often it retried


async def test_a_curve_link_restarted_in_the_same_context_takes_the_gateway_back(ctx: Ctx, keys: Path) -> None:
    rec = Recorder()
    first = make_curve_link(ctx, rec, keys)
    sim = make_sim(ctx, first.endpoint, vehicles=20, ack_timeout_s=0.2, curve=client(keys, "gateway"))
    async with running(sim.run):
        async with running(first.run):
            await wait_until(lambda: len(rec.seqs) >= 5, "the first broadcasts")
        # run() binds again, waiting out the old ROUTER's port and the old ZAP handler's inproc endpoint.
        second = FeedLink(first.endpoint, rec.accept, context=ctx, curve=curve_server(keys))
        async with running(second.run):
            await wait_event(sim.done, "every broadcast acknowledged after the restart")
    assert sorted(rec.seqs) == list(range(1, 21))


async def test_curve_off_by_default(ctx: Ctx) -> None:
    rec = Recorder()
    link = FeedLink("tcp://127.0.0.1:0", rec.accept, context=ctx)
    sim = OemFeedSim.from_plant(demo_plant(), clock=ManualClock(), endpoint=link.bind(), vehicles=1, context=ctx)
    async with running(link.run, sim.run):
        await wait_event(sim.done, "a plain broadcast")
    assert link.refused == 0
    assert len(rec.seqs) == 1


# -- the keys ----------------------------------------------------------------------------------------------
def test_feed_keys_writes_a_keypair_in_zmq_certificate_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], jis: Callable[..., int]
) -> None:
    assert jis("feed-keys", "--out", str(tmp_path / "keys"), "--name", "gw-l1") == 0
    public_file, secret_file = tmp_path / "keys" / "gw-l1.key", tmp_path / "keys" / "gw-l1.key_secret"
    public, secret = load_keypair(secret_file)
    assert load_public_key(public_file) == public
    assert len(public) == len(secret) == 40  # Z85 of 32 bytes (RFC 32)
    assert zmq.curve_public(secret) == public
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert b"secret-key" not in public_file.read_bytes()
    assert public.decode() in capsys.readouterr().out


def test_feed_keys_refuses_to_overwrite_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], jis: Callable[..., int]
) -> None:
    assert jis("feed-keys", "--out", str(tmp_path), "--name", "service") == 0
    before = load_keypair(tmp_path / "service.key_secret")
    assert jis("feed-keys", "--out", str(tmp_path), "--name", "service") == 1
    assert "exists" in capsys.readouterr().err
    assert load_keypair(tmp_path / "service.key_secret") == before
    assert jis("feed-keys", "--out", str(tmp_path), "--name", "service", "--force") == 0
    assert load_keypair(tmp_path / "service.key_secret") != before
    assert jis("feed-keys", "--out", str(tmp_path), "--name", "../escape") == 1


def test_loading_the_service_keys(keys: Path) -> None:
    server = curve_server(keys)
    assert server.allowed == {load_public_key(keys / "gateway.key")}
    assert load_allowed_keys(keys) >= server.allowed | {server.public_key}
    assert load_curve_server(keys / "service.key_secret", [b"k" * 40]).allowed == {b"k" * 40}
    with pytest.raises(FeedKeyError, match="no secret key"):
        load_keypair(keys / "service.key")
    with pytest.raises(FeedKeyError, match="no allowed gateway keys"):
        load_curve_server(keys / "service.key_secret", [])
    with pytest.raises(FeedKeyError, match="not found"):
        load_allowed_keys(keys / "missing")
    with pytest.raises(FeedKeyError):
        load_keypair(keys / "missing.key_secret")
