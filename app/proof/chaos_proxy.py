"""A misbehaving feed link for ``jis chaos``: a loopback ZeroMQ proxy between the OEM gateways and the service.

What it is for: the OEM simulators connect their DEALERs to this proxy's ROUTER (``front``); for every gateway
(routing id) the proxy connects a DEALER of the same routing id to the service's feed endpoint (``back``), so the
service sees the gateway it expects. Every message, in both directions (BCAST/HB towards the service, ACK/RESEND
back), meets a seeded fault table: dropped, delayed, sent twice, or held back and sent after the next one
(reordered). The feed protocol (docs/feed-protocol.md) must survive all four: the gateway resends what was not
acknowledged, the service answers a duplicate as a duplicate and asks for a gap again.
What it must not do: change a message's bytes (the feed's own parsers are fuzzed elsewhere), block on a peer
(every send is non-blocking; a full pipe is a drop, counted as such), or share its sockets with another task.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import random
import time
from dataclasses import dataclass, field

import zmq
import zmq.asyncio

POLL_S = 0.02  # longest wait of the pump: bounds how late a delayed message goes out
HWM = 5_000
HELD_MAX_S = 0.3  # a message held back for reordering goes out after this even if nothing follows it


@dataclass(frozen=True)
class ProxyRates:
    """Chance per message of each fault (the rest pass untouched)."""

    drop: float = 0.02
    delay: float = 0.03
    duplicate: float = 0.02
    reorder: float = 0.02
    delay_s: tuple[float, float] = (0.05, 0.6)  # real seconds a delayed message waits


@dataclass
class ProxyCounters:
    passed: int = 0
    dropped: int = 0
    delayed: int = 0
    duplicated: int = 0
    reordered: int = 0
    blocked: int = 0  # a pipe was full or nobody was connected: the message is gone (a drop by the network)


@dataclass(order=True)
class _Due:
    at: float
    order: int
    to_service: bool = field(compare=False)
    frames: list[bytes] = field(compare=False)


class FeedProxy:
    """``await run()`` until cancelled; ``front`` is where the gateways connect (bound in ``bind``)."""

    def __init__(self, back: str, rng: random.Random, rates: ProxyRates | None = None) -> None:
        self.back = back
        self.rng = rng
        self.rates = rates or ProxyRates()
        self.counters = ProxyCounters()
        self.front = ""
        self._ctx = zmq.asyncio.Context()
        self._router: zmq.asyncio.Socket | None = None
        self._dealers: dict[bytes, zmq.asyncio.Socket] = {}
        self._plain: dict[int, zmq.Socket[bytes]] = {}  # id(async socket) -> its plain-API shadow (NOBLOCK I/O)
        self._due: list[_Due] = []
        self._held: dict[bool, tuple[float, list[bytes]]] = {}  # direction -> (held since, frames)
        self._order = itertools.count()

    def bind(self) -> str:
        router = self._ctx.socket(zmq.ROUTER)
        router.setsockopt(zmq.LINGER, 0)
        router.setsockopt(zmq.SNDHWM, HWM)
        router.setsockopt(zmq.RCVHWM, HWM)
        router.bind("tcp://127.0.0.1:*")
        self._router = router
        self._plain[id(router)] = zmq.Socket.shadow(router.underlying)
        self.front = router.getsockopt_string(zmq.LAST_ENDPOINT)
        return self.front

    async def run(self) -> None:
        if self._router is None:
            self.bind()
        try:
            while True:
                await self._pump_once()
        finally:
            self.close()

    def close(self) -> None:
        for sock in [*self._dealers.values(), *([self._router] if self._router else [])]:
            sock.close(linger=0)
        self._dealers.clear()
        self._plain.clear()
        self._router = None
        with contextlib.suppress(zmq.ZMQError):
            self._ctx.term()

    # -- the pump -----------------------------------------------------------------------------------------------
    async def _pump_once(self) -> None:
        assert self._router is not None
        poller = zmq.asyncio.Poller()
        poller.register(self._router, zmq.POLLIN)
        for dealer in self._dealers.values():
            poller.register(dealer, zmq.POLLIN)
        ready = dict(await poller.poll(int(POLL_S * 1000)))
        now = time.monotonic()
        if self._router in ready:
            for _ in range(256):
                try:
                    frames = self._plain[id(self._router)].recv_multipart(flags=zmq.NOBLOCK)
                except zmq.Again:
                    break
                self._meet_faults(True, frames, now)  # [identity, kind, body]
        for identity, dealer in list(self._dealers.items()):
            if dealer in ready:
                for _ in range(256):
                    try:
                        frames = self._plain[id(dealer)].recv_multipart(flags=zmq.NOBLOCK)
                    except zmq.Again:
                        break
                    self._meet_faults(False, [identity, *frames], now)
        self._release(now)

    def _meet_faults(self, to_service: bool, frames: list[bytes], now: float) -> None:
        """One message in: drop, delay, duplicate, reorder, or pass it on."""
        r, rates = self.rng.random(), self.rates
        held = self._held.pop(to_service, None)
        if r < rates.drop:
            self.counters.dropped += 1
        elif r < rates.drop + rates.delay:
            self.counters.delayed += 1
            wait = self.rng.uniform(*rates.delay_s)
            heapq.heappush(self._due, _Due(now + wait, next(self._order), to_service, frames))
        elif r < rates.drop + rates.delay + rates.duplicate:
            self.counters.duplicated += 1
            self._send(to_service, frames)
            self._send(to_service, frames)
        elif r < rates.drop + rates.delay + rates.duplicate + rates.reorder and held is None:
            self.counters.reordered += 1
            self._held[to_service] = (now, frames)  # goes out after the next message in this direction
        else:
            self._send(to_service, frames)
        if held is not None:
            self._send(to_service, held[1])

    def _release(self, now: float) -> None:
        while self._due and self._due[0].at <= now:
            due = heapq.heappop(self._due)
            self._send(due.to_service, due.frames)
        for direction, (since, frames) in list(self._held.items()):
            if now - since >= HELD_MAX_S:
                del self._held[direction]
                self._send(direction, frames)

    def _send(self, to_service: bool, frames: list[bytes]) -> None:
        identity, body = frames[0], frames[1:]
        try:
            if to_service:
                self._plain[id(self._dealer(identity))].send_multipart(body, flags=zmq.NOBLOCK)
            else:
                assert self._router is not None
                self._plain[id(self._router)].send_multipart([identity, *body], flags=zmq.NOBLOCK)
        except zmq.Again:
            self.counters.blocked += 1
            return
        self.counters.passed += 1

    def _dealer(self, identity: bytes) -> zmq.asyncio.Socket:
        """The service-facing DEALER of one gateway, with its routing id (the service's ROUTER_HANDOVER)."""
        dealer = self._dealers.get(identity)
        if dealer is None:
            dealer = self._ctx.socket(zmq.DEALER)
            dealer.setsockopt(zmq.ROUTING_ID, identity)
            dealer.setsockopt(zmq.LINGER, 0)
            dealer.setsockopt(zmq.SNDHWM, HWM)
            dealer.setsockopt(zmq.RCVHWM, HWM)
            dealer.setsockopt(zmq.RECONNECT_IVL, 50)
            dealer.setsockopt(zmq.RECONNECT_IVL_MAX, 500)
            dealer.connect(self.back)
            self._dealers[identity] = dealer
            self._plain[id(dealer)] = zmq.Socket.shadow(dealer.underlying)
        return dealer
