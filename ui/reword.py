"""Word an open window again in a new language: every text it shows that is a marked text, in the new language.

What it is for: a screen built with ``tr(...)`` here and there (the cockpit: hundreds of texts in its docks, menus,
tables, filters and forms) follows a switch of language at once (``ui.i18n.set_language``, Qt's ``LanguageChange``)
without each pane keeping the English source of every text. ``reword`` reads a shown text back to its English
source through the old language's ``.ts`` (its translation -> its source), and shows that source in the new
language; ``reword_window`` does it for every widget under a window: titles, labels, buttons, tool tips,
placeholders, combo box and list entries, table headers and cells, tabs, and the actions of its menus.
A text the screen shaped (in capitals, with a capital first letter, with ``…`` after it) is shaped again the same
way. A text given by ``ui.i18n.tr_text``/``tr_title`` is left to ``ui.i18n.retranslate`` (it knows its source).
What it must not do: touch what is data (a text no translation gives back: part numbers, vehicle ids, a filled-in
template such as ``Schicht Late …``, which its screen writes again from its data), or guess: a shown text that two
sources share and that the new language tells apart stays as it is.
"""

from __future__ import annotations

import ast
import functools
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QTabBar,
    QTableWidget,
    QWidget,
)

from ui.i18n import LANGUAGES, SOURCE_LANGUAGE, SOURCE_PROPERTY, TITLE_PROPERTY, tr, ts_path


@functools.cache
def sources(language: str) -> dict[str, tuple[str, ...]]:
    """A shown text in ``language`` -> the English sources that read so (English: every source, itself)."""
    found: defaultdict[str, set[str]] = defaultdict(set)
    for other in LANGUAGES:
        if other == SOURCE_LANGUAGE or (language != SOURCE_LANGUAGE and other != language):
            continue
        for message in ET.parse(ts_path(other)).getroot().iter("message"):
            source = message.findtext("source", "")
            shown = source if language == SOURCE_LANGUAGE else message.findtext("translation", "")
            if source and shown:
                found[shown].add(source)
    return {shown: tuple(sorted(them)) for shown, them in found.items()}


# How a screen may have shaped a translated text it shows: as it is, in capitals (a KPI's caption, a form's
# title), or with a capital first letter (a right-click menu's verb); each shaped again the same way.
SHAPES: tuple[Callable[[str], str], ...] = (str, str.upper, str.capitalize)
ELLIPSIS = "…"  # a verb that asks for more (a reason) before it acts: ``HOLD…``


@functools.cache
def _shaped(language: str, shape: Callable[[str], str]) -> dict[str, tuple[str, ...]]:
    found: defaultdict[str, set[str]] = defaultdict(set)
    for shown, them in sources(language).items():
        found[shape(shown)].update(them)
    return {shown: tuple(sorted(them)) for shown, them in found.items()}


MARKS = frozenset({"QT_TRANSLATE_NOOP", "translate"})  # the calls whose last text argument is a marked text


@functools.cache
def _marked_in(path: Path) -> frozenset[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args:
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            text = node.args[-1]
            if name in MARKS and isinstance(text, ast.Constant) and isinstance(text.value, str):
                found.add(text.value)
    return frozenset(found)


def marked_in(paths: Iterable[Path]) -> frozenset[str]:
    """Every text marked in the screen's modules ``paths``: a shown text that two screens' sources share (the
    cockpit's ``DUPLICATES``, the engineer's ``DUPLICATED``, both ``DUPLICADOS``) is read back to the one of these."""
    return frozenset().union(*(_marked_in(path) for path in paths))


def reword(text: str, was: str, among: frozenset[str] = frozenset()) -> str | None:
    """``text``, shown in language ``was``, in the current language; None if it is no marked text (data) or two
    sources (of ``among``, if any of them is) read so in ``was`` and differ in the current language."""
    if not text:
        return None
    for shape in SHAPES:
        candidates = _shaped(was, shape).get(text, ())
        if among and any(source in among for source in candidates):
            candidates = tuple(source for source in candidates if source in among)
        now = {shape(tr(source)) for source in candidates}
        if len(now) == 1:
            return now.pop()
        if now:
            return None
    if text.endswith(ELLIPSIS) and (head := reword(text[: -len(ELLIPSIS)], was, among)) is not None:
        return head + ELLIPSIS
    return None


def _again(text: str, was: str, write: object, among: frozenset[str]) -> None:
    new = reword(text, was, among)
    if new is not None and new != text:
        write(new)  # type: ignore[operator]


def reword_window(root: QWidget, was: str, among: frozenset[str] = frozenset()) -> None:
    """Every marked text under ``root`` (itself included), shown in ``was``, in the current language; ``among``:
    the texts its screen marks (``marked_in``), preferred where another screen's read the same."""
    for widget in (root, *root.findChildren(QWidget)):
        if not widget.property(TITLE_PROPERTY) and (widget.isWindow() or isinstance(widget, QDockWidget)):
            _again(widget.windowTitle(), was, widget.setWindowTitle, among)
        _again(widget.toolTip(), was, widget.setToolTip, among)
        if isinstance(widget, QLabel | QAbstractButton) and not widget.property(SOURCE_PROPERTY):
            _again(widget.text(), was, widget.setText, among)
        if isinstance(widget, QLineEdit):
            _again(widget.placeholderText(), was, widget.setPlaceholderText, among)
        if isinstance(widget, QMenu):
            _again(widget.title(), was, widget.setTitle, among)
        if isinstance(widget, QComboBox):
            for i in range(widget.count()):
                _again(widget.itemText(i), was, lambda text, i=i, box=widget: box.setItemText(i, text), among)
        if isinstance(widget, QTabBar):
            for i in range(widget.count()):
                _again(widget.tabText(i), was, lambda text, i=i, bar=widget: bar.setTabText(i, text), among)
        if isinstance(widget, QListWidget):
            for i in range(widget.count()):
                entry = widget.item(i)
                _again(entry.text(), was, entry.setText, among)
        elif isinstance(widget, QTableWidget):
            _reword_table(widget, was, among)
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            _redraw_model(widget)
    for action in root.findChildren(QAction):
        _again(action.text(), was, action.setText, among)
        _again(action.toolTip(), was, action.setToolTip, among)


def _reword_table(table: QTableWidget, was: str, among: frozenset[str]) -> None:
    for column in range(table.columnCount()):
        header = table.horizontalHeaderItem(column)
        if header is not None:
            _again(header.text(), was, header.setText, among)
        for row in range(table.rowCount()):
            item = table.item(row, column)
            if item is not None:
                _again(item.text(), was, item.setText, among)
                _again(item.toolTip(), was, item.setToolTip, among)


def _redraw_model(view: QAbstractItemView) -> None:
    """A model that words its texts when asked (``tr`` in ``data``/``headerData``) is asked again."""
    model = view.model()
    columns, rows = model.columnCount(), model.rowCount()
    if columns:
        model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, columns - 1)
        if rows:
            model.dataChanged.emit(model.index(0, 0), model.index(rows - 1, columns - 1))
    view.viewport().update()
