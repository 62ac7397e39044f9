"""Project the core's state onto what the screens see (``sequencer.views``).

``line_view`` is the whole picture; the functions it is made of (one per entry of the HMI bus: a feed, a station,
a rack, a deviation, a ship notice, the devices, the figures) are also what ``sequencer.pictures`` rebuilds one
entry at a time, so both say the same thing. Which racks and deviations are shown, and in what order, is one key
function each (``rack_rank``, ``deviation_rank``), so a picture kept up to date entry by entry lists them as the whole
one does.
What it must not do: change the core's state (it only reads ``Sequencer.state``), or show anything the views'
models do not carry (they are the HMI bus's wire format).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from heapq import nsmallest
from typing import Literal

from sequencer.core import Sequencer
from sequencer.deviations import Deviation
from sequencer.kpis import kpis_of
from sequencer.plant import PlantConfig
from sequencer.state import Feed, LineState, Notice, Pick, Rack, Station
from sequencer.views import (
    BinView,
    Counters,
    DeviationView,
    DeviceView,
    FeedView,
    KpiView,
    LineView,
    NoticeView,
    PickView,
    RackView,
    ShiftView,
    StationView,
)

NEXT_PICKS = 8
OPEN_RACKS_SHOWN = 2  # per family: the lowest-numbered open racks (then the plant's feed order)


PartTexts = dict[str, tuple[str, str, tuple[tuple[str, str], ...]]]  # part number -> (unit, description, translations)


def part_texts(plant: PlantConfig) -> PartTexts:
    """Part number -> its unit, description and the description's translations (once per picture)."""
    return {p.number: (p.unit, p.description, tuple(sorted(p.translations.items()))) for p in plant.parts}


def pick_view(p: Pick, texts: PartTexts | None = None, waiting_for: str = "") -> PickView:
    unit, description, translations = (texts or {}).get(p.part, ("PCE", "", ()))
    return PickView(
        pick_id=p.pick_id,
        feed=p.feed,
        seq=p.seq,
        vehicle_id=p.vehicle_id,
        family=p.family,
        part=p.part,
        bin=p.bin,
        rack_no=p.rack_no,
        slot=p.slot,
        due_at=p.due_at,
        state=p.status,
        qty=p.qty,
        unit=unit,
        description=description,
        translations=translations,
        waiting_for=waiting_for,  # type: ignore[arg-type]
    )


def waiting_for(line: LineState, pick: Pick) -> str:
    """What a lit pick of a family that scans still needs: "scan", "press", "scan and press" ("" for a light
    family, whose press is all it needs)."""
    confirm = line.families[pick.family].confirm
    if confirm == "light":
        return ""
    scan = line.scans.get(pick.pick_id)
    needs = [what for what, done in (("scan", scan is not None and scan.scanned),) if not done]
    if confirm == "both" and not (scan is not None and scan.pressed):
        needs.append("press")
    return " and ".join(needs)


def part_in_bin(plant: PlantConfig) -> dict[str, str]:
    """Bin id -> the part number it holds (once per picture, not once per station)."""
    return {p.bin: p.number for p in plant.parts}


def station_view(line: LineState, st: Station, parts: dict[str, str], texts: PartTexts | None = None) -> StationView:
    lit = line.picks[st.lit] if st.lit is not None else None
    waiting = [line.picks[pid] for _, pid in st.queue[: NEXT_PICKS + 1] if pid != st.lit][:NEXT_PICKS]
    starves = line.starves.get(st.cfg.id)
    return StationView(
        id=st.cfg.id,
        name=st.cfg.name,
        family=st.family,
        current=pick_view(lit, texts, waiting_for(line, lit)) if lit else None,
        next=tuple(pick_view(p, texts) for p in waiting),
        bins=tuple(
            bin_view(line, b.id, b.light, parts.get(b.id, ""), lit=bool(lit and lit.bin == b.id)) for b in st.cfg.bins
        ),
        ptl_device=st.cfg.ptl,
        printer=st.cfg.printer,
        starves_at=starves[0] if starves else None,
        starves_bin=starves[1] if starves else "",
        starving=st.cfg.id in line.starving,
        language=st.cfg.language,
    )


def bin_view(line: LineState, bin_id: str, light: int, part: str, *, lit: bool) -> BinView:
    """A bin as the screens draw it, with its stock where it is kept."""
    bs = line.stock.get(bin_id)
    if bs is None:
        return BinView(id=bin_id, light=light, part=part, lit=lit)
    low = bs.low_dev is not None
    return BinView(id=bin_id, light=light, part=part, lit=lit, stock=bs.qty, capacity=bs.capacity, low=low)


def feed_view(f: Feed, repeats: int = 0) -> FeedView:
    """``repeats``: resends of this feed the service answered before the core (their identity was journaled
    already), counted with the core's own duplicates."""
    return FeedView(
        id=f.cfg.id,
        name=f.cfg.name,
        last_seq=f.last_seq,
        last_broadcast_at=f.last_at,
        broadcasts=f.broadcasts,
        gaps=f.gaps,
        duplicates=f.duplicates + repeats,
        line_stopped_since=f.line_stopped_since,
        line_rate_per_h=f.line_rate_per_h,
    )


def rack_view(line: LineState, r: Rack) -> RackView:
    feed = line.feeds[r.feed]
    first = (r.rack_no - 1) * r.capacity
    return RackView(
        feed=r.feed,
        family=r.family,
        rack_no=r.rack_no,
        filled=len(r.done),
        capacity=r.capacity,
        low_seq=feed.seq_at(first) if feed.first_seq is not None else None,
        high_seq=feed.seq_at(first + r.capacity - 1) if feed.first_seq is not None else None,
    )


def rack_rank(line: LineState, r: Rack) -> tuple[int, int]:
    """Where an open rack comes among its family's: lowest number first, then the plant's feed order."""
    return r.rack_no, line.feed_order[r.feed]


def racks_shown(line: LineState, open_racks: Iterable[Rack]) -> list[Rack]:
    """The open racks of one family the screens show, in order."""
    return nsmallest(OPEN_RACKS_SHOWN, open_racks, key=lambda r: rack_rank(line, r))


def deviation_view(d: Deviation) -> DeviationView:
    return DeviationView(
        id=d.deviation_id,
        kind=d.kind,
        priority=d.priority,
        at=d.at,
        feed=d.feed,
        seq=d.seq,
        vehicle_id=d.vehicle_id,
        station=d.station,
        message=d.message,
        state=d.state.value,
        active=d.active,
        shelved_until=d.shelved_until or None,
        template=d.template,
        params=d.params,
    )


def deviation_rank(d: Deviation) -> tuple[int, float, int]:
    """Where an open deviation comes in the list: most urgent first, then the newest, then the order raised
    (none of the three changes while it is open)."""
    return d.priority, -d.at, d.deviation_id


def notice_view(n: Notice) -> NoticeView:
    """A shipped rack's notice: its newest version, its state, and the deviation that stands for it (rejected, or
    unanswered past ``ack_timeout_s``)."""
    return NoticeView(
        notice_id=n.notice_id,
        number=n.number,
        feed=n.feed,
        family=n.family,
        rack_no=n.rack_no,
        version=n.version,
        function=n.function,
        state=n.state,
        reason=n.reason,
        overdue=n.unanswered_dev is not None,
        alarm=n.rejected_dev if n.rejected_dev is not None else n.unanswered_dev,
        shipped_at=n.shipped_at,
        issued_at=n.issued_at,
    )


def notice_rank(n: Notice) -> int:
    """Where a notice comes in the list: by its delivery note number (one per rack shipped, never changes)."""
    return n.number


DeviceState = Literal["up", "faulted", "down"]
DEVICE_STATES: tuple[DeviceState, ...] = ("up", "faulted", "down")


def device_state(line: LineState, name: str) -> tuple[DeviceState, str]:
    """A device as it reports itself now, and why: ``down`` (its link is down: the driver's reason), ``faulted``
    (it answers but cannot work: a printer's faults such as paper out or head open, or lights of a pick-to-light
    controller that do not answer), else ``up`` with no reason. What the screens, the line's OPC UA server and
    the metrics show."""
    if name in line.devices_down:
        return "down", line.link_detail.get(name, "") or "link down"
    faults = list(line.printer_faults.get(name, ()))
    prefix = f"{name}/"
    faults += sorted(
        f"{light.removeprefix(prefix)}: {line.link_detail.get(light, '') or 'does not answer'}"
        for light in line.devices_down
        if light.startswith(prefix)
    )
    return ("faulted", ", ".join(faults)) if faults else ("up", "")


def device_views(line: LineState) -> list[DeviceView]:
    plant = line.plant
    named = [(n, "ptl") for n in plant.devices.ptl] + [(n, "printer") for n in plant.devices.printers]
    named += [(n, "scanner") for n in plant.devices.scanners]
    views = []
    for name, kind in named:
        state, detail = device_state(line, name)
        views.append(DeviceView(name=name, kind=kind, up=state == "up", detail=detail))  # type: ignore[arg-type]
    return views


def kpi_view(core: Sequencer, at: float, since: float | None = None) -> KpiView:
    """The KPIs at ``at``; the shared ones over the racks shipped since ``since`` (the shift's start)."""
    return KpiView(**{k: v for k, v in asdict(kpis_of(core, at, since)).items() if k != "at"})


def counters(line: LineState, *, quarantined: int, vehicles_broadcast: int) -> Counters:
    return Counters(
        vehicles_broadcast=vehicles_broadcast,
        vehicles_completed=line.vehicles_completed,
        racks_completed=line.racks_completed,
        labels_printed=line.labels_printed,
        quarantined=quarantined,
        alarms_closed_unacknowledged=line.deviations.unacked_closed,
    )


def line_view(
    core: Sequencer,
    *,
    rev: int,
    at: float,
    quarantined: int = 0,
    vehicles_broadcast: int = 0,
    repeats: Mapping[str, int] | None = None,
    since: float | None = None,
) -> LineView:
    """The whole picture of the line, built from the state at once. ``repeats``: per feed, resends the service
    answered before the core, counted with the core's own duplicates."""
    line = core.state
    repeats = repeats or {}
    plant = line.plant
    parts = part_in_bin(plant)
    texts = part_texts(plant)
    open_racks = [r for r in line.racks.values() if not r.closed]
    racks = [
        rack_view(line, r)
        for family in line.families
        for r in racks_shown(line, (r for r in open_racks if r.family == family))
    ]
    return LineView(
        rev=rev,
        at=at,
        plant=plant.plant.name,
        timezone=plant.plant.timezone,
        feeds=tuple(feed_view(f, repeats.get(f.cfg.id, 0)) for f in line.feeds.values()),
        stations=tuple(station_view(line, st, parts, texts) for st in line.stations.values()),
        racks=tuple(racks),
        deviations=tuple(deviation_view(d) for d in sorted(line.deviations.by_id.values(), key=deviation_rank)),
        devices=tuple(device_views(line)),
        kpis=kpi_view(core, at, since),
        counters=counters(line, quarantined=quarantined, vehicles_broadcast=vehicles_broadcast),
        notices=tuple(notice_view(n) for n in sorted(line.notices.values(), key=notice_rank)),
        shift=shift_view(line, at),
    )


def shift_view(line: LineState, at: float) -> ShiftView:
    """The shift ``at`` falls in, after the plant's calendar (between shifts: no name, and ``at`` for both ends)."""
    span = line.calendar.shift_at(at)
    if span is None:
        return ShiftView(name="", day=line.calendar.local_day(at).isoformat(), start=at, end=at)
    return ShiftView(name=span.name, day=span.day.isoformat(), start=span.start, end=span.end)
