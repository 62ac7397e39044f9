"""The engineer's view's printer and OEM feed cards: status, fault switches, label previews and the feed's knobs.

What they are for: ``PrinterCard`` shows a simulated printer, a Zebra, a print-and-apply PLC or an OPC UA print
engine (status in words, the fault switches its kind has, counters, the last labels with a rendered preview);
``FeedCard`` shows an OEM feed simulator (counters, pending fault hooks) with its knobs: takt and speed-up,
gaps, duplicates, changes, cancellations, bursts and silence. Both emit request dicts on ``command``
(docs/sim-control.md); the view sends them.
Their words are marked for Qt's translation and shown in the view's language: the fixed ones keep their sources
(``ui.i18n.tr_text`` and its kin), what they compose from a state is composed again at each state; a switch of
language reads both again (docs/languages.md).
What they must not do: hold colours or font sizes (``ui/style.qss``), send anything themselves, or overwrite
a knob the engineer is editing (the spin boxes are set once, from the first state).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QWidget,
)

from ui.engineer.label import LabelPreview
from ui.engineer.link import FeedState, PrintedLabelState, PrinterState, ScannerState
from ui.engineer.widgets import FaultSwitch, card_in, command_button, field_grid, kind_words
from ui.i18n import tr, tr_placeholder, tr_text, tr_tip
from ui.widgets import clock, label, set_props
from ui.words import NO_VALUE, QT_TRANSLATE_NOOP

# Every word here is marked for Qt's translation (docs/languages.md) and translated where it is shown (``tr``).
# printer fault switch -> its words; which switches a printer has comes with its state (by protocol)
SWITCH_WORDS: dict[str, str] = {
    "offline": QT_TRANSLATE_NOOP("jis", "OFFLINE"),
    "paper_out": QT_TRANSLATE_NOOP("jis", "PAPER OUT"),
    "ribbon_out": QT_TRANSLATE_NOOP("jis", "RIBBON OUT"),
    "ribbon_low": QT_TRANSLATE_NOOP("jis", "RIBBON LOW"),
    "head_open": QT_TRANSLATE_NOOP("jis", "HEAD OPEN"),
    "paused": QT_TRANSLATE_NOOP("jis", "PAUSED"),
    "silent": QT_TRANSLATE_NOOP("jis", "SILENT"),
    "out_of_service": QT_TRANSLATE_NOOP("jis", "OUT OF SERVICE"),
}
SWITCH_TIPS: dict[str, str] = {
    "offline": QT_TRANSLATE_NOOP("jis", "Printer off the network: connections dropped and refused"),
    "paper_out": QT_TRANSLATE_NOOP(
        "jis", "Media out: printing stops until media is back (a Zebra stops answering ~HS)"
    ),
    "head_open": QT_TRANSLATE_NOOP("jis", "Print head open: printing stops"),
    "silent": QT_TRANSLATE_NOOP("jis", "The PLC reads requests but answers none"),
    "out_of_service": QT_TRANSLATE_NOOP(
        "jis", "The engine out of service: job orders refused, the running one interrupted"
    ),
}
# protocol -> where the printer listens, in words (a template, filled with the printer's ports)
PORT_WORDS: dict[str, str] = {
    "zpl": QT_TRANSLATE_NOOP("jis", ":{port} print · :{status_port} status"),
    "modbus": QT_TRANSLATE_NOOP("jis", ":{port} Modbus"),
    "opcua": QT_TRANSLATE_NOOP("jis", ":{port} OPC UA"),
}


def switch_source(name: str) -> str:
    """A printer's fault switch as its marked text (an unknown one as its name)."""
    return SWITCH_WORDS.get(name, name.replace("_", " ").upper())


def switch_words(name: str) -> str:
    """A printer's fault switch in the screen's language (an unknown one as its name)."""
    return tr(switch_source(name))


def port_words(view: PrinterState) -> str:
    template = tr(PORT_WORDS[view.protocol]) if view.protocol in PORT_WORDS else ":{port}"
    return template.format(port=view.port, status_port=view.status_port)


SWITCHES_PER_ROW = 3
SPEED_UPS = (1, 2, 4, 10)  # takt presets: the plant's takt divided by these
FEED_COUNTERS: tuple[tuple[str, str], ...] = (
    ("generated", QT_TRANSLATE_NOOP("jis", "VEHICLES")),
    ("sent", QT_TRANSLATE_NOOP("jis", "SENT")),
    ("acked", QT_TRANSLATE_NOOP("jis", "ACKED")),
    ("unacked", QT_TRANSLATE_NOOP("jis", "UNACKED")),
    ("resent", QT_TRANSLATE_NOOP("jis", "RESENT")),
    ("dropped", QT_TRANSLATE_NOOP("jis", "DROPPED")),
    ("duplicated", QT_TRANSLATE_NOOP("jis", "DUPLICATED")),
    ("quarantined", QT_TRANSLATE_NOOP("jis", "QUARANTINED")),
    ("resend_requests", QT_TRANSLATE_NOOP("jis", "RESEND REQ.")),
    ("heartbeats", QT_TRANSLATE_NOOP("jis", "HEARTBEATS")),
)
# the feed's one-shot follow-ups: (words on the button, the knob it sends, tip)
ONE_SHOTS: tuple[tuple[str, str, str], ...] = (
    (
        QT_TRANSLATE_NOOP("jis", "DUPLICATE NEXT"),
        "duplicate_next",
        QT_TRANSLATE_NOOP("jis", "The next broadcast is sent twice"),
    ),
    (
        QT_TRANSLATE_NOOP("jis", "CHANGE LAST"),
        "change",
        QT_TRANSLATE_NOOP("jis", "A change (new options) for the vehicle acknowledged last"),
    ),
    (
        QT_TRANSLATE_NOOP("jis", "CANCEL LAST"),
        "cancel",
        QT_TRANSLATE_NOOP("jis", "A cancellation of the vehicle acknowledged last"),
    ),
)


def _spin(name: str, low: float, high: float, value: float, decimals: int = 0, suffix: str = "") -> QAbstractSpinBox:
    box: QSpinBox | QDoubleSpinBox = QDoubleSpinBox() if decimals else QSpinBox()
    if isinstance(box, QDoubleSpinBox):
        box.setDecimals(decimals)
        box.setRange(low, high)
        box.setValue(value)
    else:
        box.setRange(int(low), int(high))
        box.setValue(int(value))
    box.setObjectName(name)
    box.setSuffix(suffix)
    box.setKeyboardTracking(False)
    return box


def _value(box: QAbstractSpinBox) -> Any:
    return box.value()  # type: ignore[attr-defined]  # QSpinBox and QDoubleSpinBox both have value()


NO_LABEL = QT_TRANSLATE_NOOP("jis", "No label printed yet")


def title_of(card: QWidget, name: str) -> QLabel:
    """The title label of a card made by ``card_in(card, name, ...)``."""
    found = card.findChild(QLabel, f"{name}_title")
    if found is None:
        raise LookupError(f"no title on the card {name}")
    return found


def _printing(label: PrintedLabelState) -> tuple[str, int, float]:
    """One printing of a label: its id, which reprint and when (each printing is listed on its own)."""
    return label.label_id, label.reprint, label.time


class PrinterCard(QFrame):
    """A simulated label printer: what it says it is doing, its switches, and what it printed."""

    command = Signal(dict)

    def __init__(self, printer: str, view: PrinterState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box, head = card_in(self, f"printer_{printer}", "")
        title = QT_TRANSLATE_NOOP("jis", "PRINTER {printer} · {protocol}")  # a protocol's name: alike in each language
        tr_text(title_of(self, f"printer_{printer}"), title, printer=printer, protocol=kind_words(view.protocol))
        self.status = label("", f"printer_{printer}_status", "device")
        head.insertWidget(1, self.status)
        self.counts = label("", f"printer_{printer}_counts", "row-detail")
        box.addWidget(self.counts)
        switches = QGridLayout()
        switches.setSpacing(4)
        self.switches: dict[str, FaultSwitch] = {}
        for index, fault in enumerate(view.switches):
            switch = FaultSwitch(switch_source(fault), f"printer_{printer}_{fault}")
            if fault in SWITCH_TIPS:
                tr_tip(switch, SWITCH_TIPS[fault])
            switch.flipped.connect(
                lambda on, f=fault: self.command.emit({"op": "fault", "device": printer, "name": f, "on": on})
            )
            self.switches[fault] = switch
            switches.addWidget(switch, *divmod(index, SWITCHES_PER_ROW))
        box.addLayout(switches)
        self.preview = LabelPreview()
        self.preview.setObjectName(f"printer_{printer}_preview")
        self.caption = label(tr(NO_LABEL), f"printer_{printer}_caption", "row-detail")
        self.history = QListWidget()
        self.history.setObjectName(f"printer_{printer}_history")
        self.history.setMaximumHeight(96)
        self.history.currentRowChanged.connect(self._show_selected)
        box.addWidget(self.preview)
        box.addWidget(self.caption)
        box.addWidget(self.history)
        self._labels: tuple[PrintedLabelState, ...] = ()
        self._zone = ZoneInfo("UTC")

    def show_printer(self, view: PrinterState, zone: ZoneInfo) -> None:
        self._zone = zone
        faults = [switch_words(name) for name, on in view.switches.items() if on]
        self.status.setText(" · ".join(faults) if faults else tr(QT_TRANSLATE_NOOP("jis", "READY")))
        set_props(self.status, state="down" if faults else "up")
        counts = tr(QT_TRANSLATE_NOOP("jis", "{ports} · printed {printed} · queued {queued}"))
        self.counts.setText(counts.format(ports=port_words(view), printed=view.printed, queued=view.queued))
        for fault, switch in self.switches.items():
            switch.set_on(view.switches.get(fault, False))
        self._show_history(view.labels)

    def _show_history(self, labels: tuple[PrintedLabelState, ...]) -> None:
        """``labels`` oldest first, as the printer keeps them; listed newest first, so compared reversed."""
        newest_first = tuple(reversed(labels))
        if [_printing(x) for x in newest_first] == [_printing(x) for x in self._labels]:
            return
        row = self.history.currentRow()
        chosen = _printing(self._labels[row]) if 0 < row < len(self._labels) else None  # 0: follow the newest
        self._labels = newest_first
        kept = [_printing(x) for x in newest_first]
        self._list_history(kept.index(chosen) if chosen in kept else 0)

    def _list_history(self, row: int) -> None:
        """The labels printed, newest first, with ``row`` chosen and its preview and caption shown."""
        self.history.blockSignals(True)
        self.history.clear()
        for x in self._labels:
            reprint = tr(QT_TRANSLATE_NOOP("jis", "  REPRINT {n}")).format(n=x.reprint) if x.reprint else ""
            QListWidgetItem(f"{clock(x.time, self._zone)}  {x.label_id}{reprint}", self.history)
        self.history.blockSignals(False)
        self.history.setCurrentRow(row)
        self._show_selected(self.history.currentRow())

    def changeEvent(self, event: QEvent) -> None:
        """A new language: the history's REPRINT words and the caption said again."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self._list_history(self.history.currentRow())

    def _show_selected(self, row: int) -> None:
        chosen = self._labels[row] if 0 <= row < len(self._labels) else None
        self.preview.show_layout(chosen.layout if chosen else None)
        if chosen is None:
            self.caption.setText(tr(NO_LABEL) if not self._labels else self.caption.text())
        else:
            caption = tr(QT_TRANSLATE_NOOP("jis", "{label} · printed {time}"))
            self.caption.setText(caption.format(label=chosen.label_id, time=clock(chosen.time, self._zone)))


class FeedCard(QFrame):
    """An OEM feed simulator: counters, pending hooks, and the knobs that change it while it runs."""

    command = Signal(dict)

    def __init__(self, feed: str, view: FeedState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.feed, self.plant_takt_s = feed, view.plant_takt_s
        box, head = card_in(self, f"feed_{feed}", "")
        tr_text(title_of(self, f"feed_{feed}"), QT_TRANSLATE_NOOP("jis", "OEM FEED {feed}"), feed=feed)
        self.status = label("", f"feed_{feed}_status", "device")
        head.insertWidget(1, self.status)
        grid, self.values = field_grid(list(FEED_COUNTERS), 5, f"feed_{feed}")
        box.addLayout(grid)
        self.pending = label("", f"feed_{feed}_pending", "row-detail")
        self.by_hand = label("", f"feed_{feed}_by_hand", "row-detail")
        box.addWidget(self.pending)
        box.addWidget(self.by_hand)
        self.takt = _spin(f"feed_{feed}_takt", 0.1, 86_400, view.knobs.takt_s, decimals=1, suffix=" s")
        self.gap = _spin(f"feed_{feed}_gap", 1, 1000, 1)
        self.burst = _spin(f"feed_{feed}_burst", 1, 1000, 5)
        self.silence = _spin(f"feed_{feed}_silence", 1, 86_400, 300, decimals=0, suffix=" s")
        box.addLayout(self._takt_row())
        gap, drop = QT_TRANSLATE_NOOP("jis", "GAP"), QT_TRANSLATE_NOOP("jis", "DROP NEXT")
        burst, send = QT_TRANSLATE_NOOP("jis", "BURST"), QT_TRANSLATE_NOOP("jis", "SEND BURST")
        silence, pause = QT_TRANSLATE_NOOP("jis", "SILENCE"), QT_TRANSLATE_NOOP("jis", "PAUSE FEED")
        box.addLayout(self._row((gap, self.gap, drop, "drop_next", lambda: _value(self.gap))))
        box.addLayout(self._row((burst, self.burst, send, "burst", lambda: _value(self.burst))))
        box.addLayout(self._row((silence, self.silence, pause, "pause_s", lambda: float(_value(self.silence)))))
        box.addLayout(self._one_shot_row())

    def _send(self, **knobs: Any) -> None:
        self.command.emit({"op": "feed", "feed": self.feed, **knobs})

    def _takt_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        caption = label("", f"feed_{self.feed}_takt_caption", "row-caption")
        tr_text(caption, QT_TRANSLATE_NOOP("jis", "TAKT"))
        row.addWidget(caption)
        row.addWidget(self.takt)
        set_takt = command_button(QT_TRANSLATE_NOOP("jis", "SET TAKT"), f"feed_{self.feed}_set_takt")
        set_takt.clicked.connect(lambda: self._send(takt_s=float(_value(self.takt))))
        row.addWidget(set_takt)
        row.addStretch(1)
        for factor in SPEED_UPS:
            preset = command_button(f"×{factor}", f"feed_{self.feed}_speed_{factor}")
            tip = QT_TRANSLATE_NOOP("jis", "Takt {seconds} s: the plant's takt, {factor}× faster")
            tr_tip(preset, tip, seconds=f"{self.plant_takt_s / factor:g}", factor=factor)
            preset.clicked.connect(lambda _=False, f=factor: self._set_takt(self.plant_takt_s / f))
            row.addWidget(preset)
        return row

    def _set_takt(self, seconds: float) -> None:
        self.takt.setValue(seconds)  # type: ignore[attr-defined]
        self._send(takt_s=seconds)

    def _row(self, spec: tuple[str, QAbstractSpinBox, str, str, Callable[[], Any]]) -> QHBoxLayout:
        caption, spin, verb, knob, value = spec
        row = QHBoxLayout()
        shown = label("", f"{spin.objectName()}_caption", "row-caption")
        tr_text(shown, caption)
        row.addWidget(shown)
        row.addWidget(spin)
        button = command_button(verb, f"{spin.objectName()}_send")
        button.clicked.connect(lambda: self._send(**{knob: value()}))
        row.addWidget(button)
        row.addStretch(1)
        return row

    def _one_shot_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for verb, knob, tip in ONE_SHOTS:
            button = command_button(verb, f"feed_{self.feed}_{knob}")
            tr_tip(button, tip)
            button.clicked.connect(lambda _=False, k=knob: self._send(**{k: 1}))
            row.addWidget(button)
        row.addStretch(1)
        return row

    def show_feed(self, view: FeedState) -> None:
        counts = {**view.counters, "unacked": view.unacked}
        for key, value in self.values.items():
            value.setText(str(counts.get(key, NO_VALUE)))
        k = view.knobs
        silent = k.pause_s > 0
        status = (
            QT_TRANSLATE_NOOP("jis", "SILENCE PENDING {seconds} s")
            if silent
            else QT_TRANSLATE_NOOP("jis", "TAKT {seconds} s")
        )
        self.status.setText(tr(status).format(seconds=f"{k.pause_s if silent else k.takt_s:g}"))
        set_props(self.status, state="down" if silent else "up")
        follow = view.follow_ups
        pending = tr(
            QT_TRANSLATE_NOOP(
                "jis", "Pending: drop {drop} · duplicate {duplicate} · burst {burst} · silence {silence} s"
            )
        )
        self.pending.setText(
            pending.format(drop=k.drop_next, duplicate=k.duplicate_next, burst=k.burst, silence=f"{k.pause_s:g}")
        )
        sent = tr(QT_TRANSLATE_NOOP("jis", "Follow-ups sent: change {change} · cancel {cancel}"))
        self.by_hand.setText(sent.format(change=follow.get("change", 0), cancel=follow.get("cancel", 0)))


# barcode reader fault switch -> its words (hardware_sims.scanner.FAULTS; docs/sim-control.md)
SCANNER_WORDS: dict[str, str] = {
    "down": QT_TRANSLATE_NOOP("jis", "DOWN"),
    "noread": QT_TRANSLATE_NOOP("jis", "NO READ"),
    "garbled": QT_TRANSLATE_NOOP("jis", "GARBLED"),
    "duplicate": QT_TRANSLATE_NOOP("jis", "DUPLICATE"),
    "slow": QT_TRANSLATE_NOOP("jis", "SLOW"),
}


def scanner_source(name: str) -> str:
    """A barcode reader's fault switch as its marked text (an unknown one as its name)."""
    return SCANNER_WORDS.get(name, name.upper())


def scanner_words(name: str) -> str:
    """A barcode reader's fault switch in the screen's language (an unknown one as its name)."""
    return tr(scanner_source(name))


class ScannerCard(QFrame):
    """A simulated barcode reader: who reads it, what it sent last, its fault switches, and READ: a part held
    under it by hand (``{"op": "scan"}``)."""

    command = Signal(dict)

    def __init__(self, scanner: str, view: ScannerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box, head = card_in(self, f"scanner_{scanner}", "")
        title = QT_TRANSLATE_NOOP("jis", "READER {scanner} · {station}")
        tr_text(title_of(self, f"scanner_{scanner}"), title, scanner=scanner, station=view.station)
        self.status = label("", f"scanner_{scanner}_status", "device")
        head.insertWidget(1, self.status)
        self.counts = label("", f"scanner_{scanner}_counts", "row-detail")
        box.addWidget(self.counts)
        switches = QGridLayout()
        switches.setSpacing(4)
        self.switches: dict[str, FaultSwitch] = {}
        for index, fault in enumerate(view.switches):
            switch = FaultSwitch(scanner_source(fault), f"scanner_{scanner}_{fault}")
            switch.flipped.connect(
                lambda on, f=fault: self.command.emit({"op": "fault", "device": scanner, "name": f, "on": on})
            )
            self.switches[fault] = switch
            switches.addWidget(switch, *divmod(index, SWITCHES_PER_ROW))
        box.addLayout(switches)
        row = QHBoxLayout()
        self.code = QLineEdit()
        self.code.setObjectName(f"scanner_{scanner}_code")
        tr_placeholder(self.code, QT_TRANSLATE_NOOP("jis", "a part's code, e.g. PBMP-040+HB0001"))
        self.code.setMaxLength(512)
        self.read = command_button(QT_TRANSLATE_NOOP("jis", "READ"), f"scanner_{scanner}_read")
        row.addWidget(self.code, 1)
        row.addWidget(self.read)
        box.addLayout(row)
        self.read.clicked.connect(lambda: self._read(scanner))
        self.code.returnPressed.connect(lambda: self._read(scanner))

    def _read(self, scanner: str) -> None:
        code = self.code.text().strip()
        if code:
            self.command.emit({"op": "scan", "device": scanner, "code": code})

    def show_scanner(self, view: ScannerState) -> None:
        faults = [scanner_words(name) for name, on in view.switches.items() if on]
        idle = QT_TRANSLATE_NOOP("jis", "READING") if view.clients else QT_TRANSLATE_NOOP("jis", "NO CLIENT")
        self.status.setText(" · ".join(faults) if faults else tr(idle))
        set_props(self.status, state="down" if faults or not view.clients else "up")
        last = view.last if len(view.last) <= 40 else view.last[:39] + "…"
        counts = tr(QT_TRANSLATE_NOOP("jis", ":{port} · clients {clients} · sent {sent} · last {last}"))
        self.counts.setText(counts.format(port=view.port, clients=view.clients, sent=view.sent, last=last or NO_VALUE))
        for fault, switch in self.switches.items():
            switch.set_on(view.switches.get(fault, False))
