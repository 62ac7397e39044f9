"""The cockpit's header: plant, shift, plant-zone clock, alarm summary, link state and who is logged in.

What it is for: the strip a lead reads first (how many alarms of each priority, how many unacknowledged, is the
data live, who am I logged in as, with LOG IN / LOG OUT; the dialog is ``ui.login.LoginDialog``).
What it must not do: send anything itself (the window wires its buttons), decide a role (the service gives it),
or hold a colour. A message it shows keeps its source and values, so a switch of language says it again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QWidget

from sequencer.views import LineView
from ui.cockpit.shift import shift_of
from ui.command_client import CommandClient
from ui.i18n import tr, tr_text
from ui.login import who
from ui.widgets import AlarmIndicator, clock, comm_tag, label, plant_zone, set_props, stacked, zone_label
from ui.words import QT_TRANSLATE_NOOP, UNACKNOWLEDGED, annunciated, link_words

WAITING = QT_TRANSLATE_NOOP("jis", "Waiting for the line…")


class CockpitHeader(QFrame):
    """One row: names and shift | alarm summary | clock | link | session."""

    def __init__(self, client: CommandClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cockpit_header")
        self.client = client
        self._message: tuple[str, dict[str, object]] = ("", {})  # the message's source and values
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 10, 4)
        self.plant = label(tr(WAITING), "header_plant", "header-title")
        self.shift = label("", "header_shift", "header-note")
        row.addLayout(stacked(self.plant, self.shift, spacing=0))
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
        self.clock = label("", "header_clock", "header-clock")
        self.zone = label("", "header_zone", "header-note")
        row.addLayout(stacked(self.clock, self.zone, spacing=0, right=True))
        row.addSpacing(16)
        self.comm = comm_tag("header_comm")
        self.link = label(link_words(None, False, tr), "header_link", "header-link")
        row.addWidget(self.comm)
        row.addWidget(self.link)
        row.addSpacing(16)
        self.who = label("", "header_who", "header-who")
        self.message = label("", "header_message", "header-note")
        row.addLayout(stacked(self.who, self.message, spacing=2))
        self.login_button = QPushButton()
        tr_text(self.login_button, QT_TRANSLATE_NOOP("jis", "LOG IN"))
        self.login_button.setObjectName("login_button")
        self.logout_button = QPushButton()
        tr_text(self.logout_button, QT_TRANSLATE_NOOP("jis", "LOG OUT"))
        self.logout_button.setObjectName("logout_button")
        for button in (self.login_button, self.logout_button):
            button.setProperty("role", "verb")
            row.addWidget(button)
        self.show_session()

    def show_line(self, line: LineView, up: bool) -> None:
        zone = plant_zone(line.timezone)
        self.plant.setText(line.plant)
        self.shift.setText(shift_of(line, zone).label(zone, tr))
        self.clock.setText(clock(line.at, zone))
        self.zone.setText(zone_label(line.at, zone))
        told = annunciated(line.deviations)  # ISA-18.2: a parked alarm is listed, never counted here
        for priority, count in self.counts.items():
            n = sum(1 for d in told if d.priority == priority)
            count.setText(str(n))  # type: ignore[attr-defined]
            set_props(count, state="alarm" if n else "normal")
        unack = sum(1 for d in line.deviations if d.state in UNACKNOWLEDGED)
        self.unack.setText(
            tr(QT_TRANSLATE_NOOP("jis", "{n} UNACK")).format(n=unack)
            if unack
            else tr(QT_TRANSLATE_NOOP("jis", "all acknowledged"))
        )
        set_props(self.unack, state="alarm" if unack else "normal")
        self.show_link(line, up)

    def show_link(self, line: LineView | None, up: bool) -> None:
        self.link.setText(link_words(line, up, tr))
        self.comm.setVisible(not up)

    def show_session(self) -> None:
        logged_in = self.client.logged_in_now
        self.who.setText(who(self.client))
        set_props(self.who, state="in" if logged_in else "out")
        self.login_button.setVisible(not logged_in)
        self.logout_button.setVisible(logged_in)

    def show_waiting(self) -> None:
        self.plant.setText(tr(WAITING))

    def show_message(self, source: str, **values: object) -> None:
        """``source`` (a marked text, a template of ``values``) in the current language, and again at a switch."""
        self._message = (source, values)
        self.message.setText(tr(source).format(**values) if source else "")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.show_message(self._message[0], **self._message[1])
