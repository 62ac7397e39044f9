"""On-delay, off-delay and chattering of the alarms devices report (``sequencer.alarm_points``), table-driven
through ``Sequencer.handle`` on the demo plant with the core's default timings: ``device_offline`` 3 s on, 5 s off;
``printer_fault`` 2 s on, 2 s off; chattering at 3 activations within 60 s.

Each case is a script of reports, ticks and a person's intents (plant seconds); the test checks the deviations
raised on the way, what the screens list at the end, and what was only counted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from sequencer.alarms import AlarmState
from sequencer.commands import AlarmStateChanged, Command, RaiseDeviation
from sequencer.core import Sequencer
from sequencer.deviations import KINDS
from sequencer.events import (
    AcknowledgeAlarm,
    DeviceLinkChanged,
    Event,
    PrinterFaultChanged,
    RemoveAlarmFromService,
    ResolveDeviation,
    ReturnAlarmToService,
    ShelveAlarm,
    SuppressAlarm,
    Tick,
)
from sequencer.plant import PlantConfig, parse_plant
from sequencer.testing import by_hand, kinds, of, view
from tests.plants import DEMO_PLANT, demo_plant

LINK, PRINTER = "ptl-seat", "zebra-1"
POINT_KINDS = ("device_offline", "printer_fault", "chattering")
U, A, R = AlarmState.UNACK.value, AlarmState.ACKED.value, AlarmState.RTN_UNACK.value
SUP, OOS, SHELVED = AlarmState.SUPPRESSED.value, AlarmState.OUT_OF_SERVICE.value, AlarmState.SHELVED.value


def newest_alarm(core: Sequencer, kind: str = "device_offline") -> int:
    return max(d.id for d in view(core).deviations if d.kind == kind)


# What each word of a script does at a plant time.
STEPS: dict[str, Callable[[Sequencer, float], Event]] = {
    "down": lambda core, at: DeviceLinkChanged(at=at, device=LINK, up=False, detail="timeout"),
    "up": lambda core, at: DeviceLinkChanged(at=at, device=LINK, up=True),
    "fault": lambda core, at: PrinterFaultChanged(at=at, device=PRINTER, faults=("paper out",)),
    "ok": lambda core, at: PrinterFaultChanged(at=at, device=PRINTER),
    "tick": lambda core, at: Tick(at=at),
    "ack": lambda core, at: by_hand(AcknowledgeAlarm, at=at, reason="", deviation_id=newest_alarm(core)),
    "resolve": lambda core, at: by_hand(ResolveDeviation, at=at, deviation_id=newest_alarm(core)),
    "shelve": lambda core, at: by_hand(ShelveAlarm, at=at, deviation_id=newest_alarm(core), until=at + 900),
    "suppress": lambda core, at: by_hand(SuppressAlarm, at=at, deviation_id=newest_alarm(core)),
    "out of service": lambda core, at: by_hand(RemoveAlarmFromService, at=at, deviation_id=newest_alarm(core)),
    "back in service": lambda core, at: by_hand(ReturnAlarmToService, at=at, deviation_id=newest_alarm(core)),
}


def blips(*starts: float, what: tuple[str, str] = ("down", "up"), length: float = 0.05) -> list[tuple[str, float]]:
    """A report that goes again ``length`` seconds later, at each of ``starts``."""
    return [step for t in starts for step in ((what[0], t), (what[1], t + length))]


@dataclass(frozen=True)
class Case:
    script: list[tuple[str, float]]
    raised: list[str]  # RaiseDeviation kinds, in order, over the whole script
    listed: list[tuple[str, str, bool]]  # (kind, state, active) of the device alarms listed at the end, oldest first
    counted: dict[str, int] = field(default_factory=dict)  # count-only kinds


CASES: dict[str, Case] = {
    # -- on-delay --
    "a 50 ms link blip is counted, never listed": Case(
        [("down", 0), ("up", 0.05), ("tick", 10)], raised=[], listed=[], counted={"link_blip": 1}
    ),
    "down for just under the on-delay": Case(
        [("down", 0), ("tick", 1), ("tick", 2.99), ("up", 2.999), ("tick", 10)],
        raised=[], listed=[], counted={"link_blip": 1},
    ),
    "down for the on-delay: annunciated on the tick that sees it": Case(
        [("down", 0), ("tick", 2.9), ("tick", 3.0)], raised=["device_offline"], listed=[("device_offline", U, True)]
    ),
    "down past the on-delay with no tick between: annunciated by the up report, then the off-delay": Case(
        [("down", 0), ("up", 4), ("tick", 8.9)], raised=["device_offline"], listed=[("device_offline", U, True)]
    ),
    "repeated down reports do not restart the on-delay": Case(
        [("down", 0), ("down", 2), ("tick", 3)], raised=["device_offline"], listed=[("device_offline", U, True)]
    ),
    # -- off-delay --
    "back for the off-delay: returned, waiting for acknowledgement": Case(
        [("down", 0), ("tick", 3), ("up", 10), ("tick", 14.9), ("tick", 15)],
        raised=["device_offline"], listed=[("device_offline", R, False)],
    ),
    "acknowledged, then back for the off-delay: closed": Case(
        [("down", 0), ("tick", 3), ("ack", 4), ("up", 10), ("tick", 15)], raised=["device_offline"], listed=[]
    ),
    "down again within the off-delay: the same alarm carries on": Case(
        [("down", 0), ("tick", 3), ("up", 10), ("down", 12), ("tick", 20), ("up", 30), ("tick", 34)],
        raised=["device_offline"], listed=[("device_offline", U, True)],
    ),
    # -- the next activation of the same device --
    "down again after it returned: the same alarm blinks again after the on-delay": Case(
        [("down", 0), ("tick", 3), ("up", 10), ("tick", 15), ("down", 20), ("tick", 22), ("tick", 23)],
        raised=["device_offline"], listed=[("device_offline", U, True)],
    ),
    "a blip after it returned is counted and leaves it returned": Case(
        [("down", 0), ("tick", 3), ("up", 10), ("tick", 15), ("down", 20), ("up", 20.05), ("tick", 30)],
        raised=["device_offline"], listed=[("device_offline", R, False)], counted={"link_blip": 1},
    ),
    "resolved by a person while down: nothing new until it goes down again": Case(
        [("down", 0), ("tick", 3), ("resolve", 4), ("tick", 10), ("up", 12), ("tick", 20), ("down", 30),
         ("tick", 33)],
        raised=["device_offline", "device_offline"], listed=[("device_offline", U, True)],
    ),
    # -- chattering --
    "three blips within a minute: chattering": Case(
        blips(0, 10, 20), raised=["chattering"], listed=[("chattering", U, True)], counted={"link_blip": 3}
    ),
    "chattering clears after a quiet minute": Case(
        [*blips(0, 10, 20), ("tick", 80.0), ("tick", 80.1)],
        raised=["chattering"], listed=[("chattering", R, False)], counted={"link_blip": 3},
    ),
    "three blips spread over more than a minute: not chattering": Case(
        [*blips(0, 40, 80), ("tick", 200)], raised=[], listed=[], counted={"link_blip": 3}
    ),
    "chattering again after it calmed down: the same deviation": Case(
        [*blips(0, 10, 20), ("tick", 81), *blips(100, 110, 120)],
        raised=["chattering"], listed=[("chattering", U, True)], counted={"link_blip": 6},
    ),
    "outages long enough to show count too: alarm and chattering": Case(
        [("down", 0), ("up", 4), ("down", 6), ("up", 10), ("down", 12), ("tick", 20)],
        raised=["device_offline", "chattering"], listed=[("device_offline", U, True), ("chattering", U, True)],
    ),
    # -- a person parked the device's alarm --
    "suppressed: it stays suppressed however often the device goes and comes": Case(
        [("down", 0), ("tick", 3), ("suppress", 4), ("up", 10), ("tick", 20), *blips(30, 40, 50), ("down", 60),
         ("tick", 70)],
        raised=["device_offline"], listed=[("device_offline", SUP, True)], counted={"link_blip": 3},
    ),
    "out of service: quiet, no chattering, and back in service it is unacknowledged if still down": Case(
        [("down", 0), ("tick", 3), ("out of service", 4), ("up", 10), *blips(20, 25, 30), ("down", 40),
         ("tick", 45), ("back in service", 50)],
        raised=["device_offline"], listed=[("device_offline", U, True)], counted={"link_blip": 3},
    ),
    "shelved: a new outage lands on the shelved alarm": Case(
        [("down", 0), ("tick", 3), ("shelve", 4), ("up", 10), ("tick", 20), ("down", 30), ("tick", 40)],
        raised=["device_offline"], listed=[("device_offline", SHELVED, True)],
    ),
    # -- a printer's faults: 2 s on, 2 s off --
    "a printer's fault gone within its on-delay is counted": Case(
        [("fault", 0), ("ok", 1.5), ("tick", 10)], raised=[], listed=[], counted={"printer_fault_blip": 1}
    ),
    "a printer's fault for its on-delay, then healthy for its off-delay": Case(
        [("fault", 0), ("tick", 2), ("ok", 5), ("tick", 6.9), ("tick", 7)],
        raised=["printer_fault"], listed=[("printer_fault", R, False)],
    ),
    "a printer offline and faulted: two conditions, two alarms": Case(
        [("fault", 0), ("down", 0), ("tick", 3), ("up", 4), ("tick", 9)],
        raised=["printer_fault", "device_offline"], listed=[("printer_fault", U, True), ("device_offline", R, False)],
    ),
}  # fmt: skip


def run(script: list[tuple[str, float]], plant: PlantConfig | None = None) -> tuple[Sequencer, list[Command]]:
    core = Sequencer(plant or demo_plant())
    commands: list[Command] = []
    for what, at in script:
        commands += core.handle(STEPS[what](core, at))
    return core, commands


@pytest.mark.parametrize("name", list(CASES))
def test_alarm_timing(name: str) -> None:
    case = CASES[name]
    core, commands = run(case.script)
    assert kinds(commands) == case.raised
    listed = sorted((d for d in view(core).deviations if d.kind in POINT_KINDS), key=lambda d: d.id)
    assert [(d.kind, d.state, d.active) for d in listed] == case.listed
    counts = core.state.deviations.counts
    assert {k: counts[k] for k, spec in KINDS.items() if spec.count_only and counts[k]} == case.counted


def test_no_p1_for_a_blip_shorter_than_the_on_delay_however_many() -> None:
    core, commands = run([*blips(*range(0, 600, 7)), ("tick", 700)])
    assert not [c for c in of(RaiseDeviation, commands) if c.priority == 1]
    assert core.state.deviations.counts["link_blip"] == len(range(0, 600, 7))


def test_the_device_shows_down_at_once_while_its_alarm_waits_for_the_on_delay() -> None:
    core, _ = run([("down", 0), ("fault", 0), ("tick", 1)])
    assert {d.name: d.up for d in view(core).devices} == {"ptl-seat": False, "ptl-bump": True, "zebra-1": False}
    assert [d.kind for d in view(core).deviations] == []


def test_a_returned_alarm_that_blinks_again_says_so_and_raises_nothing_new() -> None:
    core, _ = run([("down", 0), ("tick", 3), ("up", 10), ("tick", 15), ("down", 20)])
    commands = core.handle(Tick(at=23))
    assert not of(RaiseDeviation, commands)
    assert [c.state for c in of(AlarmStateChanged, commands)] == [U]


def test_the_same_events_give_the_same_state_and_an_event_refused_changes_nothing() -> None:
    script = [*blips(0, 10, 20), ("down", 30), ("tick", 34), ("suppress", 35), ("up", 40), ("tick", 41)]
    first, _ = run(script)
    second, _ = run(script)
    assert first.fingerprint() == second.fingerprint()
    before = first.fingerprint()
    with pytest.raises(Exception, match="cannot acknowledge an alarm that is suppressed"):
        first.handle(STEPS["ack"](first, 50))
    assert first.fingerprint() == before


PLANT_OVERRIDE = """
[alarms.device_offline]
on_delay_s = 0
off_delay_s = 0
chatter_count = 0

[alarms.printer_fault]
on_delay_s = 10
"""


def test_the_plant_file_overrides_a_kinds_timing() -> None:
    plant = parse_plant(DEMO_PLANT.read_text() + PLANT_OVERRIDE)
    core, commands = run([*blips(0, 10, 20), ("fault", 30), ("tick", 39), ("tick", 40)], plant)
    assert kinds(commands) == ["device_offline", "printer_fault"]  # the first blip at once; no chattering
    (link,) = [d for d in view(core).deviations if d.kind == "device_offline"]
    assert (link.state, link.active) == (R, False)  # returned at once; the later blips blinked the same alarm
    assert core.state.deviations.counts["link_blip"] == 0
