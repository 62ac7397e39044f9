"""The service's end of the OEM feed: a ZeroMQ ROUTER that takes broadcasts in and acknowledges them.

Why ROUTER and not SUB: PUB/SUB drops messages for late joiners, on reconnect and past the high-water mark,
silently (devices.md, ZeroMQ). A feed that must lose nothing needs sequence numbers, heartbeats, a resend path
and persist-before-acknowledge (zguide ch. 4 "Titanic"), so the gateway connects a DEALER and keeps every
broadcast until this link acknowledges it. The protocol is in docs/feed-protocol.md.

Rules this module keeps:
- ``run()`` is the ROUTER socket's one owning task; nothing else touches the socket.
- Broadcasts are handed over in arrival order, everything waiting at once (``accept_many``: one call per
  wake-up, so a catch-up of thousands costs a few calls, not a task each). A frame of another kind is handled
  after the broadcasts before it are handed over, and the loop gets a turn after each such frame, so garbage
  between broadcasts never holds them, or the rest of the service, for a whole batch. The ACK of a broadcast goes out
  only after the app durably committed it; if its acceptance raises, no ACK is sent and the gateway resends.
  Up to ``MAX_IN_FLIGHT`` handed-over batches wait for their commits while the next one is read.
- The OEM line's status (``LINE``, ``app.feed.line_wire``) goes to ``line_status`` from a gateway that may speak for
  its feed.
- Anything that is not a well-formed BCAST or HB goes to ``reject(frames, reason)`` so the app can quarantine
  it, in a task of its own (at most ``MAX_REJECTING`` at once): the link reads on meanwhile; no input can stop
  the loop.

Optional CURVE (``curve=CurveServer``, RFC 26): the ROUTER becomes a CURVE server, so every frame is encrypted,
and a ZAP handler (RFC 27) admits only the allowed gateways' public keys. A refused gateway never gets as far
as a frame: ``accept`` and ``reject`` see nothing from it. Refused handshakes are counted (``refused``) and
logged once per key or cause, since a refused gateway retries every reconnect interval. Every frame then carries
its sender's public key (ZAP's User-Id): broadcasts go to ``accept_many`` with their senders' keys
(``gateways=``), so the app refuses one for a feed its sender may not publish (it decodes the feed once, for both);
a heartbeat for a feed its sender may not publish (``publishers``) is counted (``unauthorised``), logged once
and ignored.

Where a RESEND goes: to the gateway that last spoke for the feed with a broadcast the app acknowledged
``accepted`` or ``duplicate``, or an allowed heartbeat; never to one whose broadcast was quarantined or refused
(a rogue sender, a number far out of the window), nor to one whose ``duplicate`` is a copy of input quarantined
before (reason ``QUARANTINED_BEFORE``: nothing of it was stored as a broadcast). With CURVE, a RESEND waits while
the routing id's newest frame came from a key that may not publish the feed (another peer took the id over:
``ROUTER_HANDOVER``).

Answers to garbage (``app.net.answer_bounds``): a broadcast frame the app could not decode (no feed and number: not a
broadcast, too large, too deep) is quarantined by the app within its bounds, and its ACK (which no gateway can match
to anything it keeps) goes out only up to a budget per source (the sender's CURVE key, else its routing id) a
window; past it the frame is counted (``answer_budget.unanswered``) and one log line a window says how many. A
broadcast with a feed and a number is always answered: the once-only protocol depends on it.

Bounds: ``MAXMSGSIZE`` drops a frame over ``MAX_FRAME_BYTES`` in libzmq, before it is allocated, and closes its
connection (the body limit, ``app.feed.protocol.MAX_BODY_BYTES``, is half of it: a body in between is refused with
its reason, one beyond costs the sender its connection).

It must not decode what a broadcast means (the app's ``accept`` does), read the database, or judge gaps: the
core notices a gap and the app calls ``request_resend``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import zmq
import zmq.asyncio

from app.feed.line_wire import LINE, BadLineStatus, LineStatusMessage, decode_line_status
from app.feed.notice_wire import NOTICE, NOTICE_ANS, BadNoticeAnswer, NoticeAnswer, decode_notice_answer
from app.feed.protocol import (
    ACK,
    BCAST,
    HB,
    MAX_BODY_BYTES,
    QUARANTINED_BEFORE,
    RESEND,
    Ack,
    BadHeartbeat,
    Heartbeat,
    Resend,
    decode_heartbeat,
)
from app.net.answer_bounds import AnswerBudget, Unanswered
from app.net.curve_guard import CurveGuard
from app.net.curve_keys import CurveServer
from app.net.zmq_loop import bind_patiently, wait_for_input

log = logging.getLogger(__name__)

AcceptFn = Callable[[bytes], Awaitable[Ack]]
# Takes a batch over when called (in arrival order, before the call returns); the awaitable gives each one's ACK,
# or the exception that kept it from being stored. With CURVE it is called with ``gateways=``: each broadcast's
# sender's public key (Z85), in the same order.
AcceptManyFn = Callable[..., Awaitable[list[Ack | BaseException]]]
RejectFn = Callable[[list[bytes], str], Awaitable[None] | None]
HeartbeatFn = Callable[[Heartbeat], Awaitable[None] | None]
NoticeAnswerFn = Callable[[NoticeAnswer], Awaitable[None] | None]
LineStatusFn = Callable[[LineStatusMessage], Awaitable[None] | None]

# High-water marks, on purpose (devices.md: the default of 1000 silently dropped half a fast burst on PUB/SUB).
# Receive side: a gateway catching up after an outage resends its backlog (thousands at once); the DEALER
# blocks rather than drops when our pipe is full, so RCVHWM only bounds memory (20,000 x ~300 B = 6 MB) and
# matches the gateway's resend history. Send side: a ROUTER *drops* what exceeds SNDHWM; with
# ROUTER_MANDATORY it raises EAGAIN instead, which we log. One ACK per broadcast, so a full backlog's ACKs fit.
DEFAULT_HWM = 20_000
RECV_BATCH = 256  # frames handled per wake-up before the outbox is looked at again (keeps RESENDs timely)
MAX_IN_FLIGHT = 4  # batches handed over and waiting for their commits; then the link waits (bounds memory)
MAX_REJECTING = 4  # refused frames being kept by the app (a quarantine row: writes) at once; then the link waits
MAX_FRAME_BYTES = 2 * MAX_BODY_BYTES  # ZMQ_MAXMSGSIZE, per frame: a larger one closes its sender's connection
MAX_LOGGED = 1000  # distinct (key, feed) refusals logged; past it they are only counted
UNDECODABLE = "undecodable"  # the answer_bounds row of ACKs to frames with no feed and number

ZAP_DOMAIN = "jis-feed"  # marks our CURVE handshakes (app/net/curve_guard.py)


def _no_reject(frames: list[bytes], reason: str) -> None:
    log.error("feed: rejected %d frame(s): %s", len(frames), reason)


class FeedLink:
    """Receives broadcasts and heartbeats from OEM gateways; sends ACKs and RESEND requests back."""

    def __init__(
        self,
        endpoint: str,
        accept: AcceptFn,
        *,
        accept_many: AcceptManyFn | None = None,
        reject: RejectFn = _no_reject,
        heartbeat: HeartbeatFn | None = None,
        hwm: int = DEFAULT_HWM,
        context: zmq.asyncio.Context | None = None,
        curve: CurveServer | None = None,
        publishers: Mapping[str, frozenset[bytes]] | None = None,
        notice_answer: NoticeAnswerFn | None = None,
        line_status: LineStatusFn | None = None,
    ) -> None:
        self.endpoint = endpoint
        self._on_notice_answer = notice_answer
        self._on_line_status = line_status
        self._curve = curve
        # feed -> the Z85 keys that may speak for it (CURVE only); None: any allowed key may speak for any feed
        self._publishers = publishers if curve is not None else None
        self._guard: CurveGuard | None = None
        self._accept = accept
        self._accept_many = accept_many or self._accept_each
        self._reject = reject
        self._on_heartbeat = heartbeat
        self._hwm = hwm
        self._ctx = context or zmq.asyncio.Context.instance()
        self._sock: zmq.asyncio.Socket | None = None
        self._direct: zmq.Socket[bytes] | None = None
        self._gateways: dict[str, bytes] = {}  # feed -> routing id of the gateway that last spoke for it
        self._owner: dict[bytes, bytes] = {}  # routing id in _gateways -> the key of its newest frame (CURVE)
        self._heard: dict[str, float] = {}  # feed -> monotonic time of its last BCAST or HB
        # (feed, kind, body): RESENDs and ship NOTICEs waiting for a gateway of the feed to send to
        self._outbox: list[tuple[str, bytes, bytes]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_flight: deque[asyncio.Task[None]] = deque()  # batches of broadcasts waiting for their commits
        self._rejecting: deque[asyncio.Task[None]] = deque()  # refused frames the app is keeping (``_rejected``)
        self.received = 0
        self.acked = 0
        self.rejected = 0
        self.unauthorised = 0  # heartbeats for a feed their sender may not publish (CURVE)
        self._logged: set[tuple[bytes, str]] = set()  # (key, feed) refusals logged once
        self.answer_budget = AnswerBudget()  # ACKs to undecodable frames, per source and window

    # -- public API ----------------------------------------------------------------------------------------
    def bind(self) -> str:
        """Bind the ROUTER (idempotent) and return the real endpoint (port 0 / * -> the port chosen)."""
        if self._sock is None:
            self._sock = self._make_socket()
            # The same socket through pyzmq's plain API, for NOBLOCK sends and receives. The asyncio wrapper does not
            # raise from a NOBLOCK send: it may queue it behind a cancelled poll's send-event (zmq/_future.py) and
            # report nothing, which hid EAGAIN. Only poll() goes through the asyncio wrapper.
            self._direct = zmq.Socket.shadow(self._sock.underlying)
            self.endpoint = self._sock.getsockopt_string(zmq.LAST_ENDPOINT)
        return self.endpoint

    async def run(self) -> None:
        """Own the ROUTER socket: receive, hand over, acknowledge, send RESENDs; until cancelled."""
        self._task = asyncio.current_task()
        try:
            await self._bind_patiently()
            guard = asyncio.create_task(self._guard.run()) if self._guard is not None else None
            try:
                while True:
                    self._flush_outbox()
                    _log_unanswered(self.answer_budget.due(time.monotonic()))
                    if await self._wait_for_input():
                        await self._receive_batch()
            finally:
                _log_unanswered(self.answer_budget.due(time.monotonic(), everything=True))
                waiting = [*self._in_flight, *self._rejecting, *([guard] if guard is not None else [])]
                self._in_flight.clear()
                self._rejecting.clear()
                for task in waiting:
                    task.cancel()
                await asyncio.gather(*waiting, return_exceptions=True)
        finally:
            self._task = None
            self._close_socket()

    def request_resend(self, feed: str, from_seq: int, to_seq: int) -> None:
        """Queue a RESEND for ``from_seq``..``to_seq`` (inclusive, across the wrap) to the feed's gateway.

        If no gateway has spoken for the feed yet (or it is gone), the request waits until one does.
        """
        body = Resend(feed=feed, from_seq=from_seq, to_seq=to_seq).encode()
        self._outbox.append((feed, RESEND, body))
        self._wake.set()

    def send_notice(self, feed: str, body: bytes) -> None:
        """Queue a ship NOTICE to the feed's gateway (docs/ship-notices.md); it waits, like a RESEND, until a
        gateway has spoken for the feed."""
        self._outbox.append((feed, NOTICE, body))
        self._wake.set()

    def last_heard(self, feed: str) -> float | None:
        """Monotonic time of the feed's last broadcast or heartbeat; None if never heard."""
        return self._heard.get(feed)

    @property
    def pending_resends(self) -> int:
        return sum(1 for _, kind, _ in self._outbox if kind == RESEND)

    @property
    def pending_notices(self) -> int:
        return sum(1 for _, kind, _ in self._outbox if kind == NOTICE)

    @property
    def refused(self) -> int:
        """Gateway handshakes refused by CURVE (unknown key, no CURVE, wrong server key); 0 without CURVE."""
        return self._guard.refused if self._guard is not None else 0

    def close(self) -> None:
        """Stop ``run`` (if running) and release the socket; safe to call twice."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        else:
            self._close_socket()

    # -- the socket ----------------------------------------------------------------------------------------
    def _make_socket(self) -> zmq.asyncio.Socket:
        sock = self._ctx.socket(zmq.ROUTER)
        sock.setsockopt(zmq.RCVHWM, self._hwm)
        sock.setsockopt(zmq.SNDHWM, self._hwm)
        # A frame larger than any broadcast closes its sender's connection before it is allocated (issue 15: eight
        # connections sending 100 MB frames took a service without it to 1 GB).
        sock.setsockopt(zmq.MAXMSGSIZE, MAX_FRAME_BYTES)
        # Fail loudly (EHOSTUNREACH) instead of silently dropping a RESEND to a gateway that is gone.
        sock.setsockopt(zmq.ROUTER_MANDATORY, 1)
        # A gateway that reconnects with the same routing id takes over its old, half-dead connection.
        sock.setsockopt(zmq.ROUTER_HANDOVER, 1)
        # Nothing queued here is precious: an unsent ACK makes the gateway resend (and we answer "duplicate").
        sock.setsockopt(zmq.LINGER, 0)
        guard = None
        try:
            if self._curve is not None:
                guard = CurveGuard(self._ctx, self._curve, domain=ZAP_DOMAIN, peer="gateway")
                guard.secure(sock, "feed")
            sock.bind(self.endpoint)
        except zmq.ZMQError:
            sock.close(linger=0)
            if guard is not None:
                guard.close()
            raise
        self._guard = guard
        return sock

    async def _bind_patiently(self) -> None:
        await bind_patiently(self.bind)

    def _close_socket(self) -> None:
        if self._sock is not None:
            self._direct = None
            self._sock.close(linger=0)
            self._sock = None
        if self._guard is not None:
            self._guard.close()  # the count stays readable

    async def _wait_for_input(self) -> bool:
        """Wait until a frame is readable or a RESEND is queued (bounded); True if a frame is readable."""
        assert self._sock is not None and self._direct is not None
        return await wait_for_input(self._sock, self._direct, self._wake)

    async def _receive_batch(self) -> None:
        """Everything waiting: broadcasts handed over together in arrival order (the service journals them as one
        group commit and each ACK goes out once its own broadcast is committed); other frames one by one, each
        after the broadcasts read before it are handed over, and each followed by a turn of the rest of the
        service (``_other``)."""
        assert self._direct is not None
        broadcasts: list[tuple[bytes, bytes]] = []  # (gateway identity, body)
        senders: list[bytes] = []  # each broadcast's sender's key (CURVE)
        for _ in range(RECV_BATCH):
            try:
                frames, sender = self._receive()
            except zmq.Again:
                break
            if len(frames) == 3 and frames[1] == BCAST:
                broadcasts.append((frames[0], frames[2]))
                senders.append(sender)
            else:
                self._hand_over(broadcasts, senders)
                broadcasts, senders = [], []
                await self._other(frames, sender)
        self._hand_over(broadcasts, senders)
        while self._in_flight and (self._in_flight[0].done() or len(self._in_flight) > MAX_IN_FLIGHT):
            await self._in_flight.popleft()

    def _hand_over(self, broadcasts: list[tuple[bytes, bytes]], senders: list[bytes]) -> None:
        """The broadcasts read so far, to the app in arrival order; their ACKs wait for their commits."""
        if not broadcasts:
            return
        self.received += len(broadcasts)
        raws = [raw for _, raw in broadcasts]
        try:  # handed over now, in arrival order
            answers = self._accept_many(raws, gateways=senders) if self._curve else self._accept_many(raws)
        except Exception as exc:  # nothing stored, nothing acknowledged: the gateway resends; the loop goes on
            answers = _failed(exc, len(broadcasts))
        self._in_flight.append(asyncio.create_task(self._acknowledge(broadcasts, answers, senders)))

    async def _other(self, frames: list[bytes], sender: bytes) -> None:
        """A frame that is not a broadcast, then a turn for the rest of the service: a flood of garbage (counted
        and refused at once, past its quarantine budget) held the loop for a whole batch of 256, so the journal's
        commits, the devices and the broadcasts behind it waited (issue 15: flood p99 8x quiet)."""
        await self._handle(frames, sender)
        await asyncio.sleep(0)

    def _receive(self) -> tuple[list[bytes], bytes]:
        """One message, NOBLOCK, and its sender's public key (Z85; b"" without CURVE), which the ZAP handler gave
        the connection as its User-Id. A routing id now spoken for by another key loses the feeds it may not keep."""
        assert self._direct is not None
        if self._curve is None:
            return self._direct.recv_multipart(flags=zmq.NOBLOCK), b""
        parts: list[Any] = self._direct.recv_multipart(flags=zmq.NOBLOCK, copy=False)
        sender = str(parts[-1].get("User-Id")).encode()
        frames = [part.bytes for part in parts]
        if self._owner.get(frames[0], sender) != sender:
            self._owner[frames[0]] = sender
            for feed in [f for f, gw in self._gateways.items() if gw == frames[0] and not self._may_speak(sender, f)]:
                log.warning(
                    "feed: routing id %r taken over by key %s, which may not publish %s", frames[0], sender, feed
                )
                del self._gateways[feed]
        return frames, sender

    def _may_speak(self, sender: bytes, feed: str) -> bool:
        """With CURVE and a publisher list: the sender's key is one the feed's gateways hold."""
        return self._publishers is None or sender in self._publishers.get(feed, frozenset())

    def _send(self, identity: bytes, kind: bytes, body: bytes) -> bool:
        """Send one message to one gateway now; False if it cannot take it (gone, or its pipe is full)."""
        assert self._direct is not None
        try:
            self._direct.send_multipart([identity, kind, body], flags=zmq.NOBLOCK)
        except zmq.ZMQError as exc:  # Again (pipe full) or EHOSTUNREACH (ROUTER_MANDATORY: peer gone)
            log.warning("feed: could not send %s to gateway %r: %s", kind.decode(), identity, exc)
            if exc.errno == zmq.EHOSTUNREACH:
                self._forget_gateway(identity)
            return False
        return True

    def _forget_gateway(self, identity: bytes) -> None:
        """The gateway is gone: queued RESENDs wait (without retry noise) until it, or another, speaks again."""
        for feed in [f for f, gw in self._gateways.items() if gw == identity]:
            del self._gateways[feed]
        self._owner.pop(identity, None)

    # -- dispatch ------------------------------------------------------------------------------------------
    async def _handle(self, frames: list[bytes], sender: bytes) -> None:
        """A frame that is not a well-formed BCAST (those go in batches): a heartbeat, or something to reject."""
        identity, body = frames[0], frames[1:]
        if len(body) == 2 and body[0] == NOTICE_ANS:
            await self._on_notice_answer_frame(body[1], frames, sender)
        elif len(body) == 2 and body[0] == LINE:
            await self._on_line_frame(body[1], frames, sender)
        elif not body or body[0] not in (BCAST, HB):
            await self._rejected(frames, f"unknown frame kind {body[0][:16]!r}" if body else "empty message")
        elif len(body) != 2:
            await self._rejected(frames, f"{body[0].decode()} needs exactly 1 body frame, got {len(body) - 1}")
        else:
            await self._on_heartbeat_frame(identity, body[1], frames, sender)

    async def _acknowledge(
        self,
        broadcasts: list[tuple[bytes, bytes]],
        accepting: Awaitable[list[Ack | BaseException]],
        senders: list[bytes],
    ) -> None:
        """Each broadcast's ACK once the app has it committed; none for one it could not store. Only a broadcast
        acknowledged accepted or duplicate makes its sender the feed's gateway (where its RESENDs go). The ACK of one
        with no feed and number (undecodable) goes out only within its source's answers (``app.net.answer_bounds``)."""
        try:
            answers = await accepting
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            answers = [exc] * len(broadcasts)
        failed: list[BaseException] = []
        for (identity, _), answer, sender in zip(broadcasts, answers, senders, strict=True):
            if isinstance(answer, BaseException):  # not stored, so not acknowledged: the gateway resends it
                failed.append(answer)
                continue
            if answer.seq is None and not self.answer_budget.answer(
                _source(identity, sender), UNDECODABLE, time.monotonic()
            ):
                continue  # counted; nothing a gateway could match
            if self._send(identity, ACK, answer.encode()):
                self.acked += 1
            if _routes(answer) and self._may_speak(sender, answer.feed):
                self._heard_from(answer.feed, identity, sender)
        if failed:
            log.error(
                "feed: accept failed for %d broadcast(s) (%r); left for the gateway to resend", len(failed), failed[0]
            )

    def _accept_each(
        self, raws: list[bytes], gateways: list[bytes] | None = None
    ) -> Awaitable[list[Ack | BaseException]]:
        """``accept_many`` for an app that takes one broadcast at a time: a task each, started in arrival order. Such
        an app is not told the senders: checking them against ``publishers`` is ``accept_many``'s to do."""
        return asyncio.gather(*[asyncio.ensure_future(self._accept(raw)) for raw in raws], return_exceptions=True)

    async def _on_heartbeat_frame(self, identity: bytes, raw: bytes, frames: list[bytes], sender: bytes) -> None:
        try:
            hb = decode_heartbeat(raw)
        except BadHeartbeat as exc:
            await self._rejected(frames, str(exc))
            return
        if not self._may_speak(sender, hb.feed):  # neither liveness nor a route for RESENDs
            self.unauthorised += 1
            if (sender, hb.feed) not in self._logged and len(self._logged) < MAX_LOGGED:
                self._logged.add((sender, hb.feed))
                log.warning(
                    "feed: heartbeat for %s from gateway key %s, which may not publish it: ignored",
                    hb.feed,
                    sender.decode(),
                )
            return
        self._heard_from(hb.feed, identity, sender)
        if self._on_heartbeat is not None:
            await _maybe_await(self._on_heartbeat(hb))

    async def _on_notice_answer_frame(self, raw: bytes, frames: list[bytes], sender: bytes) -> None:
        """The OEM's answer to a ship notice, from a gateway that may speak for the notice's feed."""
        try:
            answer = decode_notice_answer(raw)
        except BadNoticeAnswer as exc:
            await self._rejected(frames, str(exc))
            return
        if not self._may_speak(sender, answer.feed) or self._on_notice_answer is None:
            await self._rejected(frames, f"notice answer for {answer.feed} not taken from this gateway")
            return
        try:
            await _maybe_await(self._on_notice_answer(answer))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("feed: notice answer callback failed for %s", answer.notice_id)

    async def _on_line_frame(self, raw: bytes, frames: list[bytes], sender: bytes) -> None:
        """The OEM line's status, from a gateway that may speak for its feed (app.feed.line_wire)."""
        try:
            status = decode_line_status(raw)
        except BadLineStatus as exc:
            await self._rejected(frames, str(exc))
            return
        if not self._may_speak(sender, status.feed) or self._on_line_status is None:
            await self._rejected(frames, f"line status for {status.feed} not taken from this gateway")
            return
        try:
            await _maybe_await(self._on_line_status(status))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("feed: line status callback failed for %s", status.feed)

    async def _rejected(self, frames: list[bytes], reason: str) -> None:
        """Hand garbage to the app (without our routing envelope) in a task of its own, so the link reads on while
        the app keeps it (its first rows in a window are writes: awaited here, each held the broadcasts behind it);
        at most ``MAX_REJECTING`` at once, then the link waits for the oldest."""
        self.rejected += 1
        self._rejecting.append(asyncio.create_task(self._reject_one(frames[1:], reason)))
        while self._rejecting and (self._rejecting[0].done() or len(self._rejecting) > MAX_REJECTING):
            await self._rejecting.popleft()

    async def _reject_one(self, frames: list[bytes], reason: str) -> None:
        """The app's reject callback; a failing one never stops the loop."""
        try:
            await _maybe_await(self._reject(frames, reason))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("feed: reject callback failed for %s", reason)

    def _heard_from(self, feed: str, identity: bytes, sender: bytes) -> None:
        self._heard[feed] = time.monotonic()
        if self._curve is not None:
            self._owner[identity] = sender
        old = self._gateways.get(feed)
        if old != identity:
            self._gateways[feed] = identity
            if old is not None and old not in self._gateways.values():
                self._owner.pop(old, None)  # kept only for the routing ids RESENDs go to
            self._wake.set()  # queued RESENDs for this feed can go now

    def _flush_outbox(self) -> None:
        """Send queued RESENDs and NOTICEs whose feed has a gateway; keep the rest, in order, for later."""
        waiting: list[tuple[str, bytes, bytes]] = []
        for feed, kind, body in self._outbox:
            identity = self._gateways.get(feed)
            if identity is None or not self._send(identity, kind, body):
                waiting.append((feed, kind, body))
        self._outbox = waiting


def _source(identity: bytes, sender: bytes) -> str:
    """Whose answers an undecodable frame spends: its sender's CURVE key, else its routing id (which a sender may
    pick: one rotating ids has ``SOURCES`` windows at most, then shares one)."""
    return f"gateway {sender.decode()}" if sender else f"routing id {identity.hex()}"


def _log_unanswered(due: list[Unanswered]) -> None:
    """One log line for each source whose window is over with frames not answered (each was quarantined or counted
    within the quarantine's bounds)."""
    for unanswered in due:
        log.warning("feed: %s", unanswered.detail)


def _routes(answer: Ack) -> bool:
    """An ACK that makes its sender the feed's gateway for RESENDs: its broadcast was stored (accepted) or was a copy
    of one stored (duplicate); a copy of input quarantined before is not."""
    return answer.status == "accepted" or (answer.status == "duplicate" and answer.reason != QUARANTINED_BEFORE)


async def _failed(exc: Exception, n: int) -> list[Ack | BaseException]:
    return [exc] * n


async def _maybe_await(result: Awaitable[None] | None) -> None:
    if inspect.isawaitable(result):
        await result
