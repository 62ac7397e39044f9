"""The service side of the HMI bus: numbered key-value updates on PUB, snapshots on a ROUTER (the Clone pattern).

What it is for: every ``publish_picture(picture)`` takes the entries the service rebuilt (``sequencer.pictures``)
and sends those whose value changed, numbered, as one ``KV`` message (``publish(view)`` does the same for a whole
``LineView``: the replay tool); every ``heartbeat_s`` a ``HUGZ`` says the epoch of this
run, the last number and where to ask for snapshots. A screen that joins late, reconnects or finds a number
missing asks the snapshot ROUTER (``ICANHAZ?``) and gets every entry (``KVS``) then ``KTHXBAI`` with the number
the snapshot is at. Optional CURVE (``curve=``, ``app.net.curve_guard``) on both sockets; the guard is shared with the
command server. Wire format: docs/hmi-bus.md.
Bounds: both sockets take only small requests from screens (a subscription, a snapshot request), so a frame over
``MAX_REQUEST_FRAME_BYTES`` (``sequencer.clone``) closes its sender's connection in libzmq (``ZMQ_MAXMSGSIZE``).
What it must not do: block the service (PUB drops past its high-water mark, the ROUTER sends NOBLOCK and a screen
that cannot take its snapshot just asks again), or send a full picture on every change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from urllib.parse import urlsplit, urlunsplit

import zmq
import zmq.asyncio

from app.net.curve_guard import CurveGuard
from app.net.curve_keys import CurveServer
from sequencer.clone import (
    ICANHAZ,
    KTHXBAI,
    KVS,
    MAX_REQUEST_FRAME_BYTES,
    Delta,
    KvStore,
    Picture,
    entry_values,
    hugz_frames,
    kv_frames,
)
from sequencer.views import LineView

log = logging.getLogger(__name__)

HEARTBEAT_S = 1.0
PUB_HWM = 1000  # updates queued per screen; past it a slow screen loses some, notices the gap and resnapshots
SNAPSHOT_HWM = 20_000  # messages queued per screen on the snapshot socket: a few whole snapshots of a big line
MAX_REQUESTS_PER_PASS = 50  # snapshot requests answered per pass (each is a few hundred messages)


class HmiPublisher:
    """PUB at ``endpoint`` and the snapshot ROUTER at ``snapshot_endpoint`` (default: same host, a free port)."""

    def __init__(
        self,
        ctx: zmq.asyncio.Context,
        endpoint: str,
        snapshot_endpoint: str | None = None,
        *,
        curve: CurveServer | None = None,
        heartbeat_s: float = HEARTBEAT_S,
        epoch: bytes | None = None,
    ) -> None:
        self.guard = CurveGuard(ctx, curve, domain="jis-hmi", peer="screen") if curve is not None else None
        self.store = KvStore()
        self.epoch = epoch or secrets.token_hex(8).encode()  # a new run: screens resnapshot, never mix two runs
        self.heartbeat_s = heartbeat_s
        self._last_hugz: float | None = None
        small = (zmq.MAXMSGSIZE, MAX_REQUEST_FRAME_BYTES)  # screens send subscriptions and snapshot requests only
        self.socket = self._socket(ctx, zmq.PUB, "bus", ((zmq.SNDHWM, PUB_HWM), (zmq.LINGER, 0), small))
        try:
            self.socket.bind(endpoint)
            opts = ((zmq.SNDHWM, SNAPSHOT_HWM), (zmq.RCVHWM, 100), (zmq.LINGER, 0), small)
            self.snapshots = self._socket(ctx, zmq.ROUTER, "snapshot", opts)
            self.snapshots.bind(snapshot_endpoint or _any_port(endpoint))
        except zmq.ZMQError:
            self.close()
            raise
        self.endpoint = self.socket.getsockopt_string(zmq.LAST_ENDPOINT)
        self.snapshot_endpoint = self.snapshots.getsockopt_string(zmq.LAST_ENDPOINT)
        # pyzmq's plain API on the same sockets for NOBLOCK I/O (the asyncio wrapper can hide EAGAIN)
        self._pub: zmq.Socket[bytes] = zmq.Socket.shadow(self.socket.underlying)
        self._direct: zmq.Socket[bytes] = zmq.Socket.shadow(self.snapshots.underlying)

    def _socket(
        self, ctx: zmq.asyncio.Context, kind: int, name: str, opts: tuple[tuple[int, int], ...]
    ) -> zmq.asyncio.Socket:
        sock = ctx.socket(kind)
        for option, value in opts:
            sock.setsockopt(option, value)
        if self.guard is not None:
            self.guard.secure(sock, name)
        return sock

    async def publish(self, view: LineView) -> Delta | None:
        """Send what changed since the last view (nothing if nothing did); also answer waiting snapshot requests
        and beat if due, so a publisher without ``run`` (``jis replay --hmi``) still serves late joiners."""
        return self.publish_picture(Picture(dict(entry_values(view)), whole=True))

    def publish_picture(self, picture: Picture) -> Delta | None:
        """Send the picture's entries whose value changed (nothing if none did), numbered; then serve snapshots and
        beat if due, as ``publish``."""
        delta = self.store.apply(picture)
        if delta is not None:
            self._send(kv_frames(self.epoch, delta))
        self.serve_snapshots()
        self.heartbeat(due_only=True)
        return delta

    def heartbeat(self, *, due_only: bool = False) -> None:
        now = time.monotonic()
        if due_only and self._last_hugz is not None and now - self._last_hugz < self.heartbeat_s:
            return
        self._last_hugz = now
        self._send(hugz_frames(self.epoch, self.store.seq, self.snapshot_endpoint))

    def serve_snapshots(self) -> int:
        """Answer every snapshot request waiting now (bounded); the number answered."""
        answered = 0
        for _ in range(MAX_REQUESTS_PER_PASS):
            try:
                frames = self._direct.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                break
            if len(frames) < 3 or frames[1] != ICANHAZ:
                log.warning("hmi: not a snapshot request (%d frame(s)) ignored", len(frames))
                continue
            answered += self._answer(frames[0], frames[2])
        return answered

    async def run(self) -> None:
        """Serve snapshots as they are asked for and beat every ``heartbeat_s``, until cancelled."""
        guard = asyncio.create_task(self.guard.run(), name="hmi-curve") if self.guard is not None else None
        poller = zmq.asyncio.Poller()
        poller.register(self.snapshots, zmq.POLLIN)
        try:
            while True:
                self.heartbeat(due_only=True)
                await poller.poll(int(self.heartbeat_s * 1000 / 2))
                self.serve_snapshots()
        finally:
            if guard is not None:
                guard.cancel()
                await asyncio.gather(guard, return_exceptions=True)

    def close(self) -> None:
        for sock in (getattr(self, "snapshots", None), getattr(self, "socket", None)):
            if sock is not None:
                sock.close(0)
        if self.guard is not None:
            self.guard.close()

    def _send(self, frames: list[bytes]) -> None:
        with contextlib.suppress(zmq.Again):  # PUB never blocks: past the HWM it drops
            self._pub.send_multipart(frames, zmq.NOBLOCK)

    def _answer(self, peer: bytes, request_id: bytes) -> int:
        seq, items = self.store.snapshot()
        try:
            for key, value in items:
                self._direct.send_multipart([peer, KVS, request_id, key.encode(), value], zmq.NOBLOCK)
            self._direct.send_multipart([peer, KTHXBAI, request_id, self.epoch, str(seq).encode()], zmq.NOBLOCK)
        except zmq.ZMQError as exc:  # the screen's pipe is full: it gets no KTHXBAI and asks again
            log.warning("hmi: snapshot to a screen cut short: %s", exc)
            return 0
        return 1


def _any_port(endpoint: str) -> str:
    """The bus's host with port 0 (a free one) for tcp; otherwise the endpoint with ``-snapshot`` appended."""
    parts = urlsplit(endpoint)
    if parts.scheme != "tcp":
        return endpoint + "-snapshot"
    host = parts.netloc.rpartition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{host}:0"))
