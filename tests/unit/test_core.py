"""The sequencer core's rules: sequence, resolution, picks, racks, labels, deviations."""

from __future__ import annotations

import pytest

from sequencer.alarms import AlarmState
from sequencer.commands import (
    ClearBin,
    LightBin,
    PrintLabel,
    RackClosed,
    RaiseDeviation,
    RequestResend,
    VehicleCompleted,
)
from sequencer.core import Sequencer, SequencerError
from sequencer.events import BinConfirmed, BroadcastReceived, DeviceLinkChanged, LabelPrinted, LabelSending
from sequencer.labels import PartLabel, RackLabel
from tests.plants import demo_plant

SEAT_CLOTH = ("S1", "P040")  # -> SEAT-CLOTH-BLK in SEAT-01, BMP-040 in BMP-01


def bc(seq: int, at: float = 0.0, options: tuple[str, ...] = SEAT_CLOTH, vin: str | None = None) -> BroadcastReceived:
    return BroadcastReceived(at=at, feed="L1", seq=seq, vehicle_id=vin or f"VIN{seq:05d}", options=options)


def of(kind, commands):
    return [c for c in commands if isinstance(c, kind)]


@pytest.fixture
def core() -> Sequencer:
    return Sequencer(demo_plant())


def confirm_lit(core: Sequencer, station: str, at: float = 1.0):
    st = core.state.stations[station]
    assert st.lit is not None, f"nothing lit at {station}"
    pick = core.state.picks[st.lit]
    return core.handle(BinConfirmed(at=at, station=station, bin=pick.bin, token=pick.pick_id))


def test_first_broadcast_lights_one_bin_per_family(core):
    cmds = core.handle(bc(10))
    lights = of(LightBin, cmds)
    assert {(c.station, c.bin) for c in lights} == {("ST-SEAT", "SEAT-01"), ("ST-BUMP", "BMP-01")}
    assert not of(RaiseDeviation, cmds)


def test_variant_resolution_uses_all_of_and_none_of(core):
    cmds = core.handle(bc(1, options=("S2", "HEAT", "P1A2", "PDC")))
    assert {c.bin for c in of(LightBin, cmds)} == {"SEAT-03", "BMP-04"}


def test_confirm_prints_part_label_and_lights_next_in_sequence(core):
    core.handle(bc(1))
    core.handle(bc(2, options=("S3", "P040")))
    cmds = confirm_lit(core, "ST-SEAT")
    assert of(ClearBin, cmds)[0].bin == "SEAT-01"
    (label,) = [c.label for c in of(PrintLabel, cmds)]
    assert isinstance(label, PartLabel)
    assert (label.seq, label.part, label.vehicle_id, label.slot) == (1, "SEAT-CLOTH-BLK", "VIN00001", 1)
    assert [(c.bin, c.seq) for c in of(LightBin, cmds)] == [("SEAT-04", 2)]


def test_confirm_counters_are_kept_per_bin_even_for_a_wrong_pick(core):
    """The light's counter is journaled with every press, right or wrong, so a restart counts from it."""
    core.handle(bc(1))
    pick = core.state.picks[core.state.stations["ST-SEAT"].lit]
    core.handle(BinConfirmed(at=1.0, station="ST-SEAT", bin="SEAT-02", counter=7))  # wrong bin
    core.handle(BinConfirmed(at=2.0, station="ST-SEAT", bin=pick.bin, token=pick.pick_id))  # no counter: kept
    assert core.state.confirm_counters == {("ST-SEAT", "SEAT-02"): 7}
    before = core.fingerprint()
    core.handle(BinConfirmed(at=3.0, station="ST-SEAT", bin=pick.bin, counter=3))
    assert core.state.confirm_counters[("ST-SEAT", pick.bin)] == 3
    assert core.fingerprint() != before


def test_a_label_journaled_as_leaving_is_the_only_kind_that_can_be_uncertain_after_a_restart(core):
    """Write-ahead: ``LabelSending`` marks the current reprint as gone to the printer; printed or uncertain clears
    it; a label that is not waiting to print (or another reprint of it) is refused, so its driver drops it."""
    core.handle(bc(1))
    (label,) = [c.label for c in of(PrintLabel, confirm_lit(core, "ST-SEAT"))]
    assert not core.label_left(label.label_id)  # asked for, still in the service: a restart sends it again
    with pytest.raises(SequencerError):
        core.handle(LabelSending(at=2.0, label_id=label.label_id, reprint=1))
    core.handle(LabelSending(at=2.0, label_id=label.label_id, reprint=0))
    assert core.label_left(label.label_id)  # may have printed: a restart makes it uncertain
    core.handle(LabelPrinted(at=3.0, label_id=label.label_id))
    assert not core.label_left(label.label_id) and label.label_id not in core.state.sending
    with pytest.raises(SequencerError):
        core.handle(LabelSending(at=4.0, label_id=label.label_id, reprint=0))  # printed: its driver drops it


def test_vehicle_completes_when_every_part_is_picked_and_labelled(core):
    core.handle(bc(1))
    labels = []
    for station in ("ST-SEAT", "ST-BUMP"):
        labels += [c.label.label_id for c in of(PrintLabel, confirm_lit(core, station))]
    assert not of(VehicleCompleted, core.handle(LabelPrinted(at=2, label_id=labels[0])))
    done = of(VehicleCompleted, core.handle(LabelPrinted(at=2, label_id=labels[1])))
    assert [(d.seq, d.vehicle_id) for d in done] == [(1, "VIN00001")]
    assert core.state.vehicles_completed == 1


def test_wrap_around_is_in_order(core):
    for seq in (9998, 9999, 0, 1):
        cmds = core.handle(bc(seq))
        assert not of(RaiseDeviation, cmds), seq
    assert core.state.feeds["L1"].gaps == 0
    assert [core.state.feeds["L1"].vehicles[p].seq for p in range(4)] == [9998, 9999, 0, 1]


def test_gap_across_the_wrap_requests_a_resend_and_the_late_one_slots_in(core):
    core.handle(bc(9998))
    cmds = core.handle(bc(1))  # 9999 and 0 missing
    (resend,) = of(RequestResend, cmds)
    assert (resend.from_seq, resend.to_seq) == (9999, 0)
    (gap,) = of(RaiseDeviation, cmds)
    assert gap.kind == "gap"
    assert gap.priority == 1
    core.handle(bc(9999))
    assert core.state.deviations.by_id[gap.deviation_id].active  # still one missing
    core.handle(bc(0))
    dev = core.state.deviations.by_id[gap.deviation_id]
    assert not dev.active
    assert dev.state is AlarmState.RTN_UNACK  # ISA-18.2: returned to normal, waits for acknowledgement
    seats = sorted((p.position, p.slot) for p in core.state.picks.values() if p.family == "seats")
    assert seats == [(0, 1), (1, 2), (2, 3), (3, 4)]


def test_old_number_after_wrap_is_late_not_new(core):
    for seq in (9999, 0, 1):
        core.handle(bc(seq))
    cmds = core.handle(bc(9000))  # far behind: must not be taken as a jump forward
    assert [c.kind for c in of(RaiseDeviation, cmds)] == ["late_broadcast"]
    assert core.state.feeds["L1"].last_seq == 1


def test_identical_duplicate_is_counted_not_repicked(core):
    core.handle(bc(5))
    cmds = core.handle(bc(5))
    assert cmds == []
    assert core.state.feeds["L1"].duplicates == 1
    assert core.state.deviations.counts["duplicate"] == 1
    assert len(core.state.picks) == 2


def test_same_key_different_content_is_a_change_and_re_resolves_before_the_pick(core):
    core.handle(bc(5))
    cmds = core.handle(bc(5, options=("S3", "P040")))
    assert [c.kind for c in of(RaiseDeviation, cmds)] == ["change"]
    assert of(ClearBin, cmds)[0].bin == "SEAT-01"
    assert [(c.bin, c.seq) for c in of(LightBin, cmds)] == [("SEAT-04", 5)]


def test_unresolvable_vehicle_blocks_only_its_own_slot(core):
    core.handle(bc(1))
    cmds = core.handle(bc(2, options=("P040",)))  # no seat option
    kinds = sorted(c.kind for c in of(RaiseDeviation, cmds))
    assert kinds == ["unresolved"]
    assert list(core.state.feeds["L1"].vehicles[1].blocked) == ["seats"]
    core.handle(bc(3))
    confirm_lit(core, "ST-SEAT")
    assert core.state.picks[core.state.stations["ST-SEAT"].lit].seq == 3  # the line keeps running


def test_unknown_option_code_is_a_deviation(core):
    cmds = core.handle(bc(1, options=("S1", "P040", "XYZ")))
    assert [c.kind for c in of(RaiseDeviation, cmds)] == ["unknown_option"]


def test_wrong_bin_is_a_wrong_pick_and_nothing_advances(core):
    core.handle(bc(1))
    lit = core.state.stations["ST-SEAT"].lit
    cmds = core.handle(BinConfirmed(at=1, station="ST-SEAT", bin="SEAT-02"))
    assert [c.kind for c in of(RaiseDeviation, cmds)] == ["wrong_pick"]
    assert [(c.bin, c.alarm) for c in of(LightBin, cmds)] == [("SEAT-01", True)]
    assert core.state.stations["ST-SEAT"].lit == lit
    assert core.state.picks[lit].status == "blocked"
    assert core.handle(BinConfirmed(at=2, station="ST-SEAT", bin="SEAT-01", token=lit)) == []  # still blocked


def test_stale_token_is_not_counted_as_a_pick(core):
    core.handle(bc(1))
    core.handle(bc(2))
    first = core.state.stations["ST-SEAT"].lit
    confirm_lit(core, "ST-SEAT")
    cmds = core.handle(BinConfirmed(at=2, station="ST-SEAT", bin="SEAT-01", token=first))
    assert [c.kind for c in of(RaiseDeviation, cmds)] == ["stale_confirm"]


def test_rack_closes_at_capacity_with_low_and_high_seq(core):
    closed = []
    for seq in range(9997, 9997 + 6):
        core.handle(bc(seq % 10000))
    for _ in range(6):
        closed += of(RackClosed, confirm_lit(core, "ST-SEAT"))
    assert [(r.family, r.rack_no, r.low_seq, r.high_seq) for r in closed] == [("seats", 1, 9997, 2)]
    rack_labels = [c.label for c in of(PrintLabel, confirm_lit(core, "ST-BUMP")) if isinstance(c.label, RackLabel)]
    assert rack_labels == []  # bumper racks hold 8


def test_device_offline_raises_once_and_clears(core):
    down = core.handle(DeviceLinkChanged(at=1, device="ptl-seat", up=False, detail="timeout"))
    again = core.handle(DeviceLinkChanged(at=2, device="ptl-seat", up=False, detail="timeout"))
    assert [c.kind for c in of(RaiseDeviation, down)] == ["device_offline"]
    assert again == []
    core.handle(DeviceLinkChanged(at=3, device="ptl-seat", up=True))
    assert [d.state for d in core.state.deviations.open_deviations()] == [AlarmState.RTN_UNACK]


def test_unknown_confirm_source_is_refused_and_changes_nothing(core):
    core.handle(bc(1))
    before = (core.state.events_handled, dict(core.state.deviations.counts))
    with pytest.raises(SequencerError):
        core.handle(BinConfirmed(at=1, station="NOPE", bin="X"))
    with pytest.raises(SequencerError):
        core.handle(LabelPrinted(at=1, label_id="never-asked"))
    assert (core.state.events_handled, dict(core.state.deviations.counts)) == before


def test_unknown_feed_is_a_deviation(core):
    cmds = core.handle(BroadcastReceived(at=0, feed="L9", seq=1, vehicle_id="X", options=SEAT_CLOTH))
    assert [c.kind for c in of(RaiseDeviation, cmds)] == ["unknown_feed"]
