"""The hostile peers of ``jis chaos --hostile``: a rogue OEM gateway, a garbage sender and a password sprayer.

What it is for: each peer is a real ZeroMQ socket on loopback that speaks (or abuses) a surface the way a host on
the plant network could: ``FeedPeer`` a DEALER on the OEM feed, with no CURVE keys, its own unlisted keys, an
allowed key of another gateway, or the feed's own gateway key (a compromised gateway), connecting from a loopback
address of its own (``tcp://127.0.0.2:0;127.0.0.1:PORT``: another host, as the service sees it); ``CommandPeer``
a DEALER on the HMI command channel. They keep what the service answered, so the campaign's verdict can say what
an attacker got. ``order``, ``nested`` and ``garbage`` make the frames.
What it must not do: send without a bound (every loop here is bounded in count and time), or judge anything (the
campaign does, from what the peers heard and the simulators' and the journal's records).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import zmq
import zmq.asyncio

from app.feed.protocol import ACK, BCAST

ANSWER_WAIT_S = 5.0  # real seconds a peer waits for the service's answers before it counts them missing


@dataclass(frozen=True)
class ClientKeys:
    """A CURVE client's keys, Z85: its own pair and the service's public key."""

    public_key: bytes
    secret_key: bytes
    server_key: bytes


def from_source(endpoint: str, source: str) -> str:
    """``endpoint`` (tcp://HOST:PORT) dialled from the loopback address ``source``: another host on the network."""
    return endpoint.replace("tcp://", f"tcp://{source}:0;", 1) if source else endpoint


def order(feed: str, seq: int, vehicle_id: str, function: str = "original", options: list[str] | None = None) -> bytes:
    """A well-formed broadcast body (docs/feed-protocol.md)."""
    body = {"feed": feed, "seq": seq, "vehicle_id": vehicle_id, "function": function, "firm": True}
    body |= {"options": options if options is not None else ["S1", "P040"], "sent_at": time.time()}
    return json.dumps(body | {"reporting_point": "R100", "line": "A1"}).encode()


def nested(depth: int, tag: int = 0) -> bytes:
    """JSON nested ``depth`` levels deep: ``{"a":{"a":...[TAG]...}}``, a few bytes a level (``tag``: each its own)."""
    return b'{"a":' * depth + b"[%d]" % tag + b"}" * depth


def garbage(rng: random.Random, size: int) -> bytes:
    return rng.randbytes(size)


def code(reply: dict[str, Any]) -> str:
    """A command reply's code: ``done`` when it is ok (docs/hmi-commands.md: the code is left out then)."""
    return "done" if reply.get("ok") else str(reply.get("code"))


class FeedPeer:
    """A DEALER on the OEM feed: ``keys`` None speaks no CURVE; ``heard`` keeps the ACKs (and anything else)."""

    def __init__(
        self, ctx: zmq.asyncio.Context, endpoint: str, *, keys: ClientKeys | None, source: str, identity: bytes
    ) -> None:
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.ROUTING_ID, identity)
        self.sock.setsockopt(zmq.SNDHWM, 100_000)
        if keys is not None:
            self.sock.curve_serverkey, self.sock.curve_publickey = keys.server_key, keys.public_key
            self.sock.curve_secretkey = keys.secret_key
        self.sock.connect(from_source(endpoint, source))
        self.heard: list[dict[str, Any]] = []
        self.other_frames = 0  # RESENDs and anything but an ACK

    async def send(self, body: bytes, kind: bytes = BCAST) -> None:
        await self.sock.send_multipart([kind, body])

    async def listen(self, until: float) -> None:
        """Take what the service sends until the monotonic time ``until``."""
        while (left := until - time.monotonic()) > 0:
            if not await self.sock.poll(int(min(left, 0.2) * 1000)):
                continue
            frames = await self.sock.recv_multipart()
            if frames[0] == ACK and len(frames) > 1:
                with contextlib.suppress(ValueError):
                    self.heard.append(json.loads(frames[1]))
                    continue
            self.other_frames += 1

    async def ask(self, bodies: list[bytes], wait_s: float = ANSWER_WAIT_S) -> list[dict[str, Any]]:
        """Send ``bodies`` and wait (bounded) until as many ACKs came; the ACKs heard for them."""
        start = len(self.heard)
        for body in bodies:
            await self.send(body)
        until = time.monotonic() + wait_s
        while len(self.heard) - start < len(bodies) and time.monotonic() < until:
            await self.listen(min(until, time.monotonic() + 0.2))
        return self.heard[start:]

    def statuses(self) -> dict[str, int]:
        return dict(Counter(str(a.get("status")) for a in self.heard))

    def close(self) -> None:
        self.sock.close(linger=0)


class CommandPeer:
    """A DEALER on the HMI command channel from ``source``; ``answers`` counts the replies by their code."""

    def __init__(self, ctx: zmq.asyncio.Context, endpoint: str, *, source: str) -> None:
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(from_source(endpoint, source))
        self.answers: Counter[str] = Counter()

    async def ask(self, request: dict[str, Any] | bytes, wait_s: float = ANSWER_WAIT_S) -> dict[str, Any] | None:
        """One request, its reply (None if none came within ``wait_s``)."""
        await self.sock.send(request if isinstance(request, bytes) else json.dumps(request).encode())
        if not await self.sock.poll(int(wait_s * 1000)):
            self.answers["(no answer)"] += 1
            return None
        reply: dict[str, Any] = json.loads(await self.sock.recv())
        self.answers[code(reply)] += 1
        return reply

    async def login(self, user: str, password: str) -> str:
        reply = await self.ask({"op": "login", "user": user, "password": password})
        return "(no answer)" if reply is None else code(reply)

    async def burst(self, frames: list[bytes], wait_s: float = ANSWER_WAIT_S) -> None:
        """Send every frame, then take the replies until as many came or ``wait_s`` passed."""
        for frame in frames:
            await self.sock.send(frame)
        until, got = time.monotonic() + wait_s, 0
        while got < len(frames) and (left := until - time.monotonic()) > 0:
            if await self.sock.poll(int(min(left, 0.2) * 1000)):
                self.answers[code(json.loads(await self.sock.recv()))] += 1
                got += 1
        if got < len(frames):
            self.answers["(no answer)"] += len(frames) - got

    def close(self) -> None:
        self.sock.close(linger=0)


async def drain(peers: list[FeedPeer], seconds: float) -> None:
    """Let every peer take what the service sends for ``seconds``."""
    until = time.monotonic() + seconds
    await asyncio.gather(*(p.listen(until) for p in peers))
