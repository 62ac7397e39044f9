"""The line's OPC UA information model for SCADA and MES: a ``LineView`` flattened to typed variables by path.

What it is for: the one table of what ``plc_io.line_server.server`` publishes, as data, so the server, its
tests and docs/opcua.md agree. ``flatten(view)`` turns one picture of the line into ``{path: Value}`` (the
browse path below ``Objects``, which is also the string NodeId); ``entry_object`` turns one entry of the HMI bus
(a feed, a station, a rack, a device: ``sequencer.clone``) into its object's path and variables, which is how the
server takes the entries that changed without flattening the whole line; the server writes only the values that
changed and adds or deletes the objects (racks) that came or went. Pure: no sockets, no clock.

OPC UA has no "missing" for a typed scalar, so: Int32 -1, Double NaN, DateTime the OPC UA null date
(1601-01-01, encoded as 0) where the view says None. Times are the plant clock's epoch seconds as UTC.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import get_args

from asyncua import ua

from sequencer.views import Counters, DeviationView, DeviceView, FeedView, KpiView, LineView, RackView, StationView

NAMESPACE = "urn:jis-sequencer:line"
ROOT = "Line"
V = ua.VariantType
NULL_DATE = datetime(1601, 1, 1, tzinfo=UTC)  # OPC 10000-6 §5.2.2.5: encoded as 0, "no date"
# the objects always present; below them objects come and go with the view (feeds, stations, racks, devices)
SKELETON = (
    *("Line", "Line/Feeds", "Line/Stations", "Line/Racks", "Line/Devices"),
    *("Line/Alarms", "Line/KPIs", "Line/Counters"),
)
FOLDERS = frozenset({"Line/Feeds", "Line/Stations", "Line/Racks", "Line/Devices"})  # plus Line/Racks/<family>
SEVERITY_OF_PRIORITY = {1: 900, 2: 600, 3: 300}  # alarm event Severity (1..1000) per ISA-18.2 priority
SEVERITY_DEFAULT = 100


@dataclass(frozen=True, slots=True)
class Value:
    value: object
    vtype: ua.VariantType

    def variant(self) -> ua.Variant:
        return ua.Variant(self.value, self.vtype)


# -- the variables of each object: (browse name, type, meaning); the docs table is checked against these ----------
LINE_VARIABLES = (
    ("Plant", V.String, "plant name"),
    ("Rev", V.Int64, "picture number; counts up with every picture the service publishes"),
    ("UpdatedAt", V.DateTime, "plant time of the picture"),
)
FEED_VARIABLES = (
    ("Name", V.String, "feed name"),
    ("LastSeq", V.Int32, "last sequence number received (-1: none yet)"),
    ("LastBroadcastAt", V.DateTime, "when it arrived (null date: none yet)"),
    ("Broadcasts", V.Int32, "broadcasts received"),
    ("Gaps", V.Int32, "gaps detected"),
    ("Duplicates", V.Int32, "identical resends"),
    ("Silent", V.Boolean, "a silence alarm is active"),
    ("State", V.String, "waiting (nothing yet), receiving, gap (a gap alarm is active) or silent"),
)
STATION_VARIABLES = (
    ("Name", V.String, "station name"),
    ("Family", V.String, "part family picked here"),
    ("State", V.String, "idle, waiting, or the current pick's state: lit, blocked, held, queued"),
    ("CurrentVehicle", V.String, "vehicle of the pick shown now ('' none)"),
    ("CurrentFeed", V.String, "its feed"),
    ("CurrentSeq", V.Int32, "its sequence number (-1 none)"),
    ("CurrentPart", V.String, "part number to pick"),
    ("Bin", V.String, "bin lit"),
    ("RackNo", V.Int32, "rack the part goes into (-1 none)"),
    ("Slot", V.Int32, "slot in that rack (-1 none)"),
    ("DueAt", V.DateTime, "when the vehicle is due at the line"),
    ("Waiting", V.Int32, "picks queued behind it (at most 8 shown)"),
    ("NextVehicles", V.String, "array: the vehicles of those picks, in sequence"),
    ("PtlDevice", V.String, "its pick-to-light device"),
    ("Printer", V.String, "its label printer"),
)
RACK_VARIABLES = (
    ("Feed", V.String, "feed the rack is filled for"),
    ("RackNo", V.Int32, "rack number"),
    ("Fill", V.Int32, "slots filled"),
    ("Capacity", V.Int32, "slots in the rack"),
    ("LowSeq", V.Int32, "first sequence number of the rack (-1 unknown)"),
    ("HighSeq", V.Int32, "last sequence number of the rack (-1 unknown)"),
    ("State", V.String, "filling or full"),
)
DEVICE_VARIABLES = (
    ("Kind", V.String, "ptl or printer"),
    ("Up", V.Boolean, "connected and without fault"),
    ("Detail", V.String, "what is wrong"),
)
ALARM_VARIABLES = (
    ("OpenCount", V.Int32, "alarms listed (active, or returned to normal and unacknowledged)"),
    ("ActiveCount", V.Int32, "alarms whose condition is still active"),
    ("UnacknowledgedCount", V.Int32, "alarms not acknowledged"),
    ("HighestPriority", V.Int32, "most urgent priority among unshelved open alarms: 1 highest, 0 none"),
    ("List", V.String, "array: one JSON object per open alarm, most urgent first"),
)
ARRAYS = frozenset({"NextVehicles", "List"})  # one-dimensional arrays (ValueRank 1); every other one is a scalar
ALARM_JSON_KEYS = ("id", "kind", "priority", "state", "active", "at", "feed", "seq", "vehicle", "station", "message")


def camel(name: str) -> str:
    """``picks_per_hour`` -> ``PicksPerHour``; ``sequence_error_ppm`` -> ``SequenceErrorPpm``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _figure_variables(model: type[KpiView] | type[Counters]) -> tuple[tuple[str, ua.VariantType, str, str], ...]:
    """(browse name, type, meaning, field) for every field of a figures model: int -> Int32, float -> Double."""
    rows = []
    for field_name, info in model.model_fields.items():
        types = set(get_args(info.annotation)) or {info.annotation}
        vtype = V.Double if float in types else V.Int32
        meaning = "None: NaN" if type(None) in types else ""
        rows.append((camel(field_name), vtype, meaning, field_name))
    return tuple(rows)


KPI_VARIABLES = _figure_variables(KpiView)
COUNTER_VARIABLES = _figure_variables(Counters)


# -- flattening -------------------------------------------------------------------------------------------------
def node_name(text: str) -> str:
    """A plant id as one browse-path segment: '/' would split the path, so it (and control characters) become '_'."""
    return re.sub(r"[/\x00-\x1f]", "_", text) or "_"


def rack_name(rack: RackView) -> str:
    return node_name(f"{rack.feed}-{rack.rack_no}")


def date(epoch_s: float | None) -> datetime:
    return NULL_DATE if epoch_s is None else datetime.fromtimestamp(epoch_s, UTC)


def _int(value: int | None) -> Value:
    return Value(-1 if value is None else value, V.Int32)


def _double(value: float | None) -> Value:
    return Value(math.nan if value is None else float(value), V.Double)


def _string(value: str) -> Value:
    return Value(value, V.String)


def _feed(f: FeedView, alarms: Iterable[DeviationView]) -> dict[str, Value]:
    active = {d.kind for d in alarms if d.feed == f.id and d.active}
    silent = "silence" in active
    state = "silent" if silent else "gap" if "gap" in active else "waiting" if f.last_seq is None else "receiving"
    return {
        "Name": _string(f.name),
        "LastSeq": _int(f.last_seq),
        "LastBroadcastAt": Value(date(f.last_broadcast_at), V.DateTime),
        "Broadcasts": _int(f.broadcasts),
        "Gaps": _int(f.gaps),
        "Duplicates": _int(f.duplicates),
        "Silent": Value(silent, V.Boolean),
        "State": _string(state),
    }


def _station(s: StationView) -> dict[str, Value]:
    c = s.current
    state = c.state if c else "waiting" if s.next else "idle"
    return {
        "Name": _string(s.name),
        "Family": _string(s.family),
        "State": _string(state),
        "CurrentVehicle": _string(c.vehicle_id if c else ""),
        "CurrentFeed": _string(c.feed if c else ""),
        "CurrentSeq": _int(c.seq if c else None),
        "CurrentPart": _string(c.part if c else ""),
        "Bin": _string(c.bin if c else ""),
        "RackNo": _int(c.rack_no if c else None),
        "Slot": _int(c.slot if c else None),
        "DueAt": Value(date(c.due_at if c else None), V.DateTime),
        "Waiting": _int(len(s.next)),
        "NextVehicles": Value([p.vehicle_id for p in s.next], V.String),
        "PtlDevice": _string(s.ptl_device),
        "Printer": _string(s.printer),
    }


def _rack(r: RackView) -> dict[str, Value]:
    return {
        "Feed": _string(r.feed),
        "RackNo": _int(r.rack_no),
        "Fill": _int(r.filled),
        "Capacity": _int(r.capacity),
        "LowSeq": _int(r.low_seq),
        "HighSeq": _int(r.high_seq),
        "State": _string("full" if r.filled >= r.capacity else "filling"),
    }


def _device(d: DeviceView) -> dict[str, Value]:
    return {"Kind": _string(d.kind), "Up": Value(d.up, V.Boolean), "Detail": _string(d.detail)}


def alarm_json(d: DeviationView) -> str:
    record = (d.id, d.kind, d.priority, d.state, d.active, d.at, d.feed, d.seq, d.vehicle_id, d.station, d.message)
    return json.dumps(dict(zip(ALARM_JSON_KEYS, record, strict=True)), separators=(",", ":"))


def alarms_object(alarms: Sequence[DeviationView], at: float) -> dict[str, Value]:
    """``Line/Alarms``: the counts and the list of every open alarm (most urgent first)."""
    unshelved = [d.priority for d in alarms if d.shelved_until is None or d.shelved_until <= at]
    return {
        "OpenCount": _int(len(alarms)),
        "ActiveCount": _int(sum(d.active for d in alarms)),
        "UnacknowledgedCount": _int(sum("unacknowledged" in d.state for d in alarms)),
        "HighestPriority": _int(min(unshelved, default=0)),
        "List": Value([alarm_json(d) for d in alarms], V.String),
    }


def _figures(model: KpiView | Counters, table: tuple[tuple[str, ua.VariantType, str, str], ...]) -> dict[str, Value]:
    out = {}
    for name, vtype, _, field_name in table:
        raw = getattr(model, field_name)
        out[name] = _double(raw) if vtype is V.Double else _int(raw)
    return out


Objects = dict[str, dict[str, Value]]  # object path -> its variables by browse name
ALARMS, KPIS, COUNTERS = f"{ROOT}/Alarms", f"{ROOT}/KPIs", f"{ROOT}/Counters"


def line_object(plant: str, rev: int, at: float) -> dict[str, Value]:
    return {"Plant": _string(plant), "Rev": Value(rev, V.Int64), "UpdatedAt": Value(date(at), V.DateTime)}


def kpis_object(kpis: KpiView) -> dict[str, Value]:
    return _figures(kpis, KPI_VARIABLES)


def counters_object(counters: Counters) -> dict[str, Value]:
    return _figures(counters, COUNTER_VARIABLES)


def entry_object(
    entry: FeedView | StationView | RackView | DeviceView, alarms: Iterable[DeviationView] = ()
) -> tuple[str, dict[str, Value]]:
    """The object of one feed, station, rack or device, and its variables (a feed's state needs its alarms)."""
    if isinstance(entry, FeedView):
        return f"{ROOT}/Feeds/{node_name(entry.id)}", _feed(entry, alarms)
    if isinstance(entry, StationView):
        return f"{ROOT}/Stations/{node_name(entry.id)}", _station(entry)
    if isinstance(entry, RackView):
        return f"{ROOT}/Racks/{node_name(entry.family)}/{rack_name(entry)}", _rack(entry)
    return f"{ROOT}/Devices/{node_name(entry.name)}", _device(entry)


def variables(objects: Objects) -> dict[str, Value]:
    """Objects' variables by their paths: ``{"Line/Stations/S1/CurrentVehicle": Value(...), ...}``."""
    return {f"{obj}/{name}": value for obj, values in objects.items() for name, value in values.items()}


def flatten(view: LineView) -> dict[str, Value]:
    """Every variable of the model for one picture: ``{"Line/Stations/S1/CurrentVehicle": Value(...), ...}``."""
    objects: Objects = {
        ROOT: line_object(view.plant, view.rev, view.at),
        ALARMS: alarms_object(view.deviations, view.at),
        KPIS: kpis_object(view.kpis),
        COUNTERS: counters_object(view.counters),
    }
    entries: list[FeedView | StationView | RackView | DeviceView] = [*view.feeds, *view.stations, *view.racks]
    for entry in [*entries, *view.devices]:
        path, values = entry_object(entry, view.deviations)
        objects[path] = values
    return variables(objects)


def object_paths(values: dict[str, Value]) -> set[str]:
    """Every object a set of variables needs, parents included (``Line/Racks/F`` for ``Line/Racks/F/F1-3/Fill``)."""
    paths: set[str] = set()
    for path in values:
        parts = path.split("/")[:-1]
        paths.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    return paths


def is_folder(path: str) -> bool:
    return path in FOLDERS or path.rsplit("/", 1)[0] == f"{ROOT}/Racks"


def changed(before: dict[str, Value], after: dict[str, Value]) -> dict[str, Value]:
    """The variables to write: new, or a different value or type. NaN equals NaN here (it means "none")."""
    return {path: v for path, v in after.items() if path not in before or not _same(before[path], v)}


def _same(a: Value, b: Value) -> bool:
    if a.vtype != b.vtype:
        return False
    if isinstance(a.value, float) and isinstance(b.value, float) and math.isnan(a.value) and math.isnan(b.value):
        return True
    return a.value == b.value
