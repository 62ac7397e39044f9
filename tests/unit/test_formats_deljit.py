"""EDIFACT DELJIT -> canonical broadcasts, from realistic samples (tests/samples/deljit_*.edi) and variants."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from app.feed.formats.canonical import ENVELOPE, InterchangeRegistry
from app.feed.formats.deljit import DeljitProfile, parse_deljit

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
BERLIN = ZoneInfo("Europe/Berlin")


def parse(raw: bytes, registry: InterchangeRegistry | None = None, profile: DeljitProfile | None = None):
    kwargs = {"profile": profile} if profile else {}
    reg = registry if registry is not None else InterchangeRegistry()
    return parse_deljit(raw, zone=BERLIN, registry=reg, **kwargs)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def message(*segments: str, function: str = "9", ref: str = "1") -> str:
    """One DELJIT interchange with one message around ``segments`` (default separators, counts computed)."""
    body = [f"UNH+{ref}+DELJIT:D:97A:UN", f"BGM+30+CO-{ref}+{function}", "DTM+137:202503050812:203", *segments]
    return (
        "UNB+UNOC:3+OEM+SUP+250305:0812+77'" + "".join(s + "'" for s in body) + f"UNT+{len(body) + 1}+{ref}'UNZ+1+77'"
    )


VEHICLE = (
    "SEQ+1+0100:1",
    "DTM+2:202503051015:203",
    "GIR+1+WVWZZZ1KZRW000100:VV",
    "LIN+1++SEAT-CLOTH-BLK:SA",
    "QTY+1:1",
)


def test_syncro_sample_wraps_9999_to_0_in_one_message():
    result = parse(sample("deljit_syncro_wrap.edi"))
    assert result.problems == []
    assert [b.seq for b in result.broadcasts] == [9998, 9999, 0, 1]
    first = result.broadcasts[0]
    assert first.vehicle_id == "WVWZZZ1KZRW009998"  # GIR qualifier VV preferred over the BN body number
    assert [(p.part, p.qty) for p in first.parts] == [("SEAT-LEATH-BLK-H", 1), ("BMP-040-PDC", 1)]  # SA before IN
    assert first.required_at == utc(2025, 3, 5, 9, 15)  # DTM+2 10:15 Berlin (CET)
    assert first.sent_at == utc(2025, 3, 5, 7, 12)  # DTM+137 08:12 Berlin
    assert (first.function, first.firm, first.call_off) == ("original", True, "JC250305-0042")
    assert (first.unloading_point, first.line, first.reporting_point) == ("1A04", "A1", "B1")
    assert first.interchange == "O0013000093OEMWOB/00000042" and result.interchange_ids == [first.interchange]
    assert {b.raw_index for b in result.broadcasts} == {0}
    assert result.sources[1].startswith(b"SEQ+1+9999:1'") and result.sources[1].endswith(b"QTY+1:1:PCE'")


def test_custom_una_sample_with_decimal_comma_and_utf8_names():
    result = parse(sample("deljit_custom_una.edi"))
    assert result.problems == []
    assert [(b.seq, b.vehicle_id) for b in result.broadcasts] == [
        (420, "WAUZZZF40RA000420"),
        (421, "WAUZZZF40RA000421"),
    ]
    assert all(p.qty == 1 for b in result.broadcasts for p in b.parts)  # "1,000" with the UNA's decimal comma
    assert [b.reporting_point for b in result.broadcasts] == ["B2", "B2"]
    assert [b.unloading_point for b in result.broadcasts] == ["2B07", "2B07"]  # header LOC+11 for both
    assert result.broadcasts[0].required_at == utc(2025, 3, 5, 10, 45)  # format 204 with seconds


def test_change_cancellation_hold_and_a_deleted_vehicle():
    result = parse(sample("deljit_change_cancel_hold.edi"))
    assert result.problems == []
    got = [(b.seq, b.function, len(b.parts)) for b in result.broadcasts]
    assert got == [(42, "change", 2), (43, "cancel", 0), (44, "hold", 0), (46, "original", 2), (45, "cancel", 0)]
    assert [b.raw_index for b in result.broadcasts] == [0, 1, 2, 3, 3]


def test_point_of_use_stands_in_for_a_missing_unloading_point():
    vehicle = (*VEHICLE[:3], "LOC+159+PoU-17", *VEHICLE[3:])
    assert parse(message(*vehicle).encode()).broadcasts[0].unloading_point == "PoU-17"
    both = (*VEHICLE[:3], "LOC+159+PoU-17", "LOC+11+1A04", *VEHICLE[3:])
    assert parse(message(*both).encode()).broadcasts[0].unloading_point == "1A04"  # 11 before 159


def test_forecast_and_release_codes():
    forecast = parse(message(*VEHICLE, function="25").encode()).broadcasts[0]
    assert (forecast.function, forecast.firm) == ("original", False)
    release = parse(message(*VEHICLE, function="51").encode()).broadcasts[0]
    assert (release.function, release.firm) == ("release", True)
    absent = parse(message(*VEHICLE, function="").encode()).broadcasts[0]
    assert absent.function == "original"


def test_partner_profile_can_map_its_own_document_codes():
    profile = DeljitProfile(document_functions={"ZZ1": ("cancel", True)})
    raw = message(*VEHICLE).replace("BGM+30+", "BGM+ZZ1+").encode()
    assert parse(raw, profile=profile).broadcasts[0].function == "cancel"


def test_unknown_message_function_quarantines_the_message():
    result = parse(message(*VEHICLE, function="47").encode())
    assert result.broadcasts == []
    (problem,) = result.problems
    assert problem.index == 0 and "BGM message function '47'" in problem.reason
    assert problem.raw.startswith(b"UNH+1+DELJIT") and problem.raw.endswith(b"UNT+9+1'")


def test_bad_unt_count_quarantines_the_message_with_its_bytes():
    raw = sample("deljit_bad_unt_count.edi")
    result = parse(raw)
    assert result.broadcasts == []
    (problem,) = result.problems
    assert problem.reason == (
        "UNT says 12 segments, the message has 11 "
        "[interchange O0013000093OEMWOB/00000050, message '1', segment 11 UNT at byte 327]"
    )
    assert problem.raw == raw[raw.index(b"UNH") : raw.index(b"UNZ")].rstrip()


def test_truncated_interchange_gives_reasons_and_no_half_message():
    result = parse(sample("deljit_truncated.edi"))
    assert result.broadcasts == []
    assert [p.reason for p in result.problems] == [
        "segment 'DTM' at byte 803 has no terminator (truncated?) "
        "[interchange O0013000093OEMWOB/00000042, message '1', segment 29 DTM at byte 803]",
        "interchange O0013000093OEMWOB/00000042 has no UNZ (truncated?) [from byte 0]",
    ]


def test_message_without_seq_group():
    (problem,) = parse(sample("deljit_missing_seq.edi")).problems
    assert problem.reason == (
        "message '1' has no SEQ group: no vehicle in it [interchange O0013000093OEMWOB/00000060, message '1']"
    )


def test_bad_vehicle_is_quarantined_alone():
    bad = ("SEQ+1+0101:1", "DTM+2:202503051016:203", "LIN+1++SEAT-CLOTH-BLK:SA")  # no GIR
    result = parse(message(*VEHICLE, *bad).encode())
    assert [b.seq for b in result.broadcasts] == [100]
    (problem,) = result.problems
    assert problem.reason == (
        "SEQ '0101' has no vehicle id (no GIR identity number) "
        "[interchange OEM/77, message '1', segment 9 SEQ at byte 191, seq 0101]"
    )
    assert problem.raw == b"SEQ+1+0101:1'DTM+2:202503051016:203'LIN+1++SEAT-CLOTH-BLK:SA'"


def test_quantities():
    def qty(q: str):
        result = parse(message(*VEHICLE[:-1], q).encode())
        return [p.qty for b in result.broadcasts for p in b.parts], [p.reason.split(" [")[0] for p in result.problems]

    assert qty("QTY+1:2:PCE") == ([2], [])
    assert qty("QTY+12:1.000") == ([1], [])
    assert qty("IMD+F++:::Seat") == ([1], [])  # no QTY: a JIS call is one unit
    assert qty("QTY+1:0")[1] == ["vehicle WVWZZZ1KZRW000100, part SEAT-CLOTH-BLK: quantity 0 is outside 1..9999"]
    assert qty("QTY+1:1.5")[1] == [
        "vehicle WVWZZZ1KZRW000100, part SEAT-CLOTH-BLK: quantity '1.5' is not a whole number"
    ]


def test_bad_dates_and_numbers_are_reasons():
    cases = [
        (1, "DTM+2:20250399:102", "DTM 2: '20250399' is not a date/time of the form %Y%m%d"),
        (1, "DTM+2:2025030510:999", "DTM 2: date/time format '999' is not one we read"),
        (0, "SEQ+1+01A0:1", "SEQ sequence number '01A0' is not a number"),
    ]
    for at, segment, reason in cases:
        vehicle = list(VEHICLE)
        vehicle[at] = segment
        result = parse(message(*vehicle).encode())
        assert result.broadcasts == [] and result.problems[0].reason.startswith(reason), (segment, result.problems)


def test_original_without_part_is_a_problem_but_a_cancel_is_not():
    vehicle = VEHICLE[:3]
    assert "a original call with no part" in parse(message(*vehicle).encode()).problems[0].reason
    assert parse(message(*vehicle, function="1").encode()).broadcasts[0].function == "cancel"


def test_other_message_types_are_refused():
    raw = message(*VEHICLE).replace("DELJIT:D:97A", "DELFOR:D:97A").encode()
    assert parse(raw).problems[0].reason == "message type 'DELFOR' is not DELJIT [interchange OEM/77, message '1']"


def test_repeated_interchange_in_one_file_and_across_files():
    result = parse(sample("deljit_duplicate_interchange.edi"))
    assert [b.seq for b in result.broadcasts] == [9998, 9999, 0, 1]
    (dup,) = result.problems
    assert dup.index == ENVELOPE
    assert dup.reason == "interchange O0013000093OEMWOB/00000042 was already received (repeated UNB control reference)"
    assert dup.raw == sample("deljit_syncro_wrap.edi").rstrip()

    registry = InterchangeRegistry()
    assert parse(sample("deljit_syncro_wrap.edi"), registry).ok
    again = parse(sample("deljit_syncro_wrap.edi"), registry)
    assert again.broadcasts == [] and "already received" in again.problems[0].reason


def test_a_broken_interchange_is_not_remembered_so_a_corrected_resend_passes():
    registry = InterchangeRegistry()
    assert not parse(sample("deljit_bad_unt_count.edi"), registry).ok
    fixed = sample("deljit_bad_unt_count.edi").replace(b"UNT+12+1", b"UNT+11+1")
    assert parse(fixed, registry).ok


# -- round trip through our own writer: any separators, any characters that need releasing ------------------
_SEPARATORS = st.sampled_from([":+.? '", ":+,? '", ">|,! ~", ";#.\\ \n", "^*.@ %"])
_TEXT = st.text(alphabet=st.sampled_from("ABZ019-/ :+'?|~>!#;^*@%\\"), min_size=1, max_size=12).filter(str.strip)


def _release(value: str, una: str) -> str:
    component, element, _decimal, release, _reserved, terminator = una
    return "".join(release + c if c in (component, element, release, terminator) else c for c in value)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(una=_SEPARATORS, seqs=st.lists(st.integers(0, 9999), min_size=1, max_size=5), vins=st.data())
def test_any_separators_and_released_characters_round_trip(una, seqs, vins):
    component, element, _d, _r, _x, terminator = una
    ids = [vins.draw(_TEXT).strip() for _ in seqs]
    parts = [vins.draw(_TEXT).strip() for _ in seqs]
    body = [
        f"UNH{element}1{element}DELJIT{component}D{component}97A{component}UN",
        f"BGM{element}30{element}X{element}9",
    ]
    for seq, vid, part in zip(seqs, ids, parts, strict=True):
        body += [f"SEQ{element}1{element}{seq:04d}", f"GIR{element}1{element}{_release(vid, una)}{component}VV"]
        body += [f"LIN{element}1{element}{element}{_release(part, una)}{component}SA"]
    raw = f"UNA{una}UNB{element}UNOC{component}3{element}S{element}R{element}1{component}1{element}9{terminator}\r\n"
    raw += "".join(s + terminator + "\r\n" for s in body) + f"UNT{element}{len(body) + 1}{element}1{terminator}"
    raw += f"UNZ{element}1{element}9{terminator}"
    result = parse(raw.encode())
    assert result.problems == []
    assert [(b.seq, b.vehicle_id, b.parts[0].part) for b in result.broadcasts] == list(
        zip(seqs, ids, parts, strict=True)
    )
