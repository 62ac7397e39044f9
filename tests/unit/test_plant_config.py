"""The plant file: the demo plant loads; typos and broken references are errors that name the key."""

from __future__ import annotations

import pytest

from app.config import load_plant
from sequencer.alarm_points import alarm_timings
from sequencer.deviations import KINDS
from sequencer.plant import PlantConfigError, parse_plant
from tests.plants import DEMO_PLANT


def demo_text() -> str:
    return DEMO_PLANT.read_text()


def test_shipped_demo_plant_loads():
    plant = load_plant()
    assert [f.id for f in plant.feeds] == ["L1"]
    assert {f.id for f in plant.families} == {"seats", "bumper"}


def test_typo_in_a_key_names_file_and_key():
    text = demo_text().replace("rack_capacity = 6", "rack_capacty = 6")
    with pytest.raises(PlantConfigError) as err:
        parse_plant(text, "plant.toml")
    assert "plant.toml:28: families.0.rack_capacty: unknown key 'rack_capacty'; valid here:" in str(err.value)
    assert "plant.toml:24: families.0.rack_capacity: Field required" in str(err.value)


def test_part_in_unknown_bin_is_named():
    text = demo_text().replace('bin = "SEAT-04"', 'bin = "SEAT-99"')
    with pytest.raises(PlantConfigError, match=r"parts\.SEAT-SPORT-RED\.bin: unknown bin 'SEAT-99'"):
        parse_plant(text, "plant.toml")


def test_rules_with_the_same_condition_overlap():
    text = demo_text() + '\n[[options]]\nfamily = "seats"\nall_of = ["S1"]\npart = "SEAT-SPORT-RED"\n'
    with pytest.raises(PlantConfigError, match="overlaps an earlier rule"):
        parse_plant(text, "plant.toml")


def test_bad_toml_names_the_file():
    with pytest.raises(PlantConfigError, match=r"broken\.toml: not valid TOML"):
        parse_plant("[plant\n", "broken.toml")


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(PlantConfigError, match="cannot read plant file"):
        load_plant(tmp_path / "nope.toml")


def test_a_relative_sqlite_database_is_read_beside_the_plant_file(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "plant.toml").write_text(
        demo_text().replace('database = "sqlite:///jis-demo.db"', 'database = "sqlite:///journal/jis.db?timeout=5"')
    )
    loaded = load_plant(tmp_path / "site" / "plant.toml")
    assert loaded.service.database == f"sqlite:///{tmp_path / 'site' / 'journal' / 'jis.db'}?timeout=5"
    assert load_plant().service.database == "sqlite:///jis-demo.db", "the shipped plant: the current folder"
    absolute = demo_text().replace("sqlite:///jis-demo.db", f"sqlite:///{tmp_path / 'a.db'}")
    (tmp_path / "abs.toml").write_text(absolute)
    assert load_plant(tmp_path / "abs.toml").service.database == f"sqlite:///{tmp_path / 'a.db'}"


def test_inconsistent_units_are_named():
    text = demo_text().replace(
        'all_of = ["S3"]\npart = "SEAT-SPORT-RED"', 'all_of = ["S3"]\npart = "SEAT-SPORT-RED"\nunit = "SET"'
    )
    with pytest.raises(
        PlantConfigError, match=r"options\[3\].*unit: 'SET' but part 'SEAT-SPORT-RED' is issued in 'PCE'"
    ):
        parse_plant(text, "plant.toml")


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ("[alarms.gap]\non_delay_s = 5\n", "alarms.gap: no delays for this kind; kinds a device reports: "
         "device_offline, printer_fault"),
        ("[alarms.device_offline]\non_dely_s = 5\n", "alarms.device_offline.on_dely_s: unknown key 'on_dely_s'"),
        ("[alarms.device_offline]\non_delay_s = -1\n", "alarms.device_offline.on_delay_s: Input should be greater"),
        ("[alarms.printer_fault]\nchatter_count = 1\n", "chattering needs at least 2 activations"),
    ],
)  # fmt: skip
def test_alarm_timings_name_a_kind_a_device_reports_and_sensible_values(table: str, problem: str) -> None:
    with pytest.raises(PlantConfigError) as err:
        parse_plant(demo_text() + "\n" + table, "plant.toml")
    assert problem in str(err.value)


def test_alarm_timings_keep_the_defaults_for_what_they_leave_out() -> None:
    plant = parse_plant(demo_text() + "\n[alarms.device_offline]\non_delay_s = 10\n", "plant.toml")
    timings = alarm_timings(plant)
    assert timings["device_offline"].on_delay_s == 10.0
    assert timings["device_offline"].off_delay_s == KINDS["device_offline"].timing.off_delay_s  # type: ignore[union-attr]
    assert timings["printer_fault"] == KINDS["printer_fault"].timing


def test_a_description_in_several_languages_keeps_the_english_for_the_label():
    plant = parse_plant(demo_text())
    seat = next(p for p in plant.parts if p.number == "SEAT-CLOTH-BLK")
    assert seat.description == "Front seat pair, cloth, black"  # what the label prints
    assert seat.translations["de"] == "Vordersitzpaar, Stoff, schwarz"
    assert seat.translations["es"] == "Par de asientos delanteros, tela, negro"
    plain = demo_text().replace(
        'description = { en = "Front seat pair, cloth, black", de = "Vordersitzpaar, Stoff, schwarz", '
        'es = "Par de asientos delanteros, tela, negro" }',
        'description = "Front seat pair, cloth, black"',
    )
    assert plain != demo_text()
    seat = next(p for p in parse_plant(plain).parts if p.number == "SEAT-CLOTH-BLK")  # a plain string still works
    assert (seat.description, seat.translations) == ("Front seat pair, cloth, black", {})


@pytest.mark.parametrize("table", ['{ german = "Sitz" }', "{}", "{ de = 3 }"])
def test_a_description_table_needs_language_codes_and_texts(table: str) -> None:
    seat = 'description = { en = "Front seat pair, cloth, black"'
    bad = demo_text().replace(seat, f"description = {table} #", 1)
    with pytest.raises(PlantConfigError, match="description"):
        parse_plant(bad)


def test_a_station_names_its_panel_language() -> None:
    text = demo_text().replace('name = "Seat sequencing"\n', 'name = "Seat sequencing"\nlanguage = "de"\n')
    assert next(s for s in parse_plant(text).stations if s.id == "ST-SEAT").language == "de"
    german = demo_text().replace('name = "Seat sequencing"\n', 'name = "Seat sequencing"\nlanguage = "German"\n')
    with pytest.raises(PlantConfigError, match="language"):
        parse_plant(german)
