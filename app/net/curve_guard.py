"""The gatekeeper of the service's CURVE servers: the OEM feed link, and the HMI bus, snapshot and command sockets.

What it is for: a socket ``secure``d here is a CURVE server (RFC 26) with the service's key pair, so every frame,
passwords included, is encrypted off-host, and the ZAP handler (RFC 27) admits only the peers whose public keys
are in the allowed folder (``[service.feed_curve]``: OEM gateways, docs/feed-protocol.md; ``[service.hmi_curve]``:
screens, docs/hmi-bus.md). A refused peer completes no handshake: it receives nothing and nothing it sends is
delivered. Refusals are counted (monitor events) and each cause is logged once (a refused peer retries forever).
What it must not do: share a context with another guard: libzmq asks the one ZAP handler bound in a context, so
the feed link and the HMI each have a context of their own (``app.service.runtime``).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import struct

import zmq
import zmq.asyncio
from zmq.utils import z85 as z85_codec

from app.net.curve_keys import CurveServer

log = logging.getLogger(__name__)

ZAP_ENDPOINT, ZAP_VERSION = "inproc://zeromq.zap.01", b"1.0"
# Monitor events of a refused handshake: no CURVE / wrong server key (protocol), key not allowed (auth).
REFUSALS = {
    zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL: "handshake failed",
    zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL: "handshake protocol error (no CURVE, or not our server key?)",
    zmq.EVENT_HANDSHAKE_FAILED_AUTH: "",  # the ZAP handler logged it, with the key
}
_monitor_ids = itertools.count()


class CurveGuard:
    """One ZAP handler for a context and a handshake monitor per secured socket; ``run`` serves both.

    ``domain`` marks our ZAP requests (``jis-feed``, ``jis-hmi``); ``peer`` names who is refused in the log."""

    def __init__(self, ctx: zmq.asyncio.Context, curve: CurveServer, *, domain: str, peer: str) -> None:
        self._ctx, self._curve, self._domain, self._peer = ctx, curve, domain, peer
        # Bound FIRST: a CURVE handshake that finds no ZAP handler is admitted whatever the client key.
        self._zap: zmq.asyncio.Socket | None = ctx.socket(zmq.REP)
        self._zap.setsockopt(zmq.LINGER, 0)
        self._zap.bind(ZAP_ENDPOINT)  # EADDRINUSE: another handler in this context
        self._monitors: list[zmq.asyncio.Socket] = []
        self._watching: set[zmq.asyncio.Socket] = set()
        self._logged: set[object] = set()
        self._changed = asyncio.Event()
        self.refused = 0

    @property
    def public_key(self) -> bytes:
        return self._curve.public_key

    def secure(self, sock: zmq.asyncio.Socket, name: str) -> None:
        """Make ``sock`` (not yet bound) a CURVE server under this guard; ``name`` goes in the log."""
        sock.setsockopt(zmq.CURVE_SERVER, 1)
        sock.setsockopt(zmq.CURVE_SECRETKEY, self._curve.secret_key)
        sock.setsockopt(zmq.CURVE_PUBLICKEY, self._curve.public_key)
        sock.setsockopt_string(zmq.ZAP_DOMAIN, self._domain)
        address = f"inproc://{self._domain}-monitor-{name}-{next(_monitor_ids)}"  # unique: pyzmq's reuses the fd
        self._monitors.append(sock.get_monitor_socket(sum(REFUSALS), address))  # asyncio, like ``sock``
        self._changed.set()

    async def run(self) -> None:
        """Answer ZAP requests and count refused handshakes, for every socket secured so far or later."""
        tasks = [asyncio.create_task(self._serve_zap(), name=f"{self._domain}-zap")]
        try:
            while True:
                for monitor in self._monitors:
                    if monitor not in self._watching:
                        self._watching.add(monitor)
                        tasks.append(asyncio.create_task(self._watch(monitor), name=f"{self._domain}-monitor"))
                self._changed.clear()
                await self._changed.wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def close(self) -> None:
        for sock in (*self._monitors, self._zap):
            if sock is not None:
                sock.close(linger=0)
        self._monitors, self._zap = [], None

    async def _serve_zap(self) -> None:
        assert self._zap is not None
        while True:
            request = await self._zap.recv_multipart()
            await self._zap.send_multipart(self._answer(request))

    def _answer(self, request: list[bytes]) -> list[bytes]:
        """RFC 27: version, request id, domain, address, routing id, mechanism, credentials (CURVE: the key)."""
        if len(request) < 7 or request[0] != ZAP_VERSION:
            return [ZAP_VERSION, request[1] if len(request) > 1 else b"", b"500", b"bad ZAP request", b"", b""]
        request_id, domain, address, mechanism, key = request[1], request[2], request[3], request[5], request[6]
        z85 = z85_codec.encode(key) if len(key) == 32 else b""
        allowed = domain == self._domain.encode() and mechanism == b"CURVE" and z85 in self._curve.allowed
        if not allowed:
            self._log_once(
                z85, "%s: refused %s key %s from %s", self._domain, self._peer, z85.decode() or "?", address.decode()
            )
        code, text = (b"200", b"OK") if allowed else (b"400", f"unknown {self._peer} key".encode())
        return [ZAP_VERSION, request_id, code, text, z85 if allowed else b"", b""]

    async def _watch(self, monitor: zmq.asyncio.Socket) -> None:
        while True:
            frames = await monitor.recv_multipart()
            event, value = struct.unpack("=Hi", frames[0])
            self.refused += 1
            if cause := REFUSALS.get(event, "handshake event"):
                self._log_once(
                    (event, value), "%s: %s (code 0x%x) on %s", self._domain, cause, value, frames[1].decode()
                )

    def _log_once(self, cause: object, msg: str, *args: object) -> None:
        if cause not in self._logged:
            self._logged.add(cause)
            log.warning(msg, *args)
