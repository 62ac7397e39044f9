"""Golden replay: seeded event streams give the same commands and the same state fingerprints as recorded.

The fingerprints in ``tests/samples/core_golden.json`` were recorded from the core before it was re-housed as rule
modules (issue 12); a refactor of ``sequencer/`` that is meant to change no behaviour must keep them. Each stream
is fed event by event; after every ``EVERY`` events the test notes the state's fingerprint and a digest of the
events fed and the commands returned (refused events included, as ``refused``), so a difference points at the
stretch of the stream where the behaviour changed.

Streams: the bench's realistic line mix (``app.proof.bench_core.record_stream``: resends, late gaps, changes,
holds, wrong picks, labels, racks shipped and forgotten, ticks) and a seeded chaos driver (below) that uses every
event type, manual operations, label write-ahead and uncertainty, device faults and refused events, on the demo
plant and on a small-modulus plant with each out-of-order reaction, and once with parts of a family the plant does
not build.

Record again (only when a behaviour change is intended): ``.venv/bin/python -m tests.unit.test_core_golden`` (all
streams), or with the names of the streams whose behaviour the change is meant to alter (only those).

Recorded once the core no longer followed the order of a set of family names (which follows the process's hash
seed): the recorded figures are the ones the core gave before that fix under every hash seed that iterates
{"seats", "bumper"} in the plant's order (PYTHONHASHSEED=0, 2, 4-7), and under the other seeds (1, 3) the
old core gave another state from the same events: a replay in another process could number due-time deviations
differently.

Recorded again for issue 14, each time only the streams whose behaviour the change altered by design: the chaos
streams (they report device links and printer faults) when those became alarms only past an on-delay, with an
off-delay, one alarm per device and kind, and chattering detection (the bench streams report no device and
replayed unchanged); then all streams when a rack label began to wait for every part label in its rack (each
first differs at the checkpoint after its first rack closed). The unknown-families stream was added with the fix
for resolving such a part, and recorded then.

Re-recorded for issue 15, the four chaos streams only: their events and commands (every checkpoint's digest) are
as recorded before; their fingerprints changed because the state now remembers the gap positions a lead gave up
on (``Feed.given_up``: a broadcast arriving for one later is late, not a replay of a shipped vehicle), and the
chaos driver resolves gaps. The new plant keys of a feed (gateway keys, the plausible window) stay out of the
config's repr, which the fingerprint hashes, so the bench streams kept theirs.

Both histories met when issue 15's branch was merged onto issue 14's (each had recorded its streams from its own
base): the merged core gives issue 14's recorded digests at every checkpoint of every stream, and its fingerprints
everywhere but for the given-up positions (checked by hashing the state without them). So the bench streams kept
issue 14's recording; the five chaos streams (the unknown-families one, which issue 15's branch did not have, too)
were recorded again for ``Feed.given_up`` alone.

Recorded again for issue 15's quarantine bounds, the five chaos streams only: ``BroadcastRejected`` gained a
``source`` (flood suppression is per source), so the repr of their refused-input events, which the digests hash,
changed; every checkpoint's fingerprint is as recorded before (the streams' refusals name no source, and the flood
state enters the fingerprint only while a source is watched).

Bin stock (issue 18) came after every recording: the streams run on the demo plant without it (``recorded_plant``:
no bin keeps stock, as every plant did when they were recorded), so every checkpoint is as recorded; the stock
rules have their own tests (tests/unit/test_stock.py, tests/unit/test_starvation.py).

Recorded again, every stream, when the core's sentences on a deviation got templates (``sequencer.sentences``):
``RaiseDeviation`` and ``Deviation`` carry the template and its values beside the message, so every digest and
fingerprint from the first deviation on changed; the English messages did not: every ``RaiseDeviation``'s kind and
message over all seven streams (4,519 deviations raised) were compared, old core against new, and were the same.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.proof.bench_core import record_stream
from sequencer.core import Sequencer, SequencerError
from sequencer.events import (
    AcknowledgeAlarm,
    BinConfirmed,
    BroadcastReceived,
    BroadcastRejected,
    CancelVehicle,
    ConfirmByHand,
    DeviceLinkChanged,
    Event,
    HoldVehicle,
    InsertBroadcast,
    LabelPrinted,
    LabelSending,
    LabelUncertain,
    MoveVehicle,
    PrinterFaultChanged,
    RackShipped,
    ReleaseVehicle,
    ReprintLabel,
    RequestResendByHand,
    ResolveDeviation,
    ShelveAlarm,
    ShipRackByHand,
    SwapVehicles,
    Tick,
)
from sequencer.plant import PlantConfig
from sequencer.testing import without_stock
from tests.plants import demo_plant

GOLDEN = Path(__file__).resolve().parents[1] / "samples" / "core_golden.json"
EVERY = 100  # events between checkpoints

GOOD_OPTIONS: list[tuple[str, ...]] = [
    ("S1", "P040"),
    ("S2", "HEAT", "P1A2", "PDC"),
    ("S3", "P040", "PDC"),
    ("S2", "P1A2"),
]
OPTIONS: list[tuple[str, ...]] = [
    *GOOD_OPTIONS * 6,
    ("P040",),  # no seat rule matches: unresolved
    ("S2", "XYZ", "P1A2"),  # an unknown code
    ("S1", "S3", "P040"),  # two seat rules match: unresolved
]
STEPS = [-3, -1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3]
NAMED_PARTS: list[tuple[tuple[str, str], ...]] = [
    (),
    (("seats", "SEAT-SPORT-RED"),),
    (("seats", "BMP-040"),),  # a part of another family: unresolved
]
# A family the plant does not build (resolving its "unresolved" deviation once raised KeyError out of the core):
# its own stream, so the streams recorded before keep their draws.
WITH_UNKNOWN_FAMILY: list[tuple[tuple[str, str], ...]] = [
    *NAMED_PARTS,
    (("doors", "DOOR-LH-01"),),
    (("seats", "SEAT-SPORT-RED"), ("doors", "DOOR-RH-02")),
]
FUNCTIONS = ["original"] * 12 + ["change", "change", "cancel", "hold", "release"]
DEVICES = ["ptl-seat", "ptl-bump", "zebra-1"]
BLOCKING = ("unresolved", "gap", "wrong_pick", "label_uncertain")


def state_of(core: Sequencer) -> Any:
    """Where the driver reads the core's state (the driver's choices depend on it, not its checks)."""
    return core.state


class Chaos:
    """A seeded driver over every event type; its choices read the core's state, so the stream is the same only
    while the core behaves the same."""

    def __init__(
        self, plant: PlantConfig, seed: int, named_parts: list[tuple[tuple[str, str], ...]] | None = None
    ) -> None:
        self.rng = random.Random(seed)
        self.named_parts = named_parts or NAMED_PARTS
        self.core = Sequencer(plant)
        self.plant = plant
        self.feed_cfg = plant.feeds[0]
        self.now = 1_700_000_000.0
        self.last_seq = self.feed_cfg.modulus - 3  # wraps early
        self.vins = 0

    def events(self, count: int) -> Iterator[Event]:
        actions: list[tuple[int, Callable[[], Event]]] = [
            (24, self.broadcast),
            (30, self.press),
            (24, self.label),
            (5, self.tick),
            (6, self.ship),
            (3, self.device),
            (1, self.rejected),
            (6, self.vehicle_op),
            (8, self.alarm_op),
            (4, self.other_op),
        ]
        weights = [w for w, _ in actions]
        for _ in range(count):
            (_, make) = self.rng.choices(actions, weights)[0]
            yield make()

    def at(self, most: float = 5.0) -> float:
        self.now += round(self.rng.uniform(0, most), 3)
        return self.now

    def broadcast(self) -> Event:
        rng, modulus = self.rng, self.feed_cfg.modulus
        step = rng.choice(STEPS)
        seq = (self.last_seq + step) % modulus
        if step > 0:
            self.last_seq = seq
            self.vins += 1
        vin = f"V{self.vins}" if rng.random() > 0.08 else f"V{rng.randint(max(0, self.vins - 30), self.vins)}"
        function = rng.choice(FUNCTIONS)
        feed = self.feed_cfg.id if rng.random() > 0.02 else "L9"
        if rng.random() < 0.01:
            seq = modulus + 5  # outside the ring: refused
        return BroadcastReceived(
            at=self.at(60),
            feed=feed,
            seq=seq,
            vehicle_id=vin,
            options=rng.choice(OPTIONS),
            parts=rng.choice(self.named_parts) if rng.random() < 0.1 else (),
            function=function,  # type: ignore[arg-type]
            firm=rng.random() > 0.05 or function != "original",
        )

    def press(self) -> Event:
        rng, state = self.rng, state_of(self.core)
        name = rng.choice(sorted(state.stations))
        station = state.stations[name]
        roll = rng.random()
        if roll < 0.02:
            return BinConfirmed(at=self.at(), station="NOPE", bin="X")
        if station.lit is not None and roll < 0.9:
            pick = state.picks[station.lit]
            token = pick.pick_id if roll < 0.87 else pick.pick_id + 1  # now and then a stale token
            return BinConfirmed(
                at=self.at(), station=name, bin=pick.bin, token=token, counter=rng.choice([None, rng.randint(0, 99)])
            )
        wrong = rng.choice(station.cfg.bins).id
        return BinConfirmed(at=self.at(), station=name, bin=wrong, counter=rng.choice([None, rng.randint(0, 99)]))

    def label(self) -> Event:
        rng, state = self.rng, state_of(self.core)
        waiting = sorted(state.unprinted)
        known = sorted(state.labels)
        roll = rng.random()
        if waiting and roll < 0.6:
            label_id = rng.choice(waiting)
            reprint = state.unprinted[label_id].label.reprint
            if rng.random() < 0.4:
                return LabelSending(at=self.at(), label_id=label_id, reprint=reprint + (rng.random() < 0.1))
            return LabelPrinted(at=self.at(), label_id=label_id)
        if known and roll < 0.62:
            return LabelUncertain(at=self.at(), label_id=rng.choice(known), reason="link lost mid-job")
        if known and roll < 0.95:
            return LabelPrinted(at=self.at(), label_id=rng.choice(known))  # printed twice, or uncertain
        return LabelPrinted(at=self.at(), label_id="never-asked")

    def tick(self) -> Event:
        return Tick(at=self.at(self.rng.choice([10.0, 300.0, 4000.0])))

    def ship(self) -> Event:
        rng, state = self.rng, state_of(self.core)
        racks = sorted(state.racks)
        ready = [k for k in racks if state.racks[k].closed and not state.racks[k].shipped]
        choice = rng.choice(ready) if ready and rng.random() < 0.85 else rng.choice(racks) if racks else None
        feed, family, rack_no = choice if choice else (self.feed_cfg.id, "seats", 1)
        if rng.random() < 0.3:
            return ShipRackByHand(at=self.at(), user="lead", reason="truck", feed=feed, family=family, rack_no=rack_no)
        return RackShipped(at=self.at(), feed=feed, family=family, rack_no=rack_no)

    def device(self) -> Event:
        rng = self.rng
        device = rng.choice(DEVICES)
        if device.startswith("zebra") and rng.random() < 0.5:
            faults = rng.choice([(), (), ("paper out",), ("head open", "ribbon out")])
            return PrinterFaultChanged(at=self.at(), device=device, faults=faults)
        return DeviceLinkChanged(at=self.at(), device=device, up=rng.random() < 0.5, detail="timeout")

    def rejected(self) -> Event:
        rng = self.rng
        return BroadcastRejected(
            at=self.at(),
            reason="bad checksum",
            feed=rng.choice(["", self.feed_cfg.id, "L9"]),
            seq=rng.choice([None, rng.randint(0, 50)]),
            quarantine_id=rng.randint(1, 999),
        )

    def who(self) -> dict[str, Any]:
        roll = self.rng.random()
        user = "" if roll < 0.02 else "lead"
        reason = " " if 0.02 <= roll < 0.04 else "test"
        return {"at": self.at(), "user": user, "reason": reason}

    def some_seq(self) -> int:
        return (self.last_seq - self.rng.randint(0, 12)) % self.feed_cfg.modulus

    def vehicle_op(self) -> Event:
        rng, feed = self.rng, self.feed_cfg.id
        kind = rng.choice(["hold", "release", "cancel", "move", "swap"])
        who, seq = {**self.who(), "feed": feed}, self.some_seq()
        if kind == "hold":
            return HoldVehicle(**who, seq=seq)
        if kind == "release":
            return ReleaseVehicle(**who, seq=seq)
        if kind == "cancel":
            return CancelVehicle(**who, seq=seq)
        if kind == "move":
            return MoveVehicle(**who, seq=seq, to_seq=self.some_seq())
        return SwapVehicles(**who, seq=seq, other_seq=self.some_seq())

    def alarm_op(self) -> Event:
        rng, state = self.rng, state_of(self.core)
        ids = sorted(state.deviations.by_id)
        blocking = [i for i in ids if state.deviations.by_id[i].kind in BLOCKING]
        kind = rng.choice(["ack", "ack", "shelve", "resolve", "resolve", "resolve"])
        pool = blocking if kind == "resolve" and blocking and rng.random() < 0.7 else ids
        dev_id = rng.choice(pool) if pool and rng.random() < 0.95 else 99_999
        who = {**self.who(), "deviation_id": dev_id}
        if kind == "ack":
            return AcknowledgeAlarm(**{**who, "reason": ""})
        if kind == "shelve":
            until = self.now + rng.choice([-10.0, 600.0, 5000.0])
            return ShelveAlarm(**who, until=until)
        return ResolveDeviation(**who)

    def other_op(self) -> Event:
        rng, state, feed = self.rng, state_of(self.core), self.feed_cfg.id
        kind = rng.choice(["insert", "resend", "reprint", "reprint", "confirm", "confirm"])
        who = self.who()
        if kind == "insert":
            seq = (self.last_seq + rng.randint(-2, 2)) % self.feed_cfg.modulus
            return InsertBroadcast(**who, feed=feed, seq=seq, vehicle_id=f"H{seq}", options=rng.choice(OPTIONS))
        if kind == "resend":
            return RequestResendByHand(**who, feed=rng.choice([feed, "L9"]), from_seq=1, to_seq=3)
        if kind == "reprint":
            labels = sorted(state.labels)
            label_id = rng.choice(labels) if labels else "none"
            return ReprintLabel(**who, label_id=label_id)
        return ConfirmByHand(**who, station=rng.choice([*sorted(state.stations), "NOPE"]))


def recorded_plant() -> PlantConfig:
    """The demo plant as the streams were recorded on: no bin keeps stock."""
    return without_stock(demo_plant())


def small_plant(reaction: str) -> PlantConfig:
    plant = recorded_plant()
    feed = plant.feeds[0].model_copy(update={"modulus": 40, "on_out_of_order": reaction})
    return plant.model_copy(update={"feeds": (feed,)})


def bench_plant() -> PlantConfig:
    return recorded_plant()


class Digest:
    """What a stretch of a stream did: the events fed and the commands returned (or that it was refused)."""

    def __init__(self) -> None:
        self.h = hashlib.sha256()

    def add(self, event: Event, outcome: str) -> None:
        self.h.update(repr(event).encode() + b"\0" + outcome.encode() + b"\n")

    def take(self) -> str:
        value, self.h = self.h.hexdigest()[:16], hashlib.sha256()
        return value


def feed_and_mark(core: Sequencer, events: Iterator[Event] | list[Event]) -> dict[str, Any]:
    """Feed ``events`` one by one; checkpoints every ``EVERY`` events and at the end."""
    digest, marks, refused, n = Digest(), [], 0, 0
    for n, event in enumerate(events, 1):
        try:
            outcome = repr(core.handle(event))
        except SequencerError as exc:
            outcome, refused = f"refused: {exc}", refused + 1
        digest.add(event, outcome)
        if n % EVERY == 0:
            marks.append([n, digest.take(), core.fingerprint()])
    marks.append([n, digest.take(), core.fingerprint()])
    return {"events": n, "refused": refused, "marks": marks}


def run_chaos(
    plant: PlantConfig, seed: int, count: int, named_parts: list[tuple[tuple[str, str], ...]] | None = None
) -> dict[str, Any]:
    chaos = Chaos(plant, seed, named_parts)
    return feed_and_mark(chaos.core, chaos.events(count))


def run_bench(seed: int, vehicles: int) -> dict[str, Any]:
    plant = bench_plant()
    events, _ = record_stream(plant, vehicles, seed)
    return feed_and_mark(Sequencer(plant), events)


STREAMS: dict[str, Callable[[], dict[str, Any]]] = {
    "bench seed 1, 300 vehicles": lambda: run_bench(1, 300),
    "bench seed 5, 300 vehicles": lambda: run_bench(5, 300),
    "chaos demo plant (flag) seed 1": lambda: run_chaos(recorded_plant(), 1, 2500),
    "chaos modulus 40, move, seed 2": lambda: run_chaos(small_plant("move"), 2, 2500),
    "chaos modulus 40, hold, seed 3": lambda: run_chaos(small_plant("hold"), 3, 2500),
    "chaos modulus 40, flag, seed 4": lambda: run_chaos(small_plant("flag"), 4, 2500),
    "chaos demo plant, unknown families, seed 6": lambda: run_chaos(recorded_plant(), 6, 2500, WITH_UNKNOWN_FAMILY),
}


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    recorded: dict[str, Any] = json.loads(GOLDEN.read_text())
    return recorded


@pytest.mark.parametrize("name", list(STREAMS))
def test_stream_replays_to_the_recorded_fingerprints(name: str, golden: dict[str, Any]) -> None:
    expected = golden[name]
    got = STREAMS[name]()
    for want, have in zip(expected["marks"], got["marks"], strict=False):
        assert have == want, f"{name}: first difference at event {want[0]} (events, digest, fingerprint)"
    assert (got["events"], got["refused"], len(got["marks"])) == (
        expected["events"],
        expected["refused"],
        len(expected["marks"]),
    )


REPLAY_ELSEWHERE = """
from sequencer.core import Sequencer
from sequencer.events import BroadcastReceived, Tick
from tests.plants import demo_plant
core = Sequencer(demo_plant())
core.handle(BroadcastReceived(at=0.0, feed="L1", seq=1, vehicle_id="V1", options=("S1", "P040")))
core.handle(Tick(at=7200.0))  # both racks of the vehicle late at once: which deviation gets which number?
print(core.fingerprint())
"""


def test_the_same_events_give_the_same_state_in_every_process() -> None:
    """A service restarted in another process replays its journal to the same state: nothing in the core may
    follow the order of a set of names (Python seeds string hashes per process; under seeds 0 and 1 the demo
    plant's two family names iterate in opposite orders)."""
    fingerprints = {
        subprocess.run(
            [sys.executable, "-c", REPLAY_ELSEWHERE],
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=GOLDEN.parents[2],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("0", "1")
    }
    assert len(fingerprints) == 1, fingerprints


if __name__ == "__main__":  # record the golden file (only for an intended change of behaviour)
    # with stream names as arguments, only those are recorded again (the others keep what they recorded)
    chosen = sys.argv[1:] or list(STREAMS)
    unknown = [name for name in chosen if name not in STREAMS]
    if unknown:
        sys.exit(f"no such stream: {', '.join(unknown)}; streams: {', '.join(STREAMS)}")
    recorded = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
    recorded |= {name: STREAMS[name]() for name in chosen}
    GOLDEN.write_text(json.dumps({name: recorded[name] for name in STREAMS}, indent=1) + "\n")
    for name in chosen:
        result = recorded[name]
        print(f"{name}: {result['events']} events, {result['refused']} refused, {len(result['marks'])} marks")
