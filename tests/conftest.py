"""Suite-wide settings: Qt offscreen unless a display is given, pyqtgraph on PySide6, never PyQt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
