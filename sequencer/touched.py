"""What the rules changed that the screens see: the keys of the feeds, stations, racks, deviations and devices touched
since the projection last looked (``sequencer.pictures``).

What it is for: a picture of the line costs what changed, not what the line holds. Each rule that changes something
a screen shows notes its key here as it changes it (a feed heard, a station's queue or lit pick moved, a rack's slot
filled, a deviation raised, moved or closed, a device's link or faults, a ship notice's version or answer); the one
reader (``sequencer.pictures``) drains the keys and rebuilds only those entries. Noting too much costs a rebuilt entry;
noting too little would leave a screen wrong, so the Hypothesis test in tests/unit/test_pictures.py holds every picture
against the whole projection after every event.

Bounded: a core nobody drains (a replay, a test, the chaos follower) stops noting past ``LIMIT`` keys and says
``everything`` instead, so the next reader rebuilds the whole picture once.
What it must not do: decide anything or enter ``Sequencer.fingerprint`` (the golden streams do not know it): it is
bookkeeping for the screens, not the line's state, and a replay need not reproduce it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RackKey = tuple[str, str, int]  # (feed, family, rack no.), as ``sequencer.state.RackKey``

LIMIT = 10_000  # rack, deviation and ship notice keys noted at most; past it the next picture is built whole


@dataclass(slots=True)
class Touched:
    """Keys touched since the last ``drain``; ``everything``: too many to list (or never drained): rebuild all."""

    feeds: set[str] = field(default_factory=set)
    stations: set[str] = field(default_factory=set)
    racks: set[RackKey] = field(default_factory=set)
    deviations: set[int] = field(default_factory=set)
    devices: set[str] = field(default_factory=set)
    notices: set[str] = field(default_factory=set)  # ship notice ids
    everything: bool = False

    def feed(self, feed_id: str) -> None:
        self.feeds.add(feed_id)

    def station(self, station_id: str) -> None:
        self.stations.add(station_id)

    def device(self, name: str) -> None:
        self.devices.add(name)

    def rack(self, key: RackKey) -> None:
        if not self.everything:
            self.racks.add(key)
            if len(self.racks) > LIMIT:
                self._overflow()

    def deviation(self, deviation_id: int) -> None:
        if not self.everything:
            self.deviations.add(deviation_id)
            if len(self.deviations) > LIMIT:
                self._overflow()

    def notice(self, notice_id: str) -> None:
        if not self.everything:
            self.notices.add(notice_id)
            if len(self.notices) > LIMIT:
                self._overflow()

    def drain(self) -> Touched:
        """What was touched, handed over; from now on nothing is."""
        taken = Touched(
            self.feeds, self.stations, self.racks, self.deviations, self.devices, self.notices, self.everything
        )
        self.feeds, self.stations, self.racks, self.deviations, self.devices = set(), set(), set(), set(), set()
        self.notices = set()
        self.everything = False
        return taken

    def _overflow(self) -> None:
        self.racks.clear()
        self.deviations.clear()
        self.notices.clear()
        self.everything = True
