"""Recovery per message and streaming, as invariants over generated interchanges.

- Structure-aware mutations (app/proof/fuzz_structure.py): N good messages and one broken the way files break;
  never a crash, never a good message lost beside the bad one (DELJIT, X12 866, VDA 4916).
- Streaming: a file read in chunks of any size gives exactly what the whole bytes give, broken files included,
  and the reader holds about one chunk plus the open message, not the file.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.feed.formats import edifact
from app.feed.formats.canonical import Problem
from app.feed.formats.detect import ParseStream, parse_bytes
from app.feed.formats.source import Source
from app.proof import bench_formats
from app.proof.fuzz_structure import ENVELOPE_MUTATIONS, FORMATS, MUTATIONS, case, violations

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
GOOD = sorted(p.name for p in SAMPLES.iterdir() if "bad" not in p.name and "truncated" not in p.name)
INVARIANTS = settings(derandomize=True, max_examples=60, deadline=None)


@pytest.mark.parametrize("fmt", FORMATS)
@INVARIANTS
@given(seed=st.integers(0, 2**32), kind=st.sampled_from(MUTATIONS + ENVELOPE_MUTATIONS), n=st.integers(2, 6))
def test_a_broken_message_costs_only_itself(fmt, seed, kind, n):
    c = case(random.Random(seed), fmt, n, kind)
    assert violations(c) == [], (c.mutation, c.notes, c.raw[:400])


@pytest.mark.parametrize("kind", MUTATIONS)
def test_every_mutation_leaves_the_other_messages_of_a_deljit_interchange(kind):
    """One example per mutation kind, fixed, so a regression names the kind that broke."""
    for seed in range(25):
        c = case(random.Random(seed), "deljit", 4, kind)
        assert violations(c) == [], (kind, seed, c.notes)


def _items(stream: ParseStream) -> list[tuple[str, object, bytes]]:
    out: list[tuple[str, object, bytes]] = []
    for item in stream:
        if isinstance(item, Problem):
            out.append(("problem", (item.index, item.reason, item.kept), item.raw))
        else:
            out.append(("broadcast", item[0], item[1]))
    return out


def _whole_and_chunked(raw: bytes, chunk: int) -> tuple[list[object], list[object]]:
    args = {"family_of_part": {}, "feed_default": "L1", "zone": "Europe/Berlin"}
    whole = _items(ParseStream(raw, **args))
    chunked = _items(ParseStream(io.BytesIO(raw), chunk=chunk, **args))
    return whole, chunked


@settings(derandomize=True, max_examples=80, deadline=None)
@given(name=st.sampled_from(GOOD), chunk=st.integers(1, 700))
def test_a_sample_read_in_chunks_of_any_size_parses_as_a_whole(name, chunk):
    whole, chunked = _whole_and_chunked((SAMPLES / name).read_bytes(), chunk)
    assert chunked == whole


@settings(derandomize=True, max_examples=80, deadline=None)
@given(fmt=st.sampled_from(FORMATS), seed=st.integers(0, 2**32), chunk=st.integers(1, 400))
def test_a_broken_file_read_in_chunks_parses_as_a_whole(fmt, seed, chunk):
    raw = case(random.Random(seed), fmt).raw
    whole, chunked = _whole_and_chunked(raw, chunk)
    assert chunked == whole


class _Watched(Source):
    """A Source that remembers the most it ever held."""

    most = 0

    def fill(self, want: int = 0) -> bool:
        more = super().fill(want)
        _Watched.most = max(_Watched.most, len(self._buf))
        return more


@pytest.mark.parametrize(("fmt", "count"), [("deljit", 6000), ("x12", 8000), ("vda", 5000)])
def test_a_big_file_is_read_with_a_bounded_buffer(fmt, count, tmp_path, monkeypatch):
    """~2 MB files read in 64 KiB chunks: the buffer stays near two chunks (it keeps the open message only)."""
    path = tmp_path / f"big.{fmt}"
    bench_formats.WRITERS[fmt].__call__(path, count)  # type: ignore[call-arg]
    monkeypatch.setattr("app.feed.formats.detect.Source", _Watched)
    _Watched.most = 0
    with path.open("rb") as f:
        items = list(ParseStream(f, family_of_part=lambda part: "seats", feed_default="L1", chunk=1 << 16))
    assert path.stat().st_size > 1_800_000
    assert len(items) == count and not [i for i in items if isinstance(i, Problem)]
    assert _Watched.most <= 3 << 16, _Watched.most


def test_a_message_too_long_to_hold_is_read_again_from_the_source(monkeypatch):
    """Past SPILL_SEGMENTS a message is counted, not kept, and its SEQ groups are read again when it is mapped."""
    raw = (SAMPLES / "deljit_syncro_wrap.edi").read_bytes()
    held = parse_bytes(raw, family_of_part={}, feed_default="L1")
    monkeypatch.setattr(edifact, "SPILL_SEGMENTS", 5)
    spilled = parse_bytes(raw, family_of_part={}, feed_default="L1")
    assert (spilled.broadcasts, spilled.sources, spilled.problems) == (held.broadcasts, held.sources, held.problems)
    broken = parse_bytes(raw.replace(b"UNT+48+1", b"UNT+47+1"), family_of_part={}, feed_default="L1")
    assert broken.broadcasts == [] and "UNT says 47 segments, the message has 48" in broken.problems[0].reason
