"""Bin stock rules: a kept bin's stock set by a count, drawn by each pick, called for when low, and the station's
starvation forecast watched against its ``starvation_alarm_s``.

A bin's stock is kept when the plant file gives its ``capacity``. A count (``StockSet``: a replenishment scan; a
lead's ``SetBinStock``) sets it; a pick takes the pick's quantity (never below 0: a count that was wrong is put
right by the next count); a picked part taken back (a cancel after the pick) returns. At or below ``low_stock`` a
bin is low: one ``low_stock`` alarm, one replenishment call (``CallReplenishment``) and its light shown low
(``ShowBinStock``) until a count brings it above. After every change at a station its forecast
(``sequencer.starvation``) is worked out again: one ``starvation`` alarm while it is within the station's
``starvation_alarm_s``, cleared once it is ``STARVATION_DEADBAND`` beyond it (or gone).
Uses only the state (below ``picking``, which calls it). What it must not do: refuse a pick for want of stock (the
part is in the operator's hand: the count was wrong) or decide anything about a vehicle.
"""

from __future__ import annotations

from sequencer.commands import CallReplenishment, Command, ShowBinStock
from sequencer.events import StockSet
from sequencer.sentences import say
from sequencer.starvation import forecast, station_takt
from sequencer.state import BinStock, LineState, Pick, SequencerError


def kept(line: LineState, bin_id: str) -> BinStock:
    """The bin's stock, if it is kept; ``SequencerError`` otherwise."""
    bs = line.stock.get(bin_id)
    if bs is None:
        raise SequencerError(f"bin {bin_id!r}: no stock is kept for it (no capacity in the plant file)")
    return bs


def set_stock(line: LineState, bin_id: str, qty: int, at: float) -> list[Command]:
    """A count: the bin holds ``qty`` parts from now on (0 up to its capacity)."""
    bs = kept(line, bin_id)
    if not 0 <= qty <= bs.capacity:
        raise SequencerError(f"bin {bin_id}: {qty} parts counted, it holds 0 to {bs.capacity}")
    bs.qty = qty
    return _changed(line, bs, at)


def on_stock_set(line: LineState, e: StockSet) -> list[Command]:
    if not e.source.strip():
        raise SequencerError(f"bin {e.bin}: a count needs its source (the scanner or replenisher)")
    return set_stock(line, e.bin, e.qty, e.at)


def drawn(line: LineState, pick: Pick, at: float) -> list[Command]:
    """A pick left its bin: the bin gives its quantity, the station one more vehicle picked."""
    line.station_picks[pick.station] += 1
    bs = line.stock.get(pick.bin)
    if bs is None:
        return station_changed(line, pick.station, at)
    bs.qty = max(0, bs.qty - pick.qty)
    bs.drawn += pick.qty
    bs.lowest = bs.qty if bs.lowest is None else min(bs.lowest, bs.qty)
    return _changed(line, bs, at)


def returned(line: LineState, pick: Pick, at: float) -> list[Command]:
    """A picked part goes back to its bin (withdrawn after the pick)."""
    bs = line.stock.get(pick.bin)
    if bs is None:
        return station_changed(line, pick.station, at)
    bs.qty = min(bs.capacity, bs.qty + pick.qty)
    return _changed(line, bs, at)


def _changed(line: LineState, bs: BinStock, at: float) -> list[Command]:
    line.touched.station(bs.station)
    return _check_low(line, bs, at) + station_changed(line, bs.station, at)


def _show(line: LineState, bs: BinStock, low: bool) -> ShowBinStock:
    device = next(s.ptl for s in line.plant.stations if s.id == bs.station)
    return ShowBinStock(station=bs.station, bin=bs.bin, light=bs.light, device=device, low=low)


def low_bins(line: LineState) -> list[ShowBinStock]:
    """The bins low now, as their lights show them."""
    return [_show(line, bs, True) for bs in line.stock.values() if bs.low_dev is not None]


def _check_low(line: LineState, bs: BinStock, at: float) -> list[Command]:
    low = bs.qty <= bs.low_stock
    if low == (bs.low_dev is not None):
        return []
    show = _show(line, bs, low)
    if not low:
        assert bs.low_dev is not None
        commands = line.deviations.clear(bs.low_dev, at)
        bs.low_dev = None
        return [*commands, show]
    commands = line.deviations.raise_(
        "low_stock",
        at,
        say("low_stock", station=bs.station, bin=bs.bin, qty=bs.qty, capacity=bs.capacity, part=bs.part),
        station=bs.station,
    )
    bs.low_dev = line.deviations.newest_id
    call = CallReplenishment(
        station=bs.station,
        bin=bs.bin,
        part=bs.part,
        stock=bs.qty,
        capacity=bs.capacity,
        wanted=bs.capacity - bs.qty,
        at=at,
    )
    return [*commands, call, show]


def settle(line: LineState, at: float) -> list[Command]:
    """On a tick: a bin low from the start (its initial stock at or below ``low_stock``) is called for, and a station
    whose forecast was never worked out gets one; afterwards every change keeps them in step, so this finds nothing."""
    commands: list[Command] = []
    for bs in line.stock.values():
        if (bs.qty <= bs.low_stock) != (bs.low_dev is not None):
            commands += _check_low(line, bs, at)
        if bs.station not in line.starves:
            commands += station_changed(line, bs.station, at)
    return commands


# ISA-18.2 deadband: a raised starvation alarm returns to normal only once the forecast is this fraction beyond
# ``starvation_alarm_s``. Without it a forecast on the threshold (each pick, each new vehicle and the draw per vehicle
# move it by about a takt) raised and cleared a new alarm each crossing: in the demo three for one bin in 2 s.
STARVATION_DEADBAND = 0.2


def station_changed(line: LineState, station_id: str, at: float) -> list[Command]:
    """The station's stock or open picks changed: its forecast again, its starvation alarm raised or cleared."""
    station = line.stations.get(station_id)
    bins = [bs for bs in line.stock.values() if bs.station == station_id]
    if station is None or not bins:
        return []
    picks = line.station_picks[station_id]
    takt = station_takt([f.takt_s for f in line.plant.feeds])
    found = forecast(
        at,
        takt,
        {bs.bin: bs.qty for bs in bins},
        [(line.picks[pick_id].bin, line.picks[pick_id].qty) for _, pick_id in station.queue],
        {bs.bin: bs.drawn / picks for bs in bins} if picks else None,
    )
    line.touched.station(station_id)
    line.starves[station_id] = None if found is None else (found.at, found.bin)
    ahead = None if found is None else found.at - at
    dev = line.starving.get(station_id)
    if dev is not None:  # in alarm: back to normal only past the deadband, or with no forecast at all (a refill)
        if ahead is not None and ahead <= station.cfg.starvation_alarm_s * (1 + STARVATION_DEADBAND):
            return []
        del line.starving[station_id]
        return line.deviations.clear(dev, at)
    if ahead is None or ahead > station.cfg.starvation_alarm_s:
        return []
    assert found is not None
    bs = line.stock[found.bin]
    commands = line.deviations.raise_(
        "starvation",
        at,
        say(
            "starvation",
            station=station_id,
            bin=found.bin,
            seconds=found.at - at,
            vehicles=found.vehicles,
            qty=bs.qty,
            part=bs.part,
        ),
        station=station_id,
    )
    line.starving[station_id] = line.deviations.newest_id
    return commands
