"""The shift lead's cockpit: the main window over the HMI bus (pictures in) and the command channel (intents out).

What it is for: composing the cockpit's screens as dock widgets around the overview (deviations, operations,
trends and KPIs, quarantine, ship notices, trace), the header (plant, shift, plant-zone clock, alarm summary, link and
session), login and logout, the shift report export, keyboard shortcuts, a font scale, and a layout that is remembered
(``QSettings``: geometry, docks, font scale, export folder), and its language: its own, a logged-in lead's own
while they are, every text of the open window again at a switch: each text keeps its English source
(``ui.i18n.tr_text`` and its kin) and ``ui.i18n.retranslate`` reads them again, and the picture is drawn again.
``build_lead_window`` is the ``ROLE_WINDOWS["lead"]`` factory (``ui.main``).
What it must not do: reach the service other than through ``BusClient`` and ``CommandClient``, block the GUI
thread (dialogs are opened with ``open()``, files are written by a worker), or hold a colour or font size
(``ui/style.qss``, cockpit section, scaled by ``scaled_stylesheet``).
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QMenu, QWidget

from sequencer.views import LineView
from ui.bus_client import BusClient, CurveKeys
from ui.cockpit.desk import OperationDesk, OpRecord
from ui.cockpit.deviations import DeviationsPane
from ui.cockpit.header import CockpitHeader
from ui.cockpit.notices import NoticesPane
from ui.cockpit.ops import OperationsPane
from ui.cockpit.overview import OverviewPane
from ui.cockpit.quarantine import QuarantinePane
from ui.cockpit.report import ExportJob, build_report, prepare_export
from ui.cockpit.shift import DeviationLog, shift_of
from ui.cockpit.trace import TracePane
from ui.cockpit.trends import TrendsPane
from ui.cockpit.widgets import TrendPalette, next_scale, scaled_stylesheet
from ui.command_client import CommandClient, default_command_endpoint
from ui.dealer import STALE_AFTER_S
from ui.i18n import current_language, retranslate, set_language, tr, tr_text, tr_title
from ui.login import LoginDialog
from ui.style import load_stylesheet, screen_settings
from ui.widgets import apply_comm, plant_zone
from ui.words import QT_TRANSLATE_NOOP

DEFAULT_SIZE = (1680, 1000)  # a common office desktop; the user's own size is remembered
BLINK_MS = 500  # ISA-18.2 unacknowledged alarms blink; 1 Hz is calm enough for an office screen
DEVIATIONS_SHARE, SIDE_SHARE = 0.30, 0.36  # first-run dock sizes, as parts of the window's height and width
LAYOUT_VERSION = 3  # bump when the docks change, so an old saved layout is not restored onto new docks

# The screens as docks: (objectName, title, shortcut, area); the overview is the central widget (F2).
DOCKS: tuple[tuple[str, str, str, Qt.DockWidgetArea], ...] = (
    (
        "deviations_dock",
        QT_TRANSLATE_NOOP("jis", "Deviations and alarms"),
        "F3",
        Qt.DockWidgetArea.BottomDockWidgetArea,
    ),
    ("operations_dock", QT_TRANSLATE_NOOP("jis", "Manual operations"), "F4", Qt.DockWidgetArea.RightDockWidgetArea),
    ("trends_dock", QT_TRANSLATE_NOOP("jis", "Trends and KPIs"), "F5", Qt.DockWidgetArea.RightDockWidgetArea),
    ("quarantine_dock", QT_TRANSLATE_NOOP("jis", "Quarantine"), "F6", Qt.DockWidgetArea.BottomDockWidgetArea),
    ("notices_dock", QT_TRANSLATE_NOOP("jis", "Ship notices"), "F7", Qt.DockWidgetArea.BottomDockWidgetArea),
    ("trace_dock", QT_TRANSLATE_NOOP("jis", "Trace (serials, batches)"), "F8", Qt.DockWidgetArea.BottomDockWidgetArea),
)


class CockpitWindow(QMainWindow):
    """The cockpit; ``bus`` brings pictures of the line, ``commands`` carries the lead's intents."""

    export_written = Signal(object)  # (kpis.csv, deviations.csv, report.pdf) paths
    export_failed = Signal(str)

    def __init__(self, bus: BusClient, commands: CommandClient, settings: QSettings, stylesheet: str) -> None:
        super().__init__()
        self.setObjectName("cockpit")
        self.setWindowTitle(tr(QT_TRANSLATE_NOOP("jis", "JIS shift lead — connecting")))
        self.bus, self.commands, self.settings = bus, commands, settings
        self._stylesheet = stylesheet
        self.scale = float(str(settings.value("font_scale", 1.0)))  # INI files give it back as text
        self.line: LineView | None = None
        self.language = current_language()  # the language its texts are shown in now
        self.own_language = self.language  # the cockpit's own (jis hmi --lang), spoken when no one with one is in
        self.zone = ZoneInfo("UTC")
        self.log = DeviationLog()
        self.export: ExportJob | None = None
        self._shift_start: float | None = None
        self._blink = True
        self._sized = False
        self.palette_widget = TrendPalette(self)
        self.desk = OperationDesk(commands, self)
        self.header = CockpitHeader(commands)
        self.overview = OverviewPane(self.palette_widget)
        self.deviations = DeviationsPane(self.desk)
        self.operations = OperationsPane(self.desk)
        self.trends = TrendsPane(self.palette_widget)
        self.quarantine = QuarantinePane(self.desk)
        self.notices = NoticesPane(self.desk)
        self.trace = TracePane(commands)
        self.login_dialog = LoginDialog(commands, QT_TRANSLATE_NOOP("jis", "Log in to the cockpit"), self)
        self._build()
        self._wire()
        self.apply_scale(self.scale)
        self.resize(*DEFAULT_SIZE)
        self._restore_layout()
        apply_comm(self, False)

    # --- building ---

    def _build(self) -> None:
        self.setDockNestingEnabled(True)
        bar = self.addToolBar("")
        tr_title(bar, QT_TRANSLATE_NOOP("jis", "Header"))
        bar.setObjectName("header_bar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.toggleViewAction().setEnabled(False)
        bar.addWidget(self.header)
        self.setCentralWidget(self.overview)
        panes: tuple[QWidget, ...] = (
            self.deviations, self.operations, self.trends, self.quarantine, self.notices, self.trace
        )  # fmt: skip
        self.docks: dict[str, QDockWidget] = {}
        for (name, title, _, area), pane in zip(DOCKS, panes, strict=True):
            dock = QDockWidget(self)
            tr_title(dock, title)
            dock.setObjectName(name)
            dock.setWidget(pane)
            dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                             | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                             | QDockWidget.DockWidgetFeature.DockWidgetClosable)  # fmt: skip
            self.addDockWidget(area, dock)
            self.docks[name] = dock
        self.tabifyDockWidget(self.docks["operations_dock"], self.docks["trends_dock"])
        self.tabifyDockWidget(self.docks["deviations_dock"], self.docks["quarantine_dock"])
        self.tabifyDockWidget(self.docks["deviations_dock"], self.docks["notices_dock"])
        self.tabifyDockWidget(self.docks["deviations_dock"], self.docks["trace_dock"])
        self.show_screen("deviations_dock")
        self.show_screen("trends_dock")
        self._build_menus()
        self._default_state = self.saveState(LAYOUT_VERSION)

    def _build_menus(self) -> None:
        session = self._menu(QT_TRANSLATE_NOOP("jis", "&Session"))
        self._action(
            session,
            QT_TRANSLATE_NOOP("jis", "Log in…"),
            "Ctrl+L",
            self.login_dialog.open_for_login,
            "login_action",
        )
        self._action(session, QT_TRANSLATE_NOOP("jis", "Log out"), "Ctrl+Shift+L", self.logout, "logout_action")
        shift = self._menu(QT_TRANSLATE_NOOP("jis", "S&hift"))
        self._action(
            shift,
            QT_TRANSLATE_NOOP("jis", "Export shift report…"),
            "Ctrl+E",
            self.choose_export_folder,
            "export_action",
        )
        alarms = self._menu(QT_TRANSLATE_NOOP("jis", "&Alarms"))
        self._action(
            alarms,
            QT_TRANSLATE_NOOP("jis", "Acknowledge selected"),
            "Ctrl+K",
            self.deviations.acknowledge,
            "ack_action",
        )
        self._action(
            alarms,
            QT_TRANSLATE_NOOP("jis", "Shelve selected…"),
            "Ctrl+H",
            self.deviations.shelve,
            "shelve_action",
        )
        self._action(
            alarms,
            QT_TRANSLATE_NOOP("jis", "Suppress selected…"),
            "",
            self.deviations.suppress,
            "suppress_action",
        )
        self._action(
            alarms,
            QT_TRANSLATE_NOOP("jis", "Unsuppress selected…"),
            "",
            self.deviations.unsuppress,
            "unsuppress_action",
        )
        self._action(
            alarms,
            QT_TRANSLATE_NOOP("jis", "Take selected out of service…"),
            "",
            self.deviations.remove_from_service,
            "out_of_service_action",
        )
        self._action(
            alarms,
            QT_TRANSLATE_NOOP("jis", "Return selected to service…"),
            "",
            self.deviations.return_to_service,
            "in_service_action",
        )
        self._action(
            alarms,
            QT_TRANSLATE_NOOP("jis", "Resolve selected…"),
            "Ctrl+R",
            self.deviations.resolve,
            "resolve_action",
        )
        view = self._menu(QT_TRANSLATE_NOOP("jis", "&View"))
        self._action(view, QT_TRANSLATE_NOOP("jis", "Overview"), "F2", self.overview.setFocus, "show_overview")
        for name, title, key, _ in DOCKS:
            self._action(view, title, key, lambda _=False, n=name: self.show_screen(n), f"show_{name}")
        view.addSeparator()
        self._action(
            view,
            QT_TRANSLATE_NOOP("jis", "Larger text"),
            QKeySequence.StandardKey.ZoomIn,
            lambda: self.step_scale(1),
            "zoom_in",
        )
        self._action(
            view,
            QT_TRANSLATE_NOOP("jis", "Smaller text"),
            QKeySequence.StandardKey.ZoomOut,
            lambda: self.step_scale(-1),
            "zoom_out",
        )
        self._action(
            view,
            QT_TRANSLATE_NOOP("jis", "Normal text size"),
            "Ctrl+0",
            lambda: self.apply_scale(1.0),
            "zoom_reset",
        )
        self._action(view, QT_TRANSLATE_NOOP("jis", "Reset layout"), "", self.reset_layout, "reset_layout")

    def _menu(self, title: str) -> QMenu:
        menu = self.menuBar().addMenu("")
        tr_text(menu.menuAction(), title)
        return menu

    def _action(self, menu: QMenu, text: str, key: str | QKeySequence.StandardKey, slot: object, name: str) -> QAction:
        """An entry of ``menu`` showing ``text`` (a marked text) in the current language."""
        action = QAction(self)
        tr_text(action, text)
        action.setObjectName(name)
        if key:
            action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _wire(self) -> None:
        self.bus.line_changed.connect(self.apply_line)
        self.bus.link_changed.connect(self.set_link)
        self.commands.logged_in.connect(self._session_changed)
        self.commands.logged_out.connect(self._session_changed)
        self.desk.login_needed.connect(self.login_dialog.open_for_login)
        self.desk.record_changed.connect(self._operation_answered)
        self.overview.operation_wanted.connect(self.prefill_operation)
        self.header.login_button.clicked.connect(self.login_dialog.open_for_login)
        self.header.logout_button.clicked.connect(self.logout)
        self._blinker = QTimer(self)
        self._blinker.setInterval(BLINK_MS)
        self._blinker.timeout.connect(self._blink_tick)
        self._blinker.start()

    # --- the bus ---

    @Slot(object)
    def apply_line(self, line: LineView) -> None:
        self.line = line
        self.zone = plant_zone(line.timezone)
        self.setWindowTitle(tr(QT_TRANSLATE_NOOP("jis", "JIS shift lead — {plant}")).format(plant=line.plant))
        self.desk.set_line(line)
        for pane in (self.overview, self.trends, self.operations, self.quarantine, self.notices, self.trace):
            pane.apply_line(line)
        self.header.show_line(line, self.bus.link_up)
        shift = shift_of(line, self.zone)
        if self.log.update(line) or shift.start != self._shift_start:
            self._shift_start = shift.start
            self._show_log()

    def _show_log(self) -> None:
        entries = self.log.entries(self._shift_start)
        self.deviations.show_entries(entries, self.zone)
        self.quarantine.show_entries(entries, self.zone)

    @Slot(bool)
    def set_link(self, up: bool) -> None:
        """Live or stale: dashed outlines, greyed values and COMM tags everywhere; the last values stay."""
        apply_comm(self, up)
        self.header.show_link(self.line, up)

    def _blink_tick(self) -> None:
        self._blink = not self._blink
        self.overview.set_blink(self._blink)
        self.deviations.set_blink(self._blink)
        self.notices.set_blink(self._blink)

    # --- the language: the cockpit's own, a logged-in user's while they are ---

    def follow_user_language(self, own: str) -> None:
        """The cockpit speaks ``own`` (``jis hmi --lang``), and a logged-in user's own language while they are
        (their account's, ``jis users lang``); its own again at the logout."""
        self.own_language = set_language(own)
        self.commands.logged_in.connect(self._speak_users_language)
        self.commands.logged_out.connect(self._speak_users_language)

    @Slot()
    def _speak_users_language(self, *_: object) -> None:
        set_language(self.commands.language or self.own_language)

    def changeEvent(self, event: QEvent) -> None:
        """A new language (``ui.i18n.set_language``): every text of the open window at once, the picture's too."""
        super().changeEvent(event)
        if event.type() != QEvent.Type.LanguageChange or current_language() == self.language:
            return
        self.language = current_language()
        retranslate(self)  # the fixed texts: each keeps its source; each pane's changeEvent says its own again
        self.header.show_session()
        self.header.show_link(self.line, self.bus.link_up)
        if self.line is not None:
            self.apply_line(self.line)
            self._show_log()
        else:
            self.header.show_waiting()
            self.setWindowTitle(tr(QT_TRANSLATE_NOOP("jis", "JIS shift lead — connecting")))

    # --- the command channel ---

    @Slot()
    def _session_changed(self, *_: object) -> None:
        self.header.show_session()

    @Slot()
    def logout(self) -> None:
        if self.commands.logged_in_now:
            self.commands.logout()

    @Slot(object)
    def _operation_answered(self, record: OpRecord) -> None:
        if record.intent == "ShelveAlarm" and record.code == "done" and "until" in record.fields:
            self.log.note_shelved(int(record.fields["deviation_id"]), float(record.fields["until"]))
            self._show_log()

    @Slot(str, dict)
    def prefill_operation(self, intent: str, fields: dict[str, object]) -> None:
        self.operations.prefill(intent, fields)
        self.show_screen("operations_dock")

    # --- export ---

    @Slot()
    def choose_export_folder(self) -> QFileDialog:
        dialog = QFileDialog(self, QCoreApplication.translate("jis", "Export the shift report to a folder"))
        dialog.setObjectName("export_dialog")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setDirectory(str(self.settings.value("export_folder", str(Path.home()))))
        dialog.fileSelected.connect(lambda folder: self.export_to(Path(folder)))
        dialog.open()
        return dialog

    def export_to(self, folder: Path) -> ExportJob | None:
        """Render the shift report now and write it to ``folder`` on a worker; None until a picture arrived."""
        if self.line is None:
            self.header.show_message(QT_TRANSLATE_NOOP("jis", "Nothing to export yet: no data from the line."))
            return None
        self.settings.setValue("export_folder", str(folder))
        report = build_report(self.line, self.log, self.desk.who)
        self.export = prepare_export(folder, report, self)
        self.export.written.connect(self._export_written)
        self.export.failed.connect(self._export_failed)
        self.export.start()  # connected first: a fast worker must not answer into the void
        return self.export

    @Slot(object)
    def _export_written(self, paths: tuple[Path, Path, Path]) -> None:
        self.header.show_message(QT_TRANSLATE_NOOP("jis", "Report written: {name}"), name=paths[2].name)
        self.export_written.emit(paths)

    @Slot(str)
    def _export_failed(self, why: str) -> None:
        self.header.show_message(QT_TRANSLATE_NOOP("jis", "Export failed: {why}"), why=why)
        self.export_failed.emit(why)

    # --- view: screens, font scale, layout ---

    def show_screen(self, dock_name: str) -> None:
        dock = self.docks[dock_name]
        dock.show()
        dock.raise_()

    def step_scale(self, step: int) -> None:
        self.apply_scale(next_scale(self.scale, step))

    def apply_scale(self, scale: float) -> None:
        self.scale = scale
        self.setStyleSheet(scaled_stylesheet(self._stylesheet, scale))
        self.settings.setValue("font_scale", scale)
        self.trends.restyle()
        self.overview.restyle()

    def reset_layout(self) -> None:
        self.restoreState(self._default_state, LAYOUT_VERSION)
        self._default_sizes()

    def _restore_layout(self) -> None:
        geometry, state = self.settings.value("geometry"), self.settings.value("window_state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self._sized = state is not None and self.restoreState(state, LAYOUT_VERSION)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sized:  # first run: docks get their share once the window has its size
            self._sized = True
            self._default_sizes()

    def _default_sizes(self) -> None:
        width, height = self.width(), self.height()
        self.resizeDocks([self.docks["deviations_dock"]], [int(height * DEVIATIONS_SHARE)], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["trends_dock"]], [int(width * SIDE_SHARE)], Qt.Orientation.Horizontal)

    def save_layout(self) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState(LAYOUT_VERSION))
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.bus.stop()
        self.commands.stop()
        super().closeEvent(event)


def build_lead_window(
    connect: str,
    station: str | None = None,
    stale_after_s: float = STALE_AFTER_S,
    *,
    commands: str | None = None,
    settings: QSettings | None = None,
    snapshot: str | None = None,
    curve: CurveKeys | None = None,
) -> tuple[QWidget, BusClient]:
    """The cockpit and its started bus client (``ROLE_WINDOWS["lead"]``); ``station`` is unused (all of them).

    ``commands``: the service's HMI command endpoint; default, the plant file's convention (bus port + 1).
    ``snapshot``: the bus's snapshot endpoint (default: as the service advertises); ``curve``: the screen's keys.
    """
    bus = BusClient(connect, snapshot=snapshot, curve=curve, stale_after_s=stale_after_s)
    client = CommandClient(commands or default_command_endpoint(connect), curve=curve)
    window = CockpitWindow(bus, client, settings or screen_settings("lead"), load_stylesheet())
    bus.setParent(window)
    client.setParent(window)
    bus.start()
    client.start()
    return window, bus
