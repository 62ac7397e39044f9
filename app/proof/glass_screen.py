"""One real HMI screen for ``jis bench glass``, in a process of its own, saying when it painted what.

What it is for: the glass end of the glass-to-glass figures (``app.proof.bench_glass``). Run as
``python -m app.proof.glass_screen`` with its spec, one JSON object, on stdin::

    {"role": "operator" | "lead", "station": "ST-SEAT", "connect": ..., "snapshot": ..., "commands": ...,
     "settings": "<ini file>", "paint_every_s": 0.5}

it opens the real screen (``ui.main.build_operator_window`` or ``ui.cockpit.window.build_lead_window``, offscreen
unless the bench's environment sets a platform) subscribed to the service's HMI bus, and writes JSON lines on
stdout:

- ``{"ready": true}`` once the screen has painted its first picture;
- ``{"t": T, "station": S, "pick": P, "received": R, "applied": A}`` (operator) each time the pick card has been
  painted showing another pick (``P`` its pick id, null for none; ``R`` when the bus client began to read the bus
  messages that brought it, ``A`` when the panel had taken that picture in, before painting): the bench's stages;
- ``{"paint_ms": X}`` every ``paint_every_s``: one raw paint of the whole panel (``QWidget.repaint``, synchronous),
  the reference's paint.

How "painted" is stamped: an event filter on the pick card's labels (part, bin, rack, slot, vehicle, sequence,
due: Qt repaints only a label whose text changed, and another pick changes at least one of them) sees a label's
Paint event, notes the pick the panel was showing then, and posts a zero-time single-shot timer; the stamp is
taken when that timer runs, after the paint has returned to the event loop (the frame is drawn). ``T`` is
``time.monotonic()``: CLOCK_MONOTONIC, one clock for every process on Linux, so the bench compares it with the
service's receive stamps and its own press stamps.
What it must not do: touch the line (it never sends a command) or take arguments anywhere but its stdin (the
command line parses arguments, ``app.cli``); it runs until the bench ends it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from sequencer.views import LineView, StationView
from ui.bus_client import BusClient
from ui.cockpit.window import build_lead_window
from ui.dealer import STALE_AFTER_S
from ui.main import build_operator_window
from ui.operator.panel import OperatorPanel

SIZE = (1280, 800)  # a common line-side touch panel


def say(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


class PaintStamps(QObject):
    """Stamps each paint of the operator panel's pick card that shows another pick than the last one stamped."""

    def __init__(self, panel: OperatorPanel, station: str, client: BusClient) -> None:
        super().__init__(panel)
        self.station = station
        self._pick: int | None = None  # the pick the panel shows now
        self._stamped: int | str | None = "none yet"
        self._pending = False
        self._applied = self._received = self._drained = 0.0
        drain = client._drain_bus  # stamped when it starts: the picture it brings is shown in the same GUI pass

        def stamped_drain(now: float) -> None:
            self._drained = time.monotonic()
            drain(now)

        client._drain_bus = stamped_drain  # type: ignore[method-assign]
        panel.station_shown.connect(self._shown)
        for value in (panel.pick_part, *panel.pick_values.values()):
            value.installEventFilter(self)

    def _shown(self, line: LineView, station: StationView | None) -> None:
        pick = station.current.pick_id if station is not None and station.current is not None else None
        if pick != self._pick:
            self._applied = time.monotonic()  # the panel has taken the picture in (drawn next)
            self._received = self._drained
        self._pick = pick

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._pending and self._pick != self._stamped:
            self._pending = True
            pick, received, applied = self._pick, self._received, self._applied
            QTimer.singleShot(0, lambda: self._stamp(pick, received, applied))
        return False

    def _stamp(self, pick: int | None, received: float, applied: float) -> None:
        now = time.monotonic()
        self._pending = False
        self._stamped = pick
        say(t=now, station=self.station, pick=pick, received=received, applied=applied)


class Screen:
    """The screen of the spec, its stamps and its raw paint samples."""

    def __init__(self, spec: dict[str, Any]) -> None:
        bus = {"commands": spec["commands"], "snapshot": spec["snapshot"]}
        self.panel: QWidget
        if spec["role"] == "operator":
            window, self.client = build_operator_window(spec["connect"], spec["station"], STALE_AFTER_S, **bus)
            self.panel = window.panel  # type: ignore[attr-defined]
            self.stamps = PaintStamps(window.panel, spec["station"], self.client)  # type: ignore[attr-defined]
        else:
            settings = QSettings(spec["settings"], QSettings.Format.IniFormat)
            window, self.client = build_lead_window(spec["connect"], None, STALE_AFTER_S, settings=settings, **bus)
            self.panel = window
        self.window = window
        self.client.line_changed.connect(self._first)
        window.resize(*SIZE)
        window.show()
        self._timer = QTimer(window)
        self._timer.timeout.connect(self._raw_paint)
        self._timer.start(int(spec.get("paint_every_s", 0.5) * 1000))

    def _first(self, line: LineView) -> None:
        self.client.line_changed.disconnect(self._first)
        QTimer.singleShot(0, lambda: say(ready=True, t=time.monotonic()))

    def _raw_paint(self) -> None:
        start = time.perf_counter()
        self.panel.repaint()
        say(paint_ms=round((time.perf_counter() - start) * 1000, 3))


def main() -> int:
    spec = json.loads(sys.stdin.readline())
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the bench sets it (and PYQTGRAPH_QT_LIB) for us too
    app = QApplication.instance() or QApplication([])
    screen = Screen(spec)
    code = app.exec()
    screen.client.stop()
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
