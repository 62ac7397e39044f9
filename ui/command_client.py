"""The HMI's end of the command channel: log in, ask for manual operations, get the answers as Qt signals.

What it is for: a ZeroMQ DEALER to the service's ``hmi_command_endpoint`` (``app.hmi.commands``, protocol in
docs/hmi-commands.md), polled from a QTimer like ``ui.bus_client``. ``login``, ``logout`` and ``send`` return
at once with a request id; the answer arrives later as ``replied(dict)`` carrying the same ``"id"``. A request
that gets no answer within ``timeout_s`` is answered here with ``code: "timeout"``.
What it must not do: block the GUI thread (every send and receive is NOBLOCK); keep the password after the
login request has gone; resend a command by itself (a manual operation is not idempotent: after a time-out
the person looks at the line before trying again); queue commands while the service is unreachable
(``IMMEDIATE``: a Hold delivered minutes late is worse than "not reachable" now; a request waits here at most
``timeout_s`` for the connection, then is answered ``unreachable`` and dropped); or import ``app`` (the HMI
talks to the service only over the network). With ``curve=`` (``ui.bus_client.CurveKeys``) the DEALER is a
CURVE client, so the password crosses the network encrypted; a screen whose key the service does not list never
connects, and its requests are answered ``unreachable``.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

import zmq
from PySide6.QtCore import QObject, QTimer, Signal

from ui.bus_client import CurveKeys

POLL_INTERVAL_MS = 50
MAX_DRAIN_PER_TICK = 100
DEFAULT_TIMEOUT_S = 5.0  # a login costs ~0.15 s of hashing on the service; a manual operation a few ms

DEALER_OPTIONS: dict[int, int] = {
    zmq.LINGER: 0,  # closing the screen must never wait on the network
    zmq.IMMEDIATE: 1,  # no connection, no queueing in ZeroMQ: the client holds it, for timeout_s at most
    zmq.SNDHWM: 100,
    zmq.RCVHWM: 100,
    zmq.RECONNECT_IVL: 250,
    zmq.RECONNECT_IVL_MAX: 2000,
    zmq.HEARTBEAT_IVL: 1000,  # ZMTP heartbeats notice a half-open TCP connection (cable pulled)
    zmq.HEARTBEAT_TIMEOUT: 3000,
}


@dataclass(frozen=True, slots=True)
class _Pending:
    op: str  # login, logout, intent
    deadline: float  # time.monotonic()


class CommandClient(QObject):
    """Send HMI commands to ``endpoint``; answers come back through ``replied`` (every one, timeouts too)."""

    replied = Signal(object)  # the reply dict, with "id"
    logged_in = Signal(str)  # the role the service gave
    login_failed = Signal(str)  # the service's error text (or the local time-out / unreachable text)
    logged_out = Signal()  # by request, or the service no longer knows the session (expired, user disabled)

    def __init__(
        self,
        endpoint: str,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        parent: QObject | None = None,
        poll_interval_ms: int = POLL_INTERVAL_MS,
        curve: CurveKeys | None = None,
    ) -> None:
        super().__init__(parent)
        self.endpoint = endpoint
        self.curve = curve
        self.timeout_s = timeout_s
        self.user = ""
        self.role = ""
        self.expires_at = 0.0
        self.bad_replies = 0
        self._token = ""
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._unsent: dict[int, bytes] = {}  # requests waiting for the connection, oldest first
        self._socket: zmq.Socket[bytes] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(poll_interval_ms)
        self._timer.timeout.connect(self._poll)

    # --- lifecycle ---
    def start(self) -> None:
        if self._socket is not None:
            return
        sock: zmq.Socket[bytes] = zmq.Context.instance().socket(zmq.DEALER)
        for option, value in DEALER_OPTIONS.items():
            sock.setsockopt(option, value)
        if self.curve is not None:
            self.curve.apply(sock)
        sock.connect(self.endpoint)
        self._socket = sock
        self._timer.start()

    def stop(self) -> None:
        """Stop polling and close the socket at once; pending requests are forgotten (no signals)."""
        self._timer.stop()
        if self._socket is not None:
            self._socket.close(linger=0)
            self._socket = None
        self._pending.clear()
        self._unsent.clear()

    @property
    def logged_in_now(self) -> bool:
        return bool(self._token)

    # --- requests ---
    def login(self, user: str, password: str) -> int:
        return self._request("login", {"user": user, "password": password})

    def logout(self) -> int:
        token, self._token, self.role, self.user = self._token, "", "", ""
        self.logged_out.emit()
        return self._request("logout", {"token": token})

    def send(self, intent_type: str, fields: dict[str, Any], reason: str = "") -> int:
        """Ask for a manual operation (``sequencer.events`` name and fields, without at/user/reason)."""
        body = {"token": self._token, "type": intent_type, "fields": fields, "reason": reason}
        return self._request("intent", body)

    def _request(self, op: str, body: dict[str, Any]) -> int:
        request_id = next(self._ids)
        frame = json.dumps({"op": op, "id": request_id, **body}).encode()
        self._pending[request_id] = _Pending(op, time.monotonic() + self.timeout_s)
        self._unsent[request_id] = frame
        self._flush()
        return request_id

    def _flush(self) -> None:
        """Send what waits, in order, while the connection takes it (IMMEDIATE: Again until connected)."""
        for request_id, frame in list(self._unsent.items()):
            if self._socket is None:
                return
            try:
                self._socket.send(frame, zmq.NOBLOCK)
            except zmq.ZMQError:  # Again: not connected yet, or the pipe is full
                return
            del self._unsent[request_id]

    # --- one GUI tick ---
    def _poll(self) -> None:
        self._flush()
        for reply in [*self._drain(), *self._expired()]:
            self._take(reply)

    def _drain(self) -> list[dict[str, Any]]:
        replies: list[dict[str, Any]] = []
        for _ in range(MAX_DRAIN_PER_TICK):
            try:
                frame = self._socket.recv(zmq.NOBLOCK) if self._socket is not None else None
            except zmq.Again:
                break
            if frame is None:
                break
            try:
                reply = json.loads(frame)
            except ValueError:
                reply = None
            if isinstance(reply, dict):
                replies.append(reply)
            else:
                self.bad_replies += 1
        return replies

    def _expired(self) -> list[dict[str, Any]]:
        now = time.monotonic()
        late = [i for i, p in self._pending.items() if p.deadline <= now]
        silent = f"no answer within {self.timeout_s:g} s: the operation may or may not have been done; check the line"
        gone = f"the service at {self.endpoint} is not reachable: nothing was sent"
        return [
            _local_reply(i, "unreachable", gone) if self._unsent.pop(i, None) else _local_reply(i, "timeout", silent)
            for i in late
        ]

    def _take(self, reply: dict[str, Any]) -> None:
        request_id = reply.get("id")
        pending = self._pending.pop(request_id, None) if isinstance(request_id, int) else None
        if pending is None:
            return  # an answer after its time-out, or to a request of a previous start
        if pending.op == "login":
            self._take_login(reply)
        elif reply.get("code") == "bad_token" and self._token:
            self._token, self.role, self.user = "", "", ""
            self.logged_out.emit()
        self.replied.emit(reply)

    def _take_login(self, reply: dict[str, Any]) -> None:
        if reply.get("ok") and isinstance(reply.get("token"), str):
            self._token = reply["token"]
            self.user, self.role = str(reply.get("user", "")), str(reply.get("role", ""))
            self.expires_at = float(reply.get("expires_at", 0.0))
            self.logged_in.emit(self.role)
        else:
            self.login_failed.emit(str(reply.get("error", "login failed")))


def _local_reply(request_id: int, code: str, error: str) -> dict[str, Any]:
    return {"ok": False, "id": request_id, "code": code, "error": error}
