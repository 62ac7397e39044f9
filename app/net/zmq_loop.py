"""The two pieces every ROUTER-owning task in the service shares (feed link, HMI command server).

``bind_patiently``: a socket re-bound in the same process finds its port still held for a moment, because
ZeroMQ closes sockets asynchronously in its I/O thread. ``wait_for_input``: wait, bounded, until a frame is
readable or the owner is woken to send something (a RESEND, a login reply).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import zmq
import zmq.asyncio

IDLE_WAIT_S = 0.5  # longest wait between looks at the outbox when nothing arrives (bounds shutdown latency)
BIND_ATTEMPTS, BIND_RETRY_S = 40, 0.05  # up to 2 s for a just-closed listener's port to be released


async def bind_patiently(bind: Callable[[], object]) -> None:
    for _ in range(BIND_ATTEMPTS - 1):
        try:
            bind()
            return
        except zmq.ZMQError as exc:
            if exc.errno != zmq.EADDRINUSE:
                raise
        await asyncio.sleep(BIND_RETRY_S)
    bind()


async def wait_for_input(sock: zmq.asyncio.Socket, direct: zmq.Socket[bytes], wake: asyncio.Event) -> bool:
    """True if a frame is readable (checked on ``direct``, the plain-API shadow of ``sock``)."""
    poller = zmq.asyncio.Poller()
    poller.register(sock, zmq.POLLIN)
    poll = asyncio.ensure_future(poller.poll(int(IDLE_WAIT_S * 1000)))
    woken = asyncio.ensure_future(wake.wait())
    try:
        await asyncio.wait({poll, woken}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        poll.cancel()
        woken.cancel()
    wake.clear()
    return bool(direct.poll(0, zmq.POLLIN))
