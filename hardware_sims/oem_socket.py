"""How the simulated OEM gateway connects: its ZeroMQ DEALER's options and, optionally, its CURVE keys.

With ``CurveClientKeys`` the DEALER is a CURVE client holding its own keypair and the service's public key, as a
partner's gateway would (docs/feed-protocol.md, "CURVE").

Must not: send or receive (``hardware_sims.oem_feed`` owns the socket once it is made).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import zmq
import zmq.asyncio
import zmq.auth

MAX_ANSWER_BYTES = 64 * 1024  # an ACK (its reason included) or a RESEND is a few hundred bytes


@dataclass(frozen=True)
class CurveClientKeys:
    """A gateway's CURVE keys, Z85 (RFC 32): its own pair and the service's public key."""

    public_key: bytes
    secret_key: bytes
    server_key: bytes

    @classmethod
    def from_files(cls, secret_file: str | Path, server_public_file: str | Path) -> CurveClientKeys:
        """From zmq certificate files (``jis feed-keys``): our ``NAME.key_secret`` and the service's ``.key``."""
        public, secret = zmq.auth.load_certificate(secret_file)
        server, _ = zmq.auth.load_certificate(server_public_file)
        if public is None or secret is None or server is None:
            raise ValueError(f"CURVE keys incomplete: {secret_file} needs both keys, {server_public_file} a public one")
        return cls(public_key=public, secret_key=secret, server_key=server)


def connect_dealer(
    ctx: zmq.asyncio.Context, endpoint: str, *, feed: str, queue: int, curve: CurveClientKeys | None
) -> zmq.asyncio.Socket:
    """The gateway's DEALER, connected to ``endpoint``; ``queue`` bounds both directions' high-water marks."""
    sock = ctx.socket(zmq.DEALER)
    # A stable routing id: after a reconnect the service (ROUTER_HANDOVER) knows it is the same gateway.
    sock.setsockopt(zmq.ROUTING_ID, f"oem-{feed}".encode())
    # Queue only to a completed connection: while the service is down a send fails (EAGAIN) and the
    # broadcast stays in our backlog, instead of vanishing in a pipe to a peer that may never come back.
    sock.setsockopt(zmq.IMMEDIATE, 1)
    sock.setsockopt(zmq.SNDHWM, queue)
    sock.setsockopt(zmq.RCVHWM, queue)
    sock.setsockopt(zmq.LINGER, 0)  # unacked broadcasts live in our memory, not in the socket
    sock.setsockopt(zmq.MAXMSGSIZE, MAX_ANSWER_BYTES)  # ACKs and RESENDs are small: a larger frame is no service's
    if curve is not None:  # RFC 26: we prove our key; the server must prove it holds server_key
        sock.setsockopt(zmq.CURVE_SERVERKEY, curve.server_key)
        sock.setsockopt(zmq.CURVE_PUBLICKEY, curve.public_key)
        sock.setsockopt(zmq.CURVE_SECRETKEY, curve.secret_key)
    sock.connect(endpoint)
    return sock
