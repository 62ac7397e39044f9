"""Plant time: moments given by a person (epoch seconds, or ISO 8601 in the plant's own time zone), and the shifts.

What it must not do: read a clock or the plant file; the zone is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

# The plant file has no shift times, so these are the default: early 06-14, late 14-22, night 22-06 plant time
# (the cockpit's table in ui/cockpit/shift.py); a shift's date is the day it starts.
SHIFTS: dict[str, tuple[int, int]] = {"early": (6, 14), "late": (14, 22), "night": (22, 6)}  # start, end hour


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


@dataclass(frozen=True, slots=True)
class ShiftSpan:
    """One shift: its name, the plant day it starts on (YYYY-MM-DD), and its start and end (epoch seconds)."""

    name: str
    day: str
    start: float
    end: float


def shift_at(epoch: float, zone: str) -> ShiftSpan:
    """The shift ``epoch`` falls in (``SHIFTS`` in the plant's zone); a night shift that began the day before at 22:00
    is found across midnight. The one place the shared KPIs (``app.service.hmi_side``, ``jis report``) take the
    current shift from."""
    tz = ZoneInfo(zone)
    local = datetime.fromtimestamp(epoch, tz)
    starts = sorted(
        (datetime(d.year, d.month, d.day, first, tzinfo=tz), name)
        for d in (local - timedelta(days=1), local, local + timedelta(days=1))
        for name, (first, _) in SHIFTS.items()
    )
    for (start, name), (following, _) in pairwise(starts):
        if start <= local < following:
            day = start.date().isoformat()
            return ShiftSpan(name=name, day=day, start=start.timestamp(), end=following.timestamp())
    raise ValueError(f"no shift contains {local.isoformat()}")  # unreachable: the table covers three whole days
