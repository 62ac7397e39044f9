"""The OEM feed's wire format as the simulated gateway writes it: frame kinds and JSON bodies.

Written here from docs/feed-protocol.md, not imported from ``app``: a simulator must not import the service
(import-linter layers), and a partner's adapter would not share our code either, so the integration tests check
that two independent ends agree.

Must not: keep state, or read any clock (the caller passes the simulated time to put in a body).
"""

from __future__ import annotations

import json
from typing import Any

# Frame kinds (docs/feed-protocol.md).
BCAST, HB, ACK, RESEND = b"BCAST", b"HB", b"ACK", b"RESEND"


def broadcast_body(
    *, feed: str, seq: int, vehicle_id: str, options: list[str], sent_at: float, reporting_point: str, line: str
) -> bytes:
    """An original, firm build order for one vehicle."""
    return encode(
        {
            "feed": feed,
            "seq": seq,
            "vehicle_id": vehicle_id,
            "function": "original",
            "firm": True,
            "options": options,
            "sent_at": sent_at,
            "reporting_point": reporting_point,
            "line": line,
        }
    )


def heartbeat_body(*, feed: str, last_seq: int | None, at: float) -> bytes:
    return encode({"feed": feed, "last_seq": last_seq, "at": at})


LINE = b"LINE"  # the OEM line's status (docs/feed-protocol.md, "Line status")


def line_status_body(
    *, feed: str, state: str, since: float, reporting_point: str, rate_per_h: float | None = None
) -> bytes:
    body: dict[str, Any] = {"feed": feed, "state": state, "since": since, "reporting_point": reporting_point}
    if rate_per_h is not None:
        body["rate_per_h"] = rate_per_h
    return encode(body)


def encode(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def decode(raw: bytes) -> dict[str, Any] | None:
    """A JSON object, or None for anything else (not JSON, or JSON but not an object)."""
    try:
        obj = json.loads(raw)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None
