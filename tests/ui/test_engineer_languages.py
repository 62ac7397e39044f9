"""The engineer's view in German and Spanish: every word on it through Qt's translation system.

Builds the real engineer window in each language against the scanning demo plant's simulators (their control
channel on 127.0.0.1, in a thread as in their own process), brings up every card (stations with their lights,
the printer with a printed label, the OEM feed, the barcode readers), clicks a command of each kind so the status
line and the actions log tell them, and walks every visible widget's text, tool tip, window title, list item,
placeholder and accessible description: a word of English from the screens' source (any string literal in ui/)
that the language's translations do not use is a failure, naming the widget (``tests/ui/test_languages.py``'s
check). Then the same with the link lost, a light lit and flashing, and an OPC UA plant's cards. One view built
in English is switched to each language and back, with no word of the language before left. Also starts the view
through ``jis hmi --role engineer --lang de`` and writes docs/screenshots/engineer-view-de.png.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QListWidget, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.test_engineer_scanners import ScanSimThread
from tests.ui.test_engineer_view import OPC_UA_STATE, WAIT_MS, SimThread, click, print_label
from tests.ui.test_languages import (
    SCREENSHOTS,
    TRANSLATED,
    english_words,
    shown_texts,
    translations,
    untranslated_words,
    words,
)
from ui.engineer.link import SimState
from ui.engineer.view import EngineerWindow, build_engineer_window
from ui.i18n import set_language

# What a view shows in each language, to know the check walks a translated screen.
TITLES = {"de": "SIMULIERTES WERK", "es": "PLANTA SIMULADA"}
DONE = {"de": "PAPIERENDE ein an zebra-1: erledigt", "es": "SIN PAPEL activado en zebra-1: hecho"}
# One click of each kind of command (docs/sim-control.md): a printer's, a light controller's, a light's, the
# simulated operator's, the feed's knobs and one-shots, a barcode reader's switch and READ.
CLICKS = (
    "printer_zebra-1_paper_out",
    "gateway_ptl-seat_slow",
    "light_ptl-seat_2_press",
    "light_ptl-seat_4_exception",
    "operator_ST-BUMP_manual",
    "operator_ST-BUMP_wrong_button",
    "feed_L1_gap_send",
    "feed_L1_duplicate_next",
    "feed_L1_speed_4",
    "scanner_scan-bump_noread",
    "scanner_scan-seat_read",
)


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    """The language is the application's: every test leaves it English for the next."""
    yield
    set_language("en")


def engineer_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """``shown_texts`` and what else the engineer's view writes: list items (the actions log, a printer's
    labels), an edit field's placeholder, a switch's accessible description."""
    yield from shown_texts(root)
    for widget in root.findChildren(QWidget):
        if not widget.isVisible():
            continue
        name = widget.objectName() or type(widget).__name__
        yield name, widget.accessibleDescription()
        if isinstance(widget, QListWidget):
            yield from ((name, widget.item(row).text()) for row in range(widget.count()))
        if isinstance(widget, QLineEdit):
            yield name, widget.placeholderText()


def sim_data_words(state: SimState, endpoint: str) -> set[str]:
    """The simulated plant's own names (plant, zone, stations, devices, bins, labels, what a reader sent) and the
    control endpoint: data, shown as sent."""
    names = {state.plant, state.timezone, endpoint, *state.gateways, *state.printers, *state.feeds}
    names |= {*state.stations, *state.scanners}
    names |= {part for s in state.stations.values() for part in (s.name, s.gateway, s.printer)}
    names |= {part for r in state.scanners.values() for part in (r.station, r.last)}
    names |= {light.bin for g in state.gateways.values() for light in g.lights}
    names |= {label.label_id for p in state.printers.values() for label in p.labels}
    return set().union(*(words(name) for name in names))


def english_on(window: EngineerWindow, language: str, shown_before: set[str] = frozenset()) -> list[tuple[str, str]]:
    """(widget, text) for every text with an English word; ``shown_before``: data words of an earlier state (the
    actions log keeps them)."""
    state = window.view.state
    assert state is not None
    suspect = untranslated_words(language) - sim_data_words(state, window.view.client.endpoint) - shown_before
    return [(name, text) for name, text in engineer_texts(window) if words(text) & suspect]


def every_card_and_command(qtbot: QtBot, window: EngineerWindow, sims: SimThread) -> None:
    """Every card up, a label printed, and a command of each kind clicked and answered (``CLICKS``)."""
    view, client = window.view, window.view.client
    qtbot.waitUntil(lambda: client.link_up and bool(view.scanners), timeout=WAIT_MS)
    assert sims.sim is not None
    print_label(sims.sim.printers["zebra-1"].print_port)
    qtbot.waitUntil(lambda: view.printers["zebra-1"].history.count() > 0, timeout=WAIT_MS)
    code = window.findChild(QLineEdit, "scanner_scan-seat_code")
    assert code is not None
    code.setText("PSEAT-001+HB0001")
    for name in CLICKS:
        told = view.actions_log.count()
        click(qtbot, window, name)
        qtbot.waitUntil(lambda t=told: view.actions_log.count() > t, timeout=WAIT_MS)  # answered
    qtbot.waitUntil(lambda: view.stations["ST-BUMP"].manual.is_on, timeout=WAIT_MS)  # the state shows it


def foreign_on(window: EngineerWindow) -> list[tuple[str, str]]:
    """(widget, text) for every text of an English view with a word only the other languages' translations use."""
    state = window.view.state
    assert state is not None
    foreign = set().union(*(words(t) for language in TRANSLATED for t in translations(language).values()))
    suspect = foreign - english_words() - sim_data_words(state, window.view.client.endpoint)
    return [(name, text) for name, text in engineer_texts(window) if words(text) & suspect]


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_english_word_is_left_on_the_engineers_view(qtbot: QtBot, language: str) -> None:
    """The engineer's view in German and Spanish (the language set before it is built, as ``jis hmi --role
    engineer --lang`` does): every card and a command of each kind, then the link lost with a light lit, then an
    OPC UA plant's cards. The German view is docs/screenshots/engineer-view-de.png."""
    set_language(language)
    with ScanSimThread() as sims:
        window, client = build_engineer_window(sims.endpoint, stale_after_s=2.0)
        qtbot.addWidget(window)
        window.resize(1600, 1000)
        window.show()
        view = window.view
        try:
            every_card_and_command(qtbot, window, sims)
            assert view.title.text() == TITLES[language]
            assert any(view.actions_log.item(row).text().endswith(DONE[language]) for row in range(len(CLICKS)))
            assert english_on(window, language) == []
            if language == "de":
                QApplication.sendPostedEvents()
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                assert window.grab().save(str(SCREENSHOTS / "engineer-view-de.png"))
            state = client.state
            assert state is not None
            client.stop()  # the simulators are gone, as far as the screen can tell
            qtbot.waitUntil(lambda: not client.link_up, timeout=WAIT_MS)
            view.send({"op": "press", "device": "ptl-seat", "light": 1})  # NOT SENT
            seat = state.gateways["ptl-seat"]
            lit = seat.lights[0].model_copy(update={"colour": "green", "flash": True, "display": 2, "token": 41})
            gateways = {**state.gateways, "ptl-seat": seat.model_copy(update={"lights": (lit, *seat.lights[1:])})}
            view.apply_state(state.model_copy(update={"gateways": gateways}))
            assert view.stations["ST-SEAT"].tiles[lit.light].colour_word.text().endswith("· 2")
            assert english_on(window, language) == []
            view.apply_state(SimState.model_validate(OPC_UA_STATE))  # an OPC UA light controller and print engine
            assert set(view.printers) == {"engine-ua"}
            assert english_on(window, language, sim_data_words(state, client.endpoint)) == []
        finally:
            client.stop()
            window.close()


def test_switching_language_changes_every_word_on_the_open_engineers_view(qtbot: QtBot) -> None:
    """One open engineer's view, built in English, through every language and back (Qt's ``LanguageChange``):
    every card, the status line and the actions log (the commands told again), the window title; no word of the
    language before is left, and the check fails on the view as it was before each switch."""
    with ScanSimThread() as sims:
        window, client = build_engineer_window(sims.endpoint, stale_after_s=2.0)
        qtbot.addWidget(window)
        window.resize(1600, 1000)
        window.show()
        view = window.view
        try:
            every_card_and_command(qtbot, window, sims)
            assert foreign_on(window) == []
            english_title = window.windowTitle()
            for language in TRANSLATED:
                assert english_on(window, language) != []  # not yet: the words are the language before
                set_language(language)
                assert view.title.text() == TITLES[language]
                assert view.status_line.text() == view.told[0].text()
                assert any(view.actions_log.item(row).text().endswith(DONE[language]) for row in range(len(CLICKS)))
                assert english_on(window, language) == []
            assert foreign_on(window) != []  # not yet: Spanish
            set_language("en")
            assert view.title.text() == "SIMULATED PLANT" and window.windowTitle() == english_title
            assert any(view.actions_log.item(row).text().endswith("PAPER OUT on at zebra-1: done")
                       for row in range(len(CLICKS)))  # fmt: skip
            assert foreign_on(window) == []
        finally:
            client.stop()
            window.close()


def test_the_engineers_check_finds_an_english_word(qtbot: QtBot) -> None:
    """The check can fail: a text the view writes untranslated is named."""
    set_language("de")
    with SimThread() as sims:
        window, client = build_engineer_window(sims.endpoint, stale_after_s=2.0)
        qtbot.addWidget(window)
        window.show()
        try:
            qtbot.waitUntil(lambda: client.link_up and bool(window.view.stations), timeout=WAIT_MS)
            window.view.actions_log.insertItem(0, "12:00:00  press ptl-seat light 1: done")
            assert ("actions_log", "12:00:00  press ptl-seat light 1: done") in english_on(window, "de")
        finally:
            client.stop()
            window.close()


def test_jis_hmi_starts_the_engineers_view_in_german(jis: Callable[..., int], qtbot: QtBot, tmp_path: Path) -> None:
    """``jis hmi --role engineer --sim ... --lang de``: the real command, the real window, closed once it is live."""
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))  # not ~/.config
    seen: list[tuple[str, str]] = []
    ticks = iter(range(400))  # watchdog: at most 400 x 50 ms, then close regardless

    def close_when_live() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, EngineerWindow) and w.isVisible()]
        live = [w for w in windows if w.view.client.link_up and w.view.stations]
        seen.extend((w.windowTitle(), w.view.link_label.text()) for w in live)
        if live or next(ticks, None) is None:
            for window in windows:
                window.close()

    with SimThread() as sims:
        watchdog = QTimer()
        watchdog.timeout.connect(close_when_live)
        watchdog.start(50)
        try:
            assert jis("hmi", "--role", "engineer", "--sim", sims.endpoint, "--lang", "de") == 0
        finally:
            watchdog.stop()
    assert seen, "the engineer's view never showed the simulators"
    title, link = seen[0]
    assert title.startswith("JIS-Ingenieur — ") and "Simulatoren an" in title
    assert link == "SIM-VERBINDUNG · AKTUELL"
