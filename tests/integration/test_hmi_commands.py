"""The HMI command channel on 127.0.0.1: login, role checks, the core's refusals, the audit log, ``jis users``.

Most tests put a real ``HmiCommandServer`` (ROUTER, port 0) in front of a test double of the service that
records the intents it is handed; the last tests run the real service with in-memory devices (tests/fake_line.py).
Passwords are hashed with argon2's cheapest parameters to keep the suite quick; the clocks are hand-driven.
Every wait is bounded by ``WAIT_S``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import getpass
import io
import itertools
import json
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import pytest
import zmq
import zmq.asyncio
from argon2 import PasswordHasher, profiles
from sqlalchemy import text

from app.hmi import accounts
from app.hmi.accounts import RETENTION_ACTION, AccountStore, AuditEntry
from app.hmi.answer_bounds import ANSWERS
from app.hmi.audit_bounds import LOGIN_ROWS_PER_SOURCE, ROWS_PER_SOURCE, WINDOW_S
from app.hmi.commands import KNOWN_REFRESH_S, HmiCommandServer
from app.hmi.login_limits import LIMITS
from app.hmi.wire import MAX_REQUEST_BYTES
from app.proof.demo_users import DEMO_USERS, ensure_demo_users
from plc_io.loopback_ports import free_port
from sequencer.alarms import AlarmState
from sequencer.commands import AuditRecord, Command
from sequencer.core import SequencerError
from sequencer.events import (
    AcknowledgeAlarm,
    HoldVehicle,
    InsertBroadcast,
    ManualOp,
    RemoveAlarmFromService,
    RequestResendByHand,
    ReturnAlarmToService,
    SuppressAlarm,
    UnsuppressAlarm,
)
from tests.fake_line import FakeLine, fake_line

WAIT_S = 10.0
PLANT_T0 = 1_800_000_000.0  # the plant clock (the service's), deliberately far from the real clock below
REAL_T0 = 1_700_000_000.0
CHEAP = PasswordHasher.from_parameters(profiles.CHEAPEST)
PASSWORDS = {"olga": "operator-pw-1", "lars": "lead-pw-1234", "ada": "admin-pw-1234"}
ROLES = {"olga": "operator", "lars": "lead", "ada": "admin"}


class FakeService:
    """Records intents; refuses those whose reason starts with "refuse" (as the core would, with a reason)."""

    def __init__(self) -> None:
        self.clock = lambda: PLANT_T0
        self.intents: list[ManualOp] = []
        self.server: HmiCommandServer | None = None
        self.owned: list[bool] = []
        self.identities: list[str] = []

    async def submit_checked(self, event: Any, raw: bytes | None = None) -> list[Command]:
        self.intents.append(event)
        if event.reason.startswith("refuse"):
            raise SequencerError("L1 5: vehicle is shipped")
        record = AuditRecord(
            at=event.at,
            user=event.user,
            action=type(event).__name__,
            target="core-target",
            reason=event.reason,
            result="done",
        )
        assert self.server is not None
        self.owned.append(self.server.owns(record))  # what app.service.runtime.Service.audit asks
        return [record]

    async def submit_once(self, event: Any, identity: str) -> Any:
        """As the service does with an HMI request id: once per identity (a repeat names the first's place)."""
        if identity in self.identities:
            return SimpleNamespace(commands=[], repeat_of=self.identities.index(identity) + 1)
        self.identities.append(identity)
        return SimpleNamespace(commands=await self.submit_checked(event), repeat_of=None)

    async def answer_of(self, journal_id: int) -> list[Command]:
        raise AssertionError("the server remembers the answers of this run")


class Line:
    """A server on a free port, its accounts, the double, and a hand-driven real-time clock."""

    def __init__(self, database_url: str) -> None:
        self.now = REAL_T0
        self.accounts = AccountStore.open(database_url, hasher=CHEAP)
        for name, password in PASSWORDS.items():
            self.accounts.add_user(name, ROLES[name], password)
        self.service = FakeService()
        self.server = HmiCommandServer(self.service, self.accounts, "tcp://127.0.0.1:0", clock=lambda: self.now)
        self.service.server = self.server
        self.endpoint = self.server.bind()
        self.ctx = zmq.asyncio.Context()
        self.sock = self.dealer()

    def dealer(self, kind: int = zmq.DEALER, *, source: str = "") -> zmq.asyncio.Socket:
        """A screen's socket; ``source``: the loopback address it connects from (another host, as the channel
        sees it), e.g. ``127.0.0.2``."""
        sock = self.ctx.socket(kind)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(self.endpoint.replace("tcp://", f"tcp://{source}:0;", 1) if source else self.endpoint)
        return sock

    async def ask(self, request: dict[str, Any] | bytes | list[bytes], sock: zmq.asyncio.Socket | None = None) -> Any:
        sock = sock or self.sock
        if isinstance(request, list):
            await sock.send_multipart(request)
        else:
            await sock.send(request if isinstance(request, bytes) else json.dumps(request).encode())
        return json.loads(await asyncio.wait_for(sock.recv(), WAIT_S))

    async def login(self, user: str, password: str | None = None) -> str:
        reply = await self.ask({"op": "login", "user": user, "password": password or PASSWORDS[user]})
        assert reply["ok"], reply
        return str(reply["token"])

    async def intent(self, token: str, kind: str, fields: dict[str, Any], reason: str = "repair loop") -> Any:
        return await self.ask({"op": "intent", "token": token, "type": kind, "fields": fields, "reason": reason})

    def audit(self) -> list[tuple[str, str, str, str]]:
        return [(e.user, e.role, e.action, e.result) for e in self.accounts.audit_query()]


@pytest.fixture
async def line(database_url: str) -> AsyncIterator[Line]:
    ln = Line(database_url)
    task = asyncio.create_task(ln.server.run())
    yield ln
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    ln.ctx.destroy(linger=0)
    ln.accounts.close()


HOLD = {"feed": "L1", "seq": 5}


# -- the channel --------------------------------------------------------------------------------------------
async def test_login_answers_token_role_and_expiry_and_is_audited(line: Line) -> None:
    reply = await line.ask({"op": "login", "user": "lars", "password": PASSWORDS["lars"], "id": 7})
    assert reply["ok"] and reply["id"] == 7 and reply["role"] == "lead" and len(reply["token"]) >= 40
    assert reply["expires_at"] == REAL_T0 + 8 * 3600
    [entry] = line.accounts.audit_query()
    assert (entry.at, entry.user, entry.role, entry.action, entry.result) == (PLANT_T0, "lars", "lead", "login", "done")
    assert "127.0.0.1" in entry.detail


async def test_wrong_password_and_unknown_user_get_the_same_answer(line: Line) -> None:
    wrong = await line.ask({"op": "login", "user": "lars", "password": "not-the-one"})
    nobody = await line.ask({"op": "login", "user": "mallory", "password": "whatever1"})
    assert wrong == nobody == {"ok": False, "code": "bad_login", "error": "wrong user name or password"}
    assert line.audit() == [("lars", "", "login", "bad_login"), ("mallory", "", "login", "bad_login")]


async def test_intent_carries_the_sessions_user_and_the_service_clock(line: Line) -> None:
    token = await line.login("lars")
    reply = await line.intent(token, "HoldVehicle", HOLD, reason="paint repair")
    assert reply == {"ok": True, "result": {"action": "HoldVehicle", "target": "core-target"}}
    assert line.service.intents == [HoldVehicle(at=PLANT_T0, user="lars", reason="paint repair", feed="L1", seq=5)]
    assert line.service.owned == [True]  # the service's audit hook leaves this line to the server
    after = AuditRecord(at=PLANT_T0, user="lars", action="HoldVehicle", target="", reason="paint repair", result="")
    assert not line.server.owns(after)
    last = line.accounts.audit_query()[-1]
    assert (last.user, last.role, last.action, last.target, last.reason, last.result) == (
        "lars",
        "lead",
        "HoldVehicle",
        "core-target",
        "paint repair",
        "done",
    )


@pytest.mark.parametrize(("token", "code"), [(None, "no_login"), ("", "no_login"), ("forged-token", "bad_token")])
async def test_intent_without_a_valid_login_is_refused_and_audited(line: Line, token: str | None, code: str) -> None:
    request: dict[str, Any] = {"op": "intent", "type": "HoldVehicle", "fields": HOLD, "reason": "x"}
    if token is not None:
        request["token"] = token
    reply = await line.ask(request)
    assert (reply["ok"], reply["code"]) == (False, code)
    assert line.service.intents == []
    assert line.audit() == [("", "", "HoldVehicle", code)]


async def test_role_table_is_enforced(line: Line) -> None:
    token = await line.login("olga")
    refused = await line.intent(token, "HoldVehicle", HOLD)
    assert refused["code"] == "forbidden"
    assert "allowed: lead, engineer, admin" in refused["error"]
    allowed = await line.intent(token, "AcknowledgeAlarm", {"deviation_id": 3}, reason="")
    assert allowed["ok"]
    assert line.service.intents == [AcknowledgeAlarm(at=PLANT_T0, user="olga", reason="", deviation_id=3)]
    assert line.audit()[1:] == [
        ("olga", "operator", "HoldVehicle", "forbidden"),
        ("olga", "operator", "AcknowledgeAlarm", "done"),
    ]


PARKING: dict[str, type[ManualOp]] = {
    cls.__name__: cls for cls in (SuppressAlarm, UnsuppressAlarm, RemoveAlarmFromService, ReturnAlarmToService)
}


@pytest.mark.parametrize("kind", list(PARKING))
async def test_suppress_and_out_of_service_are_the_leads_and_every_attempt_is_audited(line: Line, kind: str) -> None:
    """ISA-18.2: parking an alarm by design or for maintenance is the shift lead's, as shelving is."""
    olga = await line.login("olga")
    refused = await line.intent(olga, kind, {"deviation_id": 7}, reason="printer away for repair")
    assert refused["code"] == "forbidden" and "allowed: lead, engineer, admin" in refused["error"]
    lars = await line.login("lars")
    bad = await line.intent(lars, kind, {"deviation_id": "7"}, reason="printer away for repair")
    assert bad["code"] == "malformed" and "deviation_id" in bad["error"]
    done = await line.intent(lars, kind, {"deviation_id": 7}, reason="printer away for repair")
    assert done == {"ok": True, "result": {"action": kind, "target": "core-target"}}
    assert line.service.intents == [
        PARKING[kind](at=PLANT_T0, user="lars", reason="printer away for repair", deviation_id=7)
    ]
    assert line.audit() == [
        ("olga", "operator", "login", "done"),
        ("olga", "operator", kind, "forbidden"),
        ("lars", "lead", "login", "done"),
        ("lars", "lead", kind, "malformed"),
        ("lars", "lead", kind, "done"),
    ]


async def test_core_refusal_is_answered_with_its_reason_and_audited(line: Line) -> None:
    token = await line.login("lars")
    reply = await line.intent(token, "CancelVehicle", HOLD, reason="refuse: test")
    assert reply["code"] == "refused" and reply["error"] == "refused by the sequencer: L1 5: vehicle is shipped"
    last = line.accounts.audit_query()[-1]
    assert (last.result, last.target) == ("refused", "feed=L1 seq=5")
    assert "vehicle is shipped" in last.detail


@pytest.mark.parametrize(
    ("kind", "fields", "problem"),
    [
        ("HoldVehicle", {"feed": "L1", "seq": "5"}, "seq: Input should be a valid integer"),
        ("HoldVehicle", {"feed": "L1", "seq": True}, "seq: Input should be a valid integer"),
        ("HoldVehicle", {"feed": "L1"}, "seq: Field required"),
        ("HoldVehicle", {**HOLD, "colour": "red"}, "colour: Extra inputs are not permitted"),
        ("HoldVehicle", {**HOLD, "user": "boss"}, "user: set by the service, not by the HMI"),
        ("HoldVehicle", {**HOLD, "at": 1.0}, "at: set by the service, not by the HMI"),
        ("LaunchRocket", {}, "unknown intent 'LaunchRocket'"),
    ],
)
async def test_bad_fields_are_refused_before_the_core(
    line: Line, kind: str, fields: dict[str, Any], problem: str
) -> None:
    token = await line.login("ada")
    reply = await line.intent(token, kind, fields)
    assert reply["code"] == "malformed" and problem in reply["error"], reply
    assert line.service.intents == []
    assert line.audit()[-1] == ("ada", "admin", kind, "malformed")


async def test_json_arrays_become_the_intents_tuples(line: Line) -> None:
    token = await line.login("lars")
    fields = {"feed": "L1", "seq": 9, "vehicle_id": "VIN9", "options": ["S2"], "parts": [["seats", "SEAT-1"]]}
    assert (await line.intent(token, "InsertBroadcast", fields, reason="feed down"))["ok"]
    assert line.service.intents[-1] == InsertBroadcast(
        at=PLANT_T0,
        user="lars",
        reason="feed down",
        feed="L1",
        seq=9,
        vehicle_id="VIN9",
        options=("S2",),
        parts=(("seats", "SEAT-1"),),
    )


GARBAGE: list[bytes | list[bytes]] = [
    b"not json",
    b"\xff\xfe\x00",
    b"[1, 2]",
    b"{}",
    b'{"op": "format-disk"}',
    b'{"op": "login", "user": "lars", "password": "x", "admin": true}',
    b"{" + b" " * MAX_REQUEST_BYTES + b"}",
    [b"two", b"frames"],
]


async def test_garbage_never_stops_the_loop_and_is_audited(line: Line) -> None:
    for request in GARBAGE:
        reply = await line.ask(request)
        assert (reply["ok"], reply["code"]) == (False, "malformed"), request
    assert await line.login("lars")
    assert [a[3] for a in line.audit()] == ["malformed"] * len(GARBAGE) + ["done"]


async def test_a_garbage_flood_is_audited_up_to_a_bound_then_counted_in_one_line(line: Line) -> None:
    """The hostile campaign: each garbage frame was an audit row written on the journal's database thread (1,000
    a second from one host). Now a source gets ROWS_PER_SOURCE lines a window, the rest are counted into one line
    once the window is over (no further request needed), answered up to the source's answers a window and not
    past them (``app.hmi.answer_bounds``); another source is audited and answered."""
    rogue = line.dealer(source="127.0.0.2")
    answered = ANSWERS["malformed"]
    for i in range(answered):
        assert (await line.ask(b"garbage %d" % i, sock=rogue))["code"] == "malformed"
    for i in range(30):
        await rogue.send(b"garbage past the answers %d" % i)
    for _ in range(int(WAIT_S / 0.05)):
        if line.server.answer_budget.unanswered["malformed"] == 30:
            break
        await asyncio.sleep(0.05)
    assert line.server.answer_budget.unanswered == {"malformed": 30}
    assert await rogue.poll(0) == 0  # nothing was answered past them
    assert (await line.ask(b"not json"))["code"] == "malformed"  # the lead's screen: a source of its own
    assert await line.login("lars")
    audit = line.accounts.audit_query()
    assert len([e for e in audit if "127.0.0.2" in e.detail]) == ROWS_PER_SOURCE
    assert [a[3] for a in line.audit()][-2:] == ["malformed", "done"]
    line.now += WINDOW_S
    for _ in range(int(WAIT_S / 0.05)):
        if counted := line.accounts.audit_query(result="counted"):
            break
        await asyncio.sleep(0.05)
    flood = answered + 30 - ROWS_PER_SOURCE
    assert len(counted) == 1 and f"addr:127.0.0.2: {flood} requests counted" in counted[0].detail, counted
    assert f"(malformed {flood})" in counted[0].detail


async def test_a_source_past_its_answers_gets_none_while_another_source_and_a_signed_request_do(
    line: Line, caplog: pytest.LogCaptureFixture
) -> None:
    """The hostile campaign: the answer to each garbage frame (its ZeroMQ send) was most of the channel's cost of
    a flood. A source past ANSWERS["malformed"] a window is not answered, and one log line a window says how many;
    another source is answered, and so is a malformed request signed with a live session from the same source;
    once the window is over the source is answered again."""
    rogue = line.dealer(source="127.0.0.2")
    token = await line.login("lars")
    for i in range(ANSWERS["malformed"]):
        assert (await line.ask(b"garbage %d" % i, sock=rogue))["code"] == "malformed"
    for i in range(5):
        await rogue.send(b"garbage past the answers %d" % i)
    signed = {"op": "intent", "token": token, "type": "HoldVehicle", "fields": HOLD, "reason": "x", "id": 99, "x": 1}
    reply = await line.ask(signed, sock=rogue)  # after the five on the same connection: the first answer since
    assert (reply["code"], reply["id"]) == ("malformed", 99)
    assert line.server.answer_budget.unanswered == {"malformed": 5}
    assert (await line.ask(b"not json"))["code"] == "malformed"  # the lead's screen: a source of its own
    assert (await line.ask({"op": "intent", "type": "HoldVehicle", "fields": HOLD}, sock=rogue))["code"] == "no_login"
    with caplog.at_level("WARNING", logger="app.hmi.commands"):
        line.now += WINDOW_S
        for _ in range(int(WAIT_S / 0.05)):
            if lines := [r.getMessage() for r in caplog.records if "not answered" in r.getMessage()]:
                break
            await asyncio.sleep(0.05)
    said = "source addr:127.0.0.2: 5 requests not answered in a 60 s window (malformed 5 past 60)"
    assert lines == [f"HMI commands: {said}"]
    assert (await line.ask(b"garbage again", sock=rogue))["code"] == "malformed"  # a new window


async def test_a_burst_of_requests_lets_the_rest_of_the_service_run_between_them(database_url: str) -> None:
    """The hostile campaign: a garbage flood on the command channel held the event loop (the feed, the devices) for
    a whole batch of requests at a time. Now the channel yields after each one: the service's other tasks run
    between any two of them. The requests wait in the socket before the server starts, so they come in one batch."""
    ln = Line(database_url)
    ticks = 0

    async def ticker() -> None:  # another task of the service's, on the same loop
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    seen: list[int] = []
    admit = ln.server.audit_budget.admit

    def noting(source: str, result: str, now: float, **login: Any) -> bool:
        seen.append(ticks)
        return admit(source, result, now, **login)

    ln.server.audit_budget.admit = noting  # type: ignore[method-assign]
    for i in range(30):
        await ln.sock.send(b"garbage %d" % i)
    await asyncio.sleep(0.5)  # libzmq delivers them to the server's socket meanwhile (not an assertion)
    tasks = [asyncio.create_task(ticker()), asyncio.create_task(ln.server.run())]
    try:
        replies = [json.loads(await asyncio.wait_for(ln.sock.recv(), WAIT_S)) for _ in range(30)]
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        ln.ctx.destroy(linger=0)
        ln.accounts.close()
    assert [r["code"] for r in replies] == ["malformed"] * 30
    assert len(seen) == 30 and all(b > a for a, b in itertools.pairwise(seen)), seen


async def test_passwords_and_tokens_never_reach_the_audit_log(line: Line) -> None:
    secret = "s3cret-never-logged"
    await line.ask({"op": "login", "user": "lars", "password": secret})
    await line.ask({"op": "login", "user": "lars", "password": secret, "extra": secret})
    await line.ask(json.dumps({"op": "login", "user": "lars", "password": [secret]}).encode())
    token = await line.login("lars")
    await line.ask({"op": "intent", "token": token, "type": "HoldVehicle", "fields": HOLD, "bogus": 1})
    with line.accounts.engine.connect() as conn:
        dump = " ".join(str(row) for row in conn.execute(text("SELECT * FROM audit_log")))
    assert secret not in dump and token not in dump and "lars" in dump
    assert line.audit()[-1] == ("lars", "lead", "HoldVehicle", "malformed")  # the token still names the user


async def test_failed_logins_are_rate_limited_per_user(line: Line) -> None:
    for _ in range(LIMITS["user"].free):
        assert (await line.ask({"op": "login", "user": "lars", "password": "guess-guess"}))["code"] == "bad_login"
    locked = await line.ask({"op": "login", "user": "lars", "password": PASSWORDS["lars"]})
    assert locked["code"] == "rate_limited"
    assert await line.login("olga")  # another user is not locked out
    line.now += 61
    assert await line.login("lars")


async def test_a_spray_from_a_rogue_source_cannot_keep_a_lead_out_of_their_screen(line: Line) -> None:
    """Issue 15: thirty failed logins a minute from any names locked out every user. Now a rogue host sprays 40
    failures a minute against many names, the lead's among them: the rogue waits, the lead logs in at their own
    screen all along, and every refused attempt is audited."""
    assert await line.login("lars")  # the lead's usual screen (127.0.0.1)
    rogue = line.dealer(source="127.0.0.2")
    answers: list[str] = []
    for i in range(40):  # 40 within a minute of the real clock
        line.now += 1.5
        name = ("lars", "ada", "lars", f"guess{i}")[i % 4]
        answers.append((await line.ask({"op": "login", "user": name, "password": "spray-spray"}, sock=rogue))["code"])
        if i % 10 == 9:
            assert await line.login("lars")  # at their screen, mid-spray
    free = LIMITS["source"].free
    assert answers[:free] == ["bad_login"] * free and answers[free : free + 19] == ["rate_limited"] * 19
    assert answers.count("bad_login") == free + 1  # waited 30 s (19 refused), failed once more: now waits 60 s
    assert await line.login("ada")  # another user, from the lead's screen, never waited either
    other_rogue = line.dealer(source="127.0.0.4")  # lars's name waited once: one more failure, it waits again
    assert (await line.ask({"op": "login", "user": "lars", "password": "spray-1"}, sock=other_rogue))["ok"] is False
    elsewhere = line.dealer(source="127.0.0.3")  # a host lars never used: his name waits there
    reply = await line.ask({"op": "login", "user": "lars", "password": PASSWORDS["lars"]}, sock=elsewhere)
    assert reply["code"] == "rate_limited"
    assert (await line.ask({"op": "login", "user": "olga", "password": PASSWORDS["olga"]}, sock=elsewhere))["ok"]
    audit = line.accounts.audit_query()
    refused = [e for e in audit if e.result == "rate_limited"]
    assert len(refused) == answers.count("rate_limited") + 1  # every refused attempt is a line
    assert all("source addr:127.0.0.2" in e.detail for e in refused[:-1]) and "127.0.0.3" in refused[-1].detail
    assert "source addr:127.0.0.2 failed" in refused[0].detail  # and says why


async def test_a_spray_of_unknown_names_is_audited_up_to_a_bound_and_every_known_names_attempt_is_a_line(
    line: Line,
) -> None:
    """A password spray wrote one audit line per refused attempt, unbounded. Now a source's refused logins of names
    nobody has get LOGIN_ROWS_PER_SOURCE lines a window, the rest are answered as before and counted (the budget's
    count, the metric's, and one line once the window is over); every refused attempt of a known name is a line,
    a user added during the spray included once the names are read again."""
    rogue = line.dealer(source="127.0.0.2")
    names = [("lars" if i % 5 == 0 else f"guess{i}") for i in range(60)]
    for name in names:
        assert not (await line.ask({"op": "login", "user": name, "password": "spray-spray"}, sock=rogue))["ok"]
    line.accounts.add_user("nina", "operator", "nina-pw-12345")
    line.now += KNOWN_REFRESH_S
    for _ in range(3):
        assert not (await line.ask({"op": "login", "user": "nina", "password": "spray-spray"}, sock=rogue))["ok"]
    audit = [e for e in line.accounts.audit_query(action="login") if "127.0.0.2" in e.detail]
    assert len([e for e in audit if e.user == "lars"]) == names.count("lars")  # every one of a known name
    assert len([e for e in audit if e.user == "nina"]) == 3
    guesses = len(names) - names.count("lars")
    assert len([e for e in audit if e.user.startswith("guess")]) == LOGIN_ROWS_PER_SOURCE
    assert line.server.audit_budget.counted["login"] == guesses - LOGIN_ROWS_PER_SOURCE
    assert await line.login("lars")  # the lead's own screen: audited as ever
    line.now += WINDOW_S
    for _ in range(int(WAIT_S / 0.05)):
        if counted := line.accounts.audit_query(result="counted"):
            break
        await asyncio.sleep(0.05)
    assert len(counted) == 1, counted
    assert f"addr:127.0.0.2: {guesses - LOGIN_ROWS_PER_SOURCE} refused logins of unknown names" in counted[0].detail
    assert "rate_limited" in counted[0].detail, counted[0].detail


async def test_a_burst_from_a_rogue_source_cannot_fill_the_login_queue(line: Line) -> None:
    assert await line.login("lars")
    rogue = line.dealer(source="127.0.0.2")
    for i in range(60):  # all at once: at most two of them wait for the hash thread
        await rogue.send(json.dumps({"op": "login", "user": f"n{i}", "password": "spray-spray", "id": i}).encode())
    assert await line.login("lars")
    codes = [json.loads(await asyncio.wait_for(rogue.recv(), WAIT_S))["code"] for _ in range(60)]
    assert codes.count("bad_login") <= LIMITS["source"].free and "busy" in codes
    # unknown names: audited one line each up to the source's bound, the rest counted (app/hmi/audit_bounds.py)
    counted = sum(c.by_result.get("busy", 0) for c in line.server.audit_budget.due(line.now, everything=True))
    assert len(line.accounts.audit_query(result="busy")) + counted == codes.count("busy")


async def test_usual_screens_are_learned_again_from_the_audit_log_after_a_restart(line: Line) -> None:
    assert await line.login("lars")
    restarted = HmiCommandServer(line.service, line.accounts, "tcp://127.0.0.1:0", clock=lambda: line.now)
    task = asyncio.create_task(restarted.run())
    try:
        line.sock.close(linger=0)  # the lead's screen, now at the new process
        line.endpoint = restarted.bind()
        rogue = line.dealer(source="127.0.0.2")
        line.sock = line.dealer()
        for _ in range(LIMITS["user"].free + 1):
            line.now += 1
            await line.ask({"op": "login", "user": "lars", "password": "spray-spray"}, sock=rogue)
        assert await line.login("lars")  # still the lead's usual screen in the new process
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_logout_expiry_and_disabling_end_a_session(line: Line) -> None:
    token = await line.login("lars")
    assert (await line.ask({"op": "logout", "token": token}))["ok"]
    assert (await line.intent(token, "HoldVehicle", HOLD))["code"] == "bad_token"
    token = await line.login("lars")
    line.now += 8 * 3600
    assert (await line.intent(token, "HoldVehicle", HOLD))["code"] == "bad_token"
    token = await line.login("lars")
    line.accounts.disable("lars")
    assert (await line.intent(token, "HoldVehicle", HOLD))["code"] == "bad_token"
    assert (await line.ask({"op": "login", "user": "lars", "password": PASSWORDS["lars"]}))["code"] == "bad_login"
    assert line.service.intents == []


async def test_a_req_socket_works_too(line: Line) -> None:
    req = line.dealer(zmq.REQ)
    reply = await line.ask({"op": "login", "user": "olga", "password": PASSWORDS["olga"]}, sock=req)
    assert reply["role"] == "operator"


async def test_every_attempt_is_one_audit_line(line: Line) -> None:
    token = await line.login("olga")
    await line.intent(token, "AcknowledgeAlarm", {"deviation_id": 1})
    await line.intent(token, "ShipRackByHand", {"feed": "L1", "family": "seats", "rack_no": 1})
    await line.intent(token, "AcknowledgeAlarm", {"deviation_id": 2}, reason="refuse it")
    await line.ask(b"junk")
    await line.ask({"op": "logout", "token": token})
    assert [a[2:] for a in line.audit()] == [
        ("login", "done"),
        ("AcknowledgeAlarm", "done"),
        ("ShipRackByHand", "forbidden"),
        ("AcknowledgeAlarm", "refused"),
        ("", "malformed"),
        ("logout", "done"),
    ]
    assert line.server.outcomes["done"] == 3


# -- accounts and the login limiter ---------------------------------------------------------------------------
def test_accounts_store_argon2_hashes_and_check_passwords(database_url: str) -> None:
    store = AccountStore.open(database_url, hasher=CHEAP)
    store.add_user("kim", "engineer", "long-enough-1")
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$") and "long-enough-1" not in stored
    assert store.verify("kim", "long-enough-1") == "engineer"
    assert store.verify("kim", "long-enough-2") is None
    assert store.verify("nobody", "long-enough-1") is None
    for bad in (("kim", "lead", "long-enough-1"), ("x y", "lead", "long-enough"), ("j", "root", "long-enough")):
        with pytest.raises(ValueError, match=r"exists|bad user name|unknown role"):
            store.add_user(*bad)
    with pytest.raises(ValueError, match="8 to 1024"):
        store.add_user("joe", "lead", "short")
    store.close()


# -- jis users ------------------------------------------------------------------------------------------------
Users = Callable[..., tuple[int, str, str]]


@pytest.fixture
def users(jis: Callable[..., int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Users:
    """``jis users --database DB ARG...``: (exit code, stdout, stderr); the password from ``stdin`` or, typed,
    from ``prompt``; argon2 at its cheapest."""
    monkeypatch.setattr(accounts, "PasswordHasher", lambda: CHEAP)

    def run(db: str, *argv: str, stdin: str = "", prompt: list[str] | None = None) -> tuple[int, str, str]:
        answers = iter(prompt or [])
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        monkeypatch.setattr(getpass, "getpass", lambda _text: next(answers))
        capsys.readouterr()
        code = jis("users", "--database", db, *argv)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_jis_users_add_list_passwd_disable(database_url: str, users: Users) -> None:
    db = database_url
    assert users(db, "add", "lena", "--role", "lead", "--password-stdin", stdin="first-pass-1\n")[0] == 0
    assert users(db, "add", "otto", "--role", "operator", prompt=["pw-typed-ok", "pw-typed-ok"])[0] == 0
    code, _, err = users(db, "add", "ivo", "--role", "lead", prompt=["pw-typed-ok", "pw-typed-no"])
    assert code == 1 and "differ" in err
    code, _, err = users(db, "add", "ivo", "--role", "lead", "--password-stdin", stdin="\n")
    assert code == 1 and "8 to 1024" in err  # no password is never a password
    assert users(db, "add", "lena", "--role", "lead", "--password-stdin", stdin="another-1\n")[0] == 1
    assert users(db, "passwd", "lena", "--password-stdin", stdin="second-pass-2\n")[0] == 0
    assert users(db, "disable", "otto")[0] == 0
    assert users(db, "role", "lena", "engineer")[0] == 0
    assert users(db, "disable", "ghost")[:2] == (1, "")
    code, out, _ = users(db, "list")
    assert code == 0 and "$argon2" not in out
    listed = [row.split()[:3] for row in out.splitlines()[1:]]
    assert listed == [["lena", "engineer", "active"], ["otto", "operator", "disabled"]]
    store = AccountStore.open(db, hasher=CHEAP)
    assert store.verify("lena", "second-pass-2") == "engineer" and store.verify("otto", "pw-typed-ok") is None
    store.close()
    assert users(db, "add", "zed", "--role", "superuser", "--password-stdin", stdin="x" * 9)[0] == 2


def test_jis_users_audit_escapes_control_characters(database_url: str, users: Users) -> None:
    store = AccountStore.open(database_url, hasher=CHEAP)
    forged = "mallory\n2026-01-01 00:00:00 ada/admin login [] done: \x1b[2J\x07"  # 64 characters: kept whole
    entry = AuditEntry(
        at=PLANT_T0,
        user=forged,
        role="",
        action="login",
        target="\x1b]0;owned\x07",
        reason="\u202e",
        result="bad_login",
    )
    store.audit_append(entry)
    store.audit_append(dataclasses.replace(entry, user="lars", reason="a\\x1b b", detail="peer\r\x00"))
    store.close()
    code, out, _ = users(database_url, "audit")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0].split()[2].startswith("mallory\\x0a2026-01-01")
    assert not any(ch in out.replace("\n", "") for ch in "\x1b\x07\r\x00\u202e")
    assert "\\x1b[2J" in lines[0] and "\\u202e" in lines[0]
    assert "a\\\\x1b b" in lines[1] and "peer\\x0d\u2400" in lines[1]  # a backslash typed is not an escape


def test_the_audit_log_is_pruned_past_its_retention_and_keeps_the_count(database_url: str) -> None:
    store = AccountStore.open(database_url, hasher=CHEAP)
    for i in range(5):
        entry = AuditEntry(
            at=PLANT_T0 + i * 86_400, user="lars", role="lead", action="login", target="", reason="", result="done"
        )
        store.audit_append(entry)
    assert store.audit_prune(PLANT_T0 + 2 * 86_400, at=PLANT_T0 + 10 * 86_400) == 2
    assert store.audit_prune(PLANT_T0 + 2 * 86_400, at=PLANT_T0 + 10 * 86_400) == 0  # nothing more: no line
    kept = store.audit_query()
    assert [e.at for e in kept[:3]] == [PLANT_T0 + d * 86_400 for d in (2, 3, 4)]
    assert [(e.action, e.at) for e in kept[3:]] == [(RETENTION_ACTION, PLANT_T0 + 10 * 86_400)]
    assert kept[3].reason.startswith("2 audit lines older than")
    store.close()


def test_demo_users_get_fresh_random_passwords_told_once(database_url: str) -> None:
    store = AccountStore.open(database_url, hasher=CHEAP)
    told: list[str] = []
    first = ensure_demo_users(store, say=told.append)
    second = ensure_demo_users(store, say=told.append)
    assert len(told) == 2 and all(pw in told[1] for pw in second.values())
    assert set(first) == set(DEMO_USERS) and all(first[n] != second[n] for n in first)
    for name, password in second.items():
        assert store.verify(name, password) == DEMO_USERS[name]
        assert store.verify(name, first[name]) is None
    store.close()


# -- the Qt client --------------------------------------------------------------------------------------------
class ServerThread:
    """The command server with the double on its own asyncio loop, so Qt keeps the main thread."""

    def __init__(self, database_url: str) -> None:
        self.line: Line | None = None
        self.database_url = database_url
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        self.line = Line(self.database_url)
        task = asyncio.create_task(self.line.server.run())
        self._ready.set()
        await self._stop.wait()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        self.line.ctx.destroy(linger=0)
        self.line.accounts.close()

    def __enter__(self) -> Line:
        self._thread.start()
        assert self._ready.wait(WAIT_S)
        assert self.line is not None
        return self.line

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(WAIT_S)


@pytest.fixture
def server_thread(database_url: str) -> Iterator[Line]:
    with ServerThread(database_url) as ln:
        yield ln


def test_qt_client_logs_in_and_sends(qtbot: Any, server_thread: Line) -> None:
    from ui.command_client import CommandClient

    client = CommandClient(server_thread.endpoint, poll_interval_ms=10)
    client.start()
    with qtbot.waitSignal(client.logged_in, timeout=int(WAIT_S * 1000)) as signal:
        client.login("olga", PASSWORDS["olga"])
    assert signal.args == ["operator"] and client.logged_in_now
    with qtbot.waitSignal(client.replied, timeout=int(WAIT_S * 1000)) as signal:
        sent = client.send("HoldVehicle", HOLD, reason="try")
    assert signal.args[0]["id"] == sent and signal.args[0]["code"] == "forbidden"
    with qtbot.waitSignal(client.replied, timeout=int(WAIT_S * 1000)) as signal:
        client.send("AcknowledgeAlarm", {"deviation_id": 4})
    assert signal.args[0]["ok"]
    server_thread.accounts.disable("olga")  # her session ends at once: the next answer logs the screen out
    with qtbot.waitSignals([client.logged_out, client.replied], timeout=int(WAIT_S * 1000)):
        client.send("AcknowledgeAlarm", {"deviation_id": 5})
    assert not client.logged_in_now and client.role == ""
    with qtbot.waitSignal(client.login_failed, timeout=int(WAIT_S * 1000)) as signal:
        client.login("olga", PASSWORDS["olga"])
    assert "wrong user name or password" in signal.args[0]
    client.stop()


def test_qt_client_reports_an_unreachable_or_silent_service(qtbot: Any) -> None:
    from ui.command_client import CommandClient

    ctx: zmq.Context[zmq.Socket[bytes]] = zmq.Context.instance()
    silent = ctx.socket(zmq.ROUTER)  # takes requests, never answers
    silent.setsockopt(zmq.LINGER, 0)
    port = silent.bind_to_random_port("tcp://127.0.0.1")
    nobody = CommandClient(f"tcp://127.0.0.1:{free_port()}", timeout_s=0.3, poll_interval_ms=10)  # nobody listens
    nobody.start()
    with qtbot.waitSignal(nobody.replied, timeout=int(WAIT_S * 1000)) as signal:
        nobody.send("HoldVehicle", HOLD)
    assert signal.args[0]["code"] == "unreachable" and "nothing was sent" in signal.args[0]["error"]
    mute = CommandClient(f"tcp://127.0.0.1:{port}", timeout_s=2.0, poll_interval_ms=10)
    mute.start()
    with qtbot.waitSignal(mute.login_failed, timeout=int(WAIT_S * 1000)) as signal:
        mute.login("olga", "x" * 10)
        qtbot.waitUntil(lambda: silent.poll(0, zmq.POLLIN) != 0, timeout=int(WAIT_S * 1000))  # it was sent
    assert "no answer within 2 s" in signal.args[0]
    nobody.stop()
    mute.stop()
    silent.close(0)


# -- the real service -----------------------------------------------------------------------------------------
async def _ask_real(sock: zmq.asyncio.Socket, request: dict[str, Any]) -> Any:
    await sock.send(json.dumps(request).encode())
    return json.loads(await asyncio.wait_for(sock.recv(), WAIT_S))


@asynccontextmanager
async def command_channel(line: FakeLine) -> AsyncIterator[zmq.asyncio.Socket]:
    ctx = zmq.asyncio.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(line.plant.service.hmi_command_endpoint)
    try:
        yield sock
    finally:
        sock.close(0)
        ctx.term()


async def test_real_service_carries_out_refuses_and_audits_each_attempt_once(database_url: str) -> None:
    async with fake_line(database_url) as line:
        admin = AccountStore.open(database_url, hasher=CHEAP)
        admin.add_user("lars", "lead", PASSWORDS["lars"])
        async with command_channel(line) as sock:
            login = await _ask_real(sock, {"op": "login", "user": "lars", "password": PASSWORDS["lars"]})
            token = login["token"]
            resend: dict[str, Any] = {"feed": "L1", "from_seq": 1, "to_seq": 2}
            done = await _ask_real(
                sock,
                {
                    "op": "intent",
                    "token": token,
                    "type": "RequestResendByHand",
                    "fields": resend,
                    "reason": "gap seen on the paper list",
                },
            )
            refused = await _ask_real(
                sock,
                {
                    "op": "intent",
                    "token": token,
                    "type": "HoldVehicle",
                    "fields": {"feed": "L2", "seq": 1},
                    "reason": "paint",
                },
            )
        by_hand = RequestResendByHand(at=line.service.clock(), user="sim-lead", reason="stand-in", **resend)
        await line.service.submit(by_hand)
    assert done == {"ok": True, "result": {"action": "RequestResendByHand", "target": "L1 1..2"}}
    assert refused["code"] == "refused" and "L2" in refused["error"]
    rows = [(e.user, e.role, e.action, e.target, e.result) for e in admin.audit_query()]
    admin.close()
    assert rows == [
        ("lars", "lead", "login", "", "done"),
        ("lars", "lead", "RequestResendByHand", "L1 1..2", "done"),
        ("lars", "lead", "HoldVehicle", "feed=L2 seq=1", "refused"),
        ("sim-lead", "", "RequestResendByHand", "L1 1..2", "done"),  # not over the channel: the service's hook
    ]


async def test_a_lead_suppresses_a_real_alarm_and_returns_it_to_service_through_the_real_service(
    database_url: str,
) -> None:
    async with fake_line(database_url) as line:
        await line.broadcast(1)
        await line.broadcast(4)  # 2 and 3 missing: a gap alarm
        (gap,) = [d for d in line.service.core.state.deviations.by_id.values() if d.kind == "gap"]
        admin = AccountStore.open(database_url, hasher=CHEAP)
        admin.add_user("lars", "lead", PASSWORDS["lars"])
        async with command_channel(line) as sock:
            login = await _ask_real(sock, {"op": "login", "user": "lars", "password": PASSWORDS["lars"]})
            replies = []
            for kind, reason in (
                ("SuppressAlarm", "OEM line stopped for the shift"),
                ("AcknowledgeAlarm", ""),  # not annunciated: nothing to acknowledge
                ("RemoveAlarmFromService", "feed gateway swapped"),
                ("ReturnAlarmToService", ""),  # a reason is needed
            ):
                request = {"op": "intent", "token": login["token"], "type": kind, "reason": reason}
                replies.append(await _ask_real(sock, request | {"fields": {"deviation_id": gap.deviation_id}}))
        state = line.service.core.state.deviations.by_id[gap.deviation_id].state
    rows = [(e.action, e.target, e.result) for e in admin.audit_query()]
    admin.close()
    assert [r.get("code", "done") for r in replies] == ["done", "refused", "done", "refused"]
    assert "cannot acknowledge an alarm that is suppressed" in replies[1]["error"]
    assert state is AlarmState.OUT_OF_SERVICE
    target = f"deviation {gap.deviation_id}"
    assert rows == [
        ("login", "", "done"),
        ("SuppressAlarm", target, "done"),
        ("AcknowledgeAlarm", f"deviation_id={gap.deviation_id}", "refused"),
        ("RemoveAlarmFromService", target, "done"),
        ("ReturnAlarmToService", f"deviation_id={gap.deviation_id}", "refused"),
    ]


async def test_a_lead_reprocesses_a_quarantined_message_after_a_fix(database_url: str) -> None:
    good = (
        b'{"feed": "L1", "seq": 4242, "vehicle_id": "WVWZZZ1KZ8P099999", "function": "original", "firm": true,'
        b' "options": ["S1", "P040"], "sent_at": 1700000000.0, "reporting_point": "R100", "line": "A1"}'
    )
    async with fake_line(database_url) as line:
        service = line.service
        # kept as it arrived: one with a broken body, one valid message quarantined by hand for the test
        await service.intake.quarantine(b"{not json", "bad broadcast: not JSON", "feed")
        await service.intake.quarantine(good, "mapping for 4242 was missing", "feed")
        held = service.store.quarantined()
        admin = AccountStore.open(database_url, hasher=CHEAP)
        admin.add_user("lars", "lead", PASSWORDS["lars"])
        admin.add_user("olga", "operator", PASSWORDS["olga"])
        admin.close()
        async with command_channel(line) as sock:

            async def reprocess(token: str, qid: int, request_id: str | None = None) -> dict[str, Any]:
                request = {
                    "op": "intent",
                    "token": token,
                    "type": "ReprocessQuarantined",
                    "fields": {"quarantine_id": qid},
                    "reason": "mapping fixed",
                }
                if request_id is not None:
                    request["request_id"] = request_id
                answer: dict[str, Any] = await _ask_real(sock, request)
                return answer

            lead = (await _ask_real(sock, {"op": "login", "user": "lars", "password": PASSWORDS["lars"]}))["token"]
            operator = (await _ask_real(sock, {"op": "login", "user": "olga", "password": PASSWORDS["olga"]}))["token"]
            forbidden = await reprocess(operator, held[1].id)
            still_bad = await reprocess(lead, held[0].id)
            fixed = await reprocess(lead, held[1].id, "reprocess-4242-a")
            retried = await reprocess(lead, held[1].id, "reprocess-4242-a")
            again = await reprocess(lead, held[1].id)
        assert forbidden["code"] == "forbidden"
        assert still_bad["code"] == "refused" and "still not a valid broadcast" in still_bad["error"]
        assert fixed["ok"] is True and fixed["result"]["detail"] == "L1 4242: accepted"
        assert retried == fixed, "the same request again: the first's answer (remembered by the running service)"
        assert again["code"] == "refused" and "already reprocessed" in again["error"]
        assert service.core.state.feeds["L1"].vehicles[0].seq == 4242
        assert len(service.store.quarantined()) == 2  # nothing quarantined twice


async def test_a_request_sent_again_with_its_request_id_is_done_once_and_answered_as_the_first(
    database_url: str,
) -> None:
    """docs/hmi-commands.md, "Request ids": a retry (a lost reply, a time-out, a restart of the service) is not
    carried out again; it gets the first answer, done or refused, however long after."""
    hold: dict[str, Any] = {"op": "intent", "type": "HoldVehicle", "fields": {"feed": "L1", "seq": 5}}
    hold |= {"reason": "paint repair loop", "request_id": "7f1c0e9a-hold-5"}
    wrong: dict[str, Any] = {"op": "intent", "type": "HoldVehicle", "fields": {"feed": "L2", "seq": 1}}
    wrong |= {"reason": "paint", "request_id": "7f1c0e9a-hold-L2"}
    admin = AccountStore.open(database_url, hasher=CHEAP)
    admin.add_user("lars", "lead", PASSWORDS["lars"])
    admin.close()

    def holds(service: Any) -> int:
        return sum(1 for _, e in service.store.journal() if isinstance(e, HoldVehicle))

    async with fake_line(database_url) as line:
        await line.broadcast(5)
        async with command_channel(line) as sock:
            token = (await _ask_real(sock, {"op": "login", "user": "lars", "password": PASSWORDS["lars"]}))["token"]
            first = await _ask_real(sock, {**hold, "token": token, "id": 1})
            again = await _ask_real(sock, {**hold, "token": token, "id": 2})
            other = await _ask_real(sock, {**hold, "token": token, "request_id": "7f1c0e9a-hold-5-b"})
            refused = await _ask_real(sock, {**wrong, "token": token})
            refused_again = await _ask_real(sock, {**wrong, "token": token})
        assert first == {
            "ok": True,
            "id": 1,
            "request_id": hold["request_id"],
            "result": {"action": "HoldVehicle", "target": "L1 5"},
        }
        assert again == {**first, "id": 2}, "the first's answer"
        assert other["code"] == "refused" and "held" in other["error"], "a new request id is a new operation"
        assert refused["code"] == "refused" and refused_again == refused
        assert holds(line.service) == 3, "each operation journaled once: the hold, the second hold, the L2 one"
    async with fake_line(database_url) as line:  # the service restarted: the answers come from the journal
        async with command_channel(line) as sock:
            token = (await _ask_real(sock, {"op": "login", "user": "lars", "password": PASSWORDS["lars"]}))["token"]
            after = await _ask_real(sock, {**hold, "token": token, "id": 3})
            refused_after = await _ask_real(sock, {**wrong, "token": token})
        assert after == {**first, "id": 3}
        assert refused_after == refused
        assert holds(line.service) == 3
    async with fake_line(database_url) as line:  # what a request id names: one operation of one user
        await line.broadcast(6)
        admin = AccountStore.open(database_url, hasher=CHEAP)
        admin.add_user("ada", "admin", PASSWORDS["ada"])
        admin.close()
        async with command_channel(line) as sock:
            lars = (await _ask_real(sock, {"op": "login", "user": "lars", "password": PASSWORDS["lars"]}))["token"]
            ada = (await _ask_real(sock, {"op": "login", "user": "ada", "password": PASSWORDS["ada"]}))["token"]
            other_fields = await _ask_real(sock, {**hold, "token": lars, "fields": {"feed": "L1", "seq": 6}})
            other_user = await _ask_real(sock, {**hold, "token": ada, "fields": {"feed": "L1", "seq": 6}})
            unjournaled = {**hold, "request_id": "7f1c0e9a-hold-6", "fields": {"feed": "L1", "seq": 6}}
            no_token = await _ask_real(sock, {**unjournaled, "token": "not-a-token"})
            later = await _ask_real(sock, {**unjournaled, "token": lars, "id": 9})
        assert other_fields == {k: v for k, v in first.items() if k != "id"}, "the id decides, not the fields"
        assert other_user["ok"] and other_user["result"]["target"] == "L1 6", "another user's id is another operation"
        assert no_token["code"] == "bad_token" and later["code"] == "refused", "only what was journaled is remembered"
    audit = AccountStore.open(database_url, hasher=CHEAP)
    lines = [(e.action, e.result, "repeat of request" in e.detail) for e in audit.audit_query() if e.action != "login"]
    audit.close()
    assert lines == [
        ("HoldVehicle", "done", False),
        ("HoldVehicle", "done", True),
        ("HoldVehicle", "refused", False),
        ("HoldVehicle", "refused", False),
        ("HoldVehicle", "refused", True),
        ("HoldVehicle", "done", True),
        ("HoldVehicle", "refused", True),
        ("HoldVehicle", "done", True),  # lars, the first id with other fields: the first's answer
        ("HoldVehicle", "done", False),  # ada holds L1 6
        ("HoldVehicle", "bad_token", False),
        ("HoldVehicle", "refused", False),  # lars, a new id after the bad token: L1 6 is held already
    ]
