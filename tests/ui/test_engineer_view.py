"""The engineer's view (pytest-qt) against a real SimulatedPlant and its control channel on free ports.

The simulators run on their own asyncio loop in a background thread (as in their own process); the window talks
to them only over the control channel, and every click is checked on the simulators themselves (the OPC UA
devices' cards are built from a state written out here, each click checked against the request it sends). One
test runs the real service too (tests/live.py) and writes docs/screenshots/engineer-view.png. Every wait is
``qtbot.waitUntil`` with a deadline; the OEM feed's takt is parked high, so vehicles come only when a test says.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import zmq
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.config import load_plant, with_free_ports
from hardware_sims.control import SimControl
from hardware_sims.control_state import label_layout
from hardware_sims.plant import SimulatedPlant
from plc_io.zpl_labels.layouts import render_label as render_zpl
from sequencer.labels import PartLabel
from tests.live import LiveLine
from ui.code128 import modules
from ui.engineer.cards import PrinterCard
from ui.engineer.label import render_label
from ui.engineer.link import LabelLayout, PrintedLabelState, PrinterState, SimControlClient, SimState
from ui.engineer.view import EngineerView, EngineerWindow, build_engineer_window
from ui.main import ROLE_WINDOWS, run_hmi

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WAIT_MS = 20_000
PARKED_TAKT_S = 86_400.0
LABEL = PartLabel(
    label_id="P-77", feed="L1", seq=9993, vehicle_id="WVWZZZ1JZXW000077", part="SEAT-SPORT-RED",
    description="Front sport seat pair, red", family="seats", rack_no=2, slot=3, plant="SC01",
)  # fmt: skip


class SimThread:
    """SimulatedPlant + SimControl on their own loop in a thread, as in ``python -m hardware_sims --control``."""

    def __init__(self, speed: float = 50.0) -> None:
        self.plant = with_free_ports(load_plant())
        self.speed = speed
        self.sim: SimulatedPlant | None = None
        self.endpoint = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="sim-thread", daemon=True)

    def __enter__(self) -> SimThread:
        self._thread.start()
        assert self._ready.wait(30), "simulators did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        self.sim = SimulatedPlant(self.plant, speed=self.speed)
        await self.sim.start()
        self.sim.feeds["L1"].set_takt(PARKED_TAKT_S)
        control = SimControl(self.sim, "tcp://127.0.0.1:0")
        self.endpoint = await control.start()
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await control.stop()
            await self.sim.stop()


@pytest.fixture
def sims() -> Iterator[SimThread]:
    with SimThread() as running:
        yield running


@pytest.fixture
def window(qtbot: QtBot, sims: SimThread) -> Iterator[EngineerWindow]:
    win, client = build_engineer_window(sims.endpoint, stale_after_s=2.0)
    qtbot.addWidget(win)
    win.resize(1600, 1000)
    win.show()
    qtbot.waitUntil(lambda: client.link_up and bool(win.view.stations), timeout=WAIT_MS)
    yield win
    client.stop()


def click(qtbot: QtBot, win: EngineerWindow, name: str) -> None:
    button = win.findChild(QPushButton, name)
    assert button is not None, name
    qtbot.waitUntil(button.isEnabled, timeout=WAIT_MS)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def switch_on(win: EngineerWindow, name: str) -> bool:
    button = win.findChild(QPushButton, name)
    assert button is not None, name
    return bool(button.property("on"))


def print_label(port: int, label: PartLabel = LABEL) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(render_zpl(label).encode())


# -- the view against the simulators ---------------------------------------------------------------------------
def test_every_station_printer_and_feed_is_shown(window: EngineerWindow, sims: SimThread) -> None:
    view = window.view
    assert set(view.stations) == {"ST-SEAT", "ST-BUMP"} and set(view.printers) == {"zebra-1"}
    assert set(view.feeds) == {"L1"} and len(view.stations["ST-SEAT"].tiles) == 4
    assert view.stations["ST-BUMP"].tiles[3].bin_id.text() == "BMP-03"
    assert view.plant_label.text() == sims.plant.plant.name and "Europe/Berlin" in view.sim_zone.text()
    assert view.feeds["L1"].takt.value() == PARKED_TAKT_S  # type: ignore[attr-defined]


def test_printer_fault_switch_flips_the_printer_and_shows_its_position(
    qtbot: QtBot, window: EngineerWindow, sims: SimThread
) -> None:
    model = sims.sim.printers["zebra-1"].model  # type: ignore[union-attr]
    click(qtbot, window, "printer_zebra-1_paper_out")
    qtbot.waitUntil(lambda: model.paper_out and switch_on(window, "printer_zebra-1_paper_out"), timeout=WAIT_MS)
    assert window.view.printers["zebra-1"].status.text() == "PAPER OUT"
    assert "PAPER OUT on at zebra-1: done" in window.view.status_line.text()
    click(qtbot, window, "printer_zebra-1_paper_out")
    qtbot.waitUntil(lambda: not model.paper_out and not switch_on(window, "printer_zebra-1_paper_out"))
    assert window.view.printers["zebra-1"].status.text() == "READY"


def test_press_latches_the_light_and_0x0b_cuts_it_off(qtbot: QtBot, window: EngineerWindow, sims: SimThread) -> None:
    gw = sims.sim.gateways["ptl-seat"]  # type: ignore[union-attr]
    click(qtbot, window, "light_ptl-seat_2_press")
    qtbot.waitUntil(lambda: gw.model.confirm(2).counter == 1, timeout=WAIT_MS)
    tile = window.view.stations["ST-SEAT"].tiles[2]
    qtbot.waitUntil(lambda: tile.latch.text().startswith("LATCHED"), timeout=WAIT_MS)
    click(qtbot, window, "light_ptl-seat_4_exception")
    qtbot.waitUntil(lambda: gw.model.lights[4].offline, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(window.view.stations["ST-SEAT"].tiles[4].property("offline")), timeout=WAIT_MS)
    assert switch_on(window, "light_ptl-seat_4_exception") and not gw.model.lights[3].offline


def test_operator_switches_manual_and_wrong_button(qtbot: QtBot, window: EngineerWindow, sims: SimThread) -> None:
    op = sims.sim.operators["ST-BUMP"]  # type: ignore[union-attr]
    click(qtbot, window, "operator_ST-BUMP_manual")
    qtbot.waitUntil(lambda: window.view.stations["ST-BUMP"].operator_state.text() == "MANUAL", timeout=WAIT_MS)
    assert switch_on(window, "operator_ST-BUMP_manual")
    click(qtbot, window, "operator_ST-BUMP_wrong_button")
    qtbot.waitUntil(lambda: op._wrong_rate > 0 and switch_on(window, "operator_ST-BUMP_wrong_button"))
    click(qtbot, window, "operator_ST-BUMP_manual")
    qtbot.waitUntil(lambda: window.view.stations["ST-BUMP"].operator_state.text() == "AUTO", timeout=WAIT_MS)


def test_feed_knobs_send_a_burst_and_a_gap(qtbot: QtBot, window: EngineerWindow, sims: SimThread) -> None:
    oem = sims.sim.feeds["L1"]  # type: ignore[union-attr]
    card = window.view.feeds["L1"]
    qtbot.waitUntil(lambda: oem.counters.generated == 1, timeout=WAIT_MS)
    card.gap.setValue(2)  # type: ignore[attr-defined]
    click(qtbot, window, "feed_L1_gap_send")
    qtbot.waitUntil(lambda: "drop 2" in card.pending.text(), timeout=WAIT_MS)
    card.burst.setValue(3)  # type: ignore[attr-defined]
    click(qtbot, window, "feed_L1_burst_send")
    qtbot.waitUntil(lambda: oem.counters.generated == 4 and card.values["generated"].text() == "4", timeout=WAIT_MS)
    assert oem.counters.dropped == 2
    click(qtbot, window, "feed_L1_speed_4")
    qtbot.waitUntil(lambda: oem.knobs["takt_s"] == 15.0, timeout=WAIT_MS)


def test_a_printed_label_is_previewed(qtbot: QtBot, window: EngineerWindow, sims: SimThread) -> None:
    print_label(sims.sim.printers["zebra-1"].print_port)  # type: ignore[union-attr]
    card = window.view.printers["zebra-1"]
    qtbot.waitUntil(lambda: card.preview.image is not None, timeout=WAIT_MS)
    assert card.caption.text().startswith("P-77") and "P-77" in card.history.item(0).text()
    assert card.preview.image is not None and card.preview.image.width() == 812


def test_lost_link_keeps_the_picture_greyed_and_refuses_commands(qtbot: QtBot, window: EngineerWindow) -> None:
    client = window.view.client
    client.stop()  # the simulators are gone, as far as the screen can tell
    qtbot.waitUntil(lambda: not client.link_up, timeout=WAIT_MS)
    press = window.findChild(QPushButton, "light_ptl-seat_1_press")
    assert press is not None and not press.isEnabled()
    assert window.view.comm_tag.isVisible() and "LOST" in window.view.link_label.text()
    assert window.view.stations["ST-SEAT"].tiles[1].property("comm") == "lost"
    window.view.send({"op": "press", "device": "ptl-seat", "light": 1})
    assert "NOT SENT" in window.view.status_line.text()


def test_garbage_from_the_channel_is_counted_not_shown(qtbot: QtBot) -> None:
    router = zmq.Context.instance().socket(zmq.ROUTER)
    router.setsockopt(zmq.LINGER, 0)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    client = SimControlClient(f"tcp://127.0.0.1:{port}")
    bad: list[str] = []
    client.bad_message.connect(bad.append)
    client.start()
    try:
        qtbot.waitUntil(lambda: bool(router.poll(0, zmq.POLLIN)), timeout=WAIT_MS)  # the client's timer asks
        identity, _ = router.recv_multipart()
        router.send_multipart([identity, b'{"id": 1, "ok": true, "state": {"plant": 3}}'])
        qtbot.waitUntil(lambda: client.stats.bad == 1, timeout=WAIT_MS)
        assert bad and client.state is None and not client.link_up
    finally:
        client.stop()
        router.close(linger=0)


def test_the_quit_and_refresh_shortcuts_close_the_window_and_ask_for_the_state(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[SimControlClient] = []
    monkeypatch.setattr(SimControlClient, "refresh", lambda self: asked.append(self))
    win, client = build_engineer_window("tcp://127.0.0.1:9", stale_after_s=2.0)  # nobody there: no answer needed
    qtbot.addWidget(win)
    win.show()
    shortcuts = {sc.key().toString(): sc for sc in win.findChildren(QShortcut)}
    quit_key = QKeySequence(QKeySequence.StandardKey.Quit).toString()
    refresh_key = QKeySequence(QKeySequence.StandardKey.Refresh).toString()
    assert set(shortcuts) == {quit_key, refresh_key}, shortcuts
    shortcuts[refresh_key].activated.emit()
    assert asked == [client] and win.isVisible()
    shortcuts[quit_key].activated.emit()
    assert not win.isVisible()


def test_the_engineer_role_is_registered_and_needs_the_sim_endpoint() -> None:
    assert ROLE_WINDOWS["engineer"] is build_engineer_window
    with pytest.raises(ValueError, match="--sim"):
        run_hmi("tcp://127.0.0.1:5556", role="engineer")


# -- OPC UA devices: their own switches, no SLOW ----------------------------------------------------------------
def _ua_light(light: int, *, offline: bool = False) -> dict[str, Any]:
    return {"light": light, "station": "ST-UA", "bin": f"UA-0{light}", "colour": "green", "flash": False,
            "display": 1, "token": 40 + light, "offline": offline, "latched": light == 1, "counter": 3}  # fmt: skip


OPC_UA_STATE: dict[str, Any] = {
    "plant": "OPC UA plant", "timezone": "Europe/Berlin", "at": 1_764_000_000.0, "speed": 20.0,
    "gateways": {"ptl-ua": {"kind": "opcua", "port": 4841, "switches": {"down": False, "out_of_service": True},
                            "lights": [_ua_light(1), _ua_light(2, offline=True)]}},
    "printers": {"engine-ua": {"protocol": "opcua", "port": 4842, "status_port": 0, "printed": 2, "queued": 1,
                               "switches": {"offline": False, "paper_out": True, "out_of_service": False},
                               "labels": []}},
    "feeds": {},
    "stations": {"ST-UA": {"name": "UA seats", "gateway": "ptl-ua", "printer": "engine-ua", "auto": True,
                           "wrong_button": False, "no_press": False, "presses": 0, "wrong_presses": 0, "misses": 0,
                           "next_press_at": None}},
}  # fmt: skip


def test_opc_ua_devices_show_their_own_switches_and_send_the_right_requests(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OPC UA light controller: DOWN and OUT OF SERVICE (no SLOW), an OFF BUS switch per light; an OPC UA print
    engine: OFFLINE, PAPER OUT, OUT OF SERVICE (none of the Zebra's). Every click asks for the flip it shows."""
    client = SimControlClient("tcp://127.0.0.1:9")  # never started: the requests are caught below
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(client, "send", lambda request: sent.append(request) or len(sent))
    monkeypatch.setattr(client, "refresh", lambda: None)
    view = EngineerView(client)
    qtbot.addWidget(view)
    view.show()
    view.set_link(True)
    view.apply_state(SimState.model_validate(OPC_UA_STATE))
    station = view.stations["ST-UA"]
    assert list(station.gateway_switches) == ["down", "out_of_service"]
    assert view.findChild(QPushButton, "gateway_ptl-ua_slow") is None
    assert station.gateway_label.text() == "PTL ptl-ua · OPC UA  :4841"
    assert station.gateway_state.text() == "OUT OF SERVICE"
    assert set(station.tiles) == {1, 2} and station.tiles[1].latch.text() == "LATCHED · count 3"
    assert station.tiles[2].exception.text() == "OFF BUS" and station.tiles[2].exception.is_on
    printer = view.printers["engine-ua"]
    assert list(printer.switches) == ["offline", "paper_out", "out_of_service"]
    assert view.findChild(QPushButton, "printer_engine-ua_ribbon_out") is None
    assert printer.status.text() == "PAPER OUT" and printer.counts.text() == ":4842 OPC UA · printed 2 · queued 1"
    clicks = {
        "gateway_ptl-ua_down": {"op": "fault", "device": "ptl-ua", "name": "down", "on": True},
        "gateway_ptl-ua_out_of_service": {"op": "fault", "device": "ptl-ua", "name": "out_of_service", "on": False},
        "light_ptl-ua_1_press": {"op": "press", "device": "ptl-ua", "light": 1},
        "light_ptl-ua_1_exception": {"op": "fault", "device": "ptl-ua", "name": "exception", "light": 1, "on": True},
        "light_ptl-ua_2_exception": {"op": "fault", "device": "ptl-ua", "name": "exception", "light": 2, "on": False},
        "printer_engine-ua_offline": {"op": "fault", "device": "engine-ua", "name": "offline", "on": True},
        "printer_engine-ua_paper_out": {"op": "fault", "device": "engine-ua", "name": "paper_out", "on": False},
        "printer_engine-ua_out_of_service": {
            "op": "fault",
            "device": "engine-ua",
            "name": "out_of_service",
            "on": True,
        },
    }
    for name, request in clicks.items():
        button = view.findChild(QPushButton, name)
        assert button is not None and button.isEnabled(), name
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert sent[-1] == request, name
    assert len(sent) == len(clicks)


# -- the preview is faithful -------------------------------------------------------------------------------------
def test_preview_bars_are_the_code_128_modules(qtbot: QtBot) -> None:
    layout = LabelLayout.model_validate(label_layout(render_zpl(LABEL)))
    image = render_label(layout, QColor(255, 255, 255), QColor(0, 0, 0))
    vin = next(e for e in layout.elements if e.kind == "code128" and e.data.startswith("I"))
    row = vin.y + vin.h // 2
    want = modules(vin.data)
    seen = "".join(
        "1" if QColor(image.pixel(vin.x + i * vin.module, row)).lightness() < 128 else "0" for i in range(len(want))
    )
    assert seen == want


def dark_rows(image: QImage, left: int, right: int, top: int, bottom: int) -> list[int]:
    """The rows of ``image`` from ``top`` to ``bottom`` (exclusive) with ink between ``left`` and ``right``."""
    return [
        y for y in range(top, bottom) if any(QColor(image.pixel(x, y)).lightness() < 128 for x in range(left, right))
    ]


def test_the_preview_draws_a_bar_codes_line_only_where_the_printer_prints_one(qtbot: QtBot) -> None:
    """The part label's bar codes say ``^BC...,N`` (no interpretation line: the label prints the VIN as text of
    its own): nothing is drawn between the VIN's bars and the part's description below them. A ``^BC...,Y`` gets its
    line."""
    layout = LabelLayout.model_validate(label_layout(render_zpl(LABEL)))
    image = render_label(layout, QColor(255, 255, 255), QColor(0, 0, 0))
    vin = next(e for e in layout.elements if e.kind == "code128" and e.data.startswith("I"))
    below = min(e.y for e in layout.elements if e.kind == "text" and e.y > vin.y + vin.h)  # the description
    assert not vin.line
    assert dark_rows(image, vin.x, vin.x + len(modules(vin.data)) * vin.module, vin.y + vin.h + 1, below) == []
    asked = LabelLayout.model_validate(label_layout("^XA^PW400^LL200^FO10,10^BY2^BCN,50,Y,N,N,N^FD>:I123^FS^XZ"))
    bars = asked.elements[0]
    assert bars.line
    drawn = render_label(asked, QColor(255, 255, 255), QColor(0, 0, 0))
    assert dark_rows(drawn, bars.x, bars.x + len(modules(bars.data)) * bars.module, bars.y + bars.h + 1, 200) != []


# -- the printer's history ----------------------------------------------------------------------------------------
def _printer(*label_ids: str) -> PrinterState:
    """A ZPL printer that printed ``label_ids``, oldest first (as the control channel sends them)."""
    layout = LabelLayout.model_validate(label_layout(render_zpl(LABEL)))
    labels = tuple(
        PrintedLabelState(label_id=x, reprint=0, time=1_700_000_000.0 + i, fields=(), layout=layout)
        for i, x in enumerate(label_ids)
    )
    return PrinterState(
        protocol="zpl", port=1, status_port=2, switches={}, printed=len(labels), queued=0, labels=labels
    )


def test_the_printer_history_is_listed_again_only_when_a_label_prints(qtbot: QtBot) -> None:
    """The same labels in the next state leave the list be (it was rebuilt on every state once two had printed);
    a new label is listed first, and an older label the engineer chose stays chosen."""
    card = PrinterCard("P1", _printer())
    qtbot.addWidget(card)
    listed: list[int] = []
    card.history.model().rowsInserted.connect(lambda *_: listed.append(card.history.count()))
    zone = ZoneInfo("UTC")
    card.show_printer(_printer("L1", "L2"), zone)
    assert [card.history.item(r).text()[-2:] for r in range(2)] == ["L2", "L1"] and len(listed) == 2
    card.show_printer(_printer("L1", "L2"), zone)
    card.show_printer(_printer("L1", "L2"), zone)
    assert len(listed) == 2  # not listed again
    card.history.setCurrentRow(1)  # the older one, L1
    card.show_printer(_printer("L1", "L2", "L3"), zone)
    assert card.history.count() == 3 and card.history.item(0).text().endswith("L3")
    assert card.history.currentItem().text().endswith("L1") and card.caption.text().startswith("L1")
    card.history.setCurrentRow(0)  # the newest: the next label is followed
    card.show_printer(_printer("L2", "L3", "L4"), zone)
    assert card.history.currentRow() == 0 and card.caption.text().startswith("L4")


# -- with the real service: the screenshot ----------------------------------------------------------------------
def test_engineer_view_on_a_running_line(qtbot: QtBot, tmp_path: Path) -> None:
    with LiveLine(tmp_path, speed=20, control=True) as line:
        win, client = build_engineer_window(line.control_endpoint, stale_after_s=3.0)
        qtbot.addWidget(win)
        win.resize(1600, 1000)
        win.show()
        qtbot.waitUntil(lambda: client.link_up and bool(win.view.stations), timeout=WAIT_MS * 2)
        printer = win.view.printers["zebra-1"]
        qtbot.waitUntil(lambda: printer.preview.image is not None, timeout=WAIT_MS * 2)  # the service printed
        click(qtbot, win, "operator_ST-BUMP_manual")
        bump = win.view.stations["ST-BUMP"]

        def lit_bump_light() -> Any:
            state = client.state
            lit = [x for x in state.gateways["ptl-bump"].lights if x.colour != "off"] if state else []
            return lit[0].light if lit and not state.stations["ST-BUMP"].auto else None  # type: ignore[union-attr]

        qtbot.waitUntil(lambda: lit_bump_light() is not None, timeout=WAIT_MS * 2)
        light = lit_bump_light()
        click(qtbot, win, "gateway_ptl-seat_slow")
        qtbot.waitUntil(lambda: switch_on(win, "gateway_ptl-seat_slow"), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: bool(bump.tiles[light].property("lit")), timeout=WAIT_MS)
        qtbot.wait(300)  # let the last state repaint every card before the picture is taken
        SHOTS.mkdir(parents=True, exist_ok=True)
        win.grab().save(str(SHOTS / "engineer-view.png"))
        assert line.sim is not None
        gw = line.sim.gateways["ptl-bump"]
        before = gw.model.confirm(light).counter
        click(qtbot, win, f"light_ptl-bump_{light}_press")  # the engineer confirms the pick by hand
        qtbot.waitUntil(lambda: gw.model.confirm(light).counter == before + 1, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not gw.model.confirm(light).latched, timeout=WAIT_MS)  # the service read and unlatched
        qtbot.waitUntil(lambda: win.view.status_line.text() == f"press ptl-bump light {light}: done", timeout=WAIT_MS)
        assert win.view.actions_log.item(0).text().endswith(f"press ptl-bump light {light}: done")
        client.stop()
