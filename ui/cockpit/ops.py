"""The cockpit's operations screen: a form per manual operation of the core, and the log of what was sent.

What it is for: the table ``OPERATIONS`` (one row per ``sequencer.events`` intent a lead starts by hand: its
verb, its fields and how to say its target) turned into forms; the verb button hands a ``Proposal`` to the
``OperationDesk``, which confirms it with a reason and sends it. Below the forms, every operation sent from this
cockpit with the service's answer. Other screens pre-fill a form with ``prefill``.
What it must not do: send anything itself (the desk does, after the confirmation), check what the service
checks (roles) or the core checks (whether the vehicle can be held), or hold a colour. Its fixed words keep their
sources (``ui.i18n.tr_text`` and its kin); the log is written again at a switch of language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, Slot
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sequencer.views import LineView
from ui.cockpit.desk import OperationDesk, OpRecord, Proposal, Target
from ui.cockpit.widgets import cell, make_table, section
from ui.i18n import tr, tr_item, tr_text
from ui.widgets import Choice, clock, fill_table, label, plant_zone
from ui.words import NO_VALUE, QT_TRANSLATE_NOOP

SEQ_MAX = 999_999  # feeds wrap at their modulus (10000 in the demo); the core checks the real range
LOG_HEADERS = (
    QT_TRANSLATE_NOOP("jis", "SENT"),
    QT_TRANSLATE_NOOP("jis", "USER"),
    QT_TRANSLATE_NOOP("jis", "OPERATION"),
    QT_TRANSLATE_NOOP("jis", "TARGET"),
    QT_TRANSLATE_NOOP("jis", "REASON"),
    QT_TRANSLATE_NOOP("jis", "RESULT"),
    QT_TRANSLATE_NOOP("jis", "ANSWER"),
)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str  # the intent's field name (sequencer.events)
    caption: str
    kind: str  # a key of FIELD_KINDS


@dataclass(frozen=True, slots=True)
class OpSpec:
    intent: str
    verb: str
    title: str
    help: str
    fields: tuple[FieldSpec, ...]
    target: Callable[[dict[str, Any]], str]


LINE_STATE_WORDS: dict[str, str] = {  # sequencer.events.LineState in words
    "stopped": QT_TRANSLATE_NOOP("jis", "stopped"),
    "running": QT_TRANSLATE_NOOP("jis", "running"),
}
FEED, SEQ = (
    FieldSpec("feed", QT_TRANSLATE_NOOP("jis", "Feed"), "feed"),
    FieldSpec("seq", QT_TRANSLATE_NOOP("jis", "Sequence no."), "seq"),
)
OPERATIONS: tuple[OpSpec, ...] = (
    OpSpec(
        "HoldVehicle",
        QT_TRANSLATE_NOOP("jis", "HOLD"),
        QT_TRANSLATE_NOOP("jis", "Hold a vehicle"),
        QT_TRANSLATE_NOOP("jis", "Its picks wait until it is released."),
        (FEED, SEQ),
        lambda f: f"{f['feed']} {f['seq']}",
    ),
    OpSpec(
        "ReleaseVehicle",
        QT_TRANSLATE_NOOP("jis", "RELEASE"),
        QT_TRANSLATE_NOOP("jis", "Release a held vehicle"),
        QT_TRANSLATE_NOOP("jis", "Its picks return to the sequence."),
        (FEED, SEQ),
        lambda f: f"{f['feed']} {f['seq']}",
    ),
    OpSpec(
        "CancelVehicle",
        QT_TRANSLATE_NOOP("jis", "CANCEL VEHICLE"),
        QT_TRANSLATE_NOOP("jis", "Cancel a vehicle"),
        QT_TRANSLATE_NOOP("jis", "Picked parts go back to stock."),
        (FEED, SEQ),
        lambda f: f"{f['feed']} {f['seq']}",
    ),
    OpSpec(
        "MoveVehicle",
        QT_TRANSLATE_NOOP("jis", "MOVE"),
        QT_TRANSLATE_NOOP("jis", "Move a vehicle"),
        QT_TRANSLATE_NOOP("jis", "To a free place in the sequence (after a repair loop)."),
        (FEED, SEQ, FieldSpec("to_seq", QT_TRANSLATE_NOOP("jis", "To sequence no."), "seq")),
        lambda f: f"{f['feed']} {f['seq']} → {f['to_seq']}",
    ),
    OpSpec(
        "SwapVehicles",
        QT_TRANSLATE_NOOP("jis", "SWAP"),
        QT_TRANSLATE_NOOP("jis", "Reorder two vehicles"),
        QT_TRANSLATE_NOOP("jis", "Two vehicles not yet picked exchange places."),
        (FEED, SEQ, FieldSpec("other_seq", QT_TRANSLATE_NOOP("jis", "With sequence no."), "seq")),
        lambda f: f"{f['feed']} {f['seq']} ↔ {f['other_seq']}",
    ),
    OpSpec(
        "InsertBroadcast",
        QT_TRANSLATE_NOOP("jis", "INSERT"),
        QT_TRANSLATE_NOOP("jis", "Insert a broadcast by hand"),
        QT_TRANSLATE_NOOP("jis", "Emergency mode: key in a vehicle while the feed is down."),
        (
            FEED,
            SEQ,
            FieldSpec("vehicle_id", QT_TRANSLATE_NOOP("jis", "Vehicle id (VIN)"), "text"),
            FieldSpec("options", QT_TRANSLATE_NOOP("jis", "Option codes"), "list"),
            FieldSpec("parts", QT_TRANSLATE_NOOP("jis", "Parts (family=part)"), "pairs"),
        ),
        lambda f: f"{f['feed']} {f['seq']} {f['vehicle_id']}",
    ),
    OpSpec(
        "RequestResendByHand",
        QT_TRANSLATE_NOOP("jis", "REQUEST RESEND"),
        QT_TRANSLATE_NOOP("jis", "Request a resend"),
        QT_TRANSLATE_NOOP("jis", "Ask the OEM to send a range again."),
        (
            FEED,
            FieldSpec("from_seq", QT_TRANSLATE_NOOP("jis", "From sequence no."), "seq"),
            FieldSpec("to_seq", QT_TRANSLATE_NOOP("jis", "To sequence no."), "seq"),
        ),
        lambda f: f"{f['feed']} {f['from_seq']}–{f['to_seq']}",
    ),
    OpSpec(
        "ReprintLabel",
        QT_TRANSLATE_NOOP("jis", "REPRINT"),
        QT_TRANSLATE_NOOP("jis", "Reprint a label"),
        QT_TRANSLATE_NOOP("jis", "Part label P<pick>, rack label R-<feed>-<family>-<rack>."),
        (FieldSpec("label_id", QT_TRANSLATE_NOOP("jis", "Label id"), "text"),),
        lambda f: tr(QT_TRANSLATE_NOOP("jis", "label {id}")).format(id=f["label_id"]),
    ),
    OpSpec(
        "ConfirmByHand",
        QT_TRANSLATE_NOOP("jis", "CONFIRM BY HAND"),
        QT_TRANSLATE_NOOP("jis", "Confirm the lit pick by hand"),
        QT_TRANSLATE_NOOP("jis", "When a station's light has failed."),
        (FieldSpec("station", QT_TRANSLATE_NOOP("jis", "Station"), "station"),),
        lambda f: tr(QT_TRANSLATE_NOOP("jis", "station {id}")).format(id=f["station"]),
    ),
    OpSpec(
        "ShipRackByHand",
        QT_TRANSLATE_NOOP("jis", "SHIP RACK"),
        QT_TRANSLATE_NOOP("jis", "Ship a rack by hand"),
        QT_TRANSLATE_NOOP("jis", "When the dock scanner is down."),
        (
            FEED,
            FieldSpec("family", QT_TRANSLATE_NOOP("jis", "Family"), "family"),
            FieldSpec("rack_no", QT_TRANSLATE_NOOP("jis", "Rack no."), "rack"),
        ),
        lambda f: tr(QT_TRANSLATE_NOOP("jis", "{feed} {family} rack {rack}")).format(
            feed=f["feed"], family=f["family"], rack=f["rack_no"]
        ),
    ),
    OpSpec(
        "SetBinStock",
        QT_TRANSLATE_NOOP("jis", "SET STOCK"),
        QT_TRANSLATE_NOOP("jis", "Set a bin's stock"),
        QT_TRANSLATE_NOOP("jis", "After counting or filling it (docs/stock.md)."),
        (
            FieldSpec("bin", QT_TRANSLATE_NOOP("jis", "Bin"), "bin"),
            FieldSpec("qty", QT_TRANSLATE_NOOP("jis", "Parts in it"), "count"),
        ),
        lambda f: tr(QT_TRANSLATE_NOOP("jis", "bin {bin} = {qty}")).format(bin=f["bin"], qty=f["qty"]),
    ),
    OpSpec(
        "SetLineStatus",
        QT_TRANSLATE_NOOP("jis", "SET OEM LINE"),
        QT_TRANSLATE_NOOP("jis", "The OEM's line stopped or runs"),
        QT_TRANSLATE_NOOP("jis", "While it stands, due times wait."),
        (FEED, FieldSpec("state", QT_TRANSLATE_NOOP("jis", "OEM line"), "line_state")),
        lambda f: tr(QT_TRANSLATE_NOOP("jis", "{feed} line {state}")).format(
            feed=f["feed"], state=tr(LINE_STATE_WORDS.get(f["state"], f["state"]))
        ),
    ),
)
OPERATION_BY_INTENT: dict[str, OpSpec] = {op.intent: op for op in OPERATIONS}


# --- field widgets as a table: kind -> (make, read, write) ------------------------------------------------------


def _number(minimum: int) -> Callable[[], QWidget]:
    """A typed whole number (no spin arrows: a sequence number is typed, never stepped to)."""

    def make() -> QWidget:
        edit = QLineEdit()
        edit.setValidator(QIntValidator(minimum, SEQ_MAX, edit))
        edit.setPlaceholderText(f"{minimum}–{SEQ_MAX}")
        return edit

    return make


def _read_number(edit: QLineEdit) -> int | None:
    return int(edit.text()) if edit.hasAcceptableInput() else None


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,;]+", text.strip()) if w]


def _pairs(text: str) -> list[list[str]]:
    return [w.split("=", 1) for w in _words(text) if "=" in w]


def _show_words(value: Any) -> str:
    return ", ".join("=".join(v) if isinstance(v, list | tuple) else str(v) for v in value)


def _chosen(combo: QComboBox) -> str:
    """The choice's value: its data where the combo shows it in words (``line_state``), else its text."""
    data = combo.currentData()
    return data if isinstance(data, str) else combo.currentText()


def _choose(combo: QComboBox, value: Any) -> None:
    found = combo.findData(str(value))
    if found >= 0:
        combo.setCurrentIndex(found)
    else:
        combo.setCurrentText(str(value))


FieldKind = tuple[Callable[[], QWidget], Callable[[Any], Any], Callable[[Any, Any], None]]
FIELD_KINDS: dict[str, FieldKind] = {
    "feed": (Choice, _chosen, _choose),
    "station": (Choice, _chosen, _choose),
    "family": (Choice, _chosen, _choose),
    "line_state": (Choice, _chosen, _choose),
    "seq": (_number(0), _read_number, lambda w, v: w.setText(str(int(v)))),
    "rack": (_number(1), _read_number, lambda w, v: w.setText(str(int(v)))),
    "count": (_number(0), _read_number, lambda w, v: w.setText(str(int(v)))),
    "bin": (Choice, _chosen, _choose),
    "text": (QLineEdit, lambda w: w.text().strip(), lambda w, v: w.setText(str(v))),
    "list": (QLineEdit, lambda w: _words(w.text()), lambda w, v: w.setText(_show_words(v))),
    "pairs": (QLineEdit, lambda w: _pairs(w.text()), lambda w, v: w.setText(_show_words(v))),
}
# Where the combo boxes get their choices from the newest picture of the line.
CHOICES: dict[str, Callable[[LineView], list[str]]] = {
    "feed": lambda line: [f.id for f in line.feeds],
    "station": lambda line: [s.id for s in line.stations],
    "family": lambda line: list(dict.fromkeys(s.family for s in line.stations)),
    "bin": lambda line: [b.id for s in line.stations for b in s.bins],  # a bin keeping no stock: the core says so
    "line_state": lambda line: ["stopped", "running"],  # sequencer.events.LineState
}


class OperationForm(QWidget):
    """The fields of one operation and its verb button."""

    def __init__(self, spec: OpSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName(f"form_{spec.intent}")
        box = QVBoxLayout(self)
        title = label("", f"form_{spec.intent}_title", "form-title")
        tr_text(title, spec.title, "upper")
        help_ = label("", f"form_{spec.intent}_help", "form-help")
        tr_text(help_, spec.help)
        box.addWidget(title)
        box.addWidget(help_)
        form = QFormLayout()
        self.inputs: dict[str, QWidget] = {}
        for f in spec.fields:
            widget = FIELD_KINDS[f.kind][0]()
            widget.setObjectName(f"field_{spec.intent}_{f.name}")
            self.inputs[f.name] = widget
            caption = label("", f"field_{spec.intent}_{f.name}_caption", "form-caption")
            tr_text(caption, f.caption)
            form.addRow(caption, widget)
        box.addLayout(form)
        row = QHBoxLayout()
        row.addStretch(1)
        self.button = QPushButton()
        tr_text(self.button, spec.verb, "more")
        self.button.setObjectName(f"verb_{spec.intent}")
        self.button.setProperty("role", "verb")
        row.addWidget(self.button)
        box.addLayout(row)
        box.addStretch(1)

    def values(self) -> dict[str, Any]:
        kinds = {f.name: f.kind for f in self.spec.fields}
        return {name: FIELD_KINDS[kinds[name]][1](w) for name, w in self.inputs.items()}

    def fill(self, fields: dict[str, Any]) -> None:
        kinds = {f.name: f.kind for f in self.spec.fields}
        for name, value in fields.items():
            if name in self.inputs:
                FIELD_KINDS[kinds[name]][2](self.inputs[name], value)

    def set_choices(self, line: LineView) -> None:
        for f in self.spec.fields:
            combo = self.inputs[f.name]
            if f.kind in CHOICES and isinstance(combo, QComboBox):
                wanted = CHOICES[f.kind](line)
                if [combo.itemData(i) for i in range(combo.count())] != wanted:
                    current = _chosen(combo)
                    combo.clear()
                    for item in wanted:  # the line's own names as they are; a line state in words
                        if f.kind == "line_state":
                            tr_item(combo, LINE_STATE_WORDS[item], item)
                        else:
                            combo.addItem(item, item)
                    _choose(combo, current)

    def complete(self) -> bool:
        return all(v not in ("", None) for k, v in self.values().items() if k not in ("options", "parts"))


class OperationsPane(QWidget):
    """The list of operations, the chosen one's form, and this session's log of operations sent."""

    def __init__(self, desk: OperationDesk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("operations_pane")
        self.desk = desk
        self._line: LineView | None = None
        self._zone = ZoneInfo("UTC")
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        frame, box, _ = section("operations_section", QT_TRANSLATE_NOOP("jis", "MANUAL OPERATIONS"))
        body = QHBoxLayout()
        self.list = QListWidget()
        self.list.setObjectName("operations_list")
        self.stack = QStackedWidget()
        self.forms: dict[str, OperationForm] = {}
        for spec in OPERATIONS:
            form = OperationForm(spec)
            form.button.clicked.connect(lambda _=False, i=spec.intent: self.propose(i))
            self.forms[spec.intent] = form
            self.stack.addWidget(form)
            tr_item(self.list, spec.verb)
        self.list.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.list.setCurrentRow(0)
        self.list.setFixedWidth(self.list.sizeHintForColumn(0) + 40)
        body.addWidget(self.list)
        body.addWidget(self.stack, 1)
        box.addLayout(body)
        root.addWidget(frame, 3)
        log_frame, log_box, _ = section(
            "ops_log_section", QT_TRANSLATE_NOOP("jis", "OPERATIONS SENT FROM THIS COCKPIT")
        )
        self.log = make_table("ops_log", LOG_HEADERS, stretch=LOG_HEADERS.index("ANSWER"))
        self.log.horizontalHeader().setSectionResizeMode(LOG_HEADERS.index("TARGET"), QHeaderView.ResizeMode.Stretch)
        log_box.addWidget(self.log)
        root.addWidget(log_frame, 2)
        desk.record_changed.connect(self._show_log)

    @Slot(object)
    def apply_line(self, line: LineView) -> None:
        self._line = line
        self._zone = plant_zone(line.timezone)
        for form in self.forms.values():
            form.set_choices(line)

    def prefill(self, intent: str, fields: dict[str, Any]) -> None:
        """Show ``intent``'s form filled with ``fields`` (from a right click elsewhere); nothing is sent."""
        spec = OPERATION_BY_INTENT.get(intent)
        if spec is None:
            return
        self.list.setCurrentRow(OPERATIONS.index(spec))
        self.forms[intent].fill(fields)

    def propose(self, intent: str) -> None:
        form = self.forms[intent]
        if not form.complete():
            return
        fields = form.values()
        text = form.spec.target(fields)
        summary = f"{tr(form.spec.title)}: {text}{self._vehicle_hint(fields)}. {tr(form.spec.help)}"
        self.desk.propose(Proposal(intent=intent, verb=form.spec.verb, summary=summary,
                                   targets=(Target(fields=fields, text=text),)))  # fmt: skip

    def _vehicle_hint(self, fields: dict[str, Any]) -> str:
        """The vehicle and parts behind a feed/seq, when the newest picture shows them queued."""
        line = self._line
        if line is None or "seq" not in fields:
            return ""
        picks = [
            p
            for s in line.stations
            for p in ([s.current] if s.current else []) + list(s.next)
            if p.feed == fields.get("feed") and p.seq == fields["seq"]
        ]
        if not picks:
            return ""
        at = tr(QT_TRANSLATE_NOOP("jis", "{part} at {bin}"))
        found = ", ".join(at.format(part=p.part, bin=p.bin) for p in picks)
        return tr(QT_TRANSLATE_NOOP("jis", " (vehicle {vehicle}: {picks})")).format(
            vehicle=picks[0].vehicle_id, picks=found
        )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:  # its fixed words: the window's retranslate, before this
            self.list.setFixedWidth(self.list.sizeHintForColumn(0) + 40)
            self._show_log()

    @Slot(object)
    def _show_log(self, _: OpRecord | None = None) -> None:
        rows = [
            [
                clock(r.at, self._zone) if r.at else NO_VALUE,
                r.user,
                tr(r.verb),
                r.target,
                r.reason,
                tr(r.result),
                r.message,
            ]
            for r in reversed(self.desk.records.values())
        ]
        fill_table(self.log, rows)
        for r, row in enumerate(rows):  # long targets and answers are elided in the table, whole in the tooltip
            for c in (LOG_HEADERS.index("TARGET"), LOG_HEADERS.index("ANSWER")):
                cell(self.log, r, c).setToolTip(row[c])
