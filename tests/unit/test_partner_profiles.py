"""Issue 16 item 2: partner profiles in the plant file (``[partners.NAME]``, a feed's ``partner``), checked at load
with file and line, and used to read files (docs/message-formats.md, "Partner profiles")."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import load_plant
from app.feed.formats.detect import parse_bytes
from app.feed.formats.partners import UnknownPartner, partner_of, profiles_of
from sequencer.plant import PlantConfigError
from tests.plants import DEMO_PLANT

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CHANGES = (SAMPLES / "deljit_change_cancel_hold.edi").read_bytes()  # seq 42..46, BGM 9/4/1/23
FORD = (SAMPLES / "x12_866_ford.x12").read_bytes()
CALLOFF = (SAMPLES / "vda4916_calloff.txt").read_bytes()
TEST_DELJIT = CHANGES.replace(b"+00000043'", b"+00000043++++++1'", 1)  # UNB 0035 test indicator = 1

TEST_FEED = """
[[feeds]]
id = "L1-TEST"
name = "Line 1, partner's test files"
line = "T1"
"""


def plant_with(tmp_path: Path, extra: str, *, feed_partner: str = "vw", test_feed: bool = False) -> Path:
    """The demo plant with ``extra`` appended and its feed L1 naming ``feed_partner``."""
    text = DEMO_PLANT.read_text().replace('dock = "D04"', f'dock = "D04"\npartner = "{feed_partner}"', 1)
    path = tmp_path / "plant.toml"
    path.write_text(text + (TEST_FEED if test_feed else "") + extra)
    return path


def load_error(tmp_path: Path, extra: str, **kw: object) -> str:
    with pytest.raises(PlantConfigError) as caught:
        load_plant(plant_with(tmp_path, extra, **kw))  # type: ignore[arg-type]
    return str(caught.value)


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if needle in line)


def parse(raw: bytes, plant_path: Path, partner: str | None = None, feed: str | None = None):
    plant = load_plant(plant_path)
    profiles = profiles_of(partner_of(plant, partner=partner, feed=feed))
    families = {p.number: p.family for p in plant.parts}
    feeds = {f.line: f.id for f in plant.feeds if f.line}
    return parse_bytes(
        raw, family_of_part=families, feed_default="L1", feed_of_line=feeds, zone="Europe/Berlin", profiles=profiles
    )


def test_a_misspelt_partner_key_is_an_error_naming_it_and_its_line(tmp_path):
    extra = '\n[partners.vw]\nformat = "edifact"\ntest_indicatr = "accept"\n'
    message = load_error(tmp_path, extra)
    line = line_of(tmp_path / "plant.toml", "test_indicatr")
    assert f"plant.toml:{line}: partners.vw.test_indicatr: unknown key 'test_indicatr'; valid here: format" in message


def test_a_misspelt_code_table_key_names_the_valid_ones(tmp_path):
    message = load_error(tmp_path, '\n[partners.vw]\n[partners.vw.deljit]\nfunctons = { "9" = ["original", true] }\n')
    assert "partners.vw.deljit.functons: unknown key 'functons'; valid here: functions, document_functions" in message


def test_a_misspelt_vda_field_is_one_line_naming_it_with_its_line_not_a_pydantic_dump(tmp_path):
    extra = """
[partners.vw]
format = "vda4916"

[partners.vw.vda]
record_length = 128
functions = { N = ["original", true] }

[partners.vw.vda.records.661]
role = "header"
fields = { partner = [6, 9], transfer = [29, 5] }

[partners.vw.vda.records.662]
role = "vehicle"
fields = { seq = [6, 6, "int"], vehicle_id = [12, 17], function = [29, 1], requried_date = [31, 8, "date"] }

[partners.vw.vda.records.663]
role = "part"
fields = { part = [6, 22], qty = [28, 9, "int"] }

[partners.vw.vda.records.669]
role = "trailer"
fields = {}
"""
    message = load_error(tmp_path, extra)
    path = tmp_path / "plant.toml"
    (line,) = message.splitlines()
    where = f"{path}:{line_of(path, 'requried_date')}: partners.vw.vda.records.662.fields: record 662 (vehicle): "
    assert line.startswith(where)
    assert "unknown field(s) requried_date (valid: seq, vehicle_id, function" in line
    assert "For further information" not in message and "validation error" not in message


def test_a_bad_vda_length_names_the_key_path(tmp_path):
    vda = (
        '\n[partners.vw.vda]\nfunctions = { N = ["original", true] }\n'
        '[partners.vw.vda.records.661]\nrole = "header"\nfields = { partner = [6, 9], transfer = [29, 5] }\n'
        '[partners.vw.vda.records.662]\nrole = "vehicle"\n'
        'fields = { seq = [6, 6, "int"], vehicle_id = [12, 17], function = [29, 1] }\n'
        '[partners.vw.vda.records.663]\nrole = "part"\nfields = { part = [6, 22], qty = [28, 0, "int"] }\n'
        '[partners.vw.vda.records.669]\nrole = "trailer"\nfields = {}\n'
    )
    message = load_error(tmp_path, "\n[partners.vw]" + vda)
    path = tmp_path / "plant.toml"
    assert message == (
        f"{path}:{line_of(path, 'qty = [28, 0')}: partners.vw.vda.records.663.fields.qty.length: "
        "Input should be greater than or equal to 1"
    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            '\n[partners.vw]\ntimezone = "Europe/Wolfsburg"\n',
            "partners.vw.timezone: 'Europe/Wolfsburg' is not a time zone",
        ),
        ('\n[partners.vw.x12]\ntime_codes = { AT = "Atlantis" }\n', "partners.vw.x12.time_codes.AT: 'Atlantis' is not"),
        ('\n[partners.vw]\nformat = "edi"\n', "partners.vw.format: Input should be 'edifact', 'x12', 'vda4916' or"),
        ('\n[partners.vw]\ntest_indicator = "route"\n', "partners.vw.test_feed: '' is not a feed of this plant"),
        ('\n[partners.vw]\ntest_feed = "L1"\n', 'partners.vw.test_feed: only with test_indicator = "route"'),
        ('\n[partners.vw.deljit]\nseq_status = { "2" = "delete" }\n', "partners.vw.deljit.seq_status.2: Input should"),
    ],
)
def test_partner_values_are_checked_at_load(tmp_path, extra, expected):
    assert expected in load_error(tmp_path, extra)


def test_a_feed_naming_an_unknown_partner_is_refused(tmp_path):
    assert "feeds.L1.partner: unknown partner 'bmw' (partners: vw)" in load_error(
        tmp_path, "\n[partners.vw]\n", feed_partner="bmw"
    )


def test_the_partners_codes_read_its_files(tmp_path):
    # This partner sends 9 for a change and 4 for an original (its own reading), in its own zone.
    extra = (
        '\n[partners.vw]\nformat = "edifact"\ntimezone = "UTC"\n'
        '[partners.vw.deljit]\nfunctions = { "9" = ["change", true], "4" = ["original", true], '
        '"5" = ["change", true], "1" = ["cancel", true], "23" = ["hold", true] }\n'
    )
    path = plant_with(tmp_path, extra)
    shipped = parse(CHANGES, DEMO_PLANT)
    ours = parse(CHANGES, path)
    assert ours.ok, ours.problems
    by_seq = {b.seq: b for b in ours.broadcasts}
    shipped_by_seq = {b.seq: b for b in shipped.broadcasts}
    originals = [seq for seq, b in shipped_by_seq.items() if b.function == "original"]
    assert originals and all(by_seq[seq].function == "change" for seq in originals)  # BGM 9, this partner's change
    # The same wall-clock text read in UTC, not in the plant's Berlin: one hour later in March.
    timed = [seq for seq, b in shipped_by_seq.items() if b.required_at is not None]
    assert timed and all(by_seq[s].required_at == shipped_by_seq[s].required_at + 3600 for s in timed)


def test_a_file_of_another_format_from_the_partner_is_refused_whole(tmp_path):
    path = plant_with(tmp_path, '\n[partners.vw]\nformat = "edifact"\n')
    result = parse(FORD, path)
    assert result.broadcasts == []
    (problem,) = result.problems
    assert (
        problem.reason
        == ("expected edifact (the partner's or the inbox route's format), this file is x12: refused whole")
        and problem.raw == FORD
    )


def test_test_interchanges_are_refused_by_default_accepted_or_routed_to_the_test_feed(tmp_path):
    refused = parse(TEST_DELJIT, plant_with(tmp_path, "\n[partners.vw]\n"))
    assert refused.broadcasts == [] and all("test interchange refused" in p.reason for p in refused.problems)
    accepted = parse(TEST_DELJIT, plant_with(tmp_path, '\n[partners.vw]\ntest_indicator = "accept"\n'))
    assert accepted.ok and {b.feed for b in accepted.broadcasts} == {"L1"}
    routed = parse(
        TEST_DELJIT,
        plant_with(tmp_path, '\n[partners.vw]\ntest_indicator = "route"\ntest_feed = "L1-TEST"\n', test_feed=True),
    )
    assert routed.ok and len(routed.broadcasts) == 5 and {b.feed for b in routed.broadcasts} == {"L1-TEST"}
    production = parse(
        CHANGES,
        plant_with(tmp_path, '\n[partners.vw]\ntest_indicator = "route"\ntest_feed = "L1-TEST"\n', test_feed=True),
    )
    assert {b.feed for b in production.broadcasts} == {"L1"}  # production interchanges keep their feed


def test_the_vda_mapping_in_the_plant_file_reads_the_partners_records(tmp_path):
    # The shipped layout with the qty field moved off: every part is 1 whatever columns 28-36 say.
    from app.feed.formats.vda4916 import DEFAULT_MAPPING_DATA

    lines = ["\n[partners.vw]", 'format = "vda4916"', "[partners.vw.vda]", "record_length = 128"]
    lines.append('functions = { N = ["original", true], A = ["change", true], S = ["cancel", true] }')
    lines.append("call_types = { J = true, P = false }")
    for rtype, spec in DEFAULT_MAPPING_DATA["records"].items():
        fields = {k: v for k, v in spec["fields"].items() if k != "qty"}
        inline = ", ".join(f"{k} = {list(v)!r}".replace("'", '"') for k, v in fields.items())
        lines += [f"[partners.vw.vda.records.{rtype}]", f'role = "{spec["role"]}"', f"fields = {{ {inline} }}"]
    path = plant_with(tmp_path, "\n".join(lines) + "\n")
    result = parse(CALLOFF, path)
    assert result.broadcasts and all(p.qty == 1 for b in result.broadcasts for p in b.parts)


def test_which_partner_reads_an_import(tmp_path):
    plant = load_plant(plant_with(tmp_path, '\n[partners.vw]\n[partners.ford]\nformat = "x12"\n'))
    assert partner_of(plant, partner="ford") == plant.partners["ford"]
    assert partner_of(plant, feed="L1") == plant.partners["vw"]  # the feed's
    assert partner_of(plant) == plant.partners["vw"]  # the one partner the feeds name
    with pytest.raises(UnknownPartner, match="unknown partner 'bmw' \\(the plant file's partners: vw, ford\\)"):
        partner_of(plant, partner="bmw")
    assert profiles_of(None).format is None and profiles_of(plant.partners["ford"]).format == "x12"
