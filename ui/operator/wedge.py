"""A keyboard-wedge (HID) hand scanner on the operator panel: a scan told apart from typing.

A wedge scanner types its read as keystrokes, a burst far faster than a hand types (a few milliseconds between
keys; a person needs 100 ms or more), ended by Enter. ``WedgeBuffer`` is the rule, with the time given to it:
printable characters within ``MAX_GAP_S`` of each other, then Enter within ``MAX_GAP_S``, at least ``MIN_LENGTH``
of them, is one scan; a slower key starts the burst over (so keys typed by hand never become a scan, and a scan
right after some typing is still whole). ``WedgeCatcher`` is the Qt side: an event filter on the operator
window and its panel that feeds it every key press and emits ``scanned(code)``. It keeps the printable keys
(the panel has no field for them, and a key kept is not seen twice on its way up from the panel to the window)
and the Enter that ends a scan; any other key goes on. It watches only while someone is logged in (``active``):
before that, the keys a reader types are a badge's and open the badge login (``ui.main.OperatorWindow``). The login
dialog is a window of its own: never watched.
What it must not do: send anything (the action bar does: ``ScanPart``), or read the clock other than through
its ``clock`` (tests give one).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent

MAX_GAP_S = 0.05  # longest pause between two keys of one scan (wedge scanners: 1-10 ms a key)
MIN_LENGTH = 4  # fewer characters before Enter is a key pressed by hand, not a part's code
MAX_LENGTH = 512  # a longer burst is cut here (the service refuses longer scans)
ENTER_KEYS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter})


class WedgeBuffer:
    """The keys of a burst so far, and the time of the last one."""

    def __init__(self, max_gap_s: float = MAX_GAP_S, min_length: int = MIN_LENGTH) -> None:
        self._max_gap_s, self._min_length = max_gap_s, min_length
        self._chars: list[str] = []
        self._last = float("-inf")

    @property
    def in_burst(self) -> bool:
        return bool(self._chars)

    def char(self, text: str, at: float) -> None:
        """A printable character typed at ``at`` (seconds)."""
        if at - self._last > self._max_gap_s:
            self._chars = []  # too slow after the last key: typing, or a new burst
        if len(self._chars) < MAX_LENGTH:
            self._chars.append(text)
        self._last = at

    def enter(self, at: float) -> str | None:
        """Enter at ``at``: the scan it ends, or None (typing, or too short)."""
        chars, last = self._chars, self._last
        self._chars, self._last = [], float("-inf")
        if len(chars) >= self._min_length and at - last <= self._max_gap_s:
            return "".join(chars)
        return None


class WedgeCatcher(QObject):
    """Install on a widget (``widget.installEventFilter(catcher)``): its key presses are watched for scans."""

    scanned = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        clock: Callable[[], float] = time.monotonic,
        active: Callable[[], bool] = lambda: True,
    ) -> None:
        super().__init__(parent)
        self.buffer = WedgeBuffer()
        self.clock = clock
        self.active = active  # False: every key goes on untouched (to the badge login while nobody is logged in)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent) or not self.active():
            return False
        at = self.clock()
        if event.key() in ENTER_KEYS:
            code = self.buffer.enter(at)
            if code is not None:
                self.scanned.emit(code)
                return True
            return False
        text = event.text()
        if len(text) == 1 and text.isprintable():
            self.buffer.char(text, at)
            return True
        return False
