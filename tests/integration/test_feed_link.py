"""The OEM feed end to end on 127.0.0.1: OemFeedSim (DEALER) -> FeedLink (ROUTER), plus the wire decoders.

Every network test binds port 0 or a free port, bounds every wait with a deadline, and uses seeded vehicles.
The recorder below plays the app: it decodes, "persists" (appends), and returns the ACK, like app.service.runtime.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager

import pytest
import zmq
import zmq.asyncio

from app.feed.link import FeedLink
from app.feed.protocol import (
    BCAST,
    HB,
    Ack,
    BadBroadcast,
    BroadcastMessage,
    Heartbeat,
    Resend,
    decode_ack,
    decode_broadcast,
    quarantine_ack,
    salvage_key,
)
from hardware_sims.clock import ManualClock, ScaledClock
from hardware_sims.oem_feed import OemFeedSim
from hardware_sims.vehicles import is_valid_vin
from plc_io.loopback_ports import free_port
from sequencer.seqnum import ring_range
from tests.plants import demo_plant

WAIT_S = 10.0  # upper bound of any wait; a healthy run needs a small fraction of it
POLL_S = 0.005
MIX = {"seat": ("S1", "S2", "S3"), "heat": ("", "HEAT"), "paint": ("P040", "P1A2"), "pdc": ("", "PDC")}
FEED = "L1"
Ctx = zmq.asyncio.Context


class Recorder:
    """The app's side of ``accept``: decode, keep once, answer accepted / duplicate / quarantined."""

    def __init__(self) -> None:
        self.accepted: list[BroadcastMessage] = []
        self.duplicates: list[int] = []
        self.quarantined: list[str] = []
        self.rejected: list[tuple[list[bytes], str]] = []
        self.heartbeats: list[Heartbeat] = []
        self.gate: asyncio.Event | None = None  # when set up, accept waits on it (a slow commit)
        self.entered = asyncio.Event()
        self.on_accepted: Callable[[BroadcastMessage], None] = lambda msg: None

    @property
    def seqs(self) -> list[int]:
        return [m.seq for m in self.accepted]

    async def accept(self, raw: bytes) -> Ack:
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        try:
            msg = decode_broadcast(raw)
        except BadBroadcast as exc:
            self.quarantined.append(exc.reason)
            return quarantine_ack(raw, exc.reason)
        if any(m.seq == msg.seq and m.feed == msg.feed for m in self.accepted):
            self.duplicates.append(msg.seq)
            return Ack(feed=msg.feed, seq=msg.seq, status="duplicate")
        self.accepted.append(msg)
        self.on_accepted(msg)
        return Ack(feed=msg.feed, seq=msg.seq, status="accepted")

    async def reject(self, frames: list[bytes], reason: str) -> None:
        self.rejected.append((frames, reason))

    def heartbeat(self, hb: Heartbeat) -> None:
        self.heartbeats.append(hb)


async def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until true; fail after WAIT_S (bounded in time and in count)."""
    for _ in range(int(WAIT_S / POLL_S)):
        if condition():
            return
        await asyncio.sleep(POLL_S)
    raise AssertionError(f"timed out waiting for {what}")


async def wait_event(event: asyncio.Event, what: str) -> None:
    try:
        await asyncio.wait_for(event.wait(), WAIT_S)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


def free_endpoint() -> str:
    """A loopback endpoint on a free port (for a service that starts later)."""
    return f"tcp://127.0.0.1:{free_port()}"


@asynccontextmanager
async def running(*runs: Callable[[], Awaitable[None]]) -> AsyncIterator[list[asyncio.Task[None]]]:
    """Run each ``run`` coroutine as a task for the block; cancel and await them all afterwards."""
    tasks = [asyncio.ensure_future(run()) for run in runs]
    try:
        yield tasks
    finally:
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError)]
        assert not errors, errors


@pytest.fixture
def ctx() -> Iterator[zmq.asyncio.Context]:
    context = zmq.asyncio.Context()
    yield context
    context.destroy(linger=0)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def make_link(ctx: zmq.asyncio.Context, rec: Recorder, endpoint: str = "tcp://127.0.0.1:0") -> FeedLink:
    link = FeedLink(endpoint, rec.accept, reject=rec.reject, heartbeat=rec.heartbeat, context=ctx)
    link.bind()
    return link


def make_sim(ctx: zmq.asyncio.Context, endpoint: str, **kw: object) -> OemFeedSim:
    settings: dict[str, object] = {
        "feed": FEED,
        "clock": ScaledClock(speed=6000.0),  # 60 s takt -> 10 ms
        "rng": random.Random(7),
        "option_mix": MIX,
        "ack_timeout_s": 1.0,
        "context": ctx,
    }
    return OemFeedSim(endpoint, **(settings | kw))  # type: ignore[arg-type]


# -- end to end ------------------------------------------------------------------------------------------------
async def test_every_broadcast_arrives_once_in_order_across_the_wrap(ctx: Ctx, recorder: Recorder) -> None:
    link = make_link(ctx, recorder)
    sim = make_sim(ctx, link.endpoint, vehicles=40, start_seq=9990, line="A1")
    async with running(link.run, sim.run):
        await wait_event(sim.done, "all 40 broadcasts acknowledged")
    assert recorder.seqs == list(ring_range(9990, 40, 10000))  # 9990 .. 9999, 0 .. 29
    assert sim.counters.acked == 40
    assert sim.unacked == frozenset()
    assert link.last_heard(FEED) is not None
    assert link.last_heard("nope") is None
    vins = [m.vehicle_id for m in recorder.accepted]
    assert all(is_valid_vin(v) for v in vins)
    assert len(set(vins)) == 40
    assert all(m.function == "original" and m.firm and m.line == "A1" for m in recorder.accepted)


async def test_no_ack_goes_out_before_accept_returns(ctx: Ctx, recorder: Recorder) -> None:
    recorder.gate = asyncio.Event()
    link = make_link(ctx, recorder)
    sim = make_sim(ctx, link.endpoint, vehicles=1, clock=ManualClock(), ack_timeout_s=0.05)
    async with running(link.run, sim.run):
        await wait_event(recorder.entered, "accept called")
        # Let the sim's ack timer fire at least once: proof that time passed while accept was still busy.
        await wait_until(lambda: sim.counters.resent >= 1, "a retransmission while accept is busy")
        assert sim.unacked == {1}
        assert sim.counters.acked == 0
        assert link.acked == 0
        recorder.gate.set()
        await wait_event(sim.done, "the ACK once accept returned")
    assert recorder.seqs == [1]
    assert recorder.duplicates  # the retransmitted copy was answered "duplicate", not stored twice


async def test_a_service_that_starts_late_loses_nothing(ctx: Ctx, recorder: Recorder) -> None:
    endpoint = free_endpoint()
    sim = make_sim(ctx, endpoint, vehicles=20, ack_timeout_s=0.2)
    async with running(sim.run):
        await wait_until(lambda: sim.counters.generated >= 5, "vehicles produced with no service")
        assert sim.counters.sent == 0  # IMMEDIATE: nothing vanished into a pipe to nobody
        link = make_link(ctx, recorder, endpoint)
        async with running(link.run):
            await wait_event(sim.done, "every broadcast acknowledged after the service came up")
    assert sorted(recorder.seqs) == list(range(1, 21))
    assert len(recorder.seqs) == 20


async def test_a_service_restart_loses_nothing(ctx: Ctx, recorder: Recorder) -> None:
    first = make_link(ctx, recorder)
    endpoint = first.endpoint
    sim = make_sim(ctx, endpoint, vehicles=30, ack_timeout_s=0.2)
    async with running(sim.run):
        async with running(first.run):
            await wait_until(lambda: len(recorder.seqs) >= 10, "the first broadcasts")
        # The recorder is the durable store, so it survives. run() binds, waiting out the old listener.
        second = FeedLink(endpoint, recorder.accept, reject=recorder.reject, context=ctx)
        async with running(second.run):
            await wait_event(sim.done, "every broadcast acknowledged after the restart")
    assert sorted(recorder.seqs) == list(range(1, 31))


async def test_a_gap_is_filled_by_a_resend(ctx: Ctx, recorder: Recorder) -> None:
    clock = ManualClock()
    link = make_link(ctx, recorder)
    expected = {"next": 1}

    def notice_gap(msg: BroadcastMessage) -> None:  # what the core + app do on a gap
        if msg.seq > expected["next"]:
            link.request_resend(msg.feed, expected["next"], msg.seq - 1)
        expected["next"] = max(expected["next"], msg.seq + 1)

    recorder.on_accepted = notice_gap
    sim = make_sim(ctx, link.endpoint, vehicles=6, clock=clock, takt_s=60.0)
    async with running(link.run, sim.run):
        await wait_until(lambda: recorder.seqs == [1], "seq 1")
        await _next_vehicle(clock, sim)
        await wait_until(lambda: recorder.seqs == [1, 2], "seq 2")
        sim.drop_next(2)
        await _next_vehicle(clock, sim)  # 3: dropped
        await _next_vehicle(clock, sim)  # 4: dropped
        await _next_vehicle(clock, sim)  # 5: the service sees the gap
        await wait_until(lambda: len(recorder.seqs) == 5, "3 and 4 resent")
        await _next_vehicle(clock, sim)
        await wait_event(sim.done, "all six acknowledged")
    assert recorder.seqs == [1, 2, 5, 3, 4, 6]
    assert sim.counters.dropped == 2
    assert sim.counters.resend_requests == 1
    assert sim.counters.resent == 2


async def test_a_resend_request_waits_for_the_gateway(ctx: Ctx, recorder: Recorder) -> None:
    link = make_link(ctx, recorder)
    link.request_resend(FEED, 9998, 1)  # nobody has spoken for L1 yet: keep it
    assert link.pending_resends == 1
    sim = make_sim(ctx, link.endpoint, vehicles=1, clock=ManualClock(), start_seq=2)
    async with running(link.run, sim.run):
        await wait_until(lambda: sim.counters.resend_requests == 1, "the RESEND delivered")
        await wait_event(sim.done, "seq 2 acknowledged")
    assert link.pending_resends == 0
    assert recorder.seqs == [2]  # 9998 .. 1 are not in the new gateway's history: nothing to resend


async def test_duplicate_is_answered_not_stored(ctx: Ctx, recorder: Recorder) -> None:
    link = make_link(ctx, recorder)
    sim = make_sim(ctx, link.endpoint, vehicles=3)
    sim.duplicate_next()
    async with running(link.run, sim.run):
        await wait_event(sim.done, "three acknowledged")
        await wait_until(lambda: sim.counters.stray_acks == 1, "the second copy's ACK")
    assert recorder.seqs == [1, 2, 3]
    assert recorder.duplicates == [1]
    assert sim.counters.duplicated == 1


async def test_accept_failure_leaves_the_broadcast_for_the_gateway_to_resend(ctx: Ctx, recorder: Recorder) -> None:
    calls = {"n": 0}

    async def flaky_accept(raw: bytes) -> Ack:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("disk full")  # not stored, so not acknowledged
        return await recorder.accept(raw)

    link = FeedLink("tcp://127.0.0.1:0", flaky_accept, context=ctx)
    sim = make_sim(ctx, link.bind(), vehicles=2, ack_timeout_s=0.05)
    async with running(link.run, sim.run):
        await wait_event(sim.done, "both acknowledged after the retry")
    assert recorder.seqs in ([1, 2], [2, 1])
    assert sim.counters.resent >= 1


async def test_the_gateway_gives_up_after_bounded_retries_until_a_resend(ctx: Ctx, recorder: Recorder) -> None:
    broken = {"store": True}

    async def accept(raw: bytes) -> Ack:
        if broken["store"]:
            raise OSError("database locked")
        return await recorder.accept(raw)

    link = FeedLink("tcp://127.0.0.1:0", accept, context=ctx)
    sim = make_sim(ctx, link.bind(), vehicles=1, ack_timeout_s=0.02, max_retries=2)
    async with running(link.run, sim.run):
        await wait_until(lambda: sim.counters.gave_up == 1, "the gateway to give up")
        assert sim.counters.resent == 2  # the first send and two retries, then it stops and logs
        assert sim.unacked == {1}  # ... but keeps the broadcast for a RESEND
        broken["store"] = False
        link.request_resend(FEED, 1, 1)
        await wait_event(sim.done, "the broadcast delivered by the RESEND")
    assert recorder.seqs == [1]


async def test_a_burst_is_handed_over_in_batches_in_order_and_acked_only_once_stored(ctx: Ctx) -> None:
    """A gateway's backlog sent at once reaches ``accept_many`` in a few calls, in arrival order; a broadcast the
    app could not store gets no ACK while the rest of its batch do, and a broken ``accept_many`` stops nothing."""
    calls: list[list[int]] = []
    refuse, broken = {7}, {"once": True}

    def accept_many(raws: list[bytes]) -> Awaitable[list[Ack | BaseException]]:
        if broken["once"]:
            broken["once"] = False
            raise RuntimeError("a bug in the app")  # nothing stored: nothing acknowledged, the gateway resends
        msgs = [decode_broadcast(raw) for raw in raws]
        calls.append([m.seq for m in msgs])

        async def stored() -> list[Ack | BaseException]:
            await asyncio.sleep(0.01)  # the commit
            return [
                OSError("disk full") if m.seq in refuse else Ack(feed=m.feed, seq=m.seq, status="accepted")
                for m in msgs
            ]

        return stored()

    async def unused(raw: bytes) -> Ack:
        raise AssertionError("the link hands broadcasts over in batches")

    link = FeedLink("tcp://127.0.0.1:0", unused, accept_many=accept_many, context=ctx)
    endpoint = link.bind()
    dealer = ctx.socket(zmq.DEALER)
    dealer.connect(endpoint)
    bodies = [
        BroadcastMessage(
            feed=FEED,
            seq=seq,
            vehicle_id=f"BURST{seq:05d}",
            function="original",
            firm=True,
            options=("S1",),
            sent_at=1.0,
            reporting_point="R100",
            line="A1",
        ).encode()
        for seq in range(1, 301)
    ]
    acked: list[int] = []
    try:
        async with running(link.run):
            await dealer.send_multipart([BCAST, bodies[-1]])
            await wait_until(lambda: link.received == 1, "the broadcast that meets the bug")
            for body in bodies:
                await dealer.send_multipart([BCAST, body])
            for _ in range(int(WAIT_S / POLL_S)):
                if len(acked) == 299:
                    break
                if await dealer.poll(int(POLL_S * 1000)):
                    acked.append(decode_ack((await dealer.recv_multipart())[1]).seq)
    finally:
        dealer.close(linger=0)
    assert [seq for batch in calls for seq in batch] == list(range(1, 301))
    assert len(calls) < 100  # batches, not one call each
    assert sorted(acked) == [seq for seq in range(1, 301) if seq not in refuse]  # none for the one not stored
    assert link.acked == 299


async def test_heartbeats_keep_the_feed_heard(ctx: Ctx, recorder: Recorder) -> None:
    link = make_link(ctx, recorder)
    sim = make_sim(ctx, link.endpoint, vehicles=0, heartbeat_s=0.02)
    async with running(link.run, sim.run):
        await wait_until(lambda: len(recorder.heartbeats) >= 2, "two heartbeats")
    assert recorder.heartbeats[0] == Heartbeat(feed=FEED, last_seq=None, at=recorder.heartbeats[0].at)
    assert link.last_heard(FEED) is not None
    assert sim.done.is_set()


async def test_a_sim_built_from_the_demo_plant_speaks_to_the_link(ctx: Ctx, recorder: Recorder) -> None:
    link = make_link(ctx, recorder)
    sim = OemFeedSim.from_plant(demo_plant(), clock=ManualClock(), endpoint=link.endpoint, vehicles=1, context=ctx)
    async with running(link.run, sim.run):
        await wait_event(sim.done, "the demo plant's first broadcast")
    (msg,) = recorder.accepted
    assert (msg.feed, msg.seq, msg.line) == ("L1", 9990, "A1")  # the demo starts near the wrap
    assert set(msg.options) <= {"S1", "S2", "S3", "HEAT", "P040", "P1A2", "PDC"}


# -- hostile input -----------------------------------------------------------------------------------------------
GARBAGE: list[tuple[list[bytes], str]] = [
    ([b"NOPE", b"x"], "unknown frame kind"),
    ([BCAST], "needs exactly 1 body frame, got 0"),
    ([BCAST, b"{}", b"extra"], "needs exactly 1 body frame, got 2"),
    ([HB, b"{not json"], "bad heartbeat: not JSON"),
    ([HB, b'{"feed":"L1","last_seq":-1,"at":1.0}'], "last_seq"),
]


async def test_garbage_frames_go_to_reject_and_the_loop_survives(ctx: Ctx, recorder: Recorder) -> None:
    link = make_link(ctx, recorder)
    sim = make_sim(ctx, link.endpoint, vehicles=1)
    for frames, _ in GARBAGE:
        sim.send_raw(frames)
    async with running(link.run, sim.run):
        await wait_event(sim.done, "the broadcast after the garbage")
        await wait_until(lambda: len(recorder.rejected) == len(GARBAGE), "every garbage message rejected")
    for (frames, expected), (got_frames, reason) in zip(GARBAGE, recorder.rejected, strict=True):
        assert got_frames == frames
        assert expected in reason
    assert recorder.seqs == [1]
    assert link.rejected == len(GARBAGE)


async def test_garbage_between_broadcasts_waits_for_them_and_gives_the_loop_turns(ctx: Ctx) -> None:
    """Broadcast 1, two garbage frames, broadcast 2, all read in one batch: broadcast 1 is handed over before the
    garbage is looked at, broadcast 2 after it (arrival order), and other tasks get a turn after each garbage frame
    (a flood of garbage held the loop for a whole batch: issue 15)."""
    seen: list[tuple[str, object, int]] = []  # (what, which, the other task's turns so far)
    turns = 0

    def accept_many(raws: list[bytes], gateways: list[bytes] | None = None) -> Awaitable[list[Ack | BaseException]]:
        msgs = [decode_broadcast(raw) for raw in raws]
        seen.append(("broadcasts", [m.seq for m in msgs], turns))

        async def stored() -> list[Ack | BaseException]:
            return [Ack(feed=m.feed, seq=m.seq, status="accepted") for m in msgs]

        return stored()

    async def reject(frames: list[bytes], reason: str) -> None:
        seen.append(("garbage", frames[0], turns))

    async def other_task() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    async def unused(raw: bytes) -> Ack:
        raise AssertionError("the link hands broadcasts over in batches")

    link = FeedLink("tcp://127.0.0.1:0", unused, accept_many=accept_many, reject=reject, context=ctx)
    dealer = ctx.socket(zmq.DEALER)
    dealer.connect(link.bind())
    probe = zmq.Socket.shadow(link._sock.underlying) if link._sock is not None else None
    assert probe is not None
    one, two = (_broadcast_json(seq=seq) for seq in (1, 2))
    try:
        for frames in ([BCAST, one], [b"junk-a"], [b"junk-b"], [BCAST, two]):
            await dealer.send_multipart(frames)
        await wait_until(lambda: bool(probe.poll(0, zmq.POLLIN)), "the frames queued at the link")
        await asyncio.sleep(0.1)  # the rest of them behind the first (loopback): one batch
        async with running(link.run, other_task):
            await wait_until(lambda: len(seen) == 4, "both broadcasts and both garbage frames")
    finally:
        dealer.close(linger=0)
    assert [(what, which) for what, which, _ in seen] == [
        ("broadcasts", [1]),
        ("garbage", b"junk-a"),
        ("garbage", b"junk-b"),
        ("broadcasts", [2]),
    ]
    assert seen[1][2] < seen[2][2]  # the other task ran between the two garbage frames


async def test_the_link_reads_on_while_the_app_keeps_a_refused_frame(ctx: Ctx, recorder: Recorder) -> None:
    """The app's reject (a quarantine row: writes on the journal's thread) runs in a task of its own: a broadcast
    after a garbage frame is handed over and acknowledged while the garbage is still being kept."""
    gate = asyncio.Event()
    kept: list[list[bytes]] = []

    async def slow_reject(frames: list[bytes], reason: str) -> None:
        await gate.wait()  # the quarantine's writes, held
        kept.append(frames)

    link = FeedLink("tcp://127.0.0.1:0", recorder.accept, reject=slow_reject, context=ctx)
    sim = make_sim(ctx, link.bind(), vehicles=1)
    sim.send_raw([b"NOPE", b"x"])
    async with running(link.run, sim.run):
        await wait_event(sim.done, "the broadcast after the garbage, acknowledged")
        assert recorder.seqs == [1] and kept == [] and link.rejected == 1
        gate.set()
        await wait_until(lambda: kept == [[b"NOPE", b"x"]], "the garbage kept once its writes went through")


async def test_a_malformed_broadcast_is_quarantined_and_acknowledged(ctx: Ctx, recorder: Recorder) -> None:
    link = make_link(ctx, recorder)
    sim = make_sim(ctx, link.endpoint, vehicles=1)
    sim.send_raw([BCAST, b"{this is not json"])
    sim.send_raw([BCAST, _broadcast_json(seq=7, vehicle_id="")])
    async with running(link.run, sim.run):
        await wait_event(sim.done, "the good broadcast after the bad ones")
        await wait_until(lambda: sim.counters.stray_acks == 2, "the quarantine ACKs")
    assert recorder.quarantined[0].startswith("not JSON")
    assert recorder.quarantined[1] == "vehicle_id: vehicle id is empty"
    assert recorder.seqs == [1]


async def _next_vehicle(clock: ManualClock, sim: OemFeedSim) -> None:
    before = sim.counters.generated
    clock.advance(60.0)
    await wait_until(lambda: sim.counters.generated == before + 1, f"vehicle {before + 1}")


# -- the decoders (pure) ---------------------------------------------------------------------------------------
def _broadcast_json(**changes: object) -> bytes:
    body: dict[str, object] = {
        "feed": FEED,
        "seq": 42,
        "vehicle_id": "1M8GDM9AXKP042788",
        "function": "original",
        "firm": True,
        "options": ["S2", "HEAT"],
        "sent_at": 1_700_000_000.5,
        "reporting_point": "R100",
        "line": "A1",
    }
    body.update(changes)
    return json.dumps(body).encode()


def _without(field: str) -> bytes:
    body = json.loads(_broadcast_json())
    del body[field]
    return json.dumps(body).encode()


def test_a_valid_broadcast_decodes_and_round_trips() -> None:
    msg = decode_broadcast(_broadcast_json(parts={"seats": "SEAT-LEATH-BLK-H"}))
    assert msg.seq == 42
    assert msg.options == ("S2", "HEAT")
    assert msg.parts == {"seats": "SEAT-LEATH-BLK-H"}
    assert decode_broadcast(msg.encode()) == msg


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty body"),
        (b"{this is not json", "not JSON"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b"[1, 2]", "not a JSON object (got list)"),
        (_without("seq"), "seq: missing field"),
        (_without("firm"), "firm: missing field"),
        (_broadcast_json(seq="42"), "seq: input should be a valid integer (got '42')"),
        (_broadcast_json(seq=-1), "seq: input should be greater than or equal to 0 (got -1)"),
        (_broadcast_json(vehicle_id=""), "vehicle_id: vehicle id is empty"),
        (_broadcast_json(vehicle_id=" 1M8"), "vehicle_id: vehicle id must be printable ASCII"),
        (_broadcast_json(function="build"), "function: input should be 'original', 'change'"),
        (_broadcast_json(firm=1), "firm: input should be a valid boolean (got 1)"),
        (_broadcast_json(options=["S1", 2]), "options.1: input should be a valid string"),
        (_broadcast_json(options=["S1", ""]), "options: option code is empty"),
        (_broadcast_json(sent_at=-5.0), "sent_at: input should be greater than 0"),
        (_broadcast_json(parts={"seats": 7}), "parts.seats: input should be a valid string"),
        (_broadcast_json(colour="red"), "colour: unknown field"),
    ],
)
def test_malformed_broadcasts_raise_bad_broadcast_with_a_clear_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(BadBroadcast) as caught:
        decode_broadcast(raw)
    assert reason in caught.value.reason
    assert str(caught.value).startswith("bad broadcast: ")


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(BadBroadcast) as caught:
        decode_broadcast(_broadcast_json(seq=-1, firm="yes"))
    assert "seq:" in caught.value.reason
    assert "firm:" in caught.value.reason


def test_salvage_reads_the_key_of_a_broken_broadcast() -> None:
    assert salvage_key(_broadcast_json(vehicle_id="")) == (FEED, 42)
    assert salvage_key(b'{"feed": 3, "seq": true}') == ("", None)
    assert salvage_key(b"\xff") == ("", None)
    ack = decode_ack(quarantine_ack(b"[]", "not a JSON object").encode())
    assert ack == Ack(feed="", seq=None, status="quarantined", reason="not a JSON object")


@pytest.mark.parametrize(
    ("first", "last", "seqs"),
    [(9998, 1, (9998, 9999, 0, 1)), (3, 4, (3, 4)), (5, 5, (5,)), (9999, 0, (9999, 0))],
)
def test_resend_ranges_count_across_the_wrap(first: int, last: int, seqs: tuple[int, ...]) -> None:
    resend = Resend(feed=FEED, from_seq=first, to_seq=last)
    assert resend.count(10000) == len(seqs)
    assert resend.seqs(10000) == seqs
