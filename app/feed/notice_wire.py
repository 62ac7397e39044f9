"""Ship notices on the feed link: the service's ``NOTICE`` to the OEM's gateway and the OEM's ``NOTICE_ANS``
(docs/feed-protocol.md, "Ship notices"; docs/ship-notices.md).

A ``NOTICE`` carries one notice version in the partner's format (DESADV or VDA 4913 text) with its document
number and version beside it, so the gateway can answer without parsing; the gateway's ``NOTICE_ANS`` is an
APERAK / CONTRL-like answer: accepted, or rejected with the reason. Bodies are bounded like every feed body
(``app.feed.protocol.MAX_BODY_BYTES``, depth) before a parser reads them.

What it must not do: decide anything about a notice (the core does) or touch a socket (``app.feed.link`` does).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.feed.protocol import MAX_BODY_BYTES, MAX_BODY_DEPTH, FeedProtocolError
from sequencer.json_guard import json_refusal

NOTICE = b"NOTICE"  # service -> gateway
NOTICE_ANS = b"NOTICE_ANS"  # gateway -> service


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    def encode(self) -> bytes:
        return self.model_dump_json().encode()


class NoticeMessage(_Wire):
    """One version of a rack's ship notice, in the partner's format."""

    feed: str = Field(min_length=1, max_length=64)
    notice_id: str = Field(min_length=1, max_length=70)
    version: int = Field(ge=1)
    function: Literal["original", "cancel", "replace"]
    format: Literal["desadv", "vda4913", "x12_856"]
    message: str = Field(max_length=100_000)


class NoticeAnswer(_Wire):
    """The OEM's answer to one notice version."""

    feed: str = Field(min_length=1, max_length=64)
    notice_id: str = Field(min_length=1, max_length=70)
    version: int = Field(ge=1)
    accepted: bool
    reason: str = Field(default="", max_length=500)


class BadNoticeAnswer(FeedProtocolError):
    """A NOTICE_ANS body that is not a notice answer."""


def decode_notice_answer(raw: bytes) -> NoticeAnswer:
    if refusal := json_refusal(raw, max_bytes=MAX_BODY_BYTES, max_depth=MAX_BODY_DEPTH):
        raise BadNoticeAnswer(f"body {refusal}")
    try:
        return NoticeAnswer.model_validate_json(raw)
    except ValidationError as exc:
        raise BadNoticeAnswer(f"not a notice answer: {exc.errors()[0]['msg']}") from None
