"""What names an arrival, pure: a feed broadcast (``app.feed.protocol.broadcast_identity``), a body that is not one
(``raw_identity``), and a message of an imported file (``CanonicalBroadcast.identity``), as docs/feed-protocol.md
("Identity") and docs/persistence.md ("Once and only once") say. The service journals each identity once
(tests/integration/test_once.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.feed.formats import parse_bytes, parse_file
from app.feed.protocol import (
    MAX_BODY_BYTES,
    MAX_BODY_DEPTH,
    BadBroadcast,
    broadcast_identity,
    decode_broadcast,
    raw_identity,
)
from tests.plants import demo_plant

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
ORDER = {
    "feed": "L1", "seq": 42, "vehicle_id": "WVWZZZ1KZRW000042", "function": "original", "firm": True,
    "options": ["S1", "P040"], "sent_at": 1741166100.25, "reporting_point": "R100", "line": "A1",
}  # fmt: skip


def body(**changes: object) -> bytes:
    return json.dumps({**ORDER, **changes}).encode()


def test_a_broadcast_without_a_message_id_is_named_by_feed_sequence_number_and_content() -> None:
    once = broadcast_identity(decode_broadcast(body()))
    assert once.startswith("feed/L1/seq/42/")
    assert broadcast_identity(decode_broadcast(body())) == once, "a resend is the same message"
    reordered = json.dumps(dict(reversed(list({**ORDER, "parts": {"a": "1", "b": "2"}}.items())))).encode()
    assert broadcast_identity(decode_broadcast(reordered)) == broadcast_identity(
        decode_broadcast(body(parts={"b": "2", "a": "1"}))
    ), "key order is not content"
    for changed in ({"function": "change"}, {"options": ["S2"]}, {"sent_at": 1741166160.0}, {"seq": 43}):
        assert broadcast_identity(decode_broadcast(body(**changed))) != once, changed


def test_a_gateways_message_id_names_the_broadcast_per_feed() -> None:
    named = decode_broadcast(body(message_id="OEMWOB/00000043/4/45"))
    assert broadcast_identity(named) == "feed/L1/msg/OEMWOB/00000043/4/45"
    resent = decode_broadcast(body(message_id="OEMWOB/00000043/4/45", sent_at=1741166999.0))
    assert broadcast_identity(resent) == broadcast_identity(named), "the id names it, whatever else it says"
    assert (
        decode_broadcast(body()).encode()
        == decode_broadcast(body()).model_dump_json(exclude={"message_id", "qty", "required_at"}).encode()
    )
    for bad, why in (("", "empty"), (" x", "blanks"), ("x" * 121, "longer than 120"), ("é", "printable ASCII")):
        with pytest.raises(BadBroadcast, match=why):
            decode_broadcast(body(message_id=bad))
    with pytest.raises(BadBroadcast, match="message_id"):
        decode_broadcast(body(message_id=7))


def test_a_body_that_is_not_a_broadcast_is_named_by_its_message_id_or_its_bytes() -> None:
    assert raw_identity(b'{"import_problem": "x", "message_id": "file/ab/3/cd"}') == "raw/msg/file/ab/3/cd"
    assert raw_identity(b"\x00garbage") == raw_identity(b"\x00garbage") != raw_identity(b"\x00garbage!")
    assert raw_identity(b'{"message_id": 5}').startswith("raw/") and "msg" not in raw_identity(b'{"message_id": 5}')


@pytest.mark.parametrize(
    "what", ["deep", "large"], ids=["nested deeper than the feed's limit", "larger than the feed's body limit"]
)
def test_a_body_too_deep_or_too_large_to_parse_is_named_by_its_bytes_unread(what: str) -> None:
    """Issue 15's guard at this edge too (``sequencer.json_guard``): the message id of such a body is not read."""
    named = '"message_id": "file/ab/3/cd"'
    raw = (
        ("{" + named + ', "x": ' + "[" * (MAX_BODY_DEPTH + 1) + "]" * (MAX_BODY_DEPTH + 1) + "}").encode()
        if what == "deep"
        else ("{" + named + ', "x": "' + "y" * MAX_BODY_BYTES + '"}').encode()
    )
    assert raw_identity(raw).startswith("raw/") and "msg" not in raw_identity(raw)
    assert raw_identity(raw) == raw_identity(raw) != raw_identity(raw + b" ")


def test_a_file_message_is_named_by_its_envelope_and_content_never_by_the_file() -> None:
    plant = demo_plant()
    raw = (SAMPLES / "deljit_change_cancel_hold.edi").read_bytes()
    found = parse_file(SAMPLES / "deljit_change_cancel_hold.edi", plant=plant).broadcasts
    ids = [b.identity() for b in found]
    assert len(set(ids)) == len(ids), "every vehicle of the interchange is its own message"
    assert all(i.startswith("O0013000093OEMWOB/00000043/") for i in ids), ids
    assert [i.split("/")[2] for i in ids] == ["1", "2", "3", "4", "4"], "UNH message references"
    ahead = parse_bytes(b"\n" + raw, family_of_part={}, feed_default="L9", zone=plant.plant.timezone).broadcasts
    assert [b.identity() for b in ahead] == ids, "not the file, the place in it, the feed or the master data"
    without_time = found[0].model_copy(update={"sent_at": None})
    assert without_time.identity() != ids[0], "a document time the message carries is content"


@pytest.mark.parametrize(
    ("sample", "envelope"),
    [("x12_866_ford.x12", "FORDAP01/000000042/0001/"), ("vda4916_calloff.txt", "OEMWOB001/00042/1/")],
)
def test_x12_and_vda_messages_carry_their_envelope(sample: str, envelope: str) -> None:
    found = parse_file(SAMPLES / sample, plant=demo_plant()).broadcasts
    ids = [b.identity() for b in found]
    assert ids[0].startswith(envelope) and len(set(ids)) == len(ids), ids


def test_a_json_message_without_an_envelope_is_named_by_sequence_number_and_content() -> None:
    found = parse_file(SAMPLES / "broadcasts_feed.jsonl", plant=demo_plant()).broadcasts
    ids = [b.identity() for b in found]
    assert [i.split("/")[:2] for i in ids] == [["-", "9999"], ["-", "0"], ["-", "9999"]]
    assert len(set(ids)) == 3, "the original and the cancel of 9999 are two messages"
    no_time = found[0].model_copy(update={"sent_at": None})
    assert no_time.to_feed_json(sent_at=1.0, message_id=no_time.identity()) != no_time.to_feed_json(
        sent_at=2.0, message_id=no_time.identity()
    ) and json.loads(no_time.to_feed_json(sent_at=1.0, message_id=no_time.identity()))["message_id"] == (
        no_time.identity()
    ), "the time an import fills in is not part of the name"
