"""Builders for tests of the core: plant variants, broadcasts, presses, intents, and a core driven to a point.

What it is for: what every rule test needs, written once, so a test reads as the rule it pins. Tests assert
through what ``Sequencer.handle`` returns and what the screens see (``view``: ``sequencer.projection``), not
through the state's dictionaries. The names below are the demo plant's (``app/plants/demo.toml``, which the
tests load: ``tests/plants.py``): two families, seats (racks of 6, station ST-SEAT) and bumpers (racks of 8,
station ST-BUMP), on feed L1 (modulus 10000).
What it must not do: anything the core may not (it obeys the core's purity contract: no I/O, clock or
randomness; the plant comes in as an argument), or be used by production code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sequencer.commands import Command, PrintLabel, RaiseDeviation
from sequencer.core import Sequencer
from sequencer.events import BinConfirmed, BroadcastFunction, BroadcastReceived, Event, LabelPrinted, ManualOp
from sequencer.plant import PlantConfig
from sequencer.projection import line_view
from sequencer.state import VehicleStatus
from sequencer.views import DeviationView, LineView, PickView, StationView

FEED = "L1"
SEATS, BUMPERS = "ST-SEAT", "ST-BUMP"  # the stations of the two families
SEAT_CLOTH = ("S1", "P040")  # SEAT-CLOTH-BLK in SEAT-01, BMP-040 in BMP-01
SPORT_RED = ("S3", "P040")  # SEAT-SPORT-RED in SEAT-04, BMP-040 in BMP-01
NO_SEAT = ("P040",)  # no seat rule matches: the seat slot is blocked (unresolved)
SEAT_RACK = 6  # vehicles per seat rack

C = TypeVar("C")
M = TypeVar("M", bound=ManualOp)


# -- plants ---------------------------------------------------------------------------------------------------
def with_feed(plant: PlantConfig, **changes: Any) -> PlantConfig:
    """The plant with its first feed's settings changed (and no other feed)."""
    return plant.model_copy(update={"feeds": (plant.feeds[0].model_copy(update=changes),)})


def with_family(plant: PlantConfig, family: str, **changes: Any) -> PlantConfig:
    """The plant with one family's settings changed."""
    families = tuple(f.model_copy(update=changes) if f.id == family else f for f in plant.families)
    return plant.model_copy(update={"families": families})


def with_stock(
    plant: PlantConfig,
    station: str = SEATS,
    *,
    capacity: int = 10,
    low: int = 3,
    initial: int | None = None,
    alarm_s: float = 900,
) -> PlantConfig:
    """The plant with every bin of ``station`` kept at ``capacity`` and no stock kept anywhere else."""
    stations = []
    for st in plant.stations:
        if st.id == station:
            kept = {"capacity": capacity, "low_stock": low, "initial_stock": initial}
            st = st.model_copy(
                update={"bins": tuple(b.model_copy(update=kept) for b in st.bins), "starvation_alarm_s": alarm_s}
            )
        else:
            unkept = {"capacity": None, "low_stock": 0, "initial_stock": None}
            st = st.model_copy(update={"bins": tuple(b.model_copy(update=unkept) for b in st.bins)})
        stations.append(st)
    return plant.model_copy(update={"stations": tuple(stations)})


def without_stock(plant: PlantConfig) -> PlantConfig:
    """The plant with no bin's stock kept (as plants were before bin stock: the golden streams' plant)."""
    return plant.without_bin_stock()


# -- events ---------------------------------------------------------------------------------------------------
def broadcast(
    seq: int,
    at: float = 0.0,
    options: tuple[str, ...] = SEAT_CLOTH,
    *,
    feed: str = FEED,
    vin: str | None = None,
    function: BroadcastFunction = "original",
    firm: bool = True,
    parts: tuple[tuple[str, str], ...] = (),
) -> BroadcastReceived:
    """A broadcast for vehicle ``VIN{seq:05d}`` (unless ``vin`` names another)."""
    return BroadcastReceived(
        at=at,
        feed=feed,
        seq=seq,
        vehicle_id=vin or f"VIN{seq:05d}",
        options=options,
        parts=parts,
        function=function,
        firm=firm,
    )


def by_hand(intent: type[M], at: float = 1.0, *, user: str = "lead1", reason: str = "test", **fields: Any) -> M:
    """A person's intent, with who and why filled in."""
    return intent(at=at, user=user, reason=reason, **fields)


# -- reading commands and the screens' view -------------------------------------------------------------------
def of(kind: type[C], commands: Iterable[object]) -> list[C]:
    return [c for c in commands if isinstance(c, kind)]


def kinds(commands: Iterable[object], *only: str) -> list[str]:
    """The kinds of the deviations raised, in order (only those named, if any are)."""
    return [c.kind for c in of(RaiseDeviation, commands) if not only or c.kind in only]


def view(core: Sequencer) -> LineView:
    """What the screens show now."""
    return line_view(core, rev=0, at=core.state.last_at)


def station_view(core: Sequencer, station: str = SEATS) -> StationView:
    return next(s for s in view(core).stations if s.id == station)


def lit(core: Sequencer, station: str = SEATS) -> PickView:
    """The pick lit at the station (AssertionError if none is)."""
    current = station_view(core, station).current
    assert current is not None, f"nothing lit at {station}"
    return current


def open_deviations(core: Sequencer, kind: str) -> list[DeviationView]:
    """The open deviations of one kind, as the screens list them."""
    return [d for d in view(core).deviations if d.kind == kind]


# -- driving a core -------------------------------------------------------------------------------------------
def fed(plant: PlantConfig, *events: Event) -> Sequencer:
    """A fresh core that has handled ``events``."""
    core = Sequencer(plant)
    for event in events:
        core.handle(event)
    return core


def press_lit(core: Sequencer, station: str = SEATS, at: float = 1.0) -> list[Command]:
    """The operator presses the lit bin (its confirm carries the pick the light showed)."""
    pick = lit(core, station)
    return core.handle(BinConfirmed(at=at, station=station, bin=pick.bin, token=pick.pick_id))


def printed(core: Sequencer, commands: Iterable[object], at: float = 2.0) -> list[Command]:
    """Every label ``commands`` asked for is reported printed; the commands that gives."""
    out: list[Command] = []
    for command in of(PrintLabel, commands):
        out += core.handle(LabelPrinted(at=at, label_id=command.label.label_id))
    return out


def pick_and_print(core: Sequencer, station: str = SEATS, at: float = 1.0) -> list[Command]:
    """The lit pick is confirmed and its labels (a part label, and a rack label if it closed one) print."""
    commands = press_lit(core, station, at)
    return commands + printed(core, commands, at + 1)


def vehicle_in(plant: PlantConfig, status: VehicleStatus) -> Sequencer:
    """A core whose vehicle L1 1 (seat and bumper) is in ``status``."""
    core = fed(plant, broadcast(1))
    if status == "held":
        core.handle(broadcast(1, function="hold"))
    elif status == "cancelled":
        core.handle(broadcast(1, function="cancel"))
    elif status == "completed":
        pick_and_print(core, SEATS)
        pick_and_print(core, BUMPERS)
    return core


def first_seat_rack_full(plant: PlantConfig) -> Sequencer:
    """A core whose first seat rack (L1 1..6) is picked, closed and labelled, not shipped."""
    core = fed(plant, *(broadcast(seq) for seq in range(1, SEAT_RACK + 1)))
    for _ in range(SEAT_RACK):
        pick_and_print(core, SEATS)
    return core
