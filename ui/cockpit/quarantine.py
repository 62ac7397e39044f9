"""The cockpit's quarantine: input the service refused (malformed, unknown feed, a gateway not allowed to publish
the feed), and re-processing it by hand.

What it is for: listing the quarantined messages the shift has seen, from the deviations the core raises for them
(``sequencer.core``: kind ``malformed``, ``unknown_feed`` or ``unauthorised``, message
``quarantined #<id>: <reason>``), with the total the service counts; REPROCESS proposes ``ReprocessQuarantined``
(quarantine id) to the desk, and DISCARD resolves the deviation with a note (e.g. "the OEM resent it").
What it must not do: fetch or show the raw bytes (the HMI sees only the bus), or send without the desk.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from sequencer.views import LineView
from ui.cockpit.desk import OperationDesk, Proposal, Target
from ui.cockpit.shift import STATE_WORDS, LoggedDeviation
from ui.cockpit.widgets import make_table, section
from ui.i18n import tr, tr_text
from ui.widgets import clock, fill_table, label
from ui.words import NO_VALUE, QT_TRANSLATE_NOOP

QUARANTINE_KINDS = frozenset({"malformed", "unknown_feed", "unauthorised"})
QUARANTINE_ID = re.compile(r"quarantined #(\d+):\s*(.*)", re.DOTALL)
REPROCESS_INTENT = "ReprocessQuarantined"  # a service operation: app.hmi.commands hands it to Service.reprocess
HEADERS = (
    QT_TRANSLATE_NOOP("jis", "QUARANTINE #"),
    QT_TRANSLATE_NOOP("jis", "RECEIVED"),
    QT_TRANSLATE_NOOP("jis", "FEED"),
    QT_TRANSLATE_NOOP("jis", "SEQ"),
    QT_TRANSLATE_NOOP("jis", "REASON"),
    QT_TRANSLATE_NOOP("jis", "STATE"),
)


def quarantine_id(entry: LoggedDeviation) -> tuple[int, str] | None:
    """(quarantine id, reason) from a quarantine deviation's message; None for any other deviation."""
    if entry.view.kind not in QUARANTINE_KINDS:
        return None
    found = QUARANTINE_ID.match(entry.view.message)
    return (int(found.group(1)), found.group(2)) if found else None


class QuarantinePane(QWidget):
    """Quarantined messages of the shift; REPROCESS and DISCARD act on the selected one."""

    def __init__(self, desk: OperationDesk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quarantine_pane")
        self.desk = desk
        self.entries: list[tuple[int, str, LoggedDeviation]] = []
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        frame, box, head = section("quarantine_section", QT_TRANSLATE_NOOP("jis", "QUARANTINED MESSAGES"))
        self.total = label("", "quarantine_total", "section-note")
        head.insertWidget(1, self.total)
        self.table = make_table("quarantine_table", HEADERS, stretch=4)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        box.addWidget(self.table, 1)
        row = QHBoxLayout()
        help_ = label("", "quarantine_help", "form-help")
        tr_text(
            help_, QT_TRANSLATE_NOOP("jis", "Re-processing reads the stored message again, as if it had just arrived.")
        )
        row.addWidget(help_, 1)
        self.reprocess_button = QPushButton()
        tr_text(self.reprocess_button, QT_TRANSLATE_NOOP("jis", "REPROCESS…"))
        self.discard_button = QPushButton()
        tr_text(self.discard_button, QT_TRANSLATE_NOOP("jis", "DISCARD…"))
        for button, name, slot in ((self.reprocess_button, "reprocess_button", self.reprocess),
                                   (self.discard_button, "discard_button", self.discard)):  # fmt: skip
            button.setObjectName(name)
            button.setProperty("role", "verb")
            button.clicked.connect(slot)
            row.addWidget(button)
        box.addLayout(row)
        root.addWidget(frame)
        self._selection_changed()

    def show_entries(self, entries: list[LoggedDeviation], zone: ZoneInfo) -> None:
        found = [(q, e) for e in entries if (q := quarantine_id(e)) is not None]
        self.entries = [(qid, reason, e) for (qid, reason), e in sorted(found, key=lambda x: -x[0][0])]
        rows = [
            [
                str(qid),
                clock(e.view.at, zone),
                e.view.feed or NO_VALUE,
                NO_VALUE if e.view.seq is None else str(e.view.seq),
                reason,
                tr(QT_TRANSLATE_NOOP("jis", "DISCARDED / RE-PROCESSED"))
                if e.closed_at is not None
                else tr(STATE_WORDS.get(e.view.state, e.view.state)),
            ]
            for qid, reason, e in self.entries
        ]
        fill_table(self.table, rows)
        self._selection_changed()

    @Slot(object)
    def apply_line(self, line: LineView) -> None:
        self.total.setText(tr(QT_TRANSLATE_NOOP("jis", "{n} held by the service")).format(n=line.counters.quarantined))

    def _chosen(self) -> tuple[int, str, LoggedDeviation] | None:
        row = self.table.currentRow()
        selected = self.table.selectionModel().hasSelection()
        return self.entries[row] if selected and 0 <= row < len(self.entries) else None

    def _selection_changed(self) -> None:
        chosen = self._chosen()
        open_ = chosen is not None and chosen[2].closed_at is None
        self.reprocess_button.setEnabled(open_)
        self.discard_button.setEnabled(open_)

    @Slot()
    def reprocess(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        qid, reason, _ = chosen
        target = Target(
            fields={"quarantine_id": qid},
            text=tr(QT_TRANSLATE_NOOP("jis", "quarantine #{id} ({reason})")).format(id=qid, reason=reason),
        )
        summary = tr(QT_TRANSLATE_NOOP("jis", "Re-process a quarantined message after its cause was fixed."))
        self.desk.propose(
            Proposal(
                intent=REPROCESS_INTENT,
                verb=QT_TRANSLATE_NOOP("jis", "REPROCESS"),
                targets=(target,),
                summary=summary,
            )
        )

    @Slot()
    def discard(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        qid, reason, entry = chosen
        target = Target(
            fields={"deviation_id": entry.id},
            text=f"#{entry.id}: "
            + tr(QT_TRANSLATE_NOOP("jis", "quarantine #{id} ({reason})")).format(id=qid, reason=reason),
        )
        summary = tr(QT_TRANSLATE_NOOP("jis", "Discard: resolve the deviation; the message stays in quarantine."))
        self.desk.propose(
            Proposal(
                intent="ResolveDeviation",
                verb=QT_TRANSLATE_NOOP("jis", "DISCARD"),
                targets=(target,),
                summary=summary,
            )
        )
