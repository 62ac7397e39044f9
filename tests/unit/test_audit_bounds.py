"""The command channel's bounds on auditing unsigned requests and strangers' refused logins (``app.hmi.audit_bounds``):
per source, kind and window."""

from __future__ import annotations

from app.hmi.audit_bounds import LOGIN_ROWS_PER_SOURCE, OTHERS, ROWS_PER_SOURCE, SOURCES, WINDOW_S, AuditBudget


def test_a_source_is_audited_up_to_its_rows_then_counted_and_summed_once_the_window_is_over() -> None:
    budget = AuditBudget()
    admitted = [budget.admit("addr:10.0.0.9", "malformed", 100.0 + i * 0.01) for i in range(ROWS_PER_SOURCE + 7)]
    assert admitted == [True] * ROWS_PER_SOURCE + [False] * 7
    assert budget.admit("addr:10.0.0.9", "bad_token", 101.0) is False  # the same source, another unsigned result
    assert budget.admit("addr:10.0.0.8", "malformed", 101.0)  # another source has its own rows
    assert budget.admit("addr:10.0.0.9", "done", 101.0) and budget.admit("addr:10.0.0.9", "bad_login", 101.0)
    assert budget.due(100.0 + WINDOW_S - 1) == []
    (counted,) = budget.due(100.0 + WINDOW_S)
    assert (counted.source, counted.by_result, counted.count) == ("addr:10.0.0.9", {"malformed": 7, "bad_token": 1}, 8)
    assert "8 requests counted" in counted.detail and "bad_token 1, malformed 7" in counted.detail
    assert budget.admit("addr:10.0.0.9", "malformed", 100.0 + WINDOW_S)  # a fresh window
    assert budget.counted == {"unsigned": 8}


def test_a_window_over_with_nothing_counted_starts_afresh_and_a_stop_sums_up_everything() -> None:
    budget = AuditBudget()
    for i in range(ROWS_PER_SOURCE):
        assert budget.admit("k", "no_login", float(i))
    assert budget.admit("k", "no_login", WINDOW_S + 1)  # over, nothing counted: new window, no summary needed
    for _ in range(ROWS_PER_SOURCE):
        budget.admit("k", "no_login", WINDOW_S + 2)
    (counted,) = budget.due(WINDOW_S + 3, everything=True)
    assert counted.count == 1


def test_memory_is_bounded_the_sources_past_the_table_share_one() -> None:
    budget = AuditBudget()
    for i in range(SOURCES + 50):
        budget.admit(f"addr:{i}", "malformed", 0.0)
    for _ in range(ROWS_PER_SOURCE):
        budget.admit("addr:new", "malformed", 0.0)
    summaries = budget.due(WINDOW_S, everything=True)
    assert len(summaries) == 1 and summaries[0].source == OTHERS


def test_refused_logins_of_unknown_names_are_bounded_and_a_known_names_are_always_audited() -> None:
    """A password spray: one source's refused logins of names nobody has get their own lines a window, the rest
    counted into one line by result; every refused attempt of a known name is audited, whatever the count; a good
    login, or a refused one of another action, is never bounded; the unsigned bound is a budget of its own."""
    budget = AuditBudget()
    spray = [budget.admit("addr:10.0.0.9", "bad_login", 10.0, action="login") for _ in range(LOGIN_ROWS_PER_SOURCE)]
    assert spray == [True] * LOGIN_ROWS_PER_SOURCE
    assert not budget.admit("addr:10.0.0.9", "rate_limited", 11.0, action="login")
    assert not budget.admit("addr:10.0.0.9", "bad_badge", 11.0, action="badge_login")
    assert not budget.admit("addr:10.0.0.9", "busy", 11.0, action="login")
    assert all(budget.admit("addr:10.0.0.9", "rate_limited", 12.0, action="login", known=True) for _ in range(50))
    assert budget.admit("addr:10.0.0.9", "done", 12.0, action="login")
    assert budget.admit("addr:10.0.0.9", "error", 12.0, action="login")
    assert budget.admit("addr:10.0.0.9", "malformed", 12.0)  # unsigned: rows of its own
    assert budget.counted == {"login": 3}
    (counted,) = budget.due(10.0 + WINDOW_S)
    assert (counted.kind, counted.source, counted.count) == ("login", "addr:10.0.0.9", 3)
    assert counted.by_result == {"rate_limited": 1, "bad_badge": 1, "busy": 1}
    assert "3 refused logins of unknown names counted, not audited one by one" in counted.detail, counted.detail
