"""The fixed per-source windows the bounds on garbage share (``app.net.source_windows``): at most a bound a window,
the rest counted and handed back once, a bounded table."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from app.net.source_windows import OTHERS, SourceWindows

W = 10.0  # the window, in seconds: arrivals come at whole seconds, so they fall on its edges too

# arrivals: (source, seconds since the one before, whether the owner's tick asks for the windows due after it)
ARRIVALS = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(min_value=0, max_value=15), st.booleans()), max_size=80
)


def _run(
    windows: SourceWindows, bound: int, arrivals: list[tuple[str, int, bool]]
) -> tuple[dict[str, list[float]], Counter[str]]:
    """Feed the arrivals in; the times let through by source, and what the summaries counted by source."""
    let_through: dict[str, list[float]] = {}
    counted: Counter[str] = Counter()
    now = 0.0
    for source, gap, tick in arrivals:
        now += gap
        if windows.admit(source, now, "malformed", {"answers": bound}):
            let_through.setdefault(source, []).append(now)
        if tick:
            counted.update({w.source: w.counted.total() for w in windows.due(now)})
    counted.update({w.source: w.counted.total() for w in windows.due(now, everything=True)})
    return let_through, counted


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=4), ARRIVALS)
def test_a_source_is_let_through_at_most_its_bound_a_window_whatever_the_arrival_times(
    bound: int, arrivals: list[tuple[str, int, bool]]
) -> None:
    """A window starts at the first arrival let through after the last one is over, so the times let through fall
    into windows [s, s + W), each s the first time at or past the one before's end, with at most ``bound`` each.
    Any span of W seconds (which may straddle two windows) holds at most twice the bound. Nothing is lost: each
    arrival is let through or counted in a summary."""
    let_through, counted = _run(SourceWindows(W), bound, arrivals)
    for source, times in let_through.items():
        start, in_window = times[0], 0
        for t in times:
            if t >= start + W:
                start, in_window = t, 0
            in_window += 1
            assert in_window <= bound, (source, times)
        assert all(sum(1 for u in times if t <= u < t + W) <= 2 * bound for t in times), (source, times)
    arrived = Counter(source for source, _, _ in arrivals)
    assert Counter({s: len(t) for s, t in let_through.items()}) + counted == arrived


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=4), ARRIVALS)
def test_a_source_within_its_bound_in_every_span_of_a_window_is_never_counted(
    bound: int, arrivals: list[tuple[str, int, bool]]
) -> None:
    """A peer that never sends more than the bound in W seconds is let through every time, ticks or not."""
    kept: list[tuple[str, int, bool]] = []
    times: dict[str, list[float]] = {}
    now = carried = 0.0
    for source, gap, tick in arrivals:
        now += gap
        recent = [t for t in times.get(source, []) if t > now - W]
        if len(recent) < bound:  # within the bound in the span ending now: keep this arrival
            times.setdefault(source, []).append(now)
            kept.append((source, int(now - carried), tick))
            carried = now
    let_through, counted = _run(SourceWindows(W), bound, kept)
    assert not counted
    assert sum(len(t) for t in let_through.values()) == len(kept)


def test_past_a_bound_an_arrival_is_counted_with_what_it_would_have_used_and_summed_once_the_window_is_over() -> None:
    windows = SourceWindows(W)
    bounds = {"rows": 3, "bytes": 100}
    assert windows.admit("gw", 0.0, "not json", bounds, {"rows": 1, "bytes": 60})
    assert not windows.admit("gw", 1.0, "too large", bounds, {"rows": 1, "bytes": 50})  # past the bytes
    assert windows.admit("gw", 2.0, "not json", bounds, {"rows": 1, "bytes": 40})  # the rows and bytes still fit
    assert windows.due(W - 1) == []
    assert not windows.admit("gw", W + 1, "empty", bounds, {"rows": 1, "bytes": 0})  # fits, but over: counted
    (window,) = windows.due(W + 2)
    assert (window.source, window.start, window.last) == ("gw", 0.0, W + 1)
    assert list(window.counted.items()) == [("too large", 1), ("empty", 1)]  # in the order first counted
    assert window.used == {"rows": 2, "bytes": 100} and window.past == {"rows": 2, "bytes": 50}
    fresh = [windows.admit("gw", W + 2, "empty", bounds, {"rows": 1, "bytes": 0}) for _ in range(4)]
    assert fresh == [True, True, True, False]  # a fresh window, its rows then past them
    (window,) = windows.due(2 * W + 2)
    assert window.start == W + 2 and window.counted == {"empty": 1} and len(windows) == 0


def test_a_window_over_with_nothing_counted_starts_afresh_at_the_next_arrival() -> None:
    windows = SourceWindows(W)
    assert [windows.admit("k", t, "x", {"n": 1}) for t in (0.0, W - 0.5, W, W + 1)] == [True, False, False, False]
    windows.due(W + 1)
    assert windows.admit("k", W + 2, "x", {"n": 1})
    quiet = SourceWindows(W)
    assert quiet.admit("k", 0.0, "x", {"n": 1}) and quiet.admit("k", W, "x", {"n": 1})  # no due needed
    assert quiet.due(2 * W) == [] and len(quiet) == 0  # over with nothing counted: forgotten, no summary


def test_kinds_keep_a_sources_windows_apart_and_the_sources_past_the_table_share_one_a_kind() -> None:
    windows = SourceWindows(W, sources=3)
    assert windows.admit("s", 0.0, "malformed", {"rows": 1}, kind="unsigned")
    assert windows.admit("s", 0.0, "bad_login", {"rows": 1}, kind="login")  # the same source, its own kind
    assert windows.admit("t", 0.0, "malformed", {"rows": 1}, kind="unsigned")
    assert windows.admit("u", 0.0, "malformed", {"rows": 1}, kind="unsigned")  # the table is full: others
    assert not windows.admit("v", 0.0, "malformed", {"rows": 1}, kind="unsigned")  # others' one row is used
    assert windows.admit("w", 0.0, "bad_login", {"rows": 1}, kind="login")  # the login kind's others
    assert len(windows) == 5
    summaries = windows.due(W, everything=True)
    assert [(w.kind, w.source, w.counted) for w in summaries] == [("unsigned", OTHERS, {"malformed": 1})]
    assert len(windows) == 0
