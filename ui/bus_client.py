"""The HMI's end of the service's HMI bus (the Clone pattern): SUB for numbered updates, DEALER for snapshots.

What it is for: keeping a copy of the line's entries (``sequencer.clone.Replica``) in step with the service
(``app.hmi.bus``, docs/hmi-bus.md) and emitting the reassembled ``LineView`` on ``line_changed`` whenever it moves
on, plus ``link_changed`` (is the data live?) and ``bad_message``. It subscribes first, then asks for a snapshot
(``ICANHAZ?``), applies it and the updates numbered after it, and asks again when a number is missing, the
service's epoch changes (a restart) or the bus falls silent (no ``HUGZ`` for ``stale_after_s``). The snapshot
endpoint is given, or learnt from the first heartbeat (the service advertises it).
The snapshot requests go over the HMI's one DEALER poller (``ui.dealer.DealerLink``), whose QTimer also drives
the SUB: one tick drains the snapshot replies, then the bus. The bus is also drained the moment something arrives
on it (a ``QSocketNotifier`` on the SUB's ``ZMQ_FD``), so a new pick is on the glass within the GUI's next pass,
not at the next tick (up to 50 ms later). That descriptor is edge-triggered and only says the socket's state may
have changed (ui/dealer.py): each wake-up drains until ``EAGAIN`` and reads ``ZMQ_EVENTS``, which re-arms it, and
the tick still drains the bus, so a wake-up missed costs at most one tick.
Bounds: both sockets drop a frame over ``sequencer.clone.MAX_FRAME_BYTES`` before it is allocated (ZMQ_MAXMSGSIZE).
libzmq then closes the connection as a protocol error and does not re-dial it by itself, so the client does: a fresh
SUB when the bus falls silent, a fresh snapshot connection when a snapshot request goes unanswered.
What it must not do: block the GUI thread (every send and receive is ``zmq.NOBLOCK`` from a QTimer), trust what
it receives (every value is validated before it is applied; a bad one is counted and reported, and the state is
fetched again), or talk to the database or devices (the HMI sees the plant only through the bus).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import zmq
import zmq.auth
from PySide6.QtCore import QObject, QSocketNotifier, Signal, Slot

from sequencer.clone import (
    HUGZ,
    ICANHAZ,
    KTHXBAI,
    KV,
    KVS,
    MAX_FRAME_BYTES,
    Change,
    Replica,
    Step,
    WireError,
    read_hugz,
    read_kthxbai,
    read_kv,
)
from ui.dealer import (
    BAD_MESSAGE_PREVIEW,
    HEARTBEATS,
    POLL_INTERVAL_MS,
    REDIAL,
    STALE_AFTER_S,
    DealerLink,
    Heard,
    LinkState,
    Request,
    open_socket,
)

MAX_BUS_DRAIN_PER_TICK = 500  # bound the work done in one GUI tick; the rest is drained on the next tick
MAX_SNAPSHOT_DRAIN_PER_TICK = 2000  # a snapshot is one message per entry
MAX_SNAPSHOT_ITEMS = 100_000  # a snapshot bigger than this is refused (a line has a few hundred entries)
SNAPSHOT_RETRY_S = 2.0  # an unanswered snapshot request is asked again after this long
REQUEST_ID_DIGITS = 18  # a request id this client sent fits; a longer one is someone else's

SUB_OPTIONS: dict[int, int] = {
    **REDIAL,
    **HEARTBEATS,
    # Updates are numbered: one lost past the mark is noticed and repaired by a snapshot, so the queue need only
    # ride out a slow GUI tick (1000 updates is ~17 s of a busy line at the bus's 60 a second).
    zmq.RCVHWM: 1000,
    zmq.MAXMSGSIZE: MAX_FRAME_BYTES,  # a frame no service sends closes the connection before it is allocated
}
SNAPSHOT_OPTIONS: dict[int, int] = {
    **REDIAL,
    zmq.SNDHWM: 4,  # a few requests wait for the connection; more would only be answered in vain
    # A snapshot is many messages: never drop a part of one (the socket is drained every tick). RCVHWM 0 bounds no
    # count, so MAXMSGSIZE bounds each frame.
    zmq.RCVHWM: 0,
    zmq.MAXMSGSIZE: MAX_FRAME_BYTES,
}


class SnapshotWire:
    """``[ICANHAZ?, id]`` out; ``[KVS, id, key, value]`` per entry, then ``[KTHXBAI, id, epoch, seq]`` back.

    Only the id is read here: the bus client validates the rest against the request it belongs to."""

    def encode(self, request_id: int, body: object) -> list[bytes]:
        return [ICANHAZ, str(request_id).encode()]

    def decode(self, frames: list[bytes]) -> Heard:
        named = len(frames) >= 2 and frames[1].isdigit() and len(frames[1]) <= REQUEST_ID_DIGITS
        return Heard(request_id=int(frames[1]) if named else None, message=frames, last=frames[0] == KTHXBAI)


def snapshot_endpoint(bus: str, advertised: str) -> str:
    """Where to ask for snapshots: the advertised endpoint, on the host the screen reached the bus at (a service
    bound to ``tcp://*:5558`` advertises ``tcp://0.0.0.0:5558``)."""
    a, b = urlsplit(advertised), urlsplit(bus)
    if a.scheme != "tcp" or b.scheme != "tcp" or not a.port:
        return advertised
    host = b.netloc.rpartition(":")[0]
    return urlunsplit(a._replace(netloc=f"{host}:{a.port}"))


@dataclass(frozen=True)
class CurveKeys:
    """A screen's CURVE keys (``jis feed-keys`` files): its own key pair and the service's public key."""

    public: bytes
    secret: bytes
    server: bytes

    @classmethod
    def from_files(cls, secret_file: str | Path, server_key_file: str | Path) -> CurveKeys:
        public, secret = zmq.auth.load_certificate(secret_file)
        server, _ = zmq.auth.load_certificate(server_key_file)
        if public is None or secret is None or server is None:
            raise ValueError(f"{secret_file} needs a public and a secret key, {server_key_file} a public key")
        return cls(public, secret, server)

    def apply(self, sock: zmq.Socket[bytes]) -> None:
        """Make ``sock`` (not yet connected) a CURVE client of the service."""
        sock.setsockopt(zmq.CURVE_SERVERKEY, self.server)
        sock.setsockopt(zmq.CURVE_PUBLICKEY, self.public)
        sock.setsockopt(zmq.CURVE_SECRETKEY, self.secret)


@dataclass
class BusStats:
    """What the client has seen since ``start()``; for diagnostics and tests."""

    frames: int = 0  # bus messages received, good or bad
    shown: int = 0  # pictures emitted through line_changed
    bad: int = 0  # messages or values that failed validation
    updates: int = 0  # update messages applied
    duplicates: int = 0  # update messages that brought nothing new
    gaps: int = 0  # missed numbers (or a heartbeat ahead of us): a snapshot was asked for
    snapshots: int = 0  # snapshots loaded
    restarts: int = 0  # the service's epoch changed: it restarted


class BusClient(QObject):
    """Follow the HMI bus at ``endpoint`` and emit the reassembled ``LineView`` whenever it changes."""

    line_changed = Signal(object)
    link_changed = Signal(bool)
    bad_message = Signal(str)

    def __init__(
        self,
        endpoint: str,
        *,
        snapshot: str | None = None,
        curve: CurveKeys | None = None,
        stale_after_s: float = STALE_AFTER_S,
        parent: QObject | None = None,
        poll_interval_ms: int = POLL_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self.endpoint = endpoint
        self.snapshot_endpoint = snapshot  # None: learnt from the first heartbeat
        self.curve = curve
        self.stats = BusStats()
        self.replica = Replica()
        self.state = LinkState(stale_after_s, self)  # the bus's: live once a picture is shown, down when silent
        self.state.changed.connect(self.link_changed)
        self.snapshots = DealerLink(
            SnapshotWire(), SNAPSHOT_OPTIONS, keys=curve, poll_interval_ms=poll_interval_ms,
            max_drain=MAX_SNAPSHOT_DRAIN_PER_TICK, parent=self,
        )  # fmt: skip
        self.snapshots.replied.connect(self._take_snapshot)
        self.snapshots.timed_out.connect(self._snapshot_unanswered)
        self.snapshots.ticked.connect(self._poll)
        self._sub: zmq.Socket[bytes] | None = None
        self._wake: QSocketNotifier | None = None  # the SUB's descriptor: something may have arrived
        self._epoch = b""  # the service's epoch last heard on the bus
        self._request = 0  # id of the newest snapshot request (waiting or not)
        self._items: list[Change] = []  # the snapshot in flight

    # --- lifecycle ---

    def start(self) -> None:
        """Subscribe, then ask for a snapshot; the link stays down until the first picture is shown."""
        if self._sub is not None:
            return
        self._subscribe()
        self.snapshots.start(self.snapshot_endpoint)
        self._ask_snapshot()

    def _subscribe(self) -> None:
        """A fresh SUB to the bus (the old one, if any, closed at once)."""
        if self._sub is not None:
            self._sub.close(linger=0)
        sock = open_socket(zmq.SUB, SUB_OPTIONS, self.curve)
        sock.setsockopt(zmq.SUBSCRIBE, KV)
        sock.setsockopt(zmq.SUBSCRIBE, HUGZ)
        sock.connect(self.endpoint)
        self._sub = sock
        if self._wake is not None:  # the old SUB's descriptor: its notifier goes with it
            self._wake.setEnabled(False)
            self._wake.deleteLater()
        self._wake = QSocketNotifier(sock.getsockopt(zmq.FD), QSocketNotifier.Type.Read, self)
        self._wake.activated.connect(self._woken)

    def stop(self) -> None:
        """Stop polling and close the sockets at once (linger 0); the link is reported down."""
        self.snapshots.stop()
        if self._wake is not None:
            self._wake.setEnabled(False)
            self._wake.deleteLater()
            self._wake = None
        if self._sub is not None:
            self._sub.close(linger=0)
        self._sub = None
        self._request = 0
        self.replica.lose_sync()
        self.state.lost()

    @property
    def running(self) -> bool:
        return self._sub is not None

    @property
    def link_up(self) -> bool:
        return self.state.up

    # --- one GUI tick (after the snapshot link's own) ---

    @Slot(float)
    def _poll(self, now: float) -> None:
        self._drain_bus(now)
        if not self.replica.synced and not self.snapshots.waiting(self._request):
            self._ask_snapshot()
        if self.replica.changed:
            self.replica.changed = False
            self._show(now)
        if self.state.went_silent(now):
            self.replica.lose_sync()  # a silent link: fetch the whole state again when it speaks
            self._subscribe()  # on a fresh connection: libzmq does not re-dial one it dropped for an oversized frame

    @Slot()
    def _woken(self) -> None:
        """The SUB's descriptor fired: take what arrived now and show it, rather than at the next tick."""
        if self._sub is None:
            return
        now = self.snapshots.clock()
        self._drain_bus(now)
        if self.replica.changed:
            self.replica.changed = False
            self._show(now)
        if self._sub is not None:
            self._sub.getsockopt(zmq.EVENTS)  # re-arms the edge-triggered descriptor (libzmq's zmq_getsockopt)

    def _drain_bus(self, now: float) -> None:
        for _ in range(MAX_BUS_DRAIN_PER_TICK):
            if self._sub is None:
                return
            try:
                frames = self._sub.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            self.stats.frames += 1
            try:
                step = self._take_bus(frames)
            except WireError as exc:
                self._bad(exc)
                continue
            self.state.heard(now)
            if step is Step.APPLIED:
                self.stats.updates += 1
            elif step is Step.STALE and frames[0] == KV:
                self.stats.duplicates += 1
            elif step is Step.GAP:
                self.stats.gaps += 1

    def _take_bus(self, frames: list[bytes]) -> Step:
        if frames[0] == KV:
            epoch, delta = read_kv(frames)
            self._note_epoch(epoch)
            return self.replica.on_delta(epoch, delta)
        epoch, seq, advertised = read_hugz(frames)
        self._note_epoch(epoch)
        if self.snapshot_endpoint is None:
            self._use_snapshot_endpoint(snapshot_endpoint(self.endpoint, advertised))
        return self.replica.on_hugz(epoch, seq)

    def _note_epoch(self, epoch: bytes) -> None:
        if self._epoch and epoch != self._epoch:
            self.stats.restarts += 1
        self._epoch = epoch

    # --- snapshots ---

    def _use_snapshot_endpoint(self, endpoint: str) -> None:
        if endpoint != self.snapshots.endpoint:
            self.snapshots.connect_to(endpoint)  # a request asked of the old endpoint is forgotten: ask again

    def _ask_snapshot(self) -> None:
        if not self.snapshots.connected:
            if self.snapshot_endpoint is None:
                return  # not known yet: the first heartbeat tells
            self.snapshots.connect_to(self.snapshot_endpoint)
        self._request = self.snapshots.request(None, SNAPSHOT_RETRY_S)
        self._items = []

    @Slot(object)
    def _snapshot_unanswered(self, request: Request) -> None:
        """No snapshot in time: ask the next on a fresh connection (one dropped for an oversized frame stays down)."""
        if request.id == self._request and self.snapshots.endpoint:
            self.snapshots.connect_to(self.snapshots.endpoint)

    @Slot(object, object)
    def _take_snapshot(self, request: Request | None, frames: list[bytes]) -> None:
        if request is None or request.id != self._request:
            return  # the answer to an older request
        try:
            self._load_snapshot(frames)
        except WireError as exc:
            self._bad(exc)
            self.snapshots.forget(request.id)  # the rest of this answer is not read

    def _load_snapshot(self, frames: list[bytes]) -> None:
        if frames[0] == KVS and len(frames) == 4 and len(self._items) < MAX_SNAPSHOT_ITEMS:
            try:
                self._items.append((frames[2].decode(), frames[3]))
            except UnicodeDecodeError as exc:
                raise WireError("snapshot key is not UTF-8") from exc
            return
        if frames[0] != KTHXBAI:
            raise WireError(f"unexpected snapshot message {frames[0][:20]!r} ({len(frames)} frames)")
        _, epoch, seq = read_kthxbai(frames)
        items, self._items = self._items, []
        if self.replica.on_snapshot(epoch, seq, items) is Step.GAP:
            self.stats.gaps += 1
        self.stats.snapshots += 1

    # --- what the screen sees ---

    def _show(self, now: float) -> None:
        try:
            view = self.replica.view()
        except WireError as exc:
            self._bad(exc)
            return
        self.stats.shown += 1
        self.line_changed.emit(view)
        self.state.live(now)

    def _bad(self, exc: ValueError) -> None:
        """A message or value that does not fit: report it, keep the last good picture, fetch the state again."""
        self.stats.bad += 1
        self.replica.lose_sync()
        self.bad_message.emit(str(exc)[:BAD_MESSAGE_PREVIEW])
