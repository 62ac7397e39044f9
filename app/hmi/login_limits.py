"""Failed-login limits that cannot lock a plant out: per source and per user name, with backoff, no global lockout.

What it is for: ``app.hmi.commands`` asks ``LoginLimits.retry_after`` before a login reaches the hash thread and
tells it each result. A *source* is who the command channel knows sent the request (``app.hmi.wire.Peer.source``:
the screen's CURVE key, else its network address). The limits are a table (``LIMITS``), one row per bucket:

- ``source``: a screen (or a host) that fails ``free`` times within ``window_s`` waits ``backoff_s``, doubling at
  each further round up to ``max_backoff_s``. A spray from one rogue source stops that source, nobody else.
- ``user``: failures against one user name from sources that are not the user's usual screens count for the name:
  past ``free`` the name waits too, but **only from the other sources**. A source where the user logged in before
  (learned on each good login, and at start from the audit log's good logins) is one of its usual screens and
  never waits for the name's count, so a spray against a lead's name from elsewhere cannot keep the lead out
  of their own screen (only that screen's own failures, its ``source`` row, can).

There is no overall limit: the hash thread's queue (``LOGIN_QUEUE`` in ``app.hmi.commands``) bounds the CPU, and
a source that is waiting is refused before it reaches that queue. Memory is bounded: at most ``TRACKED`` sources and
names and ``USUAL_PER_USER`` usual screens per user; when a table is full, entries with nothing to remember go
first, and a new source or name that still cannot be tracked is refused (fail closed), except a user at one of
their usual screens.
What it must not do: read a clock (times are given), hash passwords, or audit (the command channel does both).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Final, Literal

Bucket = Literal["source", "user"]


@dataclass(frozen=True, slots=True)
class Limit:
    """``free`` failures within ``window_s``, then a wait of ``backoff_s``; after it each failure waits again,
    twice as long each time up to ``max_backoff_s``, until ``max_backoff_s`` have passed without a failure."""

    free: int
    window_s: float
    backoff_s: float
    max_backoff_s: float


# OWASP ASVS v4 2.2.1 (anti-automation without a lockout an attacker can trigger): a person mistyping at a screen
# gets ten tries a minute; a name tried from elsewhere five.
LIMITS: Final[dict[Bucket, Limit]] = {
    "source": Limit(free=10, window_s=60.0, backoff_s=30.0, max_backoff_s=900.0),
    "user": Limit(free=5, window_s=60.0, backoff_s=30.0, max_backoff_s=900.0),
}
TRACKED: Final = 4096  # sources, and user names, remembered at most each
USUAL_PER_USER: Final = 8  # screens a user is known to log in from (the newest kept)


@dataclass(slots=True)
class _Count:
    """One source's or name's failures: those within the window, its current wait, and how many rounds so far."""

    fails: deque[float] = field(default_factory=deque)
    blocked_until: float = 0.0
    rounds: int = 0
    last: float = 0.0


class _Table:
    """The counts of one bucket, bounded."""

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.counts: dict[str, _Count] = {}

    def wait(self, key: str, now: float) -> float:
        count = self.counts.get(key)
        return max(0.0, count.blocked_until - now) if count is not None else 0.0

    def room_for(self, key: str, now: float) -> bool:
        """Whether ``key`` is tracked or can be (forgetting what has nothing left to remember)."""
        if key in self.counts or len(self.counts) < TRACKED:
            return True
        quiet = now - self.limit.max_backoff_s
        for k in [k for k, c in self.counts.items() if c.blocked_until <= now and c.last <= quiet]:
            del self.counts[k]
        return len(self.counts) < TRACKED

    def failed(self, key: str, now: float) -> None:
        if not self.room_for(key, now):
            return
        lim = self.limit
        count = self.counts.setdefault(key, _Count())
        if now - count.last > lim.max_backoff_s:
            count.rounds = 0
        count.last = now
        while count.fails and count.fails[0] <= now - lim.window_s:
            count.fails.popleft()
        count.fails.append(now)
        if len(count.fails) >= lim.free or count.rounds:  # after a wait, the next failure waits again, longer
            count.fails.clear()
            count.blocked_until = now + min(lim.backoff_s * 2**count.rounds, lim.max_backoff_s)
            count.rounds += 1


class LoginLimits:
    """Failed logins per source and per user name (``LIMITS``), in bounded memory, with usual screens exempt from
    the name's count."""

    def __init__(self, limits: dict[Bucket, Limit] | None = None) -> None:
        limits = limits or LIMITS
        self.sources = _Table(limits["source"])
        self.users = _Table(limits["user"])
        self.usual: OrderedDict[str, OrderedDict[str, None]] = OrderedDict()  # user -> its usual sources

    def is_usual(self, user: str, source: str) -> bool:
        return source in self.usual.get(user, ())

    def retry_after(self, user: str, source: str, now: float) -> tuple[float, str]:
        """(seconds until this user may try from this source, why); (0, "") if now."""
        usual = self.is_usual(user, source)
        wait = self.sources.wait(source, now)
        if wait > 0:
            return wait, f"source {source} failed {self.sources.limit.free} times"
        if not usual:
            wait = self.users.wait(user, now)
            if wait > 0:
                return wait, f"user {user} failed {self.users.limit.free} times from other screens"
        if not self.sources.room_for(source, now) and not usual:
            return self.sources.limit.window_s, "too many sources to track"
        if not usual and not self.users.room_for(user, now):
            return self.users.limit.window_s, "too many user names to track"
        return 0.0, ""

    def failed(self, user: str, source: str, now: float) -> None:
        self.sources.failed(source, now)
        if not self.is_usual(user, source):
            self.users.failed(user, now)

    def succeeded(self, user: str, source: str) -> None:
        """A good login: ``source`` becomes (or stays) one of the user's usual screens."""
        screens = self.usual.setdefault(user, OrderedDict())
        screens[source] = None
        screens.move_to_end(source)
        self.usual.move_to_end(user)
        while len(screens) > USUAL_PER_USER:
            screens.popitem(last=False)
        while len(self.usual) > TRACKED:
            self.usual.popitem(last=False)
