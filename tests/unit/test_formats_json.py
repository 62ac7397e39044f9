"""JSON broadcasts: JSON lines, a JSON array, the feed's BCAST shape, and strict validation with reasons."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from app.feed.formats.canonical import ENVELOPE, InterchangeRegistry
from app.feed.formats.deljit import parse_deljit
from app.feed.formats.jsonfmt import parse_json

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
GOOD = {
    "feed": "L1",
    "seq": 7,
    "vehicle_id": "V7",
    "function": "original",
    "firm": True,
    "parts": {"seats": "SEAT-CLOTH-BLK"},
}


def line(**change: object) -> bytes:
    data = {**GOOD, **change}
    return json.dumps({k: v for k, v in data.items() if v is not ...}).encode()


def test_feed_protocol_lines():
    result = parse_json((SAMPLES / "broadcasts_feed.jsonl").read_bytes())
    assert result.problems == [] and result.format == "json"
    got = [(b.seq, b.function, b.options, [(p.family, p.part) for p in b.parts]) for b in result.broadcasts]
    assert got == [
        (9999, "original", ("S2", "HEAT", "P040"), []),
        (0, "original", (), [("seats", "SEAT-SPORT-RED"), ("bumper", "BMP-1A2")]),
        (9999, "cancel", (), []),
    ]
    assert result.broadcasts[0].sent_at == 1741166100.25 and result.broadcasts[0].reporting_point == "R100"
    assert result.sources[2] == (SAMPLES / "broadcasts_feed.jsonl").read_bytes().splitlines()[2]


def test_pretty_printed_array_with_iso_times():
    result = parse_json((SAMPLES / "broadcasts_emergency.jsonl").read_bytes())
    assert result.problems == []
    first, second = result.broadcasts
    assert first.required_at == datetime(2025, 3, 5, 9, 15, tzinfo=UTC).timestamp()
    assert [(p.part, p.qty) for p in first.parts] == [("SEAT-LEATH-BLK", 1), ("BMP-040", 1)]
    assert (second.function, second.raw_index) == ("hold", 1)


def test_a_single_pretty_printed_object():
    result = parse_json(json.dumps(GOOD, indent=2).encode())
    assert result.problems == [] and result.broadcasts[0].seq == 7


def test_canonical_output_reads_back_unchanged():
    raw = (SAMPLES / "deljit_syncro_wrap.edi").read_bytes()
    parsed = parse_deljit(raw, zone=ZoneInfo("Europe/Berlin"), registry=InterchangeRegistry()).broadcasts
    lines = "\n".join(b.model_copy(update={"feed": "L1"}).to_json_line() for b in parsed).encode()
    again = parse_json(lines)
    assert again.problems == []
    assert [b.model_copy(update={"raw_index": 0}) for b in again.broadcasts] == [
        b.model_copy(update={"feed": "L1"}) for b in parsed
    ]


def test_strict_types_and_unknown_or_missing_fields_are_named():
    cases = {
        line(seq="7"): "seq: Input should be a valid integer",
        line(seq=-1): "seq: Input should be greater than or equal to 0",
        line(firm=...): "firm: missing field",
        line(function=...): "function: missing field",
        line(firm=1): "firm: Input should be a valid boolean",
        line(colour="red"): "colour: unknown field",
        line(function="delete"): "function: Input should be 'original', 'change', 'cancel', 'hold' or 'release'",
        line(
            required_at="2025-03-05T10:15:00"
        ): "required_at: Value error, '2025-03-05T10:15:00' has no time zone offset",
        line(sent_at=float("nan")): "sent_at: Input should be a finite number",
        line(
            parts=[{"part": "X", "qty": 0}]
        ): "parts.list[_JsonPart].0.qty: Input should be greater than or equal to 1",
    }
    for raw, reason in cases.items():
        result = parse_json(raw)
        assert result.broadcasts == [] and reason in result.problems[0].reason, (raw, result.problems)


def test_a_bad_line_does_not_stop_the_others():
    raw = b"\n".join([line(seq=1), b"{not json", b"[1, 2]", b"", line(seq=2), b"42"])
    result = parse_json(raw)
    assert [b.seq for b in result.broadcasts] == [1, 2]
    assert [(p.index, p.reason.split(":")[0]) for p in result.problems] == [
        (1, "not JSON"),
        (2, "not a JSON object (got list)"),
        (4, "not a JSON object (got int)"),
    ]


def test_undecodable_and_broken_input():
    assert parse_json(b"\xff\xfe{").problems[0].reason == "not UTF-8 text (byte 0)"
    deep = parse_json(b"[" * 100_000).problems[0]
    assert (deep.index, deep.reason) == (ENVELOPE, "not a JSON array: it does not parse as a whole")
    assert parse_json(b"{" * 100_000).problems[0].reason.startswith("not JSON: Expecting property name")
    huge = parse_json(b'{"seq": 1' + b"0" * 5000 + b"}").problems[0]  # int() refuses 4300+ digits
    assert huge.reason.startswith("not JSON: Exceeds the limit (4300 digits)")
    nested = parse_json(b'{"seq": ' + b"[" * 100_000 + b"}").problems[0]
    assert nested.reason == "nested too deeply"
