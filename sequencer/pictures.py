"""Pictures that cost what changed: the HMI bus's entries rebuilt only where the rules touched the line.

What it is for: the service publishes the line to the screens as keyed entries (``sequencer.clone``, docs/hmi-bus.md).
Rebuilding the whole ``LineView`` for each publication cost what the line holds (every feed, station, rack, and
every open alarm: thousands on a bad shift); ``Pictures.picture`` costs what changed since the last one. The rules
note the keys they touch (``sequencer.touched``); this module drains them and builds the entries of those keys with
the same functions the whole projection is made of (``sequencer.projection``), so each entry says exactly what
``line_view`` says. Which racks are shown and the order of the alarm list it keeps as it goes (an index of each
family's open racks; the alarm list's ranks, sorted; the ship notices' numbers), so a new alarm costs a place in
a sorted list, not a sort of all. The header (a new number and time) and the counters come with every picture, the
KPIs when asked (they move with the clock: once a second). The first picture of a core, or one after more was touched
than the core lists, is ``whole``: every entry.

tests/unit/test_pictures.py holds it to the whole projection: the pictures applied to a screen's store equal
``line_view`` after any sequence of events.
What it must not do: change the core (it reads the state and drains only the touched keys), or read a clock: the
time comes in (``at``). One reader per core: a second would take the other's touched keys.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Mapping

from sequencer.clone import ORDER, EntryValue, Head, Picture, keyed
from sequencer.core import Sequencer
from sequencer.projection import (
    OPEN_RACKS_SHOWN,
    PartTexts,
    counters,
    deviation_rank,
    deviation_view,
    device_views,
    feed_view,
    kpi_view,
    notice_rank,
    notice_view,
    part_in_bin,
    part_texts,
    rack_rank,
    rack_view,
    shift_view,
    station_view,
)
from sequencer.state import LineState, RackKey
from sequencer.touched import Touched

Values = dict[str, EntryValue | None]
Rank = tuple[int, float, int]  # sequencer.projection.deviation_rank


def rack_entry(key: RackKey) -> str:
    feed, family, rack_no = key
    return f"rack/{feed}/{family}/{rack_no}"


def everything_in(line: LineState) -> Touched:
    """Every key the line has: what a whole picture builds."""
    plant = line.plant
    return Touched(
        feeds=set(line.feeds),
        stations=set(line.stations),
        racks=set(line.racks),
        deviations=set(line.deviations.by_id),
        devices={*plant.devices.ptl, *plant.devices.printers, *plant.devices.scanners},
        notices=set(line.notices),
    )


class Pictures:
    """The entries of one core's line as the screens last got them: which racks are shown, the alarm list's order.
    ``picture`` drains what the rules touched and answers the entries to publish."""

    def __init__(self) -> None:
        self._line: LineState | None = None
        self._parts: dict[str, str] = {}
        self._texts: PartTexts = {}
        # family -> its open racks by rank (``projection.rack_rank``: a rack's never changes), lowest first; so which
        # are shown costs a place in a sorted list, not a look at every open rack (tens of thousands after an outage)
        self._open: dict[str, list[tuple[tuple[int, int], RackKey]]] = {}
        self._open_rank: dict[RackKey, tuple[int, int]] = {}  # open rack -> its rank
        self._shown: dict[str, list[RackKey]] = {}  # family -> its racks on the screens, in order
        self._ranks: list[Rank] = []  # the alarm list, sorted
        self._alarm_keys: list[str] = []  # its entry keys, in the same order
        self._listed: dict[int, Rank] = {}  # deviation id -> its rank, while listed
        self._repeats: dict[str, int] = {}  # per feed: the service's repeats the screens have
        self._notice_numbers: list[int] = []  # the ship notices listed, by delivery note number (sorted)
        self._notice_keys: list[str] = []  # their entry keys, in the same order
        self._notices_listed: dict[str, int] = {}  # notice id -> its number, while listed

    def picture(
        self,
        core: Sequencer,
        *,
        rev: int,
        at: float,
        quarantined: int,
        vehicles_broadcast: int,
        kpis: bool,
        repeats: Mapping[str, int] | None = None,
        since: float | None = None,
    ) -> Picture:
        """The entries to publish now: the header and counters, the KPIs if ``kpis``, and every entry the rules
        touched since the last picture (all of them, ``whole``, for a core not seen before). ``repeats``: per feed,
        resends the service answered before the core (``line_view``'s); a feed whose count moved is rebuilt."""
        line = core.state
        touched = line.touched.drain()
        whole = line is not self._line or touched.everything
        if whole:
            self._start(line)
            touched = everything_in(line)
        repeats = dict(repeats or {})
        touched.feeds |= {f for f, n in repeats.items() if self._repeats.get(f, 0) != n}
        self._repeats = repeats
        plant = line.plant.plant
        values: Values = {
            "head": Head(rev=rev, at=at, plant=plant.name, timezone=plant.timezone, shift=shift_view(line, at)),
            "counters": counters(line, quarantined=quarantined, vehicles_broadcast=vehicles_broadcast),
        }
        if kpis or whole:
            values["kpis"] = kpi_view(core, at, since)  # the shared ones since ``since``: the shift's start
        for feed_id in touched.feeds & line.feeds.keys():
            values[f"feed/{feed_id}"] = feed_view(line.feeds[feed_id], repeats.get(feed_id, 0))
        for station_id in touched.stations & line.stations.keys():
            values[f"station/{station_id}"] = station_view(line, line.stations[station_id], self._parts, self._texts)
        if whole:
            values[ORDER + "feeds"] = tuple(f"feed/{feed_id}" for feed_id in line.feeds)
            values[ORDER + "stations"] = tuple(f"station/{station_id}" for station_id in line.stations)
        if touched.devices or whole:  # a handful, and fixed by the plant: all of them, named as line_view's are
            items = keyed("device/", device_views(line), lambda d: d.name)
            values.update(items)
            values[ORDER + "devices"] = tuple(key for key, _ in items)
        self._racks(line, touched.racks, values, whole=whole)
        self._deviations(line, touched.deviations, values, whole=whole)
        self._notices(line, touched.notices, values, whole=whole)
        return Picture(values, whole=whole)

    # -- a core seen for the first time ----------------------------------------------------------------------
    def _start(self, line: LineState) -> None:
        self._line = line
        self._parts = part_in_bin(line.plant)
        self._texts = part_texts(line.plant)
        self._open, self._open_rank, self._shown = {}, {}, {}
        book = line.deviations.by_id
        self._listed = {dev_id: deviation_rank(dev) for dev_id, dev in book.items()}
        self._ranks = sorted(self._listed.values())
        self._alarm_keys = [f"alarm/{rank[2]}" for rank in self._ranks]
        self._notices_listed = {nid: notice_rank(n) for nid, n in line.notices.items()}
        listed = sorted((number, nid) for nid, number in self._notices_listed.items())
        self._notice_numbers = [number for number, _ in listed]
        self._notice_keys = [f"notice/{nid}" for _, nid in listed]

    # -- racks: each family's lowest open ones ---------------------------------------------------------------
    def _racks(self, line: LineState, keys: Iterable[RackKey], values: Values, *, whole: bool) -> None:
        refilled: list[RackKey] = []
        moved = set(line.families) if whole else set()  # families whose set of open racks changed
        for key in keys:
            rack = line.racks.get(key)
            if rack is not None and not rack.closed:
                if key not in self._open_rank:
                    rank = self._open_rank[key] = rack_rank(line, rack)
                    insort(self._open.setdefault(key[1], []), (rank, key))
                    moved.add(key[1])
                refilled.append(key)
            elif key in self._open_rank:
                members = self._open[key[1]]
                del members[bisect_left(members, (self._open_rank.pop(key), key))]
                moved.add(key[1])
        order_changed = whole
        for family in moved:
            before = self._shown.get(family, [])
            shown = [key for _, key in self._open.get(family, [])[:OPEN_RACKS_SHOWN]]
            if shown == before:
                continue
            order_changed = True
            self._shown[family] = shown
            values.update((rack_entry(k), None) for k in before if k not in shown)
            values.update((rack_entry(k), rack_view(line, line.racks[k])) for k in shown if k not in before)
        for key in refilled:
            if key in self._shown.get(key[1], ()):
                values[rack_entry(key)] = rack_view(line, line.racks[key])
        if order_changed:
            values[ORDER + "racks"] = tuple(rack_entry(k) for f in line.families for k in self._shown.get(f, ()))

    # -- deviations: the alarm list, most urgent first -------------------------------------------------------
    def _deviations(self, line: LineState, ids: Iterable[int], values: Values, *, whole: bool) -> None:
        book = line.deviations.by_id
        order_changed = whole
        for dev_id in ids:
            key = f"alarm/{dev_id}"
            dev = book.get(dev_id)
            if dev is not None:
                values[key] = deviation_view(dev)
                if dev_id not in self._listed:
                    rank = self._listed[dev_id] = deviation_rank(dev)
                    at = bisect_left(self._ranks, rank)
                    self._ranks.insert(at, rank)
                    self._alarm_keys.insert(at, key)
                    order_changed = True
            elif dev_id in self._listed:
                at = bisect_left(self._ranks, self._listed.pop(dev_id))
                del self._ranks[at], self._alarm_keys[at]
                values[key] = None
                order_changed = True
        if order_changed:
            values[ORDER + "deviations"] = tuple(self._alarm_keys)

    # -- ship notices: one per shipped rack, by delivery note number ---------------------------------------------
    def _notices(self, line: LineState, ids: Iterable[str], values: Values, *, whole: bool) -> None:
        order_changed = whole
        for nid in ids:
            key = f"notice/{nid}"
            notice = line.notices.get(nid)
            if notice is not None:
                values[key] = notice_view(notice)
                if nid not in self._notices_listed:
                    number = self._notices_listed[nid] = notice_rank(notice)
                    at = bisect_left(self._notice_numbers, number)
                    self._notice_numbers.insert(at, number)
                    self._notice_keys.insert(at, key)
                    order_changed = True
            elif nid in self._notices_listed:
                at = bisect_left(self._notice_numbers, self._notices_listed.pop(nid))
                del self._notice_numbers[at], self._notice_keys[at]
                values[key] = None
                order_changed = True
        if order_changed:
            values[ORDER + "notices"] = tuple(self._notice_keys)
