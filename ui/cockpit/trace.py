"""The cockpit's trace: which parts (serial, batch) went into which vehicle, as the service answers from its journal.

What it is for: a lead's recall or claim question at the desk: the parts scanned for a vehicle (VIN), or the
vehicles that got a serial or a batch. FIND sends ``TraceParts`` (a question, not an operation: it changes
nothing and needs no confirmation) over the cockpit's command client; the answer fills the table, one row a part
(when it was scanned, vehicle, feed, sequence number, family, part, serial, batch, rack, slot), with a line saying
how many and whether there were more than the answer holds. The same answers as ``jis trace`` (docs/cli.md).
What it must not do: read the journal itself (the HMI sees the bus and the command channel only), or hold a colour.
Its fixed words keep their sources (``ui.i18n.tr_text`` and its kin), its summary line its source and values: a
switch of language says both again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from sequencer.views import LineView
from ui.cockpit.widgets import make_table, section
from ui.command_client import CommandClient
from ui.i18n import tr, tr_item, tr_placeholder, tr_text
from ui.widgets import fill_table, label, plant_zone
from ui.words import QT_TRANSLATE_NOOP

TRACE_INTENT = "TraceParts"  # a question the service answers (app.hmi.commands, app.service.trace)
KEYS = (
    (QT_TRANSLATE_NOOP("jis", "VIN"), "vin"),
    (QT_TRANSLATE_NOOP("jis", "SERIAL"), "serial"),
    (QT_TRANSLATE_NOOP("jis", "BATCH"), "batch"),
)
HEADERS = (
    QT_TRANSLATE_NOOP("jis", "SCANNED"),
    QT_TRANSLATE_NOOP("jis", "VEHICLE"),
    QT_TRANSLATE_NOOP("jis", "FEED"),
    QT_TRANSLATE_NOOP("jis", "SEQ"),
    QT_TRANSLATE_NOOP("jis", "FAMILY"),
    QT_TRANSLATE_NOOP("jis", "PART"),
    QT_TRANSLATE_NOOP("jis", "SERIAL"),
    QT_TRANSLATE_NOOP("jis", "BATCH"),
    QT_TRANSLATE_NOOP("jis", "RACK"),
    QT_TRANSLATE_NOOP("jis", "SLOT"),
)
STRETCH = 5


def trace_rows(traces: list[dict[str, Any]], zone: ZoneInfo) -> list[tuple[str, ...]]:
    """The table's rows from the service's answer, in the order it gave (journal order)."""
    return [
        (
            datetime.fromtimestamp(float(t["at"]), zone).strftime("%Y-%m-%d %H:%M:%S"),
            str(t["vehicle_id"]),
            str(t["feed"]),
            str(t["seq"]),
            str(t["family"]),
            str(t["part"]),
            str(t["serial"]) or "–",
            str(t["batch"]) or "–",
            str(t["rack_no"]),
            str(t["slot"]),
        )
        for t in traces
    ]


class TracePane(QWidget):
    """Ask by VIN, serial or batch; the service's answer in a table. Feed it pictures with ``apply_line`` (for the
    plant's time zone)."""

    def __init__(self, commands: CommandClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trace_pane")
        self.commands = commands
        self.asked: int | None = None  # the request id of the question in flight
        self._zone = ZoneInfo("UTC")
        self._said: tuple[str, dict[str, Any], str] = ("", {}, "")  # the summary: its source, values and a "more"
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        frame, box, head = section("trace_section", QT_TRANSLATE_NOOP("jis", "TRACE"))
        self.summary = label("", "trace_summary", "section-note")
        head.insertWidget(1, self.summary)
        row = QHBoxLayout()
        self.key = QComboBox()
        self.key.setObjectName("trace_key")
        for text, _ in KEYS:
            tr_item(self.key, text)
        self.value = QLineEdit()
        self.value.setObjectName("trace_value")
        tr_placeholder(self.value, QT_TRANSLATE_NOOP("jis", "VIN, serial or batch as scanned"))
        self.value.setMaxLength(64)
        self.find_button = QPushButton()
        tr_text(self.find_button, QT_TRANSLATE_NOOP("jis", "FIND"))
        self.find_button.setObjectName("trace_find")
        row.addWidget(self.key)
        row.addWidget(self.value, 1)
        row.addWidget(self.find_button)
        box.addLayout(row)
        self.table = make_table("trace_table", HEADERS, stretch=STRETCH)
        box.addWidget(self.table, 1)
        root.addWidget(frame)
        self.find_button.clicked.connect(self.ask)
        self.value.returnPressed.connect(self.ask)
        commands.replied.connect(self._answered)

    @Slot(object)
    def apply_line(self, line: LineView) -> None:
        self._zone = plant_zone(line.timezone)

    @Slot()
    def ask(self) -> None:
        value = self.value.text().strip()
        if not value:
            self._say(QT_TRANSLATE_NOOP("jis", "type a VIN, serial or batch"))
            return
        if not self.commands.logged_in_now:
            self._say(QT_TRANSLATE_NOOP("jis", "LOG IN to ask"))
            return
        caption, key = KEYS[self.key.currentIndex()]
        self.asked = self.commands.send(TRACE_INTENT, {key: value}, "trace at the cockpit")
        self._say(QT_TRANSLATE_NOOP("jis", "asking: {key} {value}"), key=caption, value=value)

    @Slot(object)
    def _answered(self, reply: dict[str, Any]) -> None:
        if self.asked is None or reply.get("id") != self.asked:
            return
        self.asked = None
        if not reply.get("ok"):
            self._say(QT_TRANSLATE_NOOP("jis", "NOT ANSWERED — {error}"), error=reply.get("error", ""))
            return
        result = reply.get("result", {})
        traces = list(result.get("traces", []))
        fill_table(self.table, trace_rows(traces, self._zone))
        more = QT_TRANSLATE_NOOP("jis", " (more: ask by vehicle)") if result.get("more") else ""
        traced = QT_TRANSLATE_NOOP("jis", "{target}: {n} part(s) traced")
        self._say(traced, more, target=result.get("target", ""), n=len(traces))

    def _say(self, source: str, more: str = "", **values: Any) -> None:
        """The summary line: ``source`` (a template of ``values``; a ``key`` is a marked text) and ``more``, in the
        current language."""
        self._said = (source, values, more)
        shown = {name: tr(value) if name == "key" else value for name, value in values.items()}
        self.summary.setText((tr(source).format(**shown) if source else "") + (tr(more) if more else ""))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            source, values, more = self._said
            self._say(source, more, **values)
