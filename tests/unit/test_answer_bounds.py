"""The command channel's bound on answering unreadable requests nobody signed (``app.hmi.answer_bounds``): per
source, result and window."""

from __future__ import annotations

from app.hmi.answer_bounds import ANSWERS, OTHERS, SOURCES, WINDOW_S, AnswerBudget

BUDGET = ANSWERS["malformed"]


def test_a_source_is_answered_up_to_its_budget_then_counted_and_summed_once_the_window_is_over() -> None:
    budget = AnswerBudget()
    answered = [budget.answer("addr:10.0.0.9", "malformed", 100.0 + i * 0.01) for i in range(BUDGET + 7)]
    assert answered == [True] * BUDGET + [False] * 7
    assert budget.answer("addr:10.0.0.8", "malformed", 101.0)  # another source has its own answers
    assert budget.answer("addr:10.0.0.9", "malformed", 101.0, signed=True)  # a live session's: always answered
    for result in ("bad_token", "no_login", "done", "bad_login", "rate_limited", "busy", "error"):
        assert budget.answer("addr:10.0.0.9", result, 101.0), result  # a screen needs these to go on
    assert budget.due(100.0 + WINDOW_S - 1) == []
    (unanswered,) = budget.due(100.0 + WINDOW_S)
    assert (unanswered.source, unanswered.by_result, unanswered.count) == ("addr:10.0.0.9", {"malformed": 7}, 7)
    assert unanswered.detail == (
        f"source addr:10.0.0.9: 7 requests not answered in a 60 s window (malformed 7 past {BUDGET})"
    )
    assert budget.answer("addr:10.0.0.9", "malformed", 100.0 + WINDOW_S)  # a fresh window
    assert budget.unanswered == {"malformed": 7}


def test_a_window_over_with_nothing_unanswered_starts_afresh_and_a_stop_sums_up_everything() -> None:
    budget = AnswerBudget()
    for i in range(BUDGET):
        assert budget.answer("k", "malformed", float(i) / BUDGET)
    assert budget.answer("k", "malformed", WINDOW_S + 1)  # over, nothing unanswered: a new window, no line needed
    for _ in range(BUDGET):
        budget.answer("k", "malformed", WINDOW_S + 2)
    (unanswered,) = budget.due(WINDOW_S + 3, everything=True)
    assert unanswered.count == 1
    assert budget.due(WINDOW_S + 4, everything=True) == []


def test_memory_is_bounded_the_sources_past_the_table_share_one() -> None:
    budget = AnswerBudget()
    for i in range(SOURCES + 50):
        budget.answer(f"addr:{i}", "malformed", 0.0)
    assert [budget.answer("addr:new", "malformed", 0.0) for _ in range(BUDGET)].count(False) == 50
    lines = budget.due(WINDOW_S, everything=True)
    assert len(lines) == 1 and lines[0].source == OTHERS and lines[0].count == 50
