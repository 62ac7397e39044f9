"""The sequencing rules beyond the happy path: functions, forecasts, resequencing, time, manual operations."""

from __future__ import annotations

import dataclasses

import pytest

from sequencer.alarms import AlarmState
from sequencer.commands import (
    AuditRecord,
    ClearBin,
    LightBin,
    PrintLabel,
    RaiseDeviation,
    RequestResend,
    ReturnToStock,
)
from sequencer.core import Sequencer, SequencerError
from sequencer.events import (
    AcknowledgeAlarm,
    BinConfirmed,
    BroadcastReceived,
    CancelVehicle,
    ConfirmByHand,
    HoldVehicle,
    InsertBroadcast,
    LabelPrinted,
    MoveVehicle,
    RackShipped,
    ReleaseVehicle,
    ReprintLabel,
    RequestResendByHand,
    ResolveDeviation,
    ShelveAlarm,
    SwapVehicles,
    Tick,
)
from tests.plants import demo_plant

BASIC = ("S1", "P040")


def bc(seq, at=0.0, options=BASIC, function="original", firm=True, vin=None):
    return BroadcastReceived(
        at=at, feed="L1", seq=seq, vehicle_id=vin or f"VIN{seq:05d}", options=options, function=function, firm=firm
    )


def of(kind, commands):
    return [c for c in commands if isinstance(c, kind)]


def kinds(commands, *only):
    return [c.kind for c in of(RaiseDeviation, commands) if not only or c.kind in only]


def plant_with(**feed_changes):
    plant = demo_plant()
    feed = plant.feeds[0].model_copy(update=feed_changes)
    return plant.model_copy(update={"feeds": (feed,)})


@pytest.fixture
def core():
    return Sequencer(demo_plant())


def confirm(core, station="ST-SEAT", at=1.0):
    st = core.state.stations[station]
    pick = core.state.picks[st.lit]
    return core.handle(BinConfirmed(at=at, station=station, bin=pick.bin, token=pick.pick_id))


def seat_pick(core, seq):
    return next(
        p for p in core.state.picks.values() if p.seq == seq and p.family == "seats" and p.status != "cancelled"
    )


# -- message functions -----------------------------------------------------------------------------------------
def test_change_after_pick_sends_the_part_back_and_repicks_into_the_same_slot(core):
    core.handle(bc(1))
    confirm(core)
    old = seat_pick(core, 1)
    cmds = core.handle(bc(1, options=("S3", "P040"), function="change"))
    (back,) = of(ReturnToStock, cmds)
    assert (back.part, back.slot) == ("SEAT-CLOTH-BLK", old.slot)
    new = seat_pick(core, 1)
    assert (new.part, new.rack_no, new.slot, new.status) == ("SEAT-SPORT-RED", old.rack_no, old.slot, "lit")
    assert set(kinds(cmds)) == {"change", "return_to_stock"}


def test_change_after_ship_is_a_deviation_only(core):
    for seq in range(1, 7):
        core.handle(bc(seq))
    for _ in range(6):
        for c in of(PrintLabel, confirm(core)):
            core.handle(LabelPrinted(at=2, label_id=c.label.label_id))
    assert core.state.racks[("L1", "seats", 1)].labelled
    core.handle(RackShipped(at=3, feed="L1", family="seats", rack_no=1))
    cmds = core.handle(bc(3, options=("S3", "P040"), function="change"))
    assert "change_after_ship" in kinds(cmds)
    assert not of(ReturnToStock, cmds)


def test_cancel_before_pick_blanks_the_slot_and_lights_the_next(core):
    core.handle(bc(1))
    core.handle(bc(2, options=("S3", "P040")))
    cmds = core.handle(bc(1, function="cancel"))
    assert of(ClearBin, cmds)[0].bin == "SEAT-01"
    assert [(c.bin, c.seq) for c in of(LightBin, cmds) if c.station == "ST-SEAT"] == [("SEAT-04", 2)]
    assert 1 in core.state.racks[("L1", "seats", 1)].done


def test_hold_takes_picks_out_and_release_puts_them_back_in_sequence(core):
    core.handle(bc(1))
    core.handle(bc(2, options=("S3", "P040")))
    held = core.handle(bc(1, function="hold"))
    assert kinds(held) == ["hold"]
    assert core.state.picks[core.state.stations["ST-SEAT"].lit].seq == 2
    released = core.handle(bc(1, function="release"))
    assert core.state.deviations.find("hold", feed="L1", seq=1).state is AlarmState.RTN_UNACK
    assert not of(LightBin, released)  # seq 2 is lit; 1 waits its turn (not pre-empting the lit pick)
    confirm(core)
    assert core.state.picks[core.state.stations["ST-SEAT"].lit].seq == 1


def test_forecast_is_never_picked_and_the_firm_call_supersedes_it(core):
    assert core.handle(bc(1, firm=False)) == []
    assert core.state.feeds["L1"].forecast == {"VIN00001": ("SEAT-CLOTH-BLK", "BMP-040")}
    assert not core.state.picks
    core.handle(bc(1))
    assert core.state.feeds["L1"].forecast == {}
    assert core.state.deviations.counts["forecast_superseded"] == 1
    assert len(core.state.picks) == 2


@pytest.mark.parametrize(
    ("reaction", "old_status", "new_status"),
    [
        ("flag", "open", "open"),
        ("move", "cancelled", "open"),
        ("hold", "open", "held"),
    ],
)
def test_resequenced_vehicle_reaction_is_per_feed(reaction, old_status, new_status):
    core = Sequencer(plant_with(on_out_of_order=reaction))
    core.handle(bc(1, vin="WVWZZZ1KZAP000001"))
    core.handle(bc(2))
    cmds = core.handle(bc(3, vin="WVWZZZ1KZAP000001"))
    assert "resequenced" in kinds(cmds)
    feed = core.state.feeds["L1"]
    assert (feed.vehicles[0].status, feed.vehicles[2].status) == (old_status, new_status)


# -- time --------------------------------------------------------------------------------------------------
def test_silence_alarm_after_the_configured_takts_and_cleared_by_the_next_broadcast():
    core = Sequencer(plant_with(takt_s=60, silence_takts=5))
    core.handle(bc(1, at=0))
    assert kinds(core.handle(Tick(at=299)), "silence") == []
    assert kinds(core.handle(Tick(at=301)), "silence") == ["silence"]
    assert kinds(core.handle(Tick(at=400)), "silence") == []  # raised once
    core.handle(bc(2, at=401))
    (dev,) = [d for d in core.state.deviations.open_deviations() if d.kind == "silence"]
    assert not dev.active


def test_pick_timeout_raises_once_and_clears_on_the_confirm(core):
    core.handle(bc(1, at=0))
    limit = core.state.stations["ST-SEAT"].cfg.pick_timeout_s
    assert kinds(core.handle(Tick(at=limit + 1))).count("pick_timeout") == 2  # both stations
    confirm(core, at=limit + 2)
    assert core.state.stations["ST-SEAT"].timeout_dev is None


def test_due_time_escalates_warning_alarm_late():
    core = Sequencer(plant_with(lead_time_s=3600, warn_before_due_s=1800, alarm_before_due_s=600))
    core.handle(bc(1, at=0))
    late = ("late_warning", "late_alarm", "late")
    assert kinds(core.handle(Tick(at=1799)), *late) == []
    assert set(kinds(core.handle(Tick(at=1800)), *late)) == {"late_warning"}
    assert set(kinds(core.handle(Tick(at=3000)), *late)) == {"late_alarm"}
    assert set(kinds(core.handle(Tick(at=3600)), *late)) == {"late"}
    with pytest.raises(SequencerError, match="not closed"):
        core.handle(RackShipped(at=3601, feed="L1", family="seats", rack_no=1))


# -- manual operations -------------------------------------------------------------------------------------
def test_every_manual_operation_is_audited_with_user_and_reason(core):
    core.handle(bc(1))
    cmds = core.handle(HoldVehicle(at=1, user="lead1", reason="paint defect", feed="L1", seq=1))
    (audit,) = of(AuditRecord, cmds)
    assert (audit.user, audit.action, audit.target, audit.reason) == ("lead1", "HoldVehicle", "L1 1", "paint defect")
    cmds = core.handle(ReleaseVehicle(at=2, user="lead1", reason="repaired", feed="L1", seq=1))
    assert of(AuditRecord, cmds)


def test_manual_operation_without_a_reason_is_refused_and_changes_nothing(core):
    core.handle(bc(1))
    before = core.fingerprint()
    with pytest.raises(SequencerError, match="reason"):
        core.handle(CancelVehicle(at=1, user="lead1", reason=" ", feed="L1", seq=1))
    assert core.fingerprint() == before


def test_wrong_pick_needs_a_correction_by_a_person(core):
    core.handle(bc(1))
    cmds = core.handle(BinConfirmed(at=1, station="ST-SEAT", bin="SEAT-04"))
    dev_id = of(RaiseDeviation, cmds)[0].deviation_id
    with pytest.raises(SequencerError, match="blocked"):
        core.handle(ConfirmByHand(at=2, user="lead1", reason="device", station="ST-SEAT"))
    fixed = core.handle(ResolveDeviation(at=3, user="lead1", reason="wrong seat put back", deviation_id=dev_id))
    assert [(c.bin, c.alarm) for c in of(LightBin, fixed)] == [("SEAT-01", False)]
    assert of(PrintLabel, confirm(core, at=4))


def test_confirm_by_hand_picks_the_lit_bin(core):
    core.handle(bc(1))
    cmds = core.handle(ConfirmByHand(at=1, user="lead1", reason="light 1 broken", station="ST-SEAT"))
    assert of(PrintLabel, cmds)
    assert "manual_confirm" in kinds(cmds)


def test_reprint_is_explicit_and_counted(core):
    core.handle(bc(1))
    label_id = of(PrintLabel, confirm(core))[0].label.label_id
    with pytest.raises(SequencerError, match="waiting for the printer"):
        core.handle(ReprintLabel(at=2, user="op1", reason="smudged", label_id=label_id))
    core.handle(LabelPrinted(at=2, label_id=label_id))
    cmds = core.handle(ReprintLabel(at=3, user="op1", reason="smudged", label_id=label_id))
    (again,) = of(PrintLabel, cmds)
    assert again.label.reprint == 1
    assert kinds(cmds) == ["reprint"]


def test_insert_by_hand_is_a_broadcast_with_an_audit(core):
    cmds = core.handle(
        InsertBroadcast(at=1, user="lead1", reason="feed down", feed="L1", seq=7, vehicle_id="V7", options=BASIC)
    )
    assert of(LightBin, cmds)
    assert of(AuditRecord, cmds)[0].action == "InsertBroadcast"


def test_request_resend_by_hand(core):
    cmds = core.handle(RequestResendByHand(at=1, user="lead1", reason="check", feed="L1", from_seq=5, to_seq=9))
    assert of(RequestResend, cmds) == [RequestResend(feed="L1", from_seq=5, to_seq=9)]


def test_move_into_a_gap_fills_it(core):
    core.handle(bc(1))
    core.handle(bc(4))  # 2 and 3 missing
    core.handle(bc(5, options=("S3", "P040")))
    cmds = core.handle(MoveVehicle(at=2, user="lead1", reason="repair loop", feed="L1", seq=5, to_seq=2))
    assert of(AuditRecord, cmds)
    assert core.state.feeds["L1"].vehicles[1].vehicle_id == "VIN00005"
    assert 1 not in core.state.feeds["L1"].missing


def test_swap_exchanges_two_places(core):
    core.handle(bc(1))
    core.handle(bc(2))
    core.handle(bc(3, options=("S3", "P040")))
    core.handle(SwapVehicles(at=2, user="lead1", reason="OEM reorder", feed="L1", seq=2, other_seq=3))
    vehicles = core.state.feeds["L1"].vehicles
    assert (vehicles[1].vehicle_id, vehicles[2].vehicle_id) == ("VIN00003", "VIN00002")
    assert seat_pick(core, 2).part == "SEAT-SPORT-RED"


def test_acknowledge_and_shelve_follow_the_alarm_table(core):
    core.handle(bc(1))
    core.handle(bc(4))
    gap = core.state.deviations.find("gap", feed="L1", seq=2)
    core.handle(AcknowledgeAlarm(at=1, user="lead1", reason="", deviation_id=gap.deviation_id))
    assert gap.state is AlarmState.ACKED
    core.handle(
        ShelveAlarm(at=2, user="lead1", reason="OEM says resend later", deviation_id=gap.deviation_id, until=100)
    )
    assert gap.state is AlarmState.SHELVED
    core.handle(Tick(at=101))
    assert gap.state is AlarmState.UNACK  # shelving expired, the gap is still there
    with pytest.raises(SequencerError):
        core.handle(ShelveAlarm(at=102, user="lead1", reason="x", deviation_id=gap.deviation_id, until=50))


def test_resolving_a_gap_by_hand_blanks_its_slots(core):
    core.handle(bc(1))
    core.handle(bc(3))
    gap = core.state.deviations.find("gap", feed="L1", seq=2)
    core.handle(ResolveDeviation(at=1, user="lead1", reason="OEM: number never used", deviation_id=gap.deviation_id))
    assert 2 in core.state.racks[("L1", "seats", 1)].done
    assert gap.deviation_id not in core.state.deviations.by_id


def test_events_are_frozen_values():
    with pytest.raises(dataclasses.FrozenInstanceError):
        bc(1).seq = 2  # type: ignore[misc]


# -- plant shapes ------------------------------------------------------------------------------------------
def test_several_feeds_each_with_its_own_modulus():
    plant = demo_plant()
    l2 = plant.feeds[0].model_copy(update={"id": "L2", "modulus": 65536})
    core = Sequencer(plant.model_copy(update={"feeds": (plant.feeds[0], l2)}))
    for seq in (65533, 65534, 65535, 0, 1):
        cmds = core.handle(BroadcastReceived(at=seq, feed="L2", seq=seq, vehicle_id=f"B{seq}", options=BASIC))
        assert kinds(cmds) == [], seq
    core.handle(BroadcastReceived(at=9, feed="L1", seq=9998, vehicle_id="A1", options=BASIC))
    cmds = core.handle(BroadcastReceived(at=10, feed="L2", seq=3, vehicle_id="B3", options=BASIC))  # 2 missing
    assert [(c.feed, c.from_seq, c.to_seq) for c in of(RequestResend, cmds)] == [("L2", 2, 2)]
    assert core.state.feeds["L1"].gaps == 0


def test_reverse_load_numbers_slots_backwards():
    plant = demo_plant()
    seats = plant.families[0].model_copy(update={"reverse_load": True})
    core = Sequencer(plant.model_copy(update={"families": (seats, *plant.families[1:])}))
    for seq in range(1, 4):
        core.handle(bc(seq))
    assert [seat_pick(core, s).slot for s in (1, 2, 3)] == [6, 5, 4]


def test_a_late_broadcast_for_a_closed_rack_proposes_a_fix(core):
    core.handle(bc(1))
    core.handle(bc(3))  # 2 missing
    gap = core.state.deviations.find("gap", feed="L1", seq=2)
    core.handle(ResolveDeviation(at=1, user="lead1", reason="OEM: not coming", deviation_id=gap.deviation_id))
    for seq in range(4, 7):
        core.handle(bc(seq))
    for _ in range(5):
        confirm(core)
    assert core.state.racks[("L1", "seats", 1)].closed
    (dev,) = [d for d in core.state.deviations.open_deviations() if d.kind == "late_broadcast"] or [None]
    assert dev is None
    cmds = core.handle(bc(2))
    assert kinds(cmds) == ["late_broadcast"]
    assert "proposed fix" in core.state.deviations.by_id[of(RaiseDeviation, cmds)[0].deviation_id].message
