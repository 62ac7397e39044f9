"""A reduced ``jis fuzz`` campaign in CI: every parser and input edge survives seeded mutations of real samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.fuzz import run
from sequencer.plant import PlantConfigError, parse_plant

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_no_parser_crashes_on_mutated_and_random_input():
    report = run(1500, seed=7, corpus_dir=SAMPLES)
    assert set(report) == {"deljit", "x12", "vda", "json", "feed_broadcast", "plant_config"}
    assert {name: r["crashes"] for name, r in report.items()} == dict.fromkeys(report, 0), report
    assert all(r["inputs"] == 1500 and r["corpus"] > 0 for r in report.values())


def test_a_family_at_an_unknown_station_is_a_config_error_not_a_crash():
    text = (Path(__file__).resolve().parents[2] / "app" / "plants" / "demo.toml").read_text()
    with pytest.raises(PlantConfigError, match=r"families\.seats\.station: unknown station 'ST-NOWHERE'"):
        parse_plant(text.replace('station = "ST-SEAT"', 'station = "ST-NOWHERE"'), "plant.toml")
