"""The plant's shift calendar as arithmetic: which instants are line time, how much line time lies between two
instants, when a lead time counted in line time runs out, and which shift an instant belongs to.

What it is for: the one place shift times come from (``[calendar]`` in the plant file, ``sequencer.plant``). Due
times count the feed's lead time in line time (the OEM's line does not run in breaks, on holidays or off shift), the
line-status rules move due times across a stop by the line time left (``sequencer.rules.line``), and the shift
report and the cockpit ask it for shift boundaries.

Line time is the union of the shifts of working days (a shift belongs to the day it starts) minus the daily breaks.
Wall-clock times are the plant's (``[plant] timezone``), turned into epoch seconds with the zone's rules: this is
the one core module that uses ``datetime`` (an exception in the import contract, pyproject): it converts given
instants and dates only and never reads a clock (``tests/unit/test_calendar.py::test_calendar_reads_no_clock``).
A calendar of three shifts round the clock, every day, without breaks or holidays (the default) is wall-clock time
exactly, without a look at the zone.

What it must not do: read a clock or a file other than the zone's rules, or decide anything about a vehicle.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sequencer.plant import WEEKDAYS, CalendarConfig, clock_minutes

DAY_MINUTES = 1440
CACHED_DAYS = 64
SEARCH_DAYS = 800  # a lead time not run out within this many days of working time: the calendar has none left


@dataclass(frozen=True, slots=True)
class ShiftSpan:
    """One shift on one day: its name, the day it starts (plant time) and its start and end (epoch seconds)."""

    name: str
    day: date
    start: float
    end: float


class LineCalendar:
    """Line time in a plant zone after a ``CalendarConfig``; every answer is a pure function of its arguments."""

    def __init__(self, cfg: CalendarConfig, zone: str) -> None:
        self.cfg = cfg
        self.zone = ZoneInfo(zone)
        self.workdays = frozenset(WEEKDAYS.index(d) for d in cfg.workdays)
        self.holidays = frozenset(date.fromisoformat(d) for d in cfg.holidays)
        self.breaks = tuple(sorted((clock_minutes(b.start), clock_minutes(b.end)) for b in cfg.breaks))
        self.shifts = tuple(sorted((s.minutes(), s.name) for s in cfg.shifts))
        covered = sum(end - start for (start, end), _ in self.shifts)
        self.always = covered == DAY_MINUTES and not self.breaks and not self.holidays and len(self.workdays) == 7
        self._days: dict[date, tuple[tuple[float, float], ...]] = {}  # a plain dict: the core is pickled

    # -- the days --------------------------------------------------------------------------------------------
    def _at(self, day: date, minutes: int) -> float:
        """Epoch seconds of ``minutes`` after ``day``'s midnight, plant time (past 1440: the days after)."""
        return (datetime(day.year, day.month, day.day, tzinfo=self.zone) + timedelta(minutes=minutes)).timestamp()

    def local_day(self, at: float) -> date:
        return datetime.fromtimestamp(at, self.zone).date()

    def runs_on(self, day: date) -> bool:
        """Whether the shifts starting on ``day`` run (a working day that is no holiday)."""
        return day.weekday() in self.workdays and day not in self.holidays

    def _day(self, day: date) -> tuple[tuple[float, float], ...]:
        """``_working_of_day``, remembered for the last ``CACHED_DAYS`` days asked for."""
        found = self._days.get(day)
        if found is None:
            if len(self._days) >= CACHED_DAYS:
                self._days.clear()
            found = self._days[day] = self._working_of_day(day)
        return found

    def _working_of_day(self, day: date) -> tuple[tuple[float, float], ...]:
        """The line-time intervals of the shifts starting on ``day`` (epoch seconds, in order), breaks taken out."""
        if not self.runs_on(day):
            return ()
        spans: list[tuple[float, float]] = []
        for (start, end), _ in self.shifts:
            pieces = [(start, end)]
            for offset in (0, DAY_MINUTES):  # a shift into the next day meets that day's breaks too
                for b_start, b_end in self.breaks:
                    pieces = [p for a, z in pieces for p in _minus((a, z), (b_start + offset, b_end + offset))]
            spans += [(self._at(day, a), self._at(day, z)) for a, z in pieces]
        return tuple(sorted((a, z) for a, z in spans if z > a))

    def working(self, start: float) -> Iterator[tuple[float, float]]:
        """Line-time intervals ending after ``start``, in order, for up to ``SEARCH_DAYS`` days (clipped to it)."""
        day = self.local_day(start) - timedelta(days=1)  # a shift begun the day before may still run
        for _ in range(SEARCH_DAYS):
            for a, z in self._day(day):
                if z > start:
                    yield max(a, start), z
            day += timedelta(days=1)

    # -- line time ---------------------------------------------------------------------------------------------
    def line_seconds(self, start: float, end: float) -> float:
        """Line time between two instants: 0 when ``end`` is not after ``start``."""
        if end <= start:
            return 0.0
        if self.always:
            return end - start
        total = 0.0
        for a, z in self.working(start):
            if a >= end:
                break
            total += min(z, end) - a
        return total

    def add(self, start: float, seconds: float) -> float:
        """The instant at which ``seconds`` of line time after ``start`` have run (``start`` itself for 0 or less);
        a lead time that ends exactly at a break's start is due then, not after the break."""
        if seconds <= 0:
            return start
        if self.always:
            return start + seconds
        left = seconds
        for a, z in self.working(start):
            if z - a >= left:
                return a + left
            left -= z - a
        raise ValueError(f"the calendar has no {seconds:g} s of line time within {SEARCH_DAYS} days")

    def running(self, at: float) -> bool:
        """Whether ``at`` is line time (in a shift of a working day, outside a break)."""
        if self.always:
            return True
        return any(a <= at < z for a, z in self._near(at))

    def _near(self, at: float) -> Iterator[tuple[float, float]]:
        day = self.local_day(at)
        for d in (day - timedelta(days=1), day):
            yield from self._day(d)

    # -- shifts ------------------------------------------------------------------------------------------------
    def shifts_of(self, day: date) -> list[ShiftSpan]:
        """The shifts that start on ``day`` (holidays too: a report asks for a shift that did not run)."""
        return [ShiftSpan(name, day, self._at(day, start), self._at(day, end)) for (start, end), name in self.shifts]

    def shift_at(self, at: float) -> ShiftSpan | None:
        """The shift ``at`` falls in (breaks inside it count as the shift's), or None between shifts."""
        day = self.local_day(at)
        for d in (day - timedelta(days=1), day):
            for span in self.shifts_of(d):
                if span.start <= at < span.end:
                    return span
        return None

    def shift_on(self, day: date, name: str) -> ShiftSpan:
        """The shift ``name`` starting on ``day``; KeyError naming the calendar's shifts for an unknown one."""
        for span in self.shifts_of(day):
            if span.name == name:
                return span
        raise KeyError(f"unknown shift {name!r}: {', '.join(n for _, n in self.shifts)}")


def _minus(piece: tuple[int, int], cut: tuple[int, int]) -> list[tuple[int, int]]:
    """``piece`` without ``cut`` (minutes): none, one or two pieces."""
    (a, z), (c, d) = piece, cut
    if d <= a or c >= z:
        return [piece]
    return [p for p in ((a, c), (d, z)) if p[1] > p[0]]
