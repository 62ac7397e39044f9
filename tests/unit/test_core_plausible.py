"""Plausible input only (issue 15 item 2), the core's half: a number far outside the window around the feed's
position is refused with an ``implausible`` deviation and changes nothing else (no gap, no resend request, no
vehicle, not even "heard"); a replay of what already shipped is a duplicate, not late work; a lead keying a
broadcast in is not held to the window. (The service's half, the ACK ``refused``, is
tests/integration/test_feed_security.py.)"""

from __future__ import annotations

from sequencer.commands import LightBin, RequestResend
from sequencer.core import Sequencer
from sequencer.events import InsertBroadcast, RackShipped, ResolveDeviation, Tick
from sequencer.testing import (
    BUMPERS,
    SEAT_CLOTH,
    SEATS,
    broadcast,
    by_hand,
    fed,
    kinds,
    of,
    open_deviations,
    pick_and_print,
    printed,
    with_feed,
)
from tests.plants import demo_plant

RACKS = 24  # vehicles that fill whole racks of both families (seats 6 a rack, bumpers 8)


def test_a_broadcast_far_ahead_is_refused_and_nothing_else_changes() -> None:
    core = fed(demo_plant(), broadcast(1, at=10))
    before = core.state.feeds["L1"]
    last = (before.last_seq, before.last_position, before.last_at, before.broadcasts, before.gaps)
    commands = core.handle(broadcast(5001, at=20))  # the phantom: 5,000 ahead
    assert kinds(commands) == ["implausible"]
    assert not of(RequestResend, commands) and not of(LightBin, commands)
    feed = core.state.feeds["L1"]
    assert (feed.last_seq, feed.last_position, feed.last_at, feed.broadcasts, feed.gaps) == last
    assert not feed.missing and "VIN05001" not in feed.position_of
    (dev,) = open_deviations(core, "implausible")
    assert (dev.priority, dev.seq) == (2, 5001)
    assert "5000 ahead of the newest, 1" in dev.message and "key it in by hand" in dev.message
    assert kinds(core.handle(broadcast(2, at=30))) == []  # the real next one goes on as if nothing happened


def test_the_window_edges() -> None:
    plant = with_feed(demo_plant(), plausible_ahead=10, plausible_behind=20)
    core = fed(plant, broadcast(100))
    assert kinds(core.handle(broadcast(111))) == ["implausible"]  # 11 ahead
    commands = core.handle(broadcast(110))  # 10 ahead: a gap of 9, asked for again
    assert kinds(commands) == ["gap"]
    assert [(r.from_seq, r.to_seq) for r in of(RequestResend, commands)] == [(101, 109)]
    assert kinds(core.handle(broadcast(89))) == ["implausible"]  # 21 behind the newest, 110
    assert kinds(core.handle(broadcast(90))) == ["late_broadcast"]  # 20 behind: within, before the first


def test_a_missing_number_is_taken_however_far_behind() -> None:
    plant = with_feed(demo_plant(), plausible_ahead=50, plausible_behind=5)
    core = fed(plant, broadcast(1), broadcast(40))  # 2..39 missing
    core.handle(broadcast(41))
    assert kinds(core.handle(broadcast(2))) == []  # 39 behind, but asked for: fills its place
    assert 1 not in core.state.feeds["L1"].missing


def test_a_window_of_half_the_ring_or_more_sets_no_limit() -> None:
    plant = with_feed(demo_plant(), modulus=40, plausible_ahead=500, plausible_behind=500)
    core = fed(plant, broadcast(1))
    assert kinds(core.handle(broadcast(21))) == ["gap"]  # 20 ahead: the most the ring can tell


def test_a_lead_keying_in_the_number_the_oem_jumped_to_moves_the_feed() -> None:
    core = fed(demo_plant(), broadcast(1))
    insert = by_hand(InsertBroadcast, feed="L1", seq=3000, vehicle_id="VINJUMP", options=SEAT_CLOTH)
    commands = core.handle(insert)
    assert kinds(commands) == ["gap"]
    assert core.state.feeds["L1"].last_seq == 3000
    assert kinds(core.handle(broadcast(3001))) == []  # the feed goes on from there


def test_a_refusal_is_deterministic_on_replay() -> None:
    events = [broadcast(1, at=1), broadcast(5001, at=2), broadcast(2, at=3), broadcast(8000, at=4), Tick(at=5)]
    first, second = fed(demo_plant(), *events), fed(demo_plant(), *events)
    assert first.fingerprint() == second.fingerprint()
    assert first.state.deviations.counts["implausible"] == 2


def shipped_line() -> Sequencer:
    """Vehicles 1..24 picked, labelled, their racks closed, labelled and shipped: all of them forgotten."""
    core = fed(demo_plant(), *(broadcast(seq, at=seq) for seq in range(1, RACKS + 1)))
    for station in (SEATS, BUMPERS):
        for _ in range(RACKS):
            # a rack's label comes once the last part label in it is printed (issue 14): it prints too
            printed(core, pick_and_print(core, station, at=100), at=101)
    for family, racks in (("seats", RACKS // 6), ("bumper", RACKS // 8)):
        for rack_no in range(1, racks + 1):
            core.handle(RackShipped(at=200, feed="L1", family=family, rack_no=rack_no))
    assert not core.state.feeds["L1"].vehicles  # forgotten after shipping
    return core


def test_a_replay_of_what_shipped_is_a_duplicate_not_late_work() -> None:
    core = shipped_line()
    core.handle(broadcast(RACKS + 1, at=300))
    replayed = [core.handle(broadcast(seq, at=301)) for seq in range(1, RACKS + 1)]
    assert all(kinds(c) == [] and not of(LightBin, c) for c in replayed)  # counted only, as an identical resend
    assert core.state.feeds["L1"].duplicates == RACKS
    assert not open_deviations(core, "late_broadcast")
    changed = core.handle(broadcast(3, at=302, function="change"))
    assert kinds(changed) == ["change_after_ship"]  # too late to change: call the OEM


def test_a_gap_given_up_and_shipped_blank_stays_late_when_its_broadcast_comes() -> None:
    core = fed(demo_plant(), broadcast(1), broadcast(3))  # 2 missing
    (gap,) = open_deviations(core, "gap")
    core.handle(by_hand(ResolveDeviation, deviation_id=gap.id, reason="OEM pulled it"))
    assert core.state.feeds["L1"].given_up == {1}
    assert kinds(core.handle(broadcast(2))) == ["late_broadcast"]  # never built here: not a duplicate


def test_given_up_positions_are_forgotten_past_the_window() -> None:
    plant = with_feed(demo_plant(), plausible_behind=5)
    core = fed(plant, broadcast(1), broadcast(3))
    (gap,) = open_deviations(core, "gap")
    core.handle(by_hand(ResolveDeviation, deviation_id=gap.id, reason="OEM pulled it"))
    for seq in range(4, 12):
        core.handle(broadcast(seq))
    assert core.state.feeds["L1"].given_up == set()  # position 1 is more than 5 behind the newest (10)
