"""A badge's key (what the audit log and the login limits name it by) never names a user, nor gives the badge away."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.hmi.accounts import BADGE_PATTERN, NAME_PATTERN, PIN_PATTERN, badge_digest, badge_key
from app.hmi.login_limits import LIMITS, LoginLimits

BADGES = st.from_regex(BADGE_PATTERN, fullmatch=True)


@given(BADGES)
def test_a_badge_key_is_never_a_user_name_and_never_the_badge(badge: str) -> None:
    key = badge_key(badge)
    assert not NAME_PATTERN.fullmatch(key)  # ':' is not in a user name: a badge's failures never count against one
    assert badge.strip() not in key and key == f"badge:{badge_digest(badge)[:16]}"


@given(BADGES)
def test_the_blanks_and_enter_a_reader_adds_are_not_the_badge(badge: str) -> None:
    assert badge_key(f" {badge}\r\n") == badge_key(badge)


def test_a_pin_is_four_to_eight_digits() -> None:
    assert [bool(PIN_PATTERN.fullmatch(p)) for p in ("123", "1234", "12345678", "123456789", "12a4", "١٢٣٤")] == [
        False, True, True, False, False, False
    ]  # fmt: skip


def test_failed_pins_on_one_badge_make_only_that_badge_wait() -> None:
    limits, now = LoginLimits(), 1000.0
    olga, lars = badge_key("04A1B2C3D4E5F6"), badge_key("EMP-000815")
    for _ in range(LIMITS["user"].free):
        limits.failed(olga, "addr:10.0.0.9", now)
    assert limits.retry_after(olga, "addr:10.0.0.9", now)[0] > 0
    assert limits.retry_after(lars, "addr:10.0.0.9", now) == (0.0, "")  # another badge at the same panel
    assert limits.retry_after("olga", "addr:10.0.0.9", now) == (0.0, "")  # her password login is another key
