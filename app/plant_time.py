"""Plant time: moments given by a person (epoch seconds, or ISO 8601 in the plant's own time zone)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def parse_moment(text: str, zone: str) -> float:
    """Epoch seconds, or an ISO 8601 time (without an offset: the plant's own time zone)."""
    try:
        return float(text)
    except ValueError:
        pass
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.timestamp()
