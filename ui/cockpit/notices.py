"""The cockpit's ship notices: each shipped rack's notice to the OEM and where its answer stands (docs/ship-notices.md).

What it is for: one row per notice the service keeps (``LineView.notices``, the HMI bus's ``notice/<id>`` entries):
the rack, the delivery note, the newest version and what it is (original, replacement, cancellation), its state in
words (sending, sent, acknowledged, rejected with the OEM's reason, no answer past the time-out), when the rack shipped
and when this version was asked for. What needs a person comes first: a rejected or unanswered notice leads its row
with its alarm's ISA-18.2 indicator (P1 rejected, P2 unanswered; blinking while unacknowledged) and is set in bold;
every other state is quiet (ISA-101: no colour for normal). Above the table, the figures shared with the OEM for
the racks shipped this shift (``KpiView``, docs/kpis.md): on time in full, parts shipped out of sequence, and the
notices acknowledged, rejected and unanswered.
SEND AGAIN… proposes a lead's ``ResendShipNotice`` for the selected notice when the OEM rejected it or left it
unanswered past the time-out (the confirmation and the request id are the operation desk's: done once).
What it must not do: send anything itself (every operation goes through the desk; a correction or a cancel is a
lead's operation on the operations screen), or hold a colour (``ui/style.qss``).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from sequencer.views import DeviationView, LineView, NoticeView
from ui.cockpit.desk import OperationDesk, Proposal, Target
from ui.cockpit.overview import worst
from ui.cockpit.widgets import BLINK_ROLE, PRIORITY_ROLE, PriorityDelegate, cell, make_table, section
from ui.i18n import current_language, tr, tr_text, tr_tip
from ui.widgets import clock, fill_table, label, plant_zone
from ui.words import NO_VALUE, QT_TRANSLATE_NOOP, kind_words, sentence

HEADERS = (
    "P",
    QT_TRANSLATE_NOOP("jis", "RACK"),
    QT_TRANSLATE_NOOP("jis", "DELIVERY NOTE"),
    QT_TRANSLATE_NOOP("jis", "VERSION"),
    QT_TRANSLATE_NOOP("jis", "STATE"),
    QT_TRANSLATE_NOOP("jis", "OEM'S REASON"),
    QT_TRANSLATE_NOOP("jis", "SHIPPED"),
    QT_TRANSLATE_NOOP("jis", "VERSION ASKED FOR"),
)
STRETCH = 5  # the OEM's reason takes the spare width

# What a notice's state says, in words: (state, past the time-out) -> words
STATE_WORDS: dict[tuple[str, bool], str] = {
    ("due", False): QT_TRANSLATE_NOOP("jis", "sending"),
    ("due", True): QT_TRANSLATE_NOOP("jis", "NO ANSWER: past time-out"),
    ("sent", False): QT_TRANSLATE_NOOP("jis", "sent, awaiting answer"),
    ("sent", True): QT_TRANSLATE_NOOP("jis", "NO ANSWER: past time-out"),
    ("acknowledged", False): QT_TRANSLATE_NOOP("jis", "acknowledged"),
    ("rejected", False): QT_TRANSLATE_NOOP("jis", "REJECTED"),
}
# What a version is: the notice's function (BGM 9 / 5 / 1)
FUNCTION_WORDS: dict[str, str] = {
    "original": QT_TRANSLATE_NOOP("jis", "original"),
    "replace": QT_TRANSLATE_NOOP("jis", "replaced"),
    "cancel": QT_TRANSLATE_NOOP("jis", "cancelled"),
}


def abnormal(notice: NoticeView) -> bool:
    """A notice that needs a person: the OEM rejected it, or did not answer in time."""
    return notice.state == "rejected" or notice.overdue


def state_words(notice: NoticeView) -> str:
    return tr(STATE_WORDS.get((notice.state, notice.overdue), notice.state))


def version_words(notice: NoticeView) -> str:
    return f"v{notice.version} {tr(FUNCTION_WORDS.get(notice.function, notice.function))}"


def rows_in_order(notices: tuple[NoticeView, ...]) -> list[NoticeView]:
    """What needs a person first, then the newest shipment first."""
    return sorted(notices, key=lambda n: (not abnormal(n), -n.number))


class NoticesPane(QWidget):
    """Ship notices of the racks shipped; feed it with ``apply_line``."""

    def __init__(self, desk: OperationDesk | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notices_pane")
        self.desk = desk
        self.shown: list[NoticeView] = []
        self._zone = ZoneInfo("UTC")
        self._drawn: tuple[object, ...] = ()  # what the table was last filled from (see ``_table_source``)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        frame, box, head = section("notices_section", QT_TRANSLATE_NOOP("jis", "SHIP NOTICES"))
        self.summary = label("", "notices_summary", "section-note")
        head.insertWidget(1, self.summary)
        self.shared = label("", "notices_shared_kpis", "section-note")
        box.addWidget(self.shared)
        self.table = make_table("notices_table", HEADERS, stretch=STRETCH)
        self.delegate = PriorityDelegate(self.table)
        self.table.setItemDelegateForColumn(0, self.delegate)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        box.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.send_again_button = QPushButton()
        tr_text(self.send_again_button, QT_TRANSLATE_NOOP("jis", "SEND AGAIN…"))
        tr_tip(
            self.send_again_button,
            QT_TRANSLATE_NOOP(
                "jis",
                "A rejected notice once its cause is fixed, or one unanswered past the time-out: the OEM gets a "
                "new version.",
            ),
        )
        self.send_again_button.setObjectName("send_again_button")
        self.send_again_button.setProperty("role", "verb")
        self.send_again_button.clicked.connect(self.send_again)
        row.addWidget(self.send_again_button)
        box.addLayout(row)
        root.addWidget(frame)
        self._selection_changed()

    @Slot(object)
    def apply_line(self, line: LineView) -> None:
        self._zone = plant_zone(line.timezone)
        alarms = {d.id: d for d in line.deviations}
        self.table.ensurePolished()
        source = self._table_source(line, alarms)
        if source != self._drawn:  # most pictures leave the notices be: the table is not filled again
            self._drawn = source
            self._fill(line, alarms)
        self.summary.setText(_summary(line.notices))
        self.shared.setText(shared_words(line))
        self._selection_changed()

    def _table_source(self, line: LineView, alarms: dict[int, DeviationView]) -> tuple[object, ...]:
        """All the table shows depends on: the notices, their alarms, the zone, the language and the font. Unchanged
        entries of a picture are the same objects as the last one's, so comparing this is cheap."""
        raised = tuple(alarms.get(n.alarm) for n in line.notices if n.alarm is not None)
        return (line.notices, raised, line.timezone, current_language(), QFont(self.table.font()))

    def _fill(self, line: LineView, alarms: dict[int, DeviationView]) -> None:
        self.shown = rows_in_order(line.notices)
        rows = [
            ["", f"{n.feed}/{n.family}/{n.rack_no}", str(n.number), version_words(n), state_words(n),
             n.reason or NO_VALUE, clock(n.shipped_at, self._zone), clock(n.issued_at, self._zone)]
            for n in self.shown
        ]  # fmt: skip
        fill_table(self.table, rows)
        bold = QFont(self.table.font())  # the stylesheet's size (and the font scale), heavier
        bold.setBold(True)
        weight_changed = False
        for r, notice in enumerate(self.shown):
            alarm = alarms.get(notice.alarm) if notice.alarm is not None and abnormal(notice) else None
            priority, unack, _ = worst([alarm] if alarm is not None else [])
            first = cell(self.table, r, 0)
            first.setData(PRIORITY_ROLE, priority)
            first.setData(BLINK_ROLE, unack)
            first.setToolTip(
                f"P{alarm.priority} {tr(kind_words(alarm.kind))}: {sentence(alarm, tr)}" if alarm is not None else ""
            )
            first.setData(
                Qt.ItemDataRole.AccessibleTextRole,
                tr(QT_TRANSLATE_NOOP("jis", "priority {priority}")).format(priority=priority) if priority else "",
            )
            for c in range(len(HEADERS)):
                item = cell(self.table, r, c)
                font = bold if abnormal(notice) else None  # None: the table's own
                if item.data(Qt.ItemDataRole.FontRole) != font:
                    item.setData(Qt.ItemDataRole.FontRole, font)
                    weight_changed = True
        if weight_changed:  # bold text is wider: grow the columns it no longer fits (fill_table measured plain text)
            for c in range(len(HEADERS)):
                if c != STRETCH and self.table.sizeHintForColumn(c) > self.table.columnWidth(c):
                    self.table.resizeColumnToContents(c)

    def chosen(self) -> NoticeView | None:
        row = self.table.currentRow()
        selected = self.table.selectionModel().hasSelection()
        return self.shown[row] if selected and 0 <= row < len(self.shown) else None

    def _selection_changed(self) -> None:
        notice = self.chosen()
        self.send_again_button.setEnabled(self.desk is not None and notice is not None and abnormal(notice))

    @Slot()
    def send_again(self) -> None:
        notice = self.chosen()
        if notice is None or self.desk is None or not abnormal(notice):
            return
        fields = {"feed": notice.feed, "family": notice.family, "rack_no": notice.rack_no}
        what = tr(
            QT_TRANSLATE_NOOP("jis", "rejected")
            if notice.state == "rejected"
            else QT_TRANSLATE_NOOP("jis", "unanswered")
        )
        text = tr(QT_TRANSLATE_NOOP("jis", "ship notice {id} v{version} ({what})"))
        target = Target(fields=fields, text=text.format(id=notice.notice_id, version=notice.version, what=what))
        summary = tr(QT_TRANSLATE_NOOP("jis", "Send the ship notice again as a new version, with the same contents."))
        verb = QT_TRANSLATE_NOOP("jis", "SEND AGAIN")
        self.desk.propose(Proposal(intent="ResendShipNotice", verb=verb, targets=(target,), summary=summary))

    def set_blink(self, on: bool) -> None:
        self.delegate.blink_on = on
        self.table.viewport().update()


def _pct(share: float | None) -> str:
    return NO_VALUE if share is None else f"{100 * share:.1f} %"


def shared_words(line: LineView) -> str:
    """The figures shared with the OEM for this shift, in one line."""
    k = line.kpis
    words = tr(
        QT_TRANSLATE_NOOP(
            "jis",
            "This shift, as the OEM counts it: {racks} racks shipped, on time in full {otif} · out of sequence "
            "shipped {ppm} ppm of {parts} parts · notices acknowledged {acknowledged}, rejected {rejected}, "
            "unanswered {unanswered}",
        )
    )
    return words.format(
        racks=k.shift_racks_shipped,
        otif=_pct(k.otif_rate),
        ppm=f"{k.out_of_sequence_shipped_ppm:.0f}",
        parts=k.shift_parts_shipped,
        acknowledged=_pct(k.notices_acknowledged_rate),
        rejected=k.notices_rejected,
        unanswered=k.notices_unanswered,
    )


def _summary(notices: tuple[NoticeView, ...]) -> str:
    if not notices:
        return tr(QT_TRANSLATE_NOOP("jis", "no rack shipped with a notice"))
    counts = {
        QT_TRANSLATE_NOOP("jis", "acknowledged"): sum(n.state == "acknowledged" for n in notices),
        QT_TRANSLATE_NOOP("jis", "awaiting an answer"): sum(
            n.state in ("due", "sent") and not n.overdue for n in notices
        ),
        QT_TRANSLATE_NOOP("jis", "rejected"): sum(n.state == "rejected" for n in notices),
        QT_TRANSLATE_NOOP("jis", "past the time-out"): sum(n.overdue for n in notices),
    }
    kept = tr(QT_TRANSLATE_NOOP("jis", "{n} kept")).format(n=len(notices))
    return f"{kept} · " + " · ".join(f"{v} {tr(k)}" for k, v in counts.items())
