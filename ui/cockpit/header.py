"""The cockpit's header and login: plant, shift, plant-zone clock, alarm summary, link state and who is logged in.

What it is for: the strip a lead reads first (how many alarms of each priority, how many unacknowledged, is the
data live, who am I logged in as), and the ``LoginDialog`` that sends the user name and password through the
command client and forgets the password at once.
What it must not do: keep a password (the field is cleared as soon as the request is sent), decide a role (the
service gives it), block (the dialog is opened with ``open()`` and waits for the client's signals), or hold a
colour.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sequencer.views import LineView
from ui.cockpit.shift import UNACKNOWLEDGED, shift_of
from ui.command_client import CommandClient
from ui.widgets import AlarmIndicator, clock, label, plant_zone, set_props, zone_label

ROLE_TITLES: dict[str, str] = {
    "operator": "line operator",
    "lead": "shift lead",
    "engineer": "engineer",
    "admin": "administrator",
}  # fmt: skip  (app.hmi.roles.ROLE_TITLES, for display only)


LOGIN_MIN_WIDTH = 380  # px
# ISA-18.2: shelved, suppressed and out-of-service alarms are not annunciated; the list still shows them
NOT_ANNUNCIATED = frozenset({"shelved", "suppressed", "out_of_service"})


class CockpitHeader(QFrame):
    """One row: names and shift | alarm summary | clock | link | session."""

    def __init__(self, client: CommandClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cockpit_header")
        self.client = client
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 10, 4)
        names = QVBoxLayout()
        names.setSpacing(0)
        self.plant = label("Waiting for the line…", "header_plant", "header-title")
        self.shift = label("", "header_shift", "header-note")
        names.addWidget(self.plant)
        names.addWidget(self.shift)
        row.addLayout(names)
        row.addStretch(1)
        self.indicators: dict[int, AlarmIndicator] = {}
        self.counts: dict[int, QWidget] = {}
        for priority in (1, 2, 3):
            indicator = AlarmIndicator(priority)
            indicator.setObjectName(f"header_p{priority}")
            indicator.setFixedSize(26, 26)
            count = label("0", f"header_p{priority}_count", "header-count")
            self.indicators[priority], self.counts[priority] = indicator, count
            row.addWidget(indicator)
            row.addWidget(count)
        self.unack = label("", "header_unack", "header-unack")
        row.addWidget(self.unack)
        row.addSpacing(16)
        when = QVBoxLayout()
        when.setSpacing(0)
        self.clock = label("", "header_clock", "header-clock")
        self.zone = label("", "header_zone", "header-note")
        for lab in (self.clock, self.zone):
            lab.setAlignment(Qt.AlignmentFlag.AlignRight)
            when.addWidget(lab)
        row.addLayout(when)
        row.addSpacing(16)
        self.comm = label("COMM", "header_comm", "comm-tag")
        self.link = label("WAITING FOR DATA", "header_link", "header-link")
        row.addWidget(self.comm)
        row.addWidget(self.link)
        row.addSpacing(16)
        session = QVBoxLayout()
        session.setSpacing(2)
        self.who = label("", "header_who", "header-who")
        self.message = label("", "header_message", "header-note")
        session.addWidget(self.who)
        session.addWidget(self.message)
        row.addLayout(session)
        self.login_button = QPushButton("LOG IN")
        self.login_button.setObjectName("login_button")
        self.logout_button = QPushButton("LOG OUT")
        self.logout_button.setObjectName("logout_button")
        for button in (self.login_button, self.logout_button):
            button.setProperty("role", "verb")
            row.addWidget(button)
        self.show_session()

    def show_line(self, line: LineView, up: bool) -> None:
        zone = plant_zone(line.timezone)
        self.plant.setText(line.plant)
        self.shift.setText(shift_of(line.at, zone).label(zone))
        self.clock.setText(clock(line.at, zone))
        self.zone.setText(zone_label(line.at, zone))
        annunciated = [d for d in line.deviations if d.state not in NOT_ANNUNCIATED]
        for priority, count in self.counts.items():
            n = sum(1 for d in annunciated if d.priority == priority)
            count.setText(str(n))  # type: ignore[attr-defined]
            set_props(count, state="alarm" if n else "normal")
        unack = sum(1 for d in line.deviations if d.state in UNACKNOWLEDGED)
        self.unack.setText(f"{unack} UNACK" if unack else "all acknowledged")
        set_props(self.unack, state="alarm" if unack else "normal")
        self.show_link(line, up)

    def show_link(self, line: LineView | None, up: bool) -> None:
        if line is None:
            self.link.setText("WAITING FOR DATA")
        else:
            self.link.setText(f"LIVE · rev {line.rev}" if up else "STALE · last data")
        self.comm.setVisible(not up)

    def show_session(self) -> None:
        c = self.client
        text = f"{c.user} · {ROLE_TITLES.get(c.role, c.role)}" if c.logged_in_now else "not logged in"
        self.who.setText(text)
        set_props(self.who, state="in" if c.logged_in_now else "out")
        self.login_button.setVisible(not c.logged_in_now)
        self.logout_button.setVisible(c.logged_in_now)

    def show_message(self, text: str) -> None:
        self.message.setText(text)


class LoginDialog(QDialog):
    """User name and password; LOG IN sends them and clears the password; closes when the service says yes."""

    def __init__(self, client: CommandClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("login_dialog")
        self.setWindowTitle("Log in to the cockpit")
        self.setMinimumWidth(LOGIN_MIN_WIDTH)
        self.client = client
        self.user = QLineEdit()
        self.user.setObjectName("login_user")
        self.password = QLineEdit()
        self.password.setObjectName("login_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = label("", "login_error", "dialog-error")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(label("USER", "login_user_caption", "dialog-caption"), self.user)
        form.addRow(label("PASSWORD", "login_password_caption", "dialog-caption"), self.password)
        self.login_button = QPushButton("LOG IN")
        self.login_button.setObjectName("login_submit")
        self.login_button.setDefault(True)
        self.login_button.setProperty("role", "verb")
        self.login_button.clicked.connect(self.submit)
        cancel = QPushButton("CANCEL")
        cancel.setObjectName("login_cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.login_button)
        box = QVBoxLayout(self)
        box.addWidget(label("Operations are recorded in the audit log under your name.", "login_note", "dialog-note"))
        box.addLayout(form)
        box.addWidget(self.error)
        box.addLayout(buttons)
        client.logged_in.connect(self._logged_in)
        client.login_failed.connect(self._failed)

    @Slot()
    def open_for_login(self) -> None:
        self.password.clear()
        self.error.setText("")
        self.login_button.setEnabled(True)
        (self.password if self.user.text() else self.user).setFocus()
        self.open()

    @Slot()
    def submit(self) -> None:
        user, password = self.user.text().strip(), self.password.text()
        self.password.clear()  # the password leaves this dialog with the request, and nowhere else
        if not user or not password:
            self.error.setText("Enter your user name and password.")
            return
        self.login_button.setEnabled(False)
        self.error.setText("Checking…")
        self.client.login(user, password)

    @Slot(str)
    def _logged_in(self, _role: str) -> None:
        self.error.setText("")
        self.login_button.setEnabled(True)
        self.accept()

    @Slot(str)
    def _failed(self, why: str) -> None:
        self.login_button.setEnabled(True)
        self.error.setText(why)
        if not self.isVisible():
            self.open()
