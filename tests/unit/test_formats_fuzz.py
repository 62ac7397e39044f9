"""Nothing crashes the intake: random bytes and random mutations of every sample never raise from parse_bytes.

Each run is derandomized (deterministic); "parser error" is the safety net's text, so seeing it is a bug.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.feed.formats.canonical import families_of_plant
from app.feed.formats.detect import parse_bytes
from tests.plants import demo_plant

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
GOOD = sorted(p.name for p in SAMPLES.iterdir() if "bad" not in p.name and "truncated" not in p.name)
FAMILIES = families_of_plant(demo_plant())
FUZZ = settings(derandomize=True, max_examples=300, deadline=None)


def check(raw: bytes) -> None:
    result = parse_bytes(raw, family_of_part=FAMILIES, feed_default="L1", zone="Europe/Berlin")
    assert not [p for p in result.problems if p.reason.startswith("parser error")], result.problems
    assert len(result.broadcasts) == len(result.sources)
    assert all(isinstance(p.raw, bytes) and p.reason for p in result.problems)
    if result.format != "json":
        assert all(source in raw for source in result.sources)


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes_never_raise(raw):
    check(raw)


@FUZZ
@given(
    prefix=st.sampled_from([b"UNA", b"UNA:+.? '", b"UNB+", b"ISA*", b"ISA", b"{", b"[", b"661", b"662", b""]),
    tail=st.binary(max_size=400),
)
def test_random_bytes_behind_a_format_header_never_raise(prefix, tail):
    check(prefix + tail)


def _mutate(data: bytes, draw: st.DrawFn) -> bytes:
    """Delete, insert, replace or duplicate a random span, or truncate: what links and partners do to files."""
    at = draw(st.integers(0, len(data)))
    span = draw(st.integers(0, 40))
    kind = draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "truncate"]))
    noise = draw(
        st.binary(min_size=1, max_size=12)
        | st.sampled_from([b"'", b"+", b":", b"?", b"~", b"*", b"\r\n", b"UNT+", b"SE*", b"0"])
    )
    edits = {
        "delete": data[:at] + data[at + span :],
        "insert": data[:at] + noise + data[at:],
        "replace": data[:at] + noise + data[at + len(noise) :],
        "duplicate": data[:at] + data[at : at + span] * 2 + data[at + span :],
        "truncate": data[:at],
    }
    return edits[kind]


@FUZZ
@given(name=st.sampled_from(GOOD), data=st.data())
def test_mutated_samples_never_raise(name, data):
    raw = (SAMPLES / name).read_bytes()
    for _ in range(data.draw(st.integers(1, 3))):
        raw = _mutate(raw, data.draw)
    check(raw)
