"""The screens' languages: Qt's translation system, the .ts sources in this folder, and the switch at run time.

What it is for: ``tr`` (a marked English source text in the current language), ``set_language`` (install the
translator of ``de``, ``es``, or none for ``en``, with Qt's own for its dialogs: every open widget gets a
``LanguageChange`` event), ``tr_text``, ``tr_title``, ``tr_tip``, ``tr_placeholder``, ``tr_item`` and
``tr_headers`` and ``retranslate`` (a widget, an action, a combo box's or list's entry or a table's header keeps its
English source, in a property or an item role, so a switch of language re-reads it; a screen's own ``changeEvent``
says again what it composed from its data), and ``compile_qm`` (the ``.qm`` Qt loads is compiled from the ``.ts``
source with ``pyside6-lrelease`` on first use, or by ``make i18n``: ``.qm`` files are build output and not in git).
Every text a screen shows is marked where it is written, ``QT_TRANSLATE_NOOP("jis", "...")`` or
``QCoreApplication.translate("jis", "...")``, one context ``jis``, so ``pyside6-lupdate`` finds them all
(docs/languages.md: how to add a text or a language).
What it must not do: translate what the plant or the line says (part numbers, vehicle ids, the values in the core's
sentences: data, shown as sent; the sentences themselves are templates, ``ui.words.sentence``), or fail a screen for a
language it cannot load (it stays English and says why in the log).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QObject, Qt, QTranslator

if TYPE_CHECKING:  # compiling the .qm files (``make venv``) needs no GUI library
    from PySide6.QtWidgets import QComboBox, QLineEdit, QListWidget, QTableWidget, QWidget

log = logging.getLogger(__name__)

CONTEXT = "jis"
SOURCE_LANGUAGE = "en"
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch", "es": "Español"}  # code -> its own name
HERE = Path(__file__).resolve().parent
SOURCE_PROPERTY = "tr_source"  # a widget's English text, re-read at a switch of language
TITLE_PROPERTY = "tr_title"  # a window's English title
TIP_PROPERTY = "tr_tip"  # a widget's English tool tip
PLACEHOLDER_PROPERTY = "tr_placeholder"  # an edit field's English placeholder
SHAPE_PROPERTY = "tr_shape"  # how a text is shaped once translated: a key of SHAPES
VALUES_PROPERTY = "tr_values"  # a template's values (data, shown as sent): {name: text}
TIP_VALUES_PROPERTY = "tr_tip_values"
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 100  # an item's English source: a combo box's or list's entry, a header
# How a widget shows its translated source: as it is, in capitals (a KPI tile's caption, a form's title), with
# "…" (a verb that asks for a reason before it acts), or as a menu entry (a capital first letter) that does.
SHAPES: dict[str, Callable[[str], str]] = {
    "": lambda text: text,
    "upper": str.upper,
    "more": lambda text: f"{text}…",
    "entry": str.capitalize,
    "entry more": lambda text: f"{text.capitalize()}…",
}
LRELEASE_TIMEOUT_S = 60.0

_installed: list[QTranslator] = []  # the one translator in use (kept referenced: Qt does not own it)
_current = [SOURCE_LANGUAGE]


def ts_path(language: str) -> Path:
    return HERE / f"jis_{language}.ts"


def language_of(code: str | None) -> str:
    """``de_DE``, ``DE``, ``es-MX`` -> ``de``/``es``; empty or unknown -> ``""`` (the caller's default)."""
    short = (code or "").strip().replace("-", "_").split("_")[0].lower()
    return short if short in LANGUAGES else ""


def tr(source: str) -> str:
    """``source`` (an English text marked for lupdate) in the current language; itself when not translated."""
    return QCoreApplication.translate(CONTEXT, source)


def shaped(source: str, shape: str = "", values: dict[str, str] | None = None) -> str:
    """``source`` in the current language, filled in with ``values`` if it is a template, shaped as
    ``SHAPES[shape]`` says."""
    text = tr(source)
    return SHAPES[shape](text.format(**values) if values else text)


def tr_text(widget: QObject, source: str, shape: str = "", **values: object) -> None:
    """Show ``source`` translated (a template: filled in with ``values``, data shown as sent; and shaped) on
    ``widget`` (a label, a button, an action) and remember it for ``retranslate``."""
    kept = {name: str(value) for name, value in values.items()}
    widget.setProperty(SOURCE_PROPERTY, source)
    widget.setProperty(SHAPE_PROPERTY, shape)
    widget.setProperty(VALUES_PROPERTY, kept)
    widget.setText(shaped(source, shape, kept))  # type: ignore[attr-defined]


def tr_title(widget: QWidget, source: str) -> None:
    widget.setProperty(TITLE_PROPERTY, source)
    widget.setWindowTitle(tr(source))


def tr_tip(widget: QObject, source: str, **values: object) -> None:
    """``widget``'s tool tip: ``source`` translated (a template: filled in with ``values``), for ``retranslate``."""
    kept = {name: str(value) for name, value in values.items()}
    widget.setProperty(TIP_PROPERTY, source)
    widget.setProperty(TIP_VALUES_PROPERTY, kept)
    widget.setToolTip(shaped(source, "", kept))  # type: ignore[attr-defined]


def tr_placeholder(edit: QLineEdit, source: str) -> None:
    edit.setProperty(PLACEHOLDER_PROPERTY, source)
    edit.setPlaceholderText(tr(source))


def tr_item(box: QComboBox | QListWidget, source: str, data: object = None) -> None:
    """Add an entry showing ``source`` translated to a combo box (with ``data``) or a list, remembering it."""
    from PySide6.QtWidgets import QComboBox  # here: compiling the .qm files needs no GUI library

    if isinstance(box, QComboBox):
        box.addItem(tr(source), data)
        box.setItemData(box.count() - 1, source, SOURCE_ROLE)
    else:
        box.addItem(tr(source))
        box.item(box.count() - 1).setData(SOURCE_ROLE, source)


def tr_headers(table: QTableWidget, sources: Sequence[str]) -> None:
    """``table``'s column headers, translated, each remembering its source."""
    table.setHorizontalHeaderLabels([tr(source) for source in sources])
    for column, source in enumerate(sources):
        item = table.horizontalHeaderItem(column)
        if item is not None:  # setHorizontalHeaderLabels made one for each
            item.setData(SOURCE_ROLE, source)


def retranslate(root: QWidget) -> None:
    """Every text under ``root`` (itself included) given by the ``tr_*`` functions again, in the current language:
    texts, titles, tool tips, placeholders, combo box and list entries, table headers, and the actions' texts."""
    from PySide6.QtGui import QAction  # here: compiling the .qm files needs no GUI library
    from PySide6.QtWidgets import QComboBox, QListWidget, QTableWidget, QWidget

    for widget in (root, *root.findChildren(QWidget)):
        _again(widget)
        title = widget.property(TITLE_PROPERTY)
        if isinstance(title, str) and title:
            widget.setWindowTitle(tr(title))
        placeholder = widget.property(PLACEHOLDER_PROPERTY)
        if isinstance(placeholder, str) and placeholder:
            widget.setPlaceholderText(tr(placeholder))  # type: ignore[attr-defined]
        if isinstance(widget, QComboBox):
            for i in range(widget.count()):
                if isinstance(source := widget.itemData(i, SOURCE_ROLE), str):
                    widget.setItemText(i, tr(source))
        elif isinstance(widget, QListWidget):
            for i in range(widget.count()):
                if isinstance(source := widget.item(i).data(SOURCE_ROLE), str):
                    widget.item(i).setText(tr(source))
        elif isinstance(widget, QTableWidget):
            for column in range(widget.columnCount()):
                item = widget.horizontalHeaderItem(column)
                if item is not None and isinstance(source := item.data(SOURCE_ROLE), str):
                    item.setText(tr(source))
    for action in root.findChildren(QAction):
        _again(action)


def _again(thing: QObject) -> None:
    """A widget's or an action's own text and tool tip again, if it keeps their sources."""
    source = thing.property(SOURCE_PROPERTY)
    if isinstance(source, str) and source and hasattr(thing, "setText"):
        shape = thing.property(SHAPE_PROPERTY)
        shape = shape if isinstance(shape, str) and shape in SHAPES else ""
        thing.setText(shaped(source, shape, _values(thing, VALUES_PROPERTY)))
    tip = thing.property(TIP_PROPERTY)
    if isinstance(tip, str) and tip:
        thing.setToolTip(shaped(tip, "", _values(thing, TIP_VALUES_PROPERTY)))  # type: ignore[attr-defined]


def _values(thing: QObject, name: str) -> dict[str, str]:
    values = thing.property(name)
    return {str(k): str(v) for k, v in values.items()} if isinstance(values, dict) else {}


def current_language() -> str:
    return _current[0]


def set_language(code: str | None) -> str:
    """Install ``code``'s translator (none for English) on the application; returns the language now in use.
    A language whose ``.qm`` cannot be made or loaded leaves the screens English (logged), never stops them."""
    language = language_of(code) or SOURCE_LANGUAGE
    if language == _current[0] and (language == SOURCE_LANGUAGE or _installed):
        return language
    app = QCoreApplication.instance()
    for old in _installed:
        if app is not None:
            QCoreApplication.removeTranslator(old)
    _installed.clear()
    _current[0] = SOURCE_LANGUAGE
    if language != SOURCE_LANGUAGE:
        translator = QTranslator()
        qm = compiled(language)
        if qm is None or not translator.load(str(qm)):
            log.warning("language %s: %s could not be loaded; the screens stay English", language, qm)
            if app is not None:  # the English texts back on every widget
                QCoreApplication.installTranslator(QTranslator())
            return SOURCE_LANGUAGE
        QCoreApplication.installTranslator(translator)
        _installed.append(translator)
        qt_own = QTranslator()  # Qt's own words (a file dialog's buttons, an edit field's menu), shipped with PySide6
        if qt_own.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            QCoreApplication.installTranslator(qt_own)
            _installed.append(qt_own)
        _current[0] = language
        QLocale.setDefault(QLocale(language))
    else:
        QLocale.setDefault(QLocale(QLocale.Language.English))
        if app is not None:  # removing a translator sends LanguageChange; with none installed, one empty does too
            empty = QTranslator()
            QCoreApplication.installTranslator(empty)
            QCoreApplication.removeTranslator(empty)
    if app is not None:  # the widgets' LanguageChange events are posted: delivered now, so the switch is done here
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange.value)
    return _current[0]


# --- .ts -> .qm -------------------------------------------------------------------------------------------------


def lrelease() -> list[str]:
    """The command that compiles a .ts (PySide6 ships Qt's lrelease next to its package, and a wrapper script)."""
    import PySide6

    shipped = Path(PySide6.__file__).resolve().parent / "lrelease"
    if shipped.is_file():
        return [str(shipped)]
    script = Path(sys.executable).parent / "pyside6-lrelease"
    found = str(script) if script.is_file() else shutil.which("pyside6-lrelease")
    if found is None:
        raise FileNotFoundError("pyside6-lrelease not found (it comes with PySide6)")
    return [found]


def compile_qm(language: str, out_dir: Path | None = None) -> Path:
    """Compile ``jis_<language>.ts`` into ``out_dir`` (default: next to it); returns the ``.qm``. Written beside it
    first and renamed into place, so a screen starting at the same moment never loads half a file."""
    source = ts_path(language)
    target = (out_dir or HERE) / f"jis_{language}.qm"
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".qm-") as scratch:
        made = Path(scratch) / target.name
        subprocess.run(
            [*lrelease(), "-silent", str(source), "-qm", str(made)],
            check=True,
            timeout=LRELEASE_TIMEOUT_S,
            capture_output=True,
        )
        made.replace(target)
    return target


def compiled(language: str) -> Path | None:
    """The ``.qm`` of ``language``, compiled now if it is missing or older than its ``.ts`` (next to the sources,
    or in a cache folder if that is read-only); None if there is no source or it cannot be compiled."""
    source = ts_path(language)
    if not source.is_file():
        return None
    cache = Path(tempfile.gettempdir()) / "jis-sequencer-i18n"
    for folder in (HERE, cache):
        qm = folder / f"jis_{language}.qm"
        if qm.is_file() and qm.stat().st_mtime >= source.stat().st_mtime:
            return qm
        try:
            return compile_qm(language, folder)
        except (OSError, subprocess.SubprocessError) as exc:
            log.info("language %s: compiling into %s failed (%s)", language, folder, exc)
    return None


def main(argv: list[str] | None = None) -> int:
    """``python -m ui.i18n``: compile every language's .qm (``make i18n``, and the install)."""
    for language in LANGUAGES:
        if language != SOURCE_LANGUAGE:
            print(compile_qm(language))
    return 0


if __name__ == "__main__":
    sys.exit(main())
