"""The shift calendar's arithmetic (``sequencer.calendar``): line time between two instants is monotone, additive
and zero inside breaks and off shift; adding line time is its inverse; shifts are found across midnight."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sequencer.calendar
from sequencer.calendar import LineCalendar
from sequencer.plant import CalendarConfig, PlantConfigError, parse_plant
from tests.plants import DEMO_PLANT

BERLIN = "Europe/Berlin"
ZONE = ZoneInfo(BERLIN)
CALENDAR = LineCalendar(
    CalendarConfig.model_validate(
        {
            "shifts": [
                {"name": "early", "start": "06:00", "end": "14:00"},
                {"name": "late", "start": "14:00", "end": "22:00"},
            ],
            "breaks": [
                {"start": "09:00", "end": "09:30"},
                {"start": "12:00", "end": "12:45"},
                {"start": "18:00", "end": "18:30"},
            ],
            "workdays": ["mon", "tue", "wed", "thu", "fri"],
            "holidays": ["2026-12-25"],
        }
    ),
    BERLIN,
)
# instants from 2026-03-20 to 2026-11-10 (both clock changes of 2026 inside), whole seconds
instants = st.integers(min_value=1_773_964_800, max_value=1_794_268_800).map(float)


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE).timestamp()


@settings(max_examples=150, deadline=None)
@given(instants, instants, instants)
def test_line_time_is_additive_and_monotone(a: float, b: float, c: float) -> None:
    a, b, c = sorted((a, b, c))
    ab, bc, ac = CALENDAR.line_seconds(a, b), CALENDAR.line_seconds(b, c), CALENDAR.line_seconds(a, c)
    assert ab >= 0 and bc >= 0
    assert ac == pytest.approx(ab + bc, abs=1e-6)  # additive, so monotone in its end
    assert ab <= b - a  # never more than wall-clock time


@settings(max_examples=150, deadline=None)
@given(instants, st.integers(min_value=0, max_value=200_000).map(float))
def test_adding_line_time_is_the_inverse(start: float, seconds: float) -> None:
    end = CALENDAR.add(start, seconds)
    assert end >= start
    assert CALENDAR.line_seconds(start, end) == pytest.approx(seconds, abs=1e-6)
    if seconds > 0:
        assert CALENDAR.running(end - 1e-3) or CALENDAR.line_seconds(start, end - 1) < seconds  # no slack at the end


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(2026, 3, 20), max_value=date(2026, 11, 10)), st.integers(0, 29 * 60))
def test_no_line_time_inside_a_break(day: date, offset: int) -> None:
    start = datetime(day.year, day.month, day.day, 9, tzinfo=ZONE).timestamp()
    inside = start + offset % (30 * 60)
    assert CALENDAR.line_seconds(start, inside) == 0.0
    assert not CALENDAR.running(inside)


def test_breaks_weekends_and_holidays_stop_line_time() -> None:
    assert CALENDAR.line_seconds(at("2026-12-07T08:00"), at("2026-12-07T10:00")) == 90 * 60  # Monday, a break
    friday_late = at("2026-12-11T21:00")
    assert CALENDAR.add(friday_late, 7200) == at("2026-12-14T07:00")  # the weekend does not run
    assert CALENDAR.add(at("2026-12-24T21:30"), 3600) == at("2026-12-28T06:30")  # holiday, then the weekend
    assert CALENDAR.add(at("2026-12-07T08:30"), 1800) == at("2026-12-07T09:00")  # due as the break starts


def test_the_default_calendar_is_wall_clock_time() -> None:
    default = LineCalendar(CalendarConfig(), BERLIN)
    assert default.always
    assert default.add(1_000.0, 7200) == 8_200.0 and default.line_seconds(0.0, 7200.0) == 7200.0


def test_shifts_are_found_across_midnight_and_by_name() -> None:
    demo = LineCalendar(CalendarConfig(), BERLIN)
    night = demo.shift_at(at("2026-12-08T01:30"))
    assert night is not None and (night.name, night.day) == ("night", date(2026, 12, 7))
    assert (night.start, night.end) == (at("2026-12-07T22:00"), at("2026-12-08T06:00"))
    assert CALENDAR.shift_at(at("2026-12-07T23:00")) is None  # no night shift in this calendar
    with pytest.raises(KeyError, match="early, late"):
        CALENDAR.shift_on(date(2026, 12, 7), "night")


def test_overlapping_shifts_and_bad_breaks_are_refused() -> None:
    text = DEMO_PLANT.read_text(encoding="utf-8")
    overlapping = text.replace('name = "late"\nstart = "14:00"', 'name = "late"\nstart = "13:00"')
    with pytest.raises(PlantConfigError, match="shifts overlap"):
        parse_plant(overlapping, "demo.toml")
    backwards = text.replace("[calendar]\n", '[calendar]\nbreaks = [{start = "10:00", end = "09:00"}]\n')
    with pytest.raises(PlantConfigError, match="end must be after start"):
        parse_plant(backwards, "demo.toml")


def test_calendar_reads_no_clock() -> None:
    """The one core module allowed ``datetime`` (pyproject's import contract) converts, never reads the clock."""
    source = Path(sequencer.calendar.__file__).read_text(encoding="utf-8")
    assert not re.search(r"\.(now|today|utcnow)\s*\(|import time\b", source)
