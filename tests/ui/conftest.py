"""pytest-qt fixtures for the HMI: headless Qt and a real ZeroMQ publisher standing in for the service's bus.

The environment is set at module top, before anything imports Qt (devices.md: headless tests need the
offscreen platform; pyqtgraph must pick PySide6). Qt is then imported unconditionally, so a broken Qt install
FAILS the suite instead of skipping it.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["PYQTGRAPH_QT_LIB"] = "PySide6"

from collections.abc import Iterator

import pytest
import zmq
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication  # noqa: F401  (must import: a Qt failure fails the suite)

from sequencer.clone import KTHXBAI, KVS, MAX_FRAME_BYTES, KvStore, hugz_frames, kv_frames
from sequencer.views import LineView

BEAT_MS = 50  # the service beats at >= 1 Hz; tests compress it so late-joining subscribers converge fast
EPOCH = b"test-bus"


class BusPublisher:
    """The service's HMI bus in miniature (the Clone pattern, docs/hmi-bus.md), on 127.0.0.1 (random ports).

    ``publish(view)`` sends the entries that changed as one numbered ``KV`` message; every beat sends ``HUGZ``
    (which advertises the snapshot endpoint) and answers snapshot requests, so a screen joining late, or after
    ``stop()``, catches up from a snapshot. ``publish_raw`` and ``send_once`` put any message on the bus.
    """

    def __init__(self) -> None:
        ctx = zmq.Context.instance()
        self.socket: zmq.Socket[bytes] = ctx.socket(zmq.PUB)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.setsockopt(zmq.SNDHWM, 10_000)
        port = self.socket.bind_to_random_port("tcp://127.0.0.1")
        self.endpoint = f"tcp://127.0.0.1:{port}"
        self.snapshots: zmq.Socket[bytes] = ctx.socket(zmq.ROUTER)
        self.snapshots.setsockopt(zmq.LINGER, 0)
        self.snapshot_endpoint = f"tcp://127.0.0.1:{self.snapshots.bind_to_random_port('tcp://127.0.0.1')}"
        self.store = KvStore()
        self.raw: list[bytes] | None = None  # repeated every beat when set (malformed-message tests)
        self.oversized_snapshots = 0  # the next snapshot answers start with a frame over a screen's limit
        self.sent = 0
        self.snapshots_served = 0
        self.timer = QTimer()
        self.timer.setInterval(BEAT_MS)
        self.timer.timeout.connect(self.beat)

    def publish(self, view: LineView) -> None:
        """Publish what changed in ``view`` now and keep beating (and serving snapshots) until told otherwise."""
        self.raw = None
        self.publish_once(view)
        self.beat()
        self.timer.start()

    def publish_once(self, view: LineView) -> None:
        """Only the update, no heartbeat and no snapshot service."""
        if (delta := self.store.update(view)) is not None:
            self.send_once(kv_frames(EPOCH, delta))

    def publish_raw(self, frames: list[bytes]) -> None:
        """Put ``frames`` on the bus now and at every beat."""
        self.raw = frames
        self.beat()
        self.timer.start()

    def send_once(self, frames: list[bytes]) -> None:
        self.socket.send_multipart(frames)
        self.sent += 1

    def beat(self) -> None:
        if self.raw is not None:
            self.send_once(self.raw)
        self.send_once(hugz_frames(EPOCH, self.store.seq, self.snapshot_endpoint))
        self.serve_snapshots()

    def serve_snapshots(self) -> None:
        for _ in range(100):
            try:
                peer, _, request = self.snapshots.recv_multipart(zmq.NOBLOCK)[:3]
            except zmq.Again:
                return
            seq, items = self.store.snapshot()
            if self.oversized_snapshots > 0:
                self.oversized_snapshots -= 1
                self.snapshots.send_multipart([peer, KVS, request, b"head", b"x" * (MAX_FRAME_BYTES + 1)])
            for key, value in items:
                self.snapshots.send_multipart([peer, KVS, request, key.encode(), value])
            self.snapshots.send_multipart([peer, KTHXBAI, request, EPOCH, str(seq).encode()])
            self.snapshots_served += 1

    def stop(self) -> None:
        """Fall silent, as a dead service or a cut network looks from the screen."""
        self.timer.stop()

    def close(self) -> None:
        self.stop()
        self.socket.close(linger=0)
        self.snapshots.close(linger=0)


@pytest.fixture
def publisher(qtbot: object) -> Iterator[BusPublisher]:
    pub = BusPublisher()
    yield pub
    pub.close()
