"""``jis report``: the shift report for the supplier's shift leads, read from the read models.

What it is for: per hour of plant time in a window (a shift, a day, or ``--from``/``--to``) what the line did
(broadcasts, vehicles completed, on-time %, picks, wrong picks, labels, racks completed and shipped, deviations),
a totals row over the window, the vehicles by status now, and the journal row the tables describe
(``read_model_mark``); as a plain-text table or one JSON object. ``shift_report`` is the pure part: kpi rows and
status counts in, a ``Report`` out.

Times are the plant's wall-clock time (``[plant] timezone``): hours show as ``YYYY-MM-DD HH:00``, a ``--date``
or an ISO time without an offset is read in that zone. An hour belongs to a window when it starts inside it.
Shifts are the plant's calendar's (``[calendar]``, ``sequencer.calendar``: the one place shift times come from, for
due times and the cockpit too; absent, early 06-14, late 14-22, night 22-06); a shift's date is the day it starts.
On-time % is ``vehicles_on_time / vehicles_completed``; "-" when nothing was completed, or when reopened vehicles
leave the hour's net counts outside 0..100 % (no rate to show).

What it must not do: read the journal (only ``kpi_hourly``, ``vehicle_status`` and ``read_model_mark``), write
anything (the database is opened without migrating it; ``jis report`` refuses a missing SQLite file rather than
create one), or print: the command line (``app/cli/report.py``) does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Connection, Engine

from app.persist.read_models import COUNTS, MARK_ID
from app.persist.store import KpiHourlyRow, ReadModelMarkRow, VehicleStatusRow, make_engine
from app.plant_time import parse_moment
from sequencer.calendar import LineCalendar
from sequencer.plant import CalendarConfig, PlantConfig

STATUSES = ("open", "held", "completed", "cancelled")  # vehicle_status.status, always shown
CAPTIONS = {  # COUNTS -> column heading (vehicles_on_time is shown as the on-time %)
    "broadcasts": "broadcasts",
    "vehicles_completed": "completed",
    "vehicles_on_time": "on-time %",
    "picks_confirmed": "picks",
    "wrong_picks": "wrong picks",
    "labels_printed": "labels",
    "racks_completed": "racks completed",
    "racks_shipped": "racks shipped",
    "deviations_raised": "deviations",
}
HOUR_FORMAT = "%Y-%m-%d %H:%M"
READ_TRIES = 5  # the service may write the tables while we read them: read again until the mark stood still
NO_RATE = "-"

Counts = tuple[int, ...]  # in the order of COUNTS


class ReportError(RuntimeError):
    """The report cannot be made as asked (the message is for the person at the console)."""


@dataclass(frozen=True, slots=True)
class Window:
    """Plant time ``start`` <= t < ``end`` (epoch seconds) and what to call it."""

    name: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Report:
    window: Window
    hours: tuple[tuple[int, Counts], ...]  # (hour start, counts) of the hours in the window, in order
    totals: Counts
    vehicles: dict[str, int]  # status -> vehicles in vehicle_status
    journal_id: int  # the journal row the read models describe the state after


# -- the pure part ---------------------------------------------------------------------------------------------
def on_time_pct(counts: Sequence[int]) -> float | None:
    """On-time % of a row (None: no rate, shown as "-")."""
    completed, on_time = counts[COUNTS.index("vehicles_completed")], counts[COUNTS.index("vehicles_on_time")]
    if completed <= 0 or not 0 <= on_time <= completed:
        return None
    return round(100.0 * on_time / completed, 1)


def shift_report(
    kpis: Mapping[int, Sequence[int]], window: Window, vehicles: Mapping[str, int], journal_id: int
) -> Report:
    """The report over ``window`` from ``kpi_hourly`` rows (hour -> counts) and vehicle counts by status."""
    hours = tuple((hour, tuple(kpis[hour])) for hour in sorted(kpis) if window.start <= hour < window.end)
    totals = tuple(sum(col) for col in zip(*(c for _, c in hours), strict=True)) if hours else (0,) * len(COUNTS)
    shown = {status: int(vehicles.get(status, 0)) for status in STATUSES}
    shown.update({s: int(n) for s, n in sorted(vehicles.items()) if s not in shown})
    return Report(window=window, hours=hours, totals=totals, vehicles=shown, journal_id=journal_id)


def shift_window(day: date, shift: str | None, zone: ZoneInfo, calendar: LineCalendar | None = None) -> Window:
    """A shift of the plant's calendar (default: ``[calendar]``'s defaults) starting on ``day`` (a night shift ends
    the next morning), or the whole day."""
    if shift is None:
        start, end, name = _at(day, 0, zone), _at(day + timedelta(days=1), 0, zone), f"day {day.isoformat()}"
        return Window(name=name, start=start, end=end)
    calendar = calendar or LineCalendar(CalendarConfig(), zone.key)
    try:
        span = calendar.shift_on(day, shift)
    except KeyError as exc:
        raise ReportError(str(exc.args[0])) from None
    return Window(name=f"{shift} shift {day.isoformat()}", start=span.start, end=span.end)


def _at(day: date, hour: int, zone: ZoneInfo) -> float:
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone).timestamp()


def _local(epoch: float, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(epoch, zone).strftime(HOUR_FORMAT)


def _rate(counts: Sequence[int]) -> str:
    pct = on_time_pct(counts)
    return NO_RATE if pct is None else f"{pct:.1f}"


def as_json(report: Report, plant: PlantConfig, zone: ZoneInfo) -> dict[str, Any]:
    """The report as one JSON object (counts under their ``kpi_hourly`` column names, times in the plant zone)."""

    def row(counts: Counts) -> dict[str, Any]:
        return {**dict(zip(COUNTS, counts, strict=True)), "on_time_pct": on_time_pct(counts)}

    window = report.window
    return {
        "plant": plant.plant.code,
        "timezone": zone.key,
        "window": {
            "name": window.name,
            "start": datetime.fromtimestamp(window.start, zone).isoformat(),
            "end": datetime.fromtimestamp(window.end, zone).isoformat(),
        },
        "journal_id": report.journal_id,
        "hours": [{"hour": _local(hour, zone), "hour_start": hour, **row(counts)} for hour, counts in report.hours],
        "totals": row(report.totals),
        "vehicles": report.vehicles,
    }


def as_text(report: Report, plant: PlantConfig, zone: ZoneInfo) -> str:
    """The report as a plain-text table, a totals row under the hours."""
    window = report.window
    head = ("hour", *(CAPTIONS[c] for c in COUNTS))
    rows = [(_local(hour, zone), *_cells(counts)) for hour, counts in report.hours]
    total = ("total", *_cells(report.totals))
    widths = [max(len(r[i]) for r in (head, *rows, total)) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        padded = [c.rjust(w) for c, w in zip(cells, widths, strict=True)]
        return "  ".join([cells[0].ljust(widths[0]), *padded[1:]])

    out = [
        f"Shift report {plant.plant.code} ({plant.plant.name}): {window.name}, "
        f"{_local(window.start, zone)} to {_local(window.end, zone)} {zone.key}",
        f"read models as of journal row {report.journal_id}",
        "",
        line(head),
        *(line(r) for r in rows),
        *([] if rows else ["(no activity in this window)"]),
        line(total),
        "",
        "vehicles by status now: " + ", ".join(f"{s} {n}" for s, n in report.vehicles.items()),
    ]
    return "\n".join(out)


def _cells(counts: Counts) -> list[str]:
    return [_rate(counts) if c == "vehicles_on_time" else str(n) for c, n in zip(COUNTS, counts, strict=True)]


# -- reading the read models ----------------------------------------------------------------------------------
def read_report(engine: Engine, window: Window) -> Report | None:
    """The report from the database (None: no read models there yet); rows of one write of the service only."""
    for _ in range(READ_TRIES):
        with engine.connect() as conn:
            if not inspect(conn).has_table(ReadModelMarkRow.__tablename__):
                return None  # a database from before revision 0003
            before = _mark(conn)
            if before is None:
                return None
            kpis = _kpis(conn, window)
            vehicles = {str(s): int(n) for s, n in conn.execute(_by_status())}
            after = _mark(conn)
        if after == before:
            return shift_report(kpis, window, vehicles, before)
    raise ReportError(f"the read models changed under each of {READ_TRIES} reads; try again")


def _mark(conn: Connection) -> int | None:
    query = select(ReadModelMarkRow.journal_id).where(ReadModelMarkRow.id == MARK_ID)
    found = conn.execute(query).scalar()
    return None if found is None else int(found)


def _kpis(conn: Connection, window: Window) -> dict[int, Counts]:
    k = KpiHourlyRow
    cols = [k.hour, *(getattr(k, c) for c in COUNTS)]
    query = select(*cols).where(k.hour >= window.start, k.hour < window.end).order_by(k.hour)
    return {int(r[0]): tuple(int(n) for n in r[1:]) for r in conn.execute(query)}


def _by_status() -> Any:
    return select(VehicleStatusRow.status, func.count()).group_by(VehicleStatusRow.status)


# -- the window a person asks for -----------------------------------------------------------------------------
def window_of(
    zone: ZoneInfo,
    *,
    calendar: LineCalendar | None = None,
    shift: str | None = None,
    day: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> Window:
    """The window asked for: ``start`` and ``end`` (epoch s or ISO, plant time), or ``shift`` and/or ``day``
    (YYYY-MM-DD; default today). ReportError or ValueError when the combination or a value is wrong."""
    if start is not None or end is not None:
        if start is None or end is None or shift or day:
            raise ReportError("give --from and --to together, without --shift or --date")
        since, until = parse_moment(start, zone.key), parse_moment(end, zone.key)
        if until <= since:
            raise ReportError(f"--to {end} is not after --from {start}")
        return Window(name="custom window", start=since, end=until)
    when = date.fromisoformat(day) if day else datetime.now(zone).date()
    return shift_window(when, shift, zone, calendar)


def report_from(url: str, window: Window) -> Report | None:
    """``read_report`` on the database at ``url`` (opened without migrating it; see the module's docstring)."""
    engine = make_engine(url)
    try:
        return read_report(engine, window)
    finally:
        engine.dispose()
