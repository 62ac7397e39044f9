"""docs/plant-file.md is the schema's own account of the plant file, and what it promises holds: every key is
documented, the document is current, its example plant loads, and mistakes name the file, the line and the key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from app.plant_reference import reference_markdown, schema_json, sections
from sequencer.plant import PlantConfig, PlantConfigError, key_lines, parse_plant
from tests.plants import DEMO_PLANT

DOC = Path(__file__).resolve().parents[2] / "docs" / "plant-file.md"


def test_the_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == reference_markdown(), (
        "docs/plant-file.md is out of date: run `jis config reference --write`"
    )


def test_every_key_of_every_section_says_what_it_does() -> None:
    models: list[type[BaseModel]] = [PlantConfig, *(s.model for s in sections())]
    undocumented = [f"{m.__name__}.{k}" for m in models for k, f in m.model_fields.items() if not f.description]
    assert not undocumented
    assert all(m.__doc__ for m in models), [m.__name__ for m in models if not m.__doc__]


def test_every_section_has_a_table_in_the_reference() -> None:
    text = DOC.read_text(encoding="utf-8")
    for section in sections():
        assert f"## `{section.header}`" in text
        for key in section.model.model_fields:
            assert f"| `{key}` |" in text


def test_the_example_plant_in_the_reference_loads() -> None:
    block = re.search(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block is not None
    plant = parse_plant(block.group(1), "docs/plant-file.md")
    assert {d.protocol for d in plant.devices.ptl.values()} == {"modbus", "opcua"}
    assert {d.protocol for d in plant.devices.printers.values()} == {"zpl", "modbus"}


def test_the_json_schema_describes_every_top_level_section() -> None:
    schema = json.loads(schema_json())
    assert set(schema["properties"]) == set(PlantConfig.model_fields)
    assert schema["properties"]["feeds"]["description"]


def test_key_lines_locate_tables_arrays_and_keys() -> None:
    text = DEMO_PLANT.read_text(encoding="utf-8")
    where = key_lines(text)
    lines = text.splitlines()
    assert lines[where[("plant", "timezone")] - 1].startswith("timezone")
    assert lines[where[("feeds", 0, "takt_s")] - 1].startswith("takt_s")
    assert lines[where[("families", 1, "id")] - 1] == 'id = "bumper"'
    assert lines[where[("stations", 1, "bins")] - 1].startswith("bins")


def _error(text: str) -> str:
    with pytest.raises(PlantConfigError) as caught:
        parse_plant(text, "plant.toml")
    return str(caught.value)


def test_a_misspelt_key_names_the_file_the_line_and_the_valid_keys() -> None:
    text = DEMO_PLANT.read_text(encoding="utf-8").replace("takt_s = 60", "tact_s = 60")
    line = text.splitlines().index("tact_s = 60") + 1
    message = _error(text)
    assert message.startswith(f"plant.toml:{line}: feeds.0.tact_s: unknown key 'tact_s'; valid here: id, name,")
    assert "takt_s" in message and "\n" not in message


def test_a_value_out_of_range_names_its_line_and_only_the_real_mistake() -> None:
    text = DEMO_PLANT.read_text(encoding="utf-8").replace('{ id = "BMP-04", light = 4,', '{ id = "BMP-04", light = 0,')
    message = _error(text)
    assert message.count("\n") == 0, message  # not also "stations: should have at least 1 item"
    assert re.match(
        r"plant\.toml:\d+: stations\.1\.bins\.3\.light: Input should be greater than or equal to 1$", message
    )
