"""Format detection, parse_bytes (feed and families filled in), the canonical model's feed JSON, `jis parse`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.feed.formats import detect
from app.feed.formats.canonical import (
    ENVELOPE,
    CanonicalBroadcast,
    FeedMismatch,
    InterchangeRegistry,
    PartCall,
    families_of_plant,
)
from app.feed.formats.detect import detect_format, parse_bytes, parse_file
from app.feed.protocol import decode_broadcast
from tests.plants import demo_plant

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
FAMILIES = families_of_plant(demo_plant())


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("deljit_syncro_wrap.edi", "edifact"),
        ("deljit_change_cancel_hold.edi", "edifact"),  # starts with UNB, no UNA
        ("x12_866_ford.x12", "x12"),
        ("vda4916_calloff.txt", "vda4916"),
        ("vda4916_stream.txt", "vda4916"),
        ("broadcasts_feed.jsonl", "json"),
        ("broadcasts_emergency.jsonl", "json"),
    ],
)
def test_format_is_detected_by_content(name, fmt):
    assert detect_format(sample(name)) == fmt
    assert detect_format(b"\xef\xbb\xbf\r\n" + sample(name)) == fmt
    assert parse_file_bytes(b"\xef\xbb\xbf\r\n" + sample(name)).ok


def parse_file_bytes(raw: bytes):
    return parse_bytes(raw, family_of_part=FAMILIES, feed_default="L1", zone="Europe/Berlin")


def test_every_good_sample_parses_clean_with_the_demo_plant():
    for name in ["deljit_syncro_wrap.edi", "deljit_custom_una.edi", "deljit_change_cancel_hold.edi", "x12_866_ford.x12",
                 "x12_866_pipes_change_cancel.x12", "vda4916_calloff.txt", "vda4916_stream.txt",
                 "broadcasts_feed.jsonl", "broadcasts_emergency.jsonl"]:  # fmt: skip
        result = parse_file(SAMPLES / name)
        assert result.ok, (name, result.problems)
        assert result.broadcasts and all(b.feed == "L1" for b in result.broadcasts)
        assert all(p.family in ("seats", "bumper") for b in result.broadcasts for p in b.parts)


@pytest.mark.parametrize(
    ("raw", "reason"), [(b"", "empty input"), (b"  \n", "empty input"), (b"hello", "unknown format")]
)
def test_unknown_input_is_one_problem(raw, reason):
    result = parse_bytes(raw, family_of_part=FAMILIES)
    assert result.broadcasts == [] and result.problems[0].reason.startswith(reason)
    assert result.problems[0].raw == raw and result.problems[0].index == ENVELOPE


def test_unknown_part_keeps_its_broadcast_with_no_family():
    raw = sample("x12_866_ford.x12").replace(b"VP*BMP-040*", b"VP*BMP-999*")
    result = parse_bytes(raw, family_of_part=FAMILIES, feed_default="L1")
    assert len(result.broadcasts) == 3
    assert [(p.family, p.part) for p in result.broadcasts[0].parts] == [("seats", "SEAT-CLOTH-BLK"), ("", "BMP-999")]
    (problem,) = result.problems
    assert (
        problem.kept and problem.reason == "vehicle 1FAHP3F20RL109999: part 'BMP-999' is not in the plant's master data"
    )
    assert problem.raw == result.sources[0]


def test_master_data_corrects_a_family_and_says_so():
    raw = json.dumps({"feed": "L1", "seq": 1, "vehicle_id": "V", "function": "original", "firm": True,
                      "parts": {"bumper": "SEAT-CLOTH-BLK"}}).encode()  # fmt: skip
    result = parse_bytes(raw, family_of_part=lambda number: FAMILIES.get(number))
    assert result.broadcasts[0].parts[0].family == "seats"
    assert result.problems[0].kept and "sent as family 'bumper', master data says 'seats'" in result.problems[0].reason


def test_feed_comes_from_the_message_then_the_line_then_the_default():
    raw = sample("deljit_custom_una.edi")  # first vehicle names line A1, the second none
    result = parse_bytes(raw, family_of_part=FAMILIES, feed_default="L9", feed_of_line={"A1": "L1"})
    assert [b.feed for b in result.broadcasts] == ["L1", "L9"]
    orphan = parse_bytes(raw, family_of_part=FAMILIES, feed_of_line={"A1": "L1"})
    assert [b.feed for b in orphan.broadcasts] == ["L1", ""]
    assert [p.reason for p in orphan.problems] == [
        "vehicle WAUZZZF40RA000421: no feed (the message names none; give --feed)"
    ]


def test_registry_is_shared_across_calls_and_bounded():
    registry = InterchangeRegistry(capacity=2)
    assert parse_bytes(sample("x12_866_ford.x12"), family_of_part=FAMILIES, feed_default="L1", registry=registry).ok
    again = parse_bytes(sample("x12_866_ford.x12"), family_of_part=FAMILIES, feed_default="L1", registry=registry)
    assert again.broadcasts == [] and "already received" in again.problems[0].reason
    for control in ("a", "b"):
        registry.remember("OTHER", control)
    assert len(registry) == 2 and not registry.is_duplicate("FORDAP01", "000000042")


def test_a_parser_bug_is_caught_and_reported(monkeypatch):
    def broken(*args: object) -> None:
        raise KeyError("boom")

    monkeypatch.setitem(detect.PARSERS, "json", broken)
    result = parse_bytes(b"{}", family_of_part=FAMILIES)
    assert result.problems[0].reason == "parser error KeyError: 'boom'" and result.problems[0].raw == b"{}"


# -- the canonical model on the feed ---------------------------------------------------------------------------
def broadcast(**change: object) -> CanonicalBroadcast:
    base = {"feed": "L1", "seq": 9999, "vehicle_id": "WVWZZZ1KZRW009999", "function": "original", "line": "A1",
            "parts": (PartCall(family="seats", part="SEAT-CLOTH-BLK"),), "sent_at": 1741158720.0}  # fmt: skip
    return CanonicalBroadcast(**{**base, **change})


def test_feed_json_is_what_the_service_accepts():
    body = broadcast().to_feed_json()
    message = decode_broadcast(body)
    assert (message.feed, message.seq, message.parts, message.sent_at, message.line) == (
        "L1", 9999, {"seats": "SEAT-CLOTH-BLK"}, 1741158720.0, "A1",
    )  # fmt: skip
    assert decode_broadcast(broadcast(sent_at=None).to_feed_json(sent_at=5.0)).sent_at == 5.0


def test_a_quantity_and_the_required_time_travel_in_the_feed_body():
    parts = (PartCall(family="seats", part="SEAT-CLOTH-BLK", qty=3), PartCall(family="bumper", part="BMP-040"))
    message = decode_broadcast(broadcast(parts=parts, required_at=1741170000.0).to_feed_json())
    assert message.qty == {"seats": 3} and message.quantity("bumper") == 1
    assert message.required_at == 1741170000.0
    plain = decode_broadcast(broadcast().to_feed_json())
    assert (plain.qty, plain.required_at) == ({}, None) and b'"qty"' not in plain.encode()


def test_what_the_feed_cannot_carry_is_refused_with_every_reason():
    parts = (PartCall(part="X-1"), PartCall(family="seats", part="A", qty=2), PartCall(family="seats", part="B"))
    with pytest.raises(FeedMismatch) as err:
        broadcast(parts=parts, sent_at=None).to_feed_json()
    assert str(err.value) == (
        "part 'X-1' has no family (not in master data); "
        "family 'seats' is called more than once; no send time: the message carries no document date and none was given"
    )
    with pytest.raises(FeedMismatch, match="vehicle_id: vehicle id must be printable ASCII"):
        broadcast(vehicle_id="Fahrzeug Nr. 1 ").to_feed_json()


# -- jis parse ---------------------------------------------------------------------------------------------------
def test_jis_parse_prints_json_lines_and_exits_0(capsys, jis):
    assert jis("parse", str(SAMPLES / "deljit_syncro_wrap.edi")) == 0
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["seq"] for r in rows] == [9998, 9999, 0, 1] and err == ""
    assert set(rows[0]) >= {
        "feed",
        "seq",
        "vehicle_id",
        "function",
        "parts",
        "required_at",
        "line",
        "unloading_point",
        "call_off",
    }
    assert rows[0]["parts"][0] == {"family": "seats", "part": "SEAT-LEATH-BLK-H", "qty": 1}


def test_jis_parse_reports_problems_on_stderr_and_exits_1(capsys, jis):
    path = SAMPLES / "deljit_bad_unt_count.edi"
    assert jis("parse", str(path)) == 1
    out, err = capsys.readouterr()
    where = "[interchange O0013000093OEMWOB/00000050, message '1', segment 11 UNT at byte 327]"
    assert out == "" and err == f"jis parse: {path}: message 0: UNT says 12 segments, the message has 11 {where}\n"


def test_jis_parse_cannot_run_exits_2(capsys, jis, tmp_path):
    assert jis("parse", str(tmp_path / "missing.edi")) == 2
    assert jis("parse", str(SAMPLES / "x12_866_ford.x12"), "--feed", "L7") == 2
    assert jis("parse", str(SAMPLES / "x12_866_ford.x12"), "--timezone", "Mars/Olympus") == 2
    bad_map = tmp_path / "map.toml"
    bad_map.write_text("record_length = 'x'\n")
    assert jis("parse", str(SAMPLES / "vda4916_calloff.txt"), "--vda-mapping", str(bad_map)) == 2
    err = capsys.readouterr().err
    assert "No such file" in err and "'L7' is not a feed" in err and "bad VDA mapping" in err


def test_jis_parse_with_a_partner_vda_mapping_and_feed(capsys, jis, tmp_path):
    mapping = tmp_path / "partner.toml"
    mapping.write_text(
        'record_length = 32\nfunctions = { "N" = ["original", true] }\n'
        '[records.H01]\nrole = "header"\nfields = { partner = [4, 4], transfer = [8, 3] }\n'
        '[records.V01]\nrole = "vehicle"\nfields = { seq = [4, 4, "int"], vehicle_id = [8, 6], function = [14, 1] }\n'
        '[records.P01]\nrole = "part"\nfields = { part = [4, 14] }\n'
        '[records.T01]\nrole = "trailer"\nfields = {}\n'
    )
    data = tmp_path / "calloff.txt"
    data.write_text("H01OEM1001\nV010042BODY42N\nP01SEAT-CLOTH-BLK\nT01\n")
    assert jis("parse", str(data), "--vda-mapping", str(mapping), "--feed", "L1", "--timezone", "UTC") == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (row["seq"], row["vehicle_id"], row["interchange"], row["parts"][0]["family"]) == (
        42,
        "BODY42",
        "OEM1/001",
        "seats",
    )


def test_a_file_read_to_its_end_is_read_in_bounded_pieces(tmp_path):
    """JSON and unknown content are read whole; from a file that is many reads, never one of the whole size."""
    rows = [{"feed": "L1", "seq": s, "vehicle_id": f"V{s:05d}", "function": "original", "firm": True,
             "parts": {"seats": "SEAT-CLOTH-BLK"}} for s in range(3000)]  # fmt: skip
    path = tmp_path / "emergency.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    assert path.stat().st_size > 200_000
    result = parse_file(path)
    assert result.ok and len(result.broadcasts) == 3000
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x01" * 300_000)
    (problem,) = parse_file(junk).problems
    assert problem.reason.startswith("unknown format") and len(problem.raw) == 300_000
