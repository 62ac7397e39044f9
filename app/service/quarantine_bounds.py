"""The quarantine's bounds (``[service.quarantine]``, docs/security.md "Quarantine and logs"): how much of a refused
frame a row keeps, how many rows and bytes one source may add in a window, and what is counted beyond that.

What it is for: ``app.service.intake`` asks ``Budget.admit`` before it keeps refused input. Within the source's
window's rows and bytes the frame gets its row (``kept``: at most ``keep_bytes`` of it, with its whole size and
SHA-256 in the row's detail, so nothing is hidden). Beyond them it is only counted; when the window is over
(``due``), each source that was counted gets one summary (its row, and a ``QuarantineFlood`` event for the core's one
flood alarm with the count). Memory is bounded: one entry per source seen in the current window, at most
``SOURCES``; past that the sources beyond it share one entry (``OTHERS``).
What it must not do: store anything, read a clock (times are given) or decide what is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from sequencer.plant import QuarantineConfig

SOURCES: Final = 1024  # sources watched at once
OTHERS: Final = "others"  # the entry the sources past ``SOURCES`` share


@dataclass(frozen=True, slots=True)
class Kept:
    """What a row keeps of a frame: its first ``keep_bytes``, and in ``detail`` its whole size and digest."""

    raw: bytes
    detail: dict[str, object]


def kept(raw: bytes, keep_bytes: int) -> Kept:
    detail: dict[str, object] = {"size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
    if len(raw) > keep_bytes:
        detail["kept"] = keep_bytes
    return Kept(raw[:keep_bytes], detail)


@dataclass(frozen=True, slots=True)
class Summary:
    """One source's frames counted, not stored, in one window."""

    source: str
    count: int
    size: int
    reason: str  # the first one's
    since: float
    until: float

    @property
    def message(self) -> str:
        return (
            f"flood from {self.source}: {self.count} refused frames ({self.size} bytes) counted, not stored, "
            f"past the quarantine's rows or bytes per source; the first: {self.reason}"
        )


@dataclass(slots=True)
class _Window:
    start: float
    rows: int = 0
    size: int = 0
    counted: int = 0
    counted_size: int = 0
    first_reason: str = ""
    last: float = 0.0


class Budget:
    """Rows and bytes per source and window (``QuarantineConfig``); what is past them is counted."""

    def __init__(self, cfg: QuarantineConfig) -> None:
        self.cfg = cfg
        self._windows: dict[str, _Window] = {}
        self.counted = 0  # frames counted, not stored, in all (the metrics)

    def admit(self, source: str, size: int, reason: str, now: float) -> bool:
        """True: keep this frame (``size``: the bytes its row will hold). False: counted for the source's summary."""
        if source not in self._windows and len(self._windows) >= SOURCES:
            source = OTHERS
        window = self._windows.get(source)
        if window is None or now - window.start >= self.cfg.window_s:
            if window is not None and window.counted:
                return self._count(window, size, reason, now)  # its summary is due first: keep counting till then
            window = self._windows[source] = _Window(start=now)
        if window.rows < self.cfg.rows_per_source and window.size + size <= self.cfg.bytes_per_source:
            window.rows += 1
            window.size += size
            return True
        return self._count(window, size, reason, now)

    def _count(self, window: _Window, size: int, reason: str, now: float) -> bool:
        if not window.counted:
            window.first_reason = reason
        window.counted += 1
        window.counted_size += size
        window.last = now
        self.counted += 1
        return False

    def due(self, now: float, *, everything: bool = False) -> list[Summary]:
        """Summaries of the windows that are over (``everything``: of every window with something counted, at a
        stop); those sources start afresh."""
        summaries: list[Summary] = []
        for source, w in list(self._windows.items()):
            if not everything and now - w.start < self.cfg.window_s:
                continue
            del self._windows[source]
            if w.counted:
                summaries.append(Summary(source, w.counted, w.counted_size, w.first_reason, w.start, w.last))
        return summaries
