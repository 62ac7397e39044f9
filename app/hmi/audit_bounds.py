"""How much of the command channel's unsigned requests and refused logins is audited one line each: a bound per
source, kind and window.

What it is for: every request is audited before it is answered (``app.hmi.commands``), and each audit line is a
write on the service's one database thread, the journal's. A garbage flood on the command channel (no login
needed: malformed requests, bad or missing tokens) made one write per frame: 1,000 frames a second were 1,000
audit rows a second beside the journal, and an audit table that grew by the flood's size (the hostile campaign,
docs/security.md). A password spray did the same, one line per refused attempt. The rule is a table (``BOUNDS``),
one row per kind: a source (the screen's CURVE key, else its address) gets ``rows`` lines of that kind a
``WINDOW_S``; past them its requests are answered as before but only counted, and when the window is over one
line says how many, by result (``due``). A refused login of a KNOWN name (a user, or a badge some user holds) is
never bounded: a lead must see every attempt on a real account; what is counted are the guesses.
What it must not do: read a clock (times are given), store anything, look names up (the caller says ``known``), or
bound a signed request (a user's intents are always audited one by one). Memory: at most ``SOURCES`` windows; the
sources past that share one (``OTHERS``); the windows are ``app.net.source_windows``'s.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Final, Literal, cast

from app.net.source_windows import OTHERS as OTHERS  # the source of the sources past the table
from app.net.source_windows import SOURCES, SourceWindows

Kind = Literal["unsigned", "login"]


@dataclass(frozen=True, slots=True)
class Bound:
    """``rows`` lines a source and window for the ``results`` of this kind (logins: of ``actions`` only)."""

    results: frozenset[str]
    rows: int
    actions: frozenset[str] | None = None  # None: whatever the action
    what: str = "requests"


BOUNDS: Final[dict[Kind, Bound]] = {
    # requests nobody signed
    "unsigned": Bound(frozenset({"malformed", "bad_token", "no_login"}), rows=20),
    # refused logins of names no user has (a password spray's guesses); a known name's are always audited
    "login": Bound(
        frozenset({"bad_login", "bad_badge", "rate_limited", "busy"}),
        rows=20,
        actions=frozenset({"login", "badge_login"}),
        what="refused logins of unknown names",
    ),
}
ROWS_PER_SOURCE: Final = BOUNDS["unsigned"].rows  # audit lines of unsigned requests per source and window
LOGIN_ROWS_PER_SOURCE: Final = BOUNDS["login"].rows  # audit lines of unknown names' refused logins, the same
WINDOW_S: Final = 60.0  # real seconds


def kind_of(result: str, action: str) -> Kind | None:
    """The bound an audit line of ``result`` for ``action`` falls under, None if it is always audited."""
    for kind, bound in BOUNDS.items():
        if result in bound.results and (bound.actions is None or action in bound.actions):
            return kind
    return None


@dataclass(frozen=True, slots=True)
class Counted:
    """One source's requests of one kind counted, not audited one by one, in one window."""

    source: str
    by_result: dict[str, int]
    since: float
    until: float
    kind: Kind = "unsigned"

    @property
    def count(self) -> int:
        return sum(self.by_result.values())

    @property
    def detail(self) -> str:
        bound = BOUNDS[self.kind]
        results = ", ".join(f"{result} {n}" for result, n in sorted(self.by_result.items()))
        return (
            f"source {self.source}: {self.count} {bound.what} counted, not audited one by one, past {bound.rows} "
            f"a {WINDOW_S:.0f} s window ({results})"
        )


class AuditBudget:
    """Audit lines per source, kind and window (``BOUNDS``); what is past them is counted."""

    def __init__(self) -> None:
        self._windows = SourceWindows(WINDOW_S, SOURCES)  # a source's audit rows of each kind, one window a kind
        self.counted: Counter[Kind] = Counter()  # requests counted in all, by kind (the metrics)

    def bounded(self, result: str, action: str = "") -> bool:
        """Whether such a line is under a bound at all (then a login's caller must say whether the name is known)."""
        return kind_of(result, action) is not None

    def admit(self, source: str, result: str, now: float, *, action: str = "", known: bool = False) -> bool:
        """True: audit this request one line. False: counted for the source's line at the window's end. ``known``:
        a login of a name some user has (always audited)."""
        kind = kind_of(result, action)
        if kind is None or (kind == "login" and known):
            return True
        if self._windows.admit(source, now, result, {"rows": BOUNDS[kind].rows}, kind=kind):
            return True
        self.counted[kind] += 1
        return False

    def due(self, now: float, *, everything: bool = False) -> list[Counted]:
        """The sources whose window is over (``everything``: every one, at a stop) and that had requests counted:
        one ``Counted`` each (per kind); those sources start afresh."""
        return [
            Counted(w.source, dict(w.counted), w.start, w.last, cast(Kind, w.kind))  # admitted under a Kind
            for w in self._windows.due(now, everything=everything)
        ]
