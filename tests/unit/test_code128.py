"""ui.code128 against published encodings: ISO/IEC 15417 Figure 1 ("AIM") and GS1 General Specifications figures.

The module strings are the symbols as printed (1 bar, 0 space, no quiet zone), as the zint project's test suite
records them from those figures; the GS1 ones exercise subset C and FNC1 through ``modules_of``.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.code128 import FNC1, PATTERNS, START, STOP, Code128Error, bars, checksum, modules, modules_of, symbol_values

AIM = "11010010000101000110001100010001010111011000101110110001100011101011"  # ISO/IEC 15417:2007 Figure 1
DIGITS_B = (
    "1101001000010011100110110011100101100101110011001001110110111001001100111010011101101110111010011001110010110010"
    "011101100101000110001100011101011"
)
DIGITS_C = "110100111001011001110010001011000111000101101100001010011011110110100111100101100011101011"

# GS1 General Specifications figures: start C, FNC1, then the digits in pairs (subset C).
GS1_FIGURES: tuple[tuple[str, str], ...] = (
    ("901528", "1101001110011110101110110111101101011100110011100110100111001100101100011101011"),  # 6.6.5-5 mid
    ("42045458", "110100111001111010111010110111000100100011001110101100011101100010111100100101100011101011"),
    ("10123456", "110100111001111010111011001000100101100111001000101100011100010110110010000101100011101011"),
    (
        "0109501101530003",  # AI 01 + GTIN
        "11010011100111101011101100110110011001001000110001011101100010010011001101100110111011101101100110010010011000"
        "100110100001100011101011",
    ),  # 5.1-3
    (
        "00395123451234567895",  # AI 00 + SSCC
        "11010011100111101011101101100110011010001000110111010001110110111010111011000101100111001000101100011100010110"
        "1100001010010111101000101111000101100011101011",
    ),  # 5.4.2-1
)  # fmt: skip


def test_aim_is_the_iso_figure() -> None:
    assert modules("AIM") == AIM
    assert symbol_values("AIM") == [104, 33, 41, 45, 45, 106]  # start B, A, I, M, check 45, stop


def test_digits_in_subset_b_and_c() -> None:
    assert modules("1234567890") == DIGITS_B
    assert modules("1234567890", "C") == DIGITS_C


@pytest.mark.parametrize(("digits", "expected"), GS1_FIGURES)
def test_gs1_figures_through_start_c_and_fnc1(digits: str, expected: str) -> None:
    values = [START["C"], FNC1, *(int(digits[i : i + 2]) for i in range(0, len(digits), 2))]
    assert modules_of([*values, checksum(values), STOP]) == expected


def test_every_pattern_is_eleven_modules_and_unique() -> None:
    assert len(PATTERNS) == 107
    assert all(len(p) == 6 and sum(map(int, p)) == 11 for p in PATTERNS[:STOP])
    assert sum(map(int, PATTERNS[STOP])) == 13 and len(set(PATTERNS)) == 107
    # bars carry an even number of modules, spaces an odd one (the parity check readers use)
    assert all(sum(int(w) for w in p[0:6:2]) % 2 == 0 for p in PATTERNS[:STOP])


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=30))
def test_width_and_bars_follow_from_the_length(data: str) -> None:
    mods = modules(data)
    assert len(mods) == 11 * (len(data) + 3) + 2  # start + data + check, 11 each; stop 13
    assert mods.startswith("11010010000") and mods.endswith("1100011101011")
    assert sum(width for _, width in bars(data)) == mods.count("1")


@pytest.mark.parametrize(("data", "subset"), [("é", "B"), ("\x1f", "B"), ("123", "C"), ("12a4", "C"), ("12", "A")])
def test_what_a_subset_cannot_carry_is_refused(data: str, subset: str) -> None:
    with pytest.raises(Code128Error):
        modules(data, subset)
