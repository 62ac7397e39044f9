"""Hypothesis stateful test of the core's invariants over random event sequences.

A small feed modulus makes wrap-around frequent. Invariants, after every step: a slot never holds two vehicles;
a station never lights two picks; every vehicle is in one known state and a completed one has every part picked
and labelled; only ``SequencerError`` escapes ``handle`` and a refused event changes nothing; at the end a fresh
core fed the accepted events reaches the same state, bit for bit.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from sequencer.core import Sequencer, SequencerError
from sequencer.events import (
    AcknowledgeAlarm,
    BinConfirmed,
    BroadcastReceived,
    CancelVehicle,
    ConfirmByHand,
    DeviceLinkChanged,
    Event,
    HoldVehicle,
    LabelPrinted,
    MoveVehicle,
    PrinterFaultChanged,
    RackShipped,
    ReleaseVehicle,
    RemoveAlarmFromService,
    ReprintLabel,
    ResolveDeviation,
    ReturnAlarmToService,
    ShelveAlarm,
    SuppressAlarm,
    SwapVehicles,
    Tick,
    UnsuppressAlarm,
)
from tests.plants import demo_plant

MODULUS = 40
OPTIONS = [("S1", "P040"), ("S2", "HEAT", "P1A2", "PDC"), ("S3", "P040", "PDC"), ("P040",), ("S2", "XYZ", "P1A2")]
FUNCTIONS = ["original"] * 6 + ["change", "cancel", "hold", "release"]


def small_plant():
    plant = demo_plant()
    feed = plant.feeds[0].model_copy(update={"modulus": MODULUS, "on_out_of_order": "move"})
    return plant.model_copy(update={"feeds": (feed,)})


PLANT = small_plant()


class CoreMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.core = Sequencer(PLANT)
        self.accepted: list[Event] = []
        self.now = 1000.0
        self.last_seq = 0

    def feed(self, event: Event) -> None:
        before = self.core.fingerprint()
        try:
            self.core.handle(event)
        except SequencerError:
            assert self.core.fingerprint() == before, f"refused {event!r} changed the state"
            return
        self.accepted.append(event)

    def tick(self, dt: float) -> float:
        self.now += dt
        return self.now

    @rule(
        step=st.integers(-3, 4),
        options=st.sampled_from(OPTIONS),
        function=st.sampled_from(FUNCTIONS),
        firm=st.booleans(),
        vin=st.integers(0, 30),
        dt=st.floats(0, 120),
    )
    def broadcast(self, step, options, function, firm, vin, dt):
        seq = (self.last_seq + step) % MODULUS
        self.last_seq = max(self.last_seq, self.last_seq + step) % MODULUS if step > 0 else self.last_seq
        self.feed(
            BroadcastReceived(
                at=self.tick(dt),
                feed="L1",
                seq=seq,
                vehicle_id=f"V{vin}",
                options=options,
                function=function,
                firm=firm or function != "original",
            )
        )

    @rule(station=st.sampled_from(["ST-SEAT", "ST-BUMP"]), right=st.booleans(), bin_no=st.integers(1, 4))
    def press(self, station, right, bin_no):
        st_ = self.core.state.stations[station]
        if right and st_.lit is not None:
            pick = self.core.state.picks[st_.lit]
            event = BinConfirmed(at=self.tick(1), station=station, bin=pick.bin, token=pick.pick_id)
        else:
            event = BinConfirmed(at=self.tick(1), station=station, bin=st_.cfg.bins[bin_no - 1].id)
        self.feed(event)

    @rule(data=st.data())
    def print_one(self, data):
        if self.core.state.unprinted:
            label_id = data.draw(st.sampled_from(sorted(self.core.state.unprinted)))
            self.feed(LabelPrinted(at=self.tick(1), label_id=label_id))

    @rule(dt=st.floats(0, 4000))
    def time_passes(self, dt):
        self.feed(Tick(at=self.tick(dt)))

    @rule(data=st.data())
    def ship(self, data):
        ready = sorted(k for k, r in self.core.state.racks.items() if r.closed and not r.shipped)
        if ready:
            feed, family, rack_no = data.draw(st.sampled_from(ready))
            self.feed(RackShipped(at=self.tick(1), feed=feed, family=family, rack_no=rack_no))

    @rule(
        op=st.sampled_from(["hold", "release", "cancel", "move", "swap"]),
        seq=st.integers(0, MODULUS - 1),
        other=st.integers(0, MODULUS - 1),
    )
    def vehicle_op(self, op, seq, other):
        who = {"at": self.tick(1), "user": "lead", "reason": "test", "feed": "L1", "seq": seq}
        event = {
            "hold": lambda: HoldVehicle(**who),
            "release": lambda: ReleaseVehicle(**who),
            "cancel": lambda: CancelVehicle(**who),
            "move": lambda: MoveVehicle(**who, to_seq=other),
            "swap": lambda: SwapVehicles(**who, other_seq=other),
        }[op]()
        self.feed(event)

    @rule(data=st.data(), op=st.sampled_from(["ack", "shelve", "resolve", "suppress", "unsuppress", "oos", "back"]))
    def alarm_op(self, data, op):
        ids = sorted(self.core.state.deviations.by_id)
        dev_id = data.draw(st.sampled_from(ids)) if ids else 999
        who = {"at": self.tick(1), "user": "lead", "reason": "test", "deviation_id": dev_id}
        event = {
            "ack": lambda: AcknowledgeAlarm(**who),
            "shelve": lambda: ShelveAlarm(**who, until=self.now + 600),
            "resolve": lambda: ResolveDeviation(**who),
            "suppress": lambda: SuppressAlarm(**who),
            "unsuppress": lambda: UnsuppressAlarm(**who),
            "oos": lambda: RemoveAlarmFromService(**who),
            "back": lambda: ReturnAlarmToService(**who),
        }[op]()
        self.feed(event)

    @rule(station=st.sampled_from(["ST-SEAT", "ST-BUMP", "NOPE"]))
    def confirm_by_hand(self, station):
        self.feed(ConfirmByHand(at=self.tick(1), user="lead", reason="device", station=station))

    @rule(data=st.data())
    def reprint(self, data):
        label_id = data.draw(st.sampled_from(sorted(self.core.state.labels))) if self.core.state.labels else "none"
        self.feed(ReprintLabel(at=self.tick(1), user="op", reason="smudged", label_id=label_id))

    @rule(device=st.sampled_from(["ptl-seat", "zebra-1"]), up=st.booleans(), dt=st.sampled_from([0.05, 1.0, 4.0]))
    def link(self, device, up, dt):
        self.feed(DeviceLinkChanged(at=self.tick(dt), device=device, up=up))  # blips, and outages past the on-delay

    @rule(faults=st.sampled_from([(), ("paper out",)]), dt=st.sampled_from([0.5, 3.0]))
    def printer(self, faults, dt):
        self.feed(PrinterFaultChanged(at=self.tick(dt), device="zebra-1", faults=faults))

    @invariant()
    def a_device_has_at_most_one_open_alarm_per_kind(self):
        book = self.core.state.deviations
        open_ = Counter(
            (d.kind, d.station) for d in book.by_id.values() if d.kind in ("device_offline", "printer_fault")
        )
        assert all(n == 1 for n in open_.values()), open_

    @invariant()
    def a_slot_never_holds_two_vehicles(self):
        live = Counter(
            (p.feed, p.family, p.rack_no, p.slot) for p in self.core.state.picks.values() if p.status != "cancelled"
        )
        assert all(n == 1 for n in live.values()), live.most_common(3)

    @invariant()
    def a_station_never_lights_two_picks(self):
        for station in self.core.state.stations.values():
            lit = [
                p
                for p in self.core.state.picks.values()
                if p.station == station.cfg.id and p.status in ("lit", "blocked")
            ]
            assert len(lit) <= 1
            assert (station.lit is None) == (not lit)

    @invariant()
    def every_vehicle_is_in_one_known_state(self):
        for vehicle in self.core.state.feeds["L1"].vehicles.values():
            assert vehicle.status in ("open", "held", "cancelled", "completed")
            if vehicle.status == "completed":
                picks = [
                    self.core.state.picks[p] for p in vehicle.picks if self.core.state.picks[p].status != "cancelled"
                ]
                assert all(p.status == "picked" and p.labelled for p in picks)

    @invariant()
    def counters_match_the_vehicles(self):
        assert self.core.state.vehicles_completed == self.core.vehicle_statuses()["completed"]

    def teardown(self):
        replayed = Sequencer(PLANT)
        for event in self.accepted:
            replayed.handle(event)
        assert replayed.fingerprint() == self.core.fingerprint()


CoreMachine.TestCase.settings = settings(
    max_examples=150, stateful_step_count=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestCoreInvariants = CoreMachine.TestCase
