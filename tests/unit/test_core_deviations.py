"""The catalogue of deviations: every kind in ``sequencer.deviations.KINDS`` raised by a real scenario.

Each scenario drives a core on the demo plant and returns the commands of the event that raised the deviation;
the test checks the ``RaiseDeviation`` among them and what the screens list (kind, priority, whether its cause is
still there). A kind added to the table without a scenario here fails ``test_every_kind_has_a_scenario``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sequencer.alarms import AlarmState
from sequencer.commands import Command, RaiseDeviation
from sequencer.core import Sequencer
from sequencer.deviations import KINDS
from sequencer.events import (
    BinConfirmed,
    BroadcastRejected,
    ConfirmByHand,
    DeviceLinkChanged,
    DiskLevel,
    DiskSpaceChanged,
    GatewayRefused,
    JournalWriteChanged,
    LabelPrinted,
    LabelUncertain,
    LineStatusReported,
    PrinterFaultChanged,
    RackShipped,
    ReprintLabel,
    ShipNoticeAnswered,
    Tick,
)
from sequencer.floods import FLOODS
from sequencer.plant import ShipNoticeConfig
from sequencer.testing import (
    NO_SEAT,
    SEAT_CLOTH,
    SEATS,
    SPORT_RED,
    broadcast,
    by_hand,
    fed,
    first_seat_rack_full,
    lit,
    of,
    open_deviations,
    press_lit,
    with_feed,
    with_stock,
)
from tests.plants import demo_plant

Scenario = Callable[[], tuple[Sequencer, list[Command]]]
LATE = {"lead_time_s": 3600, "warn_before_due_s": 1800, "alarm_before_due_s": 600}


def gap() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(1))
    return core, core.handle(broadcast(4))  # 2 and 3 missing


def wrong_pick() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(1))
    return core, core.handle(BinConfirmed(at=1, station=SEATS, bin="SEAT-02"))


def device_offline() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), DeviceLinkChanged(at=1, device="ptl-seat", up=False, detail="timeout"))
    return core, core.handle(Tick(at=4))  # past its on-delay (3 s)


def journal_failed() -> tuple[Sequencer, list[Command]]:
    core = Sequencer(demo_plant())
    return core, core.handle(JournalWriteChanged(at=1, ok=False, detail="attempt to write a readonly database"))


def disk_space(level: DiskLevel) -> Scenario:
    def scenario() -> tuple[Sequencer, list[Command]]:
        core = Sequencer(demo_plant())
        return core, core.handle(DiskSpaceChanged(at=1, folder="/var/lib/jis", level=level, free_mb=100.0))

    return scenario


def printer_fault() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), PrinterFaultChanged(at=1, device="zebra-1", faults=("paper out",)))
    return core, core.handle(Tick(at=3))  # past its on-delay (2 s)


def link_blip() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), DeviceLinkChanged(at=1, device="ptl-seat", up=False, detail="timeout"))
    return core, core.handle(DeviceLinkChanged(at=1.05, device="ptl-seat", up=True))


def printer_fault_blip() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), PrinterFaultChanged(at=1, device="zebra-1", faults=("head open",)))
    return core, core.handle(PrinterFaultChanged(at=1.5, device="zebra-1"))


def chattering() -> tuple[Sequencer, list[Command]]:
    core = Sequencer(demo_plant())
    for at in (1.0, 11.0):
        core.handle(DeviceLinkChanged(at=at, device="ptl-seat", up=False, detail="timeout"))
        core.handle(DeviceLinkChanged(at=at + 0.05, device="ptl-seat", up=True))
    return core, core.handle(DeviceLinkChanged(at=21, device="ptl-seat", up=False, detail="timeout"))


def label_uncertain() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(1))
    (label,) = [c.label for c in press_lit(core) if hasattr(c, "label")]
    return core, core.handle(LabelUncertain(at=2, label_id=label.label_id, reason="link lost mid-job"))


def late_level(at: float) -> Scenario:
    def scenario() -> tuple[Sequencer, list[Command]]:
        core = fed(with_feed(demo_plant(), **LATE), broadcast(1, at=0))
        for earlier in (1800.0, 3000.0, 3600.0):  # the levels before this one
            if earlier < at:
                core.handle(Tick(at=earlier))
        return core, core.handle(Tick(at=at))

    return scenario


def oem_line_stopped() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(1, at=0))
    return core, core.handle(LineStatusReported(at=10, feed="L1", state="stopped"))


def line_too_fast() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(1, at=0))  # takt 60 s: picking keeps up with 60 an hour
    return core, core.handle(LineStatusReported(at=10, feed="L1", state="running", rate_per_h=75))


def change_after_ship() -> tuple[Sequencer, list[Command]]:
    core = first_seat_rack_full(demo_plant())
    core.handle(RackShipped(at=20, feed="L1", family="seats", rack_no=1))
    return core, core.handle(broadcast(3, at=21, options=SPORT_RED, function="change"))


def silence() -> tuple[Sequencer, list[Command]]:
    core = fed(with_feed(demo_plant(), takt_s=60, silence_takts=5), broadcast(1, at=0))
    return core, core.handle(Tick(at=301))


def pick_timeout() -> tuple[Sequencer, list[Command]]:
    plant = demo_plant()
    core = fed(plant, broadcast(1, at=0))
    return core, core.handle(Tick(at=plant.stations[0].pick_timeout_s + 1))


def low_stock() -> tuple[Sequencer, list[Command]]:
    core = fed(with_stock(demo_plant(), capacity=10, low=3, initial=4), broadcast(1))
    return core, press_lit(core)


def starvation() -> tuple[Sequencer, list[Command]]:
    core = Sequencer(with_stock(demo_plant(), capacity=10, low=0, initial=1, alarm_s=300))
    return core, core.handle(broadcast(1)) + core.handle(broadcast(2))


def unresolved() -> tuple[Sequencer, list[Command]]:
    core = Sequencer(demo_plant())
    return core, core.handle(broadcast(1, options=NO_SEAT))


def resequenced() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(1, vin="WVWZZZ1KZAP000001"), broadcast(2))
    return core, core.handle(broadcast(3, vin="WVWZZZ1KZAP000001"))


def unknown_feed() -> tuple[Sequencer, list[Command]]:
    core = Sequencer(demo_plant())
    return core, core.handle(broadcast(1, feed="L9"))


def malformed() -> tuple[Sequencer, list[Command]]:
    core = Sequencer(demo_plant())
    return core, core.handle(BroadcastRejected(at=1, reason="bad UNT segment count", quarantine_id=7))


def quarantine_flood() -> tuple[Sequencer, list[Command]]:
    core = Sequencer(demo_plant())
    for n in range(FLOODS["malformed"].count - 1):
        core.handle(BroadcastRejected(at=1 + n, reason="not JSON", quarantine_id=n + 1, source="feed"))
    return core, core.handle(BroadcastRejected(at=9, reason="not JSON", quarantine_id=9, source="feed"))


def change() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(5))
    return core, core.handle(broadcast(5, options=SPORT_RED))


def cancel() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(5))
    return core, core.handle(broadcast(5, function="cancel"))


def late_broadcast() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(9999), broadcast(0), broadcast(1))
    return core, core.handle(broadcast(9500))  # behind across the wrap: never taken as a jump forward


def implausible() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(1))
    return core, core.handle(broadcast(5001))  # 5000 ahead: a phantom, not a gap of 4999


def unauthorised() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(1))
    refused = GatewayRefused(at=2, feed="L1", gateway="rogue", reason="gateway key rogue may not publish L1", seq=2)
    return core, core.handle(refused)


def return_to_stock() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(1))
    press_lit(core)
    return core, core.handle(broadcast(1, options=SPORT_RED, function="change"))


def hold() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(1))
    return core, core.handle(broadcast(1, function="hold"))


def unknown_option() -> tuple[Sequencer, list[Command]]:
    core = Sequencer(demo_plant())
    return core, core.handle(broadcast(1, options=(*SEAT_CLOTH, "XYZ")))


def stale_confirm() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(1), broadcast(2))
    first = lit(core)
    press_lit(core)
    return core, core.handle(BinConfirmed(at=2, station=SEATS, bin=first.bin, token=first.pick_id))


def reprint() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(1))
    (label,) = [c.label for c in press_lit(core) if hasattr(c, "label")]
    core.handle(LabelPrinted(at=2, label_id=label.label_id))
    return core, core.handle(by_hand(ReprintLabel, at=3, reason="smudged", label_id=label.label_id))


def manual_confirm() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(1))
    return core, core.handle(by_hand(ConfirmByHand, reason="light 1 broken", station=SEATS))


def duplicate() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(5))
    return core, core.handle(broadcast(5))


def forecast_superseded() -> tuple[Sequencer, list[Command]]:
    core = fed(demo_plant(), broadcast(1, firm=False))
    return core, core.handle(broadcast(1))


def _shipped_with_notice() -> Sequencer:
    core = first_seat_rack_full(demo_plant().model_copy(update={"ship_notices": ShipNoticeConfig(ack_timeout_s=60)}))
    core.handle(RackShipped(at=20, feed="L1", family="seats", rack_no=1))
    return core


def notice_rejected() -> tuple[Sequencer, list[Command]]:
    core = _shipped_with_notice()
    return core, core.handle(ShipNoticeAnswered(at=21, notice_id="L1-seats-1", version=1, accepted=False))


def notice_unanswered() -> tuple[Sequencer, list[Command]]:
    core = _shipped_with_notice()
    return core, core.handle(Tick(at=80))


SCENARIOS: dict[str, Scenario] = {
    "notice_rejected": notice_rejected,
    "notice_unanswered": notice_unanswered,
    "gap": gap,
    "wrong_pick": wrong_pick,
    "device_offline": device_offline,
    "printer_fault": printer_fault,
    "label_uncertain": label_uncertain,
    "late": late_level(3600.0),
    "change_after_ship": change_after_ship,
    "journal_failed": journal_failed,
    "disk_space_critical": disk_space("critical"),
    "disk_space_low": disk_space("low"),
    "silence": silence,
    "pick_timeout": pick_timeout,
    "low_stock": low_stock,
    "starvation": starvation,
    "unresolved": unresolved,
    "late_alarm": late_level(3000.0),
    "line_too_fast": line_too_fast,
    "oem_line_stopped": oem_line_stopped,
    "resequenced": resequenced,
    "unknown_feed": unknown_feed,
    "malformed": malformed,
    "quarantine_flood": quarantine_flood,
    "unauthorised": unauthorised,
    "implausible": implausible,
    "change": change,
    "cancel": cancel,
    "late_broadcast": late_broadcast,
    "return_to_stock": return_to_stock,
    "hold": hold,
    "late_warning": late_level(1800.0),
    "unknown_option": unknown_option,
    "stale_confirm": stale_confirm,
    "reprint": reprint,
    "manual_confirm": manual_confirm,
    "duplicate": duplicate,
    "forecast_superseded": forecast_superseded,
    "chattering": chattering,
    "link_blip": link_blip,
    "printer_fault_blip": printer_fault_blip,
}


def test_every_kind_has_a_scenario() -> None:
    assert sorted(SCENARIOS) == sorted(KINDS)


@pytest.mark.parametrize("kind", [k for k, spec in KINDS.items() if not spec.count_only])
def test_each_listed_kind_is_raised_and_shown(kind: str) -> None:
    core, commands = SCENARIOS[kind]()
    spec = KINDS[kind]
    raised = [c for c in of(RaiseDeviation, commands) if c.kind == kind]  # one per rack or station it concerns
    assert raised and {c.priority for c in raised} == {spec.priority}
    shown = {d.id: d for d in open_deviations(core, kind)}
    state = AlarmState.UNACK if spec.condition else AlarmState.RTN_UNACK  # an occurrence: returned at once
    for command in raised:
        listed = shown[command.deviation_id]
        assert (listed.priority, listed.active, listed.state) == (spec.priority, spec.condition, state.value)


@pytest.mark.parametrize("kind", [k for k, spec in KINDS.items() if spec.count_only])
def test_each_counted_kind_is_counted_and_never_listed(kind: str) -> None:
    core, commands = SCENARIOS[kind]()
    assert not of(RaiseDeviation, commands)
    assert not open_deviations(core, kind)
    assert core.state.deviations.counts[kind] == 1  # what the KPIs and the read models count
