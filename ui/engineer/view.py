"""The engineer's view of the simulated plant: every light as lit, every printer and feed, every fault switch.

What it is for: one desktop window over the simulators' control channel (``ui.engineer.link``,
docs/sim-control.md): stations with their lights (press buttons, a cut-off switch per light, the light
controller's switches as its kind, Modbus or OPC UA, has them, and the simulated operator's switches),
printers with status words, switches and a rendered preview of the labels they printed, OEM feeds with
counters and knobs; a header with the simulated time in the plant's zone and the state of the control link,
and a status line with the answer to the last command. Changes apply while the line runs.
Every word it writes is marked for Qt's translation and shown in the language set before it is built
(``jis hmi --role engineer --lang de``; docs/languages.md), and again in a new one at a switch (Qt's
``LanguageChange``): the fixed words keep their sources (``ui.i18n.tr_text`` and its kin, read again by
``ui.i18n.retranslate``), the state is shown again, and the status line and the actions log are told again from the
commands they tell of; what the simulators say (a refusal's reason) and the plant's names are shown as sent.
What it must not do: talk to anything but its ``SimControlClient`` (never the service, never a simulator
directly), block the GUI thread, hold colours or font sizes (``ui/style.qss``, engineer section), or show a
stale picture as live (link lost: dashed outlines, greyed values, COMM tags, and the commands disabled).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QFrame,
    QHBoxLayout,
    QListWidget,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.dealer import STALE_AFTER_S
from ui.engineer.cards import SCANNER_WORDS, SWITCH_WORDS, FeedCard, PrinterCard, ScannerCard
from ui.engineer.link import Answer, SimControlClient, SimState
from ui.engineer.widgets import (
    CUT_OFF,
    GATEWAY_SWITCHES,
    OPERATOR_MODES,
    OPERATOR_SWITCHES,
    StationCard,
    make_card,
)
from ui.i18n import retranslate, tr, tr_text
from ui.style import load_stylesheet
from ui.widgets import apply_comm, clear_layout, clock, comm_tag, label, plant_zone, set_props, stacked, zone_label
from ui.words import QT_TRANSLATE_NOOP

BLINK_MS = 500  # a flashing PTL light blinks at 1 Hz on the rack (Banner FLASH animation), mirrored here
DEFAULT_SIZE = (1600, 1000)
MAX_ACTIONS_SHOWN = 200
MAX_FITTED_HEIGHT = 600
# a fault switch's name in a request (docs/sim-control.md) -> its words, as on the switch
FAULT_WORDS: dict[str, str] = {
    **SWITCH_WORDS,
    **SCANNER_WORDS,
    **{name: words for name, (words, _) in GATEWAY_SWITCHES.items()},
    **OPERATOR_SWITCHES,
    "exception": CUT_OFF[0],
}
FAULT_POSITION: dict[bool, str] = {
    True: QT_TRANSLATE_NOOP("jis", "{switch} on at {device}"),
    False: QT_TRANSLATE_NOOP("jis", "{switch} off at {device}"),
}
# a feed knob in a request -> how it is told (a template with its value)
KNOB_WORDS: dict[str, str] = {
    "takt_s": QT_TRANSLATE_NOOP("jis", "takt {value} s"),
    "drop_next": QT_TRANSLATE_NOOP("jis", "drop next {value}"),
    "duplicate_next": QT_TRANSLATE_NOOP("jis", "duplicate next {value}"),
    "burst": QT_TRANSLATE_NOOP("jis", "burst {value}"),
    "pause_s": QT_TRANSLATE_NOOP("jis", "pause {value} s"),
    "change": QT_TRANSLATE_NOOP("jis", "change last {value}"),
    "cancel": QT_TRANSLATE_NOOP("jis", "cancel last {value}"),
}
# how an answered command ends on the status line
DONE = QT_TRANSLATE_NOOP("jis", "{what}: done")
REFUSED = QT_TRANSLATE_NOOP("jis", "{what}: REFUSED · {error}")
NOT_SENT = QT_TRANSLATE_NOOP("jis", "{what}: NOT SENT · no link to the simulators")
NOTHING_SENT = QT_TRANSLATE_NOOP("jis", "No command sent yet")


@dataclass(frozen=True, slots=True)
class Told:
    """One command told on the status line and in the actions log: said again in a new language."""

    when: str  # the plant's simulated time it was told at
    how: str  # DONE, REFUSED or NOT_SENT
    request: dict[str, Any]
    error: str = ""  # the simulators' reason, as sent

    @property
    def ok(self) -> bool:
        return self.how == DONE

    def text(self) -> str:
        what = DESCRIBE.get(str(self.request.get("op")), lambda r: str(r))(self.request)
        return tr(self.how).format(what=what, error=self.error)


def _fault(r: dict[str, Any]) -> str:
    name = str(r.get("name"))
    switch = tr(FAULT_WORDS[name]) if name in FAULT_WORDS else name
    text = tr(FAULT_POSITION[bool(r.get("on"))]).format(switch=switch, device=r.get("device"))
    return text + (tr(QT_TRANSLATE_NOOP("jis", " light {light}")).format(light=r["light"]) if r.get("light") else "")


def _knob(name: str, value: Any) -> str:
    shown = f"{value:g}" if isinstance(value, float) else value
    return tr(KNOB_WORDS[name]).format(value=shown) if name in KNOB_WORDS else f"{name} {value}"


# op -> how an answered command is told on the status line, in the screen's language
DESCRIBE: dict[str, Any] = {
    "press": lambda r: tr(QT_TRANSLATE_NOOP("jis", "press {device} light {light}")).format(
        device=r.get("device"), light=r.get("light")
    ),
    "fault": _fault,
    "feed": lambda r: tr(QT_TRANSLATE_NOOP("jis", "feed {feed}: {knobs}")).format(
        feed=r.get("feed"), knobs=", ".join(_knob(k, v) for k, v in r.items() if k not in ("op", "feed"))
    ),
    "operator": lambda r: tr(QT_TRANSLATE_NOOP("jis", "operator at {station}: {mode}")).format(
        station=r.get("station"), mode=tr(OPERATOR_MODES[bool(r.get("auto"))])
    ),
    "scan": lambda r: tr(QT_TRANSLATE_NOOP("jis", "read {code} at {device}")).format(
        code=r.get("code"), device=r.get("device")
    ),
}
LINK_WORDS: dict[str, str] = {  # the control link, as the header tells it
    "waiting": QT_TRANSLATE_NOOP("jis", "SIM LINK · WAITING"),
    "live": QT_TRANSLATE_NOOP("jis", "SIM LINK · LIVE"),
    "lost": QT_TRANSLATE_NOOP("jis", "SIM LINK · LOST · last picture"),
}


def _column(name: str) -> tuple[QScrollArea, QVBoxLayout]:
    inner = QWidget()
    inner.setObjectName(f"{name}_inner")
    box = QVBoxLayout(inner)
    box.setContentsMargins(0, 0, 4, 0)
    box.setSpacing(10)
    scroll = QScrollArea()
    scroll.setObjectName(name)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # cards fit the width; rows scroll
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(inner)
    return scroll, box


class EngineerView(QWidget):
    """Feed it ``apply_state``, ``set_link`` and ``show_answer``; it emits requests on ``command``."""

    def __init__(self, client: SimControlClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("engineer_view")
        self.client = client
        self.state: SimState | None = None
        self._zone = ZoneInfo("UTC")
        self._link_up = False
        self._phase = True
        self.stations: dict[str, StationCard] = {}
        self.printers: dict[str, PrinterCard] = {}
        self.feeds: dict[str, FeedCard] = {}
        self.scanners: dict[str, ScannerCard] = {}
        root = QVBoxLayout(self)
        root.addWidget(self._build_header())
        body = QHBoxLayout()
        body.setSpacing(12)
        left, self._station_box = _column("stations_column")
        middle, self._printer_box = _column("printers_column")
        feeds, self._feed_box = _column("feeds_column")
        right = QVBoxLayout()
        right.addWidget(feeds)  # as tall as its cards; the actions log takes the rest
        right.addWidget(self._build_actions(), 1)
        body.addWidget(left, 5)
        body.addWidget(middle, 4)
        body.addLayout(right, 4)
        root.addLayout(body, 1)
        self.told: list[Told] = []  # newest first, at most MAX_ACTIONS_SHOWN
        self.status_line = label(tr(NOTHING_SENT), "status_line", "status-line")
        root.addWidget(self.status_line)
        self._blink = QTimer(self)
        self._blink.setInterval(BLINK_MS)
        self._blink.timeout.connect(self._toggle_phase)
        self._blink.start()
        self.set_link(False)

    def _build_header(self) -> QFrame:
        header = QFrame()
        header.setObjectName("header")
        row = QHBoxLayout(header)
        self.title = label("", "view_title", "station-name")
        tr_text(self.title, QT_TRANSLATE_NOOP("jis", "SIMULATED PLANT"))
        self.plant_label = label("", "plant_name", "plant-name")
        row.addLayout(stacked(self.plant_label, self.title))
        row.addStretch(1)
        self.sim_clock = label("", "sim_clock", "value-l")
        self.sim_zone = label("", "sim_zone", "updated-at")
        row.addLayout(stacked(self.sim_clock, self.sim_zone))
        row.addSpacing(24)
        self.comm_tag = comm_tag("comm_tag", "comm-tag-large")
        row.addWidget(self.comm_tag)
        self.link_label = label("", "link_state", "link-state")
        self.endpoint_label = label(self.client.endpoint, "link_endpoint", "updated-at")
        row.addLayout(stacked(self.link_label, self.endpoint_label))
        return header

    def _build_actions(self) -> QFrame:
        """What the engineer did, newest first, at the plant's simulated time: faults are easy to forget."""
        frame, box, _ = make_card("actions", QT_TRANSLATE_NOOP("jis", "ENGINEER ACTIONS"))
        self.actions_log = QListWidget()  # not .actions: that would hide QWidget.actions()
        self.actions_log.setObjectName("actions_log")
        self.actions_log.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        box.addWidget(self.actions_log, 1)
        return frame

    def _tell(self, how: str, request: dict[str, Any], error: str = "") -> None:
        """A command's end on the status line and, newest first, in the actions log."""
        when = clock(self.state.at, self._zone) if self.state is not None else "--:--:--"
        told = Told(when, how, request, error)
        self.told.insert(0, told)
        del self.told[MAX_ACTIONS_SHOWN:]
        self.status_line.setText(told.text())
        set_props(self.status_line, state="ok" if told.ok else "refused")
        self.actions_log.insertItem(0, f"{when}  {told.text()}")
        while self.actions_log.count() > MAX_ACTIONS_SHOWN:
            self.actions_log.takeItem(self.actions_log.count() - 1)

    def changeEvent(self, event: QEvent) -> None:
        """A new language: the fixed words again, the state shown again, the commands told again."""
        super().changeEvent(event)
        if event.type() != QEvent.Type.LanguageChange:
            return
        retranslate(self)
        if self.state is not None:
            self.apply_state(self.state)
        self._render_link()
        self.status_line.setText(self.told[0].text() if self.told else tr(NOTHING_SENT))
        for row, told in enumerate(self.told):
            entry = self.actions_log.item(row)
            if entry is not None:
                entry.setText(f"{told.when}  {told.text()}")

    # --- slots ---
    @Slot(object)
    def apply_state(self, state: SimState) -> None:
        self.state = state
        self._zone = plant_zone(state.timezone)
        self.plant_label.setText(state.plant)
        self.sim_clock.setText(clock(state.at, self._zone))
        simulated = tr(QT_TRANSLATE_NOOP("jis", "{zone} · simulated ×{speed}"))
        self.sim_zone.setText(simulated.format(zone=zone_label(state.at, self._zone), speed=f"{state.speed:g}"))
        if self._rebuild_if_needed(state):
            self._apply_comm()
        for sid, card in self.stations.items():
            view = state.stations[sid]
            card.show_station(view, state.gateways[view.gateway], state.at, state.speed, self._phase)
        for pid, pcard in self.printers.items():
            pcard.show_printer(state.printers[pid], self._zone)
        for fid, fcard in self.feeds.items():
            fcard.show_feed(state.feeds[fid])
        for rid, rcard in self.scanners.items():
            rcard.show_scanner(state.scanners[rid])
        self._render_link()

    @Slot(bool)
    def set_link(self, up: bool) -> None:
        """Live or stale: stale keeps the last picture, dashed and greyed with COMM tags, and disables commands."""
        self._link_up = up
        self._apply_comm()
        self._render_link()

    @Slot(object, object)
    def show_answer(self, request: dict[str, Any], answer: Answer) -> None:
        self._tell(DONE if answer.ok else REFUSED, request, "" if answer.ok else str(answer.error))

    def send(self, request: dict[str, Any]) -> None:
        """Send a command from a card; show at once if it could not leave (no link), then refresh the state."""
        if self.client.send(request) is None:
            self._tell(NOT_SENT, request)
            return
        self.client.refresh()

    # --- building: once per set of devices ---
    def _rebuild_if_needed(self, state: SimState) -> bool:
        wanted = (tuple(state.stations), tuple(state.printers), tuple(state.feeds), tuple(state.scanners))
        if wanted == (tuple(self.stations), tuple(self.printers), tuple(self.feeds), tuple(self.scanners)):
            return False
        for box in (self._station_box, self._printer_box, self._feed_box):
            clear_layout(box)
        self.stations = {sid: StationCard(sid, v, state.gateways[v.gateway]) for sid, v in state.stations.items()}
        self.printers = {pid: PrinterCard(pid, v) for pid, v in state.printers.items()}
        self.feeds = {fid: FeedCard(fid, v) for fid, v in state.feeds.items()}
        self.scanners = {rid: ScannerCard(rid, v) for rid, v in state.scanners.items()}
        placed: tuple[tuple[QVBoxLayout, list[StationCard | PrinterCard | ScannerCard | FeedCard]], ...] = (
            (self._station_box, [*self.stations.values()]),
            (self._printer_box, [*self.printers.values(), *self.scanners.values()]),  # readers under the printers
            (self._feed_box, [*self.feeds.values()]),
        )
        for box, cards in placed:
            for card in cards:
                card.command.connect(self.send)
                box.addWidget(card)
                card.show()  # now, not on the next event loop pass: the columns are fitted to their cards below
            box.addStretch(1)
        for column in (self._station_box, self._printer_box, self._feed_box):
            _fit(column, tall=column is self._feed_box)
        return True

    # --- rendering ---
    def _toggle_phase(self) -> None:
        self._phase = not self._phase
        for card in self.stations.values():
            for tile in card.tiles.values():
                tile.lamp.set_phase(self._phase)

    def _apply_comm(self) -> None:
        for widget in self.findChildren(QWidget):
            if isinstance(widget, (QPushButton, QAbstractSpinBox)):
                widget.setEnabled(self._link_up)  # a command cannot reach the simulators anyway
        apply_comm(self, self._link_up)

    def _render_link(self) -> None:
        lost = "waiting" if self.state is None else "lost"
        self.link_label.setText(tr(LINK_WORDS["live" if self._link_up else lost]))


def _fit(box: QVBoxLayout, tall: bool) -> None:
    """A column is never narrower than its cards (the rows scroll, not the columns); ``tall``: nor shorter,
    up to ``MAX_FITTED_HEIGHT`` (the feeds column shares its height with the actions log)."""
    inner = box.parentWidget()
    viewport = inner.parentWidget() if inner is not None else None
    scroll = viewport.parentWidget() if viewport is not None else None
    if inner is not None and isinstance(scroll, QScrollArea):
        scroll.setMinimumWidth(inner.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width())
        if tall:
            scroll.setMinimumHeight(min(inner.sizeHint().height(), MAX_FITTED_HEIGHT))


class EngineerWindow(QMainWindow):
    """The engineer's view in a window; closing it stops the client. Ctrl+Q closes, F5 asks for the state."""

    def __init__(self, view: EngineerView) -> None:
        super().__init__()
        self.setObjectName("engineer_window")
        self.view = view
        self.setCentralWidget(view)
        self._say_title()
        self.resize(*DEFAULT_SIZE)
        QShortcut(QKeySequence.StandardKey.Quit, self).activated.connect(self.close)
        QShortcut(QKeySequence.StandardKey.Refresh, self).activated.connect(view.client.refresh)

    @Slot(object)
    def show_title(self, state: SimState) -> None:
        title = tr(QT_TRANSLATE_NOOP("jis", "JIS engineer — {plant} — simulators at {endpoint}"))
        self.setWindowTitle(title.format(plant=state.plant, endpoint=self.view.client.endpoint))

    def _say_title(self) -> None:
        if self.view.state is not None:
            self.show_title(self.view.state)
        else:
            title = tr(QT_TRANSLATE_NOOP("jis", "JIS engineer — simulators at {endpoint}"))
            self.setWindowTitle(title.format(endpoint=self.view.client.endpoint))

    def changeEvent(self, event: QEvent) -> None:
        """A new language: its title again (the view says its own words again)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self._say_title()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.view.client.stop()
        super().closeEvent(event)


def build_engineer_window(
    sim: str, station: str | None = None, stale_after_s: float = STALE_AFTER_S
) -> tuple[EngineerWindow, SimControlClient]:
    """The styled engineer window and its started client, for the simulators' control endpoint ``sim``.

    ``station`` is accepted for the HMI's common factory signature (``ui.main.ROLE_WINDOWS``); every station shows.
    """
    client = SimControlClient(sim, stale_after_s=stale_after_s)
    view = EngineerView(client)
    window = EngineerWindow(view)
    client.setParent(window)
    client.state_changed.connect(view.apply_state)
    client.state_changed.connect(window.show_title)
    client.link_changed.connect(view.set_link)
    client.answered.connect(view.show_answer)
    window.setStyleSheet(load_stylesheet())
    client.start()
    return window, client
