"""The operator panel's touch actions through the real HMI command server (``app.hmi.commands``).

As in test_cockpit_ops.py: the real ``HmiCommandServer`` runs on its own asyncio loop in a thread on 127.0.0.1
port 0, with real accounts (argon2id, cheap parameters) in a temporary SQLite file and, behind it, a recording
double of the service that keeps the exact intents the server built (or refuses with the core's reason). The
panel's pictures come from a real PUB socket (``BusPublisher``). Every wait is a bounded ``qtbot.waitUntil``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from app.hmi.accounts import AccountStore
from sequencer.events import ManualOp
from sequencer.views import LineView
from tests.ui.conftest import BusPublisher
from tests.ui.test_cockpit_ops import USERS, RecordingService, accounts_in, command_server, loop_thread
from tests.ui.test_operator_panel import STALE_AFTER_S, WAIT_MS, busy_line
from ui.main import OperatorWindow, build_operator_window
from ui.operator.actions import ACTIONS, LEAD_NOTE, LOGIN_NOTE, OperatorActionBar
from ui.widgets import TOUCH_TARGET_MM, mm_to_px

SEAT = "ST-SEAT"
Screen = tuple[OperatorWindow, OperatorActionBar]


@pytest.fixture
def service() -> RecordingService:
    return RecordingService()


@pytest.fixture
def accounts(database_url: str) -> Iterator[AccountStore]:
    store = accounts_in(database_url)
    yield store
    store.engine.dispose()


def open_screen(qtbot: QtBot, publisher: BusPublisher, endpoint: str) -> OperatorWindow:
    window, _ = build_operator_window(publisher.endpoint, SEAT, STALE_AFTER_S, commands=endpoint)
    assert isinstance(window, OperatorWindow) and window.action_bar is not None
    qtbot.addWidget(window)
    window.show()
    return window


@contextmanager
def served(qtbot: QtBot, publisher: BusPublisher, service: RecordingService,
           accounts: AccountStore) -> Iterator[Screen]:  # fmt: skip
    with loop_thread() as loop, command_server(service, accounts, loop) as endpoint:
        window = open_screen(qtbot, publisher, endpoint)
        assert window.action_bar is not None
        try:
            yield window, window.action_bar
        finally:
            window.close()  # stops the bus and the command client


@pytest.fixture
def screen(qtbot: QtBot, publisher: BusPublisher, service: RecordingService,
           accounts: AccountStore) -> Iterator[Screen]:  # fmt: skip
    with served(qtbot, publisher, service, accounts) as pair:
        yield pair


def go_live(qtbot: QtBot, publisher: BusPublisher, bar: OperatorActionBar, view: LineView) -> None:
    publisher.publish(view)
    qtbot.waitUntil(lambda: bar.link_up and bar.seen is not None and bar.seen.line.rev == view.rev, timeout=WAIT_MS)


def log_in(qtbot: QtBot, bar: OperatorActionBar, user: str) -> None:
    qtbot.mouseClick(bar.login_button, Qt.MouseButton.LeftButton)
    dialog = bar.login_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    if dialog.mode == "badge":  # the panel offers badge and PIN first; the full login is one tap away
        qtbot.mouseClick(dialog.mode_button, Qt.MouseButton.LeftButton)
    dialog.user.setText(user)
    dialog.password.setText(USERS[user][1])
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    assert dialog.password.text() == ""  # gone from the screen with the request
    qtbot.waitUntil(lambda: bar.client.logged_in_now and not dialog.isVisible(), timeout=WAIT_MS)


def tap(qtbot: QtBot, bar: OperatorActionBar, key: str) -> None:
    button = bar.buttons[key]
    assert button.isEnabled(), key
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def answer(qtbot: QtBot, bar: OperatorActionBar) -> str:
    qtbot.waitUntil(lambda: not bar.pending, timeout=WAIT_MS)
    return bar.status.text()


def enabled(bar: OperatorActionBar) -> dict[str, bool]:
    return {key: button.isEnabled() for key, button in bar.buttons.items()}


def fields_of(intent: ManualOp) -> dict[str, Any]:
    return {k: v for k, v in dataclasses.asdict(intent).items() if k not in ("at", "user", "reason")}


def picked_first(line: LineView) -> LineView:
    """The next picture after the lit seat pick was confirmed: the first waiting pick is lit now."""
    seat = line.stations[0]
    moved = seat.model_copy(update={"current": seat.next[0].model_copy(update={"state": "lit"}), "next": seat.next[1:]})
    return line.model_copy(update={"rev": line.rev + 1, "stations": (moved, *line.stations[1:])})


# --- who may tap what, and when -------------------------------------------------------------------------------


def test_actions_need_a_login_and_a_live_picture(qtbot: QtBot, publisher: BusPublisher, screen: Screen) -> None:
    window, bar = screen
    assert not any(enabled(bar).values())  # nobody logged in, no picture yet
    assert bar.who.text() == "not logged in" and bar.login_button.isVisibleTo(bar)
    go_live(qtbot, publisher, bar, busy_line())
    assert not any(enabled(bar).values())  # live, but nobody logged in
    log_in(qtbot, bar, "otto")
    assert bar.who.text() == "otto · line operator"
    assert bar.logout_button.isVisibleTo(bar) and not bar.login_button.isVisibleTo(bar)
    assert enabled(bar) == {"ack": True, "reprint": False, "confirm": True}  # no pick has left the card yet
    publisher.stop()  # the service falls silent: the picture goes stale
    qtbot.waitUntil(lambda: not bar.link_up, timeout=WAIT_MS)
    assert not any(enabled(bar).values())
    assert window.panel.property("comm") == "lost"
    publisher.publish(busy_line(rev=2))
    qtbot.waitUntil(lambda: bar.buttons["ack"].isEnabled(), timeout=WAIT_MS)
    qtbot.mouseClick(bar.logout_button, Qt.MouseButton.LeftButton)
    assert bar.who.text() == "not logged in" and not any(enabled(bar).values())


def test_buttons_are_touch_targets(screen: Screen) -> None:
    _, bar = screen
    buttons = [*bar.buttons.values(), bar.login_button, bar.logout_button]
    assert [b.objectName() for b in bar.buttons.values()] == [f"operator_{spec.key}" for spec in ACTIONS]
    assert all(b.minimumHeight() >= mm_to_px(b, TOUCH_TARGET_MM) for b in buttons)


def test_a_wrong_password_logs_nobody_in(qtbot: QtBot, screen: Screen) -> None:
    _, bar = screen
    bar.ask_login(LOGIN_NOTE, "password")
    bar.login_dialog.user.setText("otto")
    bar.login_dialog.password.setText("not-his-password")
    bar.login_dialog.submit()
    qtbot.waitUntil(lambda: bar.login_dialog.error.text() == "Wrong user name or password.", timeout=WAIT_MS)
    assert not bar.client.logged_in_now and bar.who.text() == "not logged in"


# --- acknowledge, reprint ------------------------------------------------------------------------------------


def test_ack_acknowledges_the_newest_unacknowledged_deviation(
    qtbot: QtBot, publisher: BusPublisher, screen: Screen, service: RecordingService, accounts: AccountStore
) -> None:
    _, bar = screen
    line = busy_line()
    acked = tuple(d.model_copy(update={"state": "active_acknowledged"}) if d.id == 13 else d for d in line.deviations)
    go_live(qtbot, publisher, bar, line.model_copy(update={"deviations": acked}))
    log_in(qtbot, bar, "otto")
    assert bar.buttons["ack"].text() == "ACK #12"  # 13 is newer but acknowledged; 14 is the bumper station's
    tap(qtbot, bar, "ack")
    assert answer(qtbot, bar) == "DONE · ACK #12 LATE_BROADCAST"
    assert bar.status.property("state") == "done"
    (intent,) = service.intents
    assert (type(intent).__name__, fields_of(intent), intent.user) == ("AcknowledgeAlarm", {"deviation_id": 12}, "otto")
    audit = accounts.audit_query(action="AcknowledgeAlarm")
    assert [(a.user, a.role, a.result) for a in audit] == [("otto", "operator", "done")]


def test_reprint_sends_the_label_of_the_pick_that_left_the_card(
    qtbot: QtBot, publisher: BusPublisher, screen: Screen, service: RecordingService
) -> None:
    _, bar = screen
    line = busy_line()
    first = line.stations[0].current
    assert first is not None
    go_live(qtbot, publisher, bar, line)
    log_in(qtbot, bar, "otto")
    go_live(qtbot, publisher, bar, picked_first(line))
    assert bar.buttons["reprint"].text() == f"REPRINT P{first.pick_id}"
    tap(qtbot, bar, "reprint")
    assert answer(qtbot, bar).startswith(f"DONE · REPRINT P{first.pick_id}")
    (intent,) = service.intents
    assert (type(intent).__name__, fields_of(intent)) == ("ReprintLabel", {"label_id": f"P{first.pick_id}"})
    assert intent.reason == "label reprinted at the line"  # the core wants a reason for a reprint
    service.refusal = f"label 'P{first.pick_id}' is still waiting for the printer"
    tap(qtbot, bar, "reprint")
    assert answer(qtbot, bar).endswith(
        f"refused by the sequencer: label 'P{first.pick_id}' is still waiting for the printer"
    )
    assert bar.status.text().startswith("REFUSED · ") and bar.status.property("state") == "refused"


def test_the_reprint_button_keeps_its_label_under_the_finger(
    qtbot: QtBot, publisher: BusPublisher, screen: Screen, service: RecordingService
) -> None:
    """Pressed while it names a label, a newer pick leaves the card before the release: the button still names the
    pressed one and sends it, and a reprint of a label that is no longer the station's last asks one more tap in a
    dialog naming it."""
    _, bar = screen
    line = busy_line()
    first = line.stations[0].current
    assert first is not None
    go_live(qtbot, publisher, bar, line)
    log_in(qtbot, bar, "otto")
    once = picked_first(line)
    go_live(qtbot, publisher, bar, once)
    button = bar.buttons["reprint"]
    assert button.text() == f"REPRINT P{first.pick_id}"
    qtbot.mousePress(button, Qt.MouseButton.LeftButton)
    assert button.isDown()
    second = once.stations[0].current
    assert second is not None and second.pick_id != first.pick_id
    go_live(qtbot, publisher, bar, picked_first(once))  # a new label arrives between the press and the release
    assert bar.seen is not None and bar.seen.last_picked == second
    assert button.text() == f"REPRINT P{first.pick_id}"  # the name stays under the finger
    qtbot.mouseRelease(button, Qt.MouseButton.LeftButton)
    step = bar.confirm_step
    assert step is not None
    qtbot.waitUntil(step.isVisible, timeout=WAIT_MS)
    assert step.findChild(QLabel, "operator_confirm_target").text().startswith(f"P{first.pick_id} ")
    assert not bar.pending and service.intents == []  # nothing leaves before the second tap
    assert button.text() == f"REPRINT P{second.pick_id}"  # released: the newest label again
    qtbot.mouseClick(step.confirm_button, Qt.MouseButton.LeftButton)
    assert answer(qtbot, bar).startswith(f"DONE · REPRINT P{first.pick_id}")
    (intent,) = service.intents
    assert fields_of(intent) == {"label_id": f"P{first.pick_id}"}  # the label it named, not the newest


def test_a_reprint_of_the_last_label_needs_no_confirmation(
    qtbot: QtBot, publisher: BusPublisher, screen: Screen, service: RecordingService
) -> None:
    _, bar = screen
    line = busy_line()
    go_live(qtbot, publisher, bar, line)
    log_in(qtbot, bar, "otto")
    go_live(qtbot, publisher, bar, picked_first(line))
    tap(qtbot, bar, "reprint")
    assert bar.confirm_step is None
    assert answer(qtbot, bar).startswith("DONE · REPRINT")
    assert len(service.intents) == 1


# --- confirm by hand: a lead's operation, one tap more ----------------------------------------------------------


def confirm_by_hand(qtbot: QtBot, bar: OperatorActionBar, *, accept: bool = True) -> None:
    tap(qtbot, bar, "confirm")
    step = bar.confirm_step
    assert step is not None
    qtbot.waitUntil(step.isVisible, timeout=WAIT_MS)
    assert not bar.pending  # nothing leaves before the second tap
    button: QPushButton = step.confirm_button if accept else step.cancel_button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_an_operator_may_not_confirm_by_hand(
    qtbot: QtBot, publisher: BusPublisher, screen: Screen, service: RecordingService
) -> None:
    _, bar = screen
    go_live(qtbot, publisher, bar, busy_line())
    log_in(qtbot, bar, "otto")
    confirm_by_hand(qtbot, bar)
    assert answer(qtbot, bar).startswith("FORBIDDEN · CONFIRM BY HAND ST-SEAT SEAT-03 WVWZZZ1KZ8P012345 — your role ")
    assert "allowed: lead" in bar.status.text() and bar.status.property("state") == "forbidden"
    assert service.intents == []


def test_a_lead_confirms_by_hand_after_one_more_tap(
    qtbot: QtBot, publisher: BusPublisher, screen: Screen, service: RecordingService
) -> None:
    _, bar = screen
    go_live(qtbot, publisher, bar, busy_line())
    log_in(qtbot, bar, "lena")
    assert bar.who.text() == "lena · shift lead"
    confirm_by_hand(qtbot, bar, accept=False)
    assert not bar.pending and service.intents == [] and bar.status.text() == ""
    confirm_by_hand(qtbot, bar)
    assert answer(qtbot, bar).startswith("DONE · CONFIRM BY HAND ST-SEAT")
    (intent,) = service.intents
    assert (type(intent).__name__, fields_of(intent), intent.user) == ("ConfirmByHand", {"station": SEAT}, "lena")
    assert intent.reason  # the core refuses a confirm by hand without one


# --- the command channel gone: COMM --------------------------------------------------------------------------


def test_a_lost_command_channel_answers_comm(
    qtbot: QtBot, publisher: BusPublisher, service: RecordingService, accounts: AccountStore
) -> None:
    with loop_thread() as loop:
        with command_server(service, accounts, loop) as endpoint:
            window = open_screen(qtbot, publisher, endpoint)
            bar = window.action_bar
            assert bar is not None and window.commands is not None
            go_live(qtbot, publisher, bar, busy_line())
            log_in(qtbot, bar, "otto")
        window.commands.timeout_s = 1.0  # the service is gone: do not wait the default 5 s for the answer
        tap(qtbot, bar, "ack")
        assert answer(qtbot, bar).startswith("COMM · ACK #13")
        assert bar.status.property("state") == "comm" and service.intents == []
        window.close()


# --- kiosk: the panel stays on its station until a lead logs in --------------------------------------------------


def test_a_kiosk_panel_changes_station_only_for_a_lead(
    qtbot: QtBot, publisher: BusPublisher, screen: Screen, accounts: AccountStore
) -> None:
    window, bar = screen
    window.lock_station()  # what `jis hmi --kiosk` does to the operator's window
    panel = window.panel
    combo = panel.station_selector
    go_live(qtbot, publisher, bar, busy_line())
    qtbot.waitUntil(lambda: combo.count() == 2, timeout=WAIT_MS)
    assert combo.isVisibleTo(panel) and combo.locked
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)  # nobody logged in: the tap asks for a lead
    qtbot.waitUntil(bar.login_dialog.isVisible, timeout=WAIT_MS)
    assert bar.login_dialog.note.text() == LEAD_NOTE and bar.login_dialog.mode == "password"
    bar.login_dialog.reject()
    combo.setCurrentIndex(1)  # not through the list: the station stays
    assert panel.station_id == SEAT and combo.currentText() == SEAT
    log_in(qtbot, bar, "otto")  # an operator's login does not unlock it
    assert combo.locked
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(bar.login_dialog.isVisible, timeout=WAIT_MS)
    bar.login_dialog.user.setText("lena")
    bar.login_dialog.password.setText(USERS["lena"][1])
    bar.login_dialog.submit()
    qtbot.waitUntil(lambda: bar.client.role == "lead" and not combo.locked, timeout=WAIT_MS)
    combo.setCurrentIndex(1)  # asked of the service first: it writes the change to the audit log, then it is made
    assert panel.station_id == SEAT
    qtbot.waitUntil(lambda: panel.station_id == "ST-BUMP", timeout=WAIT_MS)
    assert combo.currentText() == "ST-BUMP" and "ST-BUMP" in bar.status.text()
    [moved] = [e for e in accounts.audit_query() if e.action == "ChangeStation"]
    assert (moved.user, moved.role, moved.target, moved.result) == ("lena", "lead", "ST-SEAT -> ST-BUMP", "done")
    qtbot.mouseClick(bar.logout_button, Qt.MouseButton.LeftButton)
    assert combo.locked  # locked again, on the station the lead chose
    combo.setCurrentIndex(0)
    assert panel.station_id == "ST-BUMP"


def test_a_panel_out_of_kiosk_mode_is_not_locked(qtbot: QtBot, publisher: BusPublisher, screen: Screen) -> None:
    window, bar = screen
    go_live(qtbot, publisher, bar, busy_line())
    combo = window.panel.station_selector
    qtbot.waitUntil(lambda: combo.count() == 2, timeout=WAIT_MS)
    assert not combo.locked
    combo.setCurrentIndex(1)
    assert window.panel.station_id == "ST-BUMP"
