"""The shift lead's figures as data: the shift table, the KPI table, alarm-state words and the shift's deviation log.

What it is for: one place, shared by the cockpit's screens and its CSV/PDF report, that says which shift a picture
belongs to (the service's calendar, ``LineView.shift``: no shift times here), how each KPI is captioned, formatted
and judged against its target, and which deviations were seen during the shift, including those that have since
closed (the HMI bus carries only the open ones, so the cockpit keeps the history it has watched).
What it must not do: import Qt, read a clock or touch the network: every moment comes from a ``LineView``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sequencer.calendar import LineCalendar
from sequencer.plant import CalendarConfig
from sequencer.views import DeviationView, LineView, ShiftView
from ui.words import NO_VALUE, QT_TRANSLATE_NOOP

# --- shifts: the plant's calendar ([calendar]) as the service's picture says (``LineView.shift``) ---------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Shift:
    name: str
    start: float  # epoch seconds
    end: float

    def label(self, zone: ZoneInfo, translate: Callable[[str], str] = lambda text: text) -> str:
        """E.g. ``Late shift 2025-06-15 14:00–22:00``: the day is the day the shift started; ``translate``: the
        screen's (``ui.i18n.tr``), English without (the report)."""
        if not self.name:
            between = translate(QT_TRANSLATE_NOOP("jis", "Between shifts {start}"))
            return between.format(start=f"{datetime.fromtimestamp(self.start, zone):%Y-%m-%d %H:%M}")
        start = datetime.fromtimestamp(self.start, zone)
        end = datetime.fromtimestamp(self.end, zone)
        named = translate(QT_TRANSLATE_NOOP("jis", "{name} shift {start}–{end}"))
        return named.format(name=self.name, start=f"{start:%Y-%m-%d %H:%M}", end=f"{end:%H:%M}")

    def slug(self, zone: ZoneInfo) -> str:
        return f"{datetime.fromtimestamp(self.start, zone):%Y-%m-%d}-{self.name.lower() or 'between-shifts'}"


def shift_of(line: LineView, zone: ZoneInfo) -> Shift:
    """The shift of the picture's moment, as the service's calendar says; from a service that does not say (older
    than the screen), the default calendar's (``sequencer.plant.CalendarConfig``)."""
    view = line.shift
    if view is None:
        span = LineCalendar(CalendarConfig(), zone.key).shift_at(line.at)
        assert span is not None  # the default calendar runs round the clock
        view = ShiftView(name=span.name, day=span.day.isoformat(), start=span.start, end=span.end)
    return Shift(name=view.name.capitalize(), start=view.start, end=view.end)


# --- KPIs: caption, unit, value, format and target as a table -----------------------------------------------

Value = float | int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Kpi:
    key: str
    caption: str
    unit: str
    value: Callable[[LineView], Value]
    fmt: str = "{:.0f}"
    off_target: Callable[[Value, LineView], bool] = lambda v, line: False

    def text(self, line: LineView) -> str:
        value = self.value(line)
        return NO_VALUE if value is None else self.fmt.format(value)

    def is_off_target(self, line: LineView) -> bool:
        value = self.value(line)
        return value is not None and self.off_target(value, line)


ON_TIME_TARGET = 0.995  # JIS contracts typically ask >= 99.5 % of parts at the line on time
ACCURACY_TARGET = 0.9995
TAKT_SHORTFALL = 0.9  # picking slower than 90 % of what takt asks for empties the buffer
BUFFER_MIN_MINUTES = 30.0  # below this, a feed hiccup reaches the assembly line


def _pct(value: float | None) -> float | None:
    return None if value is None else value * 100


def _minutes(value: float | None) -> float | None:
    return None if value is None else value / 60


KPIS: tuple[Kpi, ...] = (
    Kpi(
        key="on_time_rate",
        caption=QT_TRANSLATE_NOOP("jis", "On time"),
        unit="%",
        value=lambda ln: _pct(ln.kpis.on_time_rate),
        fmt="{:.1f}",
        off_target=lambda v, ln: v is not None and v < ON_TIME_TARGET * 100,
    ),
    Kpi(
        key="picks_per_hour",
        caption=QT_TRANSLATE_NOOP("jis", "Picks / h"),
        unit=QT_TRANSLATE_NOOP("jis", "/h"),
        value=lambda ln: ln.kpis.picks_per_hour,
        off_target=lambda v, ln: v is not None and v < TAKT_SHORTFALL * ln.kpis.takt_picks_per_hour,
    ),
    Kpi(
        key="takt_picks_per_hour",
        caption=QT_TRANSLATE_NOOP("jis", "Takt picks / h"),
        unit=QT_TRANSLATE_NOOP("jis", "/h"),
        value=lambda ln: ln.kpis.takt_picks_per_hour,
    ),
    Kpi(
        key="buffer_minutes",
        caption=QT_TRANSLATE_NOOP("jis", "Buffer"),
        unit=QT_TRANSLATE_NOOP("jis", "min"),
        value=lambda ln: ln.kpis.buffer_minutes,
        fmt="{:.0f}",
        off_target=lambda v, ln: v is not None and v < BUFFER_MIN_MINUTES,
    ),
    Kpi(
        key="broadcasts_per_hour",
        caption=QT_TRANSLATE_NOOP("jis", "Broadcasts / h"),
        unit=QT_TRANSLATE_NOOP("jis", "/h"),
        value=lambda ln: ln.kpis.broadcasts_per_hour,
    ),
    Kpi(
        key="seconds_since_last_broadcast",
        caption=QT_TRANSLATE_NOOP("jis", "Feed silent for"),
        unit="s",
        value=lambda ln: ln.kpis.seconds_since_last_broadcast,
    ),
    Kpi(
        key="pick_accuracy",
        caption=QT_TRANSLATE_NOOP("jis", "Pick accuracy"),
        unit="%",
        value=lambda ln: _pct(ln.kpis.pick_accuracy),
        fmt="{:.2f}",
        off_target=lambda v, ln: v is not None and v < ACCURACY_TARGET * 100,
    ),
    # Wrong picks caught at the bin (ppm of confirmed picks): they never left. Parts that left out of sequence or as
    # the wrong part are a figure shared with the OEM, over the ship notices (ui/cockpit/notices.py, docs/kpis.md).
    Kpi(
        key="sequence_error_ppm",
        caption=QT_TRANSLATE_NOOP("jis", "Wrong picks caught"),
        unit=QT_TRANSLATE_NOOP("jis", "ppm"),
        value=lambda ln: ln.kpis.sequence_error_ppm,
        off_target=lambda v, ln: v is not None and v > 0,
    ),
    Kpi(
        key="open_deviations",
        caption=QT_TRANSLATE_NOOP("jis", "Open deviations"),
        unit="",
        value=lambda ln: ln.kpis.open_deviations,
    ),
    Kpi(
        key="mean_time_to_resolve",
        caption=QT_TRANSLATE_NOOP("jis", "Time to resolve"),
        unit=QT_TRANSLATE_NOOP("jis", "min"),
        value=lambda ln: _minutes(ln.kpis.mean_time_to_resolve_s),
        fmt="{:.1f}",
    ),
    Kpi(
        key="vehicles_completed",
        caption=QT_TRANSLATE_NOOP("jis", "Vehicles completed"),
        unit="",
        value=lambda ln: ln.kpis.vehicles_completed,
    ),
    Kpi(
        key="racks_shipped",
        caption=QT_TRANSLATE_NOOP("jis", "Racks shipped"),
        unit="",
        value=lambda ln: ln.kpis.racks_shipped,
    ),
    Kpi(
        key="vehicles_broadcast",
        caption=QT_TRANSLATE_NOOP("jis", "Vehicles broadcast"),
        unit="",
        value=lambda ln: ln.counters.vehicles_broadcast,
    ),
    Kpi(
        key="labels_printed",
        caption=QT_TRANSLATE_NOOP("jis", "Labels printed"),
        unit="",
        value=lambda ln: ln.counters.labels_printed,
    ),
    Kpi(
        key="quarantined",
        caption=QT_TRANSLATE_NOOP("jis", "Quarantined"),
        unit="",
        value=lambda ln: ln.counters.quarantined,
        off_target=lambda v, ln: v is not None and v > 0,
    ),
    Kpi(
        key="alarms_closed_unacknowledged",
        caption=QT_TRANSLATE_NOOP("jis", "Unacked closed"),
        unit="",
        value=lambda ln: ln.counters.alarms_closed_unacknowledged,
        off_target=lambda v, ln: v is not None and v > 0,
    ),
)

# --- ISA-18.2 alarm states in words (sequencer.alarms.AlarmState values) -------------------------------------

STATE_WORDS: dict[str, str] = {
    "active_unacknowledged": QT_TRANSLATE_NOOP("jis", "UNACK"),
    "active_acknowledged": QT_TRANSLATE_NOOP("jis", "ACKED"),
    "returned_unacknowledged": QT_TRANSLATE_NOOP("jis", "RTN UNACK"),
    "shelved": QT_TRANSLATE_NOOP("jis", "SHELVED"),
    "suppressed": QT_TRANSLATE_NOOP("jis", "SUPPRESSED"),
    "out_of_service": QT_TRANSLATE_NOOP("jis", "OUT OF SERVICE"),
    "normal": QT_TRANSLATE_NOOP("jis", "NORMAL"),
    "closed": QT_TRANSLATE_NOOP("jis", "CLOSED"),
}
PRIORITY_GLYPHS: dict[int, str] = {1: "■", 2: "▲", 3: "◆"}  # the printed report's shapes (widgets.SHAPES)


def kind_words(kind: str) -> str:
    return kind.replace("_", " ").upper()


# --- the shift's deviation log --------------------------------------------------------------------------------

MAX_LOGGED = 5000  # a bad shift raises a few hundred; past this the oldest closed entries are dropped


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedDeviation:
    view: DeviationView
    last_seen: float
    closed_at: float | None = None
    shelved_until: float | None = None

    @property
    def state(self) -> str:
        return "closed" if self.closed_at is not None else self.view.state

    @property
    def id(self) -> int:
        return self.view.id


class DeviationLog:
    """Every deviation seen on the bus, open or since closed; ``update`` with each new picture of the line."""

    def __init__(self, limit: int = MAX_LOGGED) -> None:
        self.limit = limit
        self._entries: dict[int, LoggedDeviation] = {}

    def update(self, line: LineView) -> bool:
        """Take a picture's open deviations; those gone from it are closed at the picture's time. True if changed."""
        before = dict(self._entries)
        open_ids = {d.id for d in line.deviations}
        for d in line.deviations:
            known = self._entries.get(d.id)
            until = _shelved_until(d, known)
            self._entries[d.id] = LoggedDeviation(view=d, last_seen=line.at, shelved_until=until)
        for dev_id, entry in list(self._entries.items()):
            if dev_id not in open_ids and entry.closed_at is None:
                self._entries[dev_id] = replace(entry, closed_at=line.at)
        self._trim()
        return _signature(before) != _signature(self._entries)

    def note_shelved(self, deviation_id: int, until: float) -> None:
        """The expiry of a shelving this cockpit asked for (the bus does not carry it yet)."""
        entry = self._entries.get(deviation_id)
        if entry is not None:
            self._entries[deviation_id] = replace(entry, shelved_until=until)

    def entries(self, since: float | None = None) -> list[LoggedDeviation]:
        """Newest first; ``since``: only those raised, still open or closed at or after that moment."""
        chosen = [e for e in self._entries.values() if since is None or _touches(e, since)]
        return sorted(chosen, key=lambda e: (-e.view.at, -e.id))

    def get(self, deviation_id: int) -> LoggedDeviation | None:
        return self._entries.get(deviation_id)

    def __len__(self) -> int:
        return len(self._entries)

    def _trim(self) -> None:
        excess = len(self._entries) - self.limit
        if excess <= 0:
            return
        closed = sorted((e for e in self._entries.values() if e.closed_at is not None), key=lambda e: e.closed_at or 0)
        for entry in closed[:excess]:
            del self._entries[entry.id]


def _shelved_until(view: DeviationView, known: LoggedDeviation | None) -> float | None:
    """The bus's expiry once ``DeviationView`` carries one; else what this cockpit noted while still shelved."""
    from_bus = getattr(view, "shelved_until", None)
    if from_bus:
        return float(from_bus)
    return known.shelved_until if known is not None and view.state == "shelved" else None


def _touches(entry: LoggedDeviation, since: float) -> bool:
    return entry.view.at >= since or entry.closed_at is None or entry.closed_at >= since


def _signature(entries: dict[int, LoggedDeviation]) -> set[tuple[int, str, bool, float | None]]:
    return {(e.id, e.view.state, e.view.active, e.closed_at) for e in entries.values()}
