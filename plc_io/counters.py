"""Device counters that wrap (a light's press counter, a PLC's END PRINT count): how far one moved since a reading.

What it is for: the one rule every driver and map reads counters by, so a Modbus light, an OPC UA bin and the
printer PLC agree on it: the counter is the truth (never a latch or a pulse a poll can miss), it wraps at its
register's size, and a jump of more than ``JUMP_LIMIT`` between two readings is not people pressing or a printer
printing but a device that restarted (or garbage): the count starts over from the device's new value.
What it must not do: read devices, clocks or anything else; it is arithmetic on two readings.
"""

from __future__ import annotations

JUMP_LIMIT = 1024  # more counts than this between two readings: the device restarted, not 1,025 presses or labels


def moved(baseline: int, counter: int, modulus: int) -> int:
    """How far ``counter`` moved since ``baseline``, wrapping at ``modulus`` (a counter behind its baseline moved
    almost a whole turn, which ``JUMP_LIMIT`` then refuses)."""
    return (counter - baseline) % modulus


def counted_since(baseline: int, counter: int, modulus: int) -> int:
    """The counts since ``baseline``; after a jump past ``JUMP_LIMIT`` (or backwards: a restart) the counts since
    the device's restart, which is its counter itself."""
    delta = moved(baseline, counter, modulus)
    return delta if delta <= JUMP_LIMIT else counter
