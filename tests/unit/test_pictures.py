"""Pictures that cost what changed (sequencer.pictures) say exactly what the whole projection says.

The property: after any sequence of events, the pictures built from the keys the rules touched, applied to the
service's store and from there to a screen's copy (``sequencer.clone``), give the ``LineView`` that
``sequencer.projection.line_view`` builds from the whole state. The stateful test drives the core's own machine
(tests/unit/test_core_stateful.py: broadcasts with gaps, changes, cancels, holds and wrap-around, presses right and
wrong, labels, ticks, shipping, every manual operation, device links and printer faults) and lets the screen look
at random moments, so touched keys pile up over several events between two pictures; a second test does the same
over several feeds (racks of different feeds compete for the two places a family has on the screens), and a third
over ship notices (sent, answered, rejected, overdue, cancelled, replaced, forgotten past the limit). Cases pin a
picture's size (one pick, thousands of open alarms: a few entries), the whole picture of a new core, and the
overflow of the touched keys.
"""

from __future__ import annotations

from contextlib import suppress

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import rule

from sequencer import touched as touched_module
from sequencer.clone import KvStore, Picture, Replica, Step, entries
from sequencer.commands import PrintLabel, SendShipNotice
from sequencer.core import Sequencer
from sequencer.events import (
    AcknowledgeAlarm,
    BinConfirmed,
    BroadcastReceived,
    BroadcastRejected,
    CancelShipNotice,
    CorrectShippedRack,
    Event,
    LabelPrinted,
    RackShipped,
    ShipNoticeAnswered,
    ShipNoticeSending,
    SuppressAlarm,
    Tick,
)
from sequencer.pictures import Pictures
from sequencer.plant import ShipNoticeConfig
from sequencer.projection import line_view
from sequencer.state import SequencerError
from sequencer.testing import by_hand, first_seat_rack_full, of
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


# -- ship notices -------------------------------------------------------------------------------------------
NOTICE_TIMEOUT = 300.0
NOTICE_PLANT = demo_plant().model_copy(
    update={"ship_notices": ShipNoticeConfig(ack_timeout_s=NOTICE_TIMEOUT, keep_answered=2)}
)
notice_actions = st.lists(
    st.tuples(
        st.sampled_from(
            ["broadcast", "press", "ship", "sending", "accept", "reject", "tick", "cancel", "correct", "look"]
        ),
        st.integers(0, 5),
    ),
    min_size=30,  # long enough for racks to fill, ship and be answered
    max_size=80,
)


def _press_and_print(core: Sequencer, at: float) -> None:
    for station in core.state.stations.values():
        if station.lit is not None:
            pick = core.state.picks[station.lit]
            for command in core.handle(BinConfirmed(at=at, station=station.cfg.id, bin=pick.bin, token=pick.pick_id)):
                if isinstance(command, PrintLabel):
                    core.handle(LabelPrinted(at=at, label_id=command.label.label_id))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notice_actions)
def test_ship_notices_are_shown_as_the_whole_picture_shows_them(steps: list[tuple[str, int]]) -> None:
    """Every move of a notice (asked for, sent, answered, rejected, overdue, cancelled, replaced, forgotten) is
    noted, so the pictures built from the touched keys equal the whole projection."""
    core, screen = Sequencer(NOTICE_PLANT), Screen()
    at, seq = 1_000.0, 0

    def feed(event: Event) -> None:
        with suppress(SequencerError):
            core.handle(event)

    for action, which in steps:
        at += 7.0
        notices = sorted(core.state.notices.values(), key=lambda n: n.number)
        notice = notices[which % len(notices)] if notices else None
        if action == "broadcast":  # up to two racks' worth, so racks fill and ship within a few steps
            for _ in range(2 * which + 2):
                seq += 1
                feed(BroadcastReceived(at=at, feed="L1", seq=seq, vehicle_id=f"V{seq}", options=("S1", "P040")))
        elif action == "press":
            for _ in range(2 * which + 2):
                _press_and_print(core, at)
        elif action == "ship":
            ready = sorted(k for k, r in core.state.racks.items() if r.closed and not r.shipped)
            if ready:
                f, family, rack_no = ready[which % len(ready)]
                feed(RackShipped(at=at, feed=f, family=family, rack_no=rack_no))
        elif action == "tick":
            feed(Tick(at=at + NOTICE_TIMEOUT * (which % 3)))
        elif action == "look":
            screen.check(core, at)
        elif notice is not None and action in ("sending", "accept", "reject"):
            nid, version = notice.notice_id, notice.version
            if action == "sending":
                feed(ShipNoticeSending(at=at, notice_id=nid, version=version))
            else:
                accepted = action == "accept"
                feed(ShipNoticeAnswered(at=at, notice_id=nid, version=version, accepted=accepted, reason="seq"))
        elif notice is not None and action == "cancel":
            feed(by_hand(CancelShipNotice, at=at, feed=notice.feed, family=notice.family, rack_no=notice.rack_no))
        elif notice is not None and action == "correct" and notice.items:
            slot = notice.items[which % len(notice.items)].slot
            where = {"feed": notice.feed, "family": notice.family, "rack_no": notice.rack_no}
            feed(by_hand(CorrectShippedRack, at=at, **where, slot=slot, part=""))
    screen.check(core, at)


def test_a_rack_s_notice_state_goes_through_send_answer_and_rejection_in_the_pictures() -> None:
    """The picture carries the notice's state: asked for (due), sent, overdue past the time-out, acknowledged;
    then a replacement (version 2) rejected with the OEM's reason and its alarm; then cancelled (version 3)."""
    core, screen = first_seat_rack_full(NOTICE_PLANT), Screen()
    screen.check(core, 10.0)
    key = "notice/L1-seats-1"

    def shown_after(at: float, *events: Event):  # type: ignore[no-untyped-def]
        for event in events:
            core.handle(event)
        picture = screen.publish(core, at)
        assert screen.replica.view() == screen.whole(core, at)
        (notice,) = screen.replica.view().notices
        return picture, notice

    (asked,) = of(SendShipNotice, core.handle(RackShipped(at=20.0, feed="L1", family="seats", rack_no=1)))
    picture, notice = shown_after(20.0)
    assert {key, "order/notices"} <= picture.values.keys()
    assert (notice.rack_no, notice.version, notice.function, notice.state) == (1, 1, "original", "due")
    _, notice = shown_after(21.0, ShipNoticeSending(at=21.0, notice_id=asked.notice_id, version=1))
    assert (notice.state, notice.overdue, notice.alarm) == ("sent", False, None)
    _, notice = shown_after(20.0 + NOTICE_TIMEOUT, Tick(at=20.0 + NOTICE_TIMEOUT))
    assert (notice.state, notice.overdue) == ("sent", True)
    assert notice.alarm is not None and core.state.deviations.by_id[notice.alarm].kind == "notice_unanswered"
    answer = ShipNoticeAnswered(at=330.0, notice_id=asked.notice_id, version=1, accepted=True)
    _, notice = shown_after(330.0, answer)
    assert (notice.state, notice.overdue, notice.alarm) == ("acknowledged", False, None)

    correction = by_hand(CorrectShippedRack, at=340.0, feed="L1", family="seats", rack_no=1, slot=2, part="")
    _, notice = shown_after(341.0, correction, ShipNoticeSending(at=341.0, notice_id=asked.notice_id, version=2))
    assert (notice.version, notice.function, notice.state) == (2, "replace", "sent")
    refusal = ShipNoticeAnswered(at=342.0, notice_id=asked.notice_id, version=2, accepted=False, reason="seq 3 unknown")
    picture, notice = shown_after(342.0, refusal)
    assert key in picture.values and "order/notices" not in picture.values  # it moved; the list did not
    assert (notice.state, notice.reason) == ("rejected", "seq 3 unknown")
    assert notice.alarm is not None and core.state.deviations.by_id[notice.alarm].kind == "notice_rejected"

    cancel = by_hand(CancelShipNotice, at=350.0, feed="L1", family="seats", rack_no=1)
    _, notice = shown_after(350.0, cancel)
    assert (notice.version, notice.function, notice.state, notice.reason) == (3, "cancel", "due", "")
