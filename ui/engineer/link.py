"""The engineer's view's end of the simulators' control channel: a ZeroMQ DEALER on the HMI's one DEALER poller.

What it is for: asking the simulator process (``hardware_sims.control``, docs/sim-control.md) for the plant's
state a few times a second, sending the engineer's presses, fault switches and feed knobs, and turning the
answers into signals: ``state_changed`` (a validated ``SimState``), ``answered`` (the answer to a command) and
``link_changed`` (live while answers keep coming: ``ui.dealer.DealerLink``, which polls, matches and times out).
What it must not do: block the GUI thread (every send and receive is ``zmq.NOBLOCK`` from a QTimer), trust what
it receives (each answer is validated; a bad one is counted and reported), queue commands for later (with
``IMMEDIATE`` a command sent while the link is down is refused at once, never replayed on reconnect), or import
the simulators (``ui`` and ``hardware_sims`` are independent layers: the state's shape is written again
here, and tests/integration/test_sim_control.py checks that both ends agree).
"""

from __future__ import annotations

from typing import Any

import zmq
from pydantic import BaseModel, ConfigDict
from PySide6.QtCore import QObject, Signal, Slot

from ui.dealer import (
    HEARTBEATS,
    POLL_INTERVAL_MS,
    REDIAL,
    STALE_AFTER_S,
    DealerLink,
    DealerStats,
    Heard,
    JsonWire,
    Request,
)

STATE_EVERY_S = 0.25  # ask for the state at 4 Hz: lights and counters feel live, the sim process barely notices
STATE_RETRY_S = 2.0  # an unanswered state request is given up and asked again (lost across a reconnect)
FORGET_AFTER_S = 10.0  # a request unanswered this long is forgotten (bounds the pending table)

# The largest answer is the state with its labels: the demo plant's is about 15 KB (a light ~150 bytes, a parsed
# label ~2 KB); a plant of 16 controllers of 247 lights and 16 printers showing 20 labels each is under 1.5 MB.
MAX_ANSWER_BYTES = 4 * 1024 * 1024

DEALER_OPTIONS: dict[int, int] = {
    **REDIAL,
    **HEARTBEATS,
    zmq.IMMEDIATE: 1,  # queue only to a completed connection: a press while the sim is away fails now
    zmq.SNDHWM: 20,
    zmq.RCVHWM: 50,
    zmq.MAXMSGSIZE: MAX_ANSWER_BYTES,  # a frame over it closes the connection before it is allocated
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
    line: bool = False  # code128: its interpretation line printed under the bars (only if the ZPL asked for one)


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


class ScannerState(_Part):
    station: str
    port: int
    clients: int
    sent: int
    last: str
    switches: dict[str, bool]


class SimState(_Part):
    plant: str
    timezone: str
    at: float
    speed: float
    gateways: dict[str, GatewayState]
    printers: dict[str, PrinterState]
    feeds: dict[str, FeedState]
    stations: dict[str, StationState]
    scanners: dict[str, ScannerState] = {}  # barcode readers (docs/scanner-tcp.md); absent from older simulators


class Answer(_Part):
    id: int | None
    ok: bool
    error: str = ""
    state: SimState | None = None
    applied: dict[str, Any] | None = None


# -- the client ------------------------------------------------------------------------------------------------------
def read_answer(frame: bytes) -> Heard:
    answer = Answer.model_validate_json(frame)  # a ValidationError is a ValueError
    return Heard(request_id=answer.id, message=answer)


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
        stale_after_s: float = STALE_AFTER_S,
        parent: QObject | None = None,
        poll_ms: int = POLL_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self.endpoint = endpoint
        self.state: SimState | None = None
        self.link = DealerLink(
            JsonWire(read_answer), DEALER_OPTIONS, stale_after_s=stale_after_s, poll_interval_ms=poll_ms, parent=self
        )
        self._state_request: int | None = None  # the newest state request
        self._state_asked_at: float | None = None  # when it was asked, on the link's clock
        self.link.replied.connect(self._take)
        self.link.ticked.connect(self._ask_state)
        self.link.link_changed.connect(self.link_changed)
        self.link.bad_reply.connect(self.bad_message)

    # --- lifecycle ---
    def start(self) -> None:
        self.link.start(self.endpoint)

    def stop(self) -> None:
        self.link.stop()
        self._state_request = self._state_asked_at = None

    @property
    def link_up(self) -> bool:
        return self.link.link_up

    @property
    def stats(self) -> DealerStats:
        return self.link.stats

    # --- commands ---
    def send(self, request: dict[str, Any]) -> int | None:
        """Send one request now; its id, or None when the simulators are not connected (nothing is queued)."""
        return self.link.request_now(request, FORGET_AFTER_S, memo=request)

    def refresh(self) -> None:
        """Ask for the state now (after a command, so its effect shows without waiting for the next tick)."""
        self._state_asked_at = None
        self._ask_state(self.link.clock())

    # --- the link's ticks and answers ---
    @Slot(float)
    def _ask_state(self, now: float) -> None:
        asked = self._state_asked_at
        waiting = self.link.waiting(self._state_request)
        if asked is not None and now - asked < (STATE_RETRY_S if waiting else STATE_EVERY_S):
            return
        request_id = self.send({"op": "state"})
        if request_id is not None:
            self._state_request, self._state_asked_at = request_id, now

    @Slot(object, object)
    def _take(self, request: Request | None, answer: Answer) -> None:
        asked: dict[str, Any] = request.memo if request is not None else {}
        if answer.state is not None:
            self.state = answer.state
            self.state_changed.emit(answer.state)
        elif asked.get("op") != "state":
            self.answered.emit(asked, answer)
