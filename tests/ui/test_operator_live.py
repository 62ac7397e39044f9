"""The operator panel against a running service and the simulated plant, over the real HMI bus."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.live import LiveLine
from ui.main import build_operator_window

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WAIT_MS = 30_000


def test_operator_panel_follows_a_running_line(qtbot: QtBot, tmp_path: Path) -> None:
    with LiveLine(tmp_path, speed=20) as line:
        window, client = build_operator_window(line.plant.service.hmi_endpoint, station="ST-SEAT", stale_after_s=3)
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        qtbot.waitUntil(lambda: client.link_up, timeout=WAIT_MS)
        panel = window.panel
        vehicle = panel.pick_values["pick_vehicle"]
        qtbot.waitUntil(lambda: len(vehicle.text()) == 17, timeout=WAIT_MS)  # a VIN is on the big card
        lit = [b.id for b in line.plant.stations[0].bins if panel.bin_tile(b.id).property("lit")]
        assert len(lit) == 1
        seen = {vehicle.text()}
        qtbot.waitUntil(lambda: seen.add(vehicle.text()) or len(seen) >= 3, timeout=WAIT_MS)  # the line moves on
        SHOTS.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(SHOTS / "operator-panel-live.png"))
        assert line.service is not None
        assert line.service.core.state.picks_confirmed >= 2
    qtbot.waitUntil(lambda: not client.link_up, timeout=10_000)  # service gone: COMM, not a frozen "live" screen
