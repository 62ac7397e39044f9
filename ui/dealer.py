"""One poller for the HMI's DEALER links: requests out with ids, replies matched back, time-outs and link state.

What it is for: the one way a screen asks something over ZeroMQ request/reply: the service's command channel
(``ui.command_client``, docs/hmi-commands.md), the HMI bus's snapshots (``ui.bus_client``, docs/hmi-bus.md) and
the simulators' control channel (``ui.engineer.link``, docs/sim-control.md). A ``DealerLink`` owns one DEALER
socket and one QTimer. Each tick it sends what waits for the connection, drains the replies (a bounded number),
matches each to its request by the id the reply echoes, reports the requests that reached their deadline
unanswered, tells whether the link is live (a good reply within ``stale_after_s``, ``LinkState``), and last
emits ``ticked`` for its owner's own periodic work, so a client needs no second timer. What a message looks like
is the owner's ``Wire``: each client keeps only its own messages.
Why a QTimer and not a QSocketNotifier on ``ZMQ_FD``: that descriptor is edge-triggered and only says the socket's
state may have changed (every wake-up must drain until ``EAGAIN`` and re-read ``ZMQ_EVENTS``, or replies wait
unseen), and deadlines and silence must be checked on a clock anyway; at 20 Hz the timer costs nothing. One timer
per link, not one per process: a link starts and stops with its client, and a test runs each at its own rate.
What it must not do: block the GUI thread (every send and receive is NOBLOCK); resend a request by itself (a
time-out is reported and the owner decides: a manual operation is not idempotent); keep a request's frames once
they are sent (a login's password leaves memory with the request); keep a request past its deadline; or read
what a message means.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import zmq
from PySide6.QtCore import QObject, QTimer, Signal

POLL_INTERVAL_MS = 50  # 20 Hz: replies, time-outs and silence (the HMI bus's updates wake the screen as they arrive)
MAX_DRAIN_PER_TICK = 100  # bound the work done in one GUI tick; the rest is drained on the next tick
STALE_AFTER_S = 3.0  # three missed heartbeats or answers: the screens' COMM look (hmi-bus.md, sim-control.md)
BAD_MESSAGE_PREVIEW = 200  # characters of a validation error passed on to the screen and log

# Socket options every HMI link shares, chosen on purpose (devices.md: "set the high-water mark on purpose").
REDIAL: dict[int, int] = {
    zmq.LINGER: 0,  # closing the screen must never wait on the network
    zmq.RECONNECT_IVL: 250,  # ms: re-dial quickly after the network blinks...
    zmq.RECONNECT_IVL_MAX: 2000,  # ...backing off to 2 s while the other end is away
}
HEARTBEATS: dict[int, int] = {
    zmq.HEARTBEAT_IVL: 1000,  # ZMTP heartbeats notice a half-open TCP connection (cable pulled)
    zmq.HEARTBEAT_TIMEOUT: 3000,
}


class SocketKeys(Protocol):
    """Whatever secures a socket before it connects (``ui.bus_client.CurveKeys``: a CURVE client)."""

    def apply(self, sock: zmq.Socket[bytes]) -> None: ...


def open_socket(kind: int, options: Mapping[int, int], keys: SocketKeys | None = None) -> zmq.Socket[bytes]:
    """A socket of ``kind`` with ``options`` and ``keys`` applied, not yet connected."""
    sock: zmq.Socket[bytes] = zmq.Context.instance().socket(kind)
    for option, value in options.items():
        sock.setsockopt(option, value)
    if keys is not None:
        keys.apply(sock)
    return sock


def preview(exc: Exception) -> str:
    """The first line of why a message did not fit, short enough for a status line and a log."""
    lines = str(exc).splitlines()
    return (lines[0] if lines else type(exc).__name__)[:BAD_MESSAGE_PREVIEW]


# -- the owner's messages ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, kw_only=True)
class Heard:
    """One message off the link, as the owner's ``Wire`` read it."""

    request_id: int | None  # the id it echoes; None: it names no request
    message: Any  # what the owner reads
    last: bool = True  # the request's last reply (a snapshot is many messages, ended by KTHXBAI)


class Wire(Protocol):
    """How one channel's messages look; ``decode`` raises ``ValueError`` for a message that does not fit."""

    def encode(self, request_id: int, body: Any) -> list[bytes]: ...

    def decode(self, frames: list[bytes]) -> Heard: ...


class JsonWire:
    """One frame of UTF-8 JSON each way, the request's id as its ``"id"`` (the command and sim control channels);
    ``read`` validates a reply's frame and says which request it answers."""

    def __init__(self, read: Callable[[bytes], Heard]) -> None:
        self._read = read

    def encode(self, request_id: int, body: Mapping[str, Any]) -> list[bytes]:
        return [json.dumps({**body, "id": request_id}).encode()]

    def decode(self, frames: list[bytes]) -> Heard:
        if len(frames) != 1:
            raise ValueError(f"a reply is one frame of JSON; got {len(frames)} frames")
        return self._read(frames[0])


# -- link state ----------------------------------------------------------------------------------------------------
class LinkState(QObject):
    """Live or not: live once the owner says so (``live``), down after ``stale_after_s`` without a good message
    (``heard``) or when the owner lets go (``lost``). ``changed`` fires on each change, never twice the same."""

    changed = Signal(bool)

    def __init__(self, stale_after_s: float = STALE_AFTER_S, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stale_after_s = stale_after_s
        self.up = False
        self._heard_at: float | None = None  # monotonic time of the last good message; None: not listening

    def heard(self, now: float) -> None:
        """A good message arrived: the silence is counted from now."""
        self._heard_at = now

    def live(self, now: float) -> None:
        """The data is live (counting the silence from now if nothing was heard yet)."""
        if self._heard_at is None:
            self._heard_at = now
        self._set(True)

    def went_silent(self, now: float) -> bool:
        """True once, when ``stale_after_s`` has passed without a good message: the link is then down."""
        if self._heard_at is None or now - self._heard_at < self.stale_after_s:
            return False
        self.lost()
        return True

    def lost(self) -> None:
        self._heard_at = None
        self._set(False)

    def _set(self, up: bool) -> None:
        if up != self.up:
            self.up = up
            self.changed.emit(up)


# -- the link ------------------------------------------------------------------------------------------------------
@dataclass(slots=True, kw_only=True)
class Request:
    """A request waiting for its reply; ``memo`` is the owner's note of it (never sent)."""

    id: int
    memo: Any
    deadline: float  # on the link's clock
    frames: list[bytes] | None  # what waits for the connection; None once sent

    @property
    def sent(self) -> bool:
        return self.frames is None


@dataclass
class DealerStats:
    """What the link has seen since it was made; for diagnostics and tests."""

    sent: int = 0  # requests handed to ZeroMQ
    refused: int = 0  # ``request_now`` with no connection: not sent
    replies: int = 0  # good replies, to a waiting request or not
    strays: int = 0  # good replies to no waiting request (late, or after a reconnect)
    bad: int = 0  # messages that did not fit the wire
    timeouts: int = 0  # requests that reached their deadline unanswered (sent or not)


class DealerLink(QObject):
    """One DEALER to one endpoint, polled from one QTimer; ``request`` and get the answer on ``replied``."""

    replied = Signal(object, object)  # (Request, or None for a stray; the message)
    timed_out = Signal(object)  # Request: no (last) reply by its deadline; ``sent`` tells whether it left
    bad_reply = Signal(str)  # why a message did not fit the wire
    link_changed = Signal(bool)
    ticked = Signal(float)  # after each tick, with the link's clock: the owner's own periodic work

    def __init__(
        self,
        wire: Wire,
        options: Mapping[int, int],
        *,
        keys: SocketKeys | None = None,
        stale_after_s: float = STALE_AFTER_S,
        poll_interval_ms: int = POLL_INTERVAL_MS,
        max_drain: int = MAX_DRAIN_PER_TICK,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.wire, self.options, self.keys = wire, options, keys
        self.clock = clock
        self.max_drain = max_drain
        self.endpoint = ""
        self.stats = DealerStats()
        self.state = LinkState(stale_after_s, self)
        self.state.changed.connect(self.link_changed)
        self._ids = itertools.count(1)  # never reset: a reply to an earlier start cannot match a new request
        self._pending: dict[int, Request] = {}  # in the order asked: held requests leave in that order
        self._socket: zmq.Socket[bytes] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(poll_interval_ms)
        self.timer.timeout.connect(self.poll)

    # --- lifecycle ---
    def start(self, endpoint: str | None = None) -> None:
        """Start ticking; connect to ``endpoint`` if given (an owner may learn it later: ``connect_to``)."""
        if endpoint and self._socket is None:
            self.connect_to(endpoint)
        self.timer.start()

    def connect_to(self, endpoint: str) -> None:
        """A fresh socket to ``endpoint``; requests waiting on the old one are forgotten (no signals)."""
        self._close()
        sock = open_socket(zmq.DEALER, self.options, self.keys)
        sock.connect(endpoint)
        self._socket, self.endpoint = sock, endpoint

    def stop(self) -> None:
        """Stop ticking and close the socket at once; waiting requests are forgotten (no signals); link down."""
        self.timer.stop()
        self._close()
        self.state.lost()

    def _close(self) -> None:
        if self._socket is not None:
            self._socket.close(linger=0)
        self._socket, self.endpoint = None, ""
        self._pending.clear()

    @property
    def connected(self) -> bool:
        """A socket is open (ZeroMQ may still be dialling)."""
        return self._socket is not None

    @property
    def link_up(self) -> bool:
        return self.state.up

    # --- requests ---
    def request(self, body: Any, timeout_s: float, memo: Any = None) -> int:
        """Send ``body`` now or, while there is no connection (``IMMEDIATE``), as soon as there is one, at most
        until ``timeout_s`` from now; then ``replied`` or ``timed_out``. The request's id."""
        pending = self._add(body, timeout_s, memo)
        self._flush()
        return pending.id

    def request_now(self, body: Any, timeout_s: float, memo: Any = None) -> int | None:
        """Send ``body`` now or not at all: None (nothing queued, no signal) when there is no connection."""
        if self._socket is None:
            return None
        pending = self._add(body, timeout_s, memo)
        if not self._send(pending):
            del self._pending[pending.id]
            self.stats.refused += 1
            return None
        return pending.id

    def waiting(self, request_id: int | None) -> bool:
        """``request_id`` is still waiting for its (last) reply."""
        return request_id in self._pending

    def forget(self, request_id: int | None) -> None:
        """Stop waiting for ``request_id``: its replies from now on are strays."""
        if request_id is not None:
            self._pending.pop(request_id, None)

    def _add(self, body: Any, timeout_s: float, memo: Any) -> Request:
        request_id = next(self._ids)
        frames = self.wire.encode(request_id, body)
        pending = Request(id=request_id, memo=memo, deadline=self.clock() + timeout_s, frames=frames)
        self._pending[request_id] = pending
        return pending

    def _send(self, pending: Request) -> bool:
        if self._socket is None or pending.frames is None:
            return False
        try:
            self._socket.send_multipart(pending.frames, zmq.NOBLOCK)
        except zmq.Again:  # not connected yet (IMMEDIATE), or the pipe is full
            return False
        pending.frames = None
        self.stats.sent += 1
        return True

    def _flush(self) -> None:
        """Send what waits, oldest first, while the connection takes it."""
        for pending in [p for p in self._pending.values() if not p.sent]:
            if not self._send(pending):
                return

    # --- one tick ---
    def poll(self) -> None:
        now = self.clock()
        self._flush()
        self._drain(now)
        self._expire(now)
        self.state.went_silent(now)
        self.ticked.emit(now)

    def _drain(self, now: float) -> None:
        for _ in range(self.max_drain):
            if self._socket is None:
                return  # stopped by a slot of the reply before
            try:
                frames = self._socket.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            try:
                heard = self.wire.decode(frames)
            except ValueError as exc:  # pydantic's ValidationError is one too
                self.stats.bad += 1
                self.bad_reply.emit(preview(exc))
                continue
            self._take(heard, now)

    def _take(self, heard: Heard, now: float) -> None:
        self.stats.replies += 1
        self.state.heard(now)
        self.state.live(now)
        pending = self._pending.get(heard.request_id) if heard.request_id is not None else None
        if pending is None:
            self.stats.strays += 1
        elif heard.last:
            del self._pending[pending.id]
        self.replied.emit(pending, heard.message)

    def _expire(self, now: float) -> None:
        for late in [p for p in self._pending.values() if p.deadline <= now]:
            if self._pending.pop(late.id, None) is not None:  # a slot before may have forgotten it
                self.stats.timeouts += 1
                self.timed_out.emit(late)
