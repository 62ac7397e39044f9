"""Labels to the Odette GTL / VDA 4994 conventions, checked on paper: every template rendered to an image by a
rasteriser written apart from the ZPL writer (``tests.zpl_raster``), every barcode read back by a real decoder
(zxing-cpp), every field inside the label and clear of every other (Code 128 quiet zones of 10 modules included),
and what cannot fit refused when the plant file is loaded (docs/printer-zpl.md, "GTL labels")."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

import app
from app.config import checked_labels
from plc_io.zpl_labels.fields import iso15434
from plc_io.zpl_labels.fit import longest_labels
from plc_io.zpl_labels.layouts import BUILT_IN, Layouts, layouts_from_plant, render_label, slot_line, wrap_words
from sequencer.labels import Label, PartLabel, RackLabel, RackSlot
from sequencer.plant import PlantConfig, PlantConfigError, parse_plant
from sequencer.testing import with_family
from tests.plants import DEMO_PLANT
from tests.zpl_raster import Drawn, Raster, rasterise

GTL = """
[labels.partners.oem-b]
supplier = "B2200"
ship_to = "OEMB-WOB"
part = { width_dots = 812, height_dots = 406, elements = [
  { kind = "text", x = 20, y = 20, height = 30, title = "SEQ", max_chars = 3 },
  { kind = "text", x = 20, y = 60, height = 80, field = "seq", max_chars = 5 },
  { kind = "code128", x = 40, y = 160, height = 70, field = "serial", prefix = "1J", max_chars = 20 },
  { kind = "text", x = 20, y = 250, height = 30, field = "part", max_chars = 20 },
  { kind = "datamatrix", x = 600, y = 40, module = 4 },
  { kind = "box", x = 10, y = 10, width = 790, height = 380 },
] }

[partners.oem-b]
format = "edifact"
"""

SLOTS = tuple(RackSlot(i + 1, 41 + i, "BMP-1A2-PDC", f"471100{i + 20:010d}") for i in range(8))
PART = PartLabel(
    label_id="P17", feed="L1", seq=42, vehicle_id="WVWZZZ1JZXW000001", part="SEAT-LEATH-BLK-H", plant="SC01",
    description="Front seat pair, leather, black, heated, with lumbar support and a long name", family="seats",
    rack_no=3, slot=2, qty=2, serial="4711000000000017", supplier="471100", customer_part="5G0881105AB",
    ship_to="OEMPLANT1", unloading_point="D04", labelled_at=1_796_626_800.0, timezone="Europe/Berlin",
)  # fmt: skip
RACK = RackLabel(
    label_id="R-L1-bumper-3", feed="L1", family="bumper", rack_no=3, low_seq=41, high_seq=48, slots=8, plant="SC01",
    line="A1", dock="D04", serial="4711000000000099", supplier="471100", ship_to="OEMPLANT1", qty=8, contents=SLOTS,
    labelled_at=1_796_626_800.0, timezone="Europe/Berlin",
)  # fmt: skip


def gtl_plant(extra: str = "") -> PlantConfig:
    return checked_labels(parse_plant(DEMO_PLANT.read_text() + GTL + extra, "plant.toml"), "plant.toml")


def decoded(raster: Raster) -> list[tuple[str, str]]:
    """Every barcode a real decoder finds on the image: (format, text)."""
    found = zxingcpp.read_barcodes(raster.image, text_mode=zxingcpp.TextMode.Plain)
    return sorted((str(b.format).split(".")[-1].replace(" ", ""), b.text) for b in found)


def drawn_barcodes(raster: Raster) -> list[tuple[str, str]]:
    names = {"code128": "Code128", "datamatrix": "DataMatrix"}
    return sorted((names[f.kind], f.data) for f in raster.fields if f.kind in names)


def assert_on_paper(label: Label, layouts: Layouts) -> Raster:
    """Rendered, drawn, every barcode read back as drawn, every field inside the label and clear of the others."""
    raster = rasterise(render_label(label, layouts))
    assert decoded(raster) == drawn_barcodes(raster)
    for f in raster.fields:
        x0, y0, x1, y1 = f.box
        assert x0 >= 0 and y0 >= 0 and x1 <= raster.width and y1 <= raster.height, f"{f} leaves the label"
        if f.kind == "datamatrix":
            assert f.symbol[0] <= f.symbol[1], f"{f.data!r} needs a bigger symbol than the format fixes"
    for i, a in enumerate(raster.fields):
        for b in raster.fields[i + 1 :]:
            assert not _overlap(a, b), f"{a} and {b} overlap"
    return raster


def _overlap(a: Drawn, b: Drawn) -> bool:
    return a.box[0] < b.box[2] and b.box[0] < a.box[2] and a.box[1] < b.box[3] and b.box[1] < a.box[3]


# -- every template, on paper ---------------------------------------------------------------------------------
@pytest.mark.parametrize("template", ["", "oem-b"], ids=["plant", "partner"])
def test_every_template_renders_and_every_barcode_decodes(template: str) -> None:
    plant = gtl_plant()
    layouts = layouts_from_plant(plant.labels)
    supplier = "B2200" if template else "471100"
    ship_to = "OEMB-WOB" if template else "OEMPLANT1"
    longest_part, longest_rack = longest_labels(plant, supplier, ship_to)
    for label in (PART, RACK, longest_part, longest_rack):
        label = replace(label, template=template, supplier=supplier, ship_to=ship_to)
        raster = assert_on_paper(label, layouts)
        found = dict((kind, text) for kind, text in decoded(raster) if kind == "DataMatrix")
        if isinstance(label, PartLabel):
            assert f"\x1d1J{label.serial}\x1d" in found["DataMatrix"]
            assert f"\x1d1P{label.part}\x1d" in found["DataMatrix"]
        else:
            assert found["DataMatrix"].startswith(f"[)>\x1e06\x1d5J{label.serial}\x1dV{supplier}\x1d2L{ship_to}/")
            assert all(f"\x1d1J{s.serial}" in found["DataMatrix"] for s in label.contents)


def test_the_part_label_carries_the_gtl_fields_each_with_its_data_identifier() -> None:
    raster = assert_on_paper(PART, BUILT_IN)
    codes = decoded(raster)
    record = iso15434((("P", "5G0881105AB"), ("1P", "SEAT-LEATH-BLK-H"), ("I", "WVWZZZ1JZXW000001"),
                       ("1J", "4711000000000017"), ("K", "42"), ("Q", "2"), ("V", "471100"),
                       ("2L", "OEMPLANT1/D04"), ("D", "261207")))  # fmt: skip
    assert codes == sorted([("Code128", "42"), ("Code128", "1PSEAT-LEATH-BLK-H"), ("Code128", "IWVWZZZ1JZXW000001"),
                            ("DataMatrix", record)])  # fmt: skip
    texts = [f.data for f in raster.fields if f.kind == "text"]
    assert "PART NO. (1P)" in texts and "CUST. PART (P) 5G0881105AB" in texts  # ours is 1P; the OEM's is P
    assert "SERIAL (1J) 4711000000000017" in texts and "SHIP TO (2L) OEMPLANT1 D04" in texts


def test_the_rack_label_has_supplier_ship_to_date_quantity_barcode_slot_list_and_contents_code() -> None:
    raster = assert_on_paper(RACK, BUILT_IN)
    codes = decoded(raster)
    assert ("Code128", "V471100") in codes and ("Code128", "Q8") in codes and ("Code128", "5J4711000000000099") in codes
    texts = [f.data for f in raster.fields if f.kind == "text"]
    assert "SHIP TO (2L)" in texts and "OEMPLANT1" in texts and "DATE (D) 261207" in texts
    assert [t for t in texts if t.endswith(tuple(s.serial for s in SLOTS))] == [
        f"{s.slot:>3} {s.seq:>5} BMP-1A2-PDC {s.serial}" for s in SLOTS
    ]


def test_code128_quiet_zones_are_blank_for_10_modules_on_either_side() -> None:
    for label in (PART, RACK):
        raster = rasterise(render_label(label))
        pixels = raster.image.load()
        for f in (f for f in raster.fields if f.kind == "code128"):
            x0, y0, x1, y1 = f.box  # the bars, with 10 modules each side
            for x in [*range(x0, x0 + 10 * f.module), *range(x1 - 10 * f.module, x1)]:
                assert all(pixels[x, y] for y in range(y0, y1)), f"ink in the quiet zone of {f.data!r} at x={x}"


def test_the_datamatrix_size_is_fixed_in_the_format() -> None:
    assert "^BXN,3,200,64,64,,_" in render_label(PART) and "^BXN,3,200,104,104,,_" in render_label(RACK)
    plant = gtl_plant()  # the partner's Data Matrix was left at columns = 0: fixed when the file loaded
    (dm,) = [e for e in plant.labels.partners["oem-b"].part.elements if e.kind == "datamatrix"]  # type: ignore[union-attr]
    assert dm.columns >= 10
    assert f"^BXN,4,200,{dm.columns},{dm.columns},,_" in render_label(replace(PART, template="oem-b"),
                                                                      layouts_from_plant(plant.labels))  # fmt: skip


# -- what cannot fit is refused when the plant file loads -------------------------------------------------------
def test_a_part_number_too_long_for_its_barcode_is_refused_when_the_plant_file_loads() -> None:
    long = "SEAT-LEATH-BLK-HEATED-LUMBAR"  # 28 characters: the built-in Code 128 keeps room for 1P + 20
    text = DEMO_PLANT.read_text().replace('number = "SEAT-LEATH-BLK-H"', f'number = "{long}"')
    text = text.replace('part = "SEAT-LEATH-BLK-H"', f'part = "{long}"')
    with pytest.raises(PlantConfigError, match=rf"labels\.part \(built-in\)\.elements\[\d+\]: .*parts\.{long}"):
        checked_labels(parse_plant(text, "plant.toml"), "plant.toml")


def test_a_template_field_over_another_is_refused_when_the_plant_file_loads() -> None:
    overlapping = GTL.replace(
        '{ kind = "text", x = 20, y = 250, height = 30, field = "part", max_chars = 20 }',
        '{ kind = "text", x = 20, y = 170, height = 30, field = "part", max_chars = 20 }',
    )
    with pytest.raises(PlantConfigError, match=r"labels\.partners\.oem-b\.part\.elements\[2\] and \[3\] overlap"):
        checked_labels(parse_plant(DEMO_PLANT.read_text() + overlapping, "plant.toml"), "plant.toml")


def test_a_rack_larger_than_the_built_in_rack_label_holds_is_refused_when_the_plant_file_loads() -> None:
    """Without scans the built-in rack label's Data Matrix holds the longest record of 22 slots, its list 25."""
    text = DEMO_PLANT.read_text().replace("rack_capacity = 8", "rack_capacity = 23")
    with pytest.raises(PlantConfigError, match=r"Data Matrix 104x104 holds 816 codewords, the longest record takes"):
        checked_labels(parse_plant(text, "plant.toml"), "plant.toml")
    text = DEMO_PLANT.read_text().replace("rack_capacity = 8", "rack_capacity = 26")
    with pytest.raises(PlantConfigError, match=r"the slot list holds 25 slots, a rack has up to 26"):
        checked_labels(parse_plant(text, "plant.toml"), "plant.toml")
    plant = checked_labels(parse_plant(DEMO_PLANT.read_text().replace("rack_capacity = 8", "rack_capacity = 22"),
                                       "plant.toml"), "plant.toml")  # fmt: skip
    _, longest = longest_labels(plant, "471100", "OEMPLANT1")
    raster = assert_on_paper(longest, layouts_from_plant(plant.labels))
    (found,) = [text for kind, text in decoded(raster) if kind == "DataMatrix"]
    assert found.count("\x1d1J") == 22
    listed = [f.data for f in raster.fields if f.kind == "text" and f.data.endswith(f" {longest.contents[0].serial}")
              and not f.data.startswith("SERIAL")]  # fmt: skip
    assert listed == [slot_line(s) for s in longest.contents]


def test_the_demo_plant_loads_with_every_label_fitting() -> None:
    plant = gtl_plant()
    assert plant.labels.for_feed("") == ("", "471100", "OEMPLANT1")
    assert plant.labels.for_feed("oem-b") == ("oem-b", "B2200", "OEMB-WOB")


# -- scanned serials and batches on the rack label ([labels] traced) -------------------------------------------------
BOUNDED = r"P(?P<part>BMP-[0-9A-Z-]+)\+S(?P<serial>[0-9]{6,20})(\+H(?P<batch>[0-9A-Z]{1,14}))?"


def traced_plant(capacity: int = 6, pattern: str = BOUNDED, traced: bool = True) -> PlantConfig:
    """The GTL plant whose partner oem-b asks for the scans on its rack label; bumpers scanned with ``pattern``."""
    own = GTL.replace('ship_to = "OEMB-WOB"\n', f'ship_to = "OEMB-WOB"\ntraced = {str(traced).lower()}\n')
    plant = parse_plant(DEMO_PLANT.read_text() + own, "plant.toml")
    return with_family(plant, "bumper", rack_capacity=capacity, scan_patterns=(pattern,))


def test_a_traced_rack_label_lists_each_slots_scans_and_its_data_matrix_carries_them() -> None:
    """The partner's template asks for them: under each slot its scanned serial (S) and batch (1T), and in the
    Data Matrix after the slot's 1J, read back by zxing-cpp; the longest the scan patterns allow (serial 20, batch
    14) fits the built-in slot list and Data Matrix for the largest rack they hold, 12 slots (the demo plant's are
    6 and 8). The plant's own template does not ask."""
    plant = checked_labels(traced_plant(capacity=12), "plant.toml")
    assert (plant.labels.traced_for(""), plant.labels.traced_for("oem-b")) == (False, True)
    layouts = layouts_from_plant(plant.labels)
    slots = tuple(
        replace(s, scanned_serial=f"{s.slot:08d}", scanned_batch="B0001" if s.slot % 2 else "") for s in SLOTS[:6]
    )
    rack = replace(RACK, contents=slots, slots=6, qty=6, template="oem-b", supplier="B2200", ship_to="OEMB-WOB")
    raster = assert_on_paper(rack, layouts)
    (found,) = [text for kind, text in decoded(raster) if kind == "DataMatrix"]
    for s in slots:
        scans = f"\x1dS{s.scanned_serial}" + (f"\x1d1T{s.scanned_batch}" if s.scanned_batch else "")
        assert f"\x1dK{s.seq}\x1d1P{s.part}\x1d1J{s.serial}{scans}" in found
    texts = [f.data.strip() for f in raster.fields if f.kind == "text"]
    assert [t for t in texts if t.startswith("S ")] == [
        f"S {s.scanned_serial}" + (f" 1T {s.scanned_batch}" if s.scanned_batch else "") for s in slots
    ]
    _, longest = longest_labels(plant, "B2200", "OEMB-WOB", traced=True)
    assert {(s.scanned_serial, s.scanned_batch) for s in longest.contents} == {("9" * 20, "9" * 14)}
    raster = assert_on_paper(replace(longest, template="oem-b"), layouts)
    (found,) = [text for kind, text in decoded(raster) if kind == "DataMatrix"]
    assert found.count(f"\x1dS{'9' * 20}\x1d1T{'9' * 14}") == 12
    texts = [f.data.strip() for f in raster.fields if f.kind == "text"]
    assert texts.count(f"S {'9' * 20} 1T {'9' * 14}") == 12  # every slot's scans listed, none cut off


@pytest.mark.parametrize("name", ["demo.toml", "demo-scan.toml"])
def test_every_shipped_plants_largest_rack_fits_the_built_in_rack_label_with_its_scans(name: str) -> None:
    """Each plant file under app/plants with ``[labels] traced`` on: it loads, and its largest rack (8 slots) with the
    longest serial and batch its own scan patterns allow prints every slot and scan, its Data Matrix read back."""
    plant = parse_plant((Path(app.__file__).parent / "plants" / name).read_text(), name)
    plant = checked_labels(plant.model_copy(update={"labels": plant.labels.model_copy(update={"traced": True})}), name)
    supplier, ship_to = plant.labels.supplier or plant.plant.code, plant.labels.ship_to
    _, longest = longest_labels(plant, supplier, ship_to, traced=True)
    assert len(longest.contents) == max(f.rack_capacity for f in plant.families) == 8
    raster = assert_on_paper(longest, layouts_from_plant(plant.labels))
    (found,) = [text for kind, text in decoded(raster) if kind == "DataMatrix"]
    assert found.count("\x1d1J") == 8
    scans = [f.data.strip() for f in raster.fields if f.kind == "text" and f.data.strip().startswith(("S ", "1T "))]
    assert len(scans) == (8 if longest.contents[0].scanned_serial or longest.contents[0].scanned_batch else 0)


def test_a_traced_rack_label_that_cannot_fit_is_refused_when_the_plant_file_loads() -> None:
    """Two lines a slot: a rack of 13 is more than the built-in slot list's 25 lines hold; a scan pattern that does
    not bound its serial cannot be checked to fit. Without ``traced`` both load."""
    with pytest.raises(PlantConfigError, match=r"holds 25 lines, 12 slots with their scans, a rack has up to 13"):
        checked_labels(traced_plant(capacity=13), "plant.toml")
    unbounded = r"P(?P<part>BMP-[0-9A-Z-]+)\+S(?P<serial>[0-9]+)"
    with pytest.raises(PlantConfigError, match=r"labels\.partners\.oem-b\.traced: .* do not bound the serial"):
        checked_labels(traced_plant(pattern=unbounded), "plant.toml")
    checked_labels(traced_plant(capacity=13, pattern=unbounded, traced=False), "plant.toml")


# -- descriptions wrap and abbreviate at word boundaries -------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "width", "lines", "expected"),
    [
        ("Front seat pair, cloth", 30, 1, ["Front seat pair, cloth"]),
        ("Front seat pair, leather, black, heated", 20, 2, ["Front seat pair,", "leather, black,..."]),
        ("Front seat pair, leather, black, heated", 20, 3, ["Front seat pair,", "leather, black,", "heated"]),
        ("Front bumper, paint 1A2 black, park sensors", 16, 1, ["Front bumper,..."]),
        ("Supercalifragilistic seat", 10, 1, ["Superca..."]),
    ],
)
def test_descriptions_wrap_and_abbreviate_at_word_boundaries(
    text: str, width: int, lines: int, expected: list[str]
) -> None:
    assert wrap_words(text, width, lines) == expected
    assert all(len(line) <= width for line in wrap_words(text, width, lines))


def test_a_long_description_prints_whole_words_within_its_two_lines() -> None:
    raster = assert_on_paper(PART, BUILT_IN)
    lines = [f.data for f in raster.fields if f.kind == "text" and f.box[1] in (456, 480)]
    assert lines == ["Front seat pair, leather, black, heated, with lumbar", "support and a long name"]
    assert all(word in PART.description.split() for line in lines for word in line.removesuffix("...").split())


def test_image_is_one_bit_and_the_size_of_the_label() -> None:
    raster = rasterise(render_label(PART))
    assert isinstance(raster.image, Image.Image) and raster.image.mode == "1"
    assert raster.image.size == (812, 609)


@pytest.mark.parametrize("length", range(16, 25))
def test_a_part_number_is_either_refused_when_the_plant_file_loads_or_printed_whole_and_readable(length: int) -> None:
    """No third way: a part number the load lets through prints whole, its barcode read back; one it refuses would
    have overprinted or been cut."""
    number = ("SEAT-" + "X" * length)[:length]
    text = DEMO_PLANT.read_text().replace('number = "SEAT-LEATH-BLK-H"', f'number = "{number}"')
    text = text.replace('part = "SEAT-LEATH-BLK-H"', f'part = "{number}"')
    if length > 20:
        with pytest.raises(PlantConfigError, match=rf"parts\.{number}"):
            checked_labels(parse_plant(text, "plant.toml"), "plant.toml")
        return
    plant = checked_labels(parse_plant(text, "plant.toml"), "plant.toml")
    raster = assert_on_paper(replace(PART, part=number), layouts_from_plant(plant.labels))
    assert ("Code128", "1P" + number) in decoded(raster)
    assert number in [f.data for f in raster.fields if f.kind == "text"]
