"""The engineer's view of the simulated barcode readers (docs/sim-control.md, docs/scanner-tcp.md): the scanning demo
plant's simulators and their control channel in a thread, the real view over the real channel. A reader's card
shows its station and what it sent; READ holds a part under it; its fault switches change what it sends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app.config import load_plant, with_free_ports
from hardware_sims.scanner import NOREAD
from tests.ui.test_engineer_view import WAIT_MS, SimThread, click, switch_on
from ui.engineer.view import EngineerWindow, build_engineer_window

SCAN_PLANT = Path(__file__).resolve().parents[2] / "app" / "plants" / "demo-scan.toml"


class ScanSimThread(SimThread):
    def __init__(self) -> None:
        super().__init__()
        self.plant = with_free_ports(load_plant(SCAN_PLANT))


@pytest.fixture
def sims() -> Iterator[ScanSimThread]:
    with ScanSimThread() as running:
        yield running


@pytest.fixture
def window(qtbot: QtBot, sims: ScanSimThread) -> Iterator[EngineerWindow]:
    win, client = build_engineer_window(sims.endpoint, stale_after_s=2.0)
    qtbot.addWidget(win)
    win.resize(1600, 1000)
    win.show()
    qtbot.waitUntil(lambda: client.link_up and bool(win.view.scanners), timeout=WAIT_MS)
    yield win
    client.stop()


def test_a_readers_card_reads_by_hand_and_switches_its_faults(
    qtbot: QtBot, window: EngineerWindow, sims: ScanSimThread
) -> None:
    view = window.view
    assert set(view.scanners) == {"scan-seat", "scan-bump"}
    reader = sims.sim.scanners["scan-bump"]  # type: ignore[union-attr]
    code = window.findChild(QLineEdit, "scanner_scan-bump_code")
    assert code is not None
    code.setText("PBMP-040+HB0001")
    click(qtbot, window, "scanner_scan-bump_read")
    qtbot.waitUntil(lambda: reader.sent[-1:] == ["PBMP-040+HB0001"], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "last PBMP-040+HB0001" in view.scanners["scan-bump"].counts.text(), timeout=WAIT_MS)
    click(qtbot, window, "scanner_scan-bump_noread")
    qtbot.waitUntil(lambda: "noread" in reader.faults and switch_on(window, "scanner_scan-bump_noread"))
    assert view.scanners["scan-bump"].status.text() == "NO READ"
    qtbot.mouseClick(view.scanners["scan-bump"].read, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: reader.sent[-1:] == [NOREAD], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "read PBMP-040+HB0001 at scan-bump: done" in view.status_line.text(), timeout=WAIT_MS)
