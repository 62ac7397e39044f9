"""What the screens see: the line's state as the HMI bus carries it (JSON), and nothing more.

These models are the wire format between the service (``app.hmi.bus``) and the HMI (``ui``). The service
builds them from the core's state; the HMI validates what it receives against them. Times are epoch seconds;
the screens show them in the plant's time zone.
What it must not do: carry anything the screens do not draw, or accept a field it does not know
(``extra="forbid"``: a newer service's view is refused loudly, not half-read).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from sequencer.alarms import AlarmState
from sequencer.state import PickStatus


class _View(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PickView(_View):
    pick_id: int
    feed: str
    seq: int
    vehicle_id: str
    family: str
    part: str
    bin: str
    rack_no: int
    slot: int
    due_at: float
    state: PickStatus
    qty: int = 1  # how many of the part the vehicle takes (the option rule's qty, or the OEM's)
    unit: str = "PCE"  # the part's unit of issue
    description: str = ""  # the plant file's text of the part
    translations: tuple[tuple[str, str], ...] = ()  # (language, text): the description in other languages
    waiting_for: Literal["", "scan", "press", "scan and press"] = ""  # a lit pick of a family that scans: what it
    # still needs before it counts as picked (sequencer.rules.scanning.CONFIRM_NEEDS); "" for a light family


class BinView(_View):
    id: str
    light: int
    part: str
    lit: bool
    stock: int | None = None  # parts in it, where its stock is kept (a capacity in the plant file)
    capacity: int | None = None
    low: bool = False  # at or below its low_stock: replenishment called


class StationView(_View):
    id: str
    name: str
    family: str
    current: PickView | None
    next: tuple[PickView, ...]
    bins: tuple[BinView, ...]
    ptl_device: str
    printer: str
    starves_at: float | None = None  # the starvation forecast (epoch s): when a kept bin runs short; None: not seen
    starves_bin: str = ""
    starving: bool = False  # the forecast is within the station's starvation_alarm_s: its alarm is raised
    language: str = ""  # the station panel's language from the plant file ("": the panel's own, English)


class FeedView(_View):
    id: str
    name: str
    last_seq: int | None
    last_broadcast_at: float | None
    broadcasts: int
    gaps: int
    duplicates: int
    line_stopped_since: float | None = None  # the OEM's line stands since then (sequencer.rules.line); None: runs
    line_rate_per_h: float | None = None  # the rate the OEM's line last reported, vehicles an hour


class RackView(_View):
    feed: str
    family: str
    rack_no: int
    filled: int
    capacity: int
    low_seq: int | None
    high_seq: int | None


class DeviationView(_View):
    id: int
    kind: str
    priority: int
    at: float
    feed: str
    seq: int | None
    vehicle_id: str
    station: str
    message: str  # in English
    state: str = AlarmState.UNACK.value  # ISA-18.2 state (sequencer.alarms.AlarmState values)
    active: bool = True
    shelved_until: float | None = None
    # the message's template (sequencer.sentences.TEMPLATES) and values, which a screen says in its language;
    # "" (a sentence without one, or from an older service): the message as sent
    template: str = ""
    params: tuple[tuple[str, str | int | float], ...] = ()


class DeviceView(_View):
    name: str
    kind: Literal["ptl", "printer", "scanner"]
    up: bool
    detail: str


class NoticeView(_View):
    """A shipped rack's ship notice (``sequencer.rules.notices``): its newest version and where the OEM's answer
    stands. ``overdue``: not answered within ``ack_timeout_s`` (a ``notice_unanswered`` was raised); ``alarm``: the
    deviation that stands for it (rejected or unanswered), while the core keeps one."""

    notice_id: str
    number: int
    feed: str
    family: str
    rack_no: int
    version: int
    function: Literal["original", "cancel", "replace"]
    state: Literal["due", "sent", "acknowledged", "rejected"]
    reason: str
    overdue: bool
    alarm: int | None
    shipped_at: float
    issued_at: float


class Counters(_View):
    vehicles_broadcast: int = 0
    vehicles_completed: int = 0
    racks_completed: int = 0
    labels_printed: int = 0
    quarantined: int = 0
    alarms_closed_unacknowledged: int = 0  # returned alarms closed at the list's limit, never acknowledged


class KpiView(_View):
    """The shift's figures (``sequencer.kpis``); None where there is nothing to measure yet."""

    sequence_error_ppm: float = 0.0
    on_time_rate: float | None = None
    picks_per_hour: int = 0
    takt_picks_per_hour: float = 0.0
    pick_accuracy: float | None = None
    open_deviations: int = 0
    mean_time_to_resolve_s: float | None = None
    broadcasts_per_hour: int = 0
    seconds_since_last_broadcast: float | None = None
    buffer_minutes: float | None = None
    vehicles_completed: int = 0
    racks_shipped: int = 0
    # shared with the OEM (docs/kpis.md), over the racks shipped in the current shift
    shift_racks_shipped: int = 0
    otif_rate: float | None = None
    out_of_sequence_shipped_ppm: float = 0.0
    shift_parts_shipped: int = 0
    notices_acknowledged_rate: float | None = None
    notices_rejected: int = 0
    notices_unanswered: int = 0


class ShiftView(_View):
    """The shift the picture's moment falls in, from the plant's calendar (``[calendar]``, ``sequencer.calendar``);
    its date is the day it started."""

    name: str  # "" between shifts
    day: str  # YYYY-MM-DD, plant time
    start: float
    end: float


class LineView(_View):
    """One complete picture of the line; ``rev`` counts up with every change the service publishes."""

    rev: int
    at: float
    plant: str
    timezone: str
    feeds: tuple[FeedView, ...]
    stations: tuple[StationView, ...]
    racks: tuple[RackView, ...]
    deviations: tuple[DeviationView, ...]
    devices: tuple[DeviceView, ...]
    counters: Counters
    kpis: KpiView = KpiView()
    notices: tuple[NoticeView, ...] = ()  # shipped racks' ship notices, by delivery note number
    shift: ShiftView | None = None  # None: a service older than the screen (the default calendar's shift is shown)
