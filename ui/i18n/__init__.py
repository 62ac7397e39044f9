"""The screens' languages: Qt's translation system, the .ts sources in this folder, and the switch at run time.

What it is for: ``tr`` (a marked English source text in the current language), ``set_language`` (install the
translator of ``de``, ``es``, or none for ``en``, with Qt's own for its dialogs: every open widget gets a
``LanguageChange`` event), ``tr_text``
and ``retranslate`` (a widget remembers its English source in the ``tr_source`` property, so a switch of language
re-reads it), and ``compile_qm`` (the ``.qm`` Qt loads is compiled from the ``.ts`` source with
``pyside6-lrelease`` on first use, or by ``make i18n``: ``.qm`` files are build output and not in git).
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
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QLocale, QTranslator

if TYPE_CHECKING:  # compiling the .qm files (``make venv``) needs no GUI library
    from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

CONTEXT = "jis"
SOURCE_LANGUAGE = "en"
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch", "es": "Español"}  # code -> its own name
HERE = Path(__file__).resolve().parent
SOURCE_PROPERTY = "tr_source"  # a widget's English text, re-read at a switch of language
TITLE_PROPERTY = "tr_title"  # a window's English title
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


def tr_text(widget: QWidget, source: str) -> None:
    """Show ``source`` translated on ``widget`` (a label or button) and remember it for ``retranslate``."""
    widget.setProperty(SOURCE_PROPERTY, source)
    widget.setText(tr(source))  # type: ignore[attr-defined]


def tr_title(widget: QWidget, source: str) -> None:
    widget.setProperty(TITLE_PROPERTY, source)
    widget.setWindowTitle(tr(source))


def retranslate(root: QWidget) -> None:
    """Every text under ``root`` given by ``tr_text``/``tr_title`` again, in the current language."""
    from PySide6.QtWidgets import QWidget  # here: compiling the .qm files needs no GUI library

    for widget in (root, *root.findChildren(QWidget)):
        source = widget.property(SOURCE_PROPERTY)
        if isinstance(source, str) and source and hasattr(widget, "setText"):
            widget.setText(tr(source))
        title = widget.property(TITLE_PROPERTY)
        if isinstance(title, str) and title:
            widget.setWindowTitle(tr(title))


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
