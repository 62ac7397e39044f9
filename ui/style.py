"""What every screen's look comes from: the one stylesheet, and where a screen remembers its size and layout.

What it is for: ``load_stylesheet`` (``style.qss``, shipped next to this module: pyproject
``[tool.setuptools.package-data]``, read with importlib.resources) and ``screen_settings`` (the ``QSettings`` one
role's screen keeps its geometry, docks, font scale and export folder in).
What it must not do: hold a colour or a font size (all of them are in ``style.qss``, keyed on dynamic properties),
or read anything from the environment.
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QSettings

SETTINGS_ORGANISATION = "jis-sequencer"


def load_stylesheet() -> str:
    """The one stylesheet, shipped next to this module."""
    return resources.files("ui").joinpath("style.qss").read_text(encoding="utf-8")


def screen_settings(role: str) -> QSettings:
    """Where the ``role``'s screen (operator, lead, engineer) remembers its look: one file per role."""
    return QSettings(SETTINGS_ORGANISATION, f"hmi-{role}")
