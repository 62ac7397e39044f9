"""Pictures that cost what changed (sequencer.pictures) say exactly what the whole projection says.

The property: after any sequence of events, the pictures built from the keys the rules touched, applied to the
service's store and from there to a screen's copy (``sequencer.clone``), give the ``LineView`` that
``sequencer.projection.line_view`` builds from the whole state. The stateful test drives the core's own machine
(tests/unit/test_core_stateful.py: broadcasts with gaps, changes, cancels, holds and wrap-around, presses right and
wrong, labels, ticks, shipping, every manual operation, device links and printer faults) and lets the screen look
at random moments, so touched keys pile up over several events between two pictures; a second test does the same
over several feeds (racks of different feeds compete for the two places a family has on the screens). Cases pin a
picture's size (one pick, thousands of open alarms: a few entries), the whole picture of a new core, and the
overflow of the touched keys.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import rule

from sequencer import touched as touched_module
from sequencer.clone import KvStore, Picture, Replica, Step, entries
from sequencer.commands import PrintLabel
from sequencer.core import Sequencer
from sequencer.events import (
    AcknowledgeAlarm,
    BinConfirmed,
    BroadcastReceived,
    BroadcastRejected,
    Event,
    LabelPrinted,
    RackShipped,
    SuppressAlarm,
    Tick,
)
from sequencer.pictures import Pictures
from sequencer.projection import line_view
from sequencer.state import SequencerError
from sequencer.views import LineView
from tests.plants import demo_plant
from tests.unit.test_core_stateful import CoreMachine

EPOCH = b"run-1"


class Screen:
    """The service's side (pictures into the numbered store) and one screen's copy, for one core."""

    def __init__(self) -> None:
        self.pictures = Pictures()
        self.store = KvStore()
        self.replica = Replica()
        self.rev = 0

    def publish(self, core: Sequencer, at: float, *, kpis: bool = True) -> Picture:
        """Publish a picture and apply it on the screen."""
        self.rev += 1
        vehicles = sum(f.broadcasts for f in core.state.feeds.values())
        picture = self.pictures.picture(
            core, rev=self.rev, at=at, quarantined=3, vehicles_broadcast=vehicles, kpis=kpis
        )
        delta = self.store.apply(picture)
        if not self.replica.synced:
            assert self.replica.on_snapshot(EPOCH, *self.store.snapshot()) is Step.APPLIED
        elif delta is not None:
            assert self.replica.on_delta(EPOCH, delta) is Step.APPLIED
        return picture

    def whole(self, core: Sequencer, at: float) -> LineView:
        """The whole projection at the moment of the last picture."""
        vehicles = sum(f.broadcasts for f in core.state.feeds.values())
        return line_view(core, rev=self.rev, at=at, quarantined=3, vehicles_broadcast=vehicles)

    def check(self, core: Sequencer, at: float, *, kpis: bool = True) -> None:
        self.publish(core, at, kpis=kpis)
        whole = self.whole(core, at)
        shown = self.replica.view()
        if kpis:
            assert shown == whole
            assert self.store.entries == entries(whole)
        else:  # the KPIs move with the clock and are published once a second: everything else is current
            assert shown.model_copy(update={"kpis": whole.kpis}) == whole


class PictureMachine(CoreMachine):
    """The core's stateful machine, with a screen looking now and then."""

    def __init__(self) -> None:
        super().__init__()
        self.screen = Screen()

    @rule(kpis=st.booleans())
    def screen_looks(self, kpis: bool) -> None:
        self.screen.check(self.core, self.now, kpis=kpis)

    def teardown(self) -> None:
        self.screen.check(self.core, self.now)
        super().teardown()


PictureMachine.TestCase.settings = settings(
    max_examples=120, stateful_step_count=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestPicturesEqualTheWholeProjection = PictureMachine.TestCase


def three_feeds():
    plant = demo_plant()
    feeds = tuple(
        plant.feeds[0].model_copy(update={"id": f"L{n}", "name": f"Line {n}", "modulus": 50}) for n in (1, 2, 3)
    )
    return plant.model_copy(update={"feeds": feeds})


THREE_FEEDS = three_feeds()
OPTIONS = [("S1", "P040"), ("S3", "P040"), ("P040",), ("S2", "P1A2", "PDC")]
actions = st.lists(
    st.tuples(
        st.sampled_from(["broadcast", "press", "print", "tick", "ship", "look"]), st.integers(0, 2), st.integers(1, 3)
    ),
    max_size=80,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions)
def test_racks_of_several_feeds_are_shown_as_the_whole_picture_shows_them(steps: list[tuple[str, int, int]]) -> None:
    core, screen = Sequencer(THREE_FEEDS), Screen()
    at, seqs = 1_000.0, [0, 0, 0]

    def feed(event: Event) -> list[object]:
        try:
            return list(core.handle(event))
        except SequencerError:
            return []

    for action, which, step in steps:
        at += 7.0
        if action == "broadcast":
            seqs[which] += step  # a step of 2 or 3 leaves a gap
            options = OPTIONS[(seqs[which] + which) % len(OPTIONS)]
            feed(
                BroadcastReceived(
                    at=at, feed=f"L{which + 1}", seq=seqs[which], vehicle_id=f"V{which}-{seqs[which]}", options=options
                )
            )
        elif action == "press":
            station = list(core.state.stations.values())[which % len(core.state.stations)]
            if station.lit is not None:
                pick = core.state.picks[station.lit]
                for command in feed(BinConfirmed(at=at, station=station.cfg.id, bin=pick.bin, token=pick.pick_id)):
                    if isinstance(command, PrintLabel) and step > 1:
                        feed(LabelPrinted(at=at, label_id=command.label.label_id))
        elif action == "print" and core.state.unprinted:
            feed(LabelPrinted(at=at, label_id=sorted(core.state.unprinted)[0]))
        elif action == "tick":
            feed(Tick(at=at + 3600 * step))
        elif action == "ship":
            ready = sorted(k for k, r in core.state.racks.items() if r.closed and not r.shipped)
            if ready:
                f, family, rack_no = ready[which % len(ready)]
                feed(RackShipped(at=at, feed=f, family=family, rack_no=rack_no))
        elif action == "look":
            screen.check(core, at)
    screen.check(core, at)


# -- cases --------------------------------------------------------------------------------------------------
def busy_line(alarms: int) -> Sequencer:
    """Two stations working, racks filling, and ``alarms`` open alarms (quarantined input, suppressed by a lead so
    they stay open: neither returned-unacknowledged's limit nor a tick closes them)."""
    core = Sequencer(demo_plant())
    at = 1_000.0
    for n in range(alarms):
        core.handle(BroadcastRejected(at=at, feed="L1", seq=None, reason="bad", quarantine_id=n + 1))
        core.handle(SuppressAlarm(at=at, user="lead", reason="known", deviation_id=core.state.deviations.newest_id))
    for seq in range(1, 9):
        core.handle(BroadcastReceived(at=at + seq, feed="L1", seq=seq, vehicle_id=f"V{seq}", options=("S1", "P040")))
    return core


def press_seat(core: Sequencer, at: float) -> None:
    station = core.state.stations["ST-SEAT"]
    assert station.lit is not None
    pick = core.state.picks[station.lit]
    core.handle(BinConfirmed(at=at, station="ST-SEAT", bin=pick.bin, token=pick.pick_id))


def test_one_pick_among_thousands_of_open_alarms_is_a_few_entries() -> None:
    core = busy_line(3_000)
    screen = Screen()
    screen.check(core, 2_000.0)
    press_seat(core, 2_001.0)
    picture = screen.publish(core, 2_001.0, kpis=False)
    assert not picture.whole
    # the header, the counters, the station (next pick lit), its rack (a slot filled)
    assert sorted(picture.values) == ["counters", "head", "rack/L1/seats/1", "station/ST-SEAT"]


def test_a_new_alarm_adds_its_entry_and_the_list_order_and_a_closed_one_deletes_its_entry() -> None:
    core, screen = busy_line(5), Screen()
    screen.check(core, 2_000.0)
    core.handle(BroadcastRejected(at=2_001.0, feed="L1", seq=None, reason="bad", quarantine_id=99))
    new = core.state.deviations.newest_id
    picture = screen.publish(core, 2_001.0)
    assert {f"alarm/{new}", "order/deviations"} <= picture.values.keys()
    assert screen.replica.view() == screen.whole(core, 2_001.0)
    core.handle(AcknowledgeAlarm(at=2_002.0, user="lead", reason="read", deviation_id=new))  # returned: closes
    picture = screen.publish(core, 2_002.0)
    assert picture.values[f"alarm/{new}"] is None and "order/deviations" in picture.values
    assert screen.replica.view() == screen.whole(core, 2_002.0)


def test_a_new_core_is_a_whole_picture_and_entries_it_lacks_are_deleted() -> None:
    screen = Screen()
    busy = busy_line(4)
    screen.check(busy, 2_000.0)
    fresh = Sequencer(demo_plant())
    picture = screen.publish(fresh, 2_001.0, kpis=False)
    assert picture.whole
    assert "alarm/1" not in screen.store.entries
    assert screen.replica.view() == screen.whole(fresh, 2_001.0)


def test_past_the_limit_of_touched_keys_the_next_picture_is_whole(monkeypatch) -> None:
    monkeypatch.setattr(touched_module, "LIMIT", 5)
    core, screen = busy_line(0), Screen()
    screen.check(core, 2_000.0)
    for n in range(10):
        core.handle(BroadcastRejected(at=2_001.0 + n, feed="L1", seq=None, reason="bad", quarantine_id=n + 1))
    assert core.state.touched.everything and not core.state.touched.deviations
    assert screen.publish(core, 2_020.0, kpis=False).whole
    assert screen.replica.view() == screen.whole(core, 2_020.0)


def test_the_touched_keys_stay_out_of_the_fingerprint() -> None:
    a, b = busy_line(3), busy_line(3)
    b.state.touched.drain()
    assert a.fingerprint() == b.fingerprint()
