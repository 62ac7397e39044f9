"""The quarantine's bounds (``[service.quarantine]``, docs/security.md "Quarantine and logs"): how much of a refused
frame a row keeps, how many rows and bytes one source may add in a window, and what is counted beyond that.

What it is for: ``app.service.intake`` asks ``Budget.admit`` before it keeps refused input. Within the source's
window's rows and bytes the frame gets its row (``kept``: at most ``keep_bytes`` of it, with its whole size and
SHA-256 in the row's detail, so nothing is hidden). Beyond them it is only counted; when the window is over
(``due``), each source that was counted gets one summary (its row, and a ``QuarantineFlood`` event for the core's one
flood alarm with the count). Memory is bounded: one window per source seen in the current window, at most
``SOURCES``; past that the sources beyond it share one (``OTHERS``): the windows are ``app.net.source_windows``'s.
What it must not do: store anything, read a clock (times are given) or decide what is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.net.source_windows import SourceWindows
from sequencer.plant import QuarantineConfig


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


class Budget:
    """Rows and bytes per source and window (``QuarantineConfig``); what is past them is counted."""

    def __init__(self, cfg: QuarantineConfig) -> None:
        self.cfg = cfg
        self._bounds = {"rows": cfg.rows_per_source, "bytes": cfg.bytes_per_source}
        self._windows = SourceWindows(cfg.window_s)
        self.counted = 0  # frames counted, not stored, in all (the metrics)

    def admit(self, source: str, size: int, reason: str, now: float) -> bool:
        """True: keep this frame (``size``: the bytes its row will hold). False: counted for the source's summary."""
        if self._windows.admit(source, now, reason, self._bounds, {"rows": 1, "bytes": size}):
            return True
        self.counted += 1
        return False

    def due(self, now: float, *, everything: bool = False) -> list[Summary]:
        """Summaries of the windows that are over (``everything``: of every window with something counted, at a
        stop); those sources start afresh."""
        return [
            # counted by reason in the order first counted: the first key is the first frame's reason
            Summary(w.source, w.past["rows"], w.past["bytes"], next(iter(w.counted)), w.start, w.last)
            for w in self._windows.due(now, everything=everything)
        ]
