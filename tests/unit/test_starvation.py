"""The starvation forecast (sequencer.starvation): monotone in stock, never later than the real starvation of the
open vehicles picked one per takt (Hypothesis)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sequencer.starvation import forecast, station_takt

BINS = ("A", "B", "C")
picks = st.lists(st.tuples(st.sampled_from(BINS), st.integers(1, 3)), max_size=40)
stocks = st.fixed_dictionaries({b: st.integers(0, 30) for b in BINS[:2]})  # "C" is a bin whose stock is not kept
draws = st.one_of(st.none(), st.fixed_dictionaries({b: st.floats(0.0, 3.0) for b in BINS[:2]}))
takts = st.floats(1.0, 600.0)


def actual_starvation(now: float, takt: float, stock: dict[str, int], open_picks: list[tuple[str, int]]) -> float:
    """The open vehicles picked one per takt from now: when one first finds its bin short (inf: never)."""
    left = dict(stock)
    for n, (bin_id, qty) in enumerate(open_picks):
        if bin_id in left:
            if left[bin_id] < qty:
                return now + n * takt
            left[bin_id] -= qty
    return float("inf")


@given(picks, stocks, draws, takts, st.sampled_from(BINS[:2]), st.integers(1, 20))
def test_more_stock_never_brings_the_forecast_earlier(open_picks, stock, draw, takt, bin_id, more) -> None:  # type: ignore[no-untyped-def]
    before = forecast(100.0, takt, stock, open_picks, draw)
    after = forecast(100.0, takt, {**stock, bin_id: stock[bin_id] + more}, open_picks, draw)
    if before is None:
        assert after is None
    else:
        assert after is None or after.at >= before.at


@given(picks, stocks, draws, takts)
def test_the_forecast_is_never_later_than_the_real_starvation(open_picks, stock, draw, takt) -> None:  # type: ignore[no-untyped-def]
    found = forecast(100.0, takt, stock, open_picks, draw)
    real = actual_starvation(100.0, takt, stock, open_picks)
    assert (found.at if found is not None else float("inf")) <= real
    if real != float("inf"):  # the open vehicles say it: the forecast is exact
        assert found is not None and found.at == real


def test_no_kept_bin_no_forecast() -> None:
    assert forecast(0.0, 60.0, {}, [("A", 1)] * 5, {"A": 1.0}) is None


def test_two_lines_feed_a_station_twice_as_fast() -> None:
    assert station_takt([60.0, 60.0]) == 30.0
