"""The OEM broadcast feed's wire protocol: frame kinds, message models and strict decoders.

What crosses the feed link between an OEM gateway (DEALER) and the service (ROUTER), as documented in
docs/feed-protocol.md:

    gateway -> service   [b"BCAST", <broadcast JSON>]      one build order for one vehicle
                         [b"HB", <heartbeat JSON>]          "I am alive; the last number I sent was ..."
    service -> gateway   [b"ACK", <ack JSON>]               sent only after the broadcast is durably stored
                         [b"RESEND", <resend JSON>]         "send me this range again" (a gap was seen)

Broadcasts are untrusted input, so they are validated strictly at this edge (pydantic strict mode,
``extra="forbid"``): "1" is not a number, 1 is not ``true``, a forgotten ``firm`` flag is an error rather than
a forecast silently built as firm. Before any parser sees a body, a cheap scan refuses one larger than
``MAX_BODY_BYTES`` or nested deeper than ``MAX_BODY_DEPTH`` (``sequencer.json_guard``). Every decoding failure
raises one error type naming the field and why.

Also here, pure as the rest: what names a broadcast across resends (``broadcast_identity``: the gateway's optional
``message_id``, else feed, sequence number and content digest) and a body that is not one (``raw_identity``); the
service journals each identity once (docs/feed-protocol.md, "Identity").

This module is pure: no sockets, no clock, no persistence. It must not decide what a broadcast *means*
(duplicates, gaps, wrap-around are the core's business), only whether it is well-formed and what names it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from sequencer.json_guard import MAX_DEPTH, json_refusal
from sequencer.seqnum import ring_range

# Frame kinds: the first frame after the ZeroMQ routing envelope.
BCAST = b"BCAST"
HB = b"HB"
ACK = b"ACK"
RESEND = b"RESEND"

BroadcastFunction = Literal["original", "change", "cancel", "hold", "release"]
AckStatus = Literal["accepted", "duplicate", "quarantined", "refused"]
# The reason of a ``duplicate`` ACK for a copy of input the service quarantined before (nothing of it was stored as a
# broadcast: the feed link does not take its sender for the feed's gateway).
QUARANTINED_BEFORE = "quarantined before"

# The largest legitimate body is a broadcast at the schema's limits: 500 option codes and 100 parts of 64 characters,
# every one of them a quote or backslash escaped to two bytes, is about 94 KB of compact JSON; 128 KiB leaves room
# for a partner's whitespace. A larger body is refused (quarantined) with the reason; the feed link's socket drops
# a frame of more than twice this (``app.feed.link.MAX_FRAME_BYTES``). Legitimate messages nest two levels.
MAX_BODY_BYTES = 128 * 1024
MAX_BODY_DEPTH = MAX_DEPTH

# Identifiers (feed, vehicle id, codes): printable ASCII, no leading/trailing blanks. VINs (ISO 3779) and body
# or production numbers are ASCII; a stray space or control byte in a key is a partner bug, not data.
_IDENT = re.compile(r"[!-~](?:[ -~]*[!-~])?")
_REASON_INPUT_CHARS = 40
MESSAGE_ID_MAX = 120  # characters of a message id: with the feed id it fits the journal's identity column (200)
MAX_QTY = 9999  # a broadcast line's quantity: a handful of parts; four display digits on a pick-to-light
DIGEST_HEX = 32  # 128 bits of SHA-256 name a broadcast's content in its identity


def _check_ident(value: str, what: str) -> str:
    if not value:
        raise ValueError(f"{what} is empty")
    if len(value) > 64:
        raise ValueError(f"{what} is longer than 64 characters")
    if not _IDENT.fullmatch(value):
        raise ValueError(f"{what} must be printable ASCII without leading or trailing blanks")
    return value


class _Wire(BaseModel):
    """Base of every wire message: strict types, no unknown keys, immutable once decoded."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    def encode(self) -> bytes:
        """The message's JSON body, ready to be a frame."""
        return self.model_dump_json().encode()


class BroadcastMessage(_Wire):
    """One OEM build order for one vehicle (the canonical broadcast JSON; see docs/feed-protocol.md)."""

    feed: str
    seq: int = Field(ge=0, description="rolling sequence number; 0 <= seq < the feed's modulus (plant file)")
    vehicle_id: str
    function: BroadcastFunction
    firm: bool = Field(description="true: a firm call to build; false: a forecast, never built")
    options: tuple[str, ...] = Field(max_length=500)
    parts: dict[str, str] = Field(default_factory=dict, max_length=100)
    sent_at: float = Field(gt=0, allow_inf_nan=False, description="OEM's send time, epoch seconds")
    reporting_point: str = Field(max_length=64)
    line: str = Field(max_length=64)
    message_id: str | None = Field(
        default=None, description="the sender's own name for this message, unique per feed (optional: identity)"
    )
    qty: dict[str, int] = Field(
        default_factory=dict, max_length=100, description="family -> quantity of its part in ``parts`` (absent: 1)"
    )
    required_at: float | None = Field(
        default=None, gt=0, allow_inf_nan=False, description="the OEM's required time, epoch seconds (optional)"
    )

    @field_validator("feed")
    @classmethod
    def _feed_is_ident(cls, v: str) -> str:
        return _check_ident(v, "feed id")

    @field_validator("qty")
    @classmethod
    def _quantities(cls, v: dict[str, int], info: ValidationInfo) -> dict[str, int]:
        parts = info.data.get("parts", {})
        for family, qty in v.items():
            if family not in parts:
                raise ValueError(f"quantity for family {family!r}, which names no part in parts")
            if not 1 <= qty <= MAX_QTY:
                raise ValueError(f"quantity {qty} of family {family!r} is outside 1..{MAX_QTY}")
        return v

    def unset(self) -> set[str]:
        """The optional keys this message leaves out: left out of its body and of its identity's digest too, so a
        message without them is the body (and the identity) an older gateway sends."""
        empty = {"message_id": self.message_id is None, "qty": not self.qty, "required_at": self.required_at is None}
        return {key for key, absent in empty.items() if absent}

    def encode(self) -> bytes:
        """The JSON body, without the optional keys it leaves out (the body an older gateway sends)."""
        return self.model_dump_json(exclude=self.unset()).encode()

    def quantity(self, family: str) -> int:
        """How many of the family's part the vehicle takes (1 unless ``qty`` says)."""
        return self.qty.get(family, 1)

    @field_validator("message_id")
    @classmethod
    def _message_id_is_ident(cls, v: str | None) -> str | None:
        if v is not None and len(v) > MESSAGE_ID_MAX:
            raise ValueError(f"message id is longer than {MESSAGE_ID_MAX} characters")
        return None if v is None else _check_ident(v, "message id")

    @field_validator("vehicle_id")
    @classmethod
    def _vehicle_is_ident(cls, v: str) -> str:
        return _check_ident(v, "vehicle id")

    @field_validator("options")
    @classmethod
    def _codes_are_idents(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for code in v:
            _check_ident(code, "option code")
        return v

    @field_validator("parts")
    @classmethod
    def _parts_are_idents(cls, v: dict[str, str]) -> dict[str, str]:
        for family, number in v.items():
            _check_ident(family, "part family")
            _check_ident(number, f"part number of family {family!r}")
        return v


class Heartbeat(_Wire):
    """The gateway is alive; ``last_seq`` is the last number it broadcast (None: nothing yet)."""

    feed: str
    last_seq: int | None = Field(ge=0)
    at: float = Field(allow_inf_nan=False, description="gateway's clock, epoch seconds")

    @field_validator("feed")
    @classmethod
    def _feed_is_ident(cls, v: str) -> str:
        return _check_ident(v, "feed id")


class Ack(_Wire):
    """The service's answer to one broadcast, sent only once the broadcast is durably stored.

    ``seq`` is None only for input so broken that no sequence number could be read from it.
    """

    feed: str
    seq: int | None = Field(ge=0)
    status: AckStatus
    reason: str = ""


class Resend(_Wire):
    """The service asks for ``from_seq`` .. ``to_seq`` again, inclusive, counting across the wrap."""

    feed: str
    from_seq: int = Field(ge=0)
    to_seq: int = Field(ge=0)

    def count(self, modulus: int) -> int:
        """How many numbers the range holds: 9998 -> 1 at modulus 10000 is 4."""
        return (self.to_seq - self.from_seq) % modulus + 1

    def seqs(self, modulus: int) -> tuple[int, ...]:
        return ring_range(self.from_seq % modulus, self.count(modulus), modulus)


class FeedProtocolError(ValueError):
    """A frame body that is not a valid message of its kind; ``reason`` says which field and why."""

    kind: ClassVar[str] = "message"

    def __init__(self, reason: str) -> None:
        super().__init__(f"bad {self.kind}: {reason}")
        self.reason = reason


class BadBroadcast(FeedProtocolError):
    """A BCAST body that is not a valid broadcast (not JSON, missing or mistyped field, negative seq, ...)."""

    kind = "broadcast"


class BadHeartbeat(FeedProtocolError):
    kind = "heartbeat"


class BadAck(FeedProtocolError):
    kind = "ack"


class BadResend(FeedProtocolError):
    kind = "resend"


def _describe_error(err: Any, raw: bytes) -> str:
    """One pydantic error as 'field: what is wrong (got ...)'."""
    if err["type"] == "json_invalid":
        return _describe_bad_json(err, raw)
    if err["type"] == "model_type":
        return f"not a JSON object (got {type(err['input']).__name__})"
    where = ".".join(str(p) for p in err["loc"]) or "(message)"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] in ("missing", "extra_forbidden", "value_error"):
        text = {"missing": "missing field", "extra_forbidden": "unknown field"}.get(err["type"], msg)
        return f"{where}: {text}"
    got = repr(err.get("input"))[:_REASON_INPUT_CHARS]
    return f"{where}: {msg[0].lower()}{msg[1:]} (got {got})"


def _describe_bad_json(err: Any, raw: bytes) -> str:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text (byte {exc.start})"
    return f"not JSON: {str(err['msg']).removeprefix('Invalid JSON: ')}"


_M = TypeVar("_M", bound=_Wire)


def _decode(model: type[_M], error: type[FeedProtocolError], raw: bytes) -> _M:
    if not raw:
        raise error("empty body")
    if refusal := json_refusal(raw, max_bytes=MAX_BODY_BYTES, max_depth=MAX_BODY_DEPTH):
        raise error(f"body {refusal}")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        raise error("; ".join(_describe_error(e, raw) for e in exc.errors())) from None


def decode_broadcast(raw: bytes) -> BroadcastMessage:
    """Parse a BCAST body; raise BadBroadcast with a reason naming every bad field."""
    return _decode(BroadcastMessage, BadBroadcast, raw)


def decode_heartbeat(raw: bytes) -> Heartbeat:
    return _decode(Heartbeat, BadHeartbeat, raw)


def decode_ack(raw: bytes) -> Ack:
    return _decode(Ack, BadAck, raw)


def decode_resend(raw: bytes) -> Resend:
    return _decode(Resend, BadResend, raw)


def salvage_key(raw: bytes) -> tuple[str, int | None]:
    """Best-effort (feed, seq) of a body that may be malformed, so even a quarantine can be acknowledged.

    Returns ("", None) when nothing usable is found (a body too large or too deep is not read); never raises.
    """
    if json_refusal(raw, max_bytes=MAX_BODY_BYTES, max_depth=MAX_BODY_DEPTH):
        return "", None
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return "", None
    if not isinstance(data, dict):
        return "", None
    feed, seq = data.get("feed"), data.get("seq")
    good_feed = feed if isinstance(feed, str) and len(feed) <= 64 else ""
    good_seq = seq if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0 else None
    return good_feed, good_seq


def broadcast_identity(msg: BroadcastMessage) -> str:
    """What names this broadcast however often it arrives (docs/feed-protocol.md, "Identity"): the gateway's
    ``message_id`` when it sends one, else the feed's own sequence number and a digest of the whole content
    (``sent_at`` included: a resend carries the same, a later change of the same number does not)."""
    if msg.message_id is not None:
        return f"feed/{msg.feed}/msg/{msg.message_id}"
    unset = msg.unset() - {"message_id"}  # null in the digest since identities began; the newer keys only when set
    content = json.dumps(msg.model_dump(mode="json", exclude=unset), sort_keys=True, separators=(",", ":"))
    return f"feed/{msg.feed}/seq/{msg.seq}/{hashlib.sha256(content.encode()).hexdigest()[:DIGEST_HEX]}"


def raw_identity(raw: bytes) -> str:
    """What names a body that is not a broadcast (it is quarantined): the ``message_id`` it carries, if one can be
    read (``jis import`` puts one into every problem it sends), else a digest of its bytes (always, for a body too
    large or too deep to parse: it is not read)."""
    try:
        data = None if json_refusal(raw, max_bytes=MAX_BODY_BYTES, max_depth=MAX_BODY_DEPTH) else json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        data = None
    found = data.get("message_id") if isinstance(data, dict) else None
    if isinstance(found, str) and 0 < len(found) <= MESSAGE_ID_MAX and _IDENT.fullmatch(found):
        return f"raw/msg/{found}"
    return f"raw/{hashlib.sha256(raw).hexdigest()[:DIGEST_HEX]}"


def quarantine_ack(raw: bytes, reason: str) -> Ack:
    """The ACK for a broadcast the service kept in quarantine: the gateway must stop resending it."""
    feed, seq = salvage_key(raw)
    return Ack(feed=feed, seq=seq, status="quarantined", reason=reason)
