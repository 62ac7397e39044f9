"""Simulated vehicles: VIN check digits against real VINs, the seeded option mix, sequence wrap-around."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardware_sims.vehicles import (
    VIN_ALPHABET,
    VehicleMix,
    VinError,
    VinFactory,
    check_digit,
    is_valid_vin,
    model_year_code,
    next_seq,
    seq_numbers,
)

# Real VINs with a correct North American check digit; the first is the textbook example (check digit X).
REAL_VINS = ("1M8GDM9AXKP042788", "1HGCM82633A004352", "5GZCZ43D13S812715", "JH4KA7561PC008269")
MIX = {"seat": ("S1", "S2", "S3"), "heat": ("", "HEAT"), "paint": ("P040", "P1A2"), "pdc": ("", "PDC")}


@pytest.mark.parametrize("vin", REAL_VINS)
def test_real_vins_pass_the_check_digit(vin: str) -> None:
    assert is_valid_vin(vin)
    assert check_digit(vin) == vin[8]


def test_textbook_vin_check_digit_is_x() -> None:
    assert check_digit("1M8GDM9AXKP042788") == "X"
    assert check_digit("11111111111111111") == "1"  # every weight times 1: 89 mod 11 = 1


@pytest.mark.parametrize(
    "vin",
    [
        "1M8GDM9A0KP042788",  # wrong check digit
        "1M8GDM9AXKP042789",  # one serial digit changed
        "1M8GDM9AXKP04278",  # 16 characters
        "1M8GDM9AXKP0427880",  # 18 characters
        "1M8GDM9AXKO042788",  # O is not in the ISO 3779 alphabet
        "IM8GDM9AXKP042788",  # nor is I
        "WP0ZZZ99ZTS392124",  # a European VIN: no check digit at position 9
        "",
    ],
)
def test_invalid_vins_are_refused(vin: str) -> None:
    assert not is_valid_vin(vin)


def test_check_digit_refuses_letters_outside_the_alphabet() -> None:
    with pytest.raises(VinError, match="'Q'"):
        check_digit("1M8GDM9AXKQ042788")


def test_factory_vins_are_valid_and_count_up() -> None:
    factory = VinFactory(wmi="1M8", vds="GDM9A", model_year=2019, plant="P", first_serial=42787)
    vins = [factory.next_vin() for _ in range(3)]
    assert vins[1] == "1M8GDM9AXKP042788"  # the textbook VIN is serial 042788 of this model
    assert all(is_valid_vin(v) and len(v) == 17 for v in vins)
    assert [v[11:] for v in vins] == ["042787", "042788", "042789"]
    assert {v[9] for v in vins} == {"K"}
    assert {v[10] for v in vins} == {"P"}


def test_factory_serial_wraps_after_six_digits() -> None:
    factory = VinFactory(first_serial=999_999)
    assert [factory.next_vin()[11:] for _ in range(2)] == ["999999", "000000"]


@pytest.mark.parametrize(("year", "code"), [(1980, "A"), (2000, "Y"), (2001, "1"), (2010, "A"), (2019, "K")])
def test_model_year_codes(year: int, code: str) -> None:
    assert model_year_code(year) == code


@pytest.mark.parametrize(
    "kwargs", [{"wmi": "1M"}, {"vds": "GDM9"}, {"plant": "O"}, {"wmi": "1Q8"}, {"model_year": 1979}]
)
def test_factory_refuses_bad_parts(kwargs: dict[str, object]) -> None:
    with pytest.raises(VinError):
        VinFactory(**kwargs)  # type: ignore[arg-type]


@settings(derandomize=True, max_examples=200)
@given(
    wmi=st.text(alphabet=sorted(VIN_ALPHABET), min_size=3, max_size=3),
    vds=st.text(alphabet=sorted(VIN_ALPHABET), min_size=5, max_size=5),
    serial=st.integers(min_value=0, max_value=999_999),
)
def test_every_factory_vin_is_valid(wmi: str, vds: str, serial: int) -> None:
    vin = VinFactory(wmi=wmi, vds=vds).vin_for(serial)
    assert is_valid_vin(vin)
    assert set(vin) <= VIN_ALPHABET


def test_mix_is_reproducible_from_the_seed() -> None:
    draws_a = _draw(MIX, seed=7, n=200)
    draws_b = _draw(MIX, seed=7, n=200)
    assert draws_a == draws_b
    assert _draw(MIX, seed=8, n=200) != draws_a


def test_mix_draws_one_code_per_group_and_skips_none() -> None:
    draws = _draw(MIX, seed=3, n=500)
    for options in draws:
        assert len([c for c in options if c in MIX["seat"]]) == 1
        assert len([c for c in options if c in MIX["paint"]]) == 1
        assert "" not in options
    everything = {c for options in draws for c in options}
    assert everything == {c for codes in MIX.values() for c in codes if c}  # 500 draws reach every code


def test_mix_refuses_an_empty_group() -> None:
    with pytest.raises(ValueError, match="paint"):
        VehicleMix({"seat": ("S1",), "paint": ()}, random.Random(1))


def test_seq_numbers_wrap_at_the_modulus() -> None:
    numbers = seq_numbers(9998, 10000)
    assert [next(numbers) for _ in range(4)] == [9998, 9999, 0, 1]
    assert next_seq(9999, 10000) == 0
    assert next_seq(41, 10000) == 42


def test_seq_numbers_start_is_taken_modulo() -> None:
    assert next(seq_numbers(10001, 10000)) == 1


def _draw(mix: dict[str, tuple[str, ...]], *, seed: int, n: int) -> list[tuple[str, ...]]:
    vehicles = VehicleMix(mix, random.Random(seed))
    return [vehicles.next_options() for _ in range(n)]
