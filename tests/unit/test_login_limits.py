"""The failed-login limits (``app.hmi.login_limits``): per source and per user name, with backoff, usual screens
exempt from the name's count, bounded memory. Times are given, never read."""

from __future__ import annotations

import pytest

from app.hmi import login_limits
from app.hmi.login_limits import LIMITS, Limit, LoginLimits

SCREEN, ROGUE, OTHER = "addr:10.0.0.5", "addr:10.0.0.66", "addr:10.0.0.7"


def test_a_spraying_source_waits_and_nobody_else_does() -> None:
    limits = LoginLimits()
    limits.succeeded("lars", SCREEN)
    free = LIMITS["source"].free
    for i in range(free):
        assert limits.retry_after(f"name{i}", ROGUE, float(i)) == (0.0, "")
        limits.failed(f"name{i}", ROGUE, float(i))
    wait, why = limits.retry_after("anyone", ROGUE, float(free))
    assert wait == pytest.approx(LIMITS["source"].backoff_s - 1) and ROGUE in why
    assert limits.retry_after("lars", SCREEN, float(free)) == (0.0, "")
    assert limits.retry_after("olga", OTHER, float(free)) == (0.0, "")


def test_a_name_sprayed_from_elsewhere_waits_except_at_its_usual_screens() -> None:
    limits = LoginLimits()
    limits.succeeded("lars", SCREEN)
    for i in range(LIMITS["user"].free):  # from five hosts, one try each: no source reaches its own limit
        limits.failed("lars", f"addr:10.1.0.{i}", float(i))
    assert limits.retry_after("lars", OTHER, 5.0)[0] > 0  # a host lars never used waits for the name
    assert limits.retry_after("lars", SCREEN, 5.0) == (0.0, "")  # his own screen does not
    limits.failed("lars", SCREEN, 6.0)  # a mistyped password at his own screen counts for the screen, not the name
    assert limits.users.counts["lars"].last == 4.0 and limits.sources.counts[SCREEN].last == 6.0


def test_the_wait_doubles_at_each_failure_after_one_and_is_forgotten_in_quiet() -> None:
    limit = Limit(free=2, window_s=10.0, backoff_s=5.0, max_backoff_s=40.0)
    limits = LoginLimits({"source": limit, "user": limit})
    limits.succeeded("u", SCREEN)
    limits.failed("u", SCREEN, 0.0)
    limits.failed("u", SCREEN, 1.0)
    assert limits.retry_after("u", SCREEN, 1.0)[0] == pytest.approx(5.0)
    waits = []
    t = 6.0
    for _ in range(4):
        limits.failed("u", SCREEN, t)
        waits.append(limits.retry_after("u", SCREEN, t)[0])
        t += waits[-1]
    assert waits == [10.0, 20.0, 40.0, 40.0]
    t += limit.max_backoff_s + 1  # quiet for long enough: back to the free tries
    limits.failed("u", SCREEN, t)
    assert limits.retry_after("u", SCREEN, t) == (0.0, "")


def test_memory_is_bounded_and_fails_closed_except_at_a_usual_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(login_limits, "TRACKED", 3)
    monkeypatch.setattr(login_limits, "USUAL_PER_USER", 2)
    limits = LoginLimits()
    limits.succeeded("lars", SCREEN)
    for i in range(3):
        limits.failed(f"n{i}", f"addr:10.2.0.{i}", 0.0)
    assert len(limits.sources.counts) == 3 and len(limits.users.counts) == 3
    assert limits.retry_after("new", "addr:10.3.0.1", 1.0)[1] == "too many sources to track"
    assert limits.retry_after("lars", SCREEN, 1.0) == (0.0, "")  # his usual screen is never refused for room
    assert limits.retry_after("new", "addr:10.3.0.1", 1.0 + LIMITS["source"].max_backoff_s + 1) == (0.0, "")
    for screen in ("a", "b", "c"):
        limits.succeeded("olga", screen)
    assert list(limits.usual["olga"]) == ["b", "c"]
