"""Touch targets in physical millimetres: sized from the screen's physical density, not its logical DPI (issue 18).

A 10.1" 1280x800 line panel has about 149.4 pixels per inch; Qt's logical DPI there is 96, so "15 mm" computed
from it is about 9.6 mm under the glove. ``ui.widgets.physical_dpi`` asks the screen (``QScreen``), falls back to
the logical DPI when the screen reports nonsense, and takes ``jis hmi --screen-dpi`` over both.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.cli.main import build_parser
from ui.command_client import CommandClient
from ui.operator.actions import OperatorActionBar
from ui.widgets import MM_PER_INCH, TOUCH_TARGET_MM, mm_to_px, physical_dpi, screen_dpi, set_screen_dpi

PANEL_10_INCH_DPI = math.hypot(1280, 800) / 10.1  # about 149.4 pixels per inch

# (physical dpi the screen reports, logical dpi, override) -> the density used
DENSITIES: tuple[tuple[float, float, float | None, float], ...] = (
    (PANEL_10_INCH_DPI, 96.0, None, PANEL_10_INCH_DPI),  # the screen tells the truth: use it
    (math.inf, 96.0, None, 96.0),  # no EDID: a size of 0 mm
    (0.0, 96.0, None, 96.0),
    (math.nan, 96.0, None, 96.0),
    (3000.0, 96.0, None, 96.0),  # a virtual screen's made-up size
    (100.0, 96.0, 160.0, 160.0),  # the command line's word wins
)


@pytest.mark.parametrize(("physical", "logical", "override", "used"), DENSITIES)
def test_the_density_used(physical: float, logical: float, override: float | None, used: float) -> None:
    assert screen_dpi(physical, logical, override) == used


@pytest.fixture
def no_override() -> Iterator[None]:
    set_screen_dpi(None)
    yield
    set_screen_dpi(None)


def mm_of(px: int, dpi: float) -> float:
    return px / dpi * MM_PER_INCH


def test_millimetres_come_from_the_screens_physical_density(qtbot: QtBot, no_override: None) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    screen = widget.screen()
    assert screen is not None
    physical = screen.physicalDotsPerInchY()  # the offscreen platform's: 100 (800 px over 203.2 mm)
    assert physical != widget.logicalDpiY()  # else this test could not tell the two apart
    assert physical_dpi(widget) == physical
    assert mm_to_px(widget, TOUCH_TARGET_MM) == round(TOUCH_TARGET_MM * physical / MM_PER_INCH)


def test_a_10_inch_panel_gets_15_mm_buttons(qtbot: QtBot, no_override: None) -> None:
    """At the 10" panel's density the operator's buttons are 15 mm high, not the 9.6 mm of the logical 96 dpi."""
    set_screen_dpi(PANEL_10_INCH_DPI)
    client = CommandClient("tcp://127.0.0.1:9")  # never started: the bar is only measured
    bar = OperatorActionBar(client)
    qtbot.addWidget(bar)
    heights = [mm_of(b.minimumHeight(), PANEL_10_INCH_DPI) for b in (*bar.buttons.values(), bar.login_button)]
    assert all(TOUCH_TARGET_MM - 0.5 <= h <= TOUCH_TARGET_MM + 0.5 for h in heights), heights
    assert mm_of(round(TOUCH_TARGET_MM * 96 / MM_PER_INCH), PANEL_10_INCH_DPI) < 10  # what the logical DPI gave


def test_a_screen_density_no_screen_has_is_refused(no_override: None) -> None:
    with pytest.raises(ValueError, match="not a screen's"):
        set_screen_dpi(5000.0)
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["hmi", "--screen-dpi", "0"])
    assert parser.parse_args(["hmi", "--screen-dpi", "149.4"]).screen_dpi == 149.4
