"""The HMI command channel's wire format: the requests an HMI may send (untrusted: strict types, no unknown keys),
the outcome of each attempt (its audit line and its reply), the identity of an operation (``intent_identity``: the
user and the HMI's ``request_id``), and the pure helpers that read ROUTER frames.

What it is for: ``app.hmi.commands`` serves the socket; everything here is data and pure functions, so the
format can be read (and fuzzed) without a socket (docs/hmi-commands.md).
What it must not do: open a socket, keep state, or put a password or a token into anything it returns for a log.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated, Any, Literal

import zmq
from pydantic import BaseModel, ConfigDict, Field, JsonValue, TypeAdapter, ValidationError

from app.hmi.accounts import MAX_PASSWORD_LEN
from app.hmi.roles import error_summary
from sequencer.json_guard import MAX_DEPTH, json_refusal

MAX_REQUEST_BYTES = 16_384  # a keyed-in broadcast with its parts fits many times over
# An HMI's request id: a UUID (with or without dashes) fits; "hmi/" + user (64) + "/" + it fits journal.identity (200).
REQUEST_ID_PATTERN = r"^[A-Za-z0-9._:-]{8,64}$"
MAX_REQUEST_DEPTH = MAX_DEPTH  # levels of nesting; an intent's fields need three (request, fields, a list in them)
# ZMQ_MAXMSGSIZE of the command socket, per frame: a request up to this is read and answered "malformed" (too large)
# and audited; a larger frame closes its sender's connection in libzmq before it is allocated, unanswered.
MAX_FRAME_BYTES = 4 * MAX_REQUEST_BYTES

# The answer to each outcome; the same word is the audit log's ``result``.
MESSAGES: dict[str, str] = {
    "done": "",
    "malformed": "not a valid HMI command",
    "no_login": "log in first",
    "bad_token": "not logged in, or the session expired or was closed: log in again",
    "forbidden": "your role may not do this",
    "refused": "refused by the sequencer",
    "bad_login": "wrong user name or password",
    "bad_badge": "unknown badge or wrong PIN",
    "rate_limited": "too many failed logins",
    "busy": "the service is busy with other logins: try again",
    "error": "internal error: the operation may not have been carried out; check the line and the service log",
}


# -- requests (untrusted: strict types, no unknown keys) ---------------------------------------------------
class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    id: int | Annotated[str, Field(max_length=64)] | None = None  # echoed, so a DEALER can match replies


class LoginRequest(_Request):
    op: Literal["login"]
    user: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LEN)


class BadgeLoginRequest(_Request):
    """An operator's login at a panel: the badge id a reader typed and a short PIN (app.hmi.accounts)."""

    op: Literal["badge_login"]
    badge: str = Field(min_length=1, max_length=64)
    pin: str = Field(min_length=1, max_length=16)


class StationRequest(_Request):
    """A kiosk panel moves to another station: written to the audit log under the session's user (a lead)."""

    op: Literal["station"]
    token: str = Field(default="", max_length=128)
    station_from: str = Field(default="", max_length=64)
    station_to: str = Field(min_length=1, max_length=64)


class LogoutRequest(_Request):
    op: Literal["logout"]
    token: str = Field(max_length=128)


class IntentRequest(_Request):
    op: Literal["intent"]
    token: str = Field(default="", max_length=128)
    type: str = Field(min_length=1, max_length=40)
    fields: dict[str, JsonValue] = Field(default_factory=dict)
    reason: str = Field(default="", max_length=500)
    # chosen by the HMI, unique per operation (a UUID): the same request again is done once, answered as the first
    request_id: str | None = Field(default=None, pattern=REQUEST_ID_PATTERN)


Request = LoginRequest | BadgeLoginRequest | LogoutRequest | IntentRequest | StationRequest
Login = LoginRequest | BadgeLoginRequest
REQUEST: TypeAdapter[Request] = TypeAdapter(Annotated[Request, Field(discriminator="op")])


@dataclasses.dataclass(frozen=True, slots=True)
class Peer:
    """Where a request came from: the ROUTER envelope to answer on, and the address for the audit log."""

    envelope: tuple[bytes, ...]
    address: str
    key: str = ""  # with CURVE: the screen's public key (Z85), which ZAP admitted

    @property
    def source(self) -> str:
        """Who sent it, as far as the channel knows: the screen's CURVE key, else its network address (never the
        routing id, which a sender picks). The login limits count failures per source."""
        if self.key:
            return f"key:{self.key}"
        return f"addr:{self.address}" if self.address else "local"

    @property
    def detail(self) -> str:
        return f"from {self.address or '?'} peer {self.envelope[0].hex()} source {self.source}"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """One attempt's result: the audit line to write, then the reply to send."""

    code: str
    request_id: int | str | None = None  # the DEALER's ``id``, echoed
    once_id: str | None = None  # the HMI's ``request_id``, echoed
    message: str = ""
    user: str = ""
    role: str = ""
    action: str = ""
    target: str = ""
    reason: str = ""
    detail: str = ""
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def reply(self) -> dict[str, Any]:
        """``{"ok": true, ...extra}`` or ``{"ok": false, "code", "error", ...extra}``, with the request's id."""
        reply: dict[str, Any] = {"ok": self.code == "done"}
        if self.request_id is not None:
            reply["id"] = self.request_id
        if self.once_id is not None:
            reply["request_id"] = self.once_id
        if self.code != "done":
            head = MESSAGES[self.code]
            reply |= {"code": self.code, "error": f"{head}: {self.message}" if self.message else head}
        return reply | self.extra


# -- pure helpers ----------------------------------------------------------------------------------------------
def split_frames(frames: list[zmq.Frame]) -> tuple[Peer, bytes | None]:
    """ROUTER frames -> (peer, body). A DEALER sends [body], a REQ [b"", body]; anything else has no body."""
    try:
        address = str(frames[-1].get("Peer-Address"))
    except zmq.ZMQError:  # ipc/inproc transports have no address
        address = ""
    try:
        key = str(frames[-1].get("User-Id"))
    except zmq.ZMQError:  # no ZAP handler (no CURVE): no key
        key = ""
    raw = [f.bytes for f in frames]
    envelope = (raw[0], b"") if len(raw) > 2 and raw[1] == b"" else (raw[0],)
    body_at = len(envelope)
    return Peer(envelope, address, key), raw[body_at] if len(raw) == body_at + 1 else None


def parse_request(body: bytes | None) -> tuple[Request | None, str]:
    if body is None:
        return None, "a request is exactly one frame of JSON"
    if refusal := json_refusal(body, max_bytes=MAX_REQUEST_BYTES, max_depth=MAX_REQUEST_DEPTH):
        return None, f"request {refusal}"  # before any parser: a deep one made json raise RecursionError
    try:
        return REQUEST.validate_json(body), ""
    except ValidationError as exc:
        return None, error_summary(exc, skip=("login", "badge_login", "logout", "intent", "station"))


def salvage(body: bytes) -> dict[str, Any]:
    """From a request that failed validation, the keys that say who and what (for the audit line only); nothing
    from one too large or too deep to parse safely."""
    if json_refusal(body, max_bytes=MAX_REQUEST_BYTES, max_depth=MAX_REQUEST_DEPTH):
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    hint: dict[str, Any] = {k: data[k][:64] for k in ("op", "type", "user") if isinstance(data.get(k), str)}
    if isinstance(data.get("token"), str) and len(data["token"]) <= 128:
        hint["token"] = data["token"]
    if isinstance(data.get("id"), int) or (isinstance(data.get("id"), str) and len(data["id"]) <= 64):
        hint["id"] = data["id"]
    return hint


def intent_identity(user: str, request_id: str) -> str:
    """What names an HMI operation in the journal (``journal.identity``): who asked, and the HMI's request id."""
    return f"hmi/{user}/{request_id}"


def describe(fields: dict[str, JsonValue]) -> str:
    """A target for the audit line when the core gave none (refused or never reached)."""
    return " ".join(f"{k}={v}" for k, v in fields.items() if isinstance(v, str | int | float))[:200]


def fields_json(fields: dict[str, JsonValue]) -> str:
    return json.dumps(fields, separators=(",", ":"), sort_keys=True)[:600]
