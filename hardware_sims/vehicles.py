"""Simulated vehicles: a seeded option mix, realistic VINs and rolling sequence numbers.

Pure and deterministic: randomness comes only from the ``random.Random`` passed in, so a seed reproduces the
same vehicles. VINs follow ISO 3779 (17 characters, no I, O or Q) with the North American check digit at
position 9 (49 CFR 565.15), so a scanner or VIN decoder downstream accepts them.

It must not do I/O, read a clock or create its own random generator.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping

# ISO 3779: the VIN alphabet is 0-9 and A-Z without I, O and Q (they read like 1 and 0).
VIN_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPRSTUVWXYZ")
VIN_LENGTH = 17
CHECK_POSITION = 8  # 0-based index of position 9

# 49 CFR 565.15(c): letter -> value for the check-digit sum (digits stand for themselves) ...
_TRANSLITERATION: dict[str, int] = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
# ... and the weight of each position (position 9, the check digit itself, weighs 0).
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)

# 49 CFR 565.15(a): model-year code at position 10, a 30-year cycle from 1980 (no I, O, Q, U, Z or 0).
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
_YEAR_CYCLE_START = 1980
SERIAL_DIGITS = 6  # positions 12-17


class VinError(ValueError):
    """A VIN part that cannot be used (wrong length or a character outside the ISO 3779 alphabet)."""


def _check_chars(text: str, what: str) -> None:
    bad = sorted(set(text) - VIN_ALPHABET)
    if bad:
        raise VinError(f"{what} {text!r}: characters {''.join(bad)!r} are not allowed in a VIN (ISO 3779)")


def check_digit(vin: str) -> str:
    """The check digit for a 17-character VIN (the character at position 9 is ignored): '0'-'9' or 'X'."""
    if len(vin) != VIN_LENGTH:
        raise VinError(f"VIN {vin!r} has {len(vin)} characters, not {VIN_LENGTH}")
    _check_chars(vin, "VIN")
    remainder = sum(_TRANSLITERATION[c] * w for c, w in zip(vin, _WEIGHTS, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def is_valid_vin(vin: str) -> bool:
    """17 characters of the ISO 3779 alphabet with a correct check digit at position 9."""
    try:
        return vin[CHECK_POSITION] == check_digit(vin)
    except (VinError, IndexError):
        return False


def model_year_code(year: int) -> str:
    """Position 10: 2001 -> '1', 2010 -> 'A', 2019 -> 'K' (the code repeats every 30 years)."""
    if year < _YEAR_CYCLE_START:
        raise VinError(f"model year {year} is before {_YEAR_CYCLE_START}")
    return _YEAR_CODES[(year - _YEAR_CYCLE_START) % len(_YEAR_CODES)]


class VinFactory:
    """VINs for one plant and model: WMI + VDS + check digit + year + plant code + a serial counting up.

    The serial (positions 12-17) wraps after 999999, as a plant's production number does.
    """

    def __init__(
        self,
        *,
        wmi: str = "1JS",
        vds: str = "GDM9A",
        model_year: int = 2025,
        plant: str = "P",
        first_serial: int = 1,
    ) -> None:
        for part, text, length in (("WMI", wmi, 3), ("VDS", vds, 5), ("plant code", plant, 1)):
            if len(text) != length:
                raise VinError(f"{part} {text!r} must be {length} characters")
            _check_chars(text, part)
        self._prefix = wmi + vds
        self._suffix = model_year_code(model_year) + plant
        self.serial = first_serial % 10**SERIAL_DIGITS

    def vin_for(self, serial: int) -> str:
        """The VIN this factory gives the vehicle with ``serial``."""
        body = f"{self._prefix}0{self._suffix}{serial % 10**SERIAL_DIGITS:0{SERIAL_DIGITS}d}"
        return body[:CHECK_POSITION] + check_digit(body) + body[CHECK_POSITION + 1 :]

    def next_vin(self) -> str:
        vin = self.vin_for(self.serial)
        self.serial = (self.serial + 1) % 10**SERIAL_DIGITS
        return vin


class VehicleMix:
    """Draws each vehicle's option codes: one code from every option group ('' in a group means none).

    ``option_mix`` is the plant file's ``simulation.option_mix``, e.g.
    ``{"seat": ("S1", "S2", "S3"), "heat": ("", "HEAT")}``. Groups are drawn in the mapping's order, so the
    same seed and mix give the same vehicles.
    """

    def __init__(self, option_mix: Mapping[str, tuple[str, ...]], rng: random.Random) -> None:
        empty = [group for group, codes in option_mix.items() if not codes]
        if empty:
            raise ValueError(f"option groups with no codes: {', '.join(empty)}")
        self._groups = tuple((group, tuple(codes)) for group, codes in option_mix.items())
        self._rng = rng

    def next_options(self) -> tuple[str, ...]:
        drawn = (self._rng.choice(codes) for _, codes in self._groups)
        return tuple(code for code in drawn if code)


def next_seq(seq: int, modulus: int) -> int:
    """The number after ``seq`` on a feed that wraps at ``modulus`` (9999 -> 0 at 10000)."""
    return (seq + 1) % modulus


def seq_numbers(start: int, modulus: int) -> Iterator[int]:
    """start, start+1, ... wrapping at ``modulus``; endless."""
    if modulus < 2:
        raise ValueError("modulus must be at least 2")
    seq = start % modulus
    while True:
        yield seq
        seq = next_seq(seq, modulus)
