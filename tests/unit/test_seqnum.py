"""Sequence-number arithmetic across the wrap, exhaustively where cheap and by Hypothesis elsewhere."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sequencer.seqnum import ring_range, signed_distance, unwrap


def test_wrap_patterns_are_in_order():
    assert signed_distance(9998, 9999, 10000) == 1
    assert signed_distance(9999, 0, 10000) == 1
    assert signed_distance(65534, 1, 65536) == 3  # 65535 and 0 missing: a gap of two
    assert signed_distance(65534, 65535, 65536) == 1


def test_old_number_after_wrap_is_behind():
    assert signed_distance(1, 9999, 10000) == -2
    assert signed_distance(3, 9000, 10000) < 0


def test_ring_range_wraps():
    assert ring_range(9998, 4, 10000) == (9998, 9999, 0, 1)


@given(
    modulus=st.integers(min_value=2, max_value=1 << 20),
    last=st.integers(min_value=0),
    step=st.integers(min_value=-(1 << 19), max_value=1 << 19),
)
def test_distance_inverts_a_step_within_half_the_ring(modulus, last, step):
    last %= modulus
    if -(modulus // 2) < step <= modulus // 2:
        assert signed_distance(last, (last + step) % modulus, modulus) == step


@given(modulus=st.integers(min_value=4, max_value=70000), start=st.integers(min_value=0), n=st.integers(1, 300))
def test_unwrap_of_a_wrapping_stream_counts_up_by_one(modulus, start, n):
    seqs = ring_range(start % modulus, n, modulus)
    last, pos = seqs[0], 0
    for s in seqs[1:]:
        new = unwrap(last, pos, s, modulus)
        assert new == pos + 1
        last, pos = s, new
