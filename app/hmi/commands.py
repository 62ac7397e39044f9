"""The HMI command channel: log in, then ask for manual operations; each is checked by role and audited.

What it is for: a ZeroMQ ROUTER bound at the plant file's ``service.hmi_command_endpoint``. HMIs connect a
DEALER (or a REQ) and send one JSON object per message (docs/hmi-commands.md): ``login`` answers a random
session token; ``intent`` turns a token, an intent type, its fields and a reason into a ``sequencer.events``
ManualOp whose ``at`` comes from the service's clock and whose ``user`` comes from the session, never from the
HMI; ``logout`` ends the session. Every attempt is written to the audit log before it is answered: done,
refused by the core (with its reason), forbidden for the role, without a login, with a bad token, malformed.

Rules this module keeps:
- ``run()`` is the socket's one owning task. Logins (argon2 costs ~0.15 s of CPU) are checked by a worker task
  on their own thread so a burst of logins never delays a lead's Hold; its replies go out through ``run()``.
  Intents are handled one at a time in arrival order (an HMI's Hold then Release stay in that order).
- No input stops the loop: bad JSON, unknown keys (``extra="forbid"``), wrong types (strict), oversize or deeply
  nested requests (refused by a cheap scan before any parser, answered "malformed" and audited like the rest:
  one line each up to a bound per source and minute, then counted into one line, ``app.hmi.audit_bounds``;
  answered up to a bound per source and minute when no live session signed them, then counted and left
  unanswered, ``app.hmi.answer_bounds``); a frame over ``MAX_FRAME_BYTES`` closes its sender's connection in
  libzmq, before it is allocated.
- Failed logins are limited per source and per user name, never overall (``app.hmi.login_limits``): a source
  that must wait is answered ``rate_limited`` (audited) before its login reaches the hash thread, and each source
  has at most ``QUEUED_PER_SOURCE`` logins waiting for it, so a spray from one screen or host cannot keep a lead
  from logging in at their own screen. Every refused login of a known name (``KnownNames``) is one audit line; a
  source's refused logins of unknown names are bounded as unsigned requests are (``app.hmi.audit_bounds``).
- Passwords and tokens are never logged or audited; validation errors are reported without their input.
- An intent with the HMI's ``request_id`` is an operation done once: the service journals it with its identity
  (the user and the request id, ``journal.identity``), so the same request again (a retry after a time-out, a
  lost reply, a restart) is not carried out again and gets the first's answer (remembered for the newest
  ``ANSWERS_KEPT``; older, or after a restart, the core's answer to the journaled row is worked out again).
- With ``curve=`` (``[service.hmi_curve]``, app/net/curve_guard.py) the ROUTER is a CURVE server: passwords and tokens
  are encrypted off-host and a screen whose key is not listed never completes a handshake.
It must not decide what an operation means for the line (the core does, via ``submit_checked``), store
anything itself (``app.hmi.accounts`` does), or trust the HMI's idea of who or when.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from functools import partial
from typing import Any, Protocol, TypeVar, assert_never

import zmq
import zmq.asyncio

from app.hmi.accounts import AccountStore, AuditEntry, badge_key
from app.hmi.answer_bounds import AnswerBudget, Unanswered
from app.hmi.audit_bounds import AuditBudget
from app.hmi.login_limits import LoginLimits
from app.hmi.roles import CHANGE_STATION, INTENTS, REPROCESS, TRACE, build_intent, may, roles_allowed
from app.hmi.wire import (
    MAX_FRAME_BYTES,
    MESSAGES,
    BadgeLoginRequest,
    IntentRequest,
    Login,
    LoginRequest,
    LogoutRequest,
    Outcome,
    Peer,
    StationRequest,
    describe,
    fields_json,
    intent_identity,
    parse_request,
    salvage,
    split_frames,
)
from app.net.curve_guard import CurveGuard
from app.net.zmq_loop import bind_patiently, wait_for_input
from app.persist.store import JournalPaused
from sequencer.commands import AuditRecord, Command
from sequencer.core import SequencerError
from sequencer.events import ManualOp

log = logging.getLogger(__name__)
T = TypeVar("T")

HWM = 1_000  # messages queued per peer; an HMI has a request or two in flight, so this only bounds memory
RECV_BATCH = 64
SESSION_LIFETIME_S = 8 * 3600.0  # one shift; a panel logs in again at the next
MAX_SESSION_LIFETIME_S = 12 * 3600.0
TRACE_ROWS = 500  # parts in one TraceParts answer (a batch recalled over a long run is asked in parts: by vehicle)
LOGIN_QUEUE = 16  # logins waiting for the hash thread; beyond it the answer is "busy"
QUEUED_PER_SOURCE = 2  # of those, from one source (app.hmi.wire.Peer.source); beyond it that source is "busy"
KNOWN_REFRESH_S = 10.0  # the known names are read again at most this often, when a refused login names a stranger
USUAL_SEEDED = 2_000  # good logins read back from the audit log at start: the users' usual screens
ANSWERS_KEPT = 1_000  # answers of operations with a request id, for a retry; older ones are found in the journal

Answer = tuple[str, str, str]  # (outcome code, message, the core's target)


class Taken(Protocol):
    """What became of an operation sent with its identity (``app.service.sequencing.Outcome``)."""

    @property
    def commands(self) -> list[Command]: ...

    @property
    def repeat_of(self) -> int | None: ...


class CommandService(Protocol):
    """What the server needs of the service (``app.service.runtime.Service`` has it; tests use a double)."""

    clock: Callable[[], float]

    async def submit_checked(self, event: Any, raw: bytes | None = None) -> list[Command]: ...

    async def submit_once(self, event: Any, identity: str) -> Taken:
        """Journal and carry out ``event`` unless ``identity`` is journaled already (then ``repeat_of`` names its
        row and nothing is done); a refusal raises ``SequencerError``."""
        ...

    async def answer_of(self, journal_id: int) -> list[Command]:
        """The core's answer to that journal row as it was given (a refusal raises ``SequencerError`` again)."""
        ...

    async def reprocess(self, quarantine_id: int) -> tuple[bool, str]: ...

    async def trace(self, *, vin: str | None, serial: str | None, batch: str | None) -> list[dict[str, Any]]:
        """The parts traced to that vehicle, serial or batch (``traced_parts``: ``app.service.trace``)."""
        ...


class HmiCommandServer:
    """Serve HMI commands for ``service`` with the users, sessions and audit log in ``accounts``.

    ``clock`` is real time (epoch seconds) for session expiry and the login limits; the plant clock
    (``service.clock``, faster than real time in the demo) stamps intents and audit lines. ``executor`` runs
    the database work (the service passes its single writer thread; default: a thread of our own). ``curve``:
    the HMI's CURVE guard (``HmiPublisher.guard``), whose ``run`` the bus publisher owns.
    """

    def __init__(
        self,
        service: CommandService,
        accounts: AccountStore,
        endpoint: str,
        clock: Callable[[], float] = time.time,
        *,
        context: zmq.asyncio.Context | None = None,
        executor: Executor | None = None,
        session_lifetime_s: float = SESSION_LIFETIME_S,
        curve: CurveGuard | None = None,
    ) -> None:
        if not 0 < session_lifetime_s <= MAX_SESSION_LIFETIME_S:
            raise ValueError(f"session lifetime must be in (0, {MAX_SESSION_LIFETIME_S:.0f}] s")
        self.service = service
        self.accounts = accounts
        self.endpoint = endpoint
        self.clock = clock
        self.session_lifetime_s = session_lifetime_s
        self.limits = LoginLimits()
        self.audit_budget = AuditBudget()  # unsigned requests and strangers' logins audited per source and window
        self.answer_budget = AnswerBudget()  # unreadable unsigned requests answered per source and window
        self.known = KnownNames(accounts.known_names)
        self._queued: dict[str, int] = {}  # source -> its logins waiting for the hash thread
        self.outcomes: dict[str, int] = dict.fromkeys(MESSAGES, 0)
        self._ctx = context or zmq.asyncio.Context.instance()
        self._curve = curve  # CURVE server under the HMI's guard (app/net/curve_guard.py); the guard runs elsewhere
        self._own_db = executor is None
        self._db_pool = executor or ThreadPoolExecutor(max_workers=1, thread_name_prefix="accounts-db")
        self._hash_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="login-hash")
        self._sock: zmq.asyncio.Socket | None = None
        self._direct: zmq.Socket[bytes] | None = None
        self._logins: asyncio.Queue[tuple[Login, Peer]] = asyncio.Queue(LOGIN_QUEUE)
        self._outbox: list[tuple[Peer, dict[str, Any]]] = []
        self._wake = asyncio.Event()
        self._in_flight: set[tuple[float, str, str, str]] = set()
        self._answers: OrderedDict[str, Answer] = OrderedDict()  # identity -> the first answer (done or refused)

    # -- public API ----------------------------------------------------------------------------------------
    def bind(self) -> str:
        """Bind the ROUTER (idempotent) and return the real endpoint (port 0 -> the port chosen)."""
        if self._sock is None:
            sock = self._ctx.socket(zmq.ROUTER)
            # ROUTER_MANDATORY: a reply to an HMI that has gone fails loudly (logged) instead of vanishing.
            # MAXMSGSIZE: eight connections sending 100 MB requests took a service without it to 1 GB (issue 15).
            options = ((zmq.RCVHWM, HWM), (zmq.SNDHWM, HWM), (zmq.LINGER, 0), (zmq.ROUTER_MANDATORY, 1))
            for option, value in (*options, (zmq.MAXMSGSIZE, MAX_FRAME_BYTES)):
                sock.setsockopt(option, value)
            try:
                if self._curve is not None:
                    self._curve.secure(sock, "commands")
                sock.bind(self.endpoint)
            except zmq.ZMQError:
                sock.close(linger=0)
                raise
            self._sock = sock
            # pyzmq's plain API on the same socket for NOBLOCK I/O (app/feed/link.py: the asyncio wrapper can
            # hide EAGAIN on a NOBLOCK send); only the poll goes through the asyncio wrapper.
            self._direct = zmq.Socket.shadow(sock.underlying)
            self.endpoint = sock.getsockopt_string(zmq.LAST_ENDPOINT)
        return self.endpoint

    async def run(self) -> None:
        """Own the ROUTER until cancelled: receive, check, carry out, audit, answer."""
        worker = asyncio.create_task(self._login_worker(), name="hmi-logins")
        try:
            await self._bind_patiently()
            await self._learn_usual_screens()  # before the first request is read
            log.info("HMI commands on %s", self.endpoint)
            while True:
                self._flush_outbox()
                await self._audit_counted()
                self._log_unanswered(self.answer_budget.due(self.clock()))
                if await self._wait_for_input():
                    await self._receive_batch()
        finally:
            for counted in self.audit_budget.due(self.clock(), everything=True):  # no await here: logged only
                log.warning("HMI commands: at the stop, %s", counted.detail)
            self._log_unanswered(self.answer_budget.due(self.clock(), everything=True))
            # Nothing awaited here: a second cancel (the service cancels its gathered tasks twice) would cut a
            # finally short and leave the socket open, and the context's term() would wait for it for ever.
            self._close_socket()
            worker.cancel()
            self._hash_pool.shutdown(wait=False, cancel_futures=True)
            if self._own_db:
                self._db_pool.shutdown(wait=False)

    def owns(self, record: AuditRecord) -> bool:
        """True if ``record`` is the core's record of an intent this server is carrying out right now: the
        server writes that audit line itself (with the role and the HMI's address), so the service skips it."""
        return (record.at, record.user, record.action, record.reason) in self._in_flight

    # -- the socket ----------------------------------------------------------------------------------------
    async def _bind_patiently(self) -> None:
        await bind_patiently(self.bind)

    def _close_socket(self) -> None:
        if self._sock is not None:
            self._direct = None
            self._sock.close(linger=0)
            self._sock = None

    async def _wait_for_input(self) -> bool:
        """Wait (bounded) until a request is readable or a login reply is queued; True if readable."""
        assert self._sock is not None and self._direct is not None
        return await wait_for_input(self._sock, self._direct, self._wake)

    async def _receive_batch(self) -> None:
        assert self._direct is not None
        for _ in range(RECV_BATCH):
            try:
                frames = self._direct.recv_multipart(flags=zmq.NOBLOCK, copy=False)
            except zmq.Again:
                return
            peer, body = split_frames(frames)
            try:
                await self._handle(peer, body)
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug must cost one request, never the channel
                log.exception("HMI commands: request %s failed", peer.detail)
                self._send(peer, Outcome(code="error").reply())
            # one request at a time, then the rest of the service: a flood of requests that need no database
            # (garbage, answered at once) held the loop, and so the feed and the devices, for a whole batch
            await asyncio.sleep(0)

    def _send(self, peer: Peer, reply: dict[str, Any]) -> None:
        if self._direct is None:
            return
        try:
            self._direct.send_multipart([*peer.envelope, json.dumps(reply).encode()], flags=zmq.NOBLOCK)
        except zmq.ZMQError as exc:  # EHOSTUNREACH (the HMI has gone) or EAGAIN (its pipe is full)
            log.warning("HMI commands: reply %s dropped: %s", peer.detail, exc)

    def _flush_outbox(self) -> None:
        ready, self._outbox = self._outbox, []
        for peer, reply in ready:
            self._send(peer, reply)

    # -- one request ---------------------------------------------------------------------------------------
    async def _handle(self, peer: Peer, body: bytes | None) -> None:
        """One request, by its kind (one case each: a new kind fails the type check until it is handled here).
        Logins go to the login worker, which answers through ``run()``; the rest are answered here."""
        request, problem = parse_request(body)
        match request:
            case LoginRequest() | BadgeLoginRequest():
                outcome = self._refused_login(request, peer)
                if outcome is None:
                    try:
                        self._logins.put_nowait((request, peer))
                        self._queued[peer.source] = self._queued.get(peer.source, 0) + 1
                        return
                    except asyncio.QueueFull:
                        who, action = login_names(request)
                        outcome = Outcome(code="busy", request_id=request.id, user=who, action=action)
            case LogoutRequest():
                outcome = await self._logout(request)
            case IntentRequest():
                outcome = await self.intent(request)
            case StationRequest():
                outcome = await self.station(request)
            case None:
                outcome = await self._malformed(body or b"", problem)
            case _:
                assert_never(request)
        await self._finish(outcome, peer)

    async def _finish(self, outcome: Outcome, peer: Peer, *, deferred: bool = False) -> None:
        """Audit first, then answer, so the log holds every attempt an HMI was told about. A ``deferred``
        reply (from the login worker) is handed to ``run()``, the socket's owner. An unreadable request nobody
        signed, past its source's answers a window (``app.hmi.answer_bounds``), is audited (within its bound) and
        counted, not answered."""
        self.outcomes[outcome.code] += 1
        fields = {k: getattr(outcome, k) for k in ("user", "role", "action", "target", "reason")}
        detail = " ".join(filter(None, (peer.detail, outcome.detail, outcome.message)))
        entry = AuditEntry(at=self.service.clock(), result=outcome.code, detail=detail, **fields)
        action, now = outcome.action, self.clock()
        try:
            known = self.audit_budget.bounded(outcome.code, action) and await self._known(outcome.user, now)
            if self.audit_budget.admit(peer.source, outcome.code, now, action=action, known=known):  # else counted
                await self._db(self.accounts.audit_append, entry)
        except Exception:
            log.exception("HMI commands: audit write failed for %r", entry)
        if deferred:
            self._outbox.append((peer, outcome.reply()))
            self._wake.set()
        elif self.answer_budget.answer(peer.source, outcome.code, now, signed=bool(outcome.role)):
            self._send(peer, outcome.reply())

    @staticmethod
    def _log_unanswered(due: list[Unanswered]) -> None:
        """One log line for each source whose window is over with requests not answered (not audited: the audit
        holds the requests themselves, within their own bound)."""
        for unanswered in due:
            log.warning("HMI commands: %s", unanswered.detail)

    async def _known(self, name: str, now: float) -> bool:
        """Whether ``name`` is a user's or a held badge's (read again from the accounts if it was not, at most every
        ``KNOWN_REFRESH_S``, on the database thread)."""
        if self.known.has(name) or not self.known.stale(now):
            return self.known.has(name)
        await self._db(self.known.refresh, now)
        return self.known.has(name)

    async def _audit_counted(self) -> None:
        """One audit line for each source whose window is over with requests counted, not audited one by one."""
        for counted in self.audit_budget.due(self.clock()):
            entry = AuditEntry(
                at=self.service.clock(), user="", role="", action="", target="", reason="", result="counted"
            )
            try:
                await self._db(self.accounts.audit_append, dataclasses.replace(entry, detail=counted.detail))
            except Exception:
                log.exception("HMI commands: audit write failed for %r", counted)
            log.warning("HMI commands: %s", counted.detail)

    async def _malformed(self, body: bytes, problem: str) -> Outcome:
        hint = salvage(body)
        user, role = hint.get("user", ""), ""
        if hint.get("token"):
            user, role = await self._db(self.accounts.session, hint["token"], now=self.clock()) or (user, "")
        action = hint.get("type", "") if hint.get("op") == "intent" else hint.get("op", "")
        return Outcome(
            code="malformed", request_id=hint.get("id"), message=problem, user=user, role=role, action=action
        )

    async def _logout(self, req: LogoutRequest) -> Outcome:
        user = await self._db(self.accounts.close_session, req.token) if req.token else None
        return Outcome(code="done" if user else "bad_token", request_id=req.id, user=user or "", action="logout")

    async def intent(self, req: IntentRequest) -> Outcome:
        """One intent request, without the socket (``run`` answers with it; tests call it directly): no login,
        bad token, unknown type, forbidden, malformed fields, refused, or done, in that order. One with a
        ``request_id`` whose operation was carried out (or refused) before gets that first answer and is not
        carried out again."""
        base = Outcome(
            code="",
            request_id=req.id,
            once_id=req.request_id,
            action=req.type,
            target=describe(req.fields),
            reason=req.reason,
            detail=fields_json(req.fields),
        )
        who = await self._db(self.accounts.session, req.token, now=self.clock()) if req.token else None
        if who is None:
            return dataclasses.replace(base, code="bad_token" if req.token else "no_login")
        base = dataclasses.replace(base, user=who[0], role=who[1])
        if req.type not in INTENTS and req.type not in (REPROCESS, TRACE):
            return dataclasses.replace(base, code="malformed", message=f"unknown intent {req.type!r}")
        if not may(base.role, req.type):
            why = f"role {base.role} may not {req.type} (allowed: {', '.join(roles_allowed(req.type))})"
            return dataclasses.replace(base, code="forbidden", message=why)
        if req.type == TRACE:  # a question: nothing changes, nothing to remember
            return await self._trace(base, req)
        if req.type == REPROCESS:  # the service's operation, not journaled as one: its answer is remembered here
            identity = intent_identity(base.user, req.request_id) if req.request_id else None
            if identity is not None and identity in self._answers:
                code, message, target = self._answers[identity]
                extra = {"result": {"action": REPROCESS, "target": target, "detail": message}}
                return dataclasses.replace(base, code=code, message=message, target=target, extra=extra)
            outcome = await self._reprocess(base, req)
            self._remember(identity, (outcome.code, outcome.message, outcome.target))
            return outcome
        try:
            intent = build_intent(req.type, req.fields, at=self.service.clock(), user=base.user, reason=req.reason)
        except ValueError as exc:
            return dataclasses.replace(base, code="malformed", message=str(exc))
        identity = intent_identity(base.user, req.request_id) if req.request_id else None
        code, message, target, repeat_of = await self._carry_out(intent, identity)
        result = {"result": {"action": req.type, "target": target or base.target}}
        again = f"repeat of request {req.request_id} (journal row {repeat_of})" if repeat_of is not None else ""
        detail = " ".join(filter(None, (base.detail, again)))
        return dataclasses.replace(
            base, code=code, message=message, target=target or base.target, extra=result, detail=detail
        )

    async def _trace(self, base: Outcome, req: IntentRequest) -> Outcome:
        """The parts traced to one vehicle (``vin``), ``serial`` or ``batch``: at most ``TRACE_ROWS`` of them."""
        fields = req.fields
        asked = {k: v for k, v in fields.items() if k in ("vin", "serial", "batch")}
        if (
            len(fields) != 1
            or len(asked) != 1
            or not all(isinstance(v, str) and 0 < len(v) <= 64 for v in asked.values())
        ):
            return dataclasses.replace(
                base, code="malformed", message="TraceParts needs one of vin, serial, batch (str)"
            )
        key, value = next(iter(asked.items()))
        assert isinstance(value, str)
        found = await self.service.trace(
            vin=value if key == "vin" else None,
            serial=value if key == "serial" else None,
            batch=value if key == "batch" else None,
        )
        target = f"{key} {value}"
        extra = {
            "result": {"action": TRACE, "target": target, "traces": found[:TRACE_ROWS], "more": len(found) > TRACE_ROWS}
        }
        return dataclasses.replace(base, code="done", message=f"{len(found)} traced", target=target, extra=extra)

    async def station(self, req: StationRequest) -> Outcome:
        """A kiosk panel's change of station (``CHANGE_STATION``, a lead's): audited under the session's user; the
        panel moves when the answer is done. Nothing on the line changes (a screen's choice, not an intent)."""
        target = f"{req.station_from or '?'} -> {req.station_to}"
        base = Outcome(code="", request_id=req.id, action=CHANGE_STATION, target=target)
        who = await self._db(self.accounts.session, req.token, now=self.clock()) if req.token else None
        if who is None:
            return dataclasses.replace(base, code="bad_token" if req.token else "no_login")
        base = dataclasses.replace(base, user=who[0], role=who[1])
        if not may(base.role, CHANGE_STATION):
            allowed = ", ".join(roles_allowed(CHANGE_STATION))
            return dataclasses.replace(base, code="forbidden", message=f"role {base.role} may not (allowed: {allowed})")
        return dataclasses.replace(base, code="done", extra={"result": {"action": CHANGE_STATION, "target": target}})

    async def _reprocess(self, base: Outcome, req: IntentRequest) -> Outcome:
        """A lead sends a quarantined message through the intake again (the service's operation, not the core's)."""
        qid = req.fields.get("quarantine_id")
        if set(req.fields) != {"quarantine_id"} or not isinstance(qid, int) or isinstance(qid, bool):
            return dataclasses.replace(base, code="malformed", message="ReprocessQuarantined needs quarantine_id (int)")
        if not req.reason.strip():
            return dataclasses.replace(base, code="refused", message="a reprocess needs a reason")
        ok, message = await self.service.reprocess(qid)
        target = f"quarantine #{qid}"
        extra = {"result": {"action": REPROCESS, "target": target, "detail": message}}
        return dataclasses.replace(base, code="done" if ok else "refused", message=message, target=target, extra=extra)

    async def _carry_out(self, intent: ManualOp, identity: str | None) -> tuple[str, str, str, int | None]:
        """(outcome, message, the core's target, the journal row of the first arrival if this is a repeat) of
        handing the intent to the core; with an ``identity``, once: a repeat gets the first's answer."""
        key = (intent.at, intent.user, type(intent).__name__, intent.reason)
        self._in_flight.add(key)
        repeat_of: int | None = None
        try:
            if identity is None:
                commands = await self.service.submit_checked(intent)
            else:
                taken = await self.service.submit_once(intent, identity)
                repeat_of, commands = taken.repeat_of, taken.commands
                if repeat_of is not None:
                    return (*await self._first_answer(identity, repeat_of, key[2]), repeat_of)
        except SequencerError as exc:
            return (*self._remember(identity, ("refused", str(exc), "")), None)
        except JournalPaused as exc:  # not stored: not remembered either, the same request may come again
            log.warning("HMI commands: %s not taken: %s", type(intent).__name__, exc)
            return "error", f"{exc}; try again once the journal is written again", "", None
        except Exception:
            log.exception("HMI commands: %r failed", intent)
            return "error", "", "", None
        finally:
            self._in_flight.discard(key)
        return (*self._remember(identity, _done(commands, key[2])), None)

    async def _first_answer(self, identity: str, journal_id: int, action: str) -> Answer:
        """The answer the first arrival got: remembered, or (after a restart) the core's answer to its journal
        row again (``CommandService.answer_of``)."""
        if identity in self._answers:
            return self._answers[identity]
        try:
            answer = _done(await self.service.answer_of(journal_id), action)
        except SequencerError as exc:
            answer = ("refused", str(exc), "")
        return self._remember(identity, answer)

    def _remember(self, identity: str | None, answer: Answer) -> Answer:
        if identity is not None:
            self._answers[identity] = answer
            self._answers.move_to_end(identity)
            while len(self._answers) > ANSWERS_KEPT:
                self._answers.popitem(last=False)
        return answer

    # -- logins --------------------------------------------------------------------------------------------
    async def _learn_usual_screens(self) -> None:
        """The users' usual screens from the audit log's good logins (``source ...`` in their detail), so that a
        restart does not make a lead a stranger at their own screen during a spray."""
        try:
            entries = await self._db(self.accounts.audit_query, action="login", result="done", limit=USUAL_SEEDED)
        except Exception:
            log.exception("HMI commands: the audit log's logins could not be read; usual screens start empty")
            return
        for entry in entries:
            _, found, rest = entry.detail.partition(" source ")
            if found and rest:
                self.limits.succeeded(entry.user, rest.split(" ", 1)[0])

    def _refused_login(self, req: Login, peer: Peer) -> Outcome | None:
        """A login answered before the hash thread: its source or (from a screen not its usual) its name or badge
        must wait (``rate_limited``), or its source has ``QUEUED_PER_SOURCE`` logins waiting already (``busy``)."""
        who, action = login_names(req)
        wait, why = self.limits.retry_after(who, peer.source, self.clock())
        if wait > 0:
            message = f"try again in {wait:.0f} s"
            return Outcome(code="rate_limited", request_id=req.id, user=who, action=action, message=message, detail=why)
        if self._queued.get(peer.source, 0) >= QUEUED_PER_SOURCE:
            return Outcome(code="busy", request_id=req.id, user=who, action=action)
        return None

    async def _login_worker(self) -> None:
        while True:
            req, peer = await self._logins.get()
            left = self._queued.get(peer.source, 1) - 1
            if left > 0:
                self._queued[peer.source] = left
            else:
                self._queued.pop(peer.source, None)
            try:
                outcome = self._refused_login(req, peer) or await self._login(req, peer)
            except asyncio.CancelledError:
                raise
            except Exception:
                who, action = login_names(req)
                log.exception("HMI commands: login of %r failed", who)
                outcome = Outcome(code="error", request_id=req.id, user=who, action=action)
            await self._finish(outcome, peer, deferred=True)

    async def _login(self, req: Login, peer: Peer) -> Outcome:
        if isinstance(req, BadgeLoginRequest):
            return await self._badge_login(req, peer)
        base = Outcome(code="", request_id=req.id, user=req.user, action="login")
        loop = asyncio.get_running_loop()
        role = await loop.run_in_executor(self._hash_pool, self.accounts.verify, req.user, req.password)
        if role is None:
            self.limits.failed(req.user, peer.source, self.clock())
            return dataclasses.replace(base, code="bad_login")
        self.limits.succeeded(req.user, peer.source)
        self.known.add(req.user)
        session = await self._db(
            self.accounts.open_session, req.user, role, now=self.clock(), lifetime_s=self.session_lifetime_s
        )
        language = await self._db(self.accounts.language_of, req.user)
        extra = {
            "user": req.user,
            "token": session.token,
            "role": role,
            "expires_at": session.expires_at,
            "language": language,
        }
        return dataclasses.replace(base, code="done", role=role, extra=extra)

    async def _badge_login(self, req: BadgeLoginRequest, peer: Peer) -> Outcome:
        """An operator's badge and PIN: limited and audited as a password login, under the badge's key (a digest,
        never the badge) until the badge names its user; the session is the user's, as after a password."""
        key, action = login_names(req)
        base = Outcome(code="", request_id=req.id, user=key, action=action)
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(self._hash_pool, self.accounts.verify_badge, req.badge, req.pin)
        if found is None:
            self.limits.failed(key, peer.source, self.clock())
            return dataclasses.replace(base, code="bad_badge")
        user, role = found
        self.limits.succeeded(key, peer.source)
        self.known.add(key)
        session = await self._db(
            self.accounts.open_session, user, role, now=self.clock(), lifetime_s=self.session_lifetime_s
        )
        language = await self._db(self.accounts.language_of, user)
        extra = {"user": user, "token": session.token, "role": role, "expires_at": session.expires_at}
        return dataclasses.replace(
            base, code="done", user=user, role=role, target=key, extra=extra | {"language": language}
        )

    async def _db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._db_pool, partial(fn, *args, **kwargs))


class KnownNames:
    """The user names and badge keys the accounts hold, as last read (``AccountStore.known_names``), and those
    that logged in since: a refused login of one of them is always audited one line."""

    def __init__(self, read: Callable[[], set[str]]) -> None:
        self._read = read
        self._names: set[str] = set()
        self._read_at: float | None = None
        self.reads = 0

    def has(self, name: str) -> bool:
        return name in self._names

    def add(self, name: str) -> None:
        self._names.add(name)

    def stale(self, now: float) -> bool:
        return self._read_at is None or now - self._read_at >= KNOWN_REFRESH_S

    def refresh(self, now: float) -> None:
        """Read the names again (on the database thread: ``HmiCommandServer._db``)."""
        self._names = self._read()
        self._read_at = now
        self.reads += 1


def login_names(req: Login) -> tuple[str, str]:
    """(who, the audit's action) of a login: the user name, or the badge's key (``badge:`` and digest digits)."""
    if isinstance(req, BadgeLoginRequest):
        return badge_key(req.badge), "badge_login"
    return req.user, "login"


def _done(commands: list[Command], action: str) -> Answer:
    """The answer to an intent the core carried out: its target is what the core's audit record names."""
    targets = [c.target for c in commands if isinstance(c, AuditRecord) and c.action == action]
    return "done", "", targets[-1] if targets else ""
