"""An operator logs in at the panel with a badge and a PIN on the on-screen pad, and the panel speaks their language.

The real operator window against the real HMI command server on 127.0.0.1 (tests/ui/test_operator_actions.py's
``screen``): the badge is typed into the focused field as an HID reader types it (keys, then Enter), the PIN is
tapped on the pad, and the service's answer logs the operator in or says why not, in the panel's language.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.hmi.accounts import AccountStore
from tests.ui import test_operator_actions as actions
from tests.ui.conftest import BusPublisher
from tests.ui.test_operator_actions import WAIT_MS, Screen, busy_line, go_live, log_in
from ui.i18n import SOURCE_LANGUAGE, current_language, set_language

BADGE, PIN = "04A1B2C3D4E5F6", "4711"
# the operator window against the real command server, as tests/ui/test_operator_actions.py builds it
accounts, screen, service = actions.accounts, actions.screen, actions.service


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    set_language(SOURCE_LANGUAGE)


@pytest.fixture
def badged(accounts: AccountStore) -> AccountStore:
    accounts.set_badge("otto", BADGE, PIN)
    accounts.set_language("otto", "de")
    return accounts


def tap_pin(qtbot: QtBot, screen: Screen, pin: str) -> None:
    pad = screen[1].login_dialog.pad
    for digit in pin:
        qtbot.mouseClick(pad.keys[digit], Qt.MouseButton.LeftButton)


def swipe_badge(qtbot: QtBot, screen: Screen, badge: str) -> None:
    """What a keyboard-wedge reader does: the badge's characters, then Enter, into the focused window."""
    dialog = screen[1].login_dialog
    qtbot.waitUntil(lambda: dialog.badge.hasFocus(), timeout=WAIT_MS)
    qtbot.keyClicks(dialog.badge, badge)
    qtbot.keyClick(dialog.badge, Qt.Key.Key_Return)


def test_a_badge_and_a_pin_from_the_pad_log_the_operator_in_in_their_language(
    qtbot: QtBot, publisher: BusPublisher, screen: Screen, badged: AccountStore
) -> None:
    window, bar = screen
    go_live(qtbot, publisher, bar, busy_line())
    assert current_language() == SOURCE_LANGUAGE  # the panel's own: English
    qtbot.mouseClick(bar.login_button, Qt.MouseButton.LeftButton)
    dialog = bar.login_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    assert dialog.mode == "badge" and dialog.pad.isVisible() and not dialog.user.isVisible()
    swipe_badge(qtbot, screen, BADGE)
    assert dialog.isVisible() and dialog.pin.hasFocus()  # the reader's Enter moved on to the PIN, sent nothing
    tap_pin(qtbot, screen, "47")
    qtbot.mouseClick(dialog.pad.keys["back"], Qt.MouseButton.LeftButton)
    assert dialog.pin.text() == "4"
    qtbot.mouseClick(dialog.pad.keys["clear"], Qt.MouseButton.LeftButton)
    tap_pin(qtbot, screen, PIN)
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    assert dialog.pin.text() == "" and dialog.badge.text() == ""  # gone from the screen with the request
    qtbot.waitUntil(lambda: bar.client.logged_in_now and not dialog.isVisible(), timeout=WAIT_MS)
    assert (bar.client.user, bar.client.role) == ("otto", "operator")
    assert current_language() == "de" and bar.who.text() == "otto · Werker"
    assert window.panel.findChild(type(bar.who), "pick_card_title").text() == "JETZT GREIFEN"
    qtbot.mouseClick(bar.logout_button, Qt.MouseButton.LeftButton)
    assert current_language() == SOURCE_LANGUAGE and bar.who.text() == "not logged in"  # the panel's again
    [entry] = [e for e in badged.audit_query() if e.action == "badge_login"]
    assert (entry.user, entry.role, entry.result) == ("otto", "operator", "done")


def test_a_wrong_pin_is_refused_in_the_panels_language(
    qtbot: QtBot, publisher: BusPublisher, screen: Screen, badged: AccountStore
) -> None:
    window, bar = screen
    window.language = "es"
    set_language("es")
    bar.ask_login(bar.login_dialog.note.property("tr_source"))
    dialog = bar.login_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    swipe_badge(qtbot, screen, BADGE)
    tap_pin(qtbot, screen, "12")
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)  # too short: never sent
    assert dialog.error.text() == "Introduzca su PIN: de 4 a 8 dígitos."
    swipe_badge(qtbot, screen, BADGE)
    tap_pin(qtbot, screen, "1234")
    qtbot.keyClick(dialog.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.error.text() == "Tarjeta desconocida o PIN incorrecto.", timeout=WAIT_MS)
    assert not bar.client.logged_in_now and current_language() == "es"
    assert [e.result for e in badged.audit_query() if e.action == "badge_login"] == ["bad_badge"]


def test_a_lead_logs_in_with_a_password_and_keeps_the_panels_language(
    qtbot: QtBot, publisher: BusPublisher, screen: Screen, badged: AccountStore
) -> None:
    window, bar = screen
    window.language = "es"
    set_language("es")
    log_in(qtbot, bar, "lena")  # the full login, one tap away from the badge
    assert bar.client.role == "lead" and current_language() == "es"  # lena has no language of her own


def test_a_badge_read_at_a_panel_with_no_login_open_opens_the_badge_login(
    qtbot: QtBot, publisher: BusPublisher, screen: Screen, badged: AccountStore
) -> None:
    window, bar = screen
    go_live(qtbot, publisher, bar, busy_line())
    dialog = bar.login_dialog
    assert not dialog.isVisible()
    qtbot.keyClicks(window, BADGE[:3])  # the reader's first keys reach the panel itself
    assert dialog.isVisible() and dialog.mode == "badge" and dialog.badge.text() == BADGE[:3]
    qtbot.keyClicks(dialog.badge, BADGE[3:])  # the rest reach the dialog's badge field
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert dialog.badge.text() == BADGE and dialog.focusWidget() is dialog.pin  # on to the PIN
    qtbot.waitUntil(dialog.pin.hasFocus, timeout=WAIT_MS)  # once the dialog is the active window
    tap_pin(qtbot, screen, PIN)
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.client.logged_in_now and bar.client.user == "otto", timeout=WAIT_MS)
    qtbot.keyClicks(window, "x")  # logged in: keys open nothing
    assert not dialog.isVisible()
