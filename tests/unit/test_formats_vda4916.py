"""VDA 4916-style fixed records -> canonical broadcasts, through a record mapping that is data (TOML)."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from app.feed.formats.canonical import ENVELOPE, InterchangeRegistry
from app.feed.formats.vda4916 import DEFAULT_MAPPING, MappingError, looks_like_vda, mapping_from_dict, parse_vda

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
BERLIN = ZoneInfo("Europe/Berlin")
CALLOFF = (SAMPLES / "vda4916_calloff.txt").read_bytes()
STREAM = (SAMPLES / "vda4916_stream.txt").read_bytes()


def parse(raw: bytes, mapping=DEFAULT_MAPPING, registry: InterchangeRegistry | None = None):
    reg = registry if registry is not None else InterchangeRegistry()
    return parse_vda(raw, zone=BERLIN, registry=reg, mapping=mapping)


def test_one_record_a_line_with_trimmed_trailing_blanks():
    result = parse(CALLOFF)
    assert result.problems == []
    got = [(b.seq, b.function, [p.part for p in b.parts]) for b in result.broadcasts]
    assert got == [
        (9998, "original", ["SEAT-LEATH-BLK-H", "BMP-040-PDC"]),
        (9999, "original", ["SEAT-CLOTH-BLK", "BMP-1A2"]),
        (0, "change", ["SEAT-SPORT-RED", "BMP-040"]),
        (9990, "cancel", []),
    ]
    first = result.broadcasts[0]
    assert first.required_at == datetime(2025, 3, 5, 9, 15, tzinfo=UTC).timestamp()
    assert first.sent_at == datetime(2025, 3, 5, 7, 12, tzinfo=UTC).timestamp()
    assert (first.unloading_point, first.line, first.reporting_point, first.call_off) == (
        "1A04",
        "A1",
        "R100",
        "JC000042",
    )
    assert first.interchange == "OEMWOB001/00042" and [b.raw_index for b in result.broadcasts] == [0, 1, 2, 3]
    assert result.sources[0].startswith(b"66201009998") and result.sources[0].count(b"\n") == 2


def test_unbroken_stream_of_records_and_a_forecast():
    result = parse(STREAM)
    assert result.problems == []
    assert [(b.seq, b.firm) for b in result.broadcasts] == [(1, True), (2, False)]


def test_trailer_counts_are_checked():
    raw = CALLOFF.replace(b"669010000004", b"669010000005")
    result = parse(raw)
    assert [p.reason for p in result.problems] == [
        "trailer says 0000005 vehicles, counted 4 [transmission OEMWOB001/00042, byte 1028]"
    ]
    assert len(result.broadcasts) == 4  # the records themselves are whole; the person sees one went missing


def test_missing_trailer_and_cut_short_stream():
    result = parse(STREAM[:-100])
    reasons = [p.reason for p in result.problems]
    assert reasons == [
        "record at byte 768 is cut short (28 of 128 characters) [transmission OEMWOB001/00043]",
        "transmission OEMWOB001/00043 has no trailer record (truncated?)",
    ]
    assert len(result.broadcasts) == 2  # the cut record was the trailer: the vehicle before it is whole


def test_a_transmission_cut_inside_a_vehicle_quarantines_that_vehicle():
    cut = CALLOFF[: CALLOFF.index(b"66301BMP-1A2")]  # vehicle 9999 has lost its second part record
    result = parse(cut)
    assert [b.seq for b in result.broadcasts] == [9998]
    assert [p.reason for p in result.problems] == [
        "transmission OEMWOB001/00042 has no trailer record (truncated?)",
        "the transmission ends without a trailer: this vehicle may be cut short "
        "[transmission OEMWOB001/00042, vehicle record at byte 364, seq 009999, vehicle WVWZZZ1KZRW009999]",
    ]


def test_unknown_record_type_and_bad_fields():
    lines = CALLOFF.decode("latin-1").split("\r\n")
    lines[1] = lines[1][:5] + "00X998" + lines[1][11:]
    lines[7] = lines[7][:28] + "Q" + lines[7][29:]
    lines.insert(3, "999" + " " * 125)
    result = parse("\r\n".join(lines).encode("latin-1"))
    reasons = [p.reason for p in result.problems]
    assert reasons == [
        "record type '999' at byte 324 is not in the mapping "  # inside vehicle 9998: it costs that vehicle
        "[transmission OEMWOB001/00042, vehicle record at byte 130, seq 00X998, vehicle WVWZZZ1KZRW009998]",
        "vehicle WVWZZZ1KZRW010000: function code 'Q' is not in the mapping "
        "[transmission OEMWOB001/00042, vehicle record at byte 794, seq 000000, vehicle WVWZZZ1KZRW010000]",
    ]
    assert [b.seq for b in result.broadcasts] == [9999, 9990]


def test_repeated_transfer_number_is_a_duplicate():
    registry = InterchangeRegistry()
    assert parse(CALLOFF, registry=registry).ok
    again = parse(CALLOFF, registry=registry)
    assert again.broadcasts == []
    assert [(p.index, p.reason) for p in again.problems] == [
        (ENVELOPE, "transmission OEMWOB001/00042 was already received (repeated transfer number)")
    ]


PARTNER_TOML = """
record_length = 64
functions = { "1" = ["original", true], "3" = ["cancel", true] }

[records.A01]
role = "header"
fields = { partner = [4, 6], transfer = [10, 4], date = [14, 8, "date"] }

[records.A02]
role = "vehicle"
fields = { seq = [4, 4, "int"], vehicle_id = [8, 10], function = [18, 1], line = [19, 2] }

[records.A03]
role = "part"
fields = { part = [4, 14], qty = [18, 3, "int"] }

[records.A99]
role = "trailer"
fields = { vehicles = [4, 3, "int"] }
"""


def test_a_partner_layout_from_toml():
    mapping = mapping_from_dict(tomllib.loads(PARTNER_TOML))
    records = [
        "A01OEM0010042" + "20250305",
        "A029999BODY0000011A7",
        "A03SEAT-CLOTH-BLK001",
        "A020000BODY0000023A7",
        "A99002",
    ]
    raw = "".join(r.ljust(64) for r in records).encode()
    assert looks_like_vda(raw, mapping) and not looks_like_vda(raw)
    result = parse(raw, mapping)
    assert result.problems == []
    assert [(b.seq, b.vehicle_id, b.function, b.line) for b in result.broadcasts] == [
        (9999, "BODY000001", "original", "A7"),
        (0, "BODY000002", "cancel", "A7"),
    ]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["records"].pop("A99"), "exactly one record type must have role 'trailer', found 0"),
        (lambda d: d["records"]["A02"]["fields"].pop("seq"), "the vehicle record lacks field(s) seq"),
        (lambda d: d["records"]["A03"]["fields"].update(qty=[60, 9]), "record A03 field qty ends past position 64"),
        (lambda d: d["records"]["A03"]["fields"].update(qty=[2, 3]), "greater than or equal to 4"),
        (
            lambda d: d.update(colour="red"),
            "colour: unknown key (valid: record_length, records, functions, call_types, test_codes, test_indicator)",
        ),
    ],
)
def test_a_wrong_mapping_is_refused_with_its_reason(change, reason):
    data = tomllib.loads(PARTNER_TOML)
    change(data)
    with pytest.raises(MappingError, match=re.escape(reason)):
        mapping_from_dict(data)
