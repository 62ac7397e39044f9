"""The sequence and picking rules in depth: wrap-around, gaps, resends, changes, resolution, wrong picks, racks."""

from __future__ import annotations

import pytest

from sequencer.alarms import AlarmState
from sequencer.commands import ClearBin, LightBin, PrintLabel, RackClosed, RequestResend
from sequencer.core import Sequencer, SequencerError
from sequencer.events import BinConfirmed, LabelPrinted
from sequencer.labels import RackLabel
from sequencer.testing import (
    BUMPERS,
    NO_SEAT,
    SEATS,
    SPORT_RED,
    broadcast,
    fed,
    kinds,
    lit,
    of,
    open_deviations,
    pick_and_print,
    press_lit,
    station_view,
    view,
)
from tests.plants import demo_plant


@pytest.fixture
def core() -> Sequencer:
    return Sequencer(demo_plant())


def test_variant_resolution_uses_all_of_and_none_of(core: Sequencer) -> None:
    commands = core.handle(broadcast(1, options=("S2", "HEAT", "P1A2", "PDC")))
    assert {c.bin for c in of(LightBin, commands)} == {"SEAT-03", "BMP-04"}


def test_confirm_counters_are_kept_per_bin_even_for_a_wrong_pick(core: Sequencer) -> None:
    """The light's counter is journaled with every press, right or wrong, so a restart counts from it."""
    core.handle(broadcast(1))
    pick = lit(core)
    core.handle(BinConfirmed(at=1.0, station=SEATS, bin="SEAT-02", counter=7))  # wrong bin
    core.handle(BinConfirmed(at=2.0, station=SEATS, bin=pick.bin, token=pick.pick_id))  # no counter: kept
    assert core.state.confirm_counters == {(SEATS, "SEAT-02"): 7}
    before = core.fingerprint()
    core.handle(BinConfirmed(at=3.0, station=SEATS, bin=pick.bin, counter=3))
    assert core.state.confirm_counters[(SEATS, pick.bin)] == 3
    assert core.fingerprint() != before


def test_wrap_around_is_in_order(core: Sequencer) -> None:
    for seq in (9998, 9999, 0, 1):
        assert kinds(core.handle(broadcast(seq))) == [], seq
    assert view(core).feeds[0].gaps == 0
    assert [lit(core).seq] + [p.seq for p in station_view(core).next] == [9998, 9999, 0, 1]


def test_gap_across_the_wrap_requests_a_resend_and_the_late_one_slots_in(core: Sequencer) -> None:
    core.handle(broadcast(9998))
    commands = core.handle(broadcast(1))  # 9999 and 0 missing
    (resend,) = of(RequestResend, commands)
    assert (resend.from_seq, resend.to_seq) == (9999, 0)
    assert kinds(commands) == ["gap"]
    core.handle(broadcast(9999))
    assert [d.active for d in open_deviations(core, "gap")] == [True]  # still one missing
    core.handle(broadcast(0))
    (gap,) = open_deviations(core, "gap")
    assert (gap.priority, gap.active) == (1, False)
    assert gap.state == AlarmState.RTN_UNACK.value  # ISA-18.2: returned to normal, waits for acknowledgement
    seats = [lit(core), *station_view(core).next]
    assert [(p.seq, p.slot) for p in seats] == [(9998, 1), (9999, 2), (0, 3), (1, 4)]


def test_old_number_after_wrap_is_late_not_new(core: Sequencer) -> None:
    for seq in (9999, 0, 1):
        core.handle(broadcast(seq))
    assert kinds(core.handle(broadcast(9500))) == ["late_broadcast"]  # behind: never a jump forward
    # further behind than the plausible window (1000, plant file): refused, not late (issue 15)
    assert kinds(core.handle(broadcast(9000))) == ["implausible"]
    assert view(core).feeds[0].last_seq == 1


def test_identical_duplicate_is_counted_not_repicked(core: Sequencer) -> None:
    core.handle(broadcast(5))
    assert core.handle(broadcast(5)) == []
    assert view(core).feeds[0].duplicates == 1
    assert (lit(core).seq, station_view(core).next) == (5, ())


def test_same_key_different_content_is_a_change_and_re_resolves_before_the_pick(core: Sequencer) -> None:
    core.handle(broadcast(5))
    commands = core.handle(broadcast(5, options=SPORT_RED))
    assert kinds(commands) == ["change"]
    assert of(ClearBin, commands)[0].bin == "SEAT-01"
    assert [(c.bin, c.seq) for c in of(LightBin, commands)] == [("SEAT-04", 5)]


def test_unresolvable_vehicle_blocks_only_its_own_slot(core: Sequencer) -> None:
    core.handle(broadcast(1))
    assert kinds(core.handle(broadcast(2, options=NO_SEAT))) == ["unresolved"]
    core.handle(broadcast(3))
    press_lit(core)
    assert lit(core).seq == 3  # the line keeps running; 2 has no seat pick
    assert [p.seq for p in [lit(core, BUMPERS), *station_view(core, BUMPERS).next]] == [1, 2, 3]


def test_wrong_bin_is_a_wrong_pick_and_nothing_advances(core: Sequencer) -> None:
    core.handle(broadcast(1))
    pick = lit(core)
    commands = core.handle(BinConfirmed(at=1, station=SEATS, bin="SEAT-02"))
    assert kinds(commands) == ["wrong_pick"]
    assert [(c.bin, c.alarm) for c in of(LightBin, commands)] == [("SEAT-01", True)]
    assert (lit(core).pick_id, lit(core).state) == (pick.pick_id, "blocked")
    assert core.handle(BinConfirmed(at=2, station=SEATS, bin="SEAT-01", token=pick.pick_id)) == []  # still blocked


def test_rack_closes_at_capacity_with_low_and_high_seq(core: Sequencer) -> None:
    for seq in range(9997, 9997 + 6):
        core.handle(broadcast(seq % 10000))
    commands = [c for _ in range(6) for c in pick_and_print(core)]
    assert [(r.family, r.rack_no, r.low_seq, r.high_seq) for r in of(RackClosed, commands)] == [("seats", 1, 9997, 2)]
    assert [c.label.label_id for c in of(PrintLabel, commands) if isinstance(c.label, RackLabel)] == ["R-L1-seats-1"]
    rack_labels = [c.label for c in of(PrintLabel, press_lit(core, BUMPERS)) if isinstance(c.label, RackLabel)]
    assert rack_labels == []  # bumper racks hold 8


def test_unknown_confirm_source_is_refused_and_changes_nothing() -> None:
    core = fed(demo_plant(), broadcast(1))
    before = core.fingerprint()
    with pytest.raises(SequencerError):
        core.handle(BinConfirmed(at=1, station="NOPE", bin="X"))
    with pytest.raises(SequencerError):
        core.handle(LabelPrinted(at=1, label_id="never-asked"))
    assert core.fingerprint() == before
