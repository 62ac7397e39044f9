"""Suite-wide settings: Qt offscreen unless a display is given, pyqtgraph on PySide6, never PyQt."""

from __future__ import annotations

import os

from hypothesis import settings

# The suite is repeatable: Hypothesis draws the same examples on every run (campaigns with fresh randomness are
# `jis fuzz`'s job). Set HYPOTHESIS_PROFILE=explore to search afresh.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
