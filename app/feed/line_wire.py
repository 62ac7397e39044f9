"""The OEM line's status on the feed link: the gateway's ``LINE`` frame (docs/feed-protocol.md, "Line status").

A ``LINE`` says whether the OEM's assembly line runs or stands, since when (the gateway's clock), at which
reporting point it was seen, and, when the OEM says, the rate it runs at (vehicles an hour). The gateway repeats the
current status with its heartbeats, so a lost frame costs one heartbeat interval; the service journals each change
once (its identity: feed, state and ``since``) as ``LineStatusReported`` (``sequencer.rules.line``). Bodies are
bounded like every feed body before a parser reads them.

What it must not do: decide what a stop means (the core does) or touch a socket (``app.feed.link`` does).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.feed.protocol import MAX_BODY_BYTES, MAX_BODY_DEPTH, FeedProtocolError
from sequencer.json_guard import json_refusal

LINE = b"LINE"  # gateway -> service


class LineStatusMessage(BaseModel):
    """The OEM line's state as its gateway reports it."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    feed: str = Field(min_length=1, max_length=64)
    state: Literal["running", "stopped"]
    since: float = Field(gt=0, allow_inf_nan=False, description="when the line entered this state, epoch seconds")
    reporting_point: str = Field(default="", max_length=64)
    rate_per_h: float | None = Field(default=None, gt=0, le=3600, allow_inf_nan=False)

    def encode(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    def identity(self) -> str:
        """What names this change across the gateway's repeats (journaled once)."""
        return f"line:{self.feed}:{self.state}:{self.since!r}"


class BadLineStatus(FeedProtocolError):
    """A LINE body that is not a line status."""


def decode_line_status(raw: bytes) -> LineStatusMessage:
    if refusal := json_refusal(raw, max_bytes=MAX_BODY_BYTES, max_depth=MAX_BODY_DEPTH):
        raise BadLineStatus(f"body {refusal}")
    try:
        return LineStatusMessage.model_validate_json(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise BadLineStatus(f"not a line status: {where}: {err['msg']}") from None
