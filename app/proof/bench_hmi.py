"""HMI frame time under load: how long the operator panel and the cockpit take to take in one bus picture, and
what one picture costs the operator panel's CPU.

The pictures come from a core driven like a centre with 8 feeds (broadcasts round-robin, every pick confirmed,
every label printed, ticks), projected onto the bus's LineView every few events. Each frame is one
``apply_line`` plus the event-loop pass that paints what changed (offscreen); the GUI thread must stay well
inside a 16 ms frame for the screens to keep up at 8 feeds x 60 vehicles/h x 100.

The first picture a screen takes in fills it from empty (every table row, every plot, the first layout of the
window): that is the screen opening, reported on its own as ``open_ms``; the frame times are the pictures after it.

The panel's CPU (``panel_cpu``): the same line published as the service does, a numbered update after every
broadcast and every press, each taken in by an operator panel as its bus client does (decode, the replica's view,
``line_changed``: ``apply_us``, the glass bench's "apply" stage) and painted by the event loop's next pass (its
layout and paint: ``paint_us``, the "paint" stage), in process CPU time (``time.process_time``): a figure that
hardly moves with the machine's load, where the frame times do. Medians over the pictures that changed the panel's
station (its pick, its bins, its queue: what the glass figures wait for); ``other_*`` over the rest (another
station's change, the clock: the header alone).
What it must not do: assert anything (it prints figures), or talk to anything: the pictures are fed by hand.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterator
from typing import Any

from sequencer.clone import KvStore, Replica, kv_frames, read_kv
from sequencer.commands import PrintLabel
from sequencer.core import Sequencer
from sequencer.events import BinConfirmed, BroadcastReceived, LabelPrinted, Tick
from sequencer.plant import PlantConfig
from sequencer.projection import line_view
from sequencer.views import LineView

OPTIONS = [("S1", "P040"), ("S2", "P1A2", "PDC"), ("S2", "HEAT", "P040", "PDC"), ("S3", "P1A2")]
NOWHERE = "tcp://127.0.0.1:9"  # no bus: the pictures are fed by hand
PANEL_SIZE = (1280, 800)  # as the glass bench's panels (app.proof.glass_screen)
EPOCH = b"bench-hmi"


def busy_line(plant: PlantConfig, vehicles: int) -> Iterator[tuple[int, Sequencer, float, str]]:
    """A core driven like a centre: ``(vehicle number, core, now, step)`` after each step of each vehicle, step
    one of "broadcast", "press" (an operator confirmed a pick and its label printed) and "tick"."""
    core = Sequencer(plant)
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
        yield n, core, at, "broadcast"
        for name, station in core.state.stations.items():
            if station.lit is not None and n % 3:  # a third of the time the operator is still reaching
                pick = core.state.picks[station.lit]
                for cmd in core.handle(BinConfirmed(at=at, station=name, bin=pick.bin, token=pick.pick_id)):
                    if isinstance(cmd, PrintLabel):
                        core.handle(LabelPrinted(at=at, label_id=cmd.label.label_id))
                yield n, core, at, "press"
        core.handle(Tick(at=at))
        yield n, core, at, "tick"


def pictures(plant: PlantConfig, vehicles: int, every: int = 2) -> list[LineView]:
    """Bus pictures of a busy multi-feed line, one after every ``every`` vehicles."""
    views: list[LineView] = []
    for n, core, at, step in busy_line(plant, vehicles):
        if step == "tick" and n % every == 0:
            views.append(line_view(core, rev=len(views) + 1, at=at))
    return views


def bus_messages(plant: PlantConfig, vehicles: int) -> list[list[bytes]]:
    """The ``KV`` messages a screen hears from the start of the line on: one after every broadcast and press."""
    store = KvStore()
    messages: list[list[bytes]] = []
    for _, core, at, step in busy_line(plant, vehicles):
        if step != "tick" and (delta := store.update(line_view(core, rev=len(messages) + 1, at=at))) is not None:
            messages.append(kv_frames(EPOCH, delta))
    return messages


def frame_times_ms(plant: PlantConfig, vehicles: int = 600) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    from PySide6.QtWidgets import QApplication

    from ui.cockpit.window import build_lead_window
    from ui.main import build_operator_window

    app = QApplication.instance() or QApplication([])
    views = pictures(plant, vehicles)
    result: dict[str, Any] = {"pictures": len(views)}
    for role, build in (("operator", build_operator_window), ("lead", build_lead_window)):
        window, client = build(NOWHERE, None, 3.0)
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
    cpu = panel_cpu(plant, vehicles)
    return {**result, "panel_apply_us": cpu["apply_us"], "panel_paint_us": cpu["paint_us"], "panel_cpu": cpu}


def panel_cpu(plant: PlantConfig, vehicles: int) -> dict[str, Any]:
    """The operator panel's CPU per bus picture, taking it in and painting it (see the module)."""
    from PySide6.QtWidgets import QApplication

    from ui.main import build_operator_window

    app = QApplication.instance() or QApplication([])
    messages = bus_messages(plant, vehicles)
    window, client = build_operator_window(NOWHERE, None, 3.0)
    client.stop()  # the bus client's own work is done here, by hand, as its drain does it
    window.commands.stop()  # type: ignore[attr-defined]
    panel = window.panel  # type: ignore[attr-defined]
    panel.set_link(True)
    window.action_bar.set_link(True)  # type: ignore[attr-defined]
    window.resize(*PANEL_SIZE)
    window.show()
    app.processEvents()
    replica = Replica()
    replica.on_snapshot(EPOCH, 0, [])
    shown: object = None  # the panel's station as the last picture had it (the replica's object while unchanged)
    costs: dict[bool, tuple[list[float], list[float]]] = {True: ([], []), False: ([], [])}
    for number, frames in enumerate(messages):
        start = time.process_time()
        replica.on_delta(*read_kv(frames))
        view = replica.view()
        client.line_changed.emit(view)
        taken = time.process_time()
        app.processEvents()
        painted = time.process_time()
        station = next((s for s in view.stations if s.id == panel.station_id), None)
        if number:  # the first fills the empty panel: the screen opening, not a picture
            costs[station is not shown][0].append((taken - start) * 1e6)
            costs[station is not shown][1].append((painted - taken) * 1e6)
        shown = station
    window.close()
    (apply, paint), (other_apply, other_paint) = costs[True], costs[False]
    return {
        "station": panel.station_id,
        "pictures": len(apply),
        "apply_us": _median(apply),
        "paint_us": _median(paint),
        "other_pictures": len(other_apply),
        "other_apply_us": _median(other_apply),
        "other_paint_us": _median(other_paint),
    }


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None
