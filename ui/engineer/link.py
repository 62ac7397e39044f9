"""The engineer's view's end of the simulators' control channel: a ZeroMQ DEALER polled from the Qt event loop.

What it is for: asking the simulator process (``hardware_sims.control``, docs/sim-control.md) for the plant's
state a few times a second, sending the engineer's presses, fault switches and feed knobs, and turning the
answers into signals: ``state_changed`` (a validated ``SimState``), ``answered`` (the answer to a command) and
``link_changed`` (live or not).
What it must not do: block the GUI thread (every send and receive is ``zmq.NOBLOCK`` from a QTimer), trust what
it receives (each answer is validated; a bad one is counted and reported), queue commands for later (with
``IMMEDIATE`` a command sent while the link is down is refused at once, never replayed on reconnect), or import
the simulators (``ui`` and ``hardware_sims`` are independent layers: the state's shape is written again
here, and tests/integration/test_sim_control.py checks that both ends agree).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import zmq
from pydantic import BaseModel, ConfigDict, ValidationError
from PySide6.QtCore import QObject, QTimer, Signal

POLL_INTERVAL_MS = 50  # drain answers at 20 Hz
STATE_EVERY_S = 0.25  # ask for the state at 4 Hz: lights and counters feel live, the sim process barely notices
STATE_RETRY_S = 2.0  # an unanswered state request is given up and asked again (lost across a reconnect)
FORGET_AFTER_S = 10.0  # a request unanswered this long is forgotten (bounds the pending table)
MAX_DRAIN_PER_TICK = 100

DEALER_OPTIONS: dict[int, int] = {
    zmq.IMMEDIATE: 1,  # queue only to a completed connection: a press while the sim is away fails now
    zmq.LINGER: 0,  # closing the window never waits on the network
    zmq.SNDHWM: 20,
    zmq.RCVHWM: 50,
    zmq.RECONNECT_IVL: 250,
    zmq.RECONNECT_IVL_MAX: 2000,
    zmq.HEARTBEAT_IVL: 1000,  # notice a half-open connection (ZMTP heartbeats)
    zmq.HEARTBEAT_TIMEOUT: 3000,
}


# -- the state's shape (docs/sim-control.md); unknown keys are ignored so the sims may add fields -----------------
class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class LightState(_Part):
    light: int
    station: str = ""
    bin: str = ""
    colour: str
    flash: bool
    display: int
    token: int
    offline: bool
    latched: bool
    counter: int


class GatewayState(_Part):
    kind: str  # modbus, opcua (a kind the sims cannot read comes with no switches and no lights)
    port: int
    switches: dict[str, bool]  # controller fault switch -> on, in the order to show them (which ones: by kind)
    slow_s: float = 0.0  # the "slow" switch's delay, real seconds
    lights: tuple[LightState, ...]


class LabelElement(_Part):
    kind: str  # text, code128, datamatrix, box
    x: int
    y: int
    data: str = ""
    h: int = 0
    w: int = 0
    t: int = 1
    module: int = 2


class LabelLayout(_Part):
    width: int
    height: int
    elements: tuple[LabelElement, ...]


class PrintedLabelState(_Part):
    label_id: str
    reprint: int
    time: float
    fields: tuple[str, ...]
    layout: LabelLayout


class PrinterState(_Part):
    protocol: str  # zpl, modbus, opcua
    port: int
    status_port: int
    switches: dict[str, bool]  # fault switch -> on, in the order to show them (which ones: by protocol)
    printed: int
    queued: int
    labels: tuple[PrintedLabelState, ...]


class FeedKnobs(_Part):
    takt_s: float
    drop_next: int
    duplicate_next: int
    burst: int
    pause_s: float


class FeedState(_Part):
    plant_takt_s: float
    knobs: FeedKnobs
    counters: dict[str, int]
    unacked: int
    follow_ups: dict[str, int]


class StationState(_Part):
    name: str
    gateway: str
    printer: str
    auto: bool
    wrong_button: bool
    no_press: bool
    presses: int
    wrong_presses: int
    misses: int
    next_press_at: float | None


class SimState(_Part):
    plant: str
    timezone: str
    at: float
    speed: float
    gateways: dict[str, GatewayState]
    printers: dict[str, PrinterState]
    feeds: dict[str, FeedState]
    stations: dict[str, StationState]


class Answer(_Part):
    id: int | None
    ok: bool
    error: str = ""
    state: SimState | None = None
    applied: dict[str, Any] | None = None


# -- the client ------------------------------------------------------------------------------------------------------
@dataclass
class LinkStats:
    sent: int = 0
    refused: int = 0  # commands not sent: no connection to the simulators
    answers: int = 0
    bad: int = 0  # answers that failed validation
    states: int = 0


class SimControlClient(QObject):
    """Poll the sim control channel at ``endpoint``; ``send`` a command, get its answer on ``answered``."""

    state_changed = Signal(object)  # SimState
    answered = Signal(object, object)  # (the request dict, its Answer)
    link_changed = Signal(bool)
    bad_message = Signal(str)

    def __init__(
        self,
        endpoint: str,
        *,
        stale_after_s: float = 3.0,
        parent: QObject | None = None,
        poll_ms: int = POLL_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self.endpoint = endpoint
        self.stale_after_s = stale_after_s
        self.stats = LinkStats()
        self.state: SimState | None = None
        self._socket: zmq.Socket[bytes] | None = None
        self._next_id = 1
        self._pending: dict[int, tuple[float, dict[str, Any]]] = {}  # id -> (sent at, request), until answered
        self._state_asked_at: float | None = None  # monotonic time of the outstanding state request
        self._last_answer_at: float | None = None
        self._link_up = False
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self._poll)

    # --- lifecycle ---
    def start(self) -> None:
        if self._socket is not None:
            return
        sock: zmq.Socket[bytes] = zmq.Context.instance().socket(zmq.DEALER)
        for option, value in DEALER_OPTIONS.items():
            sock.setsockopt(option, value)
        sock.connect(self.endpoint)
        self._socket = sock
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._socket is not None:
            self._socket.close(linger=0)
            self._socket = None
        self._pending.clear()
        self._state_asked_at = self._last_answer_at = None
        self._set_link(False)

    @property
    def link_up(self) -> bool:
        return self._link_up

    # --- commands ---
    def send(self, request: dict[str, Any]) -> int | None:
        """Send one request now; its id, or None when the simulators are not connected (nothing is queued)."""
        if self._socket is None:
            return None
        req_id = self._next_id
        self._next_id += 1
        try:
            self._socket.send(json.dumps({**request, "id": req_id}).encode(), zmq.NOBLOCK)
        except zmq.Again:
            self.stats.refused += 1
            return None
        self.stats.sent += 1
        self._pending[req_id] = (time.monotonic(), request)
        return req_id

    def refresh(self) -> None:
        """Ask for the state now (after a command, so its effect shows without waiting for the next tick)."""
        self._state_asked_at = None
        self._ask_state(time.monotonic())

    # --- one GUI tick ---
    def _poll(self) -> None:
        now = time.monotonic()
        for frame in self._drain():
            self._take(frame, now)
        self._forget_older_than(now - FORGET_AFTER_S)
        self._ask_state(now)
        if self._last_answer_at is not None and now - self._last_answer_at >= self.stale_after_s:
            self._set_link(False)

    def _ask_state(self, now: float) -> None:
        asked = self._state_asked_at
        if asked is not None and now - asked < (STATE_RETRY_S if self._awaiting_state() else STATE_EVERY_S):
            return
        if self.send({"op": "state"}) is not None:
            self._state_asked_at = now

    def _awaiting_state(self) -> bool:
        return any(r.get("op") == "state" for _, r in self._pending.values())

    def _forget_older_than(self, cutoff: float) -> None:
        for req_id in [i for i, (at, _) in self._pending.items() if at < cutoff]:
            del self._pending[req_id]

    def _drain(self) -> list[bytes]:
        frames: list[bytes] = []
        for _ in range(MAX_DRAIN_PER_TICK):
            if self._socket is None:
                break
            try:
                frames.append(self._socket.recv(zmq.NOBLOCK))
            except zmq.Again:
                break
        return frames

    def _take(self, frame: bytes, now: float) -> None:
        try:
            answer = Answer.model_validate_json(frame)
        except ValidationError as exc:
            self.stats.bad += 1
            self.bad_message.emit(str(exc).splitlines()[0][:200])
            return
        self.stats.answers += 1
        self._last_answer_at = now
        self._set_link(True)
        _, request = self._pending.pop(answer.id, (now, {})) if answer.id is not None else (now, {})
        if answer.state is not None:
            self.stats.states += 1
            self.state = answer.state
            self.state_changed.emit(answer.state)
        elif request.get("op") != "state":
            self.answered.emit(request, answer)

    def _set_link(self, up: bool) -> None:
        if up != self._link_up:
            self._link_up = up
            self.link_changed.emit(up)
