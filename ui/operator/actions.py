"""The operator panel's touch actions: log in, acknowledge, reprint, confirm by hand, and the service's answer.

What it is for: an ``OperatorActionBar`` under the operator panel (``ui.operator.panel``) with gloved-hand
targets (>= 15 mm, hmi.md) that sends manual operations through the HMI command channel
(``ui.command_client.CommandClient``, protocol in docs/hmi-commands.md) and shows each answer in one status line
(DONE / REFUSED and the core's reason / FORBIDDEN / COMM). The panel's one place for typing is the login
dialog: an operator's badge (an HID reader types it, ending in Enter) and PIN on an on-screen pad, or a lead's
user name and password. What each button does is a table (``ACTIONS``):
- ACK: the newest unacknowledged deviation the panel shows for this station (ISA-18.2 acknowledge; the core
  takes it without a reason).
- REPRINT: the label of the last pick this panel saw leave the PICK NOW card (the ``LineView`` holds no picked
  picks; the core names a part label ``P{pick_id}``, sequencer/rules/picking.py). A pick that left the card by a
  cancel has no label: the core refuses and the status line says so. Disabled until a pick has left the card
  since the panel started or the station was changed.
A button names the object it acts on and acts on that object: the target a button shows is kept with it
(``OperatorActionBar.shown``) and is what a tap sends, never re-read at the tap; while a finger is on it
(pressed, not yet released) a new picture changes neither its name nor its target. A reprint whose label is no
longer the station's last one (a newer pick left the card under the finger) asks one more tap in a dialog naming
the label (``ActionSpec.confirm_unless_newest``).
- SCAN (no button): a hand scanner's read on the panel (``ui.operator.wedge``) goes out as the station's
  ``ScanPart`` at once; one that cannot go (no login, no live picture, an answer awaited) says NOT SENT and why.
- CONFIRM BY HAND: the lit pick, after a one-tap confirmation (irreversible). It is shown to every role: the
  role table is the service's (app/hmi/roles.py: a lead's operation), so an operator gets FORBIDDEN, plainly.
In kiosk mode (``ui.main.OperatorWindow.lock_station``) a tap on the locked station selector opens the login
dialog asking for a shift lead (``ask_lead``); the station unlocks for ``STATION_CHANGE_ROLES`` only.
What it must not do: decide who may do what (the service does), block the GUI thread (dialogs ``open()``, the
client is NOBLOCK), send while the bus picture is stale (every action button is disabled then: the operator
would act on a line they cannot see), have two requests in flight, or hold a colour (``ui/style.qss``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QRegularExpression, Qt, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sequencer.views import LineView, PickView, StationView
from ui.command_client import CommandClient
from ui.i18n import retranslate, tr, tr_text, tr_title
from ui.login import CHECKING, LoginDialog, who
from ui.operator.panel import relevant_deviations
from ui.widgets import TOUCH_TARGET_MM, label, mm_to_px, set_props
from ui.words import QT_TRANSLATE_NOOP, UNACKNOWLEDGED

BUTTON_MIN_WIDTH_MM = 40.0
# Who may move a kiosk panel to another station: a shift lead and up (app/hmi/roles.py's chain of responsibility,
# operator < lead < engineer < admin; the ui may not import app: tests/unit/test_roles.py pins that they agree).
STATION_CHANGE_ROLES: frozenset[str] = frozenset({"lead", "engineer", "admin"})
LOGIN_NOTE = QT_TRANSLATE_NOOP("jis", "Operations are recorded in the audit log under your name.")
LEAD_NOTE = QT_TRANSLATE_NOOP("jis", "This panel is locked to its station: a shift lead's login changes it.")
PIN_LENGTHS = (4, 8)  # digits of an operator's PIN (app.hmi.accounts.PIN_PATTERN)
PIN_KEYS: tuple[tuple[str, str], ...] = (  # (objectName suffix, key) of the PIN pad, row by row
    *((d, d) for d in "123456789"),
    ("clear", QT_TRANSLATE_NOOP("jis", "CLEAR")),
    ("0", "0"),
    ("back", "⌫"),
)
LOGIN_MIN_WIDTH_MM = 150.0  # the note on one or two lines at the panel's type size
# The service's answer codes (app.hmi.wire.MESSAGES, plus the client's own) as the status line's word and
# its look; "comm" is the same word the panel uses for a lost bus link.
ANSWERS: dict[str, tuple[str, str]] = {
    "done": (QT_TRANSLATE_NOOP("jis", "DONE"), "done"),
    "refused": (QT_TRANSLATE_NOOP("jis", "REFUSED"), "refused"),
    "forbidden": (QT_TRANSLATE_NOOP("jis", "FORBIDDEN"), "forbidden"),
    "timeout": ("COMM", "comm"),
    "unreachable": ("COMM", "comm"),
    "no_login": (QT_TRANSLATE_NOOP("jis", "LOG IN"), "refused"),
    "bad_token": (QT_TRANSLATE_NOOP("jis", "LOG IN"), "refused"),
    "malformed": (QT_TRANSLATE_NOOP("jis", "REJECTED"), "refused"),
    "busy": (QT_TRANSLATE_NOOP("jis", "BUSY"), "refused"),
    "error": (QT_TRANSLATE_NOOP("jis", "SERVICE ERROR"), "refused"),
}
FAILED = QT_TRANSLATE_NOOP("jis", "FAILED")
SENT = QT_TRANSLATE_NOOP("jis", "SENT")


@dataclass(frozen=True, slots=True)
class Seen:
    """What the bar knows of its station: the newest picture and the last pick that left the PICK NOW card."""

    line: LineView
    station: StationView
    last_picked: PickView | None


@dataclass(frozen=True, slots=True)
class Target:
    fields: dict[str, Any]
    text: str  # what the button and the status line name


@dataclass(frozen=True, slots=True)
class ActionSpec:
    key: str  # objectName suffix
    verb: str
    intent: str  # a sequencer.events ManualOp name
    reason: str  # the core wants one for everything but an acknowledgement (sequencer/rules/manual.py)
    confirm: bool  # irreversible: one more tap in a dialog
    target: Callable[[Seen], Target | None]
    confirm_unless_newest: bool = False  # one more tap when the target shown is no longer the newest one


def ack_target(seen: Seen) -> Target | None:
    waiting = [d for d in relevant_deviations(seen.line, seen.station) if d.state in UNACKNOWLEDGED]
    newest = max(waiting, key=lambda d: (d.at, d.id), default=None)
    return Target({"deviation_id": newest.id}, f"#{newest.id} {newest.kind.upper()}") if newest else None


def reprint_target(seen: Seen) -> Target | None:
    pick = seen.last_picked
    return Target({"label_id": f"P{pick.pick_id}"}, f"P{pick.pick_id} {pick.vehicle_id}") if pick else None


def confirm_target(seen: Seen) -> Target | None:
    pick = seen.station.current
    text = f"{seen.station.id} {pick.bin} {pick.vehicle_id}" if pick else ""
    return Target({"station": seen.station.id}, text) if pick else None


# A hand scanner's read at the panel (ui.operator.wedge): no button, the scan itself is the tap.
SCAN = ActionSpec("scan", QT_TRANSLATE_NOOP("jis", "SCAN"), "ScanPart", "scanned at the panel with a hand scanner",
                  False, lambda _seen: None)  # fmt: skip
SCAN_NOT_SENT = QT_TRANSLATE_NOOP("jis", "NOT SENT · SCAN {code} — {why}")
SCAN_WHY = {
    "picture": QT_TRANSLATE_NOOP("jis", "no picture of the station"),
    "login": QT_TRANSLATE_NOOP("jis", "LOG IN"),
    "link": QT_TRANSLATE_NOOP("jis", "COMM"),
    "pending": QT_TRANSLATE_NOOP("jis", "wait for the answer"),
}

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("ack", QT_TRANSLATE_NOOP("jis", "ACK"), "AcknowledgeAlarm", "", False, ack_target),
    ActionSpec("reprint", QT_TRANSLATE_NOOP("jis", "REPRINT"), "ReprintLabel", "label reprinted at the line", False,
               reprint_target, confirm_unless_newest=True),
    ActionSpec("confirm", QT_TRANSLATE_NOOP("jis", "CONFIRM BY HAND"), "ConfirmByHand",
               "confirmed by hand at the line: the light did not take the confirm", True, confirm_target),
)  # fmt: skip


def touch(widget: QWidget, width_mm: float = 0.0) -> QWidget:
    """At least 15 mm high (and ``width_mm`` wide) on this screen: a gloved finger's target."""
    widget.setMinimumHeight(mm_to_px(widget, TOUCH_TARGET_MM))
    if width_mm:
        widget.setMinimumWidth(mm_to_px(widget, width_mm))
    return widget


def _button(source: str, name: str) -> QPushButton:
    """A touch button showing ``source`` (marked English) in the screen's language."""
    button = QPushButton()
    if source:
        tr_text(button, source)
    button.setObjectName(name)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a touch panel: no focus frame wandering over the bar
    touch(button, BUTTON_MIN_WIDTH_MM)
    return button


class PinPad(QWidget):
    """Digits, CLEAR and ⌫ as gloved-finger keys typing into ``field`` (a touch panel has no keyboard)."""

    def __init__(self, field: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pin_pad")
        self.field = field
        grid = QGridLayout(self)
        self.keys: dict[str, QPushButton] = {}
        for index, (name, key) in enumerate(PIN_KEYS):
            worded = name == "clear"  # a word, translated; a digit or the ⌫ sign is the same in every language
            button = _button(key if worded else "", f"pin_key_{name}")
            if not worded:
                button.setText(key)
            touch(button, TOUCH_TARGET_MM * 1.5)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, n=name: self.press(n))
            grid.addWidget(button, *divmod(index, 3))
            self.keys[name] = button

    def press(self, name: str) -> None:
        text = self.field.text()
        if name == "clear":
            self.field.clear()
        elif name == "back":
            self.field.setText(text[:-1])
        elif len(text) < PIN_LENGTHS[1]:
            self.field.setText(text + name)


class OperatorLoginDialog(LoginDialog):
    """The panel's login, sized for a touch panel: an operator's badge (a reader types it and Enter) and PIN (the
    on-screen pad), or a user name and password (a lead's full login, unchanged). Both clear the secret with the
    request."""

    def __init__(self, client: CommandClient, parent: QWidget | None = None) -> None:
        super().__init__(client, QT_TRANSLATE_NOOP("jis", "Log in to the operator panel"), parent)
        self.setObjectName("operator_login")
        self.setMinimumWidth(mm_to_px(self, LOGIN_MIN_WIDTH_MM))
        self.note.setWordWrap(True)
        self.mode = "badge"
        self.badge = QLineEdit()
        self.badge.setObjectName("login_badge")
        self.badge.setEchoMode(QLineEdit.EchoMode.Password)  # a badge id is half a secret: not on the screen
        self.pin = QLineEdit()
        self.pin.setObjectName("login_pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(PIN_LENGTHS[1])
        self.pin.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,8}"), self.pin))
        self.badge_caption = label("", "login_badge_caption", "dialog-caption")
        tr_text(self.badge_caption, QT_TRANSLATE_NOOP("jis", "BADGE"))
        self.pin_caption = label("", "login_pin_caption", "dialog-caption")
        tr_text(self.pin_caption, QT_TRANSLATE_NOOP("jis", "PIN"))
        self.form.insertRow(0, self.pin_caption, self.pin)
        self.form.insertRow(0, self.badge_caption, self.badge)
        self.pad = PinPad(self.pin, self)
        self.box.insertWidget(2, self.pad)
        self.mode_button = _button("", "login_mode")
        self.mode_button.setAutoDefault(False)
        self.mode_button.clicked.connect(lambda: self.set_mode("password" if self.mode == "badge" else "badge"))
        self.box.insertWidget(3, self.mode_button)  # a row of its own under the pad: its words are long in German
        # a badge reader ends with Enter: on to the PIN, not a login with no PIN; Enter after the PIN logs in
        self.badge.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self.submit)
        for button in (self.login_button, self.cancel_button):
            button.setAutoDefault(False)
        for widget in (self.user, self.password, self.badge, self.pin, self.cancel_button, self.login_button):
            touch(widget)
        self.set_mode("badge")

    def set_mode(self, mode: str) -> None:
        """``badge``: badge and PIN with the pad (an operator); ``password``: user name and password (a lead)."""
        self.mode = mode
        badge = mode == "badge"
        for widget in (self.badge_caption, self.badge, self.pin_caption, self.pin, self.pad):
            widget.setVisible(badge)
        for widget in (self.user_caption, self.user, self.password_caption, self.password):
            widget.setVisible(not badge)
        self.login_button.setDefault(not badge)
        other = QT_TRANSLATE_NOOP("jis", "USER AND PASSWORD") if badge else QT_TRANSLATE_NOOP("jis", "BADGE AND PIN")
        tr_text(self.mode_button, other)
        self.error.setText("")
        (self.badge if badge else self.user).setFocus()
        self.adjustSize()  # the pad comes and goes: the dialog fits what it shows

    @Slot()
    def open_for_login(self) -> None:
        self.pin.clear()
        self.badge.clear()
        super().open_for_login()
        if self.mode == "badge":
            self.badge.setFocus()

    @Slot()
    def submit(self) -> None:
        if self.mode != "badge":
            super().submit()
            return
        badge, pin = self.badge.text().strip(), self.pin.text()
        self.pin.clear()  # the PIN leaves this dialog with the request, and nowhere else
        self.badge.clear()
        if not badge:
            self.error.setText(tr(QT_TRANSLATE_NOOP("jis", "Hold your badge to the reader.")))
            self.badge.setFocus()
            return
        if not (pin.isdigit() and PIN_LENGTHS[0] <= len(pin) <= PIN_LENGTHS[1]):
            self.error.setText(tr(QT_TRANSLATE_NOOP("jis", "Enter your PIN: 4 to 8 digits.")))
            self.badge.setFocus()
            return
        self.login_button.setEnabled(False)
        self.error.setText(tr(CHECKING))
        self.client.badge_login(badge, pin)


class ConfirmStep(QDialog):
    """One tap more for an irreversible operation: the verb, what it acts on, CONFIRM or CANCEL."""

    def __init__(self, spec: ActionSpec, target: Target, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("operator_confirm")
        tr_title(self, spec.verb)
        self.spec, self.target = spec, target
        box = QVBoxLayout(self)
        verb = label("", "operator_confirm_verb", "dialog-verb")
        tr_text(verb, spec.verb)
        box.addWidget(verb)
        box.addWidget(label(target.text, "operator_confirm_target", "dialog-text"))
        row = QHBoxLayout()
        self.cancel_button = _button(QT_TRANSLATE_NOOP("jis", "CANCEL"), "operator_confirm_cancel")
        self.confirm_button = _button(spec.verb, "operator_confirm_ok")
        self.cancel_button.clicked.connect(self.reject)
        self.confirm_button.clicked.connect(self.accept)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(self.confirm_button)
        box.addLayout(row)


class OperatorActionBar(QFrame):
    """Who is logged in, LOG IN / LOG OUT, the action buttons and the answer; fed by ``show_station``/``set_link``."""

    def __init__(self, client: CommandClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("operator_actions")
        self.client = client
        self.seen: Seen | None = None
        self.link_up = False
        self.pending: dict[int, tuple[ActionSpec, Target]] = {}
        self.confirm_step: ConfirmStep | None = None
        self.login_dialog = OperatorLoginDialog(client, self)
        self.who = label("", "operator_who", "op-who")
        self.login_button = _button(QT_TRANSLATE_NOOP("jis", "LOG IN"), "operator_login_button")
        self.logout_button = _button(QT_TRANSLATE_NOOP("jis", "LOG OUT"), "operator_logout_button")
        self.buttons = {spec.key: _button(spec.verb, f"operator_{spec.key}") for spec in ACTIONS}
        self.shown: dict[str, Target | None] = {spec.key: None for spec in ACTIONS}  # what each button names
        self.status = label("", "operator_status", "op-status")
        self.status.setWordWrap(True)
        self._lay_out()
        self.login_button.clicked.connect(lambda: self.ask_login(LOGIN_NOTE))
        self.logout_button.clicked.connect(client.logout)
        for spec in ACTIONS:
            self.buttons[spec.key].clicked.connect(lambda _=False, s=spec: self.trigger(s))
        client.logged_in.connect(self._refresh)
        client.logged_out.connect(self._refresh)
        client.replied.connect(self._answered)
        self._refresh()

    def _lay_out(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.who)
        row.addWidget(self.login_button)
        row.addWidget(self.logout_button)
        row.addStretch(1)
        for button in self.buttons.values():
            row.addWidget(button)
        box = QVBoxLayout(self)
        box.addLayout(row)
        box.addWidget(self.status)

    # --- slots ---

    @Slot(object, object)
    def show_station(self, line: LineView, station: StationView | None) -> None:
        """A new picture of the panel's station; remembers the lit pick that left the card (``REPRINT``)."""
        before = self.seen
        if station is None:
            self.seen = None
        elif before is not None and before.station.id == station.id:
            self.seen = Seen(line, station, left_card(before.station, station) or before.last_picked)
        else:
            self.seen = Seen(line, station, None)  # another station: its last pick is not known here
        seen = self.seen
        if any(self.shown[spec.key] != (spec.target(seen) if seen else None) for spec in ACTIONS):
            self._refresh()  # else each button names what it names already (most pictures: another station's)

    @Slot(bool)
    def set_link(self, up: bool) -> None:
        self.link_up = up
        self._refresh()

    def ask_login(self, note: str, mode: str = "badge") -> None:
        """The login dialog, saying why it is asked for (a lead's login for the kiosk's station); ``mode``: badge
        and PIN (an operator) or user name and password (a lead)."""
        tr_text(self.login_dialog.note, note)
        self.login_dialog.set_mode(mode)
        self.login_dialog.open_for_login()

    def badge_typed(self, text: str) -> None:
        """A badge reader typed at the panel with no login open (``ui.main.OperatorWindow.keyPressEvent``): the
        badge login opens with what it typed, and the reader's next keys go on into its badge field; its Enter
        moves on to the PIN."""
        dialog = self.login_dialog
        if not dialog.isVisible():
            self.ask_login(LOGIN_NOTE, "badge")
        if dialog.mode != "badge":
            return
        if text in ("\r", "\n"):
            dialog.pin.setFocus()
        else:
            dialog.badge.insert(text)

    @Slot()
    def ask_lead(self) -> None:
        self.ask_login(LEAD_NOTE, "password")

    @Slot(str)
    def scan(self, code: str) -> None:
        """A hand scanner's read on the panel: sent as the station's scan, or NOT SENT with why (never dropped
        unsaid: the operator scans again)."""
        why = (
            "picture" if self.seen is None
            else "login" if not self.client.logged_in_now
            else "link" if not self.link_up
            else "pending" if self.pending
            else ""
        )  # fmt: skip
        if self.seen is None or why:
            self._say(tr(SCAN_NOT_SENT).format(code=code[:40], why=tr(SCAN_WHY[why or "picture"])), "refused")
            return
        self._send(SCAN, Target({"station": self.seen.station.id, "code": code}, code[:40]))

    def may_change_station(self) -> bool:
        return self.client.logged_in_now and self.client.role in STATION_CHANGE_ROLES

    def trigger(self, spec: ActionSpec) -> None:
        """A button was tapped: send the target it names at once, or after the one-tap confirmation for an
        irreversible operation or a target that is no longer the newest (a reprint of an older label)."""
        target = self.shown[spec.key]
        newest = spec.target(self.seen) if self.seen else None
        if target is None or not self._may_send():
            pass
        elif not spec.confirm and not (spec.confirm_unless_newest and target != newest):
            self._send(spec, target)
        else:
            self.confirm_step = ConfirmStep(spec, target, self)
            self.confirm_step.accepted.connect(lambda: self._confirmed(spec, target))
            self.confirm_step.open()  # never exec(): the bus and the answers keep flowing
        self._refresh()  # released: the button names the newest target again

    # --- internals ---

    def _confirmed(self, spec: ActionSpec, target: Target) -> None:
        if self._may_send():
            self._send(spec, target)

    def _send(self, spec: ActionSpec, target: Target) -> None:
        request_id = self.client.send(spec.intent, target.fields, spec.reason)
        self.pending[request_id] = (spec, target)
        self._say(f"{tr(SENT)} · {tr(spec.verb)} {target.text}", "sent")
        self._refresh()

    @Slot(object)
    def _answered(self, reply: dict[str, Any]) -> None:
        sent = self.pending.pop(reply.get("id"), None)  # type: ignore[arg-type]
        if sent is None:
            return  # a login or logout answer: the client's signals carry those
        spec, target = sent
        word, look = ANSWERS["done"] if reply.get("ok") else ANSWERS.get(str(reply.get("code")), (FAILED, "refused"))
        error = "" if reply.get("ok") else f" — {reply.get('error', '')}"  # the service's (or the core's) words
        self._say(f"{tr(word)} · {tr(spec.verb)} {target.text}{error}", look)
        self._refresh()

    def say(self, text: str, look: str) -> None:
        """One line in the status line (``look``: done, refused, sent, comm, forbidden)."""
        self._say(text, look)

    def _say(self, text: str, look: str) -> None:
        self.status.setText(text)
        set_props(self.status, state=look)

    def _may_send(self) -> bool:
        return self.link_up and self.client.logged_in_now and not self.pending

    def changeEvent(self, event: QEvent) -> None:
        """A new language: the fixed words again (``retranslate``) and the buttons' and who's."""
        _changed_language(self, event)
        super().changeEvent(event)

    def refresh(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        logged_in = self.client.logged_in_now
        self.who.setText(who(self.client))
        self.login_button.setVisible(not logged_in)
        self.logout_button.setVisible(logged_in)
        for spec in ACTIONS:
            button = self.buttons[spec.key]
            if button.isDown():  # under the finger: its name and target stay until it is released
                target = self.shown[spec.key]
                button.setEnabled(self._may_send() and target is not None)
                continue
            target = spec.target(self.seen) if self.seen else None
            self.shown[spec.key] = target
            verb = tr(spec.verb)
            button.setText(f"{verb} {target.text.split()[0]}" if target and spec.key != "confirm" else verb)
            button.setEnabled(self._may_send() and target is not None)


def _changed_language(bar: OperatorActionBar, event: QEvent) -> None:
    if event.type() == QEvent.Type.LanguageChange:
        retranslate(bar)
        bar.refresh()


def left_card(before: StationView, now: StationView) -> PickView | None:
    """The pick that was lit and is now neither lit nor waiting: picked (or cancelled); None if none left."""
    gone = before.current
    staying = {p.pick_id for p in (now.current, *now.next) if p is not None}
    return gone if gone is not None and gone.pick_id not in staying else None
