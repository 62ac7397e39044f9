"""The attacks of the hostile campaign (``jis chaos --hostile``, ``app.proof.hostile``) and the state they share.

What it is for: ``rogue_gateways`` (the rogue OEM gateway four ways, or on the dev profile the one way that profile
holds it to), ``feed_floods`` and ``command_floods`` (frames over the limits, deeply nested JSON, garbage at a bounded
rate and count) and ``spray`` (failed logins from a rogue host while the lead logs in at their screen; the storage
faults are ``app.proof.hostile_storage``'s); each puts what its peers heard into ``Findings`` for
the verdict (``app.proof.hostile_report``). ``HostileOptions``, ``Keys``, ``Hands`` and ``Findings`` are the
campaign's state.
What it must not do: judge (the report does), or send without a bound in count and time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zmq
import zmq.asyncio

from app.net.curve_keys import load_keypair, load_public_key
from app.persist.store import Store
from app.proof.chaos import Supervisor
from app.proof.chaos_faults import SimControlClient
from app.proof.chaos_lead import JournalFollower
from app.proof.hostile_peers import ClientKeys, CommandPeer, FeedPeer, code, drain, garbage, nested, order
from sequencer.events import BroadcastReceived
from sequencer.plant import PlantConfig

LEAD = "hostile-lead"  # logs in at their usual screen (127.0.0.1) all through the spray
OPERATOR = "hostile-op"  # logs in from a screen of their own (127.0.0.3) after it
ROGUE_HOST = "127.0.0.2"  # every rogue peer dials from a loopback address of its own: another host to the service
FAR_AHEAD = 2000  # a broadcast this far ahead of the feed's newest (its window: plausible_ahead, 500 by default)
REAL = 3  # real vehicles a rogue changes, cancels, replays


@dataclass(frozen=True, kw_only=True)
class HostileOptions:
    vehicles: int = 1200
    speed: float = 300.0
    seed: int = 1
    garbage: int = 100_000  # garbage frames at most, per surface (feed, commands), over the flood stretch
    garbage_rate: float = 1000.0  # frames a second at most, per surface
    spray: int = 40  # failed logins from the rogue host
    oversized: int = 8  # connections sending one frame over the limit, per surface
    nested: int = 20  # deeply nested bodies, per surface
    disk_full_s: float = 3.0  # real seconds every file write of the service fails
    read_only_s: float = 3.0  # real seconds the database stays read-only once the service paused (PostgreSQL)
    database: str | None = None  # an empty PostgreSQL database for the journal; None: SQLite in the data folder
    latency_goal: float | None = 2.0  # flood p99 / quiet p99 at most (None: measured and reported, not held)
    profile: str = "plant"  # "dev": no CURVE anywhere (loopback only), held to what the dev profile promises
    workdir: str | None = None
    config: str | None = None
    quiet: bool = False


@dataclass
class Keys:
    folder: Path
    service_public: Path

    def client(self, name: str) -> ClientKeys:
        public, secret = load_keypair(self.folder / f"{name}.key_secret")
        return ClientKeys(public, secret, load_public_key(self.service_public))


@dataclass
class Hands:
    """What the campaign started and holds: what its end, or a stop at any moment, must end."""

    sup: Supervisor
    sims: asyncio.subprocess.Process | None = None
    control: SimControlClient | None = None
    follower: JournalFollower | None = None
    ctx: zmq.asyncio.Context = field(default_factory=zmq.asyncio.Context)
    peers: list[FeedPeer | CommandPeer] = field(default_factory=list)


@dataclass
class Findings:
    """What the campaign did and what the peers heard, for the verdict."""

    stretches: list[dict[str, str]] = field(default_factory=list)  # kind, and /metrics at its start and end
    rogue: dict[str, Any] = field(default_factory=dict)
    floods: dict[str, Any] = field(default_factory=dict)
    logins: dict[str, Any] = field(default_factory=dict)
    disk: dict[str, Any] = field(default_factory=dict)
    read_only: dict[str, Any] = field(default_factory=dict)
    rss_mb: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # the service's CPU (share of one core), per stretch
    load: dict[str, float] = field(default_factory=dict)  # the host's 1-minute load average at each mark


def _journaled(url: str, feed: str) -> list[BroadcastReceived]:
    """The feed's original broadcasts in the journal, in order (the real OEM's: only its gateway may publish)."""
    store = Store(url, migrate=False)
    try:
        return [
            e
            for _, e in store.journal()
            if isinstance(e, BroadcastReceived) and e.feed == feed and e.function == "original"
        ]
    finally:
        store.close()


async def rogue_gateways(
    opts: HostileOptions, plant: PlantConfig, url: str, keys: Keys, hands: Hands, found: Findings
) -> None:
    """The rogue gateway four ways; what each heard goes into ``found.rogue``."""
    feed = plant.feeds[0]
    real = await asyncio.to_thread(_journaled, url, feed.id)
    shipped, newest = real[:REAL], real[-REAL:]
    far = (real[-1].seq + FAR_AHEAD) % feed.modulus
    endpoint = plant.service.feed_endpoint

    def peer(name: str, key: str | None, source: str) -> FeedPeer:
        made = FeedPeer(
            hands.ctx, endpoint, keys=keys.client(key) if key else None, source=source, identity=f"{name}".encode()
        )
        hands.peers.append(made)
        return made

    replays = [order(feed.id, v.seq, v.vehicle_id, "original", list(v.options)) for v in shipped]
    if opts.profile == "dev":  # anyone on the host is the feed's gateway: only what the core refuses whatever
        rogue = peer("no-keys", None, ROGUE_HOST)  # the profile (docs/security.md, "The hostile campaign")
        far_acks = await rogue.ask([order(feed.id, far, f"ROGUE{far:012d}")])
        replay_acks = await rogue.ask(
            [order(feed.id, v.seq, v.vehicle_id, "original", list(v.options)) for v in shipped]
        )
        found.rogue = {
            "profile": "dev",
            "far_ahead": _statuses(far_acks, 1),
            "replays": _statuses(replay_acks, len(shipped)),
            "far_seq": far,
        }
        return
    attacks = [order(feed.id, v.seq, v.vehicle_id, "change", ["S2"]) for v in shipped + newest]
    attacks += [order(feed.id, v.seq, v.vehicle_id, "cancel") for v in newest]
    attacks += [order(feed.id, far, f"ROGUE{far:012d}")]
    attacks += [order(feed.id, v.seq, v.vehicle_id, "original", list(v.options)) for v in shipped]
    strangers = [peer("no-keys", None, ROGUE_HOST), peer("own-keys", "intruder", "127.0.0.3")]
    other = peer("other-gateway", "rogue-gateway", "127.0.0.4")
    for p in strangers:
        for body in attacks:
            await p.send(body)
    other_acks = await other.ask(attacks)
    compromised = peer("compromised", "oem-gateway", "127.0.0.5")
    far_acks = await compromised.ask([order(feed.id, far, f"ROGUE{far:012d}")])
    replay_acks = await compromised.ask(replays)
    await drain(strangers, 2.0)
    found.rogue = {
        "sent_each": len(attacks),
        "no_keys_heard": len(strangers[0].heard) + strangers[0].other_frames,
        "own_keys_heard": len(strangers[1].heard) + strangers[1].other_frames,
        "other_gateway": _statuses(other_acks, len(attacks)),
        "other_gateway_resends": other.other_frames,
        "compromised_far_ahead": _statuses(far_acks, 1),
        "compromised_replays": _statuses(replay_acks, len(shipped)),
        "compromised_resends": compromised.other_frames,
        "far_seq": far,
    }


def _statuses(acks: list[dict[str, Any]], sent: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ack in acks:
        counts[str(ack.get("status"))] = counts.get(str(ack.get("status")), 0) + 1
    if sent > len(acks):
        counts["(no answer)"] = sent - len(acks)
    return counts


async def feed_floods(
    opts: HostileOptions,
    plant: PlantConfig,
    keys: Keys,
    hands: Hands,
    found: Findings,
    window: asyncio.Event,
    n: int,
    floods: int,
) -> None:
    """Over the limit and nested (the first time), then garbage until the window closes (bounded: this stretch's
    share of ``opts.garbage``); through an allowed key, so it reaches the service's intake (without one nothing
    passes the handshake)."""
    rng = random.Random(opts.seed * 31 + n)
    endpoint = plant.service.feed_endpoint
    key = None if opts.profile == "dev" else keys.client("rogue-gateway")
    flood = FeedPeer(hands.ctx, endpoint, keys=key, source=ROGUE_HOST, identity=b"flood%d" % n)
    hands.peers.append(flood)
    record = found.floods.setdefault("feed", {"garbage_sent": 0, "garbage_answers_read": 0})
    if "nested" not in record:
        big = [
            FeedPeer(hands.ctx, endpoint, keys=key, source=ROGUE_HOST, identity=b"big%d" % i)
            for i in range(opts.oversized)
        ]
        hands.peers.extend(big)
        for p in big:
            await p.send(b"x" * (3 << 20))  # 3 MB: over the feed's 256 KiB frame limit
        deep = await flood.ask([nested(10_000, i) for i in range(opts.nested)])
        await drain(big, 0.5)
        record |= {
            "oversized_sent": opts.oversized,
            "oversized_answered": sum(len(p.heard) for p in big),
            "nested": _statuses(deep, opts.nested),
        }
    sent = await _sustain(
        window, opts.garbage // floods, opts.garbage_rate, lambda: flood.send(garbage(rng, rng.randint(1, 600)))
    )
    await flood.listen(time.monotonic() + 1.0)
    record["garbage_sent"] += sent
    record["garbage_answers_read"] += len(flood.heard)


async def command_floods(
    opts: HostileOptions, plant: PlantConfig, hands: Hands, found: Findings, window: asyncio.Event, n: int, floods: int
) -> None:
    """The command channel: frames over its limit and nested requests (the first time), then garbage until the
    window closes (this stretch's share of ``opts.garbage``)."""
    rng = random.Random(opts.seed * 37 + n)
    endpoint = plant.service.hmi_command_endpoint
    flood = CommandPeer(hands.ctx, endpoint, source="127.0.0.6")
    hands.peers.append(flood)
    record = found.floods.setdefault("commands", {"garbage_sent": 0, "garbage_answers": {}})
    if "nested" not in record:
        big = [CommandPeer(hands.ctx, endpoint, source=ROGUE_HOST) for _ in range(opts.oversized)]
        hands.peers.extend(big)
        for p in big:
            await p.sock.send(b"x" * (3 << 20))  # over the channel's 64 KiB frame limit
        await flood.burst([nested(2000, i) for i in range(opts.nested)])
        record |= {"oversized_sent": len(big), "nested": dict(flood.answers)}
        flood.answers.clear()

    async def one() -> None:
        await flood.sock.send(garbage(rng, rng.randint(1, 600)))
        while await flood.sock.poll(0):
            flood.answers[code(json.loads(await flood.sock.recv()))] += 1

    sent = await _sustain(window, opts.garbage // floods, opts.garbage_rate, one)
    while await flood.sock.poll(1000):  # the replies still on their way, until a second passes without one
        flood.answers[code(json.loads(await flood.sock.recv()))] += 1
    record["garbage_sent"] += sent
    for result, count in flood.answers.items():
        record["garbage_answers"][result] = record["garbage_answers"].get(result, 0) + count


async def _sustain(window: asyncio.Event, cap: int, rate: float, send: Any) -> int:
    """Call ``send`` about ``rate`` times a second until the window closes or ``cap`` calls were made."""
    sent, batch = 0, max(1, int(rate / 20))
    while not window.is_set() and sent < cap:
        for _ in range(min(batch, cap - sent)):
            await send()
            sent += 1
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(0.05):
                await window.wait()
    return sent


async def spray(
    opts: HostileOptions,
    plant: PlantConfig,
    passwords: dict[str, str],
    lead: CommandPeer,
    hands: Hands,
    found: Findings,
) -> None:
    """Failed logins from the rogue host against the lead's name and others; the lead logs in at their usual
    screen every tenth; the operator from a screen of their own at the end."""
    rogue = CommandPeer(hands.ctx, plant.service.hmi_command_endpoint, source=ROGUE_HOST)
    operator = CommandPeer(hands.ctx, plant.service.hmi_command_endpoint, source="127.0.0.3")
    hands.peers.extend([rogue, operator])
    lead_codes: list[str] = []
    for i in range(opts.spray):
        await rogue.login((LEAD, OPERATOR, LEAD, f"guess{i}")[i % 4], "spray-spray")
        if i % 10 == 9:
            lead_codes.append(await lead.login(LEAD, passwords[LEAD]))
        await asyncio.sleep(0.05)
    found.logins |= {
        "rogue": dict(rogue.answers),
        "lead_during": lead_codes,
        "operator_after": await operator.login(OPERATOR, passwords[OPERATOR]),
    }
