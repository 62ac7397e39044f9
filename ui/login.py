"""Who is at the screen: the login dialog and the session in words, shared by the operator panel and the cockpit.

What it is for: ``LoginDialog``, which sends the user name and password through the command client
(``ui.command_client.CommandClient``) and forgets the password at once, and ``who``, the logged-in person and
role as a screen shows them (``ROLE_TITLES``).
What it must not do: keep a password (the field is cleared as soon as the request is sent), decide a role (the
service gives it), block (the dialog is opened with ``open()`` and waits for the client's signals), hold a
colour, or know which screen it is on (a screen sizes it for its own hands: ``ui.operator.actions``).
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui.command_client import CommandClient
from ui.widgets import label

ROLE_TITLES: dict[str, str] = {  # app.hmi.roles.ROLE_TITLES, for display only (the HMI does not import app)
    "operator": "line operator",
    "lead": "shift lead",
    "engineer": "engineer",
    "admin": "administrator",
}
LOGIN_MIN_WIDTH = 380  # px


def who(client: CommandClient) -> str:
    """``lars · shift lead``, or ``not logged in``."""
    if not client.logged_in_now:
        return "not logged in"
    return f"{client.user} · {ROLE_TITLES.get(client.role, client.role)}"


class LoginDialog(QDialog):
    """User name and password; LOG IN sends them and clears the password; closes when the service says yes."""

    def __init__(self, client: CommandClient, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("login_dialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(LOGIN_MIN_WIDTH)
        self.client = client
        self.user = QLineEdit()
        self.user.setObjectName("login_user")
        self.password = QLineEdit()
        self.password.setObjectName("login_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = label("", "login_error", "dialog-error")
        self.error.setWordWrap(True)
        self.note = label("Operations are recorded in the audit log under your name.", "login_note", "dialog-note")
        form = QFormLayout()
        form.addRow(label("USER", "login_user_caption", "dialog-caption"), self.user)
        form.addRow(label("PASSWORD", "login_password_caption", "dialog-caption"), self.password)
        self.login_button = QPushButton("LOG IN")
        self.login_button.setObjectName("login_submit")
        self.login_button.setDefault(True)
        self.login_button.setProperty("role", "verb")
        self.login_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("CANCEL")
        self.cancel_button.setObjectName("login_cancel")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.login_button)
        box = QVBoxLayout(self)
        box.addWidget(self.note)
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
