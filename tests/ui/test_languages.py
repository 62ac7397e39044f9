"""The operator panel in German and Spanish: every word on the screen through Qt's translation system.

Builds the real operator window (bus client over ZeroMQ on 127.0.0.1, action bar, login dialog) in each language,
publishes a busy picture and walks every visible widget's text, tool tip, window title, table header and cell:
a word of English from the screens' source (any string literal in ui/, marked or not) that the language's
translations do not use is a failure, naming the widget. Also checks that the .ts sources hold every marked text
(lupdate into a scratch copy finds nothing new) with none unfinished, and writes
docs/screenshots/operator-panel-de.png and operator-panel-es.png, and the badge login operator-login-de.png and -es.
The cockpit likewise, built in each language with every dock brought to the front in turn, its menus and dialogs
(docs/screenshots/cockpit-overview-de.png); the engineer's view in tests/ui/test_engineer_languages.py.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPushButton,
    QTableView,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

import ui.main
from sequencer.deviations import KINDS
from sequencer.plant import CalendarConfig
from sequencer.sentences import TEMPLATES, say
from sequencer.views import DeviationView, LineView, PickView
from tests.plants import DEMO_PLANT
from tests.ui.conftest import BusPublisher
from tests.ui.test_cockpit import NOTICE_ALARMS, NOTICES, OPEN, cockpit_line, lead_settings, show, silent_service
from tests.ui.test_operator_panel import SCREENSHOTS, STALE_AFTER_S, WAIT_MS, busy_line, go_live, text_of
from ui.cockpit.desk import SHELVE_MINUTES, ConfirmDialog, Proposal, Target
from ui.cockpit.deviations import VERBS
from ui.cockpit.window import DOCKS, CockpitWindow, build_lead_window
from ui.i18n import (
    HERE,
    LANGUAGES,
    SOURCE_LANGUAGE,
    compiled,
    current_language,
    retranslate,
    set_language,
    tr,
    tr_headers,
    tr_item,
    tr_placeholder,
    tr_text,
    tr_tip,
    tr_title,
    ts_path,
)
from ui.main import OperatorWindow, build_operator_window
from ui.words import DEVIATION_KIND_WORDS, DEVIATION_SENTENCES, sentence

REPO = Path(__file__).resolve().parents[2]
TRANSLATED = sorted(set(LANGUAGES) - {SOURCE_LANGUAGE})
# Words that are the same in every language on purpose: the COMM tag (ISA-101's indicator of a lost link, as
# on the cockpit and in docs/hmi.md) and the JIS of the window title.
ALLOWED = frozenset({"comm", "jis"})
# Table columns that show the line's data as sent: a quarantined message's reason (the parser's), the OEM's reason
# for rejecting a ship notice. The core's sentence on a deviation is said in the screen's language (its template);
# only one without a template (an older service's, or one the core has none for) is shown as sent.
DATA_COLUMNS = {"quarantine_table": {4}, "notices_table": {5}}
__all__ = ["silent_service"]  # a fixture of the cockpit's tests, used here
DESCRIPTIONS = {"en": "Front seat pair, cloth, black", "de": "Vordersitzpaar, Stoff, schwarz",
                "es": "Par de asientos delanteros, tela, negro"}  # fmt: skip


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    """The language is the application's: every test leaves it English for the next."""
    yield
    set_language(SOURCE_LANGUAGE)


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]{3,}", text)}


# The plant calendar's shift names (``[[calendar.shifts]] name``, the default's when the picture carries none): data.
SHIFT_NAMES = {w for shift in CalendarConfig().shifts for w in words(shift.name)}


def english_words() -> set[str]:
    """Every word of every string literal in the screens' code (ui/), docstrings aside: what an untranslated
    text would show."""
    found: set[str] = set()
    for path in (REPO / "ui").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        documented = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, documented) and node.body and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                found |= words(node.value)
    return found


def translations(language: str) -> dict[str, str]:
    root = ET.parse(ts_path(language)).getroot()
    return {m.findtext("source", ""): m.findtext("translation", "") for m in root.iter("message")}


def untranslated_words(language: str) -> set[str]:
    used = set().union(*(words(t) for t in translations(language).values()))
    return english_words() - used - ALLOWED


def shown_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(widget's name, a text it shows) for every visible widget under ``root`` (itself included)."""
    for widget in (root, *root.findChildren(QWidget)):
        if not widget.isVisible():
            continue
        name = widget.objectName() or type(widget).__name__
        if widget.isWindow():
            yield name, widget.windowTitle()
        yield name, widget.toolTip()
        if isinstance(widget, QLabel | QAbstractButton):
            yield name, widget.text()
        if isinstance(widget, QComboBox):
            yield from ((name, widget.itemText(i)) for i in range(widget.count()))
        if isinstance(widget, QTableView) and widget.model() is not None:
            model = widget.model()
            for column in range(model.columnCount()):
                yield name, str(model.headerData(column, Qt.Orientation.Horizontal) or "")
                if column in DATA_COLUMNS.get(name, ()):
                    continue
                for row in range(model.rowCount()):
                    yield name, str(model.data(model.index(row, column)) or "")


def data_words(line: LineView) -> set[str]:
    """The picture's own names (plant, stations, feeds, parts, vehicles): data, shown as sent. Not its kinds and
    states (the screen words them) nor the core's English messages (said from their templates), but the values
    of their templates (``params``: feeds, bins, parts, and the reasons given, as given)."""
    found: set[str] = set()

    def walk(value: object, key: str = "") -> None:
        if key == "params":  # (name, value) pairs: the values are data, the names are the template's
            found.update(w for _, v in value for w in words(str(v)))  # type: ignore[attr-defined]
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key not in ("kind", "state", "message", "template"):
            found.update(words(value))

    walk(line.model_dump())
    return found


def as_sent(line: LineView | None) -> list[str]:
    """The English sentences of the deviations without a template: shown as sent, so allowed in any language."""
    return [d.message for d in line.deviations if not d.template] if line is not None else []


def english_left(root: QWidget, language: str, line: LineView | None = None) -> list[tuple[str, str]]:
    suspect = untranslated_words(language) - (data_words(line) | SHIFT_NAMES if line else set())
    sent = as_sent(line)
    return [
        (name, text)
        for name, text in shown_texts(root)
        if words(text) & suspect and not any(message in text for message in sent)
    ]


# The core's sentences on the test pictures' deviations (by id), as the rules say them (sequencer.sentences); the
# printer's fault (15) and the quarantined message (16) keep a sentence without a template, as an older service sent.
SPOKEN = {
    11: say("gap", feed="L1", count=1, first=9994, last=9994),
    12: say("late_broadcast", feed="L1", seq=9996),
    13: say("stale_confirm_unlit", station="ST-SEAT", bin="SEAT-02"),
    14: say("wrong_pick_pressed", station="ST-BUMP", pressed="BMP-01", bin="BMP-02", feed="L1", seq=9996),
    17: say("hold", feed="L1", seq=9999, vehicle="WVWZZZ1KZ8P012348"),
    20: say("notice_rejected", notice="L1-seats-833", version=2, reason="seq 4711 not called off"),
    21: say("notice_unanswered", notice="L1-seats-835", version=1, seconds=600),
}
GAP_SAID = {"de": "L1: 1 Abrufmeldung(en) fehlen, 9994..9994; neu angefordert",
            "es": "L1: faltan 1 llamada(s), 9994..9994; reenvío pedido"}  # fmt: skip


def spoken(line: LineView) -> LineView:
    """The picture with the core's sentences (``SPOKEN``) on its deviations: a template and values beside the
    English message."""

    def said(d: DeviationView) -> DeviationView:
        s = SPOKEN.get(d.id)
        return d if s is None else d.model_copy(update={"message": s.text, "template": s.template, "params": s.params})

    return line.model_copy(update={"deviations": tuple(said(d) for d in line.deviations)})


def described(line: LineView) -> LineView:
    """The busy picture with the plant file's description of the lit seat in three languages."""

    def texts(pick: PickView) -> PickView:
        others = tuple((k, v) for k, v in DESCRIPTIONS.items() if k != "en")
        return pick.model_copy(update={"description": DESCRIPTIONS["en"], "translations": others})

    stations = tuple(
        s.model_copy(update={"current": texts(s.current)}) if s.current and s.family == "seats" else s
        for s in line.stations
    )
    return line.model_copy(update={"stations": stations})


@pytest.fixture
def german_window(qtbot: QtBot, publisher: BusPublisher) -> Iterator[OperatorWindow]:
    window, _ = build_operator_window(publisher.endpoint, "ST-SEAT", STALE_AFTER_S, language="de")
    assert isinstance(window, OperatorWindow)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    try:
        yield window
    finally:
        window.close()


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_ts_sources_hold_every_marked_text_translated(language: str, tmp_path: Path) -> None:
    """lupdate over ui/ into a copy of the .ts finds no text the repository's .ts lacks, and none is unfinished:
    a text added to a screen without its translations fails here (docs/languages.md says how to add them)."""
    scratch = tmp_path / ts_path(language).name
    shutil.copy(ts_path(language), scratch)
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    sources = sorted(str(p) for p in (REPO / "ui").rglob("*.py"))
    subprocess.run([str(lupdate), "-locations", "none", "-no-obsolete", *sources, "-ts", str(scratch)],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    fresh = ET.parse(scratch).getroot()
    unfinished = [m.findtext("source") for m in fresh.iter("message") if m.find("translation").get("type")]  # type: ignore[union-attr]
    assert unfinished == [], f"jis_{language}.ts lacks translations (make i18n-update, then fill them): {unfinished}"


def test_a_language_compiles_and_loads(qtbot: QtBot) -> None:
    qm = compiled("de")
    assert qm is not None and qm.is_file() and qm.parent in (HERE, qm.parent)
    assert set_language("de_DE") == "de" == current_language()
    assert set_language("xx") == SOURCE_LANGUAGE  # unknown: English, never an error


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_english_word_is_left_on_the_operator_panel(
    qtbot: QtBot, publisher: BusPublisher, german_window: OperatorWindow, language: str
) -> None:
    window, panel, bar = german_window, german_window.panel, german_window.action_bar
    assert window.client is not None and bar is not None
    set_language(language)
    line = spoken(described(busy_line(rev=4812)))
    go_live(qtbot, publisher, window.client, line)
    qtbot.waitUntil(lambda: panel.deviation_row(13) is not None, timeout=WAIT_MS)
    assert text_of(panel, "deviation_11_message") == GAP_SAID[language]  # the core's sentence, in the language
    assert text_of(panel, "pick_description") == DESCRIPTIONS[language]  # the plant file's text, in its language
    assert english_left(window, language, line) == []
    tile = panel.bin_tile("SEAT-03")
    qtbot.waitUntil(lambda: tile is not None and tile.isVisible() and tile.width() > 100, timeout=WAIT_MS)
    QApplication.sendPostedEvents()  # the layout the new words asked for, before the picture is taken
    image = window.grab()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert image.save(str(SCREENSHOTS / f"operator-panel-{language}.png"))
    bar.ask_login(bar.login_dialog.note.property("tr_source"))  # the badge login with its PIN pad
    qtbot.waitUntil(bar.login_dialog.isVisible, timeout=WAIT_MS)
    assert english_left(bar.login_dialog, language) == []
    QApplication.sendPostedEvents()
    assert bar.login_dialog.grab().save(str(SCREENSHOTS / f"operator-login-{language}.png"))
    bar.login_dialog.set_mode("password")  # the lead's full login
    assert english_left(bar.login_dialog, language) == []
    bar.login_dialog.reject()


def test_qt_s_own_words_follow_the_language(qtbot: QtBot) -> None:
    """Qt's own dialogs (the cockpit's export folder) speak the language too: Qt's translations ship with PySide6."""
    set_language("de")
    dialog = QFileDialog(None, "x")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    qtbot.addWidget(dialog)
    buttons = {b.text().replace("&", "") for b in dialog.findChildren(QAbstractButton)}
    assert "Abbrechen" in buttons and "Cancel" not in buttons


def test_the_check_finds_an_english_word(qtbot: QtBot, publisher: BusPublisher, german_window: OperatorWindow) -> None:
    """The check can fail: an unmarked English text on the panel is named."""
    set_language("de")
    stray = QLabel("Pick the next vehicle", german_window.panel)
    stray.setObjectName("stray")
    stray.show()
    assert ("stray", "Pick the next vehicle") in english_left(german_window, "de")


def test_switching_language_changes_the_words_on_the_open_panel(
    qtbot: QtBot, publisher: BusPublisher, german_window: OperatorWindow
) -> None:
    panel = german_window.panel
    assert german_window.client is not None
    go_live(qtbot, publisher, german_window.client, described(busy_line()))
    qtbot.waitUntil(lambda: text_of(panel, "pick_card_title") == "JETZT GREIFEN", timeout=WAIT_MS)
    assert panel.next_table.horizontalHeaderItem(3).text() == "MENGE"
    assert text_of(panel, "pick_qty") == "1 STK"
    tile = panel.bin_tile("SEAT-03")  # lit: its tag shows in the place kept for it, as wide as its word
    assert tile is not None and tile.tag.text() == "GREIFEN"
    tag = tile.tag

    def fitted() -> bool:
        return tag.isVisible() and tag.width() == tag.sizeHint().width()

    qtbot.waitUntil(fitted, timeout=WAIT_MS)
    set_language("es")
    assert text_of(panel, "pick_card_title") == "COGER AHORA" and text_of(panel, "pick_qty") == "1 UD"
    assert text_of(panel, "pick_description") == DESCRIPTIONS["es"]
    assert tile.tag.text() == "COGER"
    qtbot.waitUntil(fitted, timeout=WAIT_MS)
    set_language("en")
    assert text_of(panel, "pick_card_title") == "PICK NOW" and text_of(panel, "pick_qty") == "1 PCE"
    assert text_of(panel, "pick_description") == DESCRIPTIONS["en"]
    qtbot.waitUntil(fitted, timeout=WAIT_MS)


@pytest.mark.parametrize(
    ("station_language", "argv", "language"),
    [("de", [], "de"), ("de", ["--lang", "es"], "es"), ("", [], ""), ("es", ["--lang", "en"], "en")],
)
def test_jis_hmi_takes_the_panels_language_from_lang_else_the_plant_files_station(
    jis: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    station_language: str,
    argv: list[str],
    language: str,
) -> None:
    plant = tmp_path / "plant.toml"
    text = DEMO_PLANT.read_text(encoding="utf-8")
    plant.write_text(
        text.replace('name = "Seat sequencing"\n', f'name = "Seat sequencing"\nlanguage = "{station_language}"\n')
    )
    asked: dict[str, object] = {}
    monkeypatch.setattr(ui.main, "run_hmi", lambda *args, **kwargs: asked.update(kwargs) or 0)
    assert jis("hmi", "--config", str(plant), "--station", "ST-SEAT", *argv) == 0
    assert asked["language"] == language


def with_station_language(line: LineView, language: str) -> LineView:
    return line.model_copy(
        update={"stations": tuple(s.model_copy(update={"language": language}) for s in line.stations)}
    )


def test_a_panel_speaks_its_stations_language_from_the_plant_file_unless_lang_says_otherwise(
    qtbot: QtBot, publisher: BusPublisher
) -> None:
    """The language is the application's (one panel a process): the two panels are opened one after the other."""
    for lang, rev, expected in (("", 1, "COGER AHORA"), ("de", 2, "JETZT GREIFEN")):
        window, _ = build_operator_window(publisher.endpoint, "ST-SEAT", STALE_AFTER_S, language=lang)
        assert isinstance(window, OperatorWindow) and window.client is not None
        qtbot.addWidget(window)
        try:
            go_live(qtbot, publisher, window.client, with_station_language(busy_line(rev=rev), "es"))
            qtbot.waitUntil(lambda w=window: w.station_language == "es", timeout=WAIT_MS)
            assert text_of(window.panel, "pick_card_title") == expected  # --lang de wins over the station's es
            assert current_language() == (lang or "es")
        finally:
            window.close()


def test_the_screens_mark_every_sentence_the_core_says_on_a_deviation() -> None:
    """ui.words.DEVIATION_SENTENCES (marked for translation) holds the templates of sequencer.sentences.TEMPLATES:
    a sentence added to the core needs its mark here (then make i18n-update), one taken away its mark removed."""
    assert set(TEMPLATES.values()) == DEVIATION_SENTENCES


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_deviations_sentence_is_said_in_the_screens_language_and_one_without_a_template_as_sent(
    qtbot: QtBot, language: str
) -> None:
    set_language(language)
    gap = SPOKEN[11]
    view = DeviationView(id=11, kind="gap", priority=1, at=0.0, feed="L1", seq=9994, vehicle_id="", station="",
                         message=gap.text, template=gap.template, params=gap.params)  # fmt: skip
    assert sentence(view, tr) == GAP_SAID[language] != gap.text
    old = view.model_copy(update={"template": "", "params": ()})  # journaled before templates, or an older service
    assert sentence(old, tr) == gap.text
    unknown = view.model_copy(update={"template": "{feed}: a sentence no screen knows"})  # a newer service's
    assert sentence(unknown, tr) == gap.text
    assert sentence(view, lambda _: "{feed} {nothing}") == gap.text  # a translation that does not fit its values
    assert DeviationView.model_validate_json(view.model_dump_json()) == view  # over the bus as it left


def test_every_deviation_kind_the_line_lists_has_its_words() -> None:
    """A new kind in sequencer.deviations.KINDS needs its words in ui.words (then make i18n-update)."""
    listed = {kind for kind, spec in KINDS.items() if not spec.count_only}
    assert listed - set(DEVIATION_KIND_WORDS) == set()


def menu_texts(window: CockpitWindow) -> Iterator[tuple[str, str]]:
    """(menu, an entry's text) for the menu bar and every menu under it (menus are not visible until opened)."""
    for action in window.menuBar().actions():
        yield "menu_bar", action.text()
        menu = action.menu()
        if isinstance(menu, QMenu):
            yield from ((action.text(), entry.text()) for entry in menu.actions() if not entry.isSeparator())


def foreign_left(root: QWidget, line: LineView | None = None) -> list[tuple[str, str]]:
    """(widget, text) of an English screen that still shows a word only the other languages' translations use."""
    foreign = set().union(*(words(t) for language in TRANSLATED for t in translations(language).values()))
    suspect = foreign - english_words() - (data_words(line) if line else set())
    return [(name, text) for name, text in shown_texts(root) if words(text) & suspect]


def cockpit_left(qtbot: QtBot, window: CockpitWindow, language: str, line: LineView) -> list[tuple[str, str]]:
    """The words of the wrong language on the cockpit: the overview with each dock brought to the front in turn,
    and every menu entry (English: a German or Spanish word left; else an English one)."""
    window.deviations.state_filter.setCurrentIndex(window.deviations.state_filter.count() - 1)  # all this shift
    window.overview.redraw_now()
    window.trends.redraw_now()
    left: list[tuple[str, str]] = []
    for name, _, _, _ in DOCKS:
        window.show_screen(name)
        QApplication.sendPostedEvents()
        left += foreign_left(window, line) if language == SOURCE_LANGUAGE else english_left(window, language, line)
    menus = list(menu_texts(window))
    if language == SOURCE_LANGUAGE:
        return left + [(menu, text) for menu, text in menus if foreign_left_in(text)]
    suspect = untranslated_words(language)
    return left + [(menu, text) for menu, text in menus if words(text) & suspect]


def foreign_left_in(text: str) -> bool:
    foreign = set().union(*(words(t) for language in TRANSLATED for t in translations(language).values()))
    return bool(words(text) & (foreign - english_words()))


@contextmanager
def busy_cockpit(
    qtbot: QtBot, publisher: BusPublisher, silent_service: str, tmp_path: Path
) -> Iterator[tuple[CockpitWindow, LineView]]:
    """The cockpit (in the language set before it is built, as jis hmi does) on a busy picture with ship notices."""
    window, bus = build_lead_window(publisher.endpoint, None, STALE_AFTER_S, commands=silent_service,
                                    settings=lead_settings(tmp_path))  # fmt: skip
    assert isinstance(window, CockpitWindow)
    qtbot.addWidget(window)
    window.resize(1680, 1000)
    window.show()
    try:
        line = spoken(cockpit_line(rev=7, deviations=(*OPEN, *NOTICE_ALARMS)).model_copy(update={"notices": NOTICES}))
        show(qtbot, publisher, window, line)
        yield window, line
    finally:
        bus.stop()
        window.commands.stop()
        window.close()


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_english_word_is_left_on_the_cockpit(
    qtbot: QtBot, publisher: BusPublisher, silent_service: str, tmp_path: Path, language: str
) -> None:
    """The cockpit in German and Spanish (the language chosen at its start, ``jis hmi --role lead --lang``): the
    overview and every dock brought to the front in turn, the menus, the login dialog and an alarm's
    confirmation. docs/screenshots/cockpit-overview-de.png is the German overview."""
    set_language(language)  # before the window is built, as jis hmi does
    with busy_cockpit(qtbot, publisher, silent_service, tmp_path) as (window, line):
        cockpit_in(qtbot, window, line, language, screenshot=language == "de")


def cockpit_in(qtbot: QtBot, window: CockpitWindow, line: LineView, language: str, *, screenshot: bool = False) -> None:
    """The cockpit speaks ``language`` everywhere: docks, menus, the login dialog and an alarm's confirmation."""
    assert window.language == language
    left = cockpit_left(qtbot, window, language, line)
    assert left == [], "\n".join(map(repr, left))
    expected = {"de": "Abweichungen und Alarme", "es": "Incidencias y alarmas"}[language]
    assert window.docks["deviations_dock"].windowTitle() == expected  # the check walks translated screens
    assert window.deviations.model.rowCount() > 0 and window.quarantine.table.rowCount() > 0
    assert window.notices.table.rowCount() == len(NOTICES)
    if screenshot:
        window.show_screen("deviations_dock")
        window.show_screen("trends_dock")
        QApplication.sendPostedEvents()
        assert window.grab().save(str(SCREENSHOTS / "cockpit-overview-de.png"))
    window.login_dialog.open_for_login()
    qtbot.waitUntil(window.login_dialog.isVisible, timeout=WAIT_MS)
    assert english_left(window.login_dialog, language) == []
    window.login_dialog.reject()
    shelve = VERBS["shelve"]
    target = Target(fields={"deviation_id": 11}, text="#11 P1")
    proposal = Proposal(intent=shelve.intent, verb=shelve.verb, summary=tr(shelve.summary),
                        targets=(target,), shelve_minutes=SHELVE_MINUTES)  # fmt: skip
    dialog = ConfirmDialog(proposal, "lena", window)
    dialog.show()
    assert english_left(dialog, language) == []
    dialog.reject()


def test_a_switch_of_language_reads_every_kept_source_again(qtbot: QtBot) -> None:
    """``ui.i18n``'s kept sources, each kind read again by ``retranslate`` after a switch and back (with no kept
    source a text would stay: the check fails on the old ``tr(...)`` way): a label's text
    (shaped, and a template with its values as sent), a tool tip, a placeholder, a window title, combo box and list
    entries (an entry without a source is data and stays), a table's headers and a menu's action."""
    set_language(SOURCE_LANGUAGE)
    root = QWidget()
    qtbot.addWidget(root)
    caption, verb, title = QLabel(root), QPushButton(root), QLabel(root)
    tr_text(caption, "Buffer", "upper")
    tr_text(verb, "SHELVE", "more")
    tr_text(title, "OEM FEED {feed}", feed="L1")
    tr_tip(verb, "Suppress, unsuppress, take out of service, return to service")
    search = QLineEdit(root)
    tr_placeholder(search, "VIN, serial or batch as scanned")
    tr_title(root, "Manual operations")
    combo, entries, table = QComboBox(root), QListWidget(root), QTableWidget(0, 2, root)
    tr_item(combo, "All kinds", "")
    combo.addItem("L1", "L1")  # data: no source
    tr_item(entries, "HOLD")
    tr_headers(table, ("FEED", "SEQ"))
    menu = QMenu(root)
    action = menu.addAction("")
    tr_text(action, "Log out")

    def shown() -> list[str]:
        header = [table.horizontalHeaderItem(c).text() for c in range(2)]  # type: ignore[union-attr]
        return [caption.text(), verb.text(), title.text(), verb.toolTip(), search.placeholderText(),
                root.windowTitle(), combo.itemText(0), combo.itemText(1), entries.item(0).text(), *header,
                action.text()]  # fmt: skip

    english = shown()
    assert english == ["BUFFER", "SHELVE…", "OEM FEED L1",
                       "Suppress, unsuppress, take out of service, return to service",
                       "VIN, serial or batch as scanned", "Manual operations", "All kinds", "L1", "HOLD", "FEED", "SEQ",
                       "Log out"]  # fmt: skip
    set_language("de")
    retranslate(root)  # as a screen's changeEvent does at Qt's LanguageChange
    assert shown() == ["PUFFER", "ZURÜCKSTELLEN…", "OEM-ABRUF L1",
                       "Unterdrücken, Unterdrückung aufheben, außer Betrieb nehmen, wieder in Betrieb nehmen",
                       "VIN, Seriennummer oder Charge wie gescannt", "Handbedienungen", "Alle Arten", "L1", "HALT",
                       "ABRUF", "SEQ.", "Abmelden"]  # fmt: skip
    set_language(SOURCE_LANGUAGE)
    retranslate(root)
    assert shown() == english


def test_switching_language_changes_every_word_on_the_open_cockpit(
    qtbot: QtBot, publisher: BusPublisher, silent_service: str, tmp_path: Path
) -> None:
    """One open cockpit through every language and back (Qt's ``LanguageChange``): docks, menus, tables, headers,
    the overview, the login dialog and the confirmation, with no word of the language before left; the check fails
    on the window as it was before each switch."""
    with busy_cockpit(qtbot, publisher, silent_service, tmp_path) as (window, line):
        assert cockpit_left(qtbot, window, SOURCE_LANGUAGE, line) == []
        title = window.docks["deviations_dock"].windowTitle
        for language in TRANSLATED:
            assert cockpit_left(qtbot, window, language, line) != []  # not yet: the words are the language before
            set_language(language)
            assert current_language() == window.language == language
            cockpit_in(qtbot, window, line, language)
        set_language(SOURCE_LANGUAGE)
        assert title() == "Deviations and alarms"
        assert cockpit_left(qtbot, window, SOURCE_LANGUAGE, line) == []


def test_jis_hmi_gives_the_cockpit_and_the_engineers_view_their_language(
    jis: Callable[..., int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--lang`` reaches the screen for every role (tests/ui/test_engineer_languages.py starts the engineer's view
    in German for real)."""
    asked: dict[str, object] = {}
    monkeypatch.setattr(ui.main, "run_hmi", lambda *args, **kwargs: asked.update(kwargs) or 0)
    assert jis("hmi", "--role", "lead", "--lang", "de") == 0
    assert asked["role"] == "lead" and asked["language"] == "de"
    assert jis("hmi", "--role", "engineer", "--sim", "tcp://127.0.0.1:1", "--lang", "es") == 0
    assert asked["role"] == "engineer" and asked["language"] == "es"
