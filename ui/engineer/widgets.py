"""Building blocks of the engineer's view: lamps, fault switches, light tiles and a station's card.

What they are for: showing one simulated device each, as the control channel last reported it, and turning a
click into a request dict on their ``command`` signal (the view sends it). Styled by ``ui/style.qss`` through
dynamic properties only (``on``, ``lit``, ``offline``, ``colour``, ``state``, ``comm``), the PyDM pattern.
Their words are marked for Qt's translation and shown in the view's language: the fixed ones keep their sources
(``ui.i18n.tr_text`` and its kin, read again by the view's ``retranslate`` at a switch of language), and what they
compose from a state is composed again when the view shows its state again (docs/languages.md).
What they must not do: hold a colour or font size, send anything themselves, or show a switch in a position
the simulators did not report (a click asks; the next state shows the answer).
"""

from __future__ import annotations

from PySide6.QtCore import Property, QEvent, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.engineer.link import GatewayState, LightState, StationState
from ui.i18n import tr, tr_text, tr_tip
from ui.widgets import label, set_props, titled_frame
from ui.words import NO_VALUE, QT_TRANSLATE_NOOP, UP_WORDS

# Every word here is marked for Qt's translation (docs/languages.md) and translated where it is shown (``tr``).
ON_WORDS: dict[bool, str] = {True: QT_TRANSLATE_NOOP("jis", "ON"), False: QT_TRANSLATE_NOOP("jis", "OFF")}
SWITCH_TIP: dict[bool, str] = {  # a fault switch's tip in its position: what a click does
    True: QT_TRANSLATE_NOOP("jis", "{switch}: ON (click to switch off)"),
    False: QT_TRANSLATE_NOOP("jis", "{switch}: OFF (click to switch on)"),
}
KIND_WORDS: dict[str, str] = {  # a device's protocol (a light controller's, a printer's)
    "modbus": QT_TRANSLATE_NOOP("jis", "MODBUS"),
    "opcua": QT_TRANSLATE_NOOP("jis", "OPC UA"),
    "zpl": QT_TRANSLATE_NOOP("jis", "ZPL"),
}
COLOUR_WORDS: dict[str, str] = {  # a light's colour (plc_io.ports.Colour)
    "off": QT_TRANSLATE_NOOP("jis", "OFF"),
    "green": QT_TRANSLATE_NOOP("jis", "GREEN"),
    "red": QT_TRANSLATE_NOOP("jis", "RED"),
    "yellow": QT_TRANSLATE_NOOP("jis", "YELLOW"),
    "blue": QT_TRANSLATE_NOOP("jis", "BLUE"),
    "white": QT_TRANSLATE_NOOP("jis", "WHITE"),
}
# a light controller's own fault switch -> (words, tip); which ones it has comes with its state (by kind)
GATEWAY_SWITCHES: dict[str, tuple[str, str]] = {
    "down": (
        QT_TRANSLATE_NOOP("jis", "DOWN"),
        QT_TRANSLATE_NOOP("jis", "Controller off the network: connections dropped and refused"),
    ),
    "slow": (
        QT_TRANSLATE_NOOP("jis", "SLOW"),
        QT_TRANSLATE_NOOP("jis", "Every Modbus answer delayed (an overloaded gateway or a long RS-485 chain)"),
    ),
    "out_of_service": (
        QT_TRANSLATE_NOOP("jis", "OUT OF SERVICE"),
        QT_TRANSLATE_NOOP("jis", "Out of service: lights cannot be lit or cleared, presses still count"),
    ),
}
# a light cut off its controller, by the controller's kind -> (words on the light's switch, tip)
LIGHT_CUT: dict[str, tuple[str, str]] = {
    "modbus": (
        "0x0B",
        QT_TRANSLATE_NOOP("jis", "Cut the light off its chain: the gateway answers Modbus exception 0x0B"),
    ),
    "opcua": (
        QT_TRANSLATE_NOOP("jis", "OFF BUS"),
        QT_TRANSLATE_NOOP(
            "jis", "Cut the light off the controller's bus: Online false, its methods BadCommunicationError"
        ),
    ),
}
CUT_OFF = (QT_TRANSLATE_NOOP("jis", "CUT OFF"), QT_TRANSLATE_NOOP("jis", "Cut the light off its controller"))
# the simulated operator's fault switches -> words (docs/sim-control.md)
OPERATOR_SWITCHES: dict[str, str] = {
    "wrong_button": QT_TRANSLATE_NOOP("jis", "WRONG BUTTON"),
    "no_press": QT_TRANSLATE_NOOP("jis", "NO PRESS"),
}
OPERATOR_MODES: dict[bool, str] = {True: QT_TRANSLATE_NOOP("jis", "AUTO"), False: QT_TRANSLATE_NOOP("jis", "MANUAL")}


def gateway_source(name: str) -> str:
    """A light controller's fault switch as its marked text (an unknown one as its name)."""
    return GATEWAY_SWITCHES.get(name, (name.replace("_", " ").upper(), ""))[0]


def gateway_words(name: str) -> str:
    """A light controller's fault switch in the screen's language (an unknown one as its name)."""
    return tr(gateway_source(name))


def kind_words(kind: str) -> str:
    """A device's protocol as the screen names it (an unknown one as sent)."""
    return tr(KIND_WORDS[kind]) if kind in KIND_WORDS else kind.upper()


def make_card(name: str, title: str) -> tuple[QFrame, QVBoxLayout, QHBoxLayout]:
    """A titled card (``ui.widgets.titled_frame``: its title row ends with a COMM tag), rows 6 px apart."""
    frame, box, head = titled_frame(name, title)
    box.setSpacing(6)
    return frame, box, head


def card_in(owner: QWidget, name: str, title: str) -> tuple[QVBoxLayout, QHBoxLayout]:
    """A titled card filling ``owner`` edge to edge; its body and title row."""
    frame, box, head = make_card(name, title)
    outer = QVBoxLayout(owner)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(frame)
    return box, head


def command_button(text: str, name: str) -> QPushButton:
    """A command: a verb on a button (ISA-101), never a state; ``text`` is a marked text, shown translated."""
    button = QPushButton()
    tr_text(button, text)
    button.setObjectName(name)
    button.setProperty("role", "command")
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return button


class FaultSwitch(QPushButton):
    """A fault switch: words say what it switches; ``on`` (inverse fill) says it is active. A click asks to flip."""

    flipped = Signal(bool)  # the position asked for

    def __init__(self, text: str, name: str, parent: QWidget | None = None) -> None:
        """``text``: its words, a marked text (shown translated)."""
        super().__init__(parent)
        tr_text(self, text)
        self.setObjectName(name)
        self._words = text
        self.clicked.connect(lambda: self.flipped.emit(not self.is_on))
        self.set_on(False)

    @property
    def is_on(self) -> bool:
        return bool(self.property("on"))

    def set_on(self, on: bool) -> None:
        self.setToolTip(tr(SWITCH_TIP[on]).format(switch=tr(self._words)))
        self.setAccessibleDescription(tr(ON_WORDS[on]))
        set_props(self, on=on)

    def changeEvent(self, event: QEvent) -> None:
        """A new language: its tip and description said again (its words keep their source)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.set_on(self.is_on)


class Lamp(QWidget):
    """A PTL light's lamp: a circle (never an alarm shape) filled with the light's colour; dark when off.

    A flashing light blinks with the view's blink phase, so it looks as the light does on the rack.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fill, self._outline = QColor(), QColor()
        self._flash, self._phase = False, True
        set_props(self, colour="off")

    def show_light(self, colour: str, flash: bool) -> None:
        self._flash = flash
        set_props(self, colour=colour)
        self.update()

    def set_phase(self, phase: bool) -> None:
        if self._flash and phase != self._phase:
            self._phase = phase
            self.update()
        self._phase = phase

    def sizeHint(self) -> QSize:
        return QSize(30, 30)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height()) - 4
        centre = QPointF(self.width() / 2, self.height() / 2)
        painter.setPen(QPen(self._outline, 2))
        lit = self.property("colour") != "off" and (self._phase or not self._flash)
        painter.setBrush(self._fill if lit else Qt.BrushStyle.NoBrush)
        painter.drawEllipse(centre, side / 2, side / 2)
        painter.end()

    def _set_fill(self, colour: QColor) -> None:
        self._fill = QColor(colour)

    def _set_outline(self, colour: QColor) -> None:
        self._outline = QColor(colour)

    fillColor = Property(QColor, lambda self: self._fill, _set_fill)
    outlineColor = Property(QColor, lambda self: self._outline, _set_outline)


class LightTile(QFrame):
    """One light on a controller as lit: lamp, colour word, display, token, latch; PRESS and its cut-off switch
    (0x0B on a Modbus gateway, OFF BUS on an OPC UA controller: the request is the same ``exception``)."""

    command = Signal(dict)

    def __init__(self, gateway: str, light: int, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        name = f"light_{gateway}_{light}"
        self.setObjectName(name)
        self.gateway, self.light = gateway, light
        self.number = label(f"L{light}", f"{name}_no", "tile-caption")
        self.bin_id = label("", f"{name}_bin", "tile-bin")
        self.lamp = Lamp()
        self.lamp.setObjectName(f"{name}_lamp")
        self.colour_word = label(tr(COLOUR_WORDS["off"]), f"{name}_colour", "tile-value")
        self.token = label("", f"{name}_token", "tile-detail")
        self.latch = label("", f"{name}_latch", "tile-detail")
        self.press = command_button(QT_TRANSLATE_NOOP("jis", "PRESS"), f"{name}_press")
        tip = QT_TRANSLATE_NOOP("jis", "Press light {light}'s confirm button, like an operator's finger")
        tr_tip(self.press, tip, light=light)
        words, tip = LIGHT_CUT.get(kind, CUT_OFF)
        self.exception = FaultSwitch(words, f"{name}_exception")
        tr_tip(self.exception, tip)
        self.press.clicked.connect(lambda: self.command.emit({"op": "press", "device": gateway, "light": light}))
        self.exception.flipped.connect(
            lambda on: self.command.emit(
                {"op": "fault", "device": gateway, "name": "exception", "light": light, "on": on}
            )
        )
        self._lay_out()
        set_props(self, lit=False, offline=False)

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.number)
        top.addStretch(1)
        top.addWidget(self.lamp)
        buttons = QHBoxLayout()
        buttons.addWidget(self.press, 1)
        buttons.addWidget(self.exception)
        box = QVBoxLayout(self)
        box.setSpacing(2)
        box.addLayout(top)
        for widget in (self.bin_id, self.colour_word, self.token, self.latch):
            box.addWidget(widget)
        box.addLayout(buttons)

    def show_light(self, view: LightState, phase: bool) -> None:
        lit = view.colour != "off"
        self.bin_id.setText(view.bin or NO_VALUE)
        colour = tr(COLOUR_WORDS[view.colour]) if view.colour in COLOUR_WORDS else view.colour.upper()
        flash = tr(QT_TRANSLATE_NOOP("jis", "FLASH")) if view.flash and lit else ""
        words = [colour, flash, f"· {view.display}" if lit else ""]
        self.colour_word.setText(" ".join(w for w in words if w))
        token = tr(QT_TRANSLATE_NOOP("jis", "token {token}")).format(token=view.token)
        self.token.setText(token if lit else tr(QT_TRANSLATE_NOOP("jis", "dark")))
        latch = (
            QT_TRANSLATE_NOOP("jis", "LATCHED · count {count}")
            if view.latched
            else QT_TRANSLATE_NOOP("jis", "latch clear · count {count}")
        )
        self.latch.setText(tr(latch).format(count=view.counter))
        self.lamp.show_light(view.colour, view.flash)
        self.lamp.set_phase(phase)
        self.exception.set_on(view.offline)
        set_props(self, lit=lit, offline=view.offline)


class StationCard(QFrame):
    """A station: its light controller's state and switches, its simulated operator, and a tile per light."""

    command = Signal(dict)

    def __init__(self, station: str, view: StationState, gateway: GatewayState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box, _ = card_in(self, f"station_{station}", f"{station} · {view.name}" if view.name else station)
        box.addLayout(self._gateway_row(view.gateway, gateway))
        box.addLayout(self._operator_row(station))
        box.addWidget(self.operator_stats)
        self.tiles: dict[int, LightTile] = {}
        grid = QGridLayout()
        grid.setSpacing(6)
        mine = [x for x in gateway.lights if x.station in ("", station)]
        for index, light in enumerate(mine):
            tile = LightTile(view.gateway, light.light, gateway.kind)
            tile.command.connect(self.command)
            self.tiles[light.light] = tile
            grid.addWidget(tile, 0, index)
        box.addLayout(grid)

    def _gateway_row(self, name: str, gateway: GatewayState) -> QHBoxLayout:
        row = QHBoxLayout()
        caption = QT_TRANSLATE_NOOP("jis", "PTL {gateway} · {kind}  :{port}")
        self.gateway_label = label("", f"gateway_{name}_name", "row-caption")  # the protocol's name: alike in each
        tr_text(self.gateway_label, caption, gateway=name, kind=kind_words(gateway.kind), port=gateway.port)
        self.gateway_state = label("", f"gateway_{name}_state", "device")
        row.addWidget(self.gateway_label)
        row.addWidget(self.gateway_state)
        row.addStretch(1)
        self.gateway_switches: dict[str, FaultSwitch] = {}
        for fault in gateway.switches:
            switch = FaultSwitch(gateway_source(fault), f"gateway_{name}_{fault}")
            if tip := GATEWAY_SWITCHES.get(fault, ("", ""))[1]:
                tr_tip(switch, tip)
            switch.flipped.connect(
                lambda on, f=fault: self.command.emit({"op": "fault", "device": name, "name": f, "on": on})
            )
            self.gateway_switches[fault] = switch
            row.addWidget(switch)
        return row

    def _operator_row(self, station: str) -> QHBoxLayout:
        row = QHBoxLayout()
        self.operator_state = label("", f"operator_{station}_state", "device")
        self.operator_stats = label("", f"operator_{station}_stats", "row-detail")
        self.manual = FaultSwitch(QT_TRANSLATE_NOOP("jis", "MANUAL"), f"operator_{station}_manual")
        tr_tip(self.manual, QT_TRANSLATE_NOOP("jis", "Switch the simulated operator off: press the lights by hand"))
        self.manual.flipped.connect(
            lambda on: self.command.emit({"op": "operator", "station": station, "auto": not on})
        )
        self.wrong = FaultSwitch(OPERATOR_SWITCHES["wrong_button"], f"operator_{station}_wrong_button")
        self.no_press = FaultSwitch(OPERATOR_SWITCHES["no_press"], f"operator_{station}_no_press")
        for switch, fault in ((self.wrong, "wrong_button"), (self.no_press, "no_press")):
            switch.flipped.connect(
                lambda on, f=fault: self.command.emit({"op": "fault", "device": station, "name": f, "on": on})
            )
        caption = label("", f"operator_{station}_caption", "row-caption")
        tr_text(caption, QT_TRANSLATE_NOOP("jis", "OPERATOR"))
        row.addWidget(caption)
        row.addWidget(self.operator_state)
        row.addStretch(1)
        for switch in (self.manual, self.wrong, self.no_press):
            row.addWidget(switch)
        return row

    def show_station(self, view: StationState, gateway: GatewayState, at: float, speed: float, phase: bool) -> None:
        on = [name for name, switched in gateway.switches.items() if switched]
        slow = tr(QT_TRANSLATE_NOOP("jis", "SLOW {seconds} s")).format(seconds=f"{gateway.slow_s:g}")
        words = [slow if name == "slow" else gateway_words(name) for name in on]
        self.gateway_state.setText(" · ".join(words) if words else tr(UP_WORDS[True]))
        set_props(self.gateway_state, state="down" if on else "up")
        for fault, switch in self.gateway_switches.items():
            switch.set_on(gateway.switches.get(fault, False))
        self.operator_state.setText(tr(OPERATOR_MODES[view.auto]))
        set_props(self.operator_state, state="up" if view.auto else "down")
        self.operator_stats.setText(_operator_stats(view, at, speed))
        self.manual.set_on(not view.auto)
        self.wrong.set_on(view.wrong_button)
        self.no_press.set_on(view.no_press)
        for light in gateway.lights:
            tile = self.tiles.get(light.light)
            if tile is not None:
                tile.show_light(light, phase)


def _operator_stats(view: StationState, at: float, speed: float) -> str:
    stats = tr(QT_TRANSLATE_NOOP("jis", "presses {presses} · wrong {wrong} · missed {missed}"))
    text = stats.format(presses=view.presses, wrong=view.wrong_presses, missed=view.misses)
    if view.auto and view.next_press_at is not None:
        seconds = f"{max(view.next_press_at - at, 0) / speed:.1f}"
        text += tr(QT_TRANSLATE_NOOP("jis", " · next press in {seconds} s")).format(seconds=seconds)
    return text


def field_grid(pairs: list[tuple[str, str]], columns: int, prefix: str) -> tuple[QGridLayout, dict[str, QLabel]]:
    """Caption (a marked text, shown translated) over value, ``columns`` pairs a row; the values by key."""
    grid = QGridLayout()
    grid.setHorizontalSpacing(14)
    grid.setVerticalSpacing(0)
    values: dict[str, QLabel] = {}
    for index, (key, caption) in enumerate(pairs):
        row, col = divmod(index, columns)
        shown = label("", f"{prefix}_{key}_caption", "field-caption")
        tr_text(shown, caption)
        grid.addWidget(shown, row * 2, col)
        values[key] = label(NO_VALUE, f"{prefix}_{key}", "field-value")
        grid.addWidget(values[key], row * 2 + 1, col)
    return grid, values
