"""The command channel's bound on auditing unsigned requests (``app.hmi.audit_bounds``): per source and window."""

from __future__ import annotations

from app.hmi.audit_bounds import OTHERS, ROWS_PER_SOURCE, SOURCES, WINDOW_S, AuditBudget


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
    assert budget.counted == 8


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
