"""ANSI X12 866 -> canonical broadcasts: separators from the ISA, envelope counts, the 866 mapping."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.feed.formats.canonical import ENVELOPE, InterchangeRegistry
from app.feed.formats.x12 import X12Chars, X12SyntaxError, isa_chars, parse_x12

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
BERLIN = ZoneInfo("Europe/Berlin")


def parse(raw: bytes, registry: InterchangeRegistry | None = None):
    return parse_x12(raw, zone=BERLIN, registry=registry if registry is not None else InterchangeRegistry())


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


FORD = sample("x12_866_ford.x12")


def test_ford_sample_wraps_and_maps_every_field():
    result = parse(FORD)
    assert result.problems == []
    assert [b.seq for b in result.broadcasts] == [9999, 0, 1]
    first = result.broadcasts[0]
    assert first.vehicle_id == "1FAHP3F20RL109999"
    assert [p.part for p in first.parts] == ["SEAT-CLOTH-BLK", "BMP-040"]  # VP (ours) before BP (buyer's)
    assert first.required_at == utc(2025, 3, 5, 15, 15)  # 10:15 ET (EST, UTC-5)
    assert first.sent_at == utc(2025, 3, 5, 7, 12)  # GS 08:12, no zone: the plant's
    assert (first.function, first.call_off, first.unloading_point, first.line) == (
        "original",
        "SEQ250305-1",
        "D04",
        "A1",
    )
    assert first.interchange == "FORDAP01/000000042" == result.interchange_ids[0]
    assert result.sources[0].startswith(b"DTM*002*250305*1015*ET~") and b"CTT" not in result.sources[2]


def test_pipes_carets_and_tildes_change_and_cancel():
    result = parse(sample("x12_866_pipes_change_cancel.x12"))
    assert result.problems == []
    got = [(b.seq, b.function, [p.part for p in b.parts], b.raw_index) for b in result.broadcasts]
    assert got == [(0, "change", ["SEAT-LEATH-BLK", "BMP-040-PDC"], 0), (1, "cancel", [], 1)]
    assert result.broadcasts[0].required_at == utc(2025, 3, 5, 10, 15)  # DTM04 UT
    assert result.broadcasts[1].required_at == utc(2025, 3, 5, 9, 17)  # no time code: the plant's zone


def test_separators_come_from_the_isa():
    assert isa_chars(FORD.decode(), 0) == (X12Chars("*", ">", "~"), 106)
    chars, end = isa_chars(sample("x12_866_pipes_change_cancel.x12").decode(), 0)
    assert (chars.element, chars.component, chars.terminator, end) == ("|", "^", "~", 106)


def test_newline_as_segment_terminator():
    raw = FORD.replace(b"~\r\n", b"\n")
    result = parse(raw)
    assert result.problems == [] and [b.seq for b in result.broadcasts] == [9999, 0, 1]


def test_an_isa_without_its_padding_is_still_read():
    trimmed = FORD.replace(b"*          *", b"**").replace(b"FORDAP01       *", b"FORDAP01*")
    trimmed = trimmed.replace(b"SUPPLIER01     *", b"SUPPLIER01*")
    assert len(trimmed.split(b"~")[0]) < 105
    result = parse(trimmed)
    assert result.problems == [] and len(result.broadcasts) == 3


def test_not_an_isa():
    with pytest.raises(X12SyntaxError):
        isa_chars("ISA*00*", 0)
    (problem,) = parse(b"ISA*00*short~").problems
    assert problem.index == ENVELOPE and "ISA" in problem.reason


def test_bad_se_count_quarantines_the_transaction_set():
    result = parse(sample("x12_866_bad_se_count.x12"))
    assert result.broadcasts == []
    (problem,) = result.problems
    assert (problem.index, problem.reason) == (
        0,
        "SE says 7 segments, the transaction set has 8 "
        "[interchange FORDAP01/000000044, transaction set '0001', segment 8 SE at byte 330]",
    )
    assert problem.raw.startswith(b"ST*866*0001~") and problem.raw.endswith(b"SE*7*0001~")


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (
            b"GE*1*42",
            b"GE*2*42",
            "GE says '2' sets / control '42', counted 1 / GS06 '42' [interchange FORDAP01/000000042, group '42']",
        ),
        (
            b"IEA*1*000000042",
            b"IEA*1*000000041",
            "IEA says '1' groups / control '000000041', counted 1 / ISA13 '000000042' [interchange FORDAP01/000000042]",
        ),
    ],
)
def test_group_and_interchange_trailers_are_checked(old, new, reason):
    result = parse(FORD.replace(old, new))
    assert [p.reason for p in result.problems] == [reason]
    assert len(result.broadcasts) == 3  # each transaction set proved itself with its SE count


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (b"CTT*6", b"CTT*5", "CTT says '5' line items, the transaction set has 6"),
        (b"BSS*00*", b"BSS*99*", "BSS01 purpose '99' is not one we map"),
        (b"ST*866*", b"ST*856*", "transaction set '856' is not an 866 Production Sequence"),
    ],
)
def test_transaction_level_problems(old, new, reason):
    result = parse(FORD.replace(old, new))
    assert result.broadcasts == [] and result.problems[0].reason.startswith(reason)


def test_hold_is_transaction_on_hold():
    assert {b.function for b in parse(FORD.replace(b"BSS*00*", b"BSS*21*")).broadcasts} == {"hold"}


def test_a_vehicle_without_sequence_number_is_quarantined_alone():
    raw = FORD.replace(b"REF*JS*0000~\r\n", b"")
    raw = raw.replace(b"SE*28*0001", b"SE*27*0001")
    result = parse(raw)
    assert [b.seq for b in result.broadcasts] == [9999, 1]
    (problem,) = result.problems
    assert "sequence number '' (REF*JS) is not a number" in problem.reason
    assert problem.raw.startswith(b"DTM*002*250305*1016*ET~")


def test_vehicle_id_and_sequence_may_ride_on_the_lin():
    raw = FORD.replace(b"REF*VT*1FAHP3F20RL109999~\r\n", b"").replace(b"SE*28*", b"SE*27*")
    raw = raw.replace(b"LIN*1*VP*SEAT-CLOTH-BLK*BP*SEATCLOTHB", b"LIN*1*VP*SEAT-CLOTH-BLK*VV*1FAHP3F20RL1099XX")
    result = parse(raw)
    assert result.problems == [] and result.broadcasts[0].vehicle_id == "1FAHP3F20RL1099XX"


def test_bad_date_is_a_reason():
    raw = FORD.replace(b"DTM*002*250305*1015*ET", b"DTM*002*250345*1015*ET")
    (problem,) = parse(raw).problems
    assert problem.reason == (
        "DTM*002: '2503451015' is not a date/time of the form %y%m%d%H%M [interchange FORDAP01/000000042, "
        "transaction set '0001', segment 6 DTM at byte 280, seq 9999, vehicle 1FAHP3F20RL109999]"
    )


def test_repeated_isa13_is_recognised():
    result = parse(FORD + FORD)
    assert len(result.broadcasts) == 3
    (dup,) = result.problems
    assert dup.reason == "interchange FORDAP01/000000042 was already received (repeated ISA13)"
    assert dup.raw == FORD.rstrip()


def test_truncated_interchange():
    result = parse(FORD[: FORD.index(b"DTM*002*250305*1017")])
    reasons = [p.reason for p in result.problems]
    assert reasons[0].startswith("transaction set '0001' has no SE before the end of the file (truncated?)")
    assert reasons[-1] == "interchange FORDAP01/000000042 has no IEA (truncated?) [from byte 0]"
    assert result.broadcasts == []


def test_garbage_after_an_interchange():
    result = parse(FORD + b"hello")
    assert len(result.broadcasts) == 3
    assert result.problems[0].reason == "expected ISA at byte 827, found 'hel'"


def test_a_transaction_set_outside_a_group_is_an_envelope_problem():
    raw = FORD.replace(b"GS*SQ*FORDAP01*SUPPLIER01*250305*0812*42*X*003010~\r\n", b"").replace(b"GE*1*42~\r\n", b"")
    result = parse(raw.replace(b"IEA*1*", b"IEA*0*"))
    assert [p.reason for p in result.problems] == [
        "transaction set outside a functional group (no GS) [interchange FORDAP01/000000042, transaction set '0001']"
    ]
    assert len(result.broadcasts) == 3 and result.broadcasts[0].sent_at is None
