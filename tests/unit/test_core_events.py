"""The rulebook, one event at a time: for every event type the core takes, what it does.

One test per event type (``test_every_event_type_has_its_test`` keeps it so), on the demo plant, asserting
through the commands ``handle`` returns and what the screens see (``sequencer.testing.view``). The rules in
depth are in the other ``test_core_*`` files; the deviations each rule raises are catalogued in
``test_core_deviations``.
"""

from __future__ import annotations

import re
import sys

import pytest

from sequencer.alarms import AlarmState
from sequencer.commands import (
    AuditRecord,
    ClearBin,
    ClearDeviation,
    LightBin,
    PrintLabel,
    RaiseDeviation,
    RequestResend,
    ReturnToStock,
    SendShipNotice,
    VehicleCompleted,
)
from sequencer.core import SequencerError
from sequencer.events import (
    EVENT_TYPES,
    AcknowledgeAlarm,
    BinConfirmed,
    BroadcastRejected,
    CancelShipNotice,
    CancelVehicle,
    ConfirmByHand,
    CorrectShippedRack,
    DeviceLinkChanged,
    DiskSpaceChanged,
    GatewayRefused,
    HoldVehicle,
    InsertBroadcast,
    JournalWriteChanged,
    LabelPrinted,
    LabelSending,
    LabelSerialsReserved,
    LabelUncertain,
    LineStatusReported,
    MoveVehicle,
    PrinterFaultChanged,
    QuarantineFlood,
    RackLabelScanned,
    RackShipped,
    ReleaseVehicle,
    RemoveAlarmFromService,
    ReprintLabel,
    RequestResendByHand,
    ResendShipNotice,
    ResolveDeviation,
    ReturnAlarmToService,
    SetBinStock,
    SetLineStatus,
    ShelveAlarm,
    ShipNoticeAnswered,
    ShipNoticeSending,
    ShipRackByHand,
    StockSet,
    SuppressAlarm,
    SwapVehicles,
    Tick,
    UnsuppressAlarm,
)
from sequencer.labels import PartLabel
from sequencer.plant import PlantConfig, ShipNoticeConfig
from sequencer.testing import (
    BUMPERS,
    SEAT_CLOTH,
    SEATS,
    SPORT_RED,
    broadcast,
    by_hand,
    fed,
    first_seat_rack_full,
    kinds,
    lit,
    of,
    open_deviations,
    pick_and_print,
    press_lit,
    station_view,
    view,
    with_feed,
    with_stock,
)
from tests.plants import demo_plant


@pytest.fixture
def plant() -> PlantConfig:
    return demo_plant()


def test_every_event_type_has_its_test() -> None:
    module = sys.modules[__name__]
    for name in EVENT_TYPES:
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        assert hasattr(module, f"test_{snake}"), f"no test_{snake} for {name}"


# -- from the OEM and the service's intake ---------------------------------------------------------------------
def test_broadcast_received(plant: PlantConfig) -> None:
    """A firm broadcast for a new vehicle lights one bin per family at the stations, in sequence order."""
    core = fed(plant)
    commands = core.handle(broadcast(10))
    assert {(c.station, c.bin, c.seq) for c in of(LightBin, commands)} == {
        (SEATS, "SEAT-01", 10),
        (BUMPERS, "BMP-01", 10),
    }
    assert not of(RaiseDeviation, commands)
    (feed,) = view(core).feeds
    assert (feed.last_seq, feed.broadcasts, feed.gaps) == (10, 1, 0)


def test_broadcast_rejected(plant: PlantConfig) -> None:
    """Input the service quarantined is a deviation naming the quarantine entry: unknown feed, or malformed."""
    core = fed(plant)
    unknown = core.handle(BroadcastRejected(at=1, reason="no such feed", feed="L9", seq=4, quarantine_id=3))
    bad = core.handle(BroadcastRejected(at=2, reason="bad UNT segment count", feed="L1", quarantine_id=4))
    assert kinds(unknown) + kinds(bad) == ["unknown_feed", "malformed"]
    assert [d.message for d in open_deviations(core, "malformed")] == ["quarantined #4: bad UNT segment count"]


def test_gateway_refused(plant: PlantConfig) -> None:
    """A broadcast the service refused for its gateway (not allowed for the feed) is an ``unauthorised`` deviation
    naming the quarantine entry; nothing of it reaches the line."""
    core = fed(plant, broadcast(1))
    reason = "gateway key Rogue... may not publish feed L1"
    commands = core.handle(GatewayRefused(at=2, feed="L1", gateway="Rogue...", reason=reason, seq=2, quarantine_id=9))
    assert kinds(commands) == ["unauthorised"]
    assert [d.message for d in open_deviations(core, "unauthorised")] == [f"quarantined #9: {reason}"]
    assert core.state.feeds["L1"].last_seq == 1


def test_quarantine_flood(plant: PlantConfig) -> None:
    """The service's summary of a source's input it counted without storing: counted on the source's one flood
    alarm, which it starts if the source was not flooding."""
    core = fed(plant)
    first = core.handle(QuarantineFlood(at=5, source="feed", count=700, size=7000, reason="not JSON", quarantine_id=3))
    again = core.handle(QuarantineFlood(at=65, source="feed", count=300, size=3000, reason="not JSON", quarantine_id=4))
    assert kinds(first) == ["quarantine_flood"] and kinds(again) == []
    (flood,) = open_deviations(core, "quarantine_flood")
    assert flood.message.startswith("feed: 1000 refused inputs") and flood.station == "feed"


# -- from the stations' lights and the printers ----------------------------------------------------------------
def test_bin_confirmed(plant: PlantConfig) -> None:
    """A press on the lit bin picks it: the light clears, its part label prints, the next vehicle's bin lights."""
    core = fed(plant, broadcast(1), broadcast(2, options=SPORT_RED))
    commands = press_lit(core)
    assert [c.bin for c in of(ClearBin, commands)] == ["SEAT-01"]
    (label,) = [c.label for c in of(PrintLabel, commands)]
    assert isinstance(label, PartLabel)
    assert (label.seq, label.part, label.vehicle_id, label.slot) == (1, "SEAT-CLOTH-BLK", "VIN00001", 1)
    assert [(c.bin, c.seq) for c in of(LightBin, commands)] == [("SEAT-04", 2)]
    assert (lit(core).seq, lit(core).state) == (2, "lit")


def test_part_scanned() -> None:
    """A scan of the lit pick's part on a scan-only family picks it and traces its batch to the vehicle and slot
    (every outcome: tests/unit/test_scanning_rules.py)."""
    from sequencer.commands import PartTraced
    from sequencer.events import PartScanned
    from tests.unit.test_scanning_rules import scan_plant

    core = fed(scan_plant(), broadcast(1))
    commands = core.handle(PartScanned(at=1, station=BUMPERS, code="PBMP-040+HB2024X", raw="", source="test"))
    (traced,) = of(PartTraced, commands)
    assert (traced.vehicle_id, traced.part, traced.batch, traced.slot) == ("VIN00001", "BMP-040", "B2024X", 1)
    assert [c.bin for c in of(ClearBin, commands)] == ["BMP-01"]


def test_scan_part() -> None:
    """An operator's hand scanner at the panel is a reader's read, audited under their name; an empty or unknown
    station's scan is refused."""
    from sequencer.commands import AuditRecord, PartTraced
    from sequencer.core import SequencerError
    from sequencer.events import ScanPart
    from tests.unit.test_scanning_rules import scan_plant

    core = fed(scan_plant(), broadcast(1))
    commands = core.handle(by_hand(ScanPart, station=BUMPERS, code="PBMP-040+HB2024X", reason="hand scanner"))
    (traced,) = of(PartTraced, commands)
    assert (traced.vehicle_id, traced.batch) == ("VIN00001", "B2024X")
    (audit,) = of(AuditRecord, commands)
    assert audit.user == "lead1"
    for bad in ({"station": "ST-NONE", "code": "X"}, {"station": BUMPERS, "code": ""}):
        with pytest.raises(SequencerError):
            core.handle(by_hand(ScanPart, reason="hand scanner", **bad))


def test_label_printed(plant: PlantConfig) -> None:
    """A vehicle completes when its last part label prints: every part picked and labelled."""
    core = fed(plant, broadcast(1))
    labels = [c.label.label_id for station in (SEATS, BUMPERS) for c in of(PrintLabel, press_lit(core, station))]
    assert not of(VehicleCompleted, core.handle(LabelPrinted(at=2, label_id=labels[0])))
    done = of(VehicleCompleted, core.handle(LabelPrinted(at=2, label_id=labels[1])))
    assert [(d.seq, d.vehicle_id) for d in done] == [(1, "VIN00001")]
    assert view(core).counters.vehicles_completed == 1
    assert core.handle(LabelPrinted(at=3, label_id=labels[1])) == []  # reported twice: counted once
    assert view(core).counters.labels_printed == 2


def test_label_sending(plant: PlantConfig) -> None:
    """Write-ahead: ``LabelSending`` marks the current reprint as gone to the printer; printed or uncertain clears
    it; a label that is not waiting to print (or another reprint of it) is refused, so its driver drops it."""
    core = fed(plant, broadcast(1))
    (label,) = [c.label for c in of(PrintLabel, press_lit(core))]
    assert not core.label_left(label.label_id)  # asked for, still in the service: a restart sends it again
    with pytest.raises(SequencerError):
        core.handle(LabelSending(at=2.0, label_id=label.label_id, reprint=1))
    core.handle(LabelSending(at=2.0, label_id=label.label_id, reprint=0))
    assert core.label_left(label.label_id)  # may have printed: a restart makes it uncertain
    core.handle(LabelPrinted(at=3.0, label_id=label.label_id))
    assert not core.label_left(label.label_id) and not core.pending_labels()
    with pytest.raises(SequencerError):
        core.handle(LabelSending(at=4.0, label_id=label.label_id, reprint=0))  # printed: its driver drops it


def test_label_serials_reserved(plant: PlantConfig) -> None:
    """A block of label serials: labels take theirs from it (supplier no. + 10 digits); a block not beyond every
    block before it is refused, so a serial is never issued twice."""
    core = fed(plant, LabelSerialsReserved(at=0, first=500, last=599), broadcast(1))
    (label,) = [c.label for c in of(PrintLabel, press_lit(core))]
    assert label.serial == "4711000000000500"  # [labels] supplier + 10 digits
    with pytest.raises(SequencerError, match="not beyond"):
        core.handle(LabelSerialsReserved(at=2, first=599, last=700))
    core.handle(LabelSerialsReserved(at=2, first=600, last=700))
    assert core.state.serial_next == 600


def test_label_uncertain(plant: PlantConfig) -> None:
    """A label that may or may not have printed is never sent again on its own: a person decides; once found on
    its part (the deviation resolved) it counts as printed."""
    core = fed(plant, broadcast(1))
    (label,) = [c.label for c in of(PrintLabel, press_lit(core))]
    raised = core.handle(LabelUncertain(at=2, label_id=label.label_id, reason="link lost mid-job"))
    assert kinds(raised) == ["label_uncertain"] and not of(PrintLabel, raised)
    assert not core.pending_labels()  # not resent after a restart either
    assert core.handle(LabelUncertain(at=3, label_id=label.label_id)) == []  # one deviation is enough
    (dev,) = open_deviations(core, "label_uncertain")
    core.handle(by_hand(ResolveDeviation, at=4, reason="label is on the seat", deviation_id=dev.id))
    assert view(core).counters.labels_printed == 1


def test_device_link_changed(plant: PlantConfig) -> None:
    """A device going offline shows down at once and raises one alarm once it has been down for the on-delay
    (3 s); back, it shows up at once and its alarm returns after the off-delay (5 s), waiting for acknowledgement.
    Shorter than the on-delay it is only counted (``test_core_alarm_points``)."""
    core = fed(plant)
    down = core.handle(DeviceLinkChanged(at=1, device="ptl-seat", up=False, detail="timeout"))
    again = core.handle(DeviceLinkChanged(at=2, device="ptl-seat", up=False, detail="timeout"))
    assert down == [] and again == []
    assert [d.up for d in view(core).devices if d.name == "ptl-seat"] == [False]
    assert kinds(core.handle(Tick(at=4))) == ["device_offline"]
    core.handle(DeviceLinkChanged(at=10, device="ptl-seat", up=True))
    assert [d.up for d in view(core).devices if d.name == "ptl-seat"] == [True]
    assert [d.state for d in view(core).deviations] == [AlarmState.UNACK.value]
    core.handle(Tick(at=15))
    assert [d.state for d in view(core).deviations] == [AlarmState.RTN_UNACK.value]


def test_journal_write_changed(plant: PlantConfig) -> None:
    """A journal that refuses a write raises one P1 ``journal_failed`` alarm at once (the line is paused: nothing
    acknowledged); failing again while it is open raises nothing new; written again, the alarm returns and stays
    listed until acknowledged; a second pause lands on the same alarm while it is still listed."""
    core = fed(plant)
    failed = core.handle(JournalWriteChanged(at=1, ok=False, detail="database or disk is full"))
    assert kinds(failed) == ["journal_failed"] and of(RaiseDeviation, failed)[0].priority == 1
    assert core.handle(JournalWriteChanged(at=2, ok=False, detail="database or disk is full")) == []
    core.handle(JournalWriteChanged(at=3, ok=True))
    assert [(d.kind, d.state) for d in view(core).deviations] == [("journal_failed", AlarmState.RTN_UNACK.value)]
    core.handle(JournalWriteChanged(at=4, ok=False))
    assert [(d.kind, d.state) for d in view(core).deviations] == [("journal_failed", AlarmState.UNACK.value)]


def test_disk_space_changed(plant: PlantConfig) -> None:
    """The database's folder filling: ``low`` a P3 alarm, ``critical`` a P2 one (the low one returns), back to
    ``ok`` both return; one alarm per level and folder."""
    core = fed(plant)
    low = core.handle(DiskSpaceChanged(at=1, folder="/data", level="low", free_mb=1500))
    assert kinds(low) == ["disk_space_low"] and of(RaiseDeviation, low)[0].priority == 3
    critical = core.handle(DiskSpaceChanged(at=2, folder="/data", level="critical", free_mb=400))
    assert kinds(critical) == ["disk_space_critical"] and of(RaiseDeviation, critical)[0].priority == 2
    states = {d.kind: (d.state, d.station) for d in view(core).deviations}
    assert states == {
        "disk_space_low": (AlarmState.RTN_UNACK.value, "/data"),
        "disk_space_critical": (AlarmState.UNACK.value, "/data"),
    }
    core.handle(DiskSpaceChanged(at=3, folder="/data", level="ok", free_mb=9000))
    assert {d.state for d in view(core).deviations} == {AlarmState.RTN_UNACK.value}


def test_printer_fault_changed(plant: PlantConfig) -> None:
    """A printer's faults show it down at once and raise one alarm after the on-delay (2 s); an empty fault set
    shows it up and returns the alarm after the off-delay (2 s)."""
    core = fed(plant)
    assert core.handle(PrinterFaultChanged(at=1, device="zebra-1", faults=("paper out",))) == []
    assert core.handle(PrinterFaultChanged(at=2, device="zebra-1", faults=("paper out", "head open"))) == []
    assert [d.up for d in view(core).devices if d.name == "zebra-1"] == [False]
    assert kinds(core.handle(Tick(at=3))) == ["printer_fault"]
    core.handle(PrinterFaultChanged(at=4, device="zebra-1"))
    assert [d.up for d in view(core).devices if d.name == "zebra-1"] == [True]
    core.handle(Tick(at=6))
    (dev,) = open_deviations(core, "printer_fault")
    assert (dev.message, dev.active) == ("zebra-1: paper out", False)


# -- from the dock and the clock -------------------------------------------------------------------------------
def test_rack_shipped(plant: PlantConfig) -> None:
    """Only a closed rack ships, once; after that a change for its vehicles is a deviation only."""
    with pytest.raises(SequencerError, match="not closed"):
        fed(plant, broadcast(1)).handle(RackShipped(at=1, feed="L1", family="seats", rack_no=1))
    core = first_seat_rack_full(plant)
    assert core.handle(RackShipped(at=20, feed="L1", family="seats", rack_no=1)) == []
    with pytest.raises(SequencerError, match="already shipped"):
        core.handle(RackShipped(at=21, feed="L1", family="seats", rack_no=1))
    commands = core.handle(broadcast(3, at=22, options=SPORT_RED, function="change"))
    assert "change_after_ship" in kinds(commands) and not of(ReturnToStock, commands)


def test_tick() -> None:
    """Time passes: a rack's due time escalates warning -> alarm -> late, each raised once."""
    core = fed(
        with_feed(demo_plant(), lead_time_s=3600, warn_before_due_s=1800, alarm_before_due_s=600), broadcast(1, at=0)
    )
    late = ("late_warning", "late_alarm", "late")
    assert kinds(core.handle(Tick(at=1799)), *late) == []
    assert set(kinds(core.handle(Tick(at=1800)), *late)) == {"late_warning"}
    assert set(kinds(core.handle(Tick(at=3000)), *late)) == {"late_alarm"}
    assert set(kinds(core.handle(Tick(at=3600)), *late)) == {"late"}
    assert kinds(core.handle(Tick(at=3700)), *late) == []


# -- a person's intents ----------------------------------------------------------------------------------------
def test_hold_vehicle(plant: PlantConfig) -> None:
    """Every manual operation is audited with who and why; a hold takes the vehicle's picks out of the line."""
    core = fed(plant, broadcast(1), broadcast(2, options=SPORT_RED))
    commands = core.handle(by_hand(HoldVehicle, reason="paint defect", feed="L1", seq=1))
    (audit,) = of(AuditRecord, commands)
    assert (audit.user, audit.action, audit.target, audit.reason) == ("lead1", "HoldVehicle", "L1 1", "paint defect")
    assert kinds(commands) == ["hold"]
    assert lit(core).seq == 2


def test_release_vehicle(plant: PlantConfig) -> None:
    """A released vehicle's picks go back in sequence order, behind the pick that is lit now."""
    core = fed(plant, broadcast(1), broadcast(2, options=SPORT_RED))
    core.handle(by_hand(HoldVehicle, feed="L1", seq=1))
    commands = core.handle(by_hand(ReleaseVehicle, at=2, reason="repaired", feed="L1", seq=1))
    assert of(AuditRecord, commands) and not of(LightBin, commands)  # seq 2 is lit; 1 waits its turn
    assert [p.seq for p in station_view(core).next] == [1]
    assert [d.state for d in open_deviations(core, "hold")] == [AlarmState.RTN_UNACK.value]
    press_lit(core, at=3)
    assert lit(core).seq == 1


def test_cancel_vehicle(plant: PlantConfig) -> None:
    """A cancelled vehicle's picked parts go back to stock and its slots are blank."""
    core = fed(plant, broadcast(1))
    pick_and_print(core)
    commands = core.handle(by_hand(CancelVehicle, at=3, reason="order withdrawn", feed="L1", seq=1))
    (back,) = of(ReturnToStock, commands)
    assert (back.part, back.slot, back.bin) == ("SEAT-CLOTH-BLK", 1, "SEAT-01")
    assert [c.bin for c in of(ClearBin, commands)] == ["BMP-01"]  # the bumper was lit, not picked
    assert core.vehicle_statuses()["cancelled"] == 1


def test_move_vehicle(plant: PlantConfig) -> None:
    """A vehicle moved into a gap fills it (the gap's alarm clears) and is picked in its new place."""
    core = fed(plant, broadcast(1), broadcast(4), broadcast(5, options=SPORT_RED))  # 2 and 3 missing
    commands = core.handle(by_hand(MoveVehicle, at=2, reason="repair loop", feed="L1", seq=5, to_seq=2))
    assert of(AuditRecord, commands)
    assert [(p.seq, p.vehicle_id) for p in station_view(core).next] == [(2, "VIN00005"), (4, "VIN00004")]
    (gap,) = open_deviations(core, "gap")
    assert gap.active  # 3 is still missing


def test_swap_vehicles(plant: PlantConfig) -> None:
    """Two vehicles not yet picked exchange their places."""
    core = fed(plant, broadcast(1), broadcast(2), broadcast(3, options=SPORT_RED))
    core.handle(by_hand(SwapVehicles, at=2, reason="OEM reorder", feed="L1", seq=2, other_seq=3))
    assert [(p.seq, p.vehicle_id, p.part) for p in station_view(core).next] == [
        (2, "VIN00003", "SEAT-SPORT-RED"),
        (3, "VIN00002", "SEAT-CLOTH-BLK"),
    ]


def test_insert_broadcast(plant: PlantConfig) -> None:
    """A broadcast keyed in by hand (the feed is down) is sequenced like one from the feed, and audited."""
    commands = fed(plant).handle(
        by_hand(InsertBroadcast, reason="feed down", feed="L1", seq=7, vehicle_id="V7", options=SEAT_CLOTH)
    )
    assert {c.seq for c in of(LightBin, commands)} == {7}
    assert of(AuditRecord, commands)[0].action == "InsertBroadcast"


def test_request_resend_by_hand(plant: PlantConfig) -> None:
    commands = fed(plant).handle(by_hand(RequestResendByHand, reason="check", feed="L1", from_seq=5, to_seq=9))
    assert of(RequestResend, commands) == [RequestResend(feed="L1", from_seq=5, to_seq=9)]


def test_reprint_label(plant: PlantConfig) -> None:
    """A reprint is explicit, numbered and counted, and only of a label that has printed."""
    core = fed(plant, broadcast(1))
    label_id = of(PrintLabel, press_lit(core))[0].label.label_id
    with pytest.raises(SequencerError, match="waiting for the printer"):
        core.handle(by_hand(ReprintLabel, at=2, reason="smudged", label_id=label_id))
    core.handle(LabelPrinted(at=2, label_id=label_id))
    commands = core.handle(by_hand(ReprintLabel, at=3, reason="smudged", label_id=label_id))
    (again,) = of(PrintLabel, commands)
    assert (again.label.label_id, again.label.reprint) == (label_id, 1)
    assert kinds(commands) == ["reprint"]


def test_confirm_by_hand(plant: PlantConfig) -> None:
    """A lead confirms the lit pick of a station whose light failed: picked, labelled, and a deviation says so."""
    core = fed(plant, broadcast(1))
    commands = core.handle(by_hand(ConfirmByHand, reason="light 1 broken", station=SEATS))
    assert of(PrintLabel, commands)
    assert "manual_confirm" in kinds(commands)


def test_resolve_deviation(plant: PlantConfig) -> None:
    """A wrong pick blocks its station until a person corrects it (a confirm by hand is refused meanwhile)."""
    core = fed(plant, broadcast(1))
    dev_id = of(RaiseDeviation, core.handle(BinConfirmed(at=1, station=SEATS, bin="SEAT-04")))[0].deviation_id
    with pytest.raises(SequencerError, match="blocked"):
        core.handle(by_hand(ConfirmByHand, at=2, reason="device", station=SEATS))
    fixed = core.handle(by_hand(ResolveDeviation, at=3, reason="wrong seat put back", deviation_id=dev_id))
    assert [(c.bin, c.alarm) for c in of(LightBin, fixed)] == [("SEAT-01", False)]
    assert not open_deviations(core, "wrong_pick")
    assert of(PrintLabel, press_lit(core, at=4))


def test_acknowledge_alarm(plant: PlantConfig) -> None:
    """An acknowledged alarm whose cause is still there stays listed, steady; acknowledged again is refused."""
    core = fed(plant, broadcast(1), broadcast(4))
    (gap,) = open_deviations(core, "gap")
    core.handle(by_hand(AcknowledgeAlarm, reason="", deviation_id=gap.id))
    assert [d.state for d in open_deviations(core, "gap")] == [AlarmState.ACKED.value]
    with pytest.raises(SequencerError):
        core.handle(by_hand(AcknowledgeAlarm, at=2, reason="", deviation_id=gap.id))


def test_shelve_alarm(plant: PlantConfig) -> None:
    """A shelved alarm comes back when its shelving expires, if its cause is still there."""
    core = fed(plant, broadcast(1), broadcast(4))
    (gap,) = open_deviations(core, "gap")
    core.handle(by_hand(ShelveAlarm, at=2, reason="OEM says resend later", deviation_id=gap.id, until=100))
    assert [(d.state, d.shelved_until) for d in open_deviations(core, "gap")] == [(AlarmState.SHELVED.value, 100)]
    core.handle(Tick(at=101))
    assert [d.state for d in open_deviations(core, "gap")] == [AlarmState.UNACK.value]
    with pytest.raises(SequencerError, match="future"):
        core.handle(by_hand(ShelveAlarm, at=102, reason="x", deviation_id=gap.id, until=50))


def test_suppress_alarm(plant: PlantConfig) -> None:
    """Suppressed by design: still listed, no longer unacknowledged, and it stays so when its cause goes."""
    core = fed(plant, broadcast(1), broadcast(4))
    (gap,) = open_deviations(core, "gap")
    commands = core.handle(by_hand(SuppressAlarm, at=2, reason="line stopped for the shift", deviation_id=gap.id))
    assert [(a.action, a.target) for a in of(AuditRecord, commands)] == [("SuppressAlarm", f"deviation {gap.id}")]
    core.handle(broadcast(2, at=3))
    core.handle(broadcast(3, at=4))
    assert [(d.state, d.active) for d in open_deviations(core, "gap")] == [(AlarmState.SUPPRESSED.value, False)]
    with pytest.raises(SequencerError, match="cannot acknowledge an alarm that is suppressed"):
        core.handle(by_hand(AcknowledgeAlarm, at=5, reason="", deviation_id=gap.id))


def test_unsuppress_alarm(plant: PlantConfig) -> None:
    """Unsuppressed with its cause still there, the alarm is unacknowledged again; twice is refused."""
    core = fed(plant, broadcast(1), broadcast(4))
    (gap,) = open_deviations(core, "gap")
    core.handle(by_hand(SuppressAlarm, at=2, reason="line stopped", deviation_id=gap.id))
    core.handle(by_hand(UnsuppressAlarm, at=3, reason="line runs again", deviation_id=gap.id))
    assert [d.state for d in open_deviations(core, "gap")] == [AlarmState.UNACK.value]
    with pytest.raises(SequencerError, match="cannot unsuppress"):
        core.handle(by_hand(UnsuppressAlarm, at=4, reason="again", deviation_id=gap.id))


def test_remove_alarm_from_service(plant: PlantConfig) -> None:
    """Out of service for maintenance: listed, not annunciated, and it needs a reason like every operation."""
    core = fed(plant, broadcast(1), broadcast(4))
    (gap,) = open_deviations(core, "gap")
    with pytest.raises(SequencerError, match="reason"):
        core.handle(by_hand(RemoveAlarmFromService, at=2, reason=" ", deviation_id=gap.id))
    core.handle(by_hand(RemoveAlarmFromService, at=2, reason="gateway swapped", deviation_id=gap.id))
    assert [d.state for d in open_deviations(core, "gap")] == [AlarmState.OUT_OF_SERVICE.value]


def test_return_alarm_to_service(plant: PlantConfig) -> None:
    """Returned to service after its cause went: the alarm closes (nothing is left to acknowledge)."""
    core = fed(plant, broadcast(1), broadcast(4))
    (gap,) = open_deviations(core, "gap")
    core.handle(by_hand(RemoveAlarmFromService, at=2, reason="gateway swapped", deviation_id=gap.id))
    core.handle(broadcast(2, at=3))
    core.handle(broadcast(3, at=4))
    commands = core.handle(by_hand(ReturnAlarmToService, at=5, reason="gateway back", deviation_id=gap.id))
    assert [c.deviation_id for c in of(ClearDeviation, commands)] == [gap.id]
    assert not open_deviations(core, "gap")


def test_ship_rack_by_hand(plant: PlantConfig) -> None:
    """A lead ships a closed rack by hand: as the dock's scan would, audited."""
    core = first_seat_rack_full(plant)
    commands = core.handle(by_hand(ShipRackByHand, at=20, reason="scanner down", feed="L1", family="seats", rack_no=1))
    assert [c.target for c in of(AuditRecord, commands)] == ["rack L1/seats/1"]
    with pytest.raises(SequencerError, match="already shipped"):
        core.handle(RackShipped(at=21, feed="L1", family="seats", rack_no=1))


# -- ship notices (in depth: tests/unit/test_ship_notice_rules.py) ------------------------------------------------
def _notices(plant: PlantConfig) -> PlantConfig:
    return plant.model_copy(update={"ship_notices": ShipNoticeConfig()})


def test_rack_label_scanned(plant: PlantConfig) -> None:
    """The dock scans a closed rack's label: the rack ships, and with [ship_notices] its notice is asked for."""
    core = first_seat_rack_full(_notices(plant))
    (notice,) = of(SendShipNotice, core.handle(RackLabelScanned(at=20, label_id="R-L1-seats-1", dock="D04")))
    assert (notice.notice_id, notice.function, len(notice.items)) == ("L1-seats-1", "original", 6)


def test_ship_notice_sending(plant: PlantConfig) -> None:
    """The notice's leaving is journaled: the notice is sent; an older version's row is refused."""
    core = first_seat_rack_full(_notices(plant))
    core.handle(RackShipped(at=20, feed="L1", family="seats", rack_no=1))
    core.handle(ShipNoticeSending(at=21, notice_id="L1-seats-1", version=1, format="desadv"))
    assert core.state.notices["L1-seats-1"].state == "sent"
    with pytest.raises(SequencerError, match="not the newest"):
        core.handle(ShipNoticeSending(at=22, notice_id="L1-seats-1", version=0))


def test_ship_notice_answered(plant: PlantConfig) -> None:
    """The OEM's answer: accepted, or rejected as a deviation; an unknown notice is refused."""
    core = first_seat_rack_full(_notices(plant))
    core.handle(RackShipped(at=20, feed="L1", family="seats", rack_no=1))
    assert kinds(core.handle(ShipNoticeAnswered(at=21, notice_id="L1-seats-1", version=1, accepted=False))) == [
        "notice_rejected"
    ]
    with pytest.raises(SequencerError, match="not awaited"):
        core.handle(ShipNoticeAnswered(at=22, notice_id="L1-seats-9", version=1, accepted=True))


def test_cancel_ship_notice(plant: PlantConfig) -> None:
    """A lead calls a shipment off: its notice is cancelled (a new version, BGM 1), audited."""
    core = first_seat_rack_full(_notices(plant))
    core.handle(RackShipped(at=20, feed="L1", family="seats", rack_no=1))
    commands = core.handle(by_hand(CancelShipNotice, at=21, feed="L1", family="seats", rack_no=1))
    assert [(n.version, n.function) for n in of(SendShipNotice, commands)] == [(2, "cancel")]
    assert [c.target for c in of(AuditRecord, commands)] == ["ship notice L1-seats-1"]


def test_resend_ship_notice(plant: PlantConfig) -> None:
    """A lead sends a rejected notice again: a new version with the same function and contents, audited."""
    core = first_seat_rack_full(_notices(plant))
    core.handle(RackShipped(at=20, feed="L1", family="seats", rack_no=1))
    core.handle(ShipNoticeAnswered(at=21, notice_id="L1-seats-1", version=1, accepted=False, reason="bad"))
    commands = core.handle(by_hand(ResendShipNotice, at=22, feed="L1", family="seats", rack_no=1))
    assert [(n.version, n.function) for n in of(SendShipNotice, commands)] == [(2, "original")]
    assert [c.target for c in of(AuditRecord, commands)] == ["ship notice L1-seats-1"]


def test_correct_shipped_rack(plant: PlantConfig) -> None:
    """A lead corrects a slot of a shipped rack: its notice is replaced (BGM 5), audited."""
    core = first_seat_rack_full(_notices(plant))
    core.handle(RackShipped(at=20, feed="L1", family="seats", rack_no=1))
    op = by_hand(CorrectShippedRack, at=21, feed="L1", family="seats", rack_no=1, slot=4, part="SEAT-LEATH-BLK")
    commands = core.handle(op)
    (notice,) = of(SendShipNotice, commands)
    assert (notice.function, [i.part for i in notice.items if i.slot == 4]) == ("replace", ["SEAT-LEATH-BLK"])
    assert [c.target for c in of(AuditRecord, commands)] == ["ship notice L1-seats-1 slot 4"]


def test_stock_set(plant: PlantConfig) -> None:
    """A replenishment scan counts a kept bin; a bin whose stock is not kept is refused."""
    core = fed(with_stock(plant, capacity=20, low=2, initial=1))
    core.handle(StockSet(at=1, bin="SEAT-01", qty=20, source="scanner-1"))
    assert next(b.stock for b in station_view(core).bins if b.id == "SEAT-01") == 20
    with pytest.raises(SequencerError, match="no stock is kept"):
        core.handle(StockSet(at=2, bin="BMP-01", qty=3, source="scanner-1"))


def test_set_bin_stock(plant: PlantConfig) -> None:
    """A lead counts a bin by hand: audited, naming the bin and the stock before and after."""
    core = fed(with_stock(plant, capacity=20, low=2))
    commands = core.handle(by_hand(SetBinStock, bin="SEAT-03", qty=2))
    assert [c.target for c in of(AuditRecord, commands)] == ["bin SEAT-03 20 -> 2"]
    assert kinds(commands) == ["low_stock"]


def test_line_status_reported(plant: PlantConfig) -> None:
    """The OEM's line reports it stands: an ``oem_line_stopped`` condition; running again clears it."""
    core = fed(plant, broadcast(1))
    assert kinds(core.handle(LineStatusReported(at=10, feed="L1", state="stopped"))) == ["oem_line_stopped"]
    assert core.handle(LineStatusReported(at=11, feed="L1", state="stopped")) == []  # a repeat changes nothing
    core.handle(LineStatusReported(at=70, feed="L1", state="running"))
    (returned,) = open_deviations(core, "oem_line_stopped")
    assert returned.state == AlarmState.RTN_UNACK


def test_set_line_status(plant: PlantConfig) -> None:
    """A lead says the OEM's line stopped: the same rule, audited; saying it twice is refused."""
    core = fed(plant, broadcast(1))
    commands = core.handle(by_hand(SetLineStatus, at=5, feed="L1", state="stopped"))
    assert kinds(commands) == ["oem_line_stopped"]
    assert [c.target for c in of(AuditRecord, commands)] == ["L1 line stopped"]
    with pytest.raises(SequencerError, match="stopped already"):
        core.handle(by_hand(SetLineStatus, at=6, feed="L1", state="stopped"))
