"""HMI frame time under load: how long the operator panel and the cockpit take to take in one bus picture.

The pictures come from a core driven like a centre with 8 feeds (broadcasts round-robin, every pick confirmed,
every label printed, ticks), projected onto the bus's LineView every few events. Each frame is one
``apply_line`` plus the event-loop pass that paints what changed (offscreen); the GUI thread must stay well
inside a 16 ms frame for the screens to keep up at 8 feeds x 60 vehicles/h x 100.

The first picture a screen takes in fills it from empty (every table row, every plot, the first layout of the
window): that is the screen opening, reported on its own as ``open_ms``; the frame times are the pictures after it.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from sequencer.commands import PrintLabel
from sequencer.core import Sequencer
from sequencer.events import BinConfirmed, BroadcastReceived, LabelPrinted, Tick
from sequencer.plant import PlantConfig
from sequencer.projection import line_view
from sequencer.views import LineView

OPTIONS = [("S1", "P040"), ("S2", "P1A2", "PDC"), ("S2", "HEAT", "P040", "PDC"), ("S3", "P1A2")]


def pictures(plant: PlantConfig, vehicles: int, every: int = 2) -> list[LineView]:
    """Bus pictures of a busy multi-feed line, one after every ``every`` vehicles."""
    core = Sequencer(plant)
    views: list[LineView] = []
    at = 1_700_000_000.0
    feeds = [f.id for f in plant.feeds]
    for n in range(vehicles):
        at += 60.0 / len(feeds)
        feed = feeds[n % len(feeds)]
        core.handle(
            BroadcastReceived(
                at=at,
                feed=feed,
                seq=(n // len(feeds)) % 10000,
                vehicle_id=f"V{n:07d}",
                options=OPTIONS[n % len(OPTIONS)],
            )
        )
        for name, station in core.state.stations.items():
            if station.lit is not None and n % 3:  # a third of the time the operator is still reaching
                pick = core.state.picks[station.lit]
                for cmd in core.handle(BinConfirmed(at=at, station=name, bin=pick.bin, token=pick.pick_id)):
                    if isinstance(cmd, PrintLabel):
                        core.handle(LabelPrinted(at=at, label_id=cmd.label.label_id))
        core.handle(Tick(at=at))
        if n % every == 0:
            views.append(line_view(core, rev=len(views) + 1, at=at))
    return views


def frame_times_ms(plant: PlantConfig, vehicles: int = 600) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from PySide6.QtWidgets import QApplication

    from ui.cockpit.window import build_lead_window
    from ui.main import build_operator_window

    app = QApplication.instance() or QApplication([])
    views = pictures(plant, vehicles)
    nowhere = "tcp://127.0.0.1:9"  # no bus: the pictures are fed by hand
    result: dict[str, Any] = {"pictures": len(views)}
    for role, build in (("operator", build_operator_window), ("lead", build_lead_window)):
        window, client = build(nowhere, None, 3.0)
        client.stop()  # no bus: the screens are shown live, as they are while the service publishes
        if role == "lead":
            window.set_link(True)  # type: ignore[attr-defined]
        else:
            window.panel.set_link(True)  # type: ignore[attr-defined]
            window.action_bar.set_link(True)  # type: ignore[attr-defined]
        window.resize(1600, 1000)
        window.show()
        app.processEvents()  # the empty window's first paint
        apply = window.panel.apply_line if role == "operator" else window.apply_line  # type: ignore[attr-defined]
        start = time.perf_counter()
        apply(views[0])
        app.processEvents()
        open_ms = (time.perf_counter() - start) * 1000
        times = []
        for view in views[1:]:
            start = time.perf_counter()
            apply(view)
            app.processEvents()  # the paint events of what changed, as the GUI thread's event loop runs them
            times.append((time.perf_counter() - start) * 1000)
        window.close()
        result[role] = {
            "open_ms": round(open_ms, 1),
            "frames": len(times),
            "p50_ms": round(statistics.median(times), 2),
            "p99_ms": round(statistics.quantiles(times, n=100, method="inclusive")[98], 2),
        }
    result["hmi_frame_p99_ms"] = max(result["operator"]["p99_ms"], result["lead"]["p99_ms"])
    return result
