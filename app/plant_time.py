"""Plant time: moments given by a person (epoch seconds, or ISO 8601 in the plant's own time zone).

Shift times are not here: they are the plant file's calendar (``[calendar]``, ``sequencer.calendar``).
What it must not do: read a clock or the plant file; the zone is given.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def parse_moment(text: str, zone: str) -> float:
    """Epoch seconds, or an ISO 8601 time (without an offset: the plant's own time zone)."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is neither epoch seconds nor an ISO 8601 time (2025-03-01T06:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.timestamp()
