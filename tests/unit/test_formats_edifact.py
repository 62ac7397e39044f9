"""EDIFACT syntax: UNA service characters, release characters, line breaks, offsets, and envelope counts."""

from __future__ import annotations

import pytest

from app.feed.formats.edifact import (
    DEFAULT_CHARS,
    EdifactSyntaxError,
    EnvelopeProblem,
    Message,
    read_edifact,
    service_string_advice,
    tokenize,
)
from app.feed.formats.source import Source


def test_defaults_apply_without_una():
    tokens = tokenize(b"UNB+UNOC:3+SENDER:OD+RECIPIENT:OD+250305:0812+42'UNH+1+DELJIT:D:97A:UN'")
    assert tokens.problems == []
    assert [s.tag for s in tokens.segments] == ["UNB", "UNH"]
    unb = tokens.segments[0]
    assert unb.chars == DEFAULT_CHARS
    assert unb.value(1) == "UNOC" and unb.value(1, 2) == "3"
    assert unb.value(2, 1) == "SENDER" and unb.value(5) == "42"
    assert unb.value(9) == "" and unb.value(2, 7) == ""  # absent elements and components are ""


def test_release_characters_make_separators_literal():
    tokens = tokenize(b"NAD+SE+X::92++Sitze ?+ Stoss?: Nord?' Sued ??x'FTX+AAI'")
    nad = tokens.segments[0]
    assert nad.value(4) == "Sitze + Stoss: Nord' Sued ?x"
    assert [s.tag for s in tokens.segments] == ["NAD", "FTX"]


def test_a_released_release_character_before_the_terminator_ends_the_segment():
    tokens = tokenize(b"FTX+AAI+++ends with a question mark ??'QTY+1:2'")
    assert tokens.segments[0].value(4) == "ends with a question mark ?"
    assert tokens.segments[1].value(1, 2) == "2"


def test_custom_una_separators_decimal_comma_and_no_line_breaks():
    raw = b"UNA>|,! ~UNB|UNOC>3|S|R|250305>0812|7~NAD|SE|X||Name !| with !~ and !> and !!~QTY|1>1,000~"
    tokens = tokenize(raw)
    assert tokens.problems == []
    nad, qty = tokens.segments[1], tokens.segments[2]
    assert nad.value(4) == "Name | with ~ and > and !"
    assert qty.value(1, 2) == "1,000" and qty.chars.decimal == ","
    assert qty.chars == service_string_advice("UNA>|,! ~")


@pytest.mark.parametrize("eol", [b"\r\n", b"\n", b"\n\n  "])
def test_line_breaks_after_terminators_are_not_data(eol):
    raw = eol.join([b"UNA:+.? '", b"UNB+UNOC:3+S+R+250305:0812+7'", b"UNZ+0+7'"]) + eol
    tokens = tokenize(raw)
    assert tokens.problems == []
    assert [s.tag for s in tokens.segments] == ["UNB", "UNZ"]


def test_offsets_are_byte_offsets_even_with_utf8_text():
    raw = "UNB+UNOY:3+S+R+250305:0812+7'NAD+SE+X::92++Müller Söhne'UNZ+0+7'".encode()
    tokens = tokenize(raw)
    nad = tokens.segments[1]
    assert nad.value(4) == "Müller Söhne"  # valid UTF-8 is decoded as UTF-8
    assert raw[nad.start : nad.end] == "NAD+SE+X::92++Müller Söhne'".encode()


def test_latin1_text_that_is_not_utf8_stays_latin1():
    tokens = tokenize("NAD+SE+X::92++Müller'".encode("latin-1"))
    assert tokens.segments[0].value(4) == "Müller"


def test_byte_order_mark_is_skipped():
    assert [s.tag for s in tokenize(b"\xef\xbb\xbfUNA:+.? 'UNB+UNOC:3+S+R+1:1+7'").segments] == ["UNB"]


def test_space_as_release_character_means_none():
    tokens = tokenize(b"UNA:+.  'FTX+AAI+++what?'UNZ+0+1'")
    assert tokens.segments[0].chars.release is None
    assert tokens.segments[0].value(4) == "what?"


@pytest.mark.parametrize(
    ("una", "reason"),
    [
        ("UNA::.? '", "same character twice"),
        ("UNA:+.?", "cut short"),
        ("UNA:+;? '", "decimal mark"),
        ("UNA:A.? '", "letter"),
    ],
)
def test_bad_una_is_a_syntax_problem(una, reason):
    with pytest.raises(EdifactSyntaxError, match=reason):
        service_string_advice(una)
    tokens = tokenize(una.encode())
    assert any(reason in p for p in tokens.problems), tokens.problems


def test_unterminated_segment_keeps_what_came_before():
    tokens = tokenize(b"UNB+UNOC:3+S+R+1:1+7'UNH+1+DELJIT:D:97A:UN'SEQ+1+99")
    assert [s.tag for s in tokens.segments] == ["UNB", "UNH"]
    assert tokens.problems == ["segment 'SEQ' has no terminator (truncated?)"]


def test_bad_tag_and_control_characters_are_bad_segments_and_scanning_goes_on():
    tokens = tokenize(b"UNB+UNOC:3'un h+1'GIR+1+WVW\x01X:VV'QTY+1:1'")
    assert [s.tag for s in tokens.segments] == ["UNB", "un h", "GIR", "QTY"]
    assert tokens.problems == [
        "bad segment tag 'un h' at byte 11",
        "control character 0x01 inside the segment at byte 18",
    ]


def test_nul_padding_and_an_end_of_file_mark_after_the_last_segment_are_ignored():
    for tail in (b"\x1a", b"\x00" * 300, b"\r\n\x1a", b"  \n"):
        tokens = tokenize(b"UNB+UNOC:3+S+R+1:1+7'UNZ+0+7'" + tail)
        assert tokens.problems == [] and [s.tag for s in tokens.segments] == ["UNB", "UNZ"]


def test_later_una_changes_the_separators_for_the_next_interchange():
    raw = b"UNB+UNOC:3+S+R+1:1+1'UNZ+0+1'\nUNA>|,! ~UNB|UNOC>3|S|R|1>1|2~UNZ|0|2~"
    tokens = tokenize(raw)
    assert tokens.problems == []
    assert [s.value(5) for s in tokens.segments if s.tag == "UNB"] == ["1", "2"]


def _events(text: str) -> list[object]:
    return list(read_edifact(Source(text.encode())))


def _reasons(text: str) -> list[str]:
    events = _events(text)
    return [e.reason for e in events if isinstance(e, EnvelopeProblem)] + [
        e.broken for e in events if isinstance(e, Message) and e.broken
    ]


def test_envelope_counts_and_references_agree():
    text = "UNB+UNOC:3+S+R+1:1+7'UNH+1+DELJIT:D:97A:UN'BGM+30+1+9'UNT+3+1'UNH+2+DELJIT:D:97A:UN'UNT+2+2'UNZ+2+7'"
    assert _reasons(text) == []
    messages = [e for e in _events(text) if isinstance(e, Message)]
    assert [m.reference for m in messages] == ["1", "2"] and [m.index for m in messages] == [0, 1]
    assert messages[0].bodies == ["BGM+30+1+9"] and messages[0].interchange is not None
    assert (messages[0].interchange.sender, messages[0].interchange.control) == ("S", "7")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "UNB+UNOC:3+S+R+1:1+7'UNH+1+DELJIT:D:97A:UN'BGM+30'UNT+4+1'UNZ+1+7'",
            "UNT says 4 segments, the message has 3 [interchange S/7, message '1', segment 3 UNT at byte 50]",
        ),
        (
            "UNB+UNOC:3+S+R+1:1+7'UNH+1+DELJIT:D:97A:UN'UNT+2+9'UNZ+1+7'",
            "UNT reference '9' does not match UNH '1'",
        ),
        ("UNB+UNOC:3+S+R+1:1+7'UNH+1+DELJIT:D:97A:UN'UNT+2+1'UNZ+2+7'", "UNZ says 2 messages, counted 1"),
        ("UNB+UNOC:3+S+R+1:1+7'UNH+1+DELJIT:D:97A:UN'UNT+2+1'UNZ+1+8'", "UNZ reference '8' does not match UNB '7'"),
        (
            "UNB+UNOC:3+S+R+1:1+7'UNH+1+DELJIT:D:97A:UN'BGM+30'UNZ+1+7'",
            "no UNT before UNZ at byte 50 (truncated?) [interchange S/7, message '1', from byte 21]",
        ),
        ("UNB+UNOC:3+S+R+1:1+7'UNH+1+DELJIT:D:97A:UN'UNT+2+1'", "interchange S/7 has no UNZ (truncated?)"),
        (
            "UNB+UNOC:3+S+R+1:1+7'UNH+1+DELJIT:D:97A:UN'UNT+2+1'BGM+1'UNZ+1+7'",
            "1 segment(s) BGM interchange S/7, between messages [from byte 51]",
        ),
        ("UNB+UNOC:3+S+R+1:1+'UNZ+0+'", "no interchange control reference"),
        (
            "UNB+UNOC:3+S+R+1:1+7'UNH+1+DELJIT:D:97A:UN'GIR+1+A\x00B'UNT+3+1'UNZ+1+7'",
            "control character 0x00 inside the segment [interchange S/7, message '1', segment 2 GIR at byte 43]",
        ),
    ],
)
def test_envelope_mismatches_are_problems_with_reasons(text, reason):
    reasons = _reasons(text)
    assert any(reason in r for r in reasons), reasons


def test_segments_outside_any_interchange_are_problems():
    assert _reasons("BGM+30'UNB+UNOC:3+S+R+1:1+7'UNZ+0+7'") == [
        "1 segment(s) BGM outside any interchange (no UNB) [from byte 0]"
    ]


def test_functional_groups_are_counted_by_une_and_unz():
    ok = "UNB+UNOC:3+S+R+1:1+7'UNG+DELJIT+S+R+1:1+G1+UN+D:97A'UNH+1+DELJIT:D:97A:UN'UNT+2+1'UNE+1+G1'UNZ+1+7'"
    assert _reasons(ok) == []
    assert _reasons(ok.replace("UNE+1+G1", "UNE+3+G2")) == [
        "UNE says 3 messages in the group, counted 1 [interchange S/7, group G1]",
        "UNE reference 'G2' does not match UNG 'G1' [interchange S/7, group G1]",
    ]


def test_a_truncated_segment_breaks_only_its_message():
    reasons = _reasons("UNB+UNOC:3+S+R+1:1+7'UNH+1+DELJIT:D:97A:UN'SEQ+1+9")
    assert reasons == [
        "interchange S/7 has no UNZ (truncated?) [from byte 0]",
        "segment 'SEQ' at byte 43 has no terminator (truncated?) "
        "[interchange S/7, message '1', segment 2 SEQ at byte 43]",
    ]


def test_a_message_outside_any_interchange_is_quarantined_whole():
    (msg,) = _events("UNH+1+DELJIT:D:97A:UN'BGM+30+1+9'UNT+3+1'")
    assert isinstance(msg, Message) and (msg.start, msg.end) == (0, 41)
    assert msg.broken == "message '1' outside any interchange (no UNB) [byte 0]"


def test_a_unh_glued_to_the_unt_before_it_still_starts_the_next_message():
    text = "UNB+UNOC:3+S+R+1:1+7'UNH+1+DELJIT:D:97A:UN'UNT+2+1UNH+2+DELJIT:D:97A:UN'UNT+2+2'UNZ+2+7'"
    messages = [e for e in _events(text) if isinstance(e, Message)]
    assert [(m.reference, bool(m.broken)) for m in messages] == [("1", True), ("2", False)]
    assert "the segment has no terminator: UNH at byte 50 is glued to it" in messages[0].broken
