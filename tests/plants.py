"""Plant configs for tests: the shipped demo plant, optionally with device ports moved to free ones."""

from __future__ import annotations

from pathlib import Path

from sequencer.plant import PlantConfig, parse_plant

DEMO_PLANT = Path(__file__).resolve().parents[1] / "app" / "plants" / "demo.toml"


def demo_plant() -> PlantConfig:
    return parse_plant(DEMO_PLANT.read_text(), str(DEMO_PLANT))
