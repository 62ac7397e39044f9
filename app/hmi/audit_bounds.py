"""How much of the requests nobody signed the command channel audits one line each: a bound per source and window.

What it is for: every request is audited before it is answered (``app.hmi.commands``), and each audit line is a
write on the service's one database thread, the journal's. A garbage flood on the command channel (no login
needed: malformed requests, bad or missing tokens) made one write per frame: 1,000 frames a second were 1,000
audit rows a second beside the journal, and an audit table that grew by the flood's size (the hostile campaign,
docs/security.md). Now a source (the screen's CURVE key, else its address) gets ``ROWS_PER_SOURCE`` such lines a
``WINDOW_S``; past them its requests are answered as before but only counted, and when the window is over one
line says how many, by result (``due``). Logins are not bounded here: the login limits make each refused attempt
cheap and each is audited (docs/security.md, "Logins").
What it must not do: read a clock (times are given), store anything, or bound a signed request (a user's intents
are always audited one by one). Memory: at most ``SOURCES`` windows; the sources past that share one (``OTHERS``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Final

BOUNDED: Final = frozenset({"malformed", "bad_token", "no_login"})  # results of requests nobody signed
ROWS_PER_SOURCE: Final = 20  # audit lines of such requests per source and window
WINDOW_S: Final = 60.0  # real seconds
SOURCES: Final = 1024
OTHERS: Final = "others"


@dataclass(slots=True)
class _Window:
    start: float
    rows: int = 0
    counted: Counter[str] = field(default_factory=Counter)  # result -> requests counted, not audited one by one
    last: float = 0.0


@dataclass(frozen=True, slots=True)
class Counted:
    """One source's requests counted, not audited one by one, in one window."""

    source: str
    by_result: dict[str, int]
    since: float
    until: float

    @property
    def count(self) -> int:
        return sum(self.by_result.values())

    @property
    def detail(self) -> str:
        results = ", ".join(f"{result} {n}" for result, n in sorted(self.by_result.items()))
        return (
            f"source {self.source}: {self.count} requests counted, not audited one by one, past {ROWS_PER_SOURCE} "
            f"a {WINDOW_S:.0f} s window ({results})"
        )


class AuditBudget:
    """Audit lines per source and window for the results in ``BOUNDED``; what is past them is counted."""

    def __init__(self) -> None:
        self._windows: dict[str, _Window] = {}
        self.counted = 0  # requests counted in all

    def admit(self, source: str, result: str, now: float) -> bool:
        """True: audit this request one line. False: counted for the source's line at the window's end."""
        if result not in BOUNDED:
            return True
        if source not in self._windows and len(self._windows) >= SOURCES:
            source = OTHERS
        window = self._windows.get(source)
        if window is None:
            window = self._windows[source] = _Window(start=now)
        if window.rows < ROWS_PER_SOURCE and now - window.start < WINDOW_S:
            window.rows += 1
            return True
        if now - window.start >= WINDOW_S and not window.counted:  # a new window (nothing to sum up first)
            self._windows[source] = _Window(start=now, rows=1)
            return True
        window.counted[result] += 1
        window.last = now
        self.counted += 1
        return False

    def due(self, now: float, *, everything: bool = False) -> list[Counted]:
        """The sources whose window is over (``everything``: every one, at a stop) and that had requests counted:
        one ``Counted`` each; those sources start afresh."""
        out: list[Counted] = []
        for source, w in list(self._windows.items()):
            if not everything and now - w.start < WINDOW_S:
                continue
            del self._windows[source]
            if w.counted:
                out.append(Counted(source, dict(w.counted), w.start, w.last))
        return out
