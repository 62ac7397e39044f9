"""Rolling sequence numbers: comparison across the wrap (9998, 9999, 0, 1 is in order).

The classic bug is comparing raw numbers: after a wrap an *old* number looks *new*. Every comparison here goes
through the signed distance on the ring, so a number half the modulus or more behind is never taken as new.
What it must not do: compare raw sequence numbers, or know a feed (the modulus comes in as an argument).
"""

from __future__ import annotations


def signed_distance(last: int, seq: int, modulus: int) -> int:
    """How far ``seq`` lies after ``last`` on the ring: 1 is the next number, <= 0 is behind or equal.

    The ring is split in half: distances in (-modulus/2, modulus/2] are taken literally.
    """
    d = (seq - last) % modulus
    return d if d <= modulus // 2 else d - modulus


def ring_range(first: int, count: int, modulus: int) -> tuple[int, ...]:
    """``count`` numbers from ``first`` on, wrapping at ``modulus``."""
    return tuple((first + i) % modulus for i in range(count))


def unwrap(last_seq: int, last_position: int, seq: int, modulus: int) -> int:
    """The ever-increasing position of ``seq``, given the position of the last accepted number."""
    return last_position + signed_distance(last_seq, seq, modulus)
