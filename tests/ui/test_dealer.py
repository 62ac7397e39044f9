"""The HMI's one DEALER poller (``ui.dealer.DealerLink``): requests matched to replies, time-outs, link state; and
the command and sim control clients on it, which keep only their own messages.

The other end is a ROUTER on ``inproc://`` in the same ZeroMQ context (no network, no ports), answering by hand;
an end nobody has bound yet is an ``ipc://`` path (an unbound ``inproc://`` takes messages before its bind).
Time is a hand-moved clock given to the link, so deadlines and silence come when the test says, never from a
sleep; the link's QTimer only drains replies (``qtbot.waitSignal`` bounds every wait for one).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zmq
from pytestqt.qtbot import QtBot

from ui.command_client import CommandClient
from ui.dealer import REDIAL, DealerLink, Heard, JsonWire, LinkState, Request
from ui.engineer.link import Answer, SimControlClient

WAIT_MS = 5_000
TIMEOUT_S = 5.0
OPTIONS: dict[int, int] = {**REDIAL, zmq.IMMEDIATE: 1}  # as the command and sim control links: no queueing
_names = itertools.count(1)


class Clock:
    """The link's clock, moved only by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def read(frame: bytes) -> Heard:
    """A JSON object; ``"more": true`` says another reply to the same request follows."""
    message = json.loads(frame)
    if not isinstance(message, dict):
        raise ValueError("not a JSON object")
    return Heard(request_id=message.get("id"), message=message, last=not message.get("more"))


class Router:
    """The other end: takes the link's requests and answers as the test tells it."""

    def __init__(self, endpoint: str) -> None:
        self.socket: zmq.Socket[bytes] = zmq.Context.instance().socket(zmq.ROUTER)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.bind(endpoint)
        self.peer = b""

    def take(self) -> dict[str, Any]:
        assert self.socket.poll(WAIT_MS, zmq.POLLIN), "no request arrived"
        self.peer, frame = self.socket.recv_multipart()
        request: dict[str, Any] = json.loads(frame)
        return request

    def answer(self, message: dict[str, Any] | bytes) -> None:
        frame = message if isinstance(message, bytes) else json.dumps(message).encode()
        self.socket.send_multipart([self.peer, frame])

    def close(self) -> None:
        self.socket.close(linger=0)


@pytest.fixture
def endpoint() -> str:
    return f"inproc://dealer-test-{next(_names)}"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def link(qtbot: QtBot, clock: Clock) -> Iterator[DealerLink]:
    made = DealerLink(JsonWire(read), OPTIONS, stale_after_s=3.0, poll_interval_ms=5, clock=clock)
    yield made
    made.stop()


@pytest.fixture
def router(endpoint: str) -> Iterator[Router]:
    made = Router(endpoint)
    yield made
    made.close()


def replies(link: DealerLink) -> list[tuple[Request | None, dict[str, Any]]]:
    seen: list[tuple[Request | None, dict[str, Any]]] = []
    link.replied.connect(lambda request, message: seen.append((request, message)))
    return seen


# -- requests and replies -------------------------------------------------------------------------------------------
def test_replies_find_their_requests_by_id_in_any_order(
    qtbot: QtBot, link: DealerLink, router: Router, endpoint: str
) -> None:
    link.start(endpoint)
    seen = replies(link)
    first = link.request({"op": "hold"}, TIMEOUT_S, memo="first")
    second = link.request({"op": "release"}, TIMEOUT_S, memo="second")
    asked = [router.take(), router.take()]
    assert asked == [{"op": "hold", "id": first}, {"op": "release", "id": second}]  # in order, each with its id
    router.answer({"id": second, "ok": True})
    router.answer({"id": first, "ok": False})
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=WAIT_MS)
    assert [(r.id, r.memo, m["ok"]) for r, m in seen if r is not None] == [
        (second, "second", True),
        (first, "first", False),
    ]
    assert not link.waiting(first) and not link.waiting(second)
    assert (link.stats.sent, link.stats.replies, link.stats.strays) == (2, 2, 0)


def test_a_reply_to_no_waiting_request_is_a_stray(
    qtbot: QtBot, link: DealerLink, router: Router, endpoint: str
) -> None:
    link.start(endpoint)
    seen = replies(link)
    mine = link.request({"op": "state"}, TIMEOUT_S)
    router.take()
    router.answer({"id": 999, "ok": True})  # not a request of this link
    router.answer({"ok": True})  # names no request
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=WAIT_MS)
    assert [r for r, _ in seen] == [None, None] and link.stats.strays == 2
    assert link.waiting(mine)


def test_a_request_waits_for_all_its_replies(qtbot: QtBot, link: DealerLink, router: Router, endpoint: str) -> None:
    link.start(endpoint)
    seen = replies(link)
    asked = link.request({"op": "snapshot"}, TIMEOUT_S)
    router.take()
    for part in (1, 2):
        router.answer({"id": asked, "part": part, "more": True})
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=WAIT_MS)
    assert link.waiting(asked)  # the last part is still to come
    router.answer({"id": asked, "part": 3})
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=WAIT_MS)
    assert [m["part"] for _, m in seen] == [1, 2, 3] and all(r is not None and r.id == asked for r, _ in seen)
    assert not link.waiting(asked)


def test_a_sent_request_keeps_no_frames(link: DealerLink, router: Router, endpoint: str, clock: Clock) -> None:
    """A login's password leaves memory with its request: only the owner's memo waits for the answer."""
    link.start(endpoint)
    timeouts: list[Request] = []
    link.timed_out.connect(timeouts.append)
    link.request({"op": "login", "password": "secret-pw"}, TIMEOUT_S, memo="login")
    assert router.take()["password"] == "secret-pw"
    clock.now += TIMEOUT_S
    link.poll()
    assert [(r.memo, r.frames, r.sent) for r in timeouts] == [("login", None, True)]


# -- time-outs ------------------------------------------------------------------------------------------------------
def test_an_unanswered_request_times_out_at_its_deadline_once(
    qtbot: QtBot, link: DealerLink, router: Router, endpoint: str, clock: Clock
) -> None:
    link.start(endpoint)
    timeouts: list[Request] = []
    link.timed_out.connect(timeouts.append)
    seen = replies(link)
    asked = link.request({"op": "hold"}, TIMEOUT_S, memo="hold")
    router.take()
    clock.now += TIMEOUT_S - 0.01
    link.poll()
    assert timeouts == [] and link.waiting(asked)
    clock.now += 0.01
    link.poll()
    link.poll()
    assert [(r.id, r.memo, r.sent) for r in timeouts] == [(asked, "hold", True)] and link.stats.timeouts == 1
    router.answer({"id": asked, "ok": True})  # too late: a stray, never a second answer to the request
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT_MS)
    assert seen[0][0] is None and len(timeouts) == 1


def test_a_request_waits_for_the_connection_until_its_deadline(
    qtbot: QtBot, link: DealerLink, clock: Clock, tmp_path: Path
) -> None:
    endpoint = f"ipc://{tmp_path}/service"
    link.start(endpoint)  # nobody has bound it yet: with IMMEDIATE nothing can leave
    timeouts: list[Request] = []
    link.timed_out.connect(timeouts.append)
    unsent = link.request({"op": "hold"}, TIMEOUT_S)
    link.poll()
    assert link.waiting(unsent) and link.stats.sent == 0
    clock.now += TIMEOUT_S
    link.poll()
    assert [(r.id, r.sent) for r in timeouts] == [(unsent, False)]  # "unreachable": it never left
    held = link.request({"op": "release"}, TIMEOUT_S)
    router = Router(endpoint)  # the other end comes before the deadline: the held request leaves then
    try:
        qtbot.waitUntil(lambda: link.stats.sent == 1, timeout=WAIT_MS)
        assert router.take() == {"op": "release", "id": held}
    finally:
        router.close()


def test_request_now_sends_now_or_never(link: DealerLink, router: Router, endpoint: str, tmp_path: Path) -> None:
    assert link.request_now({"op": "press"}, TIMEOUT_S) is None  # not started: no socket
    assert link.stats.refused == 0
    link.start(f"ipc://{tmp_path}/nobody")
    assert link.request_now({"op": "press"}, TIMEOUT_S) is None
    assert link.stats.refused == 1 and link.stats.sent == 0 and link._pending == {}
    link.connect_to(endpoint)  # a fresh socket to a bound inproc end is connected at once
    sent = link.request_now({"op": "press"}, TIMEOUT_S, memo="press")
    assert sent is not None and link.waiting(sent) and router.take() == {"op": "press", "id": sent}


def test_forget_and_reconnect_drop_waiting_requests_silently(
    link: DealerLink, router: Router, endpoint: str, clock: Clock
) -> None:
    link.start(endpoint)
    timeouts: list[Request] = []
    link.timed_out.connect(timeouts.append)
    forgotten = link.request({"op": "snapshot"}, TIMEOUT_S)
    link.forget(forgotten)
    before_reconnect = link.request({"op": "snapshot"}, TIMEOUT_S)
    link.connect_to(endpoint)
    clock.now += TIMEOUT_S
    link.poll()
    assert timeouts == [] and not link.waiting(forgotten) and not link.waiting(before_reconnect)


# -- link state ------------------------------------------------------------------------------------------------------
def test_the_link_is_live_while_replies_come_and_down_after_silence_or_stop(
    qtbot: QtBot, link: DealerLink, router: Router, endpoint: str, clock: Clock
) -> None:
    changes: list[bool] = []
    link.link_changed.connect(changes.append)
    link.start(endpoint)
    for _ in range(2):
        with qtbot.waitSignal(link.link_changed, timeout=WAIT_MS):
            link.request({"op": "state"}, TIMEOUT_S)
            router.answer({"id": router.take()["id"], "ok": True})
        assert link.link_up
        clock.now += 2.99
        link.poll()
        assert link.link_up  # not silent long enough
        clock.now += 0.01
        link.poll()
        link.poll()
        assert not link.link_up
    assert changes == [True, False, True, False]  # each change once
    with qtbot.waitSignal(link.link_changed, timeout=WAIT_MS):
        link.request({"op": "state"}, TIMEOUT_S)
        router.answer({"id": router.take()["id"], "ok": True})
    link.stop()
    assert changes[-2:] == [True, False] and not link.link_up


def test_a_message_that_does_not_fit_is_counted_and_reported_not_taken_as_life(
    qtbot: QtBot, link: DealerLink, router: Router, endpoint: str
) -> None:
    link.start(endpoint)
    asked = link.request({"op": "state"}, TIMEOUT_S)
    router.take()
    with qtbot.waitSignal(link.bad_reply, timeout=WAIT_MS) as bad:
        router.answer(b"{not json")
    assert bad.args[0] and link.stats.bad == 1
    assert not link.link_up and link.waiting(asked) and link.stats.replies == 0


def test_each_tick_ends_with_ticked_after_the_replies_and_time_outs(
    qtbot: QtBot, link: DealerLink, router: Router, endpoint: str, clock: Clock
) -> None:
    order: list[str] = []
    link.replied.connect(lambda *_: order.append("replied"))
    link.timed_out.connect(lambda _: order.append("timed_out"))
    link.ticked.connect(lambda now: order.append(f"ticked {now:g}"))
    link.start(endpoint)
    answered = link.request({"op": "a"}, TIMEOUT_S)
    link.request({"op": "b"}, 1.0)
    router.take()
    router.take()
    router.answer({"id": answered, "ok": True})
    qtbot.waitUntil(lambda: "replied" in order, timeout=WAIT_MS)
    link.timer.stop()
    order.clear()
    clock.now += 1.0
    link.poll()
    assert order == ["timed_out", f"ticked {clock.now:g}"]


def test_link_state_alone(qtbot: QtBot) -> None:
    """The rule the bus client shares: heard keeps it live, live brings it up, silence or lost takes it down."""
    state = LinkState(stale_after_s=3.0)
    changes: list[bool] = []
    state.changed.connect(changes.append)
    assert not state.went_silent(0.0)  # not listening yet: no silence to count
    state.live(10.0)
    state.heard(12.0)
    assert not state.went_silent(14.9) and state.went_silent(15.0) and not state.went_silent(20.0)
    state.heard(21.0)
    assert not state.up  # heard is not live: the owner decides when the data is live again
    state.live(22.0)
    state.lost()
    assert changes == [True, False, True, False]


# -- the clients on it keep only their own messages -------------------------------------------------------------------
def test_the_command_client_answers_unreachable_and_timeout_itself(
    qtbot: QtBot, clock: Clock, router: Router, endpoint: str, tmp_path: Path
) -> None:
    """docs/hmi-commands.md: ``unreachable`` (nothing was sent) and ``timeout`` (sent, no answer) are the client's."""
    nobody = CommandClient(f"ipc://{tmp_path}/nobody", timeout_s=TIMEOUT_S)
    nobody.link.clock = clock
    nobody.start()
    failed: list[str] = []
    nobody.login_failed.connect(failed.append)
    nobody.login("olga", "operator-pw-1")
    clock.now += TIMEOUT_S
    with qtbot.waitSignal(nobody.replied, timeout=WAIT_MS) as unreachable:
        nobody.link.poll()
    assert unreachable.args[0]["code"] == "unreachable" and failed and "nothing was sent" in failed[0]
    nobody.stop()
    mute = CommandClient(endpoint, timeout_s=TIMEOUT_S)
    mute.link.clock = clock
    mute.start()
    sent = mute.send("HoldVehicle", {"feed": "L1", "seq": 42}, reason="paint repair loop")
    asked = router.take()
    assert asked["id"] == sent and len(asked["request_id"]) == 32, "every operation has a request id of its own"
    clock.now += TIMEOUT_S
    with qtbot.waitSignal(mute.replied, timeout=WAIT_MS) as silent:
        mute.link.poll()
    once = asked["request_id"]
    assert silent.args[0] == {
        "ok": False, "id": sent, "code": "timeout", "error": silent.args[0]["error"], "request_id": once
    }  # fmt: skip
    assert "no answer within 5 s" in silent.args[0]["error"]
    again = mute.send("HoldVehicle", {"feed": "L1", "seq": 42}, reason="paint repair loop", request_id=once)
    assert router.take()["request_id"] == once and again != sent, "trying again: the same operation"
    mute.stop()


def test_the_command_client_keeps_the_login_not_the_password(qtbot: QtBot, router: Router, endpoint: str) -> None:
    client = CommandClient(endpoint)
    client.start()
    asked = client.login("olga", "operator-pw-1")
    request = router.take()
    assert request == {"op": "login", "user": "olga", "password": "operator-pw-1", "id": asked}
    assert [(r.memo, r.frames) for r in client.link._pending.values()] == [(("login", None), None)]
    with qtbot.waitSignal(client.logged_in, timeout=WAIT_MS) as logged_in:
        router.answer({"ok": True, "id": asked, "user": "olga", "token": "t0k3n", "role": "operator"})
    assert logged_in.args == ["operator"] and client.logged_in_now and client.user == "olga"
    client.stop()


def test_the_sim_client_asks_for_the_state_four_times_a_second_and_again_after_two(
    qtbot: QtBot, clock: Clock, router: Router, endpoint: str
) -> None:
    """docs/sim-control.md: every 250 ms, at most one unanswered at a time, re-asked after 2 s."""
    client = SimControlClient(endpoint)
    client.link.clock = clock
    client.start()
    client.link.timer.stop()  # the test ticks by hand
    start = clock.now

    def tick(at: float) -> bool:
        clock.now = start + at
        client.link.poll()
        return True

    tick(0.0)
    first = router.take()
    assert first == {"op": "state", "id": first["id"]}
    tick(1.99)
    assert not router.socket.poll(0, zmq.POLLIN)  # still waiting for the first answer
    tick(2.0)
    second = router.take()
    router.answer({"id": second["id"], "ok": True})
    qtbot.waitUntil(lambda: tick(2.2) and not client.link.waiting(second["id"]), timeout=WAIT_MS)
    assert not router.socket.poll(0, zmq.POLLIN)  # answered 0.2 s ago: the next one at 0.25 s
    tick(2.25)
    assert router.take()["op"] == "state"
    answers: list[tuple[dict[str, Any], Answer]] = []
    client.answered.connect(lambda request, answer: answers.append((request, answer)))
    press = {"op": "press", "device": "ptl-seat", "light": 1}
    pressed = client.send(press)
    assert router.take() == {**press, "id": pressed}
    router.answer({"id": pressed, "ok": False, "error": "no light 1"})
    qtbot.waitUntil(lambda: tick(2.3) and bool(answers), timeout=WAIT_MS)
    assert answers[0][0] == press and answers[0][1].error == "no light 1"
    client.stop()
