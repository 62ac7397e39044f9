"""Who is at the screen: the login dialog and the session in words, shared by the operator panel and the cockpit.

What it is for: ``LoginDialog``, which sends the user name and password through the command client
(``ui.command_client.CommandClient``) and forgets the password at once, and ``who``, the logged-in person and
role as a screen shows them (``ROLE_TITLES``). Its words are marked for Qt's translation (``ui.i18n``).
What it must not do: keep a password (the field is cleared as soon as the request is sent), decide a role (the
service gives it), block (the dialog is opened with ``open()`` and waits for the client's signals), hold a
colour, or know which screen it is on (a screen sizes it for its own hands: ``ui.operator.actions``, which adds
the badge and PIN pad of a touch panel).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Slot
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui.command_client import CommandClient
from ui.i18n import retranslate, tr, tr_text, tr_title
from ui.widgets import label
from ui.words import QT_TRANSLATE_NOOP

ROLE_TITLES: dict[str, str] = {  # app.hmi.roles.ROLE_TITLES, for display only (the HMI does not import app)
    "operator": QT_TRANSLATE_NOOP("jis", "line operator"),
    "lead": QT_TRANSLATE_NOOP("jis", "shift lead"),
    "engineer": QT_TRANSLATE_NOOP("jis", "engineer"),
    "admin": QT_TRANSLATE_NOOP("jis", "administrator"),
}
LOGIN_MIN_WIDTH = 380  # px
AUDIT_NOTE = QT_TRANSLATE_NOOP("jis", "Operations are recorded in the audit log under your name.")
CHECKING = QT_TRANSLATE_NOOP("jis", "Checking…")
# A refused login's code (app.hmi.wire.MESSAGES, and the client's own) in the screen's words; another code shows
# the service's text.
LOGIN_ERRORS: dict[str, str] = {
    "bad_login": QT_TRANSLATE_NOOP("jis", "Wrong user name or password."),
    "bad_badge": QT_TRANSLATE_NOOP("jis", "Unknown badge or wrong PIN."),
    "rate_limited": QT_TRANSLATE_NOOP("jis", "Too many failed logins: wait a while, then try again."),
    "busy": QT_TRANSLATE_NOOP("jis", "The service is busy with other logins: try again."),
    "timeout": QT_TRANSLATE_NOOP("jis", "No answer from the service: try again."),
    "unreachable": QT_TRANSLATE_NOOP("jis", "The service is not reachable."),
    "malformed": QT_TRANSLATE_NOOP("jis", "The service did not accept this login."),
}


def who(client: CommandClient) -> str:
    """``lars · shift lead``, or ``not logged in``."""
    if not client.logged_in_now:
        return tr(QT_TRANSLATE_NOOP("jis", "not logged in"))
    return f"{client.user} · {tr(ROLE_TITLES.get(client.role, client.role))}"


class LoginDialog(QDialog):
    """User name and password; LOG IN sends them and clears the password; closes when the service says yes."""

    def __init__(self, client: CommandClient, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("login_dialog")
        tr_title(self, title)
        self.setMinimumWidth(LOGIN_MIN_WIDTH)
        self.client = client
        self.user = QLineEdit()
        self.user.setObjectName("login_user")
        self.password = QLineEdit()
        self.password.setObjectName("login_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = label("", "login_error", "dialog-error")
        self.error.setWordWrap(True)
        self.note = label("", "login_note", "dialog-note")
        tr_text(self.note, AUDIT_NOTE)
        self.user_caption = label("", "login_user_caption", "dialog-caption")
        tr_text(self.user_caption, QT_TRANSLATE_NOOP("jis", "USER"))
        self.password_caption = label("", "login_password_caption", "dialog-caption")
        tr_text(self.password_caption, QT_TRANSLATE_NOOP("jis", "PASSWORD"))
        self.form = form = QFormLayout()
        form.addRow(self.user_caption, self.user)
        form.addRow(self.password_caption, self.password)
        self.login_button = QPushButton()
        tr_text(self.login_button, QT_TRANSLATE_NOOP("jis", "LOG IN"))
        self.login_button.setObjectName("login_submit")
        self.login_button.setDefault(True)
        self.login_button.setProperty("role", "verb")
        self.login_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton()
        tr_text(self.cancel_button, QT_TRANSLATE_NOOP("jis", "CANCEL"))
        self.cancel_button.setObjectName("login_cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.buttons = buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.login_button)
        self.box = box = QVBoxLayout(self)
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
            self.error.setText(tr(QT_TRANSLATE_NOOP("jis", "Enter your user name and password.")))
            return
        self.login_button.setEnabled(False)
        self.error.setText(tr(CHECKING))
        self.client.login(user, password)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            retranslate(self)
        super().changeEvent(event)

    @Slot(str)
    def _logged_in(self, _role: str) -> None:
        self.error.setText("")
        self.login_button.setEnabled(True)
        self.accept()

    @Slot(str)
    def _failed(self, why: str) -> None:
        self.login_button.setEnabled(True)
        words = LOGIN_ERRORS.get(self.client.login_code)
        self.error.setText(tr(words) if words else why)
        if not self.isVisible():
            self.open()
