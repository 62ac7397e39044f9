"""Issue 16, parser side: recovery per message, reasons that locate, test interchanges, time codes, control
characters, end-of-file padding and readable VDA mapping errors (docs/message-formats.md, "Problems")."""

from __future__ import annotations

import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.feed.formats.canonical import ENVELOPE, InterchangeRegistry
from app.feed.formats.deljit import DeljitProfile, parse_deljit
from app.feed.formats.detect import parse_bytes
from app.feed.formats.vda4916 import MappingError, VdaMapping, mapping_from_dict, parse_vda
from app.feed.formats.x12 import X12Profile, parse_x12

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
BERLIN = ZoneInfo("Europe/Berlin")
CHANGES = (SAMPLES / "deljit_change_cancel_hold.edi").read_bytes()  # four messages, seq 42..46
FORD = (SAMPLES / "x12_866_ford.x12").read_bytes()
CALLOFF = (SAMPLES / "vda4916_calloff.txt").read_bytes()


def deljit(raw: bytes, profile: DeljitProfile | None = None):
    kwargs = {"profile": profile} if profile else {}
    return parse_deljit(raw, zone=BERLIN, registry=InterchangeRegistry(), **kwargs)


def x12(raw: bytes, profile: X12Profile | None = None):
    kwargs = {"profile": profile} if profile else {}
    return parse_x12(raw, zone=BERLIN, registry=InterchangeRegistry(), **kwargs)


def vda(raw: bytes, mapping: VdaMapping | None = None):
    kwargs = {"mapping": mapping} if mapping else {}
    return parse_vda(raw, zone=BERLIN, registry=InterchangeRegistry(), **kwargs)


# -- EDIFACT: a broken segment early costs its message only ----------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        (b"BGM+30+JC250305-0101+5'", b"bgm+30+JC250305-0101+5'", "bad segment tag 'bgm'"),
        (b"GIR+1+WVWZZZ1KZRW000042:VV", b"GIR+1+WVWZZZ1KZRW\x00000042:VV", "control character 0x00 inside the segment"),
        (b"LOC+175+A1'\r\nLIN+1++SEAT-LEATH", b"LOC+175+A1\r\nLIN+1++SEAT-LEATH", "control character 0x0D"),
        (b"DTM+137:202503051102:203'", b"DTM+137:202503051102:203?'", "control character 0x0D"),  # released
    ],
)
def test_a_malformed_segment_in_the_first_message_costs_that_message_only(old, new, why):
    result = deljit(CHANGES.replace(old, new, 1))
    assert [b.seq for b in result.broadcasts] == [43, 44, 46, 45]  # messages 2, 3 and 4
    (problem,) = result.problems  # no misleading "no UNT" / "no UNZ" for the rest
    assert problem.index == 0 and why in problem.reason
    assert "[interchange O0013000093OEMWOB/00000043, message '1'" in problem.reason
    assert problem.raw.startswith(b"UNH+1+DELJIT") and problem.raw.endswith(b"UNT+14+1'")


def test_a_reason_names_interchange_message_segment_offset_seq_and_vehicle():
    raw = CHANGES.replace(b"QTY+1:1:PCE'\r\nLIN+2++BMP-1A2-PDC", b"QTY+1:0:PCE'\r\nLIN+2++BMP-1A2-PDC")
    (problem,) = deljit(raw).problems
    offset = raw.index(b"SEQ+1+0042")
    assert problem.reason == (
        "vehicle WVWZZZ1KZRW000042, part SEAT-LEATH-BLK-H: quantity 0 is outside 1..9999 "
        f"[interchange O0013000093OEMWOB/00000043, message '1', segment 4 SEQ at byte {offset}, seq 0042, "
        "vehicle WVWZZZ1KZRW000042]"
    )


def test_a_message_cut_short_is_ended_by_the_next_unh():
    cut = CHANGES.replace(b"QTY+1:1:PCE'\r\nUNT+14+1'\r\n", b"QTY+1:1")
    result = deljit(cut)
    assert [b.seq for b in result.broadcasts] == [43, 44, 46, 45]
    glued = cut.index(b"UNH+2+")
    assert result.problems[0].reason == (
        f"the segment has no terminator: UNH at byte {glued} is glued to it "
        f"[interchange O0013000093OEMWOB/00000043, message '1', segment 13 QTY at byte {glued - 7}]"
    )


def test_control_counts_and_references_are_reported_with_the_message_reference():
    result = deljit(CHANGES.replace(b"UNT+6+2'", b"UNT+6+9'").replace(b"UNZ+4+", b"UNZ+5+"))
    reasons = [p.reason for p in result.problems]
    assert reasons == [
        "UNT reference '9' does not match UNH '2' [interchange O0013000093OEMWOB/00000043, message '2', "
        f"segment 6 UNT at byte {CHANGES.index(b'UNT+6+2')}]",
        "UNZ says 5 messages, counted 4 [interchange O0013000093OEMWOB/00000043]",
    ]
    assert [b.seq for b in result.broadcasts] == [42, 44, 46, 45]


@pytest.mark.parametrize("tail", [b"\x1a", b"\x00" * 512, b"\r\n\x1a", b" " * 64 + b"\r\n"])
def test_an_end_of_file_mark_or_padding_after_the_last_trailer_is_ignored(tail):
    assert deljit(CHANGES + tail).ok
    assert x12(FORD + tail).ok
    assert vda(CALLOFF + tail).ok


def test_padding_before_the_end_is_still_a_problem_but_costs_no_message():
    result = deljit(CHANGES.replace(b"UNH+2+", b"\x00\x00UNH+2+", 1))
    assert [(p.index, p.raw) for p in result.problems] == [(ENVELOPE, b"\x00\x00")]
    assert "between messages" in result.problems[0].reason and len(result.broadcasts) == 5


# -- test interchanges ----------------------------------------------------------------------------------------------
def test_a_test_interchange_is_refused_per_message_unless_the_profile_accepts_it():
    test = CHANGES.replace(b"+00000043'", b"+00000043++++++1'", 1)  # UNB 0035 test indicator = 1
    refused = deljit(test)
    assert refused.broadcasts == [] and len(refused.problems) == 4
    assert all(p.reason.startswith("test interchange refused (UNB 0035 test indicator 1)") for p in refused.problems)
    assert [p.raw[:12] for p in refused.problems] == [
        b"UNH+1+DELJIT",
        b"UNH+2+DELJIT",
        b"UNH+3+DELJIT",
        b"UNH+4+DELJIT",
    ]
    accepted = deljit(test, DeljitProfile(test_indicator="accept"))
    assert accepted.ok and [b.seq for b in accepted.broadcasts] == [42, 43, 44, 46, 45]


def test_an_x12_test_interchange_is_refused_unless_the_profile_accepts_it():
    test = FORD.replace(b"*0*P*>~", b"*0*T*>~")  # ISA15 = T
    (problem,) = x12(test).problems
    assert problem.reason.startswith("test interchange refused (ISA15 test indicator T)")
    assert x12(test, X12Profile(test_indicator="accept")).ok


def test_vda_has_a_test_indicator_only_when_the_mapping_maps_one():
    data = tomllib.loads(VDA_TOML)
    data["records"]["661"]["fields"]["test"] = [44, 1]
    mapping = mapping_from_dict(data)
    lines = CALLOFF.split(b"\r\n")
    lines[0] = lines[0][:43] + b"T" + lines[0][44:]
    test = b"\r\n".join(lines)
    assert vda(test).ok  # the default mapping has no test field: position 44 is nothing
    refused = vda(test, mapping)
    assert refused.broadcasts == [] and len(refused.problems) == 4
    assert refused.problems[0].reason.startswith("test transmission refused (header test field)")
    assert vda(test, mapping_from_dict({**data, "test_indicator": "accept"})).ok


# -- X12 time codes -----------------------------------------------------------------------------------------------
def test_an_unknown_time_code_is_a_problem_naming_it():
    result = x12(FORD.replace(b"DTM*002*250305*1016*ET", b"DTM*002*250305*1016*XT"))
    assert [b.seq for b in result.broadcasts] == [9999, 1]
    (problem,) = result.problems
    assert problem.reason.startswith("DTM04 time code 'XT' is not one we know (")
    assert "map it in the partner profile" in problem.reason and "seq 0000, vehicle 1FAHP3F20RL110000" in problem.reason


def test_local_time_and_partner_time_codes_are_explicit():
    local = x12(FORD.replace(b"*1015*ET", b"*1015*LT")).broadcasts[0]
    plant = x12(FORD.replace(b"*1015*ET", b"*1015")).broadcasts[0]
    assert local.required_at == plant.required_at  # LT: the plant's zone, said aloud
    halifax = x12(FORD.replace(b"*1015*ET", b"*1015*AT"), X12Profile(time_codes={"AT": "America/Halifax"}))
    eastern = x12(FORD)
    assert halifax.ok and halifax.broadcasts[0].required_at == eastern.broadcasts[0].required_at - 3600


def test_control_characters_inside_x12_and_vda_values_are_refused():
    result = x12(FORD.replace(b"REF*VT*1FAHP3F20RL110000", b"REF*VT*1FAHP3F20RL1\x0710000"))
    assert [b.seq for b in result.broadcasts] == []  # one transaction set holds all three vehicles
    assert "control character 0x07 inside the segment" in result.problems[0].reason
    lines = CALLOFF.split(b"\r\n")
    lines[4] = lines[4][:20] + b"\x1b" + lines[4][21:]
    result = vda(b"\r\n".join(lines))
    assert [b.seq for b in result.broadcasts] == [9998, 0, 9990]
    assert result.problems[0].reason.startswith("control character 0x1B in the record at byte ")


# -- VDA mappings -----------------------------------------------------------------------------------------------
VDA_TOML = """
record_length = 128
functions = { N = ["original", true], A = ["change", true], S = ["cancel", true] }
call_types = { J = true, P = false }

[records.661]
role = "header"
fields = { partner = [6, 9], transfer = [29, 5], date = [34, 6, "date"], time = [40, 4, "time"] }

[records.662]
role = "vehicle"

[records.662.fields]
seq = [6, 6, "int"]
vehicle_id = [12, 17]
function = [29, 1]
call_type = [30, 1]
required_date = [31, 8, "date"]
required_time = [39, 4, "time"]

[records.663]
role = "part"
fields = { part = [6, 22], qty = [28, 9, "int"] }

[records.669]
role = "trailer"
fields = { vehicles = [6, 7, "int"], parts = [13, 7, "int"] }
"""


def test_a_misspelt_field_name_is_refused_naming_it_and_the_valid_ones():
    data = tomllib.loads(VDA_TOML.replace("required_date = [31", "requried_date = [31"))
    with pytest.raises(MappingError) as err:
        mapping_from_dict(data)
    assert err.value.errors == [
        "mapping: record 662 (vehicle): unknown field(s) requried_date (valid: seq, vehicle_id, function, "
        "call_type, required_date, required_time, unloading_point, line, reporting_point, call_off, version)"
    ]


def test_mapping_errors_are_one_readable_line_each():
    data = tomllib.loads(VDA_TOML)
    data["records"]["663"]["fields"]["qty"] = [28, "nine", "int"]
    data["records"]["662"]["fields"]["seq"] = [6, 6, "integer"]
    data["colour"] = "red"
    with pytest.raises(MappingError) as err:
        mapping_from_dict(data)
    assert err.value.errors == [
        "records.662.fields.seq.type: Input should be 'str', 'int', 'date' or 'time'",
        "records.663.fields.qty.length: Input should be a valid integer, unable to parse string as an integer",
        "colour: unknown key (valid: record_length, records, functions, call_types, test_codes, test_indicator)",
    ]


def test_jis_parse_prints_a_bad_mapping_one_line_per_error(tmp_path, capsys, jis):
    bad = tmp_path / "partner.toml"
    bad.write_text(VDA_TOML.replace("qty = [28, 9", "qty = [28, 0").replace("call_types", "calltypes"))
    assert jis("parse", str(SAMPLES / "vda4916_calloff.txt"), "--vda-mapping", str(bad)) == 2
    err = capsys.readouterr().err
    assert err == (  # one line, as every mistake of the command line (docs/cli.md), one clause per error
        f"jis parse: {bad}: bad VDA mapping (2 errors): "
        "records.663.fields.qty.length: Input should be greater than or equal to 1; "
        "calltypes: unknown key (valid: record_length, records, functions, call_types, test_codes, test_indicator)\n"
    )


def test_the_good_mapping_reads_the_sample():
    assert vda(CALLOFF, mapping_from_dict(tomllib.loads(VDA_TOML))).ok


def test_a_vda_problem_names_transmission_record_seq_and_vehicle():
    lines = CALLOFF.split(b"\r\n")
    lines[2] = lines[2][:27] + b"00000000X" + lines[2][36:]
    (problem,) = vda(b"\r\n".join(lines)).problems
    assert problem.index == 0 and problem.reason == (
        "record 663 at byte 194: qty '00000000X' is not a number [transmission OEMWOB001/00042, "
        "vehicle record at byte 130, seq 009998, vehicle WVWZZZ1KZRW009998]"
    )


def test_parse_bytes_reports_an_envelope_problem_with_its_index():
    result = parse_bytes(CHANGES[:-6], family_of_part={}, feed_default="L1")
    at = CHANGES.index(b"UNZ")
    assert [(p.index, p.reason) for p in result.problems if not p.kept] == [
        (
            ENVELOPE,
            f"segment 'UNZ' at byte {at} has no terminator (truncated?) [interchange O0013000093OEMWOB/00000043]",
        ),
        (ENVELOPE, "interchange O0013000093OEMWOB/00000043 has no UNZ (truncated?) [from byte 0]"),
    ]
    assert len(result.broadcasts) == 5


# -- promises of docs/message-formats.md not covered above -------------------------------------------------------
def test_the_reason_examples_in_the_docs_are_what_the_parsers_say():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "message-formats.md").read_text()
    qty = CHANGES.replace(b"QTY+1:1:PCE'\r\nLIN+2++BMP-1A2-PDC", b"QTY+1:0:PCE'\r\nLIN+2++BMP-1A2-PDC")
    code = FORD.replace(b"DTM*002*250305*1016*ET", b"DTM*002*250305*1016*XT")
    for reason in (
        deljit((SAMPLES / "deljit_bad_unt_count.edi").read_bytes()).problems[0].reason,
        deljit(qty).problems[0].reason,
        x12(code).problems[0].reason,
    ):
        assert f"\n{reason}\n" in doc


def test_envelope_problems_hold_the_header_they_name():
    no_unz = deljit(CHANGES[: CHANGES.index(b"UNZ")]).problems
    assert [p.raw for p in no_unz] == [CHANGES[: CHANGES.index(b"'") + 1]]
    no_ge = x12(FORD.replace(b"GE*1*42~\r\n", b"")).problems
    assert [p.raw for p in no_ge] == [FORD[FORD.index(b"GS*") : FORD.index(b"~", FORD.index(b"GS*")) + 1]]
    no_trailer = vda(CALLOFF[: CALLOFF.index(b"669")]).problems
    assert no_trailer[0].raw == CALLOFF[: CALLOFF.index(b"\r\n")].rstrip()


def test_a_declared_control_character_separator_is_no_control_character():
    raw = (SAMPLES / "deljit_syncro_wrap.edi").read_bytes()
    una = raw.replace(b"UNA:+.? '", b"UNA:\x1d.? '").replace(b"+", b"\x1d").replace(b"?\x1d", b"?+")
    assert deljit(una).ok and [b.seq for b in deljit(una).broadcasts] == [9998, 9999, 0, 1]


def test_an_st_glued_to_the_se_before_it_starts_the_next_transaction_set():
    two = FORD.replace(b"GE*1*42", b"GE*2*42").replace(b"SE*28*0001~\r\n", b"SE*28*0001~\r\n" + b"ST*866*0002~\r\n")
    first_set = two[two.index(b"ST*866*0001") : two.index(b"ST*866*0002")]
    second = first_set.replace(b"ST*866*0001", b"ST*866*0002").replace(b"SE*28*0001", b"SE*28*0002")
    second = second.replace(b"REF*JS*9999", b"REF*JS*0002").replace(b"REF*JS*0000", b"REF*JS*0003")
    second = second.replace(b"REF*JS*0001", b"REF*JS*0004")
    clean = two.replace(b"ST*866*0002~\r\n", second)
    assert [b.seq for b in x12(clean).broadcasts] == [9999, 0, 1, 2, 3, 4]
    glued = clean.replace(b"SE*28*0001~\r\n", b"SE*28*0001")
    result = x12(glued)
    assert [b.seq for b in result.broadcasts] == [2, 3, 4]
    assert result.problems[0].reason.startswith("the segment has no terminator: ST at byte ")


def test_vda_records_glued_shifted_or_garbled_cost_their_own_vehicle():
    lines = CALLOFF.split(b"\r\n")
    glued = b"\r\n".join([*lines[:3], lines[3] + lines[4], *lines[5:]])  # 66301BMP-040-PDC...662 (vehicle 9999)
    assert [b.seq for b in vda(glued).broadcasts] == [9999, 0, 9990]  # vehicle 9998 lost its line break
    stream = b"".join(line.ljust(128) for line in lines if line)
    assert [b.seq for b in vda(stream).broadcasts] == [9998, 9999, 0, 9990]
    at = stream.index(b"66201009999") + 40
    shifted = stream[:at] + stream[at + 1 :]  # a byte lost inside vehicle 9999's record
    assert [b.seq for b in vda(shifted).broadcasts] == [9998, 0, 9990]
    garbled = stream.replace(b"66201009999", b"6X201009999")
    assert [b.seq for b in vda(garbled).broadcasts] == [9998, 0, 9990]
    # (jis fuzz found these) a part typed as a trailer does not close the transmission, it breaks its vehicle
    typo = stream.replace(b"66301BMP-1A2", b"66901BMP-1A2")
    assert [b.seq for b in vda(typo).broadcasts] == [9998, 0, 9990]
    # a vehicle record with a control character in its sequence number costs itself only
    ctrl = stream.replace(b"66201009999", b"66201009\x0799")
    assert [b.seq for b in vda(ctrl).broadcasts] == [9998, 0, 9990]
    # the last vehicle of an unbroken stream cut short right before the trailer
    last = stream.index(b"66201009990")
    cut = stream[: last + 14] + stream[stream.index(b"669") :]
    result = vda(cut)
    assert [b.seq for b in result.broadcasts] == [9998, 9999, 0]
    noise = stream.replace(b"66201009999", b"\x7f66201009999")  # a stray byte, no record
    result = vda(noise)
    assert [b.seq for b in result.broadcasts] == [9998, 9999, 0, 9990]
    assert [p.raw for p in result.problems] == [b"\x7f"]


def test_part_calls_are_built_once_per_part_and_quantity():
    from app.feed.formats.canonical import Finish

    finish = Finish({"SEAT-CLOTH-BLK": "seats"}, "L1", {"A1": "L2"})
    assert finish.part("SEAT-CLOTH-BLK") is finish.part("SEAT-CLOTH-BLK", 1)
    assert finish.part("SEAT-CLOTH-BLK").family == "seats" and finish.part("X-9").family == ""
    assert (finish.feed("A1"), finish.feed("B7")) == ("L2", "L1")
