"""A bin tile's look as its light goes on and off (ISA-101: lit is inverse, lost communication greys it), and what
a light going on or off costs: nothing is re-polished and nothing moves, the tile is painted (issue 19's glass
figures)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

import ui.widgets
from sequencer.views import BinView
from ui.style import load_stylesheet
from ui.widgets import BinTile, apply_comm

# (lit, low, link up) -> the colour each text shows: each readable on its fill
LOOKS: dict[tuple[bool, bool, bool], dict[str, str]] = {
    (False, False, True): {"light": "#555555", "bin_id": "#262626", "part": "#404040", "stock": "#404040"},
    # a lit tile's stock is white on its #262626 fill, as its other texts (it was #404040: barely readable)
    (True, False, True): {
        "light": "#ffffff",
        "bin_id": "#ffffff",
        "part": "#ffffff",
        "tag": "#262626",
        "stock": "#ffffff",
    },
    (True, True, True): {"light": "#ffffff", "part": "#ffffff", "tag": "#262626", "stock": "#262626"},
    (False, True, True): {"light": "#555555", "stock": "#262626"},
    (True, True, False): {"light": "#e6e6e6", "bin_id": "#e6e6e6", "tag": "#e6e6e6", "stock": "#e6e6e6"},
    (True, False, False): {"bin_id": "#e6e6e6", "part": "#e6e6e6", "stock": "#e6e6e6"},
    (False, False, False): {"light": "#555555", "bin_id": "#8f8f8f", "part": "#404040"},
}

# (lit, link up) -> the tile's fill inside its outline: lit is inverse, and greyed while the link is lost
FILLS: dict[tuple[bool, bool], str] = {
    (False, True): "#e6e6e6",
    (True, True): "#262626",
    (False, False): "#e6e6e6",
    (True, False): "#9a9a9a",
}


def shown_colour(lab: QLabel) -> str:
    return lab.palette().color(lab.foregroundRole()).name()


@pytest.fixture
def tile(qtbot: QtBot) -> Iterator[BinTile]:
    window = QWidget()  # held here: the tile's window lives as long as the test
    window.setStyleSheet(load_stylesheet())
    qtbot.addWidget(window)
    tile = BinTile("SEAT-03", window)
    window.show()
    yield tile
    window.close()


def view(lit: bool, low: bool = False) -> BinView:
    stock = 3 if low else 30
    return BinView(id="SEAT-03", light=3, part="SEAT-LEATH-BLK-H", lit=lit, stock=stock, capacity=40, low=low)


@pytest.mark.parametrize(("lit", "low", "up"), list(LOOKS))
def test_a_tile_shows_its_light_in_its_colours(tile: BinTile, lit: bool, low: bool, up: bool) -> None:
    for step in (not lit, lit, not lit, lit):  # on and off again: a state reached from either side looks the same
        tile.show_bin(view(step, low))
    apply_comm(tile.window(), up)
    assert {name: shown_colour(getattr(tile, name)) for name in LOOKS[lit, low, up]} == LOOKS[lit, low, up]
    assert tile.grab().toImage().pixelColor(6, 6).name() == FILLS[lit, up]  # inside the outline (4 px when lit)
    assert tile.property("lit") is lit and tile.tag.isVisibleTo(tile) is lit


def test_a_light_going_on_or_off_repolishes_nothing_and_moves_nothing(
    tile: BinTile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lit face is painted, not polished in; the PICK tag comes and goes in a place kept for it."""
    tile.show_bin(view(False))
    QApplication.processEvents()
    unlit = (tile.sizeHint(), tile.bin_id.geometry())
    polished: list[QWidget] = []
    real = ui.widgets.repolish
    monkeypatch.setattr(ui.widgets, "repolish", lambda *ws: (polished.extend(ws), real(*ws)))
    tile.show_bin(view(True))
    QApplication.processEvents()
    assert tile.face.lit and (tile.sizeHint(), tile.bin_id.geometry()) == unlit
    tile.show_bin(view(False))
    assert polished == [] and not tile.face.lit
