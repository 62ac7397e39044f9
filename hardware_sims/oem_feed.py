"""A simulated OEM broadcast gateway: a ZeroMQ DEALER that sends one build order per takt and never loses one.

It behaves like a partner's store-and-forward gateway (docs/feed-protocol.md): every broadcast is kept until
the service ACKs it and is resent when its ACK is overdue (REAL seconds: a network timer, whatever the
simulated clock's speed; at least ``ack_timeout_s``, adapted to the ACK round trips observed as TCP's RTO is:
``hardware_sims.oem_outbox.RetransmitTimer``); a bounded history answers RESEND requests; a heartbeat goes out
when the link is idle. Vehicles arrive at the takt of the injected clock, so a ScaledClock runs a shift in seconds and a
ManualClock lets a test place every broadcast.

This module is the gateway's behaviour over time: the vehicles at the takt, the fault hooks and knobs, and the
pump that owns the socket. What it keeps and resends is ``hardware_sims.oem_outbox``; the wire format, written
from the protocol document and not imported from ``app``, is ``hardware_sims.oem_wire``; the DEALER's options
and CURVE keys are ``hardware_sims.oem_socket``. Their public names are still importable from here.

Ship notices from the service are checked and answered by ``notices`` (``hardware_sims.oem_notices``; its
``mode`` rejects or ignores them for tests and faults).
Fault hooks for tests: ``drop_next(n)`` (a gap only a RESEND fills), ``duplicate_next()``, ``send_raw``.
Knobs for the engineer's view (``hardware_sims.control``): ``set_takt``, ``burst(n)``, read back by ``knobs``.
The OEM's line: ``stop_line()`` stands it (no vehicles until ``run_line()``), ``run_line(rate_per_h)`` runs it again
(at the takt that rate means, when given); from the first of them on, its status goes out as ``LINE`` with every
heartbeat and at once when it changes (docs/feed-protocol.md, "Line status").
Optional CURVE (``curve=CurveClientKeys``): the DEALER is a CURVE client holding its own keypair and the
service's public key, as a partner's gateway would (docs/feed-protocol.md, "CURVE").
It must not read the wall clock for simulated time, or share its socket with any task but ``run``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections import deque
from collections.abc import Callable
from typing import Any, ClassVar

import zmq
import zmq.asyncio

from hardware_sims.clock import Clock
from hardware_sims.oem_notices import NOTICE, NoticeDesk, NoticeReader
from hardware_sims.oem_outbox import FeedSimCounters, Outbox, Outgoing
from hardware_sims.oem_socket import CurveClientKeys, connect_dealer
from hardware_sims.oem_wire import (
    ACK,
    HB,
    LINE,
    RESEND,
    broadcast_body,
    decode,
    encode,
    heartbeat_body,
    line_status_body,
)
from hardware_sims.vehicles import VehicleMix, VinFactory, seq_numbers
from sequencer.plant import PlantConfig

log = logging.getLogger(__name__)


IDLE_WAIT_S = 0.5  # longest sleep of the pump when nothing is due (bounds shutdown and heartbeat jitter)
RECV_BATCH = 256


class OemFeedSim:
    """One OEM feed's gateway: broadcasts vehicles from a seeded mix at the takt of ``clock``."""

    def __init__(
        self,
        endpoint: str,
        *,
        feed: str,
        clock: Clock,
        rng: random.Random,
        option_mix: dict[str, tuple[str, ...]],
        modulus: int = 10000,
        start_seq: int = 1,
        takt_s: float = 60.0,
        vehicles: int | None = None,
        line: str = "",
        reporting_point: str = "R100",
        ack_timeout_s: float = 1.0,
        heartbeat_s: float = 1.0,
        max_retries: int = 20,
        history: int = 20_000,
        vins: VinFactory | None = None,
        context: zmq.asyncio.Context | None = None,
        curve: CurveClientKeys | None = None,
        notice_reader: NoticeReader | None = None,
    ) -> None:
        self.endpoint = endpoint
        self._curve = curve
        self.feed = feed
        self.modulus = modulus
        self.vehicles = vehicles
        self.counters = FeedSimCounters()
        self.done = asyncio.Event()
        self._clock = clock
        self._mix = VehicleMix(option_mix, rng)
        self._vins = vins or VinFactory()
        self._seqs = seq_numbers(start_seq, modulus)
        self._takt_s = takt_s
        self._line, self._reporting_point = line, reporting_point
        self._heartbeat_s = heartbeat_s
        self._outbox = Outbox(
            self._send,
            self.counters,
            feed=feed,
            modulus=modulus,
            history=history,
            ack_timeout_s=ack_timeout_s,
            max_retries=max_retries,
        )
        # goods receipt: ship notices checked against the broadcasts and answered (hardware_sims.oem_notices)
        self.notices = NoticeDesk(feed, self._outbox.body, modulus=modulus, reader=notice_reader)
        self._drop = self._duplicate = 0  # fault hooks: how many of the next broadcasts to drop / duplicate
        self._pause_s = 0.0  # fault hook: silence before the next broadcast
        self._burst = 0  # knob: how many of the next vehicles come without waiting for the takt
        self._knob = asyncio.Event()  # a knob turned: the producer re-reads the takt and the burst at once
        self._raw: deque[list[bytes]] = deque()  # fault hook: frames queued by send_raw
        # the OEM's line: (state, since, rate) once a stop or run was asked for, None before (no LINE sent); running
        self._line_status: tuple[str, float, float | None] | None = None
        self._line_runs = asyncio.Event()
        self._line_runs.set()
        self._line_due = False  # a change to tell at once
        self.line_frames = 0
        self._last_seq: int | None = None
        self._last_tx = 0.0
        self._blocked = False  # the last send found no connected service, or a full pipe
        self._wake = asyncio.Event()
        self._ctx = context or zmq.asyncio.Context.instance()
        self._sock: zmq.asyncio.Socket | None = None
        self._direct: zmq.Socket[bytes] | None = None
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_plant(cls, plant: PlantConfig, *, clock: Clock, feed: str | None = None, **kw: Any) -> OemFeedSim:
        """A gateway for one of the plant file's feeds (the first by default), with its simulation settings."""
        cfg = plant.feed(feed) if feed else plant.feeds[0]
        if cfg is None:
            raise ValueError(f"no feed {feed!r} in the plant file")
        settings: dict[str, Any] = {
            "feed": cfg.id,
            "clock": clock,
            "rng": random.Random(plant.simulation.seed),
            "option_mix": dict(plant.simulation.option_mix),
            "modulus": cfg.modulus,
            "start_seq": plant.simulation.start_seq,
            "takt_s": cfg.takt_s,
            "line": cfg.line,
        }
        return cls(kw.pop("endpoint", plant.service.feed_endpoint), **(settings | kw))

    # -- public API ----------------------------------------------------------------------------------------
    async def run(self) -> None:
        """Connect, broadcast at the takt, answer ACKs and RESENDs; until cancelled (also after ``done``)."""
        self._task = asyncio.current_task()
        self._sock = connect_dealer(
            self._ctx, self.endpoint, feed=self.feed, queue=self._outbox.history_size, curve=self._curve
        )
        # The plain-API view of the same socket for NOBLOCK sends: see app/feed/link.py (EAGAIN was hidden).
        self._direct = zmq.Socket.shadow(self._sock.underlying)
        producer = asyncio.create_task(self._produce(), name=f"oem-feed-{self.feed}-vehicles")
        try:
            await self._pump()
        finally:
            producer.cancel()
            await asyncio.gather(producer, return_exceptions=True)
            self._task = None
            self._close_socket()

    def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        else:
            self._close_socket()

    @property
    def unacked(self) -> frozenset[int]:
        """Sequence numbers created but not yet acknowledged (waiting, in flight, dropped or given up)."""
        return self._outbox.unacked

    def ack_figures(self) -> dict[str, float | int | None]:
        """What the retransmission timer saw: round trips measured, the longest and the smoothed one, the time-out
        now, and how many broadcasts timed out and were sent again (each a copy the service counts a duplicate)."""
        timer = self._outbox.timer
        return {
            "round_trips": timer.samples,
            "longest_ack_s": round(timer.longest_s, 4),
            "srtt_s": None if timer.srtt_s is None else round(timer.srtt_s, 4),
            "rto_s": round(timer.rto_s, 4),
            "timeouts": self.counters.timeouts,
        }

    def drop_next(self, n: int) -> None:
        """The next ``n`` broadcasts are not sent (a gap) but are kept in history, so a RESEND delivers them."""
        self._drop += n

    def duplicate_next(self) -> None:
        """The next broadcast is sent twice back to back."""
        self._duplicate += 1

    def send_function(self, seq: int, function: str, options: list[str] | None = None) -> bool:
        """Send a follow-up for a vehicle already acknowledged: change (new options), cancel, hold or release."""
        body = self._outbox.body(seq)
        if body is None or seq in self.unacked:
            return False
        msg = {**(decode(body) or {}), "function": function, "sent_at": self._clock.now()}
        if options is not None:
            msg["options"] = options
        self._outbox.queue(Outgoing(seq=seq, body=encode(msg)))
        self._wake.set()
        return True

    def acked_recently(self, n: int) -> list[int]:
        """The last ``n`` sequence numbers sent and acknowledged, oldest first."""
        unacked = self.unacked
        return [s for s in self._outbox.recent(n) if s not in unacked]

    def pause(self, seconds: float) -> None:
        """Fall silent for ``seconds`` of simulated time before the next broadcast (broadcast silence)."""
        self._pause_s += seconds

    def set_takt(self, seconds: float) -> None:
        """A new takt (simulated seconds between vehicles); the vehicle being waited for already uses it."""
        if not seconds > 0:
            raise ValueError(f"takt must be positive, got {seconds}")
        self._takt_s = seconds
        self._knob.set()

    def burst(self, n: int) -> None:
        """The next ``n`` vehicles come back to back, without waiting for the takt (a line catching up)."""
        self._burst += max(0, n)
        self._knob.set()

    @property
    def knobs(self) -> dict[str, float]:
        """The takt and what the hooks still have to do (drops, duplicates, burst vehicles, silence)."""
        return {
            "takt_s": self._takt_s,
            "drop_next": self._drop,
            "duplicate_next": self._duplicate,
            "burst": self._burst,
            "pause_s": self._pause_s,
        }

    def stop_line(self) -> None:
        """The OEM's line stops: no vehicle is broadcast until it runs again, and its status says so."""
        if self._line_runs.is_set():
            self._line_runs.clear()
            self._line_status = ("stopped", self._clock.now(), None)
            self._line_due = True
            self._wake.set()

    def run_line(self, rate_per_h: float | None = None) -> None:
        """The OEM's line runs (again), at ``rate_per_h`` vehicles an hour when given (its takt follows)."""
        if rate_per_h is not None:
            self.set_takt(3600.0 / rate_per_h)
        stopped = not self._line_runs.is_set()
        since = self._clock.now() if stopped or self._line_status is None else self._line_status[1]
        self._line_status = ("running", since, rate_per_h)
        self._line_runs.set()
        self._line_due = True
        self._wake.set()

    @property
    def line_stopped(self) -> bool:
        return not self._line_runs.is_set()

    def send_raw(self, frames: list[bytes]) -> None:
        """Queue arbitrary frames (malformed-input tests); they go out in order with the broadcasts."""
        self._raw.append(list(frames))
        self._wake.set()

    # -- vehicles ------------------------------------------------------------------------------------------
    async def _produce(self) -> None:
        while self.vehicles is None or self.counters.generated < self.vehicles:
            if self.counters.generated:
                await self._await_takt()
            if self._pause_s:
                pause, self._pause_s = self._pause_s, 0.0
                await self._clock.sleep(pause)
            await self._line_runs.wait()  # the OEM's line stands: no vehicle reaches the reporting point
            self._emit(self._next_broadcast())
        self._check_done()

    async def _await_takt(self) -> None:
        """One takt after the last vehicle; a takt changed meanwhile counts at once, a burst skips the wait."""
        since = self._clock.now()
        while not self._burst and (left := since + self._takt_s - self._clock.now()) > 0:
            self._knob.clear()
            knob = asyncio.ensure_future(self._knob.wait())
            takt = asyncio.ensure_future(self._clock.sleep(left))
            try:
                await asyncio.wait({knob, takt}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                knob.cancel()
                takt.cancel()
        self._burst = max(0, self._burst - 1)

    def _next_broadcast(self) -> Outgoing:
        seq = next(self._seqs)
        body = broadcast_body(
            feed=self.feed,
            seq=seq,
            vehicle_id=self._vins.next_vin(),
            options=list(self._mix.next_options()),
            sent_at=self._clock.now(),
            reporting_point=self._reporting_point,
            line=self._line,
        )
        return Outgoing(seq=seq, body=body)

    def _emit(self, out: Outgoing) -> None:
        self.counters.generated += 1
        self._last_seq = out.seq
        self._outbox.remember(out.seq, out.body)
        if self._drop > 0:
            self._drop -= 1
            self.counters.dropped += 1
            self._outbox.park(out)
            return
        if self._duplicate > 0:
            self._duplicate -= 1
            out.twice = True
        self._outbox.queue(out)
        self._wake.set()

    def _check_done(self) -> None:
        finished = self.vehicles is not None and self.counters.generated >= self.vehicles
        if finished and self._outbox.empty:
            self.done.set()

    # -- the socket ----------------------------------------------------------------------------------------
    def _close_socket(self) -> None:
        if self._sock is not None:
            self._direct = None
            self._sock.close(linger=0)
            self._sock = None

    def _send(self, frames: list[bytes]) -> bool:
        """Send now or report that the link cannot take it (no service connected, or its pipe is full)."""
        assert self._direct is not None
        try:
            self._direct.send_multipart(frames, flags=zmq.NOBLOCK)
        except zmq.Again:
            self._blocked = True  # wait for the socket to become writable (a connection completes)
            return False
        self._blocked = False
        self._last_tx = time.monotonic()
        return True

    # -- the pump: the socket's one owner ------------------------------------------------------------------
    async def _pump(self) -> None:
        while True:
            now = time.monotonic()
            self._send_due(now)
            if await self._wait_for_input(self._next_deadline(now) - now):
                self._receive_batch()

    def _send_due(self, now: float) -> None:
        outbox = self._outbox
        if self._line_due:  # a change of the line's state goes before the vehicles that follow it
            self._send_line_status(idle=False)
        for step in (self._send_raw, outbox.send_backlog, outbox.answer_resends, outbox.retransmit_overdue):
            if not step(now):
                return  # the link is not taking messages: keep the rest in order for the next round
        self._send_heartbeat_if_idle(now)

    def _send_raw(self, now: float) -> bool:
        while self._raw and self._send(self._raw[0]):
            self._raw.popleft()
        return not self._raw

    def _send_line_status(self, idle: bool) -> None:
        """The line's status at once when it changed, else with every heartbeat (a lost frame costs one interval)."""
        if self._line_status is None or not (self._line_due or idle):
            return
        state, since, rate = self._line_status
        body = line_status_body(
            feed=self.feed, state=state, since=since, reporting_point=self._reporting_point, rate_per_h=rate
        )
        if self._send([LINE, body]):
            self._line_due = False
            self.line_frames += 1

    def _send_heartbeat_if_idle(self, now: float) -> None:
        idle = now - self._last_tx >= self._heartbeat_s
        self._send_line_status(idle)
        if not idle:
            return
        if self._send([HB, heartbeat_body(feed=self.feed, last_seq=self._last_seq, at=self._clock.now())]):
            self.counters.heartbeats += 1
        else:
            self._last_tx = now  # nobody is connected: try again one heartbeat later, not in a busy loop

    def _next_deadline(self, now: float) -> float:
        if self._blocked:
            return now + IDLE_WAIT_S  # nothing can go out; POLLOUT wakes the pump when a connection completes
        deadlines = [now + IDLE_WAIT_S, self._last_tx + self._heartbeat_s]
        if (due := self._outbox.next_due()) is not None:
            deadlines.append(due)
        return max(now, min(deadlines))

    async def _wait_for_input(self, timeout_s: float) -> bool:
        """Wait until the service sends something, the producer wakes us, or ``timeout_s`` passes.

        While blocked, also wake when the socket becomes writable: with IMMEDIATE that is the moment a
        connection to the service completes, so the backlog goes out at once.
        """
        assert self._sock is not None
        assert self._direct is not None
        poller = zmq.asyncio.Poller()
        poller.register(self._sock, zmq.POLLIN | (zmq.POLLOUT if self._blocked else 0))
        poll = asyncio.ensure_future(poller.poll(max(0, math.ceil(timeout_s * 1000))))  # ceil: no busy spin
        wake = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({poll, wake}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            poll.cancel()
            wake.cancel()
        self._wake.clear()
        return bool(self._direct.poll(0, zmq.POLLIN))

    def _receive_batch(self) -> None:
        assert self._direct is not None
        for _ in range(RECV_BATCH):
            try:
                frames = self._direct.recv_multipart(flags=zmq.NOBLOCK)
            except zmq.Again:
                return
            self._dispatch(frames)

    # -- what the service says -----------------------------------------------------------------------------
    def _dispatch(self, frames: list[bytes]) -> None:
        handler = self._HANDLERS.get(frames[0]) if len(frames) == 2 else None
        msg = decode(frames[1]) if handler is not None else None
        if handler is None or msg is None or msg.get("feed") not in (self.feed, ""):
            self.counters.bad_frames += 1
            log.warning("oem feed %s: cannot use frames from the service: %r", self.feed, frames[:3])
            return
        handler(self, msg)

    def _on_ack(self, ack: dict[str, Any]) -> None:
        seq = ack.get("seq")
        out = self._outbox.acknowledge(seq, time.monotonic()) if isinstance(seq, int) else None
        if out is None:
            self.counters.stray_acks += 1
            return
        self.counters.acked += 1
        status = ack.get("status")
        if status in ("quarantined", "refused"):  # stored by the service and not to be resent (feed-protocol.md)
            setattr(self.counters, status, getattr(self.counters, status) + 1)
            log.warning("oem feed %s: seq %d %s by the service: %s", self.feed, seq, status, ack.get("reason"))
        self._check_done()

    def _on_resend(self, req: dict[str, Any]) -> None:
        first, last = req.get("from_seq"), req.get("to_seq")
        if not (isinstance(first, int) and isinstance(last, int)):
            self.counters.bad_frames += 1
            return
        self.counters.resend_requests += 1
        self._outbox.ask_resend(first, last)

    def _on_notice(self, msg: dict[str, Any]) -> None:
        frames = self.notices.answer(msg)
        if frames is not None:
            self._raw.append(frames)  # out with the next sends, in order
            self._wake.set()

    _HANDLERS: ClassVar[dict[bytes, Callable[[OemFeedSim, dict[str, Any]], None]]] = {
        ACK: _on_ack,
        RESEND: _on_resend,
        NOTICE: _on_notice,
    }
