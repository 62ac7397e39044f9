"""The cockpit's operations desk: every manual operation is proposed, confirmed with a reason, sent, and logged.

What it is for: one path for every manual operation the cockpit offers (hold, release, cancel, move, swap,
insert by hand, request resend, reprint, confirm by hand, ship a rack, acknowledge, shelve, resolve): a screen
makes a ``Proposal``; the desk opens a non-blocking ``ConfirmDialog`` that names the operation, its targets and
who is logged in, and will not confirm without a reason; then it sends one intent per target through the
command channel (``ui.command_client.CommandClient``) and keeps an ``OpRecord`` of each, updated with the
service's answer (done, refused with the core's reason, forbidden for the role, no answer).
What it must not do: decide whether an operation is allowed (the service checks the role and the core the
line), resend after a time-out (a manual operation is not idempotent), or block the GUI thread (``open()``,
never ``exec()``; the client is NOBLOCK). A proposal's verb is its English source (a marked text): the dialog and
the log say it in the current language, again at a switch of language.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sequencer.views import LineView
from ui.command_client import CommandClient
from ui.i18n import retranslate, tr, tr_text
from ui.widgets import Choice, label
from ui.words import QT_TRANSLATE_NOOP

SHELVE_MINUTES: tuple[int, ...] = (15, 30, 60, 120, 240)  # ISA-18.2 16.7: shelving is always time-limited
MAX_RECORDS = 500  # the desk's log of this session's operations; the service's audit log keeps all of them
REASON_MAX = 500
DIALOG_MIN_WIDTH = 480  # px: a sentence and a VIN per line  # app.hmi.commands: IntentRequest.reason max_length

# The service's answer codes (app.hmi.wire.MESSAGES, plus the client's own) in the log's words.
RESULT_WORDS: dict[str, str] = {
    "sent": QT_TRANSLATE_NOOP("jis", "SENT"),
    "done": QT_TRANSLATE_NOOP("jis", "DONE"),
    "refused": QT_TRANSLATE_NOOP("jis", "REFUSED"),
    "forbidden": QT_TRANSLATE_NOOP("jis", "FORBIDDEN"),
    "malformed": QT_TRANSLATE_NOOP("jis", "REJECTED"),
    "no_login": QT_TRANSLATE_NOOP("jis", "NOT LOGGED IN"),
    "bad_token": QT_TRANSLATE_NOOP("jis", "NOT LOGGED IN"),
    "timeout": QT_TRANSLATE_NOOP("jis", "NO ANSWER"),
    "unreachable": QT_TRANSLATE_NOOP("jis", "UNREACHABLE"),
    "busy": QT_TRANSLATE_NOOP("jis", "BUSY"),
    "error": QT_TRANSLATE_NOOP("jis", "SERVICE ERROR"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """One intent to send: its fields (``sequencer.events`` names, without at/user/reason) and a short text."""

    fields: dict[str, Any]
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Proposal:
    """What a screen asks the desk to confirm: one operation on one or more targets."""

    intent: str  # a ManualOp class name, e.g. "HoldVehicle"
    verb: str  # the button's word, a marked text, e.g. "HOLD" (shown in the current language)
    summary: str  # one sentence a lead reads before confirming
    targets: tuple[Target, ...]
    reason_required: bool = True  # the core accepts an acknowledgement without one; everything else needs one
    shelve_minutes: tuple[int, ...] = ()  # if given, the dialog offers these and each target gets ``until``


@dataclass(frozen=True, slots=True, kw_only=True)
class OpRecord:
    """One intent sent from this cockpit and what became of it."""

    request_id: int
    at: float | None  # plant time of the newest picture when it was sent
    user: str
    intent: str
    verb: str  # the proposal's: a marked text
    target: str
    reason: str
    code: str = "sent"
    message: str = ""
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def result(self) -> str:
        return RESULT_WORDS.get(self.code, self.code.upper())

    @property
    def finished(self) -> bool:
        return self.code != "sent"


class ConfirmDialog(QDialog):
    """Names the operation, its targets and the person; CONFIRM stays disabled until a reason is given."""

    def __init__(self, proposal: Proposal, who: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confirm_dialog")
        self.proposal = proposal
        self.setMinimumWidth(DIALOG_MIN_WIDTH)
        box = QVBoxLayout(self)
        verb = label("", "confirm_verb", "dialog-verb")
        tr_text(verb, proposal.verb)
        box.addWidget(verb)
        summary = label(proposal.summary, "confirm_summary", "dialog-text")
        summary.setWordWrap(True)
        box.addWidget(summary)
        targets = label("\n".join(f"• {t.text}" for t in proposal.targets), "confirm_targets", "dialog-text")
        targets.setWordWrap(True)
        targets.setVisible(len(proposal.targets) > 1 or proposal.targets[0].text not in proposal.summary)
        box.addWidget(targets)
        self.duration = Choice()
        self.duration.setObjectName("confirm_duration")
        for minutes in proposal.shelve_minutes:
            self.duration.addItem("", minutes)
        if proposal.shelve_minutes:
            shelve_for = label("", "confirm_duration_caption", "dialog-caption")
            tr_text(shelve_for, QT_TRANSLATE_NOOP("jis", "SHELVE FOR"))
            box.addWidget(shelve_for)
            box.addWidget(self.duration)
        self.duration.setVisible(bool(proposal.shelve_minutes))
        caption = label("", "confirm_reason_caption", "dialog-caption")
        tr_text(
            caption,
            QT_TRANSLATE_NOOP("jis", "REASON")
            if proposal.reason_required
            else QT_TRANSLATE_NOOP("jis", "NOTE (optional)"),
        )
        box.addWidget(caption)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("confirm_reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(self.fontMetrics().lineSpacing() * 4)
        self.reason.textChanged.connect(self._check)
        box.addWidget(self.reason)
        self.who = who
        self.recorded_as = label("", "confirm_who", "dialog-note")
        box.addWidget(self.recorded_as)
        buttons = QDialogButtonBox()
        self.confirm_button: QPushButton = buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        tr_text(self.confirm_button, proposal.verb)
        self.confirm_button.setObjectName("confirm_button")
        # "GO BACK", not "CANCEL": the verb of one operation is CANCEL VEHICLE, and the two must not be confused
        self.cancel_button: QPushButton = buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        tr_text(self.cancel_button, QT_TRANSLATE_NOOP("jis", "GO BACK"))
        self.cancel_button.setObjectName("confirm_cancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.reason.setFocus()
        self._say()
        self._check()

    def _say(self) -> None:
        """The texts composed with a value in the current language (the fixed ones keep their sources)."""
        self.setWindowTitle(tr(QT_TRANSLATE_NOOP("jis", "Confirm {verb}")).format(verb=tr(self.proposal.verb).lower()))
        for i, minutes in enumerate(self.proposal.shelve_minutes):
            self.duration.setItemText(i, tr(QT_TRANSLATE_NOOP("jis", "for {minutes} min")).format(minutes=minutes))
        self.recorded_as.setText(
            tr(QT_TRANSLATE_NOOP("jis", "Recorded in the audit log as {who}.")).format(who=self.who)
        )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            retranslate(self)
            self._say()

    def _check(self) -> None:
        text = self.reason_text()
        ok = (bool(text) or not self.proposal.reason_required) and len(text) <= REASON_MAX
        self.confirm_button.setEnabled(ok)

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    def shelve_for_minutes(self) -> int | None:
        return self.duration.currentData() if self.proposal.shelve_minutes else None


class OperationDesk(QObject):
    """Confirm, send and log manual operations for one cockpit; ``records`` is this session's log, newest last."""

    record_changed = Signal(object)  # OpRecord (new or answered)
    login_needed = Signal()

    def __init__(self, client: CommandClient, parent_widget: QWidget) -> None:
        super().__init__(parent_widget)
        self.client = client
        self._parent = parent_widget
        self._now: float | None = None
        self.records: dict[int, OpRecord] = {}
        self.dialog: ConfirmDialog | None = None
        client.replied.connect(self._on_reply)

    def set_line(self, line: LineView) -> None:
        self._now = line.at

    @property
    def who(self) -> str:
        return f"{self.client.user} ({self.client.role})" if self.client.logged_in_now else ""

    def propose(self, proposal: Proposal) -> ConfirmDialog | None:
        """Open the confirmation (non-blocking); None, and ``login_needed``, if nobody is logged in."""
        if not self.client.logged_in_now:
            self.login_needed.emit()
            return None
        if self.dialog is not None:
            self.dialog.reject()
        dialog = ConfirmDialog(proposal, self.who, self._parent)
        dialog.accepted.connect(lambda: self._send(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _send(self, dialog: ConfirmDialog) -> None:
        proposal, reason, minutes = dialog.proposal, dialog.reason_text(), dialog.shelve_for_minutes()
        self.dialog = None
        for target in proposal.targets:
            fields = dict(target.fields)
            if minutes is not None:
                fields["until"] = (self._now or 0.0) + minutes * 60.0
            request_id = self.client.send(proposal.intent, fields, reason)
            record = OpRecord(
                request_id=request_id, at=self._now, user=self.client.user, intent=proposal.intent,
                verb=proposal.verb, target=target.text, reason=reason, fields=fields,
            )  # fmt: skip
            self._keep(record)

    @Slot(object)
    def _on_reply(self, reply: dict[str, Any]) -> None:
        record = self.records.get(reply.get("id"))  # type: ignore[arg-type]
        if record is None:
            return  # a login or logout answer, or another screen's request
        code = "done" if reply.get("ok") else str(reply.get("code", "error"))
        self._keep(replace(record, code=code, message=str(reply.get("error", ""))))

    def _keep(self, record: OpRecord) -> None:
        self.records[record.request_id] = record
        while len(self.records) > MAX_RECORDS:
            del self.records[next(iter(self.records))]
        self.record_changed.emit(record)
