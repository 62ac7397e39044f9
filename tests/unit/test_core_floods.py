"""Flood suppression in the core (``sequencer.floods``, ISA-18.2 alarm floods): a source's refused input collapses
into one alarm with a count, per source, ending after a quiet window and active again on the next flood; the same
events give the same state on replay."""

from __future__ import annotations

from sequencer.alarms import AlarmState
from sequencer.commands import RaiseDeviation
from sequencer.core import Sequencer
from sequencer.events import BroadcastRejected, Event, GatewayRefused, Tick
from sequencer.floods import FLOODS, WINDOW_S
from tests.plants import demo_plant

FREE = FLOODS["malformed"].count - 1  # refusals that raise their own deviation before a flood


def _garbage(n: int, at: float, source: str = "feed") -> BroadcastRejected:
    return BroadcastRejected(at=at, reason="not JSON", quarantine_id=n, source=source)


def _raised(core: Sequencer, events: list[Event]) -> list[str]:
    return [c.kind for e in events for c in core.handle(e) if isinstance(c, RaiseDeviation)]


def test_a_flood_of_100000_bad_frames_is_one_alarm_with_the_count() -> None:
    core = Sequencer(demo_plant())
    raised = _raised(core, [_garbage(n, 1.0 + n * 0.0005) for n in range(100_000)])
    assert raised == ["malformed"] * FREE + ["quarantine_flood"]  # issue 15: about 1,000 alarms before
    (flood,) = [d for d in core.state.deviations.by_id.values() if d.kind == "quarantine_flood"]
    assert flood.message.startswith("feed: 100000 refused inputs") and flood.active
    assert flood.priority == 2


def test_floods_are_per_source_and_a_gateways_refusals_count_too() -> None:
    core = Sequencer(demo_plant())
    _raised(core, [_garbage(n, 1.0 + n * 0.01) for n in range(50)])
    other = _raised(core, [_garbage(100, 2.0, source="gateway Other")])
    assert other == ["malformed"]  # another source is not swallowed by the flood
    refused = [
        GatewayRefused(at=3.0 + n, feed="L1", gateway="Rogue", reason="not its feed", quarantine_id=200 + n)
        for n in range(10)
    ]
    assert _raised(core, list(refused)) == ["unauthorised"] * FREE + ["quarantine_flood"]
    floods = sorted(d.station for d in core.state.deviations.by_id.values() if d.kind == "quarantine_flood")
    assert floods == ["feed", "gateway Rogue"]


def test_a_flood_ends_after_a_quiet_window_and_the_same_alarm_comes_back() -> None:
    core = Sequencer(demo_plant())
    _raised(core, [_garbage(n, 1.0 + n) for n in range(20)])
    (flood,) = [d for d in core.state.deviations.by_id.values() if d.kind == "quarantine_flood"]
    core.handle(Tick(at=20.0 + WINDOW_S - 1))
    assert flood.active  # not quiet for a whole window yet
    core.handle(Tick(at=20.0 + WINDOW_S))
    assert not flood.active and flood.state is AlarmState.RTN_UNACK
    assert _raised(core, [_garbage(n, 200.0 + n) for n in range(FREE + 1)]) == ["malformed"] * FREE
    assert flood.active and flood.state is AlarmState.UNACK  # the same alarm, active again: no second one


def test_floods_replay_to_the_same_state() -> None:
    events: list[Event] = [_garbage(n, 1.0 + n * 0.5, source=f"s{n % 3}") for n in range(60)]
    events += [Tick(at=100.0), Tick(at=200.0), _garbage(99, 201.0)]
    one, two = Sequencer(demo_plant()), Sequencer(demo_plant())
    for e in events:
        one.handle(e)
        two.handle(e)
    assert one.fingerprint() == two.fingerprint()
    assert set(one.state.floods.sources) == {"s0", "s1", "s2", "feed"}  # three returned floods, one source watched
    assert one.fingerprint() != Sequencer(demo_plant()).fingerprint()
