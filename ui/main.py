"""Start an HMI screen: the QApplication, the stylesheet, a bus client and the role's window.

What it is for: ``run_hmi`` (called by the command line) and ``build_operator_window`` (called by tests and the
HMI bench), which wire a ``BusClient`` to an ``OperatorPanel``, a ``CommandClient`` to its action bar, and style
it (``ui.style``). The one module above the three screens (``ui.operator``, ``ui.cockpit``, ``ui.engineer``),
which never import each other, nor this (pyproject.toml, import-linter).
What it must not do: reach the service by any way other than the HMI bus and command endpoints it is given,
read settings from the environment, or block: everything after ``app.exec()`` is driven by Qt timers and signals.
SIGINT and SIGTERM close a screen as its window's close button does (``_quit_on_signals``), never with a traceback.
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, QSocketNotifier, Qt, Slot
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QMainWindow, QWidget

from sequencer.views import LineView, StationView
from ui.bus_client import BusClient, CurveKeys
from ui.cockpit.window import CockpitWindow, build_lead_window
from ui.command_client import CommandClient, default_command_endpoint
from ui.dealer import STALE_AFTER_S
from ui.engineer.link import SimControlClient
from ui.engineer.view import build_engineer_window
from ui.i18n import LANGUAGES, set_language, tr
from ui.operator.actions import OperatorActionBar
from ui.operator.panel import OperatorPanel
from ui.operator.wedge import WedgeCatcher
from ui.style import load_stylesheet, screen_settings
from ui.widgets import set_screen_dpi
from ui.words import QT_TRANSLATE_NOOP

DEFAULT_SIZE = (1280, 800)  # a common 10-15" line-side touch panel
EXIT_UNKNOWN_STATION = 2  # the command line's exit code for a mistake (app/cli/errors.py)
TITLE_CONNECTING = QT_TRANSLATE_NOOP("jis", "JIS operator — connecting to {endpoint}")
TITLE_SHOWN = QT_TRANSLATE_NOOP("jis", "JIS operator — {plant} — {station}")
STATION_MOVED = QT_TRANSLATE_NOOP("jis", "DONE · this panel now shows {station}")
STATION_NOT_MOVED = QT_TRANSLATE_NOOP("jis", "REFUSED · not moved to {station}")


class OperatorWindow(QMainWindow):
    """The operator panel in a window whose title names the plant and station; closing it stops the client."""

    def __init__(self, panel: OperatorPanel, endpoint: str, language: str = "") -> None:
        super().__init__()
        self.setObjectName("operator_window")
        self.panel = panel
        self.client: BusClient | None = None
        self.commands: CommandClient | None = None
        self.action_bar: OperatorActionBar | None = None
        self.language = language  # the panel's (--lang, or the plant file's station with jis hmi --config)
        self.station_language = ""  # the shown station's, from the plant file through the bus (StationView)
        self._moves: dict[int, str] = {}  # station-change requests waiting for the service: id -> the station
        self.wedge: WedgeCatcher | None = None  # a hand scanner typing into the panel (ui.operator.wedge)
        self.setCentralWidget(panel)
        self.setWindowTitle(tr(TITLE_CONNECTING).format(endpoint=endpoint))
        self.resize(*DEFAULT_SIZE)

    def panel_language(self) -> str:
        """The panel's own language: ``--lang``, else its station's in the plant file, else English."""
        return self.language or self.station_language

    def follow_user_language(self) -> None:
        """The panel speaks its own language (``panel_language``), and a logged-in user's while they are (their
        account's ``language``); back to the panel's at the logout."""
        commands = self.commands
        assert commands is not None
        set_language(self.panel_language())
        commands.logged_in.connect(lambda *_: set_language(commands.language or self.panel_language()))
        commands.logged_out.connect(lambda: set_language(self.panel_language()))

    @Slot(object, object)
    def follow_station_language(self, _line: LineView, station: StationView | None) -> None:
        """The station shown says its language (the plant file's, on the bus): the panel speaks it unless
        ``--lang`` said otherwise or a logged-in user has their own."""
        wanted = station.language if station is not None else ""
        if wanted == self.station_language:
            return
        self.station_language = wanted
        user_language = self.commands.language if self.commands is not None else ""
        if not user_language:
            set_language(self.panel_language())

    def lock_station(self) -> None:
        """Kiosk: the panel stays on its station until a shift lead (or up) logs in; a tap on the station selector
        then asks for that login. Locked again at the lead's logout. A change of station is sent to the service
        first (``CommandClient.station_change``), which writes it to the audit log under the lead's name; the panel
        moves when that is done, and stays (saying why) when it is not."""
        bar = self.action_bar
        assert bar is not None
        self.panel.set_station_locked(True)
        self.panel.station_selector.locked_tap.connect(bar.ask_lead)
        self.panel.station_request = self._request_station
        bar.client.replied.connect(self._station_answered)

        def relock(*_: object) -> None:
            self.panel.set_station_locked(not bar.may_change_station())

        bar.client.logged_in.connect(relock)
        bar.client.logged_out.connect(relock)

    def _request_station(self, before: str, after: str) -> None:
        assert self.action_bar is not None
        self._moves[self.action_bar.client.station_change(before, after)] = after

    @Slot(object)
    def _station_answered(self, reply: dict[str, Any]) -> None:
        after = self._moves.pop(reply.get("id"), None)  # type: ignore[arg-type]
        if after is None or self.action_bar is None:
            return
        if reply.get("ok"):
            self.panel.show_station(after)
            self.action_bar.say(tr(STATION_MOVED).format(station=after), "done")
        else:
            self.action_bar.say(f"{tr(STATION_NOT_MOVED).format(station=after)} — {reply.get('error', '')}", "refused")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Keys at a panel nobody is logged in to come from a badge reader (a keyboard wedge): they open the badge
        login (``OperatorActionBar.badge_typed``). Nothing else on the panel takes keys."""
        bar, text = self.action_bar, event.text()
        if bar is not None and not bar.client.logged_in_now and text and (text.isprintable() or text in "\r\n"):
            bar.badge_typed(text)
            return
        super().keyPressEvent(event)

    @Slot(object)
    def show_title(self, line: LineView) -> None:
        station = self.panel.station_id or tr(QT_TRANSLATE_NOOP("jis", "no station"))
        self.setWindowTitle(tr(TITLE_SHOWN).format(plant=line.plant, station=station))

    def closeEvent(self, event: QCloseEvent) -> None:
        for client in (self.client, self.commands):
            if client is not None:
                client.stop()
        super().closeEvent(event)


def build_operator_window(
    connect: str,
    station: str | None = None,
    stale_after_s: float = STALE_AFTER_S,
    *,
    commands: str | None = None,
    snapshot: str | None = None,
    curve: CurveKeys | None = None,
    language: str = "",
) -> tuple[QWidget, BusClient]:
    """The styled operator window and its started bus client (``client.stop()`` or closing the window ends it).

    ``language``: the panel's (``en``, ``de``, ``es``; a logged-in user's own replaces it while they are).

    ``commands``: the service's HMI command endpoint for the action bar; default, the plant file's convention
    (bus port + 1, ``ui.command_client.default_command_endpoint``). Its client is ``window.commands``. ``snapshot``:
    the bus's snapshot endpoint (default: as the service advertises); ``curve``: this screen's CURVE keys.
    """
    set_language(language)
    panel = OperatorPanel(station)
    window = OperatorWindow(panel, connect, language)
    client = BusClient(connect, snapshot=snapshot, curve=curve, stale_after_s=stale_after_s, parent=window)
    window.client = client
    window.commands = CommandClient(commands or default_command_endpoint(connect), parent=window, curve=curve)
    window.action_bar = OperatorActionBar(window.commands)
    panel.add_action_bar(window.action_bar)
    window.follow_user_language()
    client.line_changed.connect(panel.apply_line)
    client.line_changed.connect(window.show_title)
    client.link_changed.connect(panel.set_link)
    panel.station_shown.connect(window.action_bar.show_station)
    panel.station_shown.connect(window.follow_station_language)
    client.link_changed.connect(window.action_bar.set_link)
    listen_for_scans(window)
    window.setStyleSheet(load_stylesheet())
    client.start()
    window.commands.start()
    return window, client


def listen_for_scans(window: OperatorWindow) -> None:
    """A keyboard-wedge scanner's reads on the panel go to the action bar (``ScanPart``). No control of the panel
    takes keyboard focus (a touch screen needs none), so a scanner's characters and Enter never reach a button or
    the station selector: they land on the panel or the window, where the catcher watches."""
    assert window.action_bar is not None
    bar = window.action_bar
    window.wedge = WedgeCatcher(window, active=lambda: bar.client.logged_in_now)  # before a login: a badge's keys
    for widget in (window, window.panel):
        widget.installEventFilter(window.wedge)
    for control in window.findChildren(QAbstractButton) + window.findChildren(QComboBox):
        if control.window() is window:  # the panel's own, not a dialog's (the login's PIN pad keeps its ways)
            control.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    window.wedge.scanned.connect(window.action_bar.scan)


WindowFactory = Callable[[str, "str | None", float], tuple[QWidget, "BusClient | SimControlClient"]]
ROLE_WINDOWS: dict[str, WindowFactory] = {
    "operator": build_operator_window,
    "lead": build_lead_window,
    "engineer": build_engineer_window,  # its endpoint is the simulators' control channel (--sim), not the bus
}
SIM_ROLES = frozenset({"engineer"})
FIXED_LANGUAGE_ROLES = frozenset({"lead", "engineer"})  # --lang, set before the window is built (the cockpit: its own)
COMMAND_ROLES: dict[str, Callable[..., tuple[QWidget, BusClient]]] = {  # screens with manual operations
    "operator": build_operator_window,
    "lead": build_lead_window,
}


def run_hmi(
    connect: str,
    *,
    role: str = "operator",
    station: str | None = None,
    kiosk: bool = False,
    argv: list[str] | None = None,
    sim: str | None = None,
    commands: str | None = None,
    snapshot: str | None = None,
    curve: CurveKeys | None = None,
    screen_dpi: float | None = None,
    language: str = "",
) -> int:
    """Run one HMI screen until its window closes; returns the application's exit code.

    ``sim``: the simulators' control endpoint (``python -m hardware_sims plant --control``), needed by the
    engineer's view, which talks to the simulators instead of the service's bus. ``commands``: the service's
    HMI command endpoint for the operator panel and the cockpit (default: the bus port + 1). ``snapshot``: the
    bus's snapshot endpoint (default: as the service advertises). ``curve``: this screen's CURVE keys, when the
    service runs ``[service.hmi_curve]``. ``screen_dpi``: the panel's real density (device-independent pixels
    per inch) when its screen reports a wrong physical size; default, the screen's own (``ui.widgets.physical_dpi``).
    ``language``: the operator panel's language (``ui.i18n.LANGUAGES``; a user's own replaces it while logged in),
    or the cockpit's (set before its window is built; a logged-in lead's own replaces it while they are), or the
    engineer's view's (for good: set before its window is built).
    """
    build = ROLE_WINDOWS.get(role)
    if build is None:
        raise ValueError(f"unknown HMI role {role!r}; known roles: {', '.join(ROLE_WINDOWS)}")
    if role in SIM_ROLES and not sim:
        raise ValueError(f"the {role} view needs the simulators' control endpoint: --sim tcp://127.0.0.1:PORT")
    set_screen_dpi(screen_dpi)
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    stopped: list[int] = []  # a signal that came before the event loop ran: it is not started at all
    restore = _quit_on_signals(app, stopped)
    window: QWidget | None = None
    client: BusClient | SimControlClient | None = None
    try:
        if role in FIXED_LANGUAGE_ROLES:  # the language chosen at the start, set before the window writes its words
            set_language(language)
        if role == "operator":
            window, client = build_operator_window(
                connect, station, STALE_AFTER_S, commands=commands, snapshot=snapshot, curve=curve, language=language
            )
        elif role in COMMAND_ROLES and (commands or snapshot or curve):
            bus_options = {"commands": commands, "snapshot": snapshot, "curve": curve}
            window, client = COMMAND_ROLES[role](connect, station, STALE_AFTER_S, **bus_options)
        else:
            window, client = build(sim if role in SIM_ROLES and sim else connect, station, STALE_AFTER_S)
        if isinstance(window, CockpitWindow):  # its own language, a logged-in lead's own while they are
            window.follow_user_language(language)
        if station and role == "operator" and isinstance(client, BusClient):
            refuse_unknown_station(client, station, app)
        settings = screen_settings(role)
        _restore_geometry(window, settings)
        if kiosk and isinstance(window, OperatorWindow) and window.action_bar is not None:
            window.lock_station()
        if kiosk:
            window.showFullScreen()  # hmi.md: a full-screen kiosk mode on the line panel
        else:
            window.show()
        code = 0 if stopped else app.exec()
        if not kiosk:
            settings.setValue("geometry", window.saveGeometry())
    finally:
        restore()
        if client is not None:  # its threads would keep the process alive
            client.stop()
    return int(code)


def refuse_unknown_station(client: BusClient, station: str, app: QCoreApplication) -> None:
    """The screen learns the plant's stations from the bus: if the first picture has no station ``station``, say so
    in one line on stderr and end the application with exit code 2 (rather than show another station)."""

    def first(line: LineView) -> None:
        client.line_changed.disconnect(first)
        known = [s.id for s in line.stations]
        if station not in known:
            print(f"jis hmi: --station {station!r} is not a station of this plant: {', '.join(known)}", file=sys.stderr)
            app.exit(EXIT_UNKNOWN_STATION)

    client.line_changed.connect(first)


def _quit_on_signals(app: QCoreApplication, stopped: list[int]) -> Callable[[], None]:
    """SIGINT and SIGTERM quit the application, as closing its window does (the signal noted in ``stopped``, so a
    loop not started yet is never started); returns what undoes this.

    Qt's event loop runs no Python while it waits, so a Python signal handler would wait for the next Qt event: the
    signal's wakeup byte (``signal.set_wakeup_fd``) goes down a socket pair that a ``QSocketNotifier`` watches, which
    wakes the loop; Python runs the handler, and the slot quits again in case the loop was not running yet when the
    handler did. Only the main thread may set handlers (tests elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    reader, writer = socket.socketpair()
    for end in (reader, writer):
        end.setblocking(False)

    def woken() -> None:
        reader.recv(64)
        if stopped:
            app.quit()

    def handler(signum: int, frame: object) -> None:
        stopped.append(signum)
        app.quit()

    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(woken)
    wakeup_before = signal.set_wakeup_fd(writer.fileno())
    before = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    if hasattr(signal, "pthread_sigmask"):  # one held while Qt loaded (jis hmi: app.signals.hold_stops) comes now
        signal.pthread_sigmask(signal.SIG_UNBLOCK, (signal.SIGINT, signal.SIGTERM))

    def restore() -> None:
        for sig, handler in before.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(wakeup_before)
        notifier.setEnabled(False)
        reader.close()
        writer.close()

    return restore


def _restore_geometry(window: QWidget, settings: QSettings) -> None:
    saved = settings.value("geometry")
    if saved is not None:
        window.restoreGeometry(saved)


def main(argv: list[str] | None = None) -> int:
    """``python -m ui.main --connect tcp://127.0.0.1:5556 [--station ST-SEAT] [--kiosk]``."""
    parser = argparse.ArgumentParser(description="JIS operator HMI (a client of the service's HMI bus)")
    parser.add_argument("--connect", default="tcp://127.0.0.1:5556", help="the service's HMI bus endpoint")
    parser.add_argument("--role", default="operator", choices=sorted(ROLE_WINDOWS))
    parser.add_argument("--station", default=None, help="station id; default: the plant's first station")
    parser.add_argument("--kiosk", action="store_true", help="full screen, for the line-side panel")
    parser.add_argument("--sim", default=None, help="the simulators' control endpoint (role engineer)")
    parser.add_argument("--screen-dpi", type=float, default=None, help="the panel's real density, if its screen lies")
    parser.add_argument("--lang", default="", choices=["", *LANGUAGES], help="the screen's language")
    args = parser.parse_args(argv)
    return run_hmi(
        args.connect,
        role=args.role,
        station=args.station,
        kiosk=args.kiosk,
        sim=args.sim,
        screen_dpi=args.screen_dpi,
        language=args.lang,
    )


if __name__ == "__main__":
    sys.exit(main())
