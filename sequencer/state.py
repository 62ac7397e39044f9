"""The core's working state: one ``LineState`` holding the feeds, vehicles, picks, stations, racks and deviations.

What it is for: the one object every rule module (``sequencer.rules``) reads and changes, and the one object the
service, the read models and the proof tooling read (``Sequencer.state``). The records are plain mutable
dataclasses; their field names, order and values are what ``Sequencer.fingerprint`` hashes (by ``repr``), so a
status stays a plain string and a field is never renamed or reordered without a reason to change every
fingerprint.
What it must not do: decide anything. Rules live in ``sequencer.rules``, statuses change only through
``sequencer.lifecycle``, and screens see the state only through ``sequencer.projection``.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Literal

from sequencer.alarm_points import AlarmPoints, alarm_timings
from sequencer.calendar import LineCalendar
from sequencer.commands import NoticeFunction, NoticeItem, PrintLabel
from sequencer.deviations import DeviationBook
from sequencer.floods import Floods
from sequencer.plant import FamilyConfig, FeedConfig, PlantConfig, StationConfig
from sequencer.resolution import Resolver
from sequencer.shipments import ShipmentBook
from sequencer.touched import Touched

PickStatus = Literal["queued", "lit", "blocked", "held", "picked", "cancelled"]
VehicleStatus = Literal["open", "held", "cancelled", "completed"]
RackKey = tuple[str, str, int]  # (feed, family, rack no.)
LabelTarget = int | RackKey  # what a label goes on: a pick id, or a rack
# (vehicle id, options, parts named by the OEM[, their quantities where any is above 1]), sorted: what an identical
# resend repeats and a change does not (without quantities it is the content a vehicle always had)
VehicleContent = (
    tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]
    | tuple[str, tuple[str, ...], tuple[tuple[str, str], ...], tuple[tuple[str, int], ...]]
)
HOUR = 3600.0  # the window of the per-hour figures (broadcasts and confirms kept this long)


class SequencerError(Exception):
    """The one error ``Sequencer.handle`` raises: the event was refused and the state is as it was."""


@dataclass(slots=True)
class Vehicle:
    feed: str
    seq: int
    position: int
    vehicle_id: str
    content: VehicleContent
    at: float
    due_at: float
    picks: list[int] = field(default_factory=list)
    blocked: dict[str, int] = field(default_factory=dict)  # family -> open "unresolved" deviation id
    status: VehicleStatus = "open"
    completed_at: float = 0.0


@dataclass(slots=True)
class Pick:
    pick_id: int
    feed: str
    seq: int
    position: int
    vehicle_id: str
    family: str
    part: str
    qty: int
    bin: str
    station: str
    rack_no: int
    slot: int
    due_at: float
    status: PickStatus = "queued"
    label_id: str = ""
    labelled: bool = False
    serial: str = field(default="", repr=False)  # its label's serial (sequencer.rules.gtl), kept for reprints
    labelled_at: float = field(default=0.0, repr=False)  # when its label was asked for (the label's date)


@dataclass(slots=True)
class PickScan:
    """What a pick's scan and light said so far (``sequencer.rules.scanning``): kept apart from ``Pick`` so a line
    that never scans keeps its fingerprints."""

    code: str = ""
    part: str = ""
    serial: str = ""
    batch: str = ""
    scanned: bool = False
    pressed: bool = False


@dataclass(slots=True)
class Station:
    cfg: StationConfig
    family: str
    light_of_bin: dict[str, int]
    queue: list[tuple[int, int]] = field(default_factory=list)  # (position, pick_id), sequence order
    lit: int | None = None
    lit_at: float = 0.0
    blocked_by: int | None = None  # open wrong-pick deviation: nothing advances until it is resolved
    timeout_dev: int | None = None


@dataclass(slots=True)
class BinStock:
    """A bin whose stock is kept (its ``capacity`` is in the plant file): what it holds now and what it gave."""

    bin: str
    station: str
    light: int
    part: str
    capacity: int
    low_stock: int
    qty: int
    drawn: int = 0  # parts picked from it so far (its draw per vehicle: drawn / the station's picks)
    low_dev: int | None = None  # the open low_stock deviation while it is low
    lowest: int | None = None  # the least it held after a pick (None: never picked from): 0 means it ran out


@dataclass(slots=True)
class Rack:
    feed: str
    family: str
    rack_no: int
    capacity: int
    done: set[int] = field(default_factory=set)  # slots picked or blank (vehicle needs no such part)
    closed: bool = False
    shipped: bool = False
    label_id: str = ""
    labelled: bool = False
    serial: str = field(default="", repr=False)  # its label's serial (sequencer.rules.gtl)
    labelled_at: float = field(default=0.0, repr=False)  # when its label was asked for (the label's date)
    due_at: float = float("inf")  # earliest due time of a vehicle in it
    due_dev: dict[str, int] = field(default_factory=dict)  # late_warning / late_alarm / late -> deviation id


NoticeState = Literal["due", "sent", "acknowledged", "rejected"]


@dataclass(slots=True)
class Notice:
    """A rack's ship notice as the OEM last got it (``sequencer.rules.notices``): its newest version, what that
    version says, and where its answer stands."""

    notice_id: str
    number: int  # the delivery note's number (VDA 4913 713: numeric), one per rack shipped, counting from 1
    feed: str
    family: str
    rack_no: int
    rack_label: str
    shipped_at: float
    items: tuple[NoticeItem, ...]
    version: int = 0
    function: NoticeFunction = "original"
    issued_at: float = 0.0  # when the core asked for this version (its answer is due ack_timeout_s later)
    state: NoticeState = "due"
    reason: str = ""  # the OEM's, when it rejected
    unanswered_dev: int | None = None
    rejected_dev: int | None = None


@dataclass(slots=True)
class Feed:
    cfg: FeedConfig
    first_seq: int | None = None
    last_seq: int | None = None
    last_position: int = 0
    last_at: float | None = None
    broadcasts: int = 0
    gaps: int = 0
    duplicates: int = 0
    missing: dict[int, int] = field(default_factory=dict)  # position -> gap deviation id
    vehicles: dict[int, Vehicle] = field(default_factory=dict)  # position -> vehicle
    position_of: dict[str, int] = field(default_factory=dict)  # vehicle id -> position, open vehicles only
    forecast: dict[str, tuple[str, ...]] = field(default_factory=dict)  # vehicle id -> predicted parts
    recent: deque[float] = field(default_factory=deque)  # broadcast times within the last hour
    silence_dev: int | None = None
    # Positions a lead gave up on (a gap resolved: shipped blank), within the plausible window behind the newest: a
    # broadcast arriving for one is late, not a replay of a vehicle that shipped. Left out of ``repr``; the
    # fingerprint hashes it when it holds something (``Sequencer.fingerprint``).
    given_up: set[int] = field(default_factory=set, repr=False)
    # The OEM's line as its line-status messages (or a lead) last said (``sequencer.rules.line``): stopped since when
    # (None: running), the rate it reported, and its open line deviations by kind. Left out of ``repr``; the
    # fingerprint hashes them when any is set.
    line_stopped_since: float | None = field(default=None, repr=False)
    line_rate_per_h: float | None = field(default=None, repr=False)
    line_dev: dict[str, int] = field(default_factory=dict, repr=False)
    line_restarted_at: float = field(default=0.0, repr=False)  # the OEM line's last restart (silence counts from it)

    def line_status(self) -> tuple[object, ...]:
        """What the fingerprint hashes of the OEM line's state (empty while it never reported)."""
        status = (self.line_stopped_since, self.line_rate_per_h, sorted(self.line_dev.items()), self.line_restarted_at)
        return () if status == (None, None, [], 0.0) else status

    def seq_at(self, position: int) -> int:
        assert self.first_seq is not None
        return (self.first_seq + position) % self.cfg.modulus


def _bin_stock(plant: PlantConfig) -> dict[str, BinStock]:
    """The bins whose stock is kept, at their initial stock (full unless the plant file says otherwise)."""
    part_of = {p.bin: p.number for p in plant.parts}
    return {
        b.id: BinStock(
            bin=b.id,
            station=s.id,
            light=b.light,
            part=part_of.get(b.id, ""),
            capacity=b.capacity,
            low_stock=b.low_stock,
            qty=b.capacity if b.initial_stock is None else b.initial_stock,
        )
        for s in plant.stations
        for b in s.bins
        if b.capacity is not None
    }


def _stations(plant: PlantConfig) -> dict[str, Station]:
    """The stations that pick a family (a station without one has nothing to light)."""
    return {
        s.id: Station(
            cfg=s,
            family=next(f.id for f in plant.families if f.station == s.id),
            light_of_bin={b.id: b.light for b in s.bins},
        )
        for s in plant.stations
        if any(f.station == s.id for f in plant.families)
    }


class LineState:
    """Everything the rules know: the plant's rules (read-only) and the line as the events have left it."""

    def __init__(self, plant: PlantConfig) -> None:
        # the plant's rules, fixed for the life of the core
        self.plant = plant
        self.resolver = Resolver(plant)
        self.families: dict[str, FamilyConfig] = {f.id: f for f in plant.families}
        self.feed_order = {f.id: n for n, f in enumerate(plant.feeds)}  # the plant's order (racks shown by it)
        self.part_description = {p.number: p.description for p in plant.parts}
        self.calendar = LineCalendar(plant.calendar, plant.plant.timezone)  # line time: due times count in it
        # the line
        self.feeds: dict[str, Feed] = {f.id: Feed(cfg=f) for f in plant.feeds}
        self.stations = _stations(plant)
        self.picks: dict[int, Pick] = {}
        self.next_pick = 1
        self.racks: dict[RackKey, Rack] = {}
        self.watched_racks: dict[RackKey, Rack] = {}  # not shipped, with a due time: watched on ticks
        # (feed, family) -> (every rack below this number shipped and forgotten, those shipped above it)
        self.shipped_marks: dict[tuple[str, str], tuple[int, set[int]]] = {}
        self.vehicles_forgotten: Counter[str] = Counter()  # status -> vehicles dropped from the state after shipping
        # what the screens see that the rules changed since the projection last looked (not the line's state: never
        # in the fingerprint; sequencer.pictures drains it)
        self.touched = Touched()
        self.deviations = DeviationBook(self.touched)
        self.alarm_points = AlarmPoints(self.deviations, alarm_timings(plant))  # device conditions -> alarms
        self.floods = Floods(self.deviations)  # one source's refused input -> one alarm with a count
        # labels: asked for, on their way to a printer, maybe printed
        self.labels: dict[str, LabelTarget] = {}  # label id -> what it goes on
        self.unprinted: dict[str, PrintLabel] = {}  # asked for, not yet reported printed
        self.uncertain: dict[str, int] = {}  # sent, maybe printed (LabelUncertain) -> its open deviation id
        self.sending: dict[str, int] = {}  # label id -> the reprint a driver journaled as leaving (LabelSending)
        self.label_reprints: dict[str, int] = {}  # label id -> reprints asked for so far
        self.serial_next = 1  # the next label serial of the block the service reserved (LabelSerialsReserved)
        self.serial_last = 0  # the block's last serial: none left when serial_next > serial_last
        # devices, as they report themselves now (their alarms follow with delays: ``alarm_points``)
        self.devices_down: set[str] = set()  # link down
        self.link_detail: dict[str, str] = {}  # device whose link is down -> why, as its driver said (not hashed)
        self.printer_faults: dict[str, tuple[str, ...]] = {}  # printer -> the faults it reports
        self.scans: dict[int, PickScan] = {}  # pick id -> its scan and press so far (families that scan)
        self.serials: dict[tuple[str, str], int] = {}  # (part, serial) -> the live pick it was scanned for
        self.confirm_counters: dict[tuple[str, str], int] = {}  # (station, bin) -> the light's journaled counter
        # ship notices (sequencer.rules.notices): by notice id; the unanswered ones in the order they were issued; the
        # answered ones kept, oldest first, up to [ship_notices] keep_answered (a correction needs what was sent)
        self.notices: dict[str, Notice] = {}
        self.unanswered: dict[str, None] = {}
        self.answered: dict[str, None] = {}
        self.notice_counts: Counter[str] = Counter()  # issued, sent, acknowledged, rejected, overdue
        # racks shipped, as the OEM sees them (sequencer.shipments: the KPIs shared with the OEM); not hashed
        self.shipments = ShipmentBook()
        # (feed, family, position) of slots a lead shipped blank although the vehicle needed a part (its part could not
        # be resolved): the rack leaves short (sequencer.shipments); each is dropped when its rack ships. Not hashed.
        self.blank_by_hand: set[tuple[str, str, int]] = set()
        # bin stock (sequencer.rules.stock): the kept bins by id; per station its picks so far (the draw per vehicle),
        # its open starvation deviation and its forecast as the screens show it ((epoch s, bin) or None)
        self.stock = _bin_stock(plant)
        self.station_picks: Counter[str] = Counter()
        self.starving: dict[str, int] = {}
        self.starves: dict[str, tuple[float, str] | None] = {}
        # running totals (the KPIs and the read models)
        self.vehicles_completed = 0
        self.vehicles_on_time = 0
        self.picks_confirmed = 0
        self.pick_times: deque[float] = deque()  # confirms within the last hour (picks per hour)
        self.racks_completed = 0
        self.racks_shipped = 0
        self.labels_printed = 0
        self.events_handled = 0
        self.last_at = 0.0

    def ask_label(self, command: PrintLabel, target: LabelTarget) -> None:
        """Remember a label until the printer reports it printed (restored to the printer after a restart)."""
        self.labels[command.label.label_id] = target
        self.unprinted[command.label.label_id] = command
