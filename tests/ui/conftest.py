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

from sequencer.views import LineView

TOPIC = b"line "
BEAT_MS = 50  # the service beats at >= 1 Hz; tests compress it so late-joining subscribers converge fast


class BusPublisher:
    """A real PUB socket on 127.0.0.1 (random port) that repeats its current frame, like the service's heartbeat.

    Repeating is what makes PUB/SUB usable at all: the first frames are dropped until the subscriber's
    connection is up (the late-joiner problem), so a test never relies on one frame arriving.
    """

    def __init__(self) -> None:
        self.socket: zmq.Socket[bytes] = zmq.Context.instance().socket(zmq.PUB)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.setsockopt(zmq.SNDHWM, 1000)
        port = self.socket.bind_to_random_port("tcp://127.0.0.1")
        self.endpoint = f"tcp://127.0.0.1:{port}"
        self.frame: bytes | None = None
        self.sent = 0
        self.timer = QTimer()
        self.timer.setInterval(BEAT_MS)
        self.timer.timeout.connect(self.beat)

    def publish(self, view: LineView) -> None:
        """Publish ``view`` now and keep repeating it until told otherwise."""
        self.publish_raw(TOPIC + view.model_dump_json().encode())

    def publish_raw(self, frame: bytes) -> None:
        self.frame = frame
        self.beat()
        self.timer.start()

    def send_once(self, frame: bytes) -> None:
        self.socket.send(frame)
        self.sent += 1

    def beat(self) -> None:
        if self.frame is not None:
            self.send_once(self.frame)

    def stop(self) -> None:
        """Fall silent, as a dead service or a cut network looks from the screen."""
        self.timer.stop()

    def close(self) -> None:
        self.stop()
        self.socket.close(linger=0)


@pytest.fixture
def publisher(qtbot: object) -> Iterator[BusPublisher]:
    pub = BusPublisher()
    yield pub
    pub.close()
