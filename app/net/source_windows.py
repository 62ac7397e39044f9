"""Fixed windows per source, with bounds: how much one source may use in a window, what it sends past that is
counted, and each window that counted something handed back once for its summary. Shared by the three bounds on
garbage: answering it (``app.net.answer_bounds``), auditing it (``app.hmi.audit_bounds``) and quarantining it
(``app.service.quarantine_bounds``); each keeps its own table of bounds, its totals (the metrics) and its summary.

The rules, in one place so that the three cannot drift apart:
- a source's window starts at its first arrival and lasts ``window_s``. Within it an arrival is let through while
  every measure it uses (answers of a result, audit rows, quarantine rows and bytes) stays within that measure's
  bound; else it is counted, under a name the caller gives (a result, a reason: ``counted``, in the order first
  counted), with what it would have used (``past``);
- a window over with nothing counted starts afresh at the source's next arrival; one over with something counted
  counts every arrival until ``due`` has handed it back, so nothing is let through before that count is summed up;
- a ``kind`` splits a source's windows (the audit bounds unsigned requests and refused logins apart);
- memory: at most ``sources`` windows; a source that finds the table full shares one with the others, ``OTHERS``
  (one for each kind).
What it must not do: read a clock (times are given), store or log anything, or know what its measures mean.
Not for the login limits (``app.hmi.login_limits``): there a failure counts for a window after it (a sliding log),
a wait follows the bound, and a source past the table is refused rather than pooled.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

SOURCES: Final = 1024  # windows at once, by default
OTHERS: Final = "others"  # the source the sources past the table share


@dataclass(slots=True)
class Window:
    """One source's window: what it let through (``used``, by measure), what it counted past its bounds
    (``counted``, by the caller's name; ``past``, what those would have used, by measure) and when it last counted."""

    source: str
    kind: str
    start: float
    used: Counter[str] = field(default_factory=Counter)
    counted: Counter[str] = field(default_factory=Counter)
    past: Counter[str] = field(default_factory=Counter)
    last: float = 0.0


class SourceWindows:
    """Windows of ``window_s`` per source and kind, at most ``sources`` of them."""

    def __init__(self, window_s: float, sources: int = SOURCES) -> None:
        self.window_s = window_s
        self.sources = sources
        self._windows: dict[tuple[str, str], Window] = {}

    def __len__(self) -> int:
        return len(self._windows)

    def admit(
        self,
        source: str,
        now: float,
        name: str,
        bounds: Mapping[str, int],
        use: Mapping[str, int] | None = None,
        *,
        kind: str = "",
    ) -> bool:
        """True: let through, its ``use`` (by measure; one of each bounded measure if not given) added to its
        window's. False: past a bound, or its window is over and not yet summed up: counted under ``name``."""
        key = (kind, source)
        if key not in self._windows and len(self._windows) >= self.sources:
            key = (kind, OTHERS)
        window = self._windows.get(key)
        over = window is not None and now - window.start >= self.window_s
        if window is None or (over and not window.counted):
            window = self._windows[key] = Window(key[1], kind, now)
            over = False
        if use is None:
            use = dict.fromkeys(bounds, 1)
        if not over and all(window.used[m] + use.get(m, 0) <= bound for m, bound in bounds.items()):
            window.used.update(use)
            return True
        window.counted[name] += 1
        window.past.update(use)
        window.last = now
        return False

    def due(self, now: float, *, everything: bool = False) -> list[Window]:
        """The windows over (``everything``: every one, at a stop) that counted something, for their summaries;
        every window over is forgotten, so its source starts afresh."""
        out: list[Window] = []
        for key, window in list(self._windows.items()):
            if not everything and now - window.start < self.window_s:
                continue
            del self._windows[key]
            if window.counted:
                out.append(window)
        return out
