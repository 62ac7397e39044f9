"""Scanning rules: what a barcode read at a station does, and what a light press does for a family that scans.

A read is first put through the plant's patterns (``families.scan_patterns``, full match, named groups part,
serial, batch): the lit pick's family first, then every other family. What it is then is one row of
``SCAN_OUTCOMES``; what a pick needs before it counts as picked is ``CONFIRM_NEEDS`` (``families.confirm``).

| outcome | when | does |
|---|---|---|
| ``blocked`` | the station is blocked after a wrong pick | nothing (only a correction moves it on, as a press) |
| ``no_pick_lit`` | nothing is lit at the station | ``stale_confirm`` deviation |
| ``unreadable`` | no family's pattern matches (a reader's NOREAD, a garbled read) | ``scan_unreadable``: again |
| ``wrong_part`` | a part code, not the lit pick's part | ``wrong_pick``: the slot is blocked, as a wrong bin pressed |
| ``repeated`` | the lit pick's part, this very code already scanned for it | nothing (a reader's duplicate read) |
| ``serial_repeated`` | the lit pick's part, with a serial already scanned for another live pick | ``serial_repeated`` |
| ``matched`` | the lit pick's part | serial and batch recorded (``PartTraced``); picked once its confirm is met |

A press on the lit bin of a ``scan`` family is not a confirm (``scan_needed``); of a ``both`` family it is noted,
and the pick is picked when the scan has matched too, in either order.
What it must not do: change a pick's status itself (``picking`` does), or read a clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sequencer.commands import Command, PartTraced
from sequencer.events import BinConfirmed, PartScanned
from sequencer.rules import picking
from sequencer.sentences import say
from sequencer.state import LineState, Pick, PickScan, SequencerError, Station

Outcome = Literal["blocked", "no_pick_lit", "unreadable", "wrong_part", "repeated", "serial_repeated", "matched"]

# What must have happened before a pick of the family counts as picked.
CONFIRM_NEEDS: dict[str, frozenset[str]] = {
    "light": frozenset({"pressed"}),
    "scan": frozenset({"scanned"}),
    "both": frozenset({"pressed", "scanned"}),
}


@dataclass(frozen=True, slots=True)
class Reading:
    """A code that matched a family's pattern: the part it names, its serial and batch (empty when absent)."""

    family: str
    part: str
    serial: str = ""
    batch: str = ""


def read_code(line: LineState, code: str, first: str = "") -> Reading | None:
    """The first family pattern that matches ``code`` in full (family ``first``'s before the others'); None: none."""
    order = sorted(line.families.values(), key=lambda f: f.id != first)
    for family in order:
        for pattern in family.scan_patterns:
            m = re.fullmatch(pattern, code)
            if m is not None:
                found = m.groupdict()
                return Reading(family.id, found["part"], found.get("serial") or "", found.get("batch") or "")
    return None


def classify(line: LineState, station: Station, code: str) -> tuple[Outcome, Reading | None]:
    """Which row of ``SCAN_OUTCOMES`` a read at ``station`` is (pure: changes nothing)."""
    if station.blocked_by is not None:
        return "blocked", None
    if station.lit is None:
        return "no_pick_lit", None
    lit = line.picks[station.lit]
    reading = read_code(line, code, first=lit.family)
    if reading is None:
        return "unreadable", None
    if reading.part != lit.part:
        return "wrong_part", reading
    done = line.scans.get(lit.pick_id)
    if done is not None and done.scanned and done.code == code:
        return "repeated", reading
    if reading.serial and line.serials.get((reading.part, reading.serial), lit.pick_id) != lit.pick_id:
        return "serial_repeated", reading
    return "matched", reading


Rule = Callable[[LineState, Station, PartScanned, Reading | None], list[Command]]


def _nothing(_line: LineState, _station: Station, _e: PartScanned, _r: Reading | None) -> list[Command]:
    return []


def _no_pick_lit(line: LineState, station: Station, e: PartScanned, _r: Reading | None) -> list[Command]:
    return line.deviations.raise_(
        "stale_confirm", e.at, say("stale_scan", station=station.cfg.id, code=e.code), station=station.cfg.id
    )


def _unreadable(line: LineState, station: Station, e: PartScanned, _r: Reading | None) -> list[Command]:
    return line.deviations.raise_(
        "scan_unreadable",
        e.at,
        say("scan_unreadable", station=station.cfg.id, code=e.code[:60]),
        station=station.cfg.id,
    )


def _wrong_part(line: LineState, station: Station, e: PartScanned, r: Reading | None) -> list[Command]:
    assert r is not None and station.lit is not None
    return picking.block(line, station, line.picks[station.lit], e.at, scanned=r.part)


def _serial_repeated(line: LineState, station: Station, e: PartScanned, r: Reading | None) -> list[Command]:
    assert r is not None and station.lit is not None
    lit = line.picks[station.lit]
    other = line.picks[line.serials[(r.part, r.serial)]]
    return line.deviations.raise_(
        "serial_repeated",
        e.at,
        say("serial_repeated", station=station.cfg.id, serial=r.serial, part=r.part, feed=other.feed, seq=other.seq),
        feed=lit.feed,
        seq=lit.seq,
        vehicle_id=lit.vehicle_id,
        station=station.cfg.id,
    )


def _matched(line: LineState, station: Station, e: PartScanned, r: Reading | None) -> list[Command]:
    assert r is not None and station.lit is not None
    lit = line.picks[station.lit]
    scan = line.scans.setdefault(lit.pick_id, PickScan())
    if scan.serial:
        line.serials.pop((scan.part, scan.serial), None)  # scanned again with another label: the last one counts
    scan.code, scan.part, scan.serial, scan.batch, scan.scanned = e.code, r.part, r.serial, r.batch, True
    if r.serial:
        line.serials[(r.part, r.serial)] = lit.pick_id
    line.touched.station(station.cfg.id)
    traced = PartTraced(
        at=e.at,
        station=station.cfg.id,
        feed=lit.feed,
        seq=lit.seq,
        vehicle_id=lit.vehicle_id,
        family=lit.family,
        part=r.part,
        serial=r.serial,
        batch=r.batch,
        rack_no=lit.rack_no,
        slot=lit.slot,
        pick_id=lit.pick_id,
        code=e.code,
    )
    return [traced, *_picked_if_done(line, station, lit, e.at)]


SCAN_OUTCOMES: dict[Outcome, Rule] = {
    "blocked": _nothing,
    "no_pick_lit": _no_pick_lit,
    "unreadable": _unreadable,
    "wrong_part": _wrong_part,
    "repeated": _nothing,
    "serial_repeated": _serial_repeated,
    "matched": _matched,
}


def _picked_if_done(line: LineState, station: Station, pick: Pick, at: float) -> list[Command]:
    scan = line.scans.get(pick.pick_id, PickScan())
    done = {name for name, yes in (("pressed", scan.pressed), ("scanned", scan.scanned)) if yes}
    if CONFIRM_NEEDS[line.families[pick.family].confirm] <= done:
        return picking.picked(line, station, pick, at)
    return []


def on_scan(line: LineState, e: PartScanned) -> list[Command]:
    """A code was read at a station."""
    station = line.stations.get(e.station)
    if station is None:
        raise SequencerError(f"scan from unknown station {e.station}")
    outcome, reading = classify(line, station, e.code)
    return SCAN_OUTCOMES[outcome](line, station, e, reading)


def _pressed(line: LineState, station: Station, pick: Pick, at: float) -> list[Command]:
    """The lit bin's button of a family that scans was pressed."""
    if line.families[pick.family].confirm == "scan":
        return line.deviations.raise_(
            "scan_needed",
            at,
            say("scan_needed", station=station.cfg.id, bin=pick.bin),
            feed=pick.feed,
            seq=pick.seq,
            vehicle_id=pick.vehicle_id,
            station=station.cfg.id,
        )
    scan = line.scans.setdefault(pick.pick_id, PickScan())
    if scan.pressed:
        return []
    scan.pressed = True
    line.touched.station(station.cfg.id)
    return _picked_if_done(line, station, pick, at)


def on_confirm(line: LineState, e: BinConfirmed) -> list[Command]:
    """A bin's button was pressed: as ``picking.on_confirm``, except on the lit bin of a family that scans."""
    station = line.stations.get(e.station)
    if station is not None and line.families[station.family].confirm != "light":
        return picking.on_confirm(line, e, confirmed=_pressed)
    return picking.on_confirm(line, e)
