"""Project the core's state onto what the screens see (``sequencer.views``).

What it must not do: change the core's state (it only reads ``Sequencer.state``), or show anything the views'
models do not carry (they are the HMI bus's wire format).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict

from sequencer.core import Sequencer
from sequencer.kpis import kpis_of
from sequencer.state import LineState, Pick, Station
from sequencer.views import (
    BinView,
    Counters,
    DeviationView,
    DeviceView,
    FeedView,
    KpiView,
    LineView,
    PickView,
    RackView,
    StationView,
)

NEXT_PICKS = 8
OPEN_RACKS_SHOWN = 2


def _pick_view(p: Pick) -> PickView:
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
    )


def _station_view(line: LineState, st: Station, part_in_bin: dict[str, str]) -> StationView:
    lit = line.picks[st.lit] if st.lit is not None else None
    waiting = [line.picks[pid] for _, pid in st.queue if pid != st.lit][:NEXT_PICKS]
    return StationView(
        id=st.cfg.id,
        name=st.cfg.name,
        family=st.family,
        current=_pick_view(lit) if lit else None,
        next=tuple(_pick_view(p) for p in waiting),
        bins=tuple(
            BinView(id=b.id, light=b.light, part=part_in_bin.get(b.id, ""), lit=bool(lit and lit.bin == b.id))
            for b in st.cfg.bins
        ),
        ptl_device=st.cfg.ptl,
        printer=st.cfg.printer,
    )


def line_view(
    core: Sequencer,
    *,
    rev: int,
    at: float,
    quarantined: int = 0,
    vehicles_broadcast: int = 0,
    repeats: Mapping[str, int] | None = None,
) -> LineView:
    """The line's picture. ``repeats``: per feed, resends the service answered before the core (their identity was
    journaled already), counted with the core's own duplicates."""
    line = core.state
    repeats = repeats or {}
    plant = line.plant
    part_in_bin = {p.bin: p.number for p in plant.parts}  # once per picture, not once per station
    open_racks = sorted((r for r in line.racks.values() if not r.closed), key=lambda r: r.rack_no)
    racks = []
    for family in line.families:
        for r in [r for r in open_racks if r.family == family][:OPEN_RACKS_SHOWN]:
            feed = line.feeds[r.feed]
            first = (r.rack_no - 1) * r.capacity
            racks.append(
                RackView(
                    feed=r.feed,
                    family=r.family,
                    rack_no=r.rack_no,
                    filled=len(r.done),
                    capacity=r.capacity,
                    low_seq=feed.seq_at(first) if feed.first_seq is not None else None,
                    high_seq=feed.seq_at(first + r.capacity - 1) if feed.first_seq is not None else None,
                )
            )
    devices = [DeviceView(name=n, kind="ptl", up=n not in line.devices_down, detail="") for n in plant.devices.ptl]
    devices += [
        DeviceView(name=n, kind="printer", up=n not in line.devices_down and n not in line.printer_faults, detail="")
        for n in plant.devices.printers
    ]
    return LineView(
        rev=rev,
        at=at,
        plant=plant.plant.name,
        timezone=plant.plant.timezone,
        feeds=tuple(
            FeedView(
                id=f.cfg.id,
                name=f.cfg.name,
                last_seq=f.last_seq,
                last_broadcast_at=f.last_at,
                broadcasts=f.broadcasts,
                gaps=f.gaps,
                duplicates=f.duplicates + repeats.get(f.cfg.id, 0),
            )
            for f in line.feeds.values()
        ),
        stations=tuple(_station_view(line, st, part_in_bin) for st in line.stations.values()),
        racks=tuple(racks),
        deviations=tuple(
            DeviationView(
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
            )
            for d in sorted(line.deviations.open_deviations(), key=lambda d: (d.priority, -d.at))
        ),
        devices=tuple(devices),
        kpis=KpiView(**{k: v for k, v in asdict(kpis_of(core, at)).items() if k != "at"}),
        counters=Counters(
            vehicles_broadcast=vehicles_broadcast,
            vehicles_completed=line.vehicles_completed,
            racks_completed=line.racks_completed,
            labels_printed=line.labels_printed,
            quarantined=quarantined,
            alarms_closed_unacknowledged=line.deviations.unacked_closed,
        ),
    )
