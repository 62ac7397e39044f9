"""The HMI's end of the command channel: log in, ask for manual operations, get the answers as Qt signals.

What it is for: a ZeroMQ DEALER to the service's ``hmi_command_endpoint`` (``app.hmi.commands``, protocol in
docs/hmi-commands.md) on the HMI's one DEALER poller (``ui.dealer.DealerLink``). ``login``, ``logout`` and
``send`` return at once with a request id; the answer arrives later as ``replied(dict)`` carrying the same
``"id"``. A request that gets no answer within ``timeout_s`` is answered here with ``code: "timeout"``.
``default_command_endpoint``: where the channel is when a screen is given only the bus's endpoint.
Every operation goes with a request id of its own (``send``: a fresh UUID, or the one given), which the service
journals with it: the same request again is done once and answered as the first (docs/hmi-commands.md,
"Request ids"). So after a ``timeout`` a screen may offer "try again" with the reply's ``request_id``; a new
operation is a new id.
What it must not do: block the GUI thread (every send and receive is NOBLOCK); keep the password after the
login request has gone; resend a command by itself (after a time-out the person looks at the line and decides;
trying again is safe only with the same request id); queue commands while the service is unreachable
(``IMMEDIATE``: a Hold delivered minutes late is worse than "not reachable" now; a request waits here at most
``timeout_s`` for the connection, then is answered ``unreachable`` and dropped); or import ``app`` (the HMI
talks to the service only over the network). With ``curve=`` (``ui.bus_client.CurveKeys``) the DEALER is a
CURVE client, so the password crosses the network encrypted; a screen whose key the service does not list never
connects, and its requests are answered ``unreachable``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import zmq
from PySide6.QtCore import QObject, Signal, Slot

from ui.dealer import HEARTBEATS, POLL_INTERVAL_MS, REDIAL, DealerLink, Heard, JsonWire, Request, SocketKeys

DEFAULT_TIMEOUT_S = 5.0  # a login costs ~0.15 s of hashing on the service; a manual operation a few ms

# The largest reply is a login's or a refusal's: a few hundred bytes, the audit's widths (a target of 200, a message
# naming a role table) at most a few KB; a frame over this closes the connection before it is allocated.
MAX_REPLY_BYTES = 64 * 1024

DEALER_OPTIONS: dict[int, int] = {
    **REDIAL,
    **HEARTBEATS,
    zmq.IMMEDIATE: 1,  # no connection, no queueing in ZeroMQ: the client holds it, for timeout_s at most
    zmq.SNDHWM: 100,
    zmq.RCVHWM: 100,
    zmq.MAXMSGSIZE: MAX_REPLY_BYTES,
}


def default_command_endpoint(bus_endpoint: str) -> str:
    """The plant file's convention (demo.toml: bus 5556, commands 5557): same host, the next port."""
    parts = urlsplit(bus_endpoint)
    host, _, port = parts.netloc.rpartition(":")
    return urlunsplit(parts._replace(netloc=f"{host}:{int(port) + 1}"))


def read_reply(frame: bytes) -> Heard:
    """A reply is a JSON object; its ``"id"`` (an integer: this client sends no other) names the request."""
    reply = json.loads(frame)  # a JSONDecodeError is a ValueError
    if not isinstance(reply, dict):
        raise ValueError("a reply is a JSON object")
    request_id = reply.get("id")
    return Heard(request_id=request_id if type(request_id) is int else None, message=reply)


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
        curve: SocketKeys | None = None,
    ) -> None:
        super().__init__(parent)
        self.endpoint = endpoint
        self.timeout_s = timeout_s
        self.user = ""
        self.role = ""
        self.language = ""  # the logged-in user's own language (the account's), "" for the screen's
        self.login_code = ""  # the code of the last refused login (app.hmi.wire.MESSAGES), for the screen's words
        self._token = ""
        self.link = DealerLink(
            JsonWire(read_reply), DEALER_OPTIONS, keys=curve, poll_interval_ms=poll_interval_ms, parent=self
        )
        self.link.replied.connect(self._take)
        self.link.timed_out.connect(self._timed_out)

    # --- lifecycle ---
    def start(self) -> None:
        self.link.start(self.endpoint)

    def stop(self) -> None:
        """Stop polling and close the socket at once; pending requests are forgotten (no signals)."""
        self.link.stop()

    @property
    def logged_in_now(self) -> bool:
        return bool(self._token)

    # --- requests ---
    def login(self, user: str, password: str) -> int:
        return self._request("login", {"user": user, "password": password})

    def badge_login(self, badge: str, pin: str) -> int:
        """An operator's login: the badge id a reader typed and the PIN from the pad (docs/hmi-commands.md)."""
        return self._request("badge_login", {"badge": badge, "pin": pin}, kind="login")

    def station_change(self, station_from: str, station_to: str) -> int:
        """Tell the service (for its audit log) that this kiosk panel moves to another station; the answer comes
        through ``replied`` and the screen moves only when it is ``ok``."""
        return self._request("station", {"token": self._token, "station_from": station_from, "station_to": station_to})

    def logout(self) -> int:
        token, self._token, self.role, self.user, self.language = self._token, "", "", "", ""
        self.logged_out.emit()
        return self._request("logout", {"token": token})

    def send(self, intent_type: str, fields: dict[str, Any], reason: str = "", *, request_id: str | None = None) -> int:
        """Ask for a manual operation (``sequencer.events`` name and fields, without at/user/reason). ``request_id``:
        the operation's own id (default: a new one); the same id again is the same operation, done once."""
        once = request_id or uuid.uuid4().hex
        body = {"token": self._token, "type": intent_type, "fields": fields, "reason": reason, "request_id": once}
        return self._request("intent", body, once)

    def _request(self, op: str, body: dict[str, Any], once: str | None = None, *, kind: str = "") -> int:
        # the memo: the op (a badge login is a login) and an intent's request id, what a local answer names (never
        # the password or the PIN)
        return self.link.request({"op": op, **body}, self.timeout_s, memo=(kind or op, once))

    # --- answers ---
    @Slot(object)
    def _timed_out(self, request: Request) -> None:
        once = request.memo[1]
        if request.sent:
            silent = f"no answer within {self.timeout_s:g} s: the operation may or may not have been done"
            self._take(request, _local_reply(request.id, "timeout", f"{silent}; check the line", once))
        else:
            gone = f"the service at {self.endpoint} is not reachable: nothing was sent"
            self._take(request, _local_reply(request.id, "unreachable", gone, once))

    @Slot(object, object)
    def _take(self, request: Request | None, reply: dict[str, Any]) -> None:
        if request is None:
            return  # an answer after its time-out, or to a request of a previous start
        if request.memo[0] == "login":
            self._take_login(reply)
        elif reply.get("code") == "bad_token" and self._token:
            self._token, self.role, self.user, self.language = "", "", "", ""
            self.logged_out.emit()
        self.replied.emit(reply)

    def _take_login(self, reply: dict[str, Any]) -> None:
        if reply.get("ok") and isinstance(reply.get("token"), str):
            self._token = reply["token"]
            self.user, self.role = str(reply.get("user", "")), str(reply.get("role", ""))
            self.language = str(reply.get("language", ""))
            self.login_code = ""
            self.logged_in.emit(self.role)
        else:
            self.login_code = str(reply.get("code", ""))
            self.login_failed.emit(str(reply.get("error", "login failed")))


def _local_reply(request_id: int, code: str, error: str, once: str | None = None) -> dict[str, Any]:
    reply: dict[str, Any] = {"ok": False, "id": request_id, "code": code, "error": error}
    return reply | ({"request_id": once} if once else {})
