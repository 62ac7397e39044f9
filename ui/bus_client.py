"""The HMI's end of the service's HMI bus: a ZeroMQ SUB socket polled from the Qt event loop.

What it is for: turning ``b"line " + LineView JSON`` frames (``app.hmi_bus``) into a ``line_changed`` signal
carrying the newest valid ``LineView``, and a ``link_changed`` signal that says whether the data is live.
What it must not do: block the GUI thread (every receive is ``zmq.NOBLOCK`` from a QTimer), trust what it
receives (each picture is validated; a bad one is counted and reported, never raised), or talk to the
database or devices (the HMI sees the plant only through the bus).

ZeroMQ PUB/SUB drops messages for late joiners, on reconnect and past the high-water mark (zguide ch. 5).
That is acceptable here because every message is a complete picture of the line and the service repeats it
at least once a second: the screen only ever needs the newest one, and silence means the link is down.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import zmq
from PySide6.QtCore import QObject, QTimer, Signal

from sequencer.views import LineView

TOPIC = b"line "
POLL_INTERVAL_MS = 50  # 20 Hz: twice the bus's maximum publication rate (~10 Hz), so nothing waits long
MAX_DRAIN_PER_TICK = 500  # bound the work done in one GUI tick; the rest is drained on the next tick
BAD_MESSAGE_PREVIEW = 200  # characters of a validation error passed on to the screen and log

# Socket options, chosen on purpose (devices.md: "set the high-water mark on purpose").
SUB_OPTIONS: dict[int, int] = {
    # Each frame is a whole picture, so a deep queue is useless: 64 frames is ~6 s at the bus's 10 Hz.
    # Past it libzmq drops new frames; the next heartbeat (<= 1 s) brings the screen back to the truth.
    zmq.RCVHWM: 64,
    zmq.LINGER: 0,  # closing the screen must never wait on the network
    zmq.RECONNECT_IVL: 250,  # ms: re-dial quickly after the network blinks...
    zmq.RECONNECT_IVL_MAX: 2000,  # ...backing off to 2 s while the service is away
    # ZMTP heartbeats notice a half-open TCP connection (cable pulled) and force a reconnect.
    zmq.HEARTBEAT_IVL: 1000,
    zmq.HEARTBEAT_TIMEOUT: 3000,
}


@dataclass
class BusStats:
    """What the client has seen since ``start()``; for diagnostics and tests."""

    frames: int = 0  # frames received, good or bad
    shown: int = 0  # pictures emitted through line_changed
    coalesced: int = 0  # older frames skipped because a newer one was already queued
    bad: int = 0  # frames that failed validation
    missed_revs: int = 0  # revs never seen (dropped by PUB/SUB or coalesced away)
    restarts: int = 0  # rev went backwards: the service restarted


class BusClient(QObject):
    """Subscribe to the HMI bus at ``endpoint`` and emit the newest valid ``LineView``."""

    line_changed = Signal(object)
    link_changed = Signal(bool)
    bad_message = Signal(str)

    def __init__(
        self,
        endpoint: str,
        *,
        stale_after_s: float = 3.0,
        parent: QObject | None = None,
        poll_interval_ms: int = POLL_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self.endpoint = endpoint
        self.stale_after_s = stale_after_s
        self.stats = BusStats()
        self._socket: zmq.Socket[bytes] | None = None
        self._link_up = False
        self._last_good_at: float | None = None  # time.monotonic() of the last valid picture
        self._last_rev: int | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(poll_interval_ms)
        self._timer.timeout.connect(self._poll)

    # --- lifecycle ---

    def start(self) -> None:
        """Connect and start polling; the link stays down until the first valid picture arrives."""
        if self._socket is not None:
            return
        sock: zmq.Socket[bytes] = zmq.Context.instance().socket(zmq.SUB)
        for option, value in SUB_OPTIONS.items():
            sock.setsockopt(option, value)
        sock.setsockopt(zmq.SUBSCRIBE, TOPIC)
        sock.connect(self.endpoint)
        self._socket = sock
        self._timer.start()

    def stop(self) -> None:
        """Stop polling and close the socket at once (linger 0); the link is reported down."""
        self._timer.stop()
        if self._socket is not None:
            self._socket.close(linger=0)
            self._socket = None
        self._last_good_at = None
        self._set_link(False)

    @property
    def running(self) -> bool:
        return self._socket is not None

    @property
    def link_up(self) -> bool:
        return self._link_up

    # --- one GUI tick ---

    def _poll(self) -> None:
        frames = self._drain()
        if frames:
            self._take_newest(frames)
        self._check_stale()

    def _drain(self) -> list[bytes]:
        """Everything queued right now, oldest first, without blocking."""
        frames: list[bytes] = []
        sock = self._socket
        if sock is None:
            return frames
        for _ in range(MAX_DRAIN_PER_TICK):
            try:
                frames.append(sock.recv(zmq.NOBLOCK))
            except zmq.Again:
                break
        self.stats.frames += len(frames)
        return frames

    def _take_newest(self, frames: list[bytes]) -> None:
        """Validate from the newest backwards; emit the first good picture, skip everything older."""
        for index in range(len(frames) - 1, -1, -1):
            view = self._parse(frames[index])
            if view is not None:
                self.stats.coalesced += index
                self._accept(view)
                return

    def _parse(self, frame: bytes) -> LineView | None:
        try:
            return LineView.model_validate_json(frame.removeprefix(TOPIC))
        except ValueError as exc:  # pydantic.ValidationError is a ValueError; so is bad UTF-8 or JSON
            self.stats.bad += 1
            self.bad_message.emit(_summarise(exc))
            return None

    def _accept(self, view: LineView) -> None:
        self._count_revs(view.rev)
        self._last_good_at = time.monotonic()
        self.stats.shown += 1
        self.line_changed.emit(view)
        self._set_link(True)

    def _count_revs(self, rev: int) -> None:
        last = self._last_rev
        if last is not None and rev < last:
            self.stats.restarts += 1
        elif last is not None:
            self.stats.missed_revs += max(rev - last - 1, 0)
        self._last_rev = rev

    def _check_stale(self) -> None:
        if self._last_good_at is not None and time.monotonic() - self._last_good_at >= self.stale_after_s:
            self._set_link(False)

    def _set_link(self, up: bool) -> None:
        if up != self._link_up:
            self._link_up = up
            self.link_changed.emit(up)


def _summarise(exc: ValueError) -> str:
    """One line for the log and the screen: the error's first lines (pydantic: count, field, problem)."""
    lines = [line.strip() for line in str(exc).strip().splitlines()[:3]]
    return (" / ".join(lines) or type(exc).__name__)[:BAD_MESSAGE_PREVIEW]
