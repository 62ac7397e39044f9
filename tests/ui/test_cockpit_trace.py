"""The cockpit's trace pane (``ui.cockpit.trace``) through the real HMI command server.

Behind the server, the recording double of the service (tests/ui/test_cockpit_ops.py) answers ``TraceParts`` with
``app.service.trace`` over a real journal: a scanning plant's broadcasts and scans appended to a SQLite store,
traced by a fresh core as the service does. The lead logs in, asks by serial and by batch, and the table shows
the service's answer; a question without a login is not sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.hmi.accounts import AccountStore
from app.persist.store import Store
from app.service.trace import matching, traces
from sequencer.events import PartScanned
from sequencer.plant import PlantConfig
from sequencer.testing import BUMPERS, SEATS, broadcast
from tests.ui.conftest import BusPublisher
from tests.ui.test_cockpit import WAIT_MS, cockpit_line, lead_settings, show
from tests.ui.test_cockpit_ops import RecordingService, accounts_in, command_server, log_in, loop_thread
from tests.unit.test_scanning_rules import scan_plant
from ui.cockpit.window import CockpitWindow, build_lead_window


class TracingService(RecordingService):
    """The double, answering the trace question from a real journal."""

    def __init__(self, store: Store, plant: PlantConfig) -> None:
        super().__init__()
        self.store, self.plant = store, plant
        self.asked: list[dict[str, str | None]] = []

    async def trace(self, *, vin: str | None, serial: str | None, batch: str | None) -> list[dict[str, Any]]:
        self.asked.append({"vin": vin, "serial": serial, "batch": batch})
        found = matching(traces(self.store, self.plant), vin=vin, serial=serial, batch=batch)
        return [t.as_dict() for t in found]


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'trace.db'}")
    for event in (
        broadcast(1),
        broadcast(2),
        PartScanned(at=10, station=SEATS, code="PSEAT-CLOTH-BLK+S00000011"),
        PartScanned(at=11, station=BUMPERS, code="PBMP-040+HBATCH7"),
        PartScanned(at=12, station=BUMPERS, code="PBMP-040+HBATCH7"),  # scan-only: the second vehicle's bumper
    ):
        store.append(event)
    yield store
    store.close()


@pytest.fixture
def cockpit(
    qtbot: QtBot, publisher: BusPublisher, journal: Store, database_url: str, tmp_path: Path
) -> Iterator[tuple[CockpitWindow, TracingService]]:
    service = TracingService(journal, scan_plant())
    accounts: AccountStore = accounts_in(database_url)
    with loop_thread() as loop, command_server(service, accounts, loop) as endpoint:
        window, bus = build_lead_window(
            publisher.endpoint, None, 0.5, commands=endpoint, settings=lead_settings(tmp_path)
        )
        assert isinstance(window, CockpitWindow)
        qtbot.addWidget(window)
        window.show()
        show(qtbot, publisher, window, cockpit_line())
        yield window, service
        bus.stop()
        window.commands.stop()
    accounts.engine.dispose()


def ask(qtbot: QtBot, window: CockpitWindow, key: str, value: str) -> list[list[str]]:
    pane = window.trace
    pane.key.setCurrentText(key)
    pane.value.setText(value)
    qtbot.mouseClick(pane.find_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pane.asked is None, timeout=WAIT_MS)
    table = pane.table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_the_lead_asks_by_serial_and_by_batch(qtbot: QtBot, cockpit: tuple[CockpitWindow, TracingService]) -> None:
    window, service = cockpit
    window.show_screen("trace_dock")
    log_in(qtbot, window, "lena")
    (row,) = ask(qtbot, window, "SERIAL", "00000011")
    assert row[1:8] == ["VIN00001", "L1", "1", "seats", "SEAT-CLOTH-BLK", "00000011", "–"]
    assert window.trace.summary.text() == "serial 00000011: 1 part(s) traced"
    rows = ask(qtbot, window, "BATCH", "BATCH7")
    assert [(r[1], r[7]) for r in rows] == [("VIN00001", "BATCH7"), ("VIN00002", "BATCH7")]
    assert service.asked == [
        {"vin": None, "serial": "00000011", "batch": None},
        {"vin": None, "serial": None, "batch": "BATCH7"},
    ]


def test_a_question_without_a_login_is_not_sent(qtbot: QtBot, cockpit: tuple[CockpitWindow, TracingService]) -> None:
    window, service = cockpit
    window.trace.value.setText("VIN00001")
    qtbot.mouseClick(window.trace.find_button, Qt.MouseButton.LeftButton)
    assert window.trace.summary.text() == "LOG IN to ask"
    assert not service.asked and window.trace.asked is None
