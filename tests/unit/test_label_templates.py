"""Label layouts from the plant file: printed as configured, and a mistyped field is an error naming the key."""

from __future__ import annotations

from dataclasses import replace

import pytest

from plc_io.zpl_labels.layouts import BUILT_IN, layouts_from_plant, render_label
from sequencer.labels import PartLabel, RackLabel
from sequencer.plant import PlantConfigError, parse_plant
from tests.plants import DEMO_PLANT

PART = PartLabel(
    label_id="P7", feed="L1", seq=9999, vehicle_id="WVWZZZ1KZ8P012345", part="SEAT-CLOTH-BLK",
    description="Front seat pair", family="seats", rack_no=3, slot=2, plant="SC01",
)  # fmt: skip
RACK = RackLabel(
    label_id="R-L1-seats-3", feed="L1", family="seats", rack_no=3, low_seq=9997, high_seq=2, slots=6,
    plant="SC01", line="A1", dock="D04",
)  # fmt: skip

TEMPLATE = """
[labels.part]
width_dots = 812
height_dots = 406
elements = [
  { kind = "text", x = 20, y = 20, height = 40, title = "SEQ" },
  { kind = "text", x = 20, y = 70, height = 90, field = "seq" },
  { kind = "code128", x = 300, y = 40, height = 80, field = "part", prefix = "P" },
  { kind = "text", x = 20, y = 200, height = 30, field = "reprint", prefix = "REPRINT " },
  { kind = "box", x = 10, y = 10, width = 790, height = 380 },
]
"""


def plant_text(extra: str) -> str:
    return DEMO_PLANT.read_text() + extra


def test_a_plant_layout_prints_what_it_says_and_rack_labels_keep_the_built_in():
    plant = parse_plant(plant_text(TEMPLATE), "plant.toml")
    layouts = layouts_from_plant(plant.labels)
    zpl = render_label(PART, layouts)
    assert "^PW812\n^LL406" in zpl
    assert "^FO20,70^A0N,90,90^FH_^FD9999^FS" in zpl
    assert "^FO300,40^BY2^BCN,80,N,N,N,N^FD>:PSEAT-CLOTH-BLK^FS" in zpl  # >: = Code 128 subset B
    assert "REPRINT" not in zpl  # reprint 0 prints nothing
    assert "REPRINT 1" in render_label(replace(PART, reprint=1), layouts)
    assert render_label(RACK, layouts) == render_label(RACK, BUILT_IN)


def test_a_mistyped_field_names_the_key():
    with pytest.raises(PlantConfigError, match=r"labels\.part\.elements\[1\]\.field: unknown field 'sequence'"):
        parse_plant(plant_text(TEMPLATE.replace('field = "seq"', 'field = "sequence"')), "plant.toml")


def test_an_unknown_element_key_is_refused():
    refused = r"labels\.part\.elements\.0\.colour: unknown key 'colour'; valid here: kind, x, y"
    with pytest.raises(PlantConfigError, match=refused):
        parse_plant(plant_text(TEMPLATE.replace('title = "SEQ"', 'title = "SEQ", colour = "red"')), "plant.toml")
