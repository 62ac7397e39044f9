"""A keyboard-wedge hand scanner on the operator panel (``ui.operator.wedge``), through the real HMI command server.

Keys are typed with ``QTest.keyClicks`` into the panel; the catcher's clock is a counter that moves a fixed step
per key (a scanner's few milliseconds, or a person's 200 ms), so which is which never depends on how fast the
test machine is. A scan goes out as the station's ``ScanPart`` under the operator's name; typing never does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.hmi.accounts import AccountStore
from tests.ui.conftest import BusPublisher
from tests.ui.test_cockpit_ops import RecordingService, accounts_in
from tests.ui.test_operator_actions import SEAT, Screen, answer, go_live, log_in, served
from tests.ui.test_operator_panel import WAIT_MS, busy_line
from ui.operator.wedge import MAX_GAP_S, WedgeBuffer

CODE = "PSEAT-CLOTH-BLK+S00012345"


@pytest.fixture
def service() -> RecordingService:
    return RecordingService()


@pytest.fixture
def accounts(database_url: str) -> Iterator[AccountStore]:
    store = accounts_in(database_url)
    yield store
    store.engine.dispose()


@pytest.fixture
def screen(
    qtbot: QtBot, publisher: BusPublisher, service: RecordingService, accounts: AccountStore
) -> Iterator[Screen]:
    with served(qtbot, publisher, service, accounts) as pair:
        yield pair


def ticking(step_s: float) -> Callable[[], float]:
    """A clock that moves ``step_s`` each time it is read (once per key press the catcher sees)."""
    now = [0.0]

    def clock() -> float:
        now[0] += step_s
        return now[0]

    return clock


def type_in(screen: Screen, text: str, step_s: float) -> None:
    window, _ = screen
    assert window.wedge is not None
    window.wedge.clock = ticking(step_s)
    QTest.keyClicks(window.panel, text)
    QTest.keyClick(window.panel, Qt.Key.Key_Return)


def test_a_scan_goes_out_as_the_stations_scan(
    qtbot: QtBot, publisher: BusPublisher, screen: Screen, service: RecordingService
) -> None:
    _, bar = screen
    go_live(qtbot, publisher, bar, busy_line())
    log_in(qtbot, bar, "otto")
    type_in(screen, CODE, step_s=0.004)  # a scanner: 4 ms a key
    assert answer(qtbot, bar) == f"DONE · SCAN {CODE}"
    (intent,) = service.intents
    fields = {k: v for k, v in dataclasses.asdict(intent).items() if k in ("station", "code")}
    assert (type(intent).__name__, fields, intent.user) == ("ScanPart", {"station": SEAT, "code": CODE}, "otto")


def test_typing_is_not_a_scan(qtbot: QtBot, publisher: BusPublisher, screen: Screen, service: RecordingService) -> None:
    _, bar = screen
    go_live(qtbot, publisher, bar, busy_line())
    log_in(qtbot, bar, "otto")
    type_in(screen, CODE, step_s=0.2)  # a person: 200 ms a key
    assert not bar.pending and not service.intents
    assert "SCAN" not in bar.status.text()


def test_before_a_login_a_readers_keys_are_a_badges_never_a_scan(
    qtbot: QtBot, publisher: BusPublisher, screen: Screen, service: RecordingService
) -> None:
    """Nobody logged in: what a reader types is a badge (the badge login opens with it), never sent as a scan."""
    _, bar = screen
    go_live(qtbot, publisher, bar, busy_line())
    type_in(screen, "BADGE-0042", step_s=0.004)
    qtbot.waitUntil(bar.login_dialog.isVisible, timeout=WAIT_MS)
    assert bar.login_dialog.badge.text() == "BADGE-0042"
    assert not service.intents and not bar.pending


@given(
    text=st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=4, max_size=60),
    slow_at=st.integers(min_value=1, max_value=59),
)
def test_a_burst_is_whole_and_a_pause_starts_it_over(text: str, slow_at: int) -> None:
    buffer = WedgeBuffer()
    at = 0.0
    for ch in text:
        at += MAX_GAP_S / 2
        buffer.char(ch, at)
    assert buffer.enter(at + MAX_GAP_S / 2) == text
    at = 100.0
    for i, ch in enumerate(text):
        at += MAX_GAP_S * 3 if i == slow_at else MAX_GAP_S / 2
        buffer.char(ch, at)
    tail = text[slow_at:] if slow_at < len(text) else text
    got = buffer.enter(at + MAX_GAP_S / 2)
    assert got == (tail if len(tail) >= 4 else None)


def test_the_pick_card_says_what_a_scanned_pick_still_needs(
    qtbot: QtBot, publisher: BusPublisher, screen: Screen
) -> None:
    window, bar = screen
    line = busy_line()
    seat = line.stations[0]
    assert seat.current is not None
    waiting = seat.model_copy(update={"current": seat.current.model_copy(update={"waiting_for": "scan and press"})})
    go_live(qtbot, publisher, bar, line.model_copy(update={"stations": (waiting, *line.stations[1:])}))
    assert window.panel.pick_state.text() == "SCAN THE PART, PRESS THE BIN"
    assert window.panel.pick_state.isVisibleTo(window.panel)
